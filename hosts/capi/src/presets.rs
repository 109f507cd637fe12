//! Presets of parameter values from C: `pvm_preset_save` keeps every settable input's value
//! in `NAME.preset.json` beside the patch (the folder of the file `pvm_engine_load_file`
//! read, the working directory for `pvm_engine_load`), `pvm_preset_load` sets them all on the
//! audio side's next block (see `Controller::load_preset`), as OSC's `/preset/save` and
//! `/preset/load` do.

use crate::control::{Failure, PoisonableController, engine_failure};
use crate::status::{PVM_ERR_IO, PVM_ERR_PARAM};
use crate::{PvmEngine, c_str, control};
use patchvm_engine::{PresetError, RecallAt};
use std::ffi::c_char;

/// The code and message for a preset that could not be saved or loaded: a bad name is a
/// [`PVM_ERR_PARAM`], a file that cannot be read or written or is no preset a
/// [`PVM_ERR_IO`], the engine's refusal its own code.
fn preset_failure(error: PresetError) -> Failure {
    match error {
        error @ PresetError::Name(_) => Failure::new(PVM_ERR_PARAM, error.to_string()),
        error @ PresetError::File(_) => Failure::new(PVM_ERR_IO, error.to_string()),
        PresetError::Engine(error) => engine_failure(error, None),
    }
}

/// Runs a preset call on `name`.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `name` is NULL or NUL-terminated.
unsafe fn preset_call(
    engine: *mut PvmEngine,
    name: *const c_char,
    call: impl FnOnce(&mut PoisonableController, &str) -> Result<(), PresetError>,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let name = c_str(name, "name")?;
            call(side, name).map_err(preset_failure)
        })
    }
}

/// Writes the value every settable input has now (the last event's, else the patch's) to
/// `NAME.preset.json` beside the patch, replacing any file of that name atomically. `name`
/// is NUL-terminated: letters, digits, `-` and `_` only.
///
/// Returns [`PVM_OK`](crate::PVM_OK), [`PVM_ERR_NULL`](crate::PVM_ERR_NULL),
/// [`PVM_ERR_UTF8`](crate::PVM_ERR_UTF8), [`PVM_ERR_NO_PATCH`](crate::PVM_ERR_NO_PATCH),
/// [`PVM_ERR_PARAM`] (a name of other characters), [`PVM_ERR_IO`] (the file cannot be
/// written; the message names it and why) or [`PVM_ERR_PANIC`](crate::PVM_ERR_PANIC).
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `name` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_preset_save(engine: *mut PvmEngine, name: *const c_char) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        preset_call(engine, name, |side, name| {
            side.controller.save_preset(name).map(drop)
        })
    }
}

/// Reads `NAME.preset.json` from beside the patch and sets each of its values, all on the
/// same sample, the audio side's next block (an undoable edit of the patch's values, as a
/// scene recall). Values of inputs the patch no longer has are skipped.
///
/// Returns [`PVM_OK`](crate::PVM_OK), [`PVM_ERR_NULL`](crate::PVM_ERR_NULL),
/// [`PVM_ERR_UTF8`](crate::PVM_ERR_UTF8), [`PVM_ERR_NO_PATCH`](crate::PVM_ERR_NO_PATCH),
/// [`PVM_ERR_PARAM`] (a name of other characters), [`PVM_ERR_IO`] (no such file, or one that
/// is not a preset; the message says which), [`PVM_ERR_BUSY`](crate::PVM_ERR_BUSY) or
/// [`PVM_ERR_PANIC`](crate::PVM_ERR_PANIC).
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `name` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_preset_load(engine: *mut PvmEngine, name: *const c_char) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        preset_call(engine, name, |side, name| {
            side.controller.load_preset(name, RecallAt::Now).map(drop)
        })
    }
}
