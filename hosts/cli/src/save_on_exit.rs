//! `play --save-on-exit PATH`: the patch as the session left it (OSC edits included) written
//! when the session ends, in the format of the path's extension, through the same guarded
//! output every command writes with (a temporary file renamed into place when complete).

use crate::failure::Failure;
use crate::output_file::{Replacement, cannot_write};
use patchvm::Controller;
use patchvm::ir::Format;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

/// Refuses, before the session starts, a path whose extension names no patch format.
pub fn check(path: &Path) -> Result<(), Failure> {
    match Format::from_path(path) {
        Some(_) => Ok(()),
        None => Err(Failure::Usage(format!(
            "--save-on-exit `{}`: its extension names no patch format; expected `.lisp`, \
             `.sexp`, `.json` or `.msgpack`",
            path.display()
        ))),
    }
}

/// Writes the patch playing to `path`; the text is made under the controller's lock, the
/// file written after it.
pub fn save(controller: &Mutex<Controller>, path: &Path) -> Result<(), Failure> {
    let Some(format) = Format::from_path(path) else {
        return check(path);
    };
    let bytes = {
        let controller = controller.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(patch) = controller.patch() else {
            return Err(Failure::File(format!(
                "--save-on-exit `{}`: no patch is playing",
                path.display()
            )));
        };
        format.write(patch)
    };
    let replacement = Replacement::new(path)?;
    std::fs::write(replacement.path(), bytes).map_err(|error| cannot_write(path, &error))?;
    replacement.commit()?;
    eprintln!("saved the patch as played to `{}`", path.display());
    Ok(())
}
