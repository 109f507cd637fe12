//! The master tempo from C: one tempo, or a tempo map of segments that step or ramp, which
//! the transport and every timeline follow (`controller/tempo.rs`).

use crate::control::Failure;
use crate::payload::{self, PVM_MAX_JSON_BYTES};
use crate::status::{PVM_ERR_JSON, PVM_ERR_RANGE};
use crate::{PvmEngine, control};
use patchvm_engine::ir::validate::transport::BPM;
use patchvm_engine::ir::{Span, TempoChange, TempoShape};
use std::ffi::c_char;

/// A tempo `what` in range, or why not.
fn bpm(bpm: f64, what: &str) -> Result<f64, Failure> {
    match BPM.contains(&bpm) {
        true => Ok(bpm),
        false => Err(Failure::new(
            PVM_ERR_RANGE,
            format!(
                "{what} {bpm} is out of range; expected {} to {} BPM",
                BPM.start(),
                BPM.end()
            ),
        )),
    }
}

/// Plays at `bpm` quarter notes per minute from now: the tempo map becomes that one tempo,
/// for the transport and every timeline (a clip at beat 4 at 120 BPM starts 2 s into its
/// timeline). A swap, like an edit: the patch's timelines carry on.
///
/// Returns [`PVM_OK`](crate::PVM_OK), [`PVM_ERR_RANGE`] (`bpm` not from 1 to 999),
/// [`PVM_ERR_NO_PATCH`](crate::PVM_ERR_NO_PATCH), [`PVM_ERR_BUSY`](crate::PVM_ERR_BUSY) or
/// [`PVM_ERR_PANIC`](crate::PVM_ERR_PANIC); nothing changes on an error.
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_engine_set_tempo(engine: *mut PvmEngine, bpm: f64) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let bpm = self::bpm(bpm, "`bpm`")?;
            side.controller
                .set_tempo_map(bpm, Vec::new())
                .map(drop)
                .map_err(payload::refusal)
        })
    }
}

/// Sets the tempo map from `json`, an array of segments in beat order:
/// `[{"beat": 0, "bpm": 120}, {"beat": 16, "bpm": 140, "ramp": true}]`. The first is at beat 0;
/// each later one's `beat` is greater than the one before; `bpm` is from 1 to 999; `ramp`
/// (default false) reaches the tempo linearly in time from the segment before, else it
/// steps there. The transport and every timeline follow it. A swap, like an edit.
///
/// Returns [`PVM_OK`](crate::PVM_OK), [`PVM_ERR_NULL`](crate::PVM_ERR_NULL),
/// [`PVM_ERR_UTF8`](crate::PVM_ERR_UTF8), [`PVM_ERR_TOO_LARGE`](crate::PVM_ERR_TOO_LARGE)
/// (over [`PVM_MAX_JSON_BYTES`]), [`PVM_ERR_JSON`] (the message names the segment and
/// field), [`PVM_ERR_RANGE`], [`PVM_ERR_NO_PATCH`](crate::PVM_ERR_NO_PATCH),
/// [`PVM_ERR_BUSY`](crate::PVM_ERR_BUSY) or [`PVM_ERR_PANIC`](crate::PVM_ERR_PANIC);
/// nothing changes on an error.
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `json` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_engine_set_tempo_segments(
    engine: *mut PvmEngine,
    json: *const c_char,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let text = payload::json_text(json, "json", PVM_MAX_JSON_BYTES)?;
            let (start, changes) = segments(&payload::parse(text, "json")?)?;
            side.controller
                .set_tempo_map(start, changes)
                .map(drop)
                .map_err(payload::refusal)
        })
    }
}

