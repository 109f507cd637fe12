//! Recording from C (`pvm_record_start`, `pvm_record_stop`, `pvm_record_take_json`) over the
//! engine's recorder (`controller/recording.rs`). A C host usually renders blocks itself, often
//! on the thread that makes control calls, so stopping never waits for the audio side: the
//! take is collected by whichever control call runs after the audio side let go of it
//! ([`collect`]), then shows in `pvm_engine_state_json`'s `recordings` and in
//! `pvm_record_take_json`. A take whose request named a `timeline` is placed on it as a clip.

use crate::control::{Failure, PoisonableController};
use crate::payload::{self, PVM_MAX_JSON_BYTES};
use crate::status::{PVM_ERR_IO, PVM_ERR_JSON, PVM_ERR_NOT_FOUND, PVM_ERR_STATE};
use crate::{PvmEngine, c_str, control, with_control};
use patchvm_engine::clip_from_json;
use patchvm_engine::recorder::{RecordRequest, RecordState, Take};
use serde_json::{Value, json};
use std::ffi::{CString, c_char};

/// The takes this ABI collected, in the order they finished, with the text
/// `pvm_record_take_json` returned last.
#[derive(Debug, Default)]
pub(crate) struct Takes {
    /// Each take, with why it could not be placed on its timeline (if it could not).
    finished: Vec<(Take, Option<String>)>,
    /// Messages of recordings that ended without a take (their file could not be written).
    failed: Vec<String>,
    /// The text `pvm_record_take_json` returned last.
    text: CString,
}

/// Collects the takes the recorder finished since the last control call: each becomes an
/// audio file under its id (so clips may name it) and, if its request named a timeline, a
/// clip there. Called by every control call.
pub(crate) fn collect(side: &mut PoisonableController) {
    for take in side.controller.take_recordings() {
        match take {
            Ok(take) => {
                let placed = place(side, &take).err();
                side.takes.finished.retain(|(old, _)| old.id != take.id);
                side.takes.finished.push((take, placed));
            }
            Err(error) => side.takes.failed.push(error.message().to_owned()),
        }
    }
}

/// Loads `take` under its id and puts it on its timeline as clip `take.id` at the beat the
/// timeline's playhead stood on at `take.placed_at`.
fn place(side: &mut PoisonableController, take: &Take) -> Result<(), String> {
    let path = take.path.to_string_lossy().into_owned();
    let file = side
        .controller
        .load_audio_file(&take.id, &path)
        .map_err(|error| error.to_string())?
        .path_text();
    let Some(timeline) = &take.timeline else {
        return Ok(());
    };
    let beat = side
        .playheads
        .beat_at(timeline, take.placed_at, &side.controller);
    let clip = json!({"id": take.id, "file": file, "position": beat}).to_string();
    let clip = clip_from_json(&clip).map_err(|error| error.to_string())?;
    side.controller
        .clip_add(timeline, clip)
        .map(drop)
        .map_err(|error| payload::refusal(error).message)
}

/// A take as JSON: `id`, `path`, `frames`, `seconds`, `frames_lost`, `hash` (BLAKE3, hex),
/// `channels`, `start_sample`, `placed_at` (engine samples), `timeline` and, when placing it
/// there failed, `place_error`.
fn take_json(take: &Take, placed: &Option<String>) -> Value {
    let mut value = json!({
        "id": take.id,
        "path": take.path.to_string_lossy(),
        "frames": take.frames,
        "seconds": take.seconds,
        "frames_lost": take.frames_lost,
        "hash": take.hash,
        "channels": take.channels,
        "start_sample": take.start_sample,
        "placed_at": take.placed_at,
        "timeline": take.timeline,
    });
    if let Some(why) = placed {
        value["place_error"] = json!(why);
    }
    value
}

/// The finished takes, for the state's `recordings`.
pub(crate) fn recordings_json(side: &PoisonableController) -> Value {
    side.takes
        .finished
        .iter()
        .map(|(take, placed)| take_json(take, placed))
        .collect()
}

