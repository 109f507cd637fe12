//! The body of the `capi_calls` fuzz target (`fuzz/fuzz_targets/capi_calls.rs` includes this
//! file), so its corpus also replays as a test (`tests/misuse.rs`): random sequences of C ABI
//! calls with random arguments, misuse included — calls on freed engines, double frees,
//! NULL and non-UTF-8 names, out-of-range numbers, any frame count. Every call must return
//! one of the documented codes (a freed engine's always [`PVM_ERR_INVALID_HANDLE`]), every
//! message must be UTF-8, and the output finite.

use arbitrary::{Result, Unstructured};
use patchvm_capi::*;
use std::ffi::{CStr, CString, c_char};
use std::ptr::{null, null_mut};

/// Engines a sequence may hold at once, live or freed.
const ENGINES: usize = 4;

/// Calls in one sequence.
const CALLS: usize = 64;

/// The longest buffer a process call renders, in frames.
const MAX_FRAMES: usize = 3_000;

/// Patches that compile, so that later calls reach a playing engine.
const PATCHES: [&str; 3] = [
    r#"(patch (nodes (osc1 (type "osc.sine") (freq 440)) (gain1 (type "gain") (amp 0.5))
                 (out (type "output")))
          (connections (osc1 "out" -> gain1 "in") (gain1 "out" -> out "in")))"#,
    r#"(patch (nodes (in1 (type "input")) (lp (type "filter.lowpass") (cutoff 800))
                 (out (type "output")))
          (connections (in1 "out" -> lp "in") (lp "out" -> out "in")))"#,
    r#"{"nodes": {"osc1": {"type": "osc.saw", "params": {"freq": 110}},
                  "out": {"type": "output"}},
        "connections": [{"from": ["osc1", "out"], "to": ["out", "in"]}]}"#,
];

/// Names that exist in [`PATCHES`], and some that do not.
const NAMES: [&CStr; 8] = [
    c"osc1", c"gain1", c"lp", c"out", c"freq", c"amp", c"cutoff", c"in",
];

/// Every code a call may return.
const CODES: [i32; 14] = [
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
];

/// An engine of the sequence.
struct Handle {
    engine: *mut PvmEngine,
    channels_in: usize,
    channels_out: usize,
    freed: bool,
}

/// Runs the call sequence `data` describes.
pub fn capi_calls(data: &[u8]) {
    let mut input = Unstructured::new(data);
    let mut handles: Vec<Handle> = Vec::new();
    for _ in 0..CALLS {
        if step(&mut input, &mut handles).is_err() {
            break;
        }
    }
    for handle in handles.iter().filter(|handle| !handle.freed) {
        // SAFETY: made by `pvm_engine_new`, not freed yet.
        assert_eq!(unsafe { pvm_engine_free(handle.engine) }, PVM_OK);
    }
}

/// One call, chosen by `input`.
fn step(input: &mut Unstructured, handles: &mut Vec<Handle>) -> Result<()> {
    let op = input.int_in_range(0..=9_u8)?;
    if op == 0 || handles.is_empty() {
        return new(input, handles);
    }
    let index = input.choose_index(handles.len())?;
    let handle = &mut handles[index];
    let (engine, was_freed) = (handle.engine, handle.freed);
    // SAFETY: every handle came from `pvm_engine_new`, and fewer than
    // `PVM_FREED_ENGINES_KEPT` engines are freed in one sequence, so a freed one is still
    // recognised; buffers are as large as said, names and paths NUL-terminated.
    let code = unsafe {
        match op {
            1 => {
                let text = text(input)?;
                pvm_engine_load(engine, text.as_ptr().cast(), text.len())
            }
            2 => {
                let (node, param) = (name(input)?, name(input)?);
                pvm_engine_set_param(engine, pointer(&node), pointer(&param), input.arbitrary()?)
            }
            3 => process(input, handle)?,
            4 => pvm_engine_note_on(engine, input.arbitrary()?, input.arbitrary()?),
            5 => pvm_engine_note_off(engine, input.arbitrary()?),
            6 => {
                let names = [name(input)?, name(input)?, name(input)?, name(input)?];
                let [a, b, c, d] = names.each_ref().map(pointer);
                pvm_engine_bind_notes(engine, a, b, c, d)
            }
            7 => read_texts(handle),
            8 => pvm_engine_load_file(engine, path(input)?),
            _ => {
                let code = pvm_engine_free(engine);
                let expected = match handle.freed {
                    true => PVM_ERR_INVALID_HANDLE,
                    false => PVM_OK,
                };
                assert_eq!(code, expected, "free");
                handle.freed = true;
                code
            }
        }
    };
    assert!(CODES.contains(&code), "call {op} returned {code}");
    if was_freed {
        assert_eq!(code, PVM_ERR_INVALID_HANDLE, "call {op} on a freed engine");
    }
    Ok(())
}

