//! What can go wrong with a backend, as data.

use std::fmt;
use std::path::PathBuf;

/// Why a backend could not be opened, started or finished.
#[derive(Debug)]
pub enum BackendError {
    /// The WAV file could not be created or written.
    Wav(PathBuf, hound::Error),
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
            BackendError::Wav(path, error) => {
                write!(f, "cannot write `{}`: {error}", path.display())
            }
            BackendError::NoDevice(message)
            | BackendError::Device(message)
            | BackendError::Thread(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for BackendError {}
