//! What live edits insert: `edit.fade`.
//!
//! When a structural edit changes what feeds an input, the live engine plays a transition
//! program for the engine's fade time, in which that input is fed through an `edit.fade` from
//! its old connections to its new ones. Over a fade of `n` samples
//! ([`fade_samples`] of its `time`, the audio half's one conversion, so the fade ends on the
//! transition's last sample) sample `k` (from 0, counted across blocks) is
//! `from + (to - from) * g` with `g = min(k + 1, n) / n`: the last sample of the fade is
//! exactly `to`, and so is every sample after it.
//!
//! The gain is linear (equal gain), not equal power. Both sides of a fade play the same
//! sources through the same surviving kernels in nearly every edit (a connection moved, a
//! node inserted into a chain), so they are correlated: a 440 Hz sine faded into itself holds
//! its level exactly at equal gain, and bulges by 3 dB (×1.414 at the middle of the fade)
//! at equal power. Equal power only pays for signals that share nothing, where equal gain
//! dips by 3 dB at the middle; that dip lasts half a fade of a few tens of milliseconds.

use super::param;
use super::spec::{out, setting, signal};
use crate::dsp::state::same;
use crate::module::{Dsp, Module, output, port};
use patchvm_ir::{ModuleSpec, Part, Role, Unit};
use patchvm_vm::Kernel;
use patchvm_vm::live::fade_samples;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[FADE];

/// `edit.fade`: the crossfade a structural edit plays on each input whose connections
/// changed: from `from` to `to` over `time`, then `to`. The live engine inserts it with its
/// fade setting; in a patch it fades once, at start.
pub const FADE: Module = Module::kernel(
    ModuleSpec {
        name: "edit.fade",
        doc: "fades linearly from `from` to `to` over `time`, then passes `to`; live edits insert it",
        inputs: &[
            signal("from", "the signal faded out", 0.0),
            signal("to", "the signal faded in", 0.0),
            setting(
                "time",
                "how long the fade lasts (the engine's fade setting when an edit inserts it); at least one sample",
                0.02,
                (0.0, 10.0),
                Unit::Seconds,
            ),
        ],
        outputs: &[out("`from` crossfaded into `to` over `time`, then `to`")],
        role: Role::Kernel,
    },
    |init| {
        init.kernel(Fade {
            length: fade_samples(param(&FADE.spec, init, "time"), init.sample_rate),
            played: 0,
        })
    },
)
.part(Part::Fade {
    from: "from",
    to: "to",
    time: "time",
    out: "out",
});

/// `edit.fade`: its length and the samples played since built or reset, up to it.
#[derive(Clone, Debug)]
struct Fade {
    /// Samples the fade lasts. Invariant: at least 1.
    length: u32,
    /// Samples played, saturating at `length` (beyond it the gain stays 1).
    played: u32,
}

// Where `Fade` finds the ports of `edit.fade`.
const FADE_FROM: usize = port(&FADE.spec, "from");
const FADE_TO: usize = port(&FADE.spec, "to");
const FADE_OUT: usize = output(&FADE.spec, "out");

impl Dsp for Fade {
    /// Inputs `[from, to]`, outputs `[out]`. The expression and its order are the audio half's
    /// crossfade's (`before + (sample - before) * gain`), so a transition program fades
    /// exactly as the audio half's crossfade of two programs does.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let (from, to) = (inputs[FADE_FROM], inputs[FADE_TO]);
        let out = &mut *outputs[FADE_OUT];
        // Samples of this block still inside the fade; the rest are `to` (gain 1).
        let fading = ((self.length - self.played) as usize).min(out.len());
        for (i, (out, (&from, &to))) in out[..fading]
            .iter_mut()
            .zip(from.iter().zip(to))
            .enumerate()
        {
            let gain = (self.played + i as u32 + 1) as f32 / self.length as f32;
            *out = from + (to - from) * gain;
        }
        out[fading..].copy_from_slice(&to[fading..]);
        self.played += fading as u32;
    }

    fn reset(&mut self) {
        self.played = 0;
    }

    /// Keeps the count, so a fade that survives an edit does not start again (a fade of
    /// another length goes on from the same count, at most its own length).
    ///
    /// Real-time safe: copies one field; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        same::<Fade>(other)
            .map(|other| self.played = other.played.min(self.length))
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Chunks, Run, constant, kernel};

    /// 64 samples at the test kernels' 48 kHz.
    const SIXTY_FOUR: f64 = 64.0 / 48_000.0;

    /// The default, 20 ms, is 960 samples at 48 kHz: half way, sample 479, the gain is
    /// exactly 1/2; the 960th sample is `to`.
    #[test]
    fn the_default_fade_lasts_20_ms() {
        let (from, to) = (constant(1.0, 1024), constant(0.0, 1024));
        let inputs: [&[f32]; 2] = [&from, &to];
        let run = Run::new(&inputs, 1024).on(kernel("edit.fade", &[]).as_mut());
        assert_eq!(run[479], 0.5);
        assert!(run[958] > 0.0);
        assert_eq!(run[959], 0.0);
    }

    /// From 1 to 0 over 64 samples at 48 kHz (`time` 64/48 000 s), cut into blocks of 1, 7
    /// and 64 samples: sample `k` is `1 - (k + 1) / 64` for the first 64, then 0, the same
    /// bits whatever the blocks.
    #[test]
    fn fades_over_its_time_whatever_the_blocks() {
        let len = 200;
        let (from, to) = (constant(1.0, len), constant(0.0, len));
        let inputs: [&[f32]; 2] = [&from, &to];
        let runs: Vec<Vec<f32>> = [1, 7, 64]
            .map(|size| {
                Run::new(&inputs, len)
                    .chunks(Chunks::Fixed(size))
                    .on(kernel("edit.fade", &[("time", SIXTY_FOUR)]).as_mut())
            })
            .into();
        for (k, &sample) in runs[0].iter().enumerate() {
            let expected = if k < 64 {
                1.0 - (k as f64 + 1.0) / 64.0
            } else {
                0.0
            };
            // Multiples of 1/64 are exact in `f32`, so the fade must hit them exactly.
            assert_eq!(f64::from(sample), expected, "sample {k}");
        }
        for run in &runs[1..] {
            assert!(
                run.iter()
                    .zip(&runs[0])
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
        }
    }

    /// A fade that took over another's count goes on from it instead of fading again.
    #[test]
    fn a_copied_fade_goes_on_from_the_count() {
        let (from, to) = (constant(1.0, 64), constant(0.0, 64));
        let inputs: [&[f32]; 2] = [&from, &to];
        let run = Run::new(&inputs, 40);
        let mut old = kernel("edit.fade", &[("time", SIXTY_FOUR)]);
        let mut new = kernel("edit.fade", &[("time", SIXTY_FOUR)]);
        run.on(old.as_mut());
        assert!(new.copy_state_from(&*old));
        let (mut a, mut b) = ([0.0_f32; 40], [0.0_f32; 40]);
        run.block(old.as_mut(), 0..40, &mut a);
        run.block(new.as_mut(), 0..40, &mut b);
        assert_eq!(a.map(f32::to_bits), b.map(f32::to_bits));
        // 40 samples in, 24 remain: the 24th sample of the second block reaches 0.
        let reached = b.iter().position(|&x| x == 0.0);
        assert_eq!(reached, Some(23));
    }
}
