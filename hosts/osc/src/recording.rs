//! Recording over OSC: `/record/start s(id) s(source) s(path)` starts recording `output` or
//! `input` into a WAV file and answers `/record/start s(id)`; `/record/stop s(id)` stops it,
//! waits for the take (milliseconds: a block and the ring's last drain) and answers
//! `/record/stop s(id) s(path) h(frames) d(seconds) h(frames lost) s(blake3)`. An illegal
//! transition (an id already recording or stopping, an unknown id), an unknown source or a
//! file that cannot be created answers `/error` (E0130's message).

use patchvm_engine::Controller;
use patchvm_engine::recorder::{RecordRequest, RecordSource};
use rosc::{OscMessage, OscType};

/// A recording command.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordCommand {
    /// `/record/start s(id) s(source) s(path)`.
    Start {
        /// The recording's id.
        id: String,
        /// `output` or `input`, as sent.
        source: String,
        /// The file, relative to the server's working directory.
        path: String,
    },
    /// `/record/stop s(id)`.
    Stop(String),
}

/// Carries out `command`: the answer, or the text of the `/error`.
pub(crate) fn apply(
    command: RecordCommand,
    controller: &mut Controller,
) -> Result<OscMessage, String> {
    match command {
        RecordCommand::Start { id, source, path } => {
            let Some(source) = RecordSource::parse(&source) else {
                return Err(format!(
                    "unknown recording source `{source}`; expected `output` or `input`"
                ));
            };
            controller
                .record_start(RecordRequest {
                    id: id.clone(),
                    source,
                    path: path.into(),
                    timeline: None,
                })
                .map_err(|error| error.to_string())?;
            Ok(OscMessage {
                addr: "/record/start".into(),
                args: vec![OscType::String(id)],
            })
        }
        RecordCommand::Stop(id) => {
            let take = controller
                .record_stop(&id)
                .map_err(|error| error.to_string())?;
            Ok(OscMessage {
                addr: "/record/stop".into(),
                args: vec![
                    OscType::String(take.id),
                    OscType::String(take.path.display().to_string()),
                    OscType::Long(take.frames as i64),
                    OscType::Double(take.seconds),
                    OscType::Long(take.frames_lost as i64),
                    OscType::String(take.hash),
                ],
            })
        }
    }
}

#[cfg(test)]
#[path = "recording_tests.rs"]
mod tests;
