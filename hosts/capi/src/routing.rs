//! The routing graph from C: a patch in JSON form set whole, or edited by a JSON list of edits
//! that maps one to one onto the engine's edits ([`Edit`]) and lands as one swap.
//!
//! The edits, in order:
//!
//! ```json
//! [{"op": "add", "id": "lp", "module": "filter.lowpass", "params": {"cutoff": 800}},
//!  {"op": "connect", "from": ["in", "out"], "to": ["lp", "in"]},
//!  {"op": "disconnect", "from": ["in", "out"], "to": ["out", "in"]},
//!  {"op": "set", "node": "lp", "param": "cutoff", "value": 1200},
//!  {"op": "set", "node": "seq", "param": "pattern", "text": "c e g"},
//!  {"op": "remove", "id": "lp"}]
//! ```

use crate::control::{Failure, engine_failure};
use crate::payload::{self, PVM_MAX_JSON_BYTES};
use crate::status::{PVM_ERR_JSON, PVM_ERR_TOO_LARGE};
use crate::{PVM_MAX_SOURCE_BYTES, PvmEngine, control};
use patchvm_engine::EngineError;
use patchvm_engine::ir::{Edit, Format};
use patchvm_engine::source::SourceFile;
use serde_json::{Map, Value};
use std::ffi::c_char;
use std::path::PathBuf;

/// Plays the routing patch `patch_json` (the JSON form of a patch) in place of the one
/// playing. Sections it leaves out — `timelines`, `transport`, `samples` — are kept from the
/// patch playing, so clips already placed stay. Without a `timeline` node every timeline plays
/// to the `output` node (one is added if there is none); with one, only the timelines
/// `timeline` nodes name play, where they are connected. Nodes whose id and module survive
/// keep their state; changed connections crossfade.
///
/// Returns [`PVM_OK`](crate::PVM_OK), [`PVM_ERR_NULL`](crate::PVM_ERR_NULL),
/// [`PVM_ERR_UTF8`](crate::PVM_ERR_UTF8), [`PVM_ERR_TOO_LARGE`] (over
/// [`PVM_MAX_SOURCE_BYTES`]), [`PVM_ERR_INVALID_PATCH`](crate::PVM_ERR_INVALID_PATCH) (every
/// diagnostic rendered with its line), [`PVM_ERR_IO`](crate::PVM_ERR_IO) (a file a clip names
/// cannot be read), [`PVM_ERR_BUSY`](crate::PVM_ERR_BUSY) or
/// [`PVM_ERR_PANIC`](crate::PVM_ERR_PANIC); nothing changes on an error.
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `patch_json` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_routing_set(engine: *mut PvmEngine, patch_json: *const c_char) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let text = payload::json_text(patch_json, "patch_json", PVM_MAX_SOURCE_BYTES)?;
            let source = SourceFile {
                path: PathBuf::from("<routing>"),
                format: Format::Json,
                bytes: text.as_bytes().to_vec(),
                included: Vec::new(),
            };
            let limits = side.controller.limits().clone();
            let patch = Format::Json
                .read(text.as_bytes(), &limits)
                .map_err(|problems| {
                    engine_failure(EngineError::Invalid(problems), Some(&source))
                })?;
            side.controller
                .set_routing(patch)
                .map(drop)
                .map_err(|error| engine_failure(error, Some(&source)))
        })
    }
}

/// Applies the edits `edits_json` lists (see the module's documentation: `add`, `remove`,
/// `connect`, `disconnect`, `set`) in order to the routing playing, as one swap and one undo
/// step; if any fails, none is applied.
///
/// Returns [`PVM_OK`](crate::PVM_OK), [`PVM_ERR_NULL`](crate::PVM_ERR_NULL),
/// [`PVM_ERR_UTF8`](crate::PVM_ERR_UTF8), [`PVM_ERR_TOO_LARGE`] (over
/// [`PVM_MAX_JSON_BYTES`]), [`PVM_ERR_JSON`] (the message names the edit by index and the
/// field), [`PVM_ERR_INVALID_PATCH`](crate::PVM_ERR_INVALID_PATCH) (an edit that makes no
/// sense, such as removing a node that is not there, or an invalid result),
/// [`PVM_ERR_NO_PATCH`](crate::PVM_ERR_NO_PATCH), [`PVM_ERR_BUSY`](crate::PVM_ERR_BUSY) or
/// [`PVM_ERR_PANIC`](crate::PVM_ERR_PANIC).
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `edits_json` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_routing_update(
    engine: *mut PvmEngine,
    edits_json: *const c_char,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let text = payload::json_text(edits_json, "edits_json", PVM_MAX_JSON_BYTES)?;
            let edits = edits(&payload::parse(text, "edits_json")?)?;
            side.controller
                .apply_edits(&edits)
                .map(drop)
                .map_err(payload::refusal)
        })
    }
}

/// The edits `value` lists.
fn edits(value: &Value) -> Result<Vec<Edit>, Failure> {
    let list = value
        .as_array()
        .ok_or_else(|| Failure::new(PVM_ERR_JSON, "`edits_json` is not a JSON array of edits"))?;
    if list.len() > MAX_EDITS {
        return Err(Failure::new(
            PVM_ERR_TOO_LARGE,
            format!(
                "`edits_json` lists {} edits; the limit is {MAX_EDITS}",
                list.len()
            ),
        ));
    }
    list.iter()
        .enumerate()
        .map(|(index, edit)| self::edit(edit, &format!("edit {index}")))
        .collect()
}

/// The most edits one update applies.
const MAX_EDITS: usize = 4096;

/// The operations an edit's `op` names.
const OPS: [&str; 5] = ["add", "remove", "connect", "disconnect", "set"];