/// The recorder for the state's `recorder`: `{"recordings": [{"id", "path", "state"
/// ("arming", "recording" or "stopping"), "frames", "frames_lost"}], "errors": [messages of
/// recordings that ended without a take]}`.
pub(crate) fn recorder_json(side: &PoisonableController) -> Value {
    let running: Vec<Value> = side
        .controller
        .recorder_state()
        .iter()
        .map(|status| {
            json!({
                "id": status.id,
                "path": status.path.to_string_lossy(),
                "state": state_name(status.state),
                "frames": status.frames,
                "frames_lost": status.frames_lost,
            })
        })
        .collect();
    json!({"recordings": running, "errors": side.takes.failed})
}

fn state_name(state: RecordState) -> &'static str {
    match state {
        RecordState::Arming => "arming",
        RecordState::Recording => "recording",
        RecordState::Stopping => "stopping",
    }
}

/// The running recording `id`'s state, if it runs.
fn running(side: &PoisonableController, id: &str) -> Option<RecordState> {
    side.controller
        .recorder_state()
        .iter()
        .find(|status| status.id == id)
        .map(|status| status.state)
}

/// Starts a recording from `record_json`: `{"id": "take1", "source": "input", "path":
/// "take1.wav", "timeline": "main"}` — `source` is `output` (what `pvm_engine_process` writes)
/// or `input` (what it reads); `path` a WAV file to write (32-bit float; RF64 past 4 GiB),
/// relative to the working directory; `timeline` (optional) a timeline the finished take is
/// placed on as clip `id`, file `id`, at the beat the timeline's playhead (as this ABI's
/// play, stop and seek calls moved it, by its tempo map) stood on at the take's first sample
/// less the latency; where the timeline was stopped, the beat it stood on. Records from the
/// next block `pvm_engine_process` renders. An id used by an earlier, finished take may be
/// used again: the new take replaces it.
///
/// Returns [`PVM_OK`](crate::PVM_OK), [`PVM_ERR_NULL`](crate::PVM_ERR_NULL),
/// [`PVM_ERR_UTF8`](crate::PVM_ERR_UTF8), [`PVM_ERR_TOO_LARGE`](crate::PVM_ERR_TOO_LARGE),
/// [`PVM_ERR_JSON`] (the message names the field), [`PVM_ERR_NOT_FOUND`] (no such timeline),
/// [`PVM_ERR_STATE`] (`id` is already arming, recording or stopping, or too many recordings
/// run), [`PVM_ERR_IO`] (the file cannot be created), [`PVM_ERR_BUSY`](crate::PVM_ERR_BUSY)
/// or [`PVM_ERR_PANIC`](crate::PVM_ERR_PANIC); nothing starts on an error.
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `record_json` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_record_start(
    engine: *mut PvmEngine,
    record_json: *const c_char,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let text = payload::json_text(record_json, "record_json", PVM_MAX_JSON_BYTES)?;
            payload::parse(text, "record_json")?;
            let request = RecordRequest::from_json(text)
                .map_err(|error| Failure::new(PVM_ERR_JSON, error.message()))?;
            if request.id.is_empty() {
                return Err(Failure::new(
                    PVM_ERR_JSON,
                    "`id` of the recording is empty; name it, such as `take1`",
                ));
            }
            if let Some(state) = running(side, &request.id) {
                return Err(Failure::new(
                    PVM_ERR_STATE,
                    format!(
                        "recording `{}` is already {}; stop it first, or give `id` another name",
                        request.id,
                        state_name(state)
                    ),
                ));
            }
            if let Some(timeline) = &request.timeline {
                let names = side
                    .controller
                    .patch()
                    .map(|patch| patch.timelines.as_slice())
                    .unwrap_or_default();
                if !names.iter().any(|t| &t.name.text == timeline) {
                    return Err(Failure::new(
                        PVM_ERR_NOT_FOUND,
                        format!(
                            "`timeline` names no timeline `{timeline}`; {}",
                            payload::one_of(names.iter().map(|t| t.name.text.as_str()))
                        ),
                    ));
                }
            }
            let id = request.id.clone();
            side.controller.record_start(request).map_err(|error| {
                let code = if error.message().starts_with("cannot create") {
                    PVM_ERR_IO
                } else {
                    PVM_ERR_STATE
                };
                Failure::new(code, error.message())
            })?;
            side.takes.finished.retain(|(take, _)| take.id != id);
            Ok(())
        })
    }
}

