//! PolyBLEP: the two-sample polynomial correction that band-limits a jump in a naive wave.

/// The PolyBLEP residual for an upward jump of 2 at phase 0: what to add to a naive wave
/// within one `step` of the jump so the jump spreads over two samples.
///
/// `phase` is in turns (`0 <= phase < 1`), `step` the phase increment per sample (at most
/// half a turn). A jump of another height `h` takes `h / 2` times this residual; a jump at
/// another phase `p` takes the residual at `phase - p`, wrapped into `0..1`.
#[inline]
pub(crate) fn blep(phase: f64, step: f64) -> f64 {
    if phase < step {
        let x = phase / step;
        -(1.0 - x) * (1.0 - x)
    } else if phase > 1.0 - step {
        let x = (phase - 1.0) / step;
        (1.0 + x) * (1.0 + x)
    } else {
        0.0
    }
}

/// `phase - offset`, wrapped into `0..1`, for `phase` and `offset` in `0..1`: the phase
/// measured from a jump at `offset`.
#[inline]
pub(crate) fn from_jump(phase: f64, offset: f64) -> f64 {
    let shifted = phase - offset;
    if shifted < 0.0 {
        shifted + 1.0
    } else {
        shifted
    }
}
