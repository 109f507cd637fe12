//! Undo and redo: the patches an engine played, as snapshots.

use patchvm_ir::Patch;
use std::collections::VecDeque;

/// How many edits can be undone; older snapshots are dropped. Without a bound, a client that
/// edits all evening (an OSC controller mapped to `/patch/set`, a save loop) grows the
/// history without end: the audio half takes a few hundred programs a second.
pub(crate) const MAX_UNDO: usize = 256;

/// The patches before (undo) and after (redo) the current one.
///
/// Snapshots rather than inverse edits: a patch is small (kilobytes for hundreds of nodes),
/// a snapshot cannot get out of step with the edit that made it, and `ReplacePatch` has no
/// cheaper inverse anyway. At most [`MAX_UNDO`] of each are kept.
#[derive(Debug, Default)]
pub(crate) struct History {
    /// Oldest first.
    undo: VecDeque<Patch>,
    redo: Vec<Patch>,
}

impl History {
    /// Records that `previous` was replaced by a new edit: it can be undone to, and nothing
    /// can be redone any more.
    pub(crate) fn edited(&mut self, previous: Patch) {
        self.remember(previous);
        self.redo.clear();
    }

    /// The patch to go back to from `current`, if any; `current` becomes redoable once the
    /// caller confirms with [`undone`](History::undone).
    pub(crate) fn undo_target(&self) -> Option<&Patch> {
        self.undo.back()
    }

    pub(crate) fn undone(&mut self, current: Patch) {
        self.undo.pop_back();
        self.redo.push(current);
    }

    pub(crate) fn redo_target(&self) -> Option<&Patch> {
        self.redo.last()
    }

    pub(crate) fn redone(&mut self, current: Patch) {
        self.redo.pop();
        self.remember(current);
    }

    /// Keeps `patch` to undo to, dropping the oldest snapshot past [`MAX_UNDO`]. (The redo
    /// snapshots come from undone ones, so they stay within the bound too.)
    fn remember(&mut self, patch: Patch) {
        if self.undo.len() == MAX_UNDO {
            self.undo.pop_front();
        }
        self.undo.push_back(patch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use patchvm_ir::PatchBuilder;

    fn patch(k: usize) -> Patch {
        PatchBuilder::new()
            .node(&format!("n{k}"), "gain", &[])
            .build()
    }

    fn node(patch: &Patch) -> &str {
        &patch.nodes[0].id.text
    }

    #[test]
    fn the_oldest_edits_are_forgotten_past_the_bound() {
        let mut history = History::default();
        let edits = MAX_UNDO + 100;
        for k in 0..edits {
            history.edited(patch(k));
        }
        // Undo as far as it goes: the most recent MAX_UNDO snapshots, newest first.
        let mut current = patch(edits);
        let mut undone = Vec::new();
        while let Some(target) = history.undo_target().cloned() {
            history.undone(current);
            undone.push(node(&target).to_owned());
            current = target;
        }
        assert_eq!(undone.len(), MAX_UNDO);
        assert_eq!(undone[0], format!("n{}", edits - 1));
        assert_eq!(undone[MAX_UNDO - 1], format!("n{}", edits - MAX_UNDO));
        // And redo all the way back.
        let mut redone = 0;
        while let Some(target) = history.redo_target().cloned() {
            history.redone(current);
            current = target;
            redone += 1;
        }
        assert_eq!(redone, MAX_UNDO);
        assert_eq!(node(&current), format!("n{edits}"));
    }
}
