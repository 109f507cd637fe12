//! Status codes: what every call that can fail returns, `0` or one of these negative numbers.
//!
//! The values are part of the ABI: never renumber one, only add new ones below the last.

use std::ffi::{CStr, c_char};

/// Status codes: what every call that can fail returns, as an `int32_t`. In Rust, the
/// `PVM_*` constants of this crate hold the same numbers as `i32`.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[expect(
    non_camel_case_types,
    reason = "the C names, which cbindgen copies into the header"
)]
pub enum PvmStatus {
    /// Success.
    PVM_OK = 0,
    /// A pointer that must not be NULL was NULL (the engine, the text, a name, the output buffer).
    PVM_ERR_NULL = -1,
    /// Text that must be UTF-8 (a patch, a node or parameter name, a path) was not.
    PVM_ERR_UTF8 = -2,
    /// The patch text is longer than the engine's limit on source size (16 MiB).
    PVM_ERR_TOO_LARGE = -3,
    /// The patch is invalid: it does not parse, validate or compile. `pvm_engine_last_error`
    /// renders every diagnostic with its line and a hint. The patch playing is untouched.
    PVM_ERR_INVALID_PATCH = -4,
    /// A patch file could not be read, or its extension names no format; or an audio file
    /// (`pvm_audio_file_load`) is missing, unreadable or not audio.
    PVM_ERR_IO = -5,
    /// The call needs a patch and none has been loaded yet.
    PVM_ERR_NO_PATCH = -6,
    /// The parameter cannot take a value: no such node, no such input, an input a connection
    /// drives, an input read only when the node is built, or an output node.
    PVM_ERR_PARAM = -7,
    /// A number is out of its range: a note outside 0..=127, a velocity outside 0..=1, a
    /// parameter value that is not finite or lies outside its input's range.
    PVM_ERR_RANGE = -8,
    /// The audio side is not taking new patches: 16 are already waiting (nobody calls
    /// `pvm_engine_process`, or loads came faster than it takes them, one per block). The
    /// message says which. Nothing changed; try again once audio runs.
    PVM_ERR_BUSY = -9,
    /// The event queue is full (4096 events wait for the audio side); this event was dropped
    /// and counted in the metrics' `dropped_events`.
    PVM_ERR_QUEUE_FULL = -10,
    /// An internal error (a bug in patchvm) was caught at the boundary. This side of the engine
    /// refuses every later call with the same code: free the engine and make a new one.
    PVM_ERR_PANIC = -11,
    /// The engine handle was freed (a call after `pvm_engine_free`, or a second free), or is
    /// not an engine made by `pvm_engine_new`. Nothing was done. Detected for the last
    /// `PVM_FREED_ENGINES_KEPT` engines freed; an older dangling handle, or a pointer that
    /// never was an engine, is read as one, best effort: undefined behaviour.
    PVM_ERR_INVALID_HANDLE = -12,
    /// Another call on the same side of this engine was running: two `pvm_engine_process`
    /// calls at once, two control calls at once, or `pvm_engine_free` during any call. Nothing
    /// was done; the calls of a side must be serialised by the caller.
    PVM_ERR_CONCURRENT = -13,
    /// A JSON argument (a clip, tempo segments, routing edits) is not JSON, is nested or
    /// sized beyond its limit, or has a field missing, unknown or of the wrong type; the
    /// message names the field. Nothing changed.
    PVM_ERR_JSON = -14,
    /// An id names nothing: no timeline, clip or audio file of that id (the message lists
    /// the ids there are). Nothing changed.
    PVM_ERR_NOT_FOUND = -15,
    /// A recording's state does not allow the call (`pvm_record_*`): starting an id that is
    /// already arming, recording or stopping, stopping one that is not running or already
    /// stopping, or reading the take of one still running. Nothing changed.
    PVM_ERR_STATE = -16,
}

/// The status codes as `i32`, the type the functions return. Hidden from cbindgen: the
/// header has them as the enum's constants.
///
/// cbindgen:ignore
mod codes {
    use super::PvmStatus;

