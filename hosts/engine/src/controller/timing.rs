//! The controller's model of the audio clock: where time tags and timestamps become engine
//! samples.

use super::Controller;
use crate::AudioClock;
use std::time::Instant;

impl Controller {
    /// The engine's model of its audio clock, shared: clones map through the same line.
    pub fn audio_clock(&self) -> AudioClock {
        self.audio_clock.clone()
    }

    /// Replaces the model of the audio clock: for a host that calls the audio half on a
    /// timeline of its own and feeds an [`AudioClock::manual`] with it.
    pub fn set_audio_clock(&mut self, clock: AudioClock) {
        self.audio_clock = clock;
    }

    /// The engine sample the audio half renders at `at`, on the clock model's line; before
    /// the audio half's first call, the frames rendered so far.
    pub fn sample_at(&self, at: Instant) -> f64 {
        self.audio_clock.sample_at(at).unwrap_or(self.time() as f64)
    }
}
