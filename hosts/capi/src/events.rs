//! Timed events from C: a parameter set on an exact engine sample, and raw MIDI messages on
//! one, so an action lands where the host scheduled it whatever the buffers.

use crate::control::{Failure, engine_failure};
use crate::status::PVM_ERR_NULL;
use crate::{PvmEngine, c_str, control, no_drops, queue_full};
use patchvm_engine::At;
use std::ffi::c_char;

/// The longest MIDI message [`pvm_engine_midi`] reads: a channel message is at most 3
/// bytes; longer input (a SysEx) is ignored and counted like any message it cannot use.
pub const PVM_MAX_MIDI_BYTES: usize = 3;

/// Sets input `param` of node `node` to `value` on engine sample `sample` (frames since the
/// engine started, as the metrics' `frames` counts them): the audio side splits its block
/// there. A sample already rendered takes effect at the next block. Otherwise like
/// [`pvm_engine_set_param`](crate::pvm_engine_set_param), and returns the same codes.
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `node` and `param` are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_engine_set_param_at(
    engine: *mut PvmEngine,
    node: *const c_char,
    param: *const c_char,
    value: f32,
    sample: u64,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let node = c_str(node, "node")?;
            let param = c_str(param, "param")?;
            let queued = side
                .controller
                .set_param(node, param, value, At::Sample(sample))
                .map_err(|error| engine_failure(error, None))?;
            queued.then_some(()).ok_or_else(queue_full)
        })
    }
}

/// Acts on the raw MIDI channel message in `bytes` (`len` bytes: note on or off, control
/// change, pitch bend) on engine sample `sample`, as the patch's voice template, `voice`
/// nodes and MIDI bindings play it. Anything else (system messages, program changes,
/// garbage, more than [`PVM_MAX_MIDI_BYTES`] bytes) is ignored and returns
/// [`PVM_OK`](crate::PVM_OK).
///
/// Returns [`PVM_OK`](crate::PVM_OK), [`PVM_ERR_NULL`] (`bytes` NULL with `len` > 0),
/// [`PVM_ERR_NO_PATCH`](crate::PVM_ERR_NO_PATCH), [`PVM_ERR_PARAM`](crate::PVM_ERR_PARAM),
/// [`PVM_ERR_QUEUE_FULL`](crate::PVM_ERR_QUEUE_FULL) or [`PVM_ERR_PANIC`](crate::PVM_ERR_PANIC).
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `bytes` is NULL or valid for reads of `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_engine_midi(
    engine: *mut PvmEngine,
    bytes: *const u8,
    len: usize,
    sample: u64,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            if len == 0 {
                return Ok(());
            }
            if bytes.is_null() {
                return Err(Failure::new(PVM_ERR_NULL, "`bytes` is NULL"));
            }
            // Only the first bytes are read: a longer message is none the engine uses.
            let message = std::slice::from_raw_parts(bytes, len.min(PVM_MAX_MIDI_BYTES + 1));
            let message = match message.len() > PVM_MAX_MIDI_BYTES {
                true => &[][..],
                false => message,
            };
            let dropped = side.controller.metrics().dropped_events;
            side.controller
                .midi(message, At::Sample(sample))
                .map_err(|error| engine_failure(error, None))?;
            no_drops(side, dropped)
        })
    }
}
