//! `play --record OUT.wav`: the output recorded while it plays (on a sound card or into
//! `--to`), by the engine's recorder: a 32-bit float WAV whose header is kept up to date, so
//! a session killed mid-take leaves a file that reads complete but for its last half second.
//! Every recording still running when the session ends (OSC `/record/start` ones included)
//! is stopped and reported.

use crate::failure::Failure;
use patchvm::Controller;
use patchvm::engine::recorder::{RecordRequest, RecordSource};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

/// The id `--record`'s take has (OSC `/record/stop play` ends it early).
pub const PLAY_TAKE: &str = "play";

/// `--record`.
#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// Record the output while it plays into this WAV file (32-bit float; RF64 past 4 GiB),
    /// from the first sample; its header is kept up to date, so a killed session leaves a
    /// readable file.
    #[arg(long, value_name = "OUT.wav")]
    record: Option<PathBuf>,
}

impl RecordArgs {
    /// Starts recording if asked: before the first block, so from sample 0.
    pub fn start(&self, controller: &mut Controller) -> Result<(), Failure> {
        let Some(path) = &self.record else {
            return Ok(());
        };
        controller
            .record_start(RecordRequest {
                id: PLAY_TAKE.into(),
                source: RecordSource::Output,
                path: path.clone(),
                timeline: None,
            })
            .map_err(|error| Failure::File(format!("--record: {error}")))
    }
}

/// Stops every recording still running, once the stream has stopped (its last frame is the
/// take's), and prints each take.
pub fn stop_all(controller: &Mutex<Controller>) {
    let mut controller = controller.lock().unwrap_or_else(PoisonError::into_inner);
    for running in controller.recorder_state() {
        match controller.record_stop(&running.id) {
            Ok(take) => eprintln!(
                "recorded `{}`: {} frames ({:.3} s), {} lost, blake3 {}",
                take.path.display(),
                take.frames,
                take.seconds,
                take.frames_lost,
                take.hash
            ),
            Err(error) => eprintln!("error: {error}"),
        }
    }
}
