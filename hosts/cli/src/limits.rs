//! Command-line flags for the resource limits every patch-reading command accepts.

use patchvm::ir::Limits;

/// Resource limits; the defaults suit any hand-written patch.
#[derive(Debug, clap::Args)]
pub struct LimitArgs {
    /// Largest patch file, in bytes.
    #[arg(long, allow_negative_numbers = true, value_name = "BYTES", default_value_t = Limits::default().max_source_bytes)]
    max_source_bytes: usize,
    /// Deepest nesting of parentheses, brackets or braces (at most 1024).
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = Limits::default().max_depth as u16,
          value_parser = clap::value_parser!(u16).range(1..=Limits::MAX_NESTING as i64))]
    max_depth: u16,
    /// Most nodes in a patch.
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = Limits::default().max_nodes)]
    max_nodes: usize,
    /// Most connections in a patch.
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// Most changes in the transport section's tempo map.
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = Limits::default().max_tempo_changes)]
    max_tempo_changes: usize,
    /// Longest name or string, in bytes.
    #[arg(long, allow_negative_numbers = true, value_name = "BYTES", default_value_t = Limits::default().max_string_bytes)]
    max_string_bytes: usize,
    /// Most memory for one node's state (one delay line), in bytes.
    #[arg(long, allow_negative_numbers = true, value_name = "BYTES", default_value_t = Limits::default().max_delay_bytes)]
    max_delay_bytes: usize,
    /// Most memory for all nodes' state (delay lines), in bytes.
    #[arg(long, allow_negative_numbers = true, value_name = "BYTES", default_value_t = Limits::default().max_state_bytes)]
    max_state_bytes: usize,
    /// Most memory for the audio files a patch names, decoded at the engine's rate
    /// (4 bytes a sample per channel), in bytes: 1 GiB is some 93 minutes of stereo at 48 kHz.
    #[arg(long, allow_negative_numbers = true, value_name = "BYTES", default_value_t = Limits::default().max_sample_bytes)]
    max_sample_bytes: usize,
}

impl LimitArgs {
    /// The limits these flags set.
    pub fn limits(&self) -> Limits {
        Limits {
            max_source_bytes: self.max_source_bytes,
            max_depth: usize::from(self.max_depth),
            max_nodes: self.max_nodes,
            max_connections: self.max_connections,
            max_tempo_changes: self.max_tempo_changes,
            max_string_bytes: self.max_string_bytes,
            max_delay_bytes: self.max_delay_bytes,
            max_state_bytes: self.max_state_bytes,
            max_sample_bytes: self.max_sample_bytes,
        }
    }
}
