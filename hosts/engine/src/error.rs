//! What can go wrong on the control side, as data.

use crate::source::LoadError;
use patchvm_ir::Diagnostics;
use std::fmt;

/// Why a control-side call changed nothing.
#[derive(Debug)]
pub enum EngineError {
    /// The patch, or the patch an edit would make, is invalid; the diagnostics say why.
    Invalid(Diagnostics),
    /// A patch file could not be read.
    Load(LoadError),
    /// An edit, undo or event needs a patch and none is loaded yet.
    NoPatch,
    /// A parameter event names an input that cannot take one.
    Param {
        /// The node id.
        node: String,
        /// The parameter name.
        param: String,
        /// Why not, in lowercase words.
        reason: String,
    },
    /// A transport command out of range (a tempo, a loop, a beat); why, in lowercase words.
    Transport(String),
    /// A scene to recall that the patch does not have; why, in lowercase words.
    Scene(String),
    /// Too many programs are waiting for the audio half: it is not running (or not calling
    /// `process`). Nothing was changed; try again once it runs.
    AudioHalfNotRunning,
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Invalid(diagnostics) => {
                write!(f, "the patch has {} problem(s)", diagnostics.len())?;
                if let Some(first) = diagnostics.first() {
                    write!(f, ": {}", first.message)?;
                }
                Ok(())
            }
            EngineError::Load(error) => error.fmt(f),
            EngineError::NoPatch => f.write_str("no patch is loaded"),
            EngineError::Param {
                node,
                param,
                reason,
            } => write!(f, "cannot set `{param}` of node `{node}`: {reason}"),
            EngineError::Transport(reason) => write!(f, "transport command refused: {reason}"),
            EngineError::Scene(reason) => write!(f, "cannot recall the scene: {reason}"),
            EngineError::AudioHalfNotRunning => {
                f.write_str("the audio half is not taking programs; is it running?")
            }
        }
    }
}

impl std::error::Error for EngineError {}

impl From<Diagnostics> for EngineError {
    fn from(diagnostics: Diagnostics) -> EngineError {
        EngineError::Invalid(diagnostics)
    }
}
