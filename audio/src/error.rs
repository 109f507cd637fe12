//! Why an audio file cannot be used, as data: the engine turns it into a diagnostic at the
//! place the patch names the file.

use std::fmt;

/// Why a file did not become decoded audio. Each says why in lowercase words, without
/// naming the file (the caller knows the name the patch used).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// No file at the path.
    Missing,
    /// The file exists but could not be read (a folder, no permission, an I/O error).
    Unreadable(String),
    /// The bytes are no audio format this build decodes, or a stream inside is malformed.
    NotAudio(String),
    /// The file ends before what its headers promise.
    Truncated(String),
    /// The decoded audio would take `needs` bytes (at least) where only `left` of the
    /// cache's `budget` remain.
    OverBudget {
        /// Bytes the file needs at least, decoded at the engine's rate.
        needs: usize,
        /// Bytes of the budget still free.
        left: usize,
        /// The whole budget (`--max-sample-bytes`).
        budget: usize,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Missing => f.write_str("no such file"),
            ImportError::Unreadable(why) => write!(f, "cannot be read: {why}"),
            ImportError::NotAudio(why) => write!(f, "is not audio this build decodes: {why}"),
            ImportError::Truncated(why) => write!(f, "is truncated: {why}"),
            ImportError::OverBudget {
                needs,
                left,
                budget,
            } => write!(
                f,
                "needs {needs} bytes decoded, over the sample budget ({left} of {budget} bytes left)"
            ),
        }
    }
}

impl std::error::Error for ImportError {}
