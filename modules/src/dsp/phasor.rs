//! A phase accumulator in `f64` turns, stepped one sample at a time, for the LFOs, `osc.fm` and
//! `osc.organ` (the audio oscillators use the fixed-point one in [`phase`](super::phase)).

use crate::kernels::limit;

/// A phase in turns, `0 <= phase < 1`, that steps by `freq / sample_rate` each sample.
///
/// The phase is kept in `f64`, so a frequency measured over minutes is exact, and it wraps
/// once per sample: the step is limited to half a turn (the Nyquist frequency) either way.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Phasor {
    phase: f64,
    turns_per_hz: f64,
    /// Whether a sample has been made since the kernel was built or reset.
    started: bool,
}

impl Phasor {
    /// A phasor at phase 0 for `sample_rate` samples a second.
    pub(crate) fn new(sample_rate: f64) -> Phasor {
        Phasor {
            phase: 0.0,
            turns_per_hz: 1.0 / sample_rate,
            started: false,
        }
    }

    /// Back to phase 0, as built.
    pub(crate) fn reset(&mut self) {
        self.phase = 0.0;
        self.started = false;
    }

    /// Returns this sample's phase and the width of the PolyBLEP correction around it, and
    /// steps the phase by `freq_hz / sample_rate` turns, limited to ±half a turn (a NaN
    /// frequency reads as the bottom, -half a turn).
    ///
    /// The width is the size of the step (at most half a turn), except on the very first
    /// sample: nothing came before it, so there is no jump into it to smooth, and a square
    /// starts at +1 (a square used as a gate opens on sample 0).
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub(crate) fn tick(&mut self, freq_hz: f64) -> (f64, f64) {
        let step = limit(freq_hz * self.turns_per_hz, -0.5, 0.5);
        let phase = self.phase;
        let mut next = phase + step;
        if next >= 1.0 {
            next -= 1.0;
        } else if next < 0.0 {
            next += 1.0;
            // A tiny negative phase rounds up to exactly 1.
            if next >= 1.0 {
                next = 0.0;
            }
        }
        self.phase = next;
        let width = if self.started { step.abs() } else { 0.0 };
        self.started = true;
        (phase, width)
    }
}
