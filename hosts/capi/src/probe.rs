//! `pvm_engine_probe`: any node output read from C, through the engine's probes
//! ([`Controller::probe`](patchvm_engine::Controller::probe)).

use crate::control::{self, Failure};
use crate::{PVM_ERR_NULL, PVM_ERR_PARAM, PVM_ERR_RANGE, PvmEngine, c_str};
use patchvm_engine::EngineError;
use patchvm_engine::ir::Code;
use std::ffi::c_char;

/// Reads output `port` of node `node` (NUL-terminated UTF-8 names; a template's nodes as
/// `TEMPLATE/V/NODE`) into `*value`: the last sample of the last block of at most 64 samples
/// the audio side published. The first call on an output subscribes to it, which swaps in a
/// program that keeps that output (every node keeps its state); until the audio side has
/// played a block of that program, `*value` is NaN. Later calls return the latest value.
/// The subscription lasts while the node does (an edit removing it ends it: the next call
/// returns [`PVM_ERR_PARAM`]).
///
/// Returns [`PVM_OK`](crate::PVM_OK), [`PVM_ERR_NULL`], [`PVM_ERR_UTF8`](crate::PVM_ERR_UTF8),
/// [`PVM_ERR_NO_PATCH`](crate::PVM_ERR_NO_PATCH), [`PVM_ERR_PARAM`] (no such node or output;
/// the message names the choices), [`PVM_ERR_RANGE`] (63 outputs are probed already),
/// [`PVM_ERR_BUSY`](crate::PVM_ERR_BUSY) or [`PVM_ERR_PANIC`](crate::PVM_ERR_PANIC); on
/// failure `*value` is untouched.
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `node` and `port` are NULL or NUL-terminated; `value`
/// is NULL or points to a writable `float`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_engine_probe(
    engine: *mut PvmEngine,
    node: *const c_char,
    port: *const c_char,
    value: *mut f32,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        crate::control(engine, |side| {
            let node = c_str(node, "node")?;
            let port = c_str(port, "port")?;
            if value.is_null() {
                return Err(Failure::new(PVM_ERR_NULL, "`value` is NULL"));
            }
            let handle = side.controller.probe(node, port).map_err(failure)?;
            // SAFETY: `value` is not NULL and writable (the contract).
            *value = handle.value().unwrap_or(f32::NAN);
            Ok(())
        })
    }
}

/// An unknown node or output is a parameter problem to C, too many probes a range one; the
/// message is the diagnostic's, with its hint.
fn failure(error: EngineError) -> Failure {
    let EngineError::Invalid(diagnostics) = &error else {
        return control::engine_failure(error, None);
    };
    let Some(first) = diagnostics.first() else {
        return control::engine_failure(error, None);
    };
    let code = match first.code {
        Code::UnknownProbe => PVM_ERR_PARAM,
        Code::Limit => PVM_ERR_RANGE,
        _ => return control::engine_failure(error, None),
    };
    let message = match &first.hint {
        Some(hint) => format!("{} ({}): {hint}", first.message, first.code),
        None => format!("{} ({})", first.message, first.code),
    };
    Failure::new(code, message)
}
