//! Tails that ring out: a structural edit that removes a reverb, a delay or any effect whose
//! sound outlives its input (or changes its module to one that cannot take its state over)
//! sends, with its transition, a *ghost*: a program of just the removed effects and the old
//! sides of changed ones (see `patchvm_compiler::ghost`), on the very kernels the transition
//! ran them on. When the transition ends the audio half plays the ghost beside the new program,
//! its output summed into the new program's, until it falls quiet or rings too long:
//!
//! - quiet: the peak of one block of [`QUIET_BLOCK`] samples, counted on the engine's sample
//!   clock (blocks start at multiples of it, whatever the host's buffers), below
//!   [`QUIET_DB`] dBFS. It stops after that block's last sample.
//! - too long: after [`Tail::max_samples`] samples it fades out over its
//!   [`fade`](Loaded::fade) (gain `1 - (k + 1) / fade` at its `k`-th sample of the fade), then
//!   stops.
//!
//! A stopped ghost goes back to the control side to be freed, never freed here. One ghost
//! rings at a time: when a new one arrives while one still rings, the older one fades out
//! over its fade from that sample, beside the new one, and stops.
//!
//! Every rule is per sample, so the ghost's sound and the sample it stops at do not depend
//! on the host's buffer size.

use crate::channels::mapped_sample;
use crate::live::loaded::Loaded;
use crate::time::Beats;

/// The length of the blocks whose peak decides that a ghost is quiet: 64 samples (1.3 ms
/// at 48 kHz), the audio half's largest block.
pub const QUIET_BLOCK: u64 = 64;

/// The level below which a ghost is quiet: −90 dBFS, under the noise floor of 16-bit audio.
pub const QUIET_DB: f32 = -90.0;

/// The linear peak of [`QUIET_DB`].
fn quiet_peak() -> f32 {
    10f32.powf(QUIET_DB / 20.0)
}

/// A ghost as the control side sends it, with a transition ([`Loaded::tail`]).
#[derive(Debug)]
pub struct Tail {
    /// The program of the removed effects, its kernels shared with the transition's.
    pub loaded: Box<Loaded>,
    /// Samples it may ring before it fades out: the engine's tail limit.
    pub max_samples: u64,
}

/// A ghost ringing in the audio half.
#[derive(Debug)]
pub(crate) struct Ghost {
    tail: Tail,
    /// Samples rung so far.
    rung: u64,
    /// The sample (counted as `rung`) its fade-out starts at: the limit, or earlier when a
    /// newer ghost replaced it.
    fade_from: u64,
    /// The peak of the quiet block under way.
    block_peak: f32,
    /// Whether it has stopped: it plays no more and waits to go back.
    stopped: bool,
}

impl Ghost {
    pub(crate) fn new(tail: Tail) -> Ghost {
        Ghost {
            fade_from: tail.max_samples,
            tail,
            rung: 0,
            block_peak: 0.0,
            stopped: false,
        }
    }

    /// Fades it out from now on, over its fade, unless it fades already.
    pub(crate) fn fade_out(&mut self) {
        self.fade_from = self.fade_from.min(self.rung);
    }

    /// Whether it has stopped and can go back to the control side.
    pub(crate) fn stopped(&self) -> bool {
        self.stopped
    }

    /// The program, to send back once stopped.
    pub(crate) fn into_loaded(self) -> Box<Loaded> {
        self.tail.loaded
    }

    /// Runs one block of `output.len() / channels` frames, the first at engine sample
    /// `time`, and adds its sound into interleaved `output`; returns the block's peak.
    ///
    /// Real-time safe: does not allocate, free, lock or block.
    pub(crate) fn ring(
        &mut self,
        time: u64,
        beats: &Beats,
        channels: usize,
        output: &mut [f32],
    ) -> f32 {
        if self.stopped {
            return 0.0;
        }
        let frames = output.len() / channels;
        let executable = &mut self.tail.loaded.executable;
        executable.run_at(frames, beats);
        let fade = u64::from(self.tail.loaded.fade.max(1));
        let quiet = quiet_peak();
        let mut peak = 0.0_f32;
        for (i, frame) in output.chunks_exact_mut(channels).enumerate() {
            let n = self.rung + i as u64;
            let gain = match n.checked_sub(self.fade_from) {
                None => 1.0,
                Some(k) => (1.0 - (k + 1) as f32 / fade as f32).max(0.0),
            };
            for (channel, out) in frame.iter_mut().enumerate() {
                let sample = gain
                    * mapped_sample(executable.channels(), channels, channel, |c| {
                        executable.output(c)[i]
                    });
                *out += sample;
                self.block_peak = self.block_peak.max(sample.abs());
                peak = peak.max(sample.abs());
            }
            let block_ends = (time + i as u64 + 1).is_multiple_of(QUIET_BLOCK);
            let faded = n + 1 >= self.fade_from.saturating_add(fade);
            if faded || block_ends && self.block_peak < quiet {
                self.stopped = true;
                break;
            }
            if block_ends {
                self.block_peak = 0.0;
            }
        }
        self.rung += frames as u64;
        peak
    }
}
