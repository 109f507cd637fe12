//! The output limiter and the clip counter: the last thing the audio half does to a buffer,
//! so a patch that peaks too loud reaches the sound card at a safe level rather than as
//! square-wave clipping, and the performer sees how often it happened.
//!
//! A brickwall peak limiter without look-ahead: a gain shared by every channel (so the
//! stereo image stays put) drops at once to exactly `ceiling / |peak|` on the frame whose
//! peak would pass the ceiling, so no sample ever exceeds it, and recovers towards 1 with a
//! one-pole release. No look-ahead means no added latency and no buffer (the attack is the
//! one sample, which bends the wave's top: a safety net, not a mastering limiter), and being
//! per sample, the result is the same whatever the host's buffer size.

/// The ceiling the limiter holds the output to by default: −0.3 dBFS, a little headroom
/// for the reconstruction filter's overshoot between samples.
pub const DEFAULT_CEILING_DB: f32 = -0.3;

/// How fast the gain recovers after a peak: the release's time constant.
pub const RELEASE_SECONDS: f64 = 0.05;

/// The limiter's settings and its one gain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limiter {
    /// The largest magnitude a sample leaves with, linear (`10^(dB/20)`).
    ceiling: f32,
    /// The release's one-pole coefficient per frame: the gain moves this fraction of the
    /// way back to 1 each frame.
    release: f32,
    /// The gain applied to the last frame.
    gain: f32,
}

impl Limiter {
    /// A limiter holding samples to `ceiling_db` dBFS (finite, at most 0) at `sample_rate`
    /// frames per second, with the [`RELEASE_SECONDS`] release.
    pub fn new(ceiling_db: f32, sample_rate: f64) -> Limiter {
        let ceiling_db = if ceiling_db.is_finite() {
            ceiling_db.min(0.0)
        } else {
            DEFAULT_CEILING_DB
        };
        let frames = (RELEASE_SECONDS * sample_rate.max(1.0)).max(1.0);
        Limiter {
            ceiling: 10f32.powf(ceiling_db / 20.0),
            release: (1.0 - (-1.0 / frames).exp()) as f32,
            gain: 1.0,
        }
    }

    /// Limits interleaved `output` (frames of `channels` samples) in place.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn process(&mut self, output: &mut [f32], channels: usize) {
        for frame in output.chunks_exact_mut(channels.max(1)) {
            let peak = frame.iter().fold(0.0_f32, |peak, s| peak.max(s.abs()));
            self.gain += (1.0 - self.gain) * self.release;
            if peak * self.gain > self.ceiling {
                self.gain = self.ceiling / peak;
            }
            for sample in frame {
                // The division rounds either way; the clamp makes the ceiling exact.
                *sample = (*sample * self.gain).clamp(-self.ceiling, self.ceiling);
            }
        }
    }
}

/// How many samples of `output` are over full scale (magnitude above 1.0): what the clip
/// counter adds up, before the limiter.
///
/// Real-time safe: does not allocate, lock or block.
pub fn clipped(output: &[f32]) -> u64 {
    output.iter().map(|s| u64::from(s.abs() > 1.0)).sum()
}
