//! Undo and redo: the patches an engine played, as snapshots.

use patchvm_ir::Patch;

/// The patches before (undo) and after (redo) the current one.
///
/// Snapshots rather than inverse edits: a patch is small (kilobytes for hundreds of nodes),
/// a snapshot cannot get out of step with the edit that made it, and `ReplacePatch` has no
/// cheaper inverse anyway.
#[derive(Debug, Default)]
pub(crate) struct History {
    undo: Vec<Patch>,
    redo: Vec<Patch>,
}

impl History {
    /// Records that `previous` was replaced by a new edit: it can be undone to, and nothing
    /// can be redone any more.
    pub(crate) fn edited(&mut self, previous: Patch) {
        self.undo.push(previous);
        self.redo.clear();
    }

    /// The patch to go back to from `current`, if any; `current` becomes redoable once the
    /// caller confirms with [`undone`](History::undone).
    pub(crate) fn undo_target(&self) -> Option<&Patch> {
        self.undo.last()
    }

    pub(crate) fn undone(&mut self, current: Patch) {
        self.undo.pop();
        self.redo.push(current);
    }

    pub(crate) fn redo_target(&self) -> Option<&Patch> {
        self.redo.last()
    }

    pub(crate) fn redone(&mut self, current: Patch) {
        self.redo.pop();
        self.undo.push(current);
    }
}
