//! Commands carried out on the controller: edits through [`Controller::apply`], events
//! through its parameter and note calls.

use super::command::Command;
use super::describe::engine_error;
use crate::engine::{At, Controller};
use patchvm_ir::Edit;
use patchvm_vm::live::MetricsSnapshot;
use rosc::OscType;

/// What a command that succeeded asks to send back.
#[derive(Debug)]
pub(crate) enum Done {
    /// Nothing: edits and events succeed silently.
    Quietly,
    /// `/pong` with these arguments.
    Pong(Vec<OscType>),
    /// `/status` with these engine metrics (and the server's counters).
    Status(MetricsSnapshot),
}

/// Carries out `command` on `controller`. Events take effect `at` (from the bundle's time
/// tag, or why it cannot be used); edits take effect at the next block whatever the tag.
/// The error is the text of the `/error` reply.
pub(crate) fn apply(
    command: Command,
    controller: &mut Controller,
    at: Result<At, String>,
) -> Result<Done, String> {
    let edit = match command {
        Command::Load { patch, text } => {
            return controller
                .load_patch(patch)
                .map(|_| Done::Quietly)
                .map_err(|error| engine_error(&error, text.as_deref()));
        }
        Command::Add { id, module, params } => Edit::AddNode { id, module, params },
        Command::Remove { id } => Edit::RemoveNode { id },
        Command::Connect { from, to } => Edit::Connect { from, to },
        Command::Disconnect { from, to } => Edit::Disconnect { from, to },
        Command::SetInPatch { node, param, value } => Edit::SetParam { node, param, value },
        Command::SetParam { node, param, value } => {
            let queued = controller
                .set_param(&node, &param, value, at?)
                .map_err(|error| engine_error(&error, None))?;
            return if queued {
                Ok(Done::Quietly)
            } else {
                Err("the event queue is full; the event was dropped".into())
            };
        }
        Command::NoteOn { note, velocity } => {
            return controller
                .note_on(note, velocity, at?)
                .map(|()| Done::Quietly)
                .map_err(|error| engine_error(&error, None));
        }
        Command::NoteOff { note } => {
            return controller
                .note_off(note, at?)
                .map(|()| Done::Quietly)
                .map_err(|error| engine_error(&error, None));
        }
        Command::Undo => return history(controller.undo(), "undo"),
        Command::Redo => return history(controller.redo(), "redo"),
        Command::Ping(args) => return Ok(Done::Pong(args)),
        Command::Status => return Ok(Done::Status(controller.metrics())),
    };
    controller
        .apply(&edit)
        .map(|_| Done::Quietly)
        .map_err(|error| engine_error(&error, None))
}

fn history<T>(
    outcome: Result<Option<T>, crate::engine::EngineError>,
    what: &str,
) -> Result<Done, String> {
    match outcome {
        Ok(Some(_)) => Ok(Done::Quietly),
        Ok(None) => Err(format!("nothing to {what}")),
        Err(error) => Err(engine_error(&error, None)),
    }
}
