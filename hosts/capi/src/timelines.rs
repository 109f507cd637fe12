//! Timelines from C: play, stop and seek on the next block's first sample, and clips added,
//! updated and removed by the JSON map of issue 17 (`file` is an id given to
//! `pvm_audio_file_load`; `position` in beats, `offset` and `length` in seconds, `gain` in
//! dB). Each call is checked whole before the engine is touched, so a refusal changes nothing.

use crate::control::{Failure, PoisonableController};
use crate::payload::{self, PVM_MAX_JSON_BYTES};
use crate::status::{PVM_ERR_JSON, PVM_ERR_NOT_FOUND, PVM_ERR_RANGE};
use crate::{PvmEngine, c_str, control};
use patchvm_engine::ir::timelines::{CLIP_KEYS, Clip};
use patchvm_engine::{At, clip_from_json};
use serde_json::{Map, Value};
use std::ffi::c_char;

/// Plays timeline `timeline` from the audio side's next block: from `beat` (0 or more) of its
/// tempo map, or, if `beat` is NaN, from where it stopped. A patch whose routing has no
/// `timeline` node plays every timeline to the output.
///
/// Returns [`PVM_OK`](crate::PVM_OK), [`PVM_ERR_NULL`](crate::PVM_ERR_NULL),
/// [`PVM_ERR_UTF8`](crate::PVM_ERR_UTF8), [`PVM_ERR_RANGE`] (`beat` negative or infinite),
/// [`PVM_ERR_NOT_FOUND`] (no such timeline, or no `timeline` node plays it),
/// [`PVM_ERR_NO_PATCH`](crate::PVM_ERR_NO_PATCH),
/// [`PVM_ERR_QUEUE_FULL`](crate::PVM_ERR_QUEUE_FULL) or [`PVM_ERR_PANIC`](crate::PVM_ERR_PANIC).
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `timeline` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_timeline_play(
    engine: *mut PvmEngine,
    timeline: *const c_char,
    beat: f64,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let name = c_str(timeline, "timeline")?;
            let from = match beat.is_nan() {
                true => None,
                false => Some(checked_beat(beat)?),
            };
            side.controller
                .timeline_play(name, from, At::Now)
                .map_err(payload::refusal)?;
            let now = side.controller.time();
            side.playheads.play(name, from, now, &side.controller);
            Ok(())
        })
    }
}

/// Stops timeline `timeline` on the audio side's next block; its sounding clips fade out over
/// 2 ms. Returns like [`pvm_timeline_play`].
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `timeline` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_timeline_stop(engine: *mut PvmEngine, timeline: *const c_char) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let name = c_str(timeline, "timeline")?;
            side.controller
                .timeline_stop(name, At::Now)
                .map_err(payload::refusal)?;
            let now = side.controller.time();
            side.playheads.stop(name, now, &side.controller);
            Ok(())
        })
    }
}

/// Moves timeline `timeline`'s playhead to `beat` (0 or more) of its tempo map on the audio
/// side's next block, playing or not. Returns like [`pvm_timeline_play`].
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `timeline` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_timeline_seek(
    engine: *mut PvmEngine,
    timeline: *const c_char,
    beat: f64,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let name = c_str(timeline, "timeline")?;
            let beat = checked_beat(beat)?;
            side.controller
                .timeline_seek(name, beat, At::Now)
                .map_err(payload::refusal)?;
            let now = side.controller.time();
            side.playheads.seek(name, beat, now);
            Ok(())
        })
    }
}

fn checked_beat(beat: f64) -> Result<f64, Failure> {
    match beat.is_finite() && beat >= 0.0 {
        true => Ok(beat),
        false => Err(Failure::new(
            PVM_ERR_RANGE,
            format!("`beat` {beat} is out of range; expected a finite beat from 0"),
        )),
    }
}

