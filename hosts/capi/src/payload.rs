//! The JSON arguments of the Atome calls, read safely: a size limit before parsing, serde_json's
//! nesting limit (128 levels, on by default: a deeper text is an error, never a deep
//! recursion), and every failure a [`Failure`] whose message names the field. Also how the
//! engine's refusals of these calls become codes.

use crate::c_str;
use crate::control::{Failure, engine_failure};
use crate::status::{PVM_ERR_JSON, PVM_ERR_NOT_FOUND, PVM_ERR_RANGE, PVM_ERR_TOO_LARGE};
use patchvm_engine::EngineError;
use patchvm_engine::ir::Code;
pub(crate) use patchvm_engine::ir::suggest::one_of;
use serde_json::{Map, Value};
use std::ffi::c_char;

/// The longest JSON argument of a clip, tempo or edit call, in bytes (1 MiB).
pub const PVM_MAX_JSON_BYTES: usize = 1 << 20;

/// The NUL-terminated UTF-8 text at `text`, named `what`, at most `limit` bytes long.
///
/// # Safety
///
/// `text` is NULL or NUL-terminated, living through `'a`.
pub(crate) unsafe fn json_text<'a>(
    text: *const c_char,
    what: &str,
    limit: usize,
) -> Result<&'a str, Failure> {
    // SAFETY: forwarded.
    let text = unsafe { c_str(text, what) }?;
    if text.len() > limit {
        return Err(Failure::new(
            PVM_ERR_TOO_LARGE,
            format!("`{what}` is {} bytes; the limit is {limit}", text.len()),
        ));
    }
    Ok(text)
}

/// `text` parsed as JSON, named `what` in the message if it is not.
pub(crate) fn parse(text: &str, what: &str) -> Result<Value, Failure> {
    serde_json::from_str(text)
        .map_err(|error| Failure::new(PVM_ERR_JSON, format!("`{what}` is not valid JSON: {error}")))
}

/// `value` as an object, named `what`.
pub(crate) fn object<'v>(value: &'v Value, what: &str) -> Result<&'v Map<String, Value>, Failure> {
    value
        .as_object()
        .ok_or_else(|| Failure::new(PVM_ERR_JSON, format!("`{what}` is not a JSON object")))
}

/// Refuses every key of `map` (named `what`) that is not one of `keys`.
pub(crate) fn known_keys(
    map: &Map<String, Value>,
    what: &str,
    keys: &[&str],
) -> Result<(), Failure> {
    match map.keys().find(|key| !keys.contains(&key.as_str())) {
        Some(key) => Err(Failure::new(
            PVM_ERR_JSON,
            format!(
                "unknown field `{key}` in {what}; {}",
                one_of(keys.iter().copied())
            ),
        )),
        None => Ok(()),
    }
}

/// Field `key` of `map` (named `what`) as a finite number, or `None` if absent.
pub(crate) fn number(
    map: &Map<String, Value>,
    key: &str,
    what: &str,
) -> Result<Option<f64>, Failure> {
    match map.get(key) {
        None => Ok(None),
        Some(value) => value
            .as_f64()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or_else(|| {
                Failure::new(
                    PVM_ERR_JSON,
                    format!("`{key}` of {what} is not a number: {value}"),
                )
            }),
    }
}

/// Field `key` of `map` (named `what`) as a text, or `None` if absent.
pub(crate) fn text<'v>(
    map: &'v Map<String, Value>,
    key: &str,
    what: &str,
) -> Result<Option<&'v str>, Failure> {
    match map.get(key) {
        None => Ok(None),
        Some(value) => value.as_str().map(Some).ok_or_else(|| {
            Failure::new(
                PVM_ERR_JSON,
                format!("`{key}` of {what} is not a string: {value}"),
            )
        }),
    }
}

/// Field `key` of `map` (named `what`), which must be there.
pub(crate) fn required<T>(found: Option<T>, key: &str, what: &str) -> Result<T, Failure> {
    found.ok_or_else(|| Failure::new(PVM_ERR_JSON, format!("{what} needs `{key}`")))
}

/// The code and message of an engine refusal of an Atome call: an unknown timeline or clip
/// is [`PVM_ERR_NOT_FOUND`], a tempo or clip value out of range [`PVM_ERR_RANGE`], every
/// other invalid result [`PVM_ERR_INVALID_PATCH`](crate::PVM_ERR_INVALID_PATCH); the
/// message joins every diagnostic with its hint.
pub(crate) fn refusal(error: EngineError) -> Failure {
    let EngineError::Invalid(diagnostics) = &error else {
        return engine_failure(error, None);
    };
    let message = diagnostics
        .iter()
        .map(|problem| match &problem.hint {
            Some(hint) => format!("{} ({hint})", problem.message),
            None => problem.message.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let code = match diagnostics.first().map(|problem| problem.code) {
        Some(Code::UnknownTimeline) => PVM_ERR_NOT_FOUND,
        Some(Code::Timeline | Code::Transport) => PVM_ERR_RANGE,
        _ => engine_failure(error, None).code,
    };
    Failure::new(code, message)
}