/// Asks the audio side to stop recording `id` and returns at once, never waiting for it: the
/// take is finished once `pvm_engine_process` has rendered a block and the writer has closed
/// the file; a later control call collects it, and it shows in `pvm_engine_state_json`'s
/// `recordings` and in [`pvm_record_take_json`]. Until then the recording is `stopping`.
///
/// Returns [`PVM_OK`](crate::PVM_OK), [`PVM_ERR_NULL`](crate::PVM_ERR_NULL),
/// [`PVM_ERR_UTF8`](crate::PVM_ERR_UTF8), [`PVM_ERR_STATE`] (no recording `id` runs, or it
/// is already stopping: the message lists those running), or
/// [`PVM_ERR_PANIC`](crate::PVM_ERR_PANIC); nothing changes on an error.
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `id` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_record_stop(engine: *mut PvmEngine, id: *const c_char) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let id = c_str(id, "id")?;
            side.controller.record_stop_begin(id).map_err(|error| {
                let hint = error.0.hint.clone().unwrap_or_default();
                Failure::new(PVM_ERR_STATE, format!("{}; {hint}", error.message()))
            })
        })
    }
}

/// The take of recording `id` as JSON once it is finished: `{"id", "path", "frames",
/// "seconds", "frames_lost", "hash" (BLAKE3 of the file, hex), "channels", "start_sample"
/// (the engine sample of its first frame), "placed_at" (that less the latency for a take of
/// the input), "timeline", "place_error" (only when placing it on its timeline failed)}`.
///
/// Returns NULL, with a message from [`pvm_engine_last_error`](crate::pvm_engine_last_error),
/// while `id` is still arming, recording or stopping, when no take has that id, or for a NULL
/// or non-UTF-8 `id`, a NULL or freed `engine` or a control call running. The string is owned
/// by the engine and valid until the next call of this function on it (or
/// [`pvm_engine_free`](crate::pvm_engine_free)).
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `id` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_record_take_json(
    engine: *mut PvmEngine,
    id: *const c_char,
) -> *const c_char {
    // SAFETY: forwarded from the contract.
    let made = unsafe {
        with_control(engine, |side| {
            let code = side.run(|side| {
                // SAFETY: from the contract.
                let id = c_str(id, "id")?;
                if let Some((take, placed)) =
                    side.takes.finished.iter().find(|(take, _)| take.id == id)
                {
                    let text = take_json(take, placed).to_string();
                    side.takes.text = CString::new(text).unwrap_or_default();
                    return Ok(());
                }
                Err(match running(side, id) {
                    Some(state) => Failure::new(
                        PVM_ERR_STATE,
                        format!(
                            "recording `{id}` is {}; its take comes once it has stopped and a block has been processed",
                            state_name(state)
                        ),
                    ),
                    None => Failure::new(
                        PVM_ERR_NOT_FOUND,
                        format!(
                            "no take `{id}`; {}",
                            payload::one_of(
                                side.takes.finished.iter().map(|(take, _)| take.id.as_str())
                            )
                        ),
                    ),
                })
            });
            (code == crate::PVM_OK).then(|| side.takes.text.as_ptr())
        })
    };
    made.ok().flatten().unwrap_or(std::ptr::null())
}