/// Adds a clip to timeline `timeline` from `clip_json`:
/// `{"id": "c1", "file": "kick", "position": 4, "offset": 0.5, "length": 2, "gain": -6,
/// "pan": 0.25, "loop": false, "stretch": 1, "pitch": 0}` — `id` (new on the timeline) and
/// `file` (an id given to [`pvm_audio_file_load`](crate::pvm_audio_file_load)) required;
/// `position` in beats of the timeline's tempo map (or `seconds`), `offset` and `length` in
/// seconds, `gain` in dB (-120 to 24), `pan` -1 to 1, `fade_in`/`fade_out` in seconds,
/// `follow` as in a patch. Plays from the audio side's next block; the timeline's other
/// clips carry on.
///
/// Returns [`PVM_OK`](crate::PVM_OK), [`PVM_ERR_NULL`](crate::PVM_ERR_NULL),
/// [`PVM_ERR_UTF8`](crate::PVM_ERR_UTF8), [`PVM_ERR_TOO_LARGE`](crate::PVM_ERR_TOO_LARGE),
/// [`PVM_ERR_JSON`] (the message names the field), [`PVM_ERR_NOT_FOUND`] (the timeline or
/// the file), [`PVM_ERR_RANGE`] (a value out of range, or an id taken; the message names it),
/// [`PVM_ERR_NO_PATCH`](crate::PVM_ERR_NO_PATCH), [`PVM_ERR_BUSY`](crate::PVM_ERR_BUSY) or
/// [`PVM_ERR_PANIC`](crate::PVM_ERR_PANIC); nothing changes on an error.
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `timeline` and `clip_json` are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_clip_add(
    engine: *mut PvmEngine,
    timeline: *const c_char,
    clip_json: *const c_char,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let name = c_str(timeline, "timeline")?;
            let text = payload::json_text(clip_json, "clip_json", PVM_MAX_JSON_BYTES)?;
            let map = clip_map(text)?;
            payload::required(map.get("file"), "file", "the clip")?;
            let clip = clip(side, map)?;
            side.controller
                .clip_add(name, clip)
                .map(drop)
                .map_err(payload::refusal)
        })
    }
}

/// Changes the fields `clip_json` gives (any subset of [`pvm_clip_add`]'s; `id`, if given,
/// must be `clip_id`) of clip `clip_id`, on whichever timeline holds it; the other fields
/// keep their values. Returns like [`pvm_clip_add`]; [`PVM_ERR_NOT_FOUND`] also when no
/// timeline holds the clip, and [`PVM_ERR_JSON`] when several do (remove it from one first).
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `clip_id` and `clip_json` are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_clip_update(
    engine: *mut PvmEngine,
    clip_id: *const c_char,
    clip_json: *const c_char,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let id = c_str(clip_id, "clip_id")?;
            let text = payload::json_text(clip_json, "clip_json", PVM_MAX_JSON_BYTES)?;
            let mut map = clip_map(text)?;
            let (timeline, old) = holder(side, id)?;
            match map.get("id") {
                Some(given) if given.as_str() != Some(id) => {
                    return Err(Failure::new(
                        PVM_ERR_JSON,
                        format!(
                            "`id` {given} of the update is not `{id}`; an update cannot rename a clip"
                        ),
                    ));
                }
                _ => {}
            }
            let given: Vec<String> = map.keys().cloned().collect();
            map.insert("id".into(), Value::from(id));
            let keeps_file = !map.contains_key("file");
            let parsed = match keeps_file {
                // The file as it is: a path, which `clip` would not find among the ids.
                true => {
                    map.insert("file".into(), Value::from(old.file.text.clone()));
                    clip_from_json(&Value::Object(map).to_string()).map_err(json_refusal)?
                }
                false => clip(side, map)?,
            };
            let merged = merge(old, &parsed, &given);
            side.controller
                .clip_update(&timeline, merged)
                .map(drop)
                .map_err(payload::refusal)
        })
    }
}

/// Removes clip `clip_id` from timeline `timeline`; if it is sounding it fades out over 2 ms.
///
/// Returns [`PVM_OK`](crate::PVM_OK), [`PVM_ERR_NULL`](crate::PVM_ERR_NULL),
/// [`PVM_ERR_UTF8`](crate::PVM_ERR_UTF8), [`PVM_ERR_NOT_FOUND`] (no such timeline or clip),
/// [`PVM_ERR_NO_PATCH`](crate::PVM_ERR_NO_PATCH), [`PVM_ERR_BUSY`](crate::PVM_ERR_BUSY) or
/// [`PVM_ERR_PANIC`](crate::PVM_ERR_PANIC).
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `timeline` and `clip_id` are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_clip_remove(
    engine: *mut PvmEngine,
    timeline: *const c_char,
    clip_id: *const c_char,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let name = c_str(timeline, "timeline")?;
            let id = c_str(clip_id, "clip_id")?;
            side.controller
                .clip_remove(name, id)
                .map(drop)
                .map_err(payload::refusal)
        })
    }
}

/// `text` as a JSON object of clip keys.
fn clip_map(text: &str) -> Result<Map<String, Value>, Failure> {
    let value = payload::parse(text, "clip_json")?;
    let map = payload::object(&value, "clip_json")?;
    payload::known_keys(map, "the clip", &CLIP_KEYS)?;
    Ok(map.clone())
}

