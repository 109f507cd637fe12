//! Audio files from C: decoded into the engine's cache under an id that clips name
//! (`controller/files.rs`).

use crate::control::Failure;
use crate::status::{PVM_ERR_IO, PVM_ERR_JSON};
use crate::{PvmEngine, c_str, control};
use patchvm_engine::EngineError;
use std::ffi::c_char;

/// Decodes the audio file at `path` (WAV, AIFF, FLAC, MP3 or Ogg; relative to the working
/// directory, or absolute) at the engine's sample rate and keeps it under `file_id`, which
/// clips name as their `file`. Loading an id again replaces its file, and clips that named it
/// play the new one.
///
/// Returns [`PVM_OK`](crate::PVM_OK), [`PVM_ERR_NULL`](crate::PVM_ERR_NULL),
/// [`PVM_ERR_UTF8`](crate::PVM_ERR_UTF8), [`PVM_ERR_JSON`] (an empty `file_id`),
/// [`PVM_ERR_IO`] (missing, unreadable or not audio: the message names the file and why),
/// [`PVM_ERR_BUSY`](crate::PVM_ERR_BUSY) or [`PVM_ERR_PANIC`](crate::PVM_ERR_PANIC); the
/// files loaded before stay as they were on an error. Decodes on the calling thread.
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `file_id` and `path` are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_audio_file_load(
    engine: *mut PvmEngine,
    file_id: *const c_char,
    path: *const c_char,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let id = c_str(file_id, "file_id")?;
            let path = c_str(path, "path")?;
            if id.is_empty() {
                return Err(Failure::new(
                    PVM_ERR_JSON,
                    "`file_id` is empty; name the file",
                ));
            }
            match side.controller.load_audio_file(id, path) {
                Ok(_) => Ok(()),
                Err(EngineError::Invalid(problems)) => {
                    let message = problems
                        .iter()
                        .map(|problem| problem.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; ");
                    Err(Failure::new(PVM_ERR_IO, message))
                }
                Err(error) => Err(crate::payload::refusal(error)),
            }
        })
    }
}
