//! `play --watch` on a file that does not play yet: its problems are shown once, then the
//! command waits, silent, for a save that does, instead of exiting.

use crate::failure::{Failure, print_diagnostics, problems};
use patchvm::engine::source::LoadError;
use patchvm::engine::source::SourceFile;
use patchvm::ir::Limits;
use patchvm::{Prepared, Settings};
use std::path::Path;
use std::time::Duration;

/// How often the file is read again while waiting: a save plays within it.
const POLL: Duration = Duration::from_millis(50);

/// The patch at `path` prepared, as soon as a version of it is valid. Each new broken
/// version is shown once; a file that cannot be read, or whose format is unknown, fails at
/// once, as without `--watch`.
pub fn wait(
    path: &Path,
    settings: &Settings,
    limits: &Limits,
) -> Result<(Prepared, SourceFile), Failure> {
    let mut shown: Option<Vec<u8>> = None;
    loop {
        match Prepared::read(path, settings, limits) {
            Err(LoadError::Invalid(source, diagnostics)) => {
                if shown.as_deref() != Some(source.bytes.as_slice()) {
                    print_diagnostics(&source, &diagnostics);
                    eprintln!(
                        "error: {}; waiting for a save that plays",
                        problems(&source, &diagnostics)
                    );
                    shown = Some(source.bytes);
                }
                std::thread::sleep(POLL);
            }
            other => return Ok(other?),
        }
    }
}
