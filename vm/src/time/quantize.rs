//! [`Quantize`]: the grid a held swap waits for.

/// Where a swap may land: on the next beat, or on the next bar line that starts a group of
/// `n` bars (counted from beat 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantize {
    /// The next beat (quarter note).
    Beat,
    /// The next multiple of `n` bars (at least 1).
    Bars(u32),
}

impl Quantize {
    /// The first grid line at or after `position`, in beats, with bars of `beats_per_bar`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn boundary(self, position: f64, beats_per_bar: f64) -> f64 {
        let step = match self {
            Quantize::Beat => 1.0,
            Quantize::Bars(bars) => f64::from(bars.max(1)) * beats_per_bar,
        };
        (position / step).ceil() * step
    }
}

#[cfg(test)]
mod tests {
    use super::Quantize;

    #[test]
    fn boundaries_are_the_next_grid_line_or_this_one() {
        assert_eq!(Quantize::Beat.boundary(2.3, 4.0), 3.0);
        assert_eq!(Quantize::Beat.boundary(3.0, 4.0), 3.0);
        assert_eq!(Quantize::Bars(1).boundary(5.0, 4.0), 8.0);
        assert_eq!(Quantize::Bars(2).boundary(9.0, 3.0), 12.0);
        assert_eq!(Quantize::Bars(0).boundary(0.5, 4.0), 4.0);
    }
}