    /// [`PvmStatus::PVM_OK`] as an `i32`.
    pub const PVM_OK: i32 = PvmStatus::PVM_OK as i32;
    /// [`PvmStatus::PVM_ERR_NULL`] as an `i32`.
    pub const PVM_ERR_NULL: i32 = PvmStatus::PVM_ERR_NULL as i32;
    /// [`PvmStatus::PVM_ERR_UTF8`] as an `i32`.
    pub const PVM_ERR_UTF8: i32 = PvmStatus::PVM_ERR_UTF8 as i32;
    /// [`PvmStatus::PVM_ERR_TOO_LARGE`] as an `i32`.
    pub const PVM_ERR_TOO_LARGE: i32 = PvmStatus::PVM_ERR_TOO_LARGE as i32;
    /// [`PvmStatus::PVM_ERR_INVALID_PATCH`] as an `i32`.
    pub const PVM_ERR_INVALID_PATCH: i32 = PvmStatus::PVM_ERR_INVALID_PATCH as i32;
    /// [`PvmStatus::PVM_ERR_IO`] as an `i32`.
    pub const PVM_ERR_IO: i32 = PvmStatus::PVM_ERR_IO as i32;
    /// [`PvmStatus::PVM_ERR_NO_PATCH`] as an `i32`.
    pub const PVM_ERR_NO_PATCH: i32 = PvmStatus::PVM_ERR_NO_PATCH as i32;
    /// [`PvmStatus::PVM_ERR_PARAM`] as an `i32`.
    pub const PVM_ERR_PARAM: i32 = PvmStatus::PVM_ERR_PARAM as i32;
    /// [`PvmStatus::PVM_ERR_RANGE`] as an `i32`.
    pub const PVM_ERR_RANGE: i32 = PvmStatus::PVM_ERR_RANGE as i32;
    /// [`PvmStatus::PVM_ERR_BUSY`] as an `i32`.
    pub const PVM_ERR_BUSY: i32 = PvmStatus::PVM_ERR_BUSY as i32;
    /// [`PvmStatus::PVM_ERR_QUEUE_FULL`] as an `i32`.
    pub const PVM_ERR_QUEUE_FULL: i32 = PvmStatus::PVM_ERR_QUEUE_FULL as i32;
    /// [`PvmStatus::PVM_ERR_PANIC`] as an `i32`.
    pub const PVM_ERR_PANIC: i32 = PvmStatus::PVM_ERR_PANIC as i32;
    /// [`PvmStatus::PVM_ERR_INVALID_HANDLE`] as an `i32`.
    pub const PVM_ERR_INVALID_HANDLE: i32 = PvmStatus::PVM_ERR_INVALID_HANDLE as i32;
    /// [`PvmStatus::PVM_ERR_CONCURRENT`] as an `i32`.
    pub const PVM_ERR_CONCURRENT: i32 = PvmStatus::PVM_ERR_CONCURRENT as i32;
    /// [`PvmStatus::PVM_ERR_JSON`] as an `i32`.
    pub const PVM_ERR_JSON: i32 = PvmStatus::PVM_ERR_JSON as i32;
    /// [`PvmStatus::PVM_ERR_NOT_FOUND`] as an `i32`.
    pub const PVM_ERR_NOT_FOUND: i32 = PvmStatus::PVM_ERR_NOT_FOUND as i32;
    /// [`PvmStatus::PVM_ERR_STATE`] as an `i32`.
    pub const PVM_ERR_STATE: i32 = PvmStatus::PVM_ERR_STATE as i32;
}

pub use codes::*;

/// The fixed description of `code`, for logs (and for `pvm_engine_process`, which returns
/// codes only).
pub(crate) fn describe(code: i32) -> &'static CStr {
    match code {
        PVM_OK => c"ok",
        PVM_ERR_NULL => c"a required pointer is NULL",
        PVM_ERR_UTF8 => c"text is not valid UTF-8",
        PVM_ERR_TOO_LARGE => c"the patch text is larger than the source limit",
        PVM_ERR_INVALID_PATCH => c"the patch is invalid",
        PVM_ERR_IO => c"a patch or audio file cannot be read",
        PVM_ERR_NO_PATCH => c"no patch is loaded",
        PVM_ERR_PARAM => c"the parameter cannot take a value",
        PVM_ERR_RANGE => c"a number is out of range",
        PVM_ERR_BUSY => c"the audio side is not taking patches",
        PVM_ERR_QUEUE_FULL => c"the event queue is full",
        PVM_ERR_PANIC => c"internal error: free the engine",
        PVM_ERR_INVALID_HANDLE => c"the engine was freed or is not an engine",
        PVM_ERR_CONCURRENT => c"another call on the same side of the engine is running",
        PVM_ERR_JSON => c"a JSON argument is malformed",
        PVM_ERR_NOT_FOUND => c"no timeline, clip or file has that id",
        PVM_ERR_STATE => c"the recording's state does not allow the call",
        _ => c"unknown status code",
    }
}

/// The fixed, static description of a status code: `"ok"`, `"a required pointer is NULL"`,
/// … and `"unknown status code"` for a number that is none of the `PVM_*` codes. Never
/// NULL; the string lives as long as the program.
///
/// Real-time safe: does not allocate, lock or block. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn pvm_status_message(code: i32) -> *const c_char {
    describe(code).as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_own_description() {
        let codes = [
            PVM_OK,
            PVM_ERR_NULL,
            PVM_ERR_UTF8,
            PVM_ERR_TOO_LARGE,
            PVM_ERR_INVALID_PATCH,
            PVM_ERR_IO,
            PVM_ERR_NO_PATCH,
            PVM_ERR_PARAM,
            PVM_ERR_RANGE,
            PVM_ERR_BUSY,
            PVM_ERR_QUEUE_FULL,
            PVM_ERR_PANIC,
            PVM_ERR_INVALID_HANDLE,
            PVM_ERR_CONCURRENT,
            PVM_ERR_JSON,
            PVM_ERR_NOT_FOUND,
            PVM_ERR_STATE,
        ];
        let mut seen = std::collections::BTreeSet::new();
        for (i, code) in codes.into_iter().enumerate() {
            assert_eq!(code, -(i as i32), "codes are consecutive");
            assert!(seen.insert(describe(code)), "{code} repeats a description");
            assert_ne!(describe(code), c"unknown status code");
        }
        assert_eq!(describe(1), c"unknown status code");
    }
}
