//! Swap reports: what a new program kept of the old one.

use patchvm_ir::NodeName;

/// What happened to the nodes when a program replaced the one playing. Nodes are those that
/// run as kernels; a stateless node folded into a constant has no state and is not listed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SwapReport {
    /// The new program's generation (1 for the first patch loaded).
    pub generation: u64,
    /// Nodes whose id and module survive: they go on with their state.
    pub kept: Vec<NodeName>,
    /// Nodes that are new, start from their initial state.
    pub added: Vec<NodeName>,
    /// Nodes that are gone.
    pub removed: Vec<NodeName>,
    /// Nodes whose state the audio half copied, because their kernel could not simply go
    /// on: rebuilt with new settings (a delay line resized), or playing twice while a
    /// reordering fades (its old side on a copy). Every other survivor's kernel is shared by
    /// the old and new programs.
    pub copied: Vec<NodeName>,
    /// Whether nodes or connections changed, so a transition program crossfades every input
    /// whose connections changed from its old sources to its new ones over the fade time
    /// ([`EngineSettings::fade_ms`](crate::EngineSettings::fade_ms)), removed nodes playing
    /// out; a change of parameter values only swaps at once, its changed values gliding.
    pub crossfade: bool,
    /// The engine time (frames) of the audio half's next look for new programs when the
    /// program was published: it is taken at that look, or at the following one.
    pub published_at: u64,
    /// The engine time of the new program's first sample, once the audio half has taken it.
    pub taken_at: Option<u64>,
    /// Nanoseconds the audio half spent taking the program over from the one before, once
    /// taken (and, for a structural edit, once its transition has ended: both take-overs):
    /// what the swap itself cost the audio thread, apart from rendering. Surviving nodes'
    /// kernels are shared, not moved; only parameters events have moved and kernels rebuilt
    /// with new settings are copied.
    pub takeover_ns: Option<u64>,
}

impl SwapReport {
    /// Samples between publication and the first sample played, once taken: at most one
    /// block ([`MAX_BLOCK`](patchvm_vm::MAX_BLOCK)).
    pub fn latency(&self) -> Option<u64> {
        self.taken_at
            .map(|taken| taken.saturating_sub(self.published_at))
    }
}
