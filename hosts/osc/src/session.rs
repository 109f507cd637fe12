//! Sessions saved over OSC, and what a swap warns of.
//!
//! `/patch/get` answers `/patch/get s(text)`: the patch playing, OSC edits included, as
//! S-expression text. `/patch/save s(path)` writes it to `path` in the format its extension
//! names, atomically (a temporary file renamed into place) and after the controller's lock is
//! released, and answers `/patch/save s(path)`. A patch an edit plays answers one
//! `/warning s(code) s(message)` for each warning it has that the patch before it did not
//! (an unheard chain, a value a connection overrides, a duplicate connection): a performer
//! hears of a mistake when making it, not again on every later edit; warnings never refuse
//! a patch.

use patchvm_engine::Controller;
use patchvm_engine::save::save_patch;
use patchvm_engine::warnings::warnings as warnings_of;
use patchvm_ir::{Diagnostics, Format, Patch};
use rosc::{OscMessage, OscType};
use std::path::Path;

/// The most bytes of patch text `/patch/get` answers: what fits one UDP datagram with room
/// for the address and the type tags.
pub(crate) const MAX_PATCH_TEXT: usize = 65_000;

/// The patch playing as S-expression text, or why there is none to give.
pub(crate) fn patch_text(controller: &Controller) -> Result<String, String> {
    let patch = controller.patch().ok_or("no patch is playing")?;
    let text = String::from_utf8_lossy(&Format::Sexpr.write(patch)).into_owned();
    if text.len() > MAX_PATCH_TEXT {
        return Err(format!(
            "the patch is {} bytes as text, more than the {MAX_PATCH_TEXT} one datagram \
             carries; save it with /patch/save instead",
            text.len()
        ));
    }
    Ok(text)
}

/// The patch playing, copied under the lock to be written once it is released.
pub(crate) fn patch_to_save(controller: &Controller) -> Result<Box<Patch>, String> {
    controller
        .patch()
        .cloned()
        .map(Box::new)
        .ok_or_else(|| "no patch is playing".to_owned())
}

/// Writes `patch` to `path`; the answer `/patch/save s(path)`, or the error's text.
pub(crate) fn save(patch: &Patch, path: String, address: String) -> Result<OscMessage, String> {
    save_patch(patch, Path::new(&path))?;
    Ok(OscMessage {
        addr: address,
        args: vec![OscType::String(path)],
    })
}

/// The warnings of `next` that `previous` (the patch playing, if any) does not have.
pub(crate) fn new_warnings(previous: Option<&Patch>, next: &Patch) -> Diagnostics {
    let before = previous.map(warnings_of).unwrap_or_default();
    let mut found = warnings_of(next);
    found.retain(|warning| {
        !before
            .iter()
            .any(|old| old.code == warning.code && old.message == warning.message)
    });
    found
}

/// One `/warning s(code) s(message)` per warning.
pub(crate) fn warnings(found: &Diagnostics) -> impl Iterator<Item = OscMessage> + '_ {
    found.iter().map(|warning| OscMessage {
        addr: "/warning".into(),
        args: vec![
            OscType::String(warning.code.as_str().into()),
            OscType::String(warning.message.clone()),
        ],
    })
}