/// The clip `map` describes, its `file` id made the loaded file's path.
fn clip(side: &PoisonableController, mut map: Map<String, Value>) -> Result<Clip, Failure> {
    if let Some(file) = map.get("file") {
        let id = file.as_str().ok_or_else(|| {
            Failure::new(
                PVM_ERR_JSON,
                format!("`file` of the clip is not a string: {file}"),
            )
        })?;
        let loaded = side.controller.loaded_file(id).ok_or_else(|| {
            let ids = side.controller.loaded_files().iter().map(|f| f.id.as_str());
            Failure::new(
                PVM_ERR_NOT_FOUND,
                format!(
                    "no audio file `{id}`; {} (load one with pvm_audio_file_load)",
                    payload::one_of(ids)
                ),
            )
        })?;
        map.insert("file".into(), Value::from(loaded.path_text()));
    }
    clip_from_json(&Value::Object(map).to_string()).map_err(json_refusal)
}

/// A clip's shape refused by its reader (E0123): the message names the key.
fn json_refusal(error: patchvm_engine::EngineError) -> Failure {
    let Failure { message, .. } = payload::refusal(error);
    Failure::new(PVM_ERR_JSON, message)
}

/// The timeline holding clip `id`, and the clip; one timeline only.
fn holder(side: &PoisonableController, id: &str) -> Result<(String, Clip), Failure> {
    let patch = side
        .controller
        .patch()
        .ok_or_else(|| Failure::new(crate::PVM_ERR_NO_PATCH, "no patch is loaded"))?;
    let mut holders = patch
        .timelines
        .iter()
        .filter_map(|t| Some((t.name.text.clone(), t.clip(id)?.clone())));
    let Some(found) = holders.next() else {
        let ids = patch
            .timelines
            .iter()
            .flat_map(|t| t.clips.iter().map(|clip| clip.id.text.as_str()));
        return Err(Failure::new(
            PVM_ERR_NOT_FOUND,
            format!("no clip `{id}` on any timeline; {}", payload::one_of(ids)),
        ));
    };
    if let Some((other, _)) = holders.next() {
        return Err(Failure::new(
            PVM_ERR_JSON,
            format!(
                "clip `{id}` is on timelines `{}` and `{other}`; remove it from one and add it again",
                found.0
            ),
        ));
    }
    Ok(found)
}

/// `old` with the fields named in `given` taken from `parsed`.
fn merge(mut old: Clip, parsed: &Clip, given: &[String]) -> Clip {
    for key in given {
        match key.as_str() {
            "file" => old.file = parsed.file.clone(),
            "position" | "seconds" => old.position = parsed.position,
            "offset" => old.offset = parsed.offset,
            "length" => old.length = parsed.length,
            "gain" => old.gain = parsed.gain,
            "pan" => old.pan = parsed.pan,
            "fade_in" => old.fade_in = parsed.fade_in,
            "fade_out" => old.fade_out = parsed.fade_out,
            "loop" => old.looping = parsed.looping,
            "stretch" => old.stretch = parsed.stretch,
            "pitch" => old.pitch = parsed.pitch,
            "follow" => old.follow = parsed.follow.clone(),
            _ => {}
        }
    }
    old
}

#[cfg(test)]
mod tests {
    use super::*;
    use patchvm_engine::ir::timelines::Position;

    #[test]
    fn an_update_changes_only_the_fields_it_gives() {
        let mut old = Clip::new("c1", "/k.wav", 4.0);
        old.gain = -6.0;
        old.pan = 0.5;
        let parsed =
            clip_from_json(r#"{"id": "c1", "file": "/k.wav", "seconds": 1.5, "pan": -1}"#).unwrap();
        let merged = merge(old, &parsed, &["seconds".into(), "pan".into()]);
        assert_eq!(merged.position, Position::Seconds(1.5));
        assert_eq!((merged.gain, merged.pan), (-6.0, -1.0));
        assert_eq!(merged.file.text, "/k.wav");
    }

    #[test]
    fn a_clip_map_refuses_unknown_keys_and_other_shapes() {
        let failure = clip_map(r#"{"id": "c1", "fiel": "k"}"#).unwrap_err();
        assert_eq!(failure.code, PVM_ERR_JSON);
        assert!(
            failure
                .message
                .starts_with("unknown field `fiel` in the clip"),
            "{}",
            failure.message
        );
        assert_eq!(clip_map("[1]").unwrap_err().code, PVM_ERR_JSON);
        assert_eq!(clip_map("{").unwrap_err().code, PVM_ERR_JSON);
    }
}
