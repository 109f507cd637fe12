//! Commands carried out on the controller: edits gathered in the datagram's [`Batch`],
//! events through the controller's parameter and note calls.

use super::batch::Batch;
use super::command::Command;
use super::describe::engine_error;
use super::presets;
use super::probes::{self, ProbeRequest};
use super::recording;
use super::session;
use super::timelines::{ClipEdit, TimelineAction};
use patchvm_engine::stream::SenderMetrics;
use patchvm_engine::vm::TransportCommand;
use patchvm_engine::{At, Controller};
use patchvm_engine::{EngineError, MetricsSnapshot, Snapshot};
use patchvm_ir::Patch;
use rosc::{OscMessage, OscType};

/// What a command that succeeded asks to send back.
#[derive(Debug)]
pub(crate) enum Done {
    /// Nothing: events succeed silently.
    Quietly,
    /// An edit, held in the batch: counted and answered once the batch is played.
    Batched,
    /// `/pong` with these arguments.
    Pong(Vec<OscType>),
    /// `/status` with these engine metrics, the note sender's if one plays the engine's note
    /// streams (and the server's counters), and the count of faults of each node that had
    /// any.
    Status(MetricsSnapshot, Option<SenderMetrics>, Vec<(String, u64)>),
    /// A snapshot to write to this path once the controller's lock is released.
    Snapshot(Box<Snapshot>, String),
    /// A probe subscription for the server's thread to serve to the sender.
    Probe(ProbeRequest),
    /// `/patch/get` with the patch playing as text.
    PatchText(String),
    /// The patch playing, to write to this path once the controller's lock is released.
    SavePatch(Box<Patch>, String),
    /// This answer.
    Answer(OscMessage),
}

/// Carries out `command`, sent to `address`, on `controller`. Events take effect `at` (from
/// the bundle's time tag, or why it cannot be used); edits go into `batch`, played when the
/// caller plays it, whatever the tag. The caller plays the batch before any command that is
/// not an edit ([`Command::is_edit`]). The error is the text of the `/error` reply.
pub(crate) fn apply(
    command: Command,
    address: &str,
    controller: &mut Controller,
    at: Result<At, String>,
    batch: &mut Batch,
) -> Result<Done, String> {
    let (edit, text) = match command {
        Command::Edit { edit, text } => (*edit, text),
        Command::SetParam { node, param, value } => {
            let queued = controller
                .set_param(&node, &param, value, at?)
                .map_err(|error| engine_error(&error, None))?;
            return queued_or_dropped(queued);
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
        Command::Transport(command) => {
            let at = at?;
            // A tempo without a time tag waits for the next beat; with one, it is exact.
            let command = match command {
                TransportCommand::Tempo { bpm, .. } => TransportCommand::Tempo {
                    bpm,
                    next_beat: at == At::Now,
                },
                other => other,
            };
            let queued = controller
                .transport(command, at)
                .map_err(|error| engine_error(&error, None))?;
            return queued_or_dropped(queued);
        }
        Command::Tap => {
            return controller
                .tap(at?)
                .map(|_| Done::Quietly)
                .map_err(|error| engine_error(&error, None));
        }
        Command::RecallScene { name, at } => {
            return controller
                .recall_scene(&name, at)
                .map(|_| Done::Quietly)
                .map_err(|error| engine_error(&error, None));
        }
        Command::Snapshot { path } => {
            return controller
                .snapshot()
                .map(|snapshot| Done::Snapshot(Box::new(snapshot), path))
                .map_err(|error| engine_error(&error, None));
        }
        Command::GetPatch => return session::patch_text(controller).map(Done::PatchText),
        Command::SavePatch { path } => {
            return session::patch_to_save(controller).map(|patch| Done::SavePatch(patch, path));
        }
        Command::Fade { ms } => {
            return controller
                .set_fade(ms)
                .map(|()| Done::Quietly)
                .map_err(|error| engine_error(&error, None));
        }
        Command::TailMax { seconds } => {
            return controller
                .set_tail_max(seconds)
                .map(|()| Done::Quietly)
                .map_err(|error| engine_error(&error, None));
        }
        Command::Preset(command) => return presets::apply(command, controller).map(Done::Answer),
        Command::Probe(command) => return probes::apply(command, controller),
        Command::Record(command) => {
            return recording::apply(command, controller).map(Done::Answer);
        }
        Command::Hush => return queued_or_dropped(controller.hush()),
        Command::Timeline { name, action } => {
            let at = at?;
            return match action {
                TimelineAction::Play(beat) => controller.timeline_play(&name, beat, at),
                TimelineAction::Stop => controller.timeline_stop(&name, at),
                TimelineAction::Seek(beat) => controller.timeline_seek(&name, beat, at),
            }
            .map(|()| Done::Quietly)
            .map_err(|error| engine_error(&error, None));
        }
        Command::Clip { timeline, edit } => {
            return match edit {
                ClipEdit::Add(clip) => controller.clip_add(&timeline, *clip),
                ClipEdit::Update(clip) => controller.clip_update(&timeline, *clip),
                ClipEdit::Remove(id) => controller.clip_remove(&timeline, &id),
            }
            .map(|_| Done::Quietly)
            .map_err(|error| engine_error(&error, None));
        }
        Command::Undo => return history(controller.undo(), "undo"),
        Command::Redo => return history(controller.redo(), "redo"),
        Command::Ping(args) => return Ok(Done::Pong(args)),
        Command::Status => {
            let faults = controller
                .faults()
                .into_iter()
                .map(|(node, faults)| (node.to_string(), faults.count))
                .collect();
            return Ok(Done::Status(
                controller.metrics(),
                controller.note_metrics(),
                faults,
            ));
        }
    };
    batch
        .add(edit, text, address, controller)
        .map(|()| Done::Batched)
}

/// Success, or the reply for an event the full queue dropped.
fn queued_or_dropped(queued: bool) -> Result<Done, String> {
    if queued {
        Ok(Done::Quietly)
    } else {
        Err(EngineError::EventsDropped(1).to_string())
    }
}

fn history<T>(outcome: Result<Option<T>, EngineError>, what: &str) -> Result<Done, String> {
    match outcome {
        Ok(Some(_)) => Ok(Done::Quietly),
        Ok(None) => Err(format!("nothing to {what}")),
        Err(error) => Err(engine_error(&error, None)),
    }
}