/// Makes an engine from arguments mostly in range; one out of range gives NULL and a reason.
fn new(input: &mut Unstructured, handles: &mut Vec<Handle>) -> Result<()> {
    let rate = match input.int_in_range(0..=3_u8)? {
        0 => input.arbitrary()?,
        1 => 44_100.0,
        _ => 48_000.0,
    };
    let channels_in = match input.ratio(1, 8)? {
        true => input.arbitrary()?,
        false => input.int_in_range(0..=3)?,
    };
    let channels_out = match input.ratio(1, 8)? {
        true => input.arbitrary()?,
        false => input.int_in_range(1..=4)?,
    };
    let engine = pvm_engine_new(rate, channels_in, channels_out);
    if engine.is_null() {
        let why = utf8(pvm_engine_new_error());
        assert!(!why.is_empty(), "NULL without a reason");
        return Ok(());
    }
    if handles.len() == ENGINES {
        let old = handles.remove(0);
        if !old.freed {
            // SAFETY: made by `pvm_engine_new`, not freed yet.
            assert_eq!(unsafe { pvm_engine_free(old.engine) }, PVM_OK);
        }
    }
    handles.push(Handle {
        engine,
        channels_in: channels_in as usize,
        channels_out: channels_out as usize,
        freed: false,
    });
    Ok(())
}

/// Patch text: one that compiles, or arbitrary bytes.
fn text(input: &mut Unstructured) -> Result<Vec<u8>> {
    Ok(match input.ratio(1, 2)? {
        true => PATCHES[input.choose_index(PATCHES.len())?]
            .as_bytes()
            .to_vec(),
        false => {
            let len = input.int_in_range(0..=200)?;
            input.bytes(len)?.to_vec()
        }
    })
}

/// A name: NULL, one of [`NAMES`], or arbitrary bytes (perhaps not UTF-8).
fn name(input: &mut Unstructured) -> Result<Option<CString>> {
    Ok(match input.int_in_range(0..=5_u8)? {
        0 => None,
        1 => {
            let len = input.int_in_range(0..=12)?;
            let bytes: Vec<u8> = input.bytes(len)?.iter().map(|&b| b.max(1)).collect();
            Some(CString::new(bytes).expect("no NUL"))
        }
        _ => Some(NAMES[input.choose_index(NAMES.len())?].to_owned()),
    })
}

/// A path to no file, or not UTF-8, or NULL: never one that could block (a FIFO, a terminal).
fn path(input: &mut Unstructured) -> Result<*const c_char> {
    const PATHS: [&CStr; 3] = [c"no-such-patch.lisp", c"\xff.lisp", c"no-such-patch.json"];
    Ok(match input.ratio(1, 4)? {
        true => null(),
        false => PATHS[input.choose_index(PATHS.len())?].as_ptr(),
    })
}

fn pointer(name: &Option<CString>) -> *const c_char {
    name.as_ref().map_or(null(), |name| name.as_ptr())
}

/// Renders a random number of frames, with input or without; checks the output is finite.
///
/// # Safety
///
/// `handle.engine` came from `pvm_engine_new`.
unsafe fn process(input: &mut Unstructured, handle: &Handle) -> Result<i32> {
    let frames = input.int_in_range(0..=MAX_FRAMES)?;
    let with_input = input.arbitrary()?;
    let sound = vec![0.25_f32; frames * handle.channels_in.min(64)];
    let mut out = vec![f32::NAN; frames * handle.channels_out.clamp(1, 64)];
    let in_ptr = match with_input {
        true => sound.as_ptr(),
        false => null(),
    };
    let out_ptr = match input.ratio(1, 16)? {
        true => null_mut(),
        false => out.as_mut_ptr(),
    };
    // SAFETY: the buffers hold `frames` frames of the engine's channel counts.
    let code = unsafe { pvm_engine_process(handle.engine, in_ptr, out_ptr, frames as u32) };
    if code == PVM_OK && !out_ptr.is_null() {
        assert!(out.iter().all(|x| x.is_finite()), "output not finite");
    }
    Ok(code)
}

/// Reads the engine's message and metrics: UTF-8, and JSON when there are metrics.
///
/// # Safety
///
/// `handle.engine` came from `pvm_engine_new`.
unsafe fn read_texts(handle: &Handle) -> i32 {
    // SAFETY: forwarded.
    let message = utf8(unsafe { pvm_engine_last_error(handle.engine) });
    // SAFETY: forwarded.
    let metrics = unsafe { pvm_engine_metrics_json(handle.engine) };
    if handle.freed {
        assert!(metrics.is_null(), "metrics of a freed engine");
        assert!(message.contains("freed"), "{message}");
        return PVM_ERR_INVALID_HANDLE;
    }
    let metrics = utf8(metrics);
    assert!(
        metrics.starts_with('{') && metrics.ends_with('}'),
        "{metrics}"
    );
    PVM_OK
}

/// A string the library returned: never NULL, always UTF-8.
fn utf8(text: *const c_char) -> String {
    assert!(!text.is_null(), "a NULL string");
    // SAFETY: the library returns NUL-terminated strings that live until the next call.
    let text = unsafe { CStr::from_ptr(text) };
    text.to_str().expect("UTF-8").to_owned()
}
