//! A playing patch written back to a file: the session's edits (OSC, the API) kept.
//!
//! The file's extension names the format, as it does for reading; the bytes go to a temporary
//! file beside it, renamed over it once complete, so a crash or a full disk never leaves a
//! half-written patch where the performer's file was.

use patchvm_ir::{Format, Patch};
use std::path::Path;

/// Writes `patch` to `path` in the format its extension names, atomically. The error says
/// what went wrong, naming the path and, for an unknown extension, the known ones.
pub fn save_patch(patch: &Patch, path: &Path) -> Result<(), String> {
    let Some(format) = Format::from_path(path) else {
        let known: Vec<String> = Format::ALL
            .iter()
            .flat_map(|format| format.extensions())
            .map(|extension| format!("`.{extension}`"))
            .collect();
        return Err(format!(
            "cannot save to `{}`: its extension names no patch format; expected one of {}",
            path.display(),
            known.join(", ")
        ));
    };
    write_atomically(path, &format.write(patch))
}

/// Writes `bytes` to `path` through a temporary file beside it, renamed into place.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = Path::new(&temporary);
    let failed = |error: std::io::Error| format!("cannot write `{}`: {error}", path.display());
    std::fs::write(temporary, bytes).map_err(failed)?;
    std::fs::rename(temporary, path).map_err(|error| {
        let _ = std::fs::remove_file(temporary);
        failed(error)
    })
}
