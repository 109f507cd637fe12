//! Files the commands write: never one of their own inputs, and never left half-written
//! under the name asked for.
//!
//! `render --input X -o X` used to truncate X before reading it. Now an output that is the
//! same file as an input (by identity: device and inode on Unix, so through hard links and
//! symbolic links too) is refused before anything is opened, and an output is written to a
//! temporary file beside it, renamed over the name asked for only once complete: a render
//! that fails (a full disk, an unreadable input) leaves the old file, or none, never a half
//! file whose header claims the full length.

use crate::failure::Failure;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Refuses `output` (given with `flag`) when it is the same file as one of `inputs`, each
/// named by what it is for the message (`"the patch"`, `"the --input file"`).
pub fn refuse_same_file(
    output: &Path,
    flag: &str,
    inputs: &[(&str, &Path)],
) -> Result<(), Failure> {
    let Some(written) = identity(output) else {
        // Not there yet (or unreadable): it cannot be an input that was read.
        return Ok(());
    };
    for &(what, input) in inputs {
        if identity(input).as_ref() == Some(&written) {
            let link = match std::path::absolute(output).ok() == std::path::absolute(input).ok() {
                true => "",
                false => " under another name (a link)",
            };
            return Err(Failure::Usage(format!(
                "{flag} `{}` is {what} `{}`{link}: writing it would destroy {what} before it \
                 is read; name another output file",
                output.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// What makes a file itself whatever name reaches it.
#[cfg(unix)]
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path)
        .ok()
        .map(|metadata| (metadata.dev(), metadata.ino()))
}

/// What makes a file itself whatever name reaches it: its canonical path, which resolves
/// symbolic links (hard links stay distinct here).
#[cfg(not(unix))]
fn identity(path: &Path) -> Option<PathBuf> {
    fs::canonicalize(path).ok()
}

/// An output file under construction: written at [`path`](Replacement::path), a temporary
/// file in the same directory (so the rename cannot cross file systems), and put in place
/// by [`commit`](Replacement::commit). Dropped without a commit, it removes the temporary
/// file, leaving what was there before.
///
/// An output that exists and is not a regular file (`/dev/null`, a FIFO) is written in
/// place: renaming would replace the device or pipe itself.
#[derive(Debug)]
pub struct Replacement {
    /// The name asked for, as the user wrote it (for messages).
    asked: PathBuf,
    /// Where the finished file goes: the name asked for, or the file a symbolic link there
    /// points to (the link stays).
    target: PathBuf,
    /// Where it is written; `None` when that is `target` itself.
    temporary: Option<PathBuf>,
    /// The permissions of the file replaced, kept by the new one.
    permissions: Option<fs::Permissions>,
}

impl Replacement {
    /// Reserves a temporary file beside `output` (`.NAME.PID-N.tmp`).
    pub fn new(output: &Path) -> Result<Replacement, Failure> {
        let existing = fs::metadata(output).ok();
        let in_place = Replacement {
            asked: output.into(),
            target: output.into(),
            temporary: None,
            permissions: None,
        };
        let target = match &existing {
            Some(metadata) if !metadata.is_file() => return Ok(in_place),
            Some(_) => fs::canonicalize(output).map_err(|error| cannot_write(output, &error))?,
            // A dangling symbolic link: written through, as before.
            None if fs::symlink_metadata(output).is_ok() => return Ok(in_place),
            None => output.into(),
        };
        let directory = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .ok_or_else(|| Failure::Usage(format!("`{}` names no file", output.display())))?
            .to_string_lossy()
            .into_owned();
        let temporary = reserve(&directory, &name).map_err(|error| cannot_write(output, &error))?;
        Ok(Replacement {
            asked: output.into(),
            target,
            temporary: Some(temporary),
            permissions: existing.map(|metadata| metadata.permissions()),
        })
    }

    /// Where to write the file.
    pub fn path(&self) -> &Path {
        self.temporary.as_deref().unwrap_or(&self.target)
    }

    /// Makes Ctrl-C, SIGTERM and SIGHUP remove the temporary file before the process ends
    /// (status 130), as a failure would: for a command that takes long to write its output.
    /// Installs the process's one handler of these signals.
    pub fn remove_on_signal(&self) -> Result<(), Failure> {
        let Some(temporary) = self.temporary.clone() else {
            return Ok(());
        };
        ctrlc::set_handler(move || {
            let _ = fs::remove_file(&temporary);
            std::process::exit(130);
        })
        .map_err(|error| {
            Failure::File(format!("cannot handle Ctrl-C, SIGTERM and SIGHUP: {error}"))
        })
    }

    /// Puts the finished file in place of the name asked for.
    pub fn commit(mut self) -> Result<(), Failure> {
        let Some(temporary) = self.temporary.take() else {
            return Ok(());
        };
        let placed = match self.permissions.take() {
            Some(permissions) => fs::set_permissions(&temporary, permissions),
            None => Ok(()),
        }
        .and_then(|()| fs::rename(&temporary, &self.target));
        placed.map_err(|error| {
            let _ = fs::remove_file(&temporary);
            cannot_write(&self.asked, &error)
        })
    }
}

impl Drop for Replacement {
    fn drop(&mut self) {
        if let Some(temporary) = &self.temporary {
            // Nothing to report: the file may never have been written.
            let _ = fs::remove_file(temporary);
        }
    }
}

/// Creates an empty file of a name no other process or call has taken, in `directory`.
fn reserve(directory: &Path, name: &str) -> std::io::Result<PathBuf> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = directory.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(_) => return Ok(path),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(error),
        }
    }
}

/// "cannot write `PATH`: why".
pub fn cannot_write(path: &Path, error: &dyn std::fmt::Display) -> Failure {
    Failure::File(format!("cannot write `{}`: {error}", path.display()))
}
