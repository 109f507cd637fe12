//! Value edits that glide: a slot whose value in the patch changed ramps to it over the
//! edit's fade instead of stepping (see [`Takeover`](crate::live::Takeover)).

use super::Executable;
use crate::index::ParamIdx;

impl Executable {
    /// Each slot in `glide` ramps from the value it holds (after a take-over: its
    /// predecessor's) to this program's initial value for it, reaching it on the `samples`-th
    /// sample from now (0: at once). Indices out of range are skipped.
    ///
    /// Real-time safe: a ramp per slot; does not allocate, lock or block.
    pub fn glide_params(&mut self, glide: &[ParamIdx], samples: u32) {
        for &param in glide {
            let Some(&target) = self.program.params.get(param.index()) else {
                continue;
            };
            self.ramp_param(param, target, samples);
        }
    }

    /// Each `(old, new)` in `glide`: slot `new` takes the state of `from`'s slot `old` (its
    /// value, or where its ramp has reached) and ramps from there to this program's initial
    /// value for it over `samples` samples. Pairs out of range are skipped.
    ///
    /// Real-time safe: a ramp per pair; does not allocate, lock or block.
    pub fn glide_params_from(
        &mut self,
        from: &Executable,
        glide: &[(ParamIdx, ParamIdx)],
        samples: u32,
    ) {
        for &(old, new) in glide {
            let (Some(&state), Some(&target)) = (
                from.params.get(old.index()),
                self.program.params.get(new.index()),
            ) else {
                continue;
            };
            if let Some(slot) = self.params.get_mut(new.index()) {
                *slot = state;
                self.ramp_param(new, target, samples);
            }
        }
    }
}