fn edit(value: &Value, what: &str) -> Result<Edit, Failure> {
    let map = payload::object(value, what)?;
    let op = payload::required(payload::text(map, "op", what)?, "op", what)?;
    let text = |key: &str| -> Result<String, Failure> {
        Ok(payload::required(payload::text(map, key, what)?, key, what)?.to_owned())
    };
    let edit = match op {
        "add" => {
            payload::known_keys(map, what, &["op", "id", "module", "params"])?;
            Edit::AddNode {
                id: text("id")?,
                module: text("module")?,
                params: params(map.get("params"), what)?,
            }
        }
        "remove" => {
            payload::known_keys(map, what, &["op", "id"])?;
            Edit::RemoveNode { id: text("id")? }
        }
        "connect" | "disconnect" => {
            payload::known_keys(map, what, &["op", "from", "to"])?;
            let from = port(map, "from", what)?;
            let to = port(map, "to", what)?;
            match op {
                "connect" => Edit::Connect { from, to },
                _ => Edit::Disconnect { from, to },
            }
        }
        "set" => {
            payload::known_keys(map, what, &["op", "node", "param", "value", "text"])?;
            let (node, param) = (text("node")?, text("param")?);
            match (
                payload::number(map, "value", what)?,
                payload::text(map, "text", what)?,
            ) {
                (Some(value), None) => Edit::SetParam { node, param, value },
                (None, Some(text)) => Edit::SetText {
                    node,
                    param,
                    text: text.to_owned(),
                },
                _ => {
                    return Err(Failure::new(
                        PVM_ERR_JSON,
                        format!("{what} sets a parameter; give it one of `value` or `text`"),
                    ));
                }
            }
        }
        other => {
            return Err(Failure::new(
                PVM_ERR_JSON,
                format!("`op` of {what} is `{other}`; {}", payload::one_of(OPS)),
            ));
        }
    };
    Ok(edit)
}

/// `{"NAME": number, …}` as parameter values.
fn params(value: Option<&Value>, what: &str) -> Result<Vec<(String, f64)>, Failure> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let map: &Map<String, Value> = payload::object(value, &format!("`params` of {what}"))?;
    map.iter()
        .map(|(name, number)| {
            number
                .as_f64()
                .filter(|n| n.is_finite())
                .map(|n| (name.clone(), n))
                .ok_or_else(|| {
                    Failure::new(
                        PVM_ERR_JSON,
                        format!("`params.{name}` of {what} is not a number: {number}"),
                    )
                })
        })
        .collect()
}

/// Field `key` as `["node", "port"]`.
fn port(map: &Map<String, Value>, key: &str, what: &str) -> Result<(String, String), Failure> {
    let value = payload::required(map.get(key), key, what)?;
    match value.as_array().map(Vec::as_slice) {
        Some([Value::String(node), Value::String(port)]) => Ok((node.clone(), port.clone())),
        _ => Err(Failure::new(
            PVM_ERR_JSON,
            format!("`{key}` of {what} is not `[\"node\", \"port\"]`: {value}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_op_maps_onto_one_engine_edit() {
        let list = edits(&json!([
            {"op": "add", "id": "lp", "module": "filter.lowpass", "params": {"cutoff": 800}},
            {"op": "connect", "from": ["in", "out"], "to": ["lp", "in"]},
            {"op": "disconnect", "from": ["in", "out"], "to": ["out", "in"]},
            {"op": "set", "node": "lp", "param": "cutoff", "value": 1200},
            {"op": "set", "node": "seq", "param": "pattern", "text": "c e"},
            {"op": "remove", "id": "lp"}
        ]))
        .unwrap();
        let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(
            list,
            [
                Edit::AddNode {
                    id: "lp".into(),
                    module: "filter.lowpass".into(),
                    params: vec![("cutoff".into(), 800.0)],
                },
                Edit::Connect {
                    from: pair("in", "out"),
                    to: pair("lp", "in")
                },
                Edit::Disconnect {
                    from: pair("in", "out"),
                    to: pair("out", "in")
                },
                Edit::SetParam {
                    node: "lp".into(),
                    param: "cutoff".into(),
                    value: 1200.0
                },
                Edit::SetText {
                    node: "seq".into(),
                    param: "pattern".into(),
                    text: "c e".into()
                },
                Edit::RemoveNode { id: "lp".into() },
            ]
        );
    }

    #[test]
    fn a_bad_edit_is_named_by_index_and_field() {
        let cases = [
            (json!({}), "not a JSON array"),
            (json!([{"id": "x"}]), "edit 0 needs `op`"),
            (
                json!([{"op": "move"}]),
                "`op` of edit 0 is `move`; expected one of",
            ),
            (
                json!([{"op": "remove", "id": "a"}, {"op": "remove"}]),
                "edit 1 needs `id`",
            ),
            (
                json!([{"op": "connect", "from": "a.out", "to": ["b", "in"]}]),
                "`from` of edit 0 is not",
            ),
            (
                json!([{"op": "set", "node": "a", "param": "b"}]),
                "give it one of `value` or `text`",
            ),
            (
                json!([{"op": "add", "id": "a", "module": "m", "params": {"f": "x"}}]),
                "`params.f` of edit 0",
            ),
            (
                json!([{"op": "remove", "id": "a", "node": "b"}]),
                "unknown field `node` in edit 0",
            ),
        ];
        for (value, message) in cases {
            let failure = edits(&value).unwrap_err();
            assert_eq!(failure.code, PVM_ERR_JSON, "{value}");
            assert!(
                failure.message.contains(message),
                "{value}: {}",
                failure.message
            );
        }
    }
}
