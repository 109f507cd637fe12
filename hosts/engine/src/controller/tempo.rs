//! The master tempo map set while playing, as the Atome C ABI asks for it: one tempo, or
//! segments that step or ramp. It is the patch's transport section and every timeline's tempo
//! map at once (timelines follow the master tempo), so a clip at beat 4 starts where beat 4
//! of the master lies. Set as an edit of the patch (undoable, validated like a file's
//! section), which rebuilds the timelines' kernels carrying on from the ones playing.

use super::Controller;
use crate::error::EngineError;
use crate::report::SwapReport;
use patchvm_ir::{TempoChange, Transport};

impl Controller {
    /// Plays the patch with the tempo map `bpm` at beat 0 then `changes` (strictly after beat
    /// 0, at increasing beats) for its transport and every timeline; the meter is kept.
    /// Undoable. An invalid map is refused with its diagnostics and changes nothing.
    pub fn set_tempo_map(
        &mut self,
        bpm: f64,
        changes: Vec<TempoChange>,
    ) -> Result<SwapReport, EngineError> {
        let mut patch = self.patch.clone().ok_or(EngineError::NoPatch)?;
        let mut transport = patch.transport.take().unwrap_or_default();
        transport.bpm = bpm;
        transport.tempo = changes;
        for timeline in &mut patch.timelines {
            timeline.tempo = Transport {
                meter: timeline.tempo.meter,
                span: timeline.tempo.span,
                ..transport.clone()
            };
        }
        patch.transport = Some(transport);
        self.edited(patch)
    }

    /// The master tempo map of the patch playing: its transport section (the defaults
    /// without one), or `None` without a patch.
    pub fn tempo_map(&self) -> Option<Transport> {
        let patch = self.patch.as_ref()?;
        Some(patch.transport.clone().unwrap_or_default())
    }
}
