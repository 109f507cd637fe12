//! A clock that says on which samples a new period starts.

use crate::kernels::limit;

/// Counts periods of a frequency; a period starts on the first sample and then every
/// `sample_rate / freq` samples, on the first sample at or after each period's exact start.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    /// Periods since the last start; starts at 1 so the first period starts on sample 0.
    phase: f64,
    periods_per_hz: f64,
}

impl Clock {
    /// How close below 1 the phase may be and still count as due: the phase is a sum of
    /// rounded steps, and without this a period of exactly 48 samples could come out as 49.
    const SLACK: f64 = 1e-9;

    /// A clock whose first period starts on the next sample.
    pub(crate) fn new(sample_rate: f64) -> Clock {
        Clock {
            phase: 1.0,
            periods_per_hz: 1.0 / sample_rate,
        }
    }

    /// Back to the state when built.
    pub(crate) fn reset(&mut self) {
        self.phase = 1.0;
    }

    /// Whether a period starts on this sample; then advances by `freq_hz / sample_rate`
    /// periods, limited to `0..=0.5` (NaN as 0), so periods last at least two samples.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub(crate) fn tick(&mut self, freq_hz: f64) -> bool {
        let due = self.phase >= 1.0 - Clock::SLACK;
        if due {
            self.phase = (self.phase - 1.0).max(0.0);
        }
        self.phase += limit(freq_hz * self.periods_per_hz, 0.0, 0.5);
        due
    }
}
