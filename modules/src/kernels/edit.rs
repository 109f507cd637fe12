//! What live edits insert: `edit.fade`.
//!
//! When a structural edit changes what feeds an input, the live engine runs one block of a
//! transition program in which that input is fed through an `edit.fade` from its old
//! connections to its new ones. The fade's gain follows the audio half's whole-program crossfade
//! sample for sample: sample `k` (from 0, counted across blocks) is
//! `from + (to - from) * g` with `g = min(k + 1, 64) / 64`, so the last sample of the first
//! block is exactly `to`, and so is every sample after it.

use super::spec::{out, signal};
use crate::dsp::state::same;
use crate::module::{Dsp, Module, output, port};
use patchvm_ir::{ModuleSpec, Part, Role};
use patchvm_vm::Kernel;
use patchvm_vm::live::FADE_SAMPLES;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[FADE];

/// `edit.fade`: the crossfade a structural edit plays on each input whose connections
/// changed: from `from` to `to` over one block (64 samples), then `to`. The live engine
/// inserts it; in a patch it fades once, at start.
pub const FADE: Module = Module::kernel(
    ModuleSpec {
        name: "edit.fade",
        doc: "fades from `from` to `to` over its first 64 samples, then passes `to`; live edits insert it",
        inputs: &[
            signal("from", "the signal faded out", 0.0),
            signal("to", "the signal faded in", 0.0),
        ],
        outputs: &[out(
            "`from` crossfaded into `to` over 64 samples, then `to`",
        )],
        role: Role::Kernel,
    },
    |init| init.kernel(Fade::default()),
)
.part(Part::Fade {
    from: "from",
    to: "to",
    out: "out",
});

/// `edit.fade`: the samples played since built or reset, up to the fade's length.
#[derive(Clone, Debug, Default)]
struct Fade {
    /// Samples played, saturating at [`FADE_SAMPLES`] (beyond it the gain stays 1).
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
        let fading = ((FADE_SAMPLES - self.played) as usize).min(out.len());
        for (i, (out, (&from, &to))) in out[..fading]
            .iter_mut()
            .zip(from.iter().zip(to))
            .enumerate()
        {
            let gain = (self.played + i as u32 + 1) as f32 / FADE_SAMPLES as f32;
            *out = from + (to - from) * gain;
        }
        out[fading..].copy_from_slice(&to[fading..]);
        self.played += fading as u32;
    }

    fn reset(&mut self) {
        self.played = 0;
    }

    /// Keeps the count, so a fade that survives an edit does not start again.
    ///
    /// Real-time safe: copies one field; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        same::<Fade>(other)
            .map(|other| self.played = other.played)
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Chunks, Run, constant, kernel};

    /// From 1 to 0, cut into blocks of 1, 7 and 64 samples: sample `k` is `1 - (k + 1) / 64`
    /// for the first 64, then 0, the same bits whatever the blocks.
    #[test]
    fn fades_over_64_samples_whatever_the_blocks() {
        let len = 200;
        let (from, to) = (constant(1.0, len), constant(0.0, len));
        let inputs: [&[f32]; 2] = [&from, &to];
        let runs: Vec<Vec<f32>> = [1, 7, 64]
            .map(|size| {
                Run::new(&inputs, len)
                    .chunks(Chunks::Fixed(size))
                    .on(kernel("edit.fade", &[]).as_mut())
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
        let mut old = kernel("edit.fade", &[]);
        let mut new = kernel("edit.fade", &[]);
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
