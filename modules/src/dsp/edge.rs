//! Rising edges of a trigger or gate signal.

/// Finds the samples where a trigger signal goes above 0 after a sample that was not.
///
/// Before the first sample the signal counts as low, so a trigger already high on a kernel's
/// first sample is an edge there (`RisingEdge::default()` starts low). NaN counts as low (it is
/// not above 0).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct RisingEdge {
    /// Whether the last sample was above 0.
    high: bool,
}

impl RisingEdge {
    /// Whether `x` is a rising edge: above 0, after a sample that was not.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub(crate) fn rises(&mut self, x: f32) -> bool {
        let high = x > 0.0;
        let rose = high && !self.high;
        self.high = high;
        rose
    }
}

#[cfg(test)]
mod tests {
    use super::RisingEdge;

    #[test]
    fn edges_are_the_low_to_high_samples() {
        let mut edge = RisingEdge::default();
        let signal = [1.0, 1.0, 0.0, -1.0, 0.5, f32::NAN, 2.0, 0.0, 1e-30];
        let edges: Vec<bool> = signal.iter().map(|&x| edge.rises(x)).collect();
        assert_eq!(
            edges,
            [true, false, false, false, true, false, true, false, true]
        );
    }
}
