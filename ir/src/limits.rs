//! Resource limits that keep hostile or mistaken patches from exhausting time or memory.

/// Bounds on what a patch may ask for. Exceeding one is an error that names the limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest source file, in bytes.
    pub max_source_bytes: usize,
    /// Deepest nesting of parentheses, brackets or braces (MessagePack arrays and maps too);
    /// never more than [`Limits::MAX_NESTING`], whatever this says.
    pub max_depth: usize,
    /// Most nodes in one patch.
    pub max_nodes: usize,
    /// Most connections in one patch.
    pub max_connections: usize,
    /// Most changes in the transport section's tempo map.
    pub max_tempo_changes: usize,
    /// Longest name or string, in bytes.
    pub max_string_bytes: usize,
    /// Most memory one node's state may take (one delay line), in bytes.
    pub max_delay_bytes: usize,
    /// Most memory all nodes' state may take (delay lines, mostly), in bytes; checked before
    /// any of it is allocated.
    pub max_state_bytes: usize,
    /// Most memory the audio files a patch names may take decoded (samples as `f32` at the
    /// engine's rate), in bytes; a file that would pass it is refused before it is kept.
    pub max_sample_bytes: usize,
}

impl Limits {
    /// The deepest nesting any reader accepts: the readers' later passes recurse once per
    /// level, and this many levels stay far inside any thread's stack.
    pub const MAX_NESTING: usize = 1024;

    /// The nesting depth the readers enforce: `max_depth`, at most [`Limits::MAX_NESTING`].
    pub fn nesting(&self) -> usize {
        self.max_depth.min(Limits::MAX_NESTING)
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_source_bytes: 16 << 20,
            max_depth: 64,
            max_nodes: 100_000,
            max_connections: 400_000,
            max_tempo_changes: 100_000,
            max_string_bytes: 4096,
            max_delay_bytes: 256 << 20,
            max_state_bytes: 1 << 30,
            max_sample_bytes: 1 << 30,
        }
    }
}
