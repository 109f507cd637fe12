//! What can go wrong with a backend, as data.

use std::fmt;
use std::path::PathBuf;

/// Why a backend could not be opened, started or finished.
#[derive(Debug)]
pub enum BackendError {
    /// The output file could not be created or written; the error is the file library's.
    File(PathBuf, Box<dyn std::error::Error + Send + Sync>),
    /// No sound card could be found or opened; the message says which and why.
    NoDevice(String),
    /// A device was found but refused the stream, or failed while it ran.
    Device(String),
    /// A thread of the backend could not be started, or ended in a panic.
    Thread(String),
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackendError::File(path, error) => {
                write!(f, "cannot write `{}`: {error}", path.display())
            }
            BackendError::NoDevice(message)
            | BackendError::Device(message)
            | BackendError::Thread(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for BackendError {}
