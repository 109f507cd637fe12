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
    /// A parameter event's value is not finite, or outside the input's range in the catalog
    /// (the range patch validation uses); nothing was queued.
    OutOfRange {
        /// The node id.
        node: String,
        /// The parameter name.
        param: String,
        /// The value refused.
        value: f32,
        /// The smallest value the input takes.
        min: f64,
        /// The largest value the input takes.
        max: f64,
        /// The input's unit symbol (`Hz`, `s`, `dB`), empty for unitless inputs.
        unit: &'static str,
    },
    /// The event queue to the audio half is full: this many events of the call were dropped
    /// (and counted in the metrics), the others queued.
    EventsDropped(usize),
    /// A transport command out of range (a tempo, a loop, a beat); why, in lowercase words.
    Transport(String),
    /// The queue of programs is full: `waiting` programs wait for the audio half to take
    /// them (it takes one per block, a structural edit's transition and program over two).
    /// Nothing was changed; try again once it has taken some. `started` says whether the
    /// audio half has rendered anything yet: if not, it is probably not running.
    Busy {
        /// Programs published and not yet taken.
        waiting: usize,
        /// Whether the audio half has rendered any frame.
        started: bool,
    },
    /// A scene to recall that the patch does not have; why, in lowercase words.
    Scene(String),
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
            EngineError::OutOfRange {
                node,
                param,
                value,
                min,
                max,
                unit,
            } => {
                let unit = match *unit {
                    "" => String::new(),
                    symbol => format!(" {symbol}"),
                };
                match value.is_finite() {
                    true => write!(
                        f,
                        "cannot set `{param}` of node `{node}` to {value}{unit}: \
                         outside its range {min}..={max}{unit}"
                    ),
                    false => write!(
                        f,
                        "cannot set `{param}` of node `{node}` to {value}: \
                         not a finite number; expected {min}..={max}{unit}"
                    ),
                }
            }
            EngineError::EventsDropped(dropped) => write!(
                f,
                "the event queue is full: {dropped} event(s) dropped; \
                 is the audio half running?"
            ),
            EngineError::Transport(reason) => write!(f, "transport command refused: {reason}"),
            EngineError::Scene(reason) => write!(f, "cannot recall the scene: {reason}"),
            EngineError::Busy {
                waiting,
                started: true,
            } => write!(
                f,
                "busy: {waiting} programs are waiting for the audio half to take them \
                 (one per block); nothing was changed, try again"
            ),
            EngineError::Busy {
                waiting,
                started: false,
            } => write!(
                f,
                "the audio half has not rendered anything yet and {waiting} programs are \
                 waiting for it; nothing was changed: is it running?"
            ),
        }
    }
}

impl std::error::Error for EngineError {}

impl From<Diagnostics> for EngineError {
    fn from(diagnostics: Diagnostics) -> EngineError {
        EngineError::Invalid(diagnostics)
    }
}