/// The tempo at beat 0 and the changes after it that `value` lists.
fn segments(value: &serde_json::Value) -> Result<(f64, Vec<TempoChange>), Failure> {
    let list = value
        .as_array()
        .ok_or_else(|| Failure::new(PVM_ERR_JSON, "the tempo segments are not a JSON array"))?;
    if list.is_empty() {
        return Err(Failure::new(
            PVM_ERR_JSON,
            "the tempo segments are empty; expected at least `{\"beat\": 0, \"bpm\": 120}`",
        ));
    }
    let mut start = 0.0;
    let mut changes = Vec::with_capacity(list.len() - 1);
    let mut previous = 0.0;
    for (index, segment) in list.iter().enumerate() {
        let what = format!("segment {index}");
        let map = payload::object(segment, &what)?;
        payload::known_keys(map, &what, &["beat", "bpm", "ramp"])?;
        let beat = payload::required(payload::number(map, "beat", &what)?, "beat", &what)?;
        let tempo = payload::required(payload::number(map, "bpm", &what)?, "bpm", &what)?;
        let tempo = bpm(tempo, &format!("`bpm` of {what}"))?;
        let ramp = match map.get("ramp") {
            None => false,
            Some(value) => value.as_bool().ok_or_else(|| {
                Failure::new(
                    PVM_ERR_JSON,
                    format!("`ramp` of {what} is not true or false: {value}"),
                )
            })?,
        };
        if index == 0 {
            if beat != 0.0 || ramp {
                return Err(Failure::new(
                    PVM_ERR_RANGE,
                    format!(
                        "segment 0 is at `beat` {beat}{}; the first segment is at beat 0 and does not ramp",
                        if ramp { " with `ramp`" } else { "" }
                    ),
                ));
            }
            start = tempo;
            continue;
        }
        if beat <= previous {
            return Err(Failure::new(
                PVM_ERR_RANGE,
                format!(
                    "`beat` {beat} of {what} does not come after beat {previous}; list segments at increasing beats"
                ),
            ));
        }
        previous = beat;
        changes.push(TempoChange {
            beat,
            bpm: tempo,
            shape: match ramp {
                true => TempoShape::Ramp,
                false => TempoShape::Step,
            },
            span: Span::NONE,
        });
    }
    Ok((start, changes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::PVM_ERR_JSON;
    use serde_json::json;

    #[test]
    fn segments_become_a_start_tempo_and_changes() {
        let (start, changes) = segments(&json!([
            {"beat": 0, "bpm": 120},
            {"beat": 16, "bpm": 140, "ramp": true},
            {"beat": 32, "bpm": 90}
        ]))
        .unwrap();
        assert_eq!(start, 120.0);
        let shapes: Vec<(f64, f64, TempoShape)> =
            changes.iter().map(|c| (c.beat, c.bpm, c.shape)).collect();
        assert_eq!(
            shapes,
            [
                (16.0, 140.0, TempoShape::Ramp),
                (32.0, 90.0, TempoShape::Step)
            ]
        );
    }

    #[test]
    fn each_bad_segment_is_named_by_index_and_field() {
        let cases = [
            (json!({"beat": 0}), PVM_ERR_JSON, "not a JSON array"),
            (json!([]), PVM_ERR_JSON, "empty"),
            (
                json!([{"beat": 0, "bpm": 120, "bmp": 1}]),
                PVM_ERR_JSON,
                "unknown field `bmp` in segment 0",
            ),
            (
                json!([{"bpm": 120}]),
                PVM_ERR_JSON,
                "segment 0 needs `beat`",
            ),
            (
                json!([{"beat": 0, "bpm": "fast"}]),
                PVM_ERR_JSON,
                "`bpm` of segment 0 is not a number",
            ),
            (
                json!([{"beat": 0, "bpm": 1200}]),
                PVM_ERR_RANGE,
                "`bpm` of segment 0 1200 is out of range; expected 1 to 999 BPM",
            ),
            (
                json!([{"beat": 2, "bpm": 120}]),
                PVM_ERR_RANGE,
                "segment 0 is at `beat` 2",
            ),
            (
                json!([{"beat": 0, "bpm": 120}, {"beat": 8, "bpm": 100, "ramp": 1}]),
                PVM_ERR_JSON,
                "`ramp` of segment 1",
            ),
            (
                json!([{"beat": 0, "bpm": 120}, {"beat": 8, "bpm": 100}, {"beat": 8, "bpm": 90}]),
                PVM_ERR_RANGE,
                "`beat` 8 of segment 2 does not come after beat 8",
            ),
        ];
        for (value, code, message) in cases {
            let failure = segments(&value).unwrap_err();
            assert_eq!(failure.code, code, "{value}: {}", failure.message);
            assert!(
                failure.message.contains(message),
                "{value}: {}",
                failure.message
            );
        }
    }
}
