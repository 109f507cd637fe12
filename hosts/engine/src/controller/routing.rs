//! The routing graph set and edited as a whole, as the Atome C ABI drives it: a new routing
//! patch keeps the timelines (and their clips), the tempo and the sample bank of the patch
//! playing unless it brings its own, and a list of edits lands as one swap or not at all.

use super::Controller;
use crate::error::EngineError;
use crate::report::SwapReport;
use patchvm_ir::{Edit, Patch};

impl Controller {
    /// Plays `routing` in place of the patch playing. Sections it lacks (timelines, the
    /// transport, the sample bank) are taken from the patch playing, so clips placed before
    /// stay placed. Undoable; an invalid result is refused and changes nothing.
    pub fn set_routing(&mut self, mut routing: Patch) -> Result<SwapReport, EngineError> {
        if let Some(playing) = &self.patch {
            if routing.timelines.is_empty() {
                routing.timelines = playing.timelines.clone();
            }
            if routing.transport.is_none() {
                routing.transport = playing.transport.clone();
            }
            if routing.samples.is_empty() {
                routing.samples = playing.samples.clone();
            }
        }
        self.edited(routing)
    }

    /// Applies `edits` in order to the patch playing and plays the result as one swap.
    /// Undoable as one step. If any edit makes no sense or the result is invalid, nothing
    /// changes; the error names the edit by its index.
    pub fn apply_edits(&mut self, edits: &[Edit]) -> Result<SwapReport, EngineError> {
        let mut patch = self.patch.clone().ok_or(EngineError::NoPatch)?;
        for (index, edit) in edits.iter().enumerate() {
            patch = edit.apply_unvalidated(patch).map_err(|problems| {
                EngineError::Invalid(
                    problems
                        .into_iter()
                        .map(|problem| {
                            let message = format!("edit {index}: {}", problem.message);
                            patchvm_ir::Diagnostic { message, ..problem }
                        })
                        .collect(),
                )
            })?;
        }
        self.edited(patch)
    }
}
