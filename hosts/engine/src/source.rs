//! Patch files: reading one from disk in the format its extension names, and keeping its text
//! so that diagnostics can show the lines they point at; and the sub-patch files it uses
//! (`source/subpatches.rs`), read when its instances are expanded, kept beside it.

mod subpatches;

use patchvm_ir::shorthand::resolve;
use patchvm_ir::{Diagnostics, Format, Limits, Patch};
use std::path::{Path, PathBuf};

/// A patch file as read from disk.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user gave it.
    pub path: PathBuf,
    /// The format its extension names.
    pub format: Format,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The sub-patch files its expansion read ([`SourceFile::expand`]), with the offsets their
    /// spans start at; empty until then.
    pub included: Vec<Included>,
}

/// A sub-patch file read for a patch file's expansion.
#[derive(Clone, Debug)]
pub struct Included {
    /// Where its spans start: a diagnostic at or past it (and before the next file's) is in it,
    /// `base` bytes on.
    pub base: u32,
    /// The file.
    pub file: SourceFile,
}

/// Why a patch file could not be turned into a patch.
#[derive(Debug)]
pub enum LoadError {
    /// The extension names no patch format.
    UnknownFormat(PathBuf),
    /// The file could not be read.
    Io(PathBuf, std::io::Error),
    /// The file was read but is not a valid patch.
    Invalid(SourceFile, Diagnostics),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::UnknownFormat(path) => write!(
                f,
                "cannot tell the format of `{}`: use the extension .lisp, .sexp, .json or .msgpack",
                path.display()
            ),
            LoadError::Io(path, error) => write!(f, "cannot read `{}`: {error}", path.display()),
            LoadError::Invalid(source, diagnostics) => write!(
                f,
                "`{}` has {} problem(s)",
                source.path.display(),
                diagnostics.len()
            ),
        }
    }
}

impl std::error::Error for LoadError {}

impl SourceFile {
    /// Reads `path`, never more than one byte past `limits.max_source_bytes`.
    pub fn read(path: &Path, limits: &Limits) -> Result<SourceFile, LoadError> {
        let format =
            Format::from_path(path).ok_or_else(|| LoadError::UnknownFormat(path.into()))?;
        let io_error = |error| LoadError::Io(path.into(), error);
        regular_file(path).map_err(io_error)?;
        // Read at most one byte past the limit, whatever the file's size says, so the reader
        // reports the limit without the whole file ever being in memory.
        use std::io::Read;
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .map_err(io_error)?
            .take(limits.max_source_bytes as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(io_error)?;
        Ok(SourceFile {
            path: path.into(),
            format,
            bytes,
            included: Vec::new(),
        })
    }

    /// The patch the file holds, the ports its shorthand leaves out named from the catalog
    /// (see [`patchvm_ir::shorthand`]), so that what is kept, edited or converted names them.
    /// A port that cannot be named stays empty, for validation to report with the rest.
    pub fn parse(&self, limits: &Limits) -> Result<Patch, Diagnostics> {
        let mut patch = self.format.read(&self.bytes, limits)?;
        let _reported_by_validation = resolve(&mut patch, patchvm_modules::catalog());
        Ok(patch)
    }

    /// `patch` (this file's) with its sub-patch instances expanded (see
    /// [`patchvm_ir::subpatch`]), their files read relative to the folder of the file that
    /// names them and kept in [`SourceFile::included`], also when they have problems.
    pub fn expand(&mut self, patch: Patch, limits: &Limits) -> Result<Patch, Diagnostics> {
        let mut files = subpatches::Files::new(self, limits);
        let root = Some((0, subpatches::name(&self.path)));
        let expanded = patchvm_ir::subpatch::expand(patch, root, &mut files, limits);
        self.included = files.included;
        expanded
    }

    /// The sub-patch files the last expansion read, as reached (what a watch also watches).
    pub fn subpatch_paths(&self) -> impl Iterator<Item = &Path> {
        self.included
            .iter()
            .map(|included| included.file.path.as_path())
    }

    /// The file's text, if it is a text format and valid UTF-8 (spans point into it).
    pub fn text(&self) -> Option<&str> {
        if self.format.is_text() {
            std::str::from_utf8(&self.bytes).ok()
        } else {
            None
        }
    }
}

/// Refuses, before it is opened, a path that is not a regular file (after symbolic links):
/// opening a FIFO for reading blocks until something writes to it, which may be never, and a
/// directory or a device is no file of patches or songs.
pub fn regular_file(path: &Path) -> std::io::Result<()> {
    let kind = std::fs::metadata(path)?.file_type();
    if kind.is_file() {
        return Ok(());
    }
    let what = if kind.is_dir() {
        "a directory"
    } else if is_fifo(&kind) {
        "a named pipe (FIFO)"
    } else {
        "a device or socket"
    };
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("it is {what}, not a regular file"),
    ))
}

#[cfg(unix)]
fn is_fifo(kind: &std::fs::FileType) -> bool {
    std::os::unix::fs::FileTypeExt::is_fifo(kind)
}

#[cfg(not(unix))]
fn is_fifo(_: &std::fs::FileType) -> bool {
    false
}

/// Reads and parses the patch file at `path`, its sub-patch instances expanded: the patch
/// that plays.
pub fn load(path: &Path, limits: &Limits) -> Result<(Patch, SourceFile), LoadError> {
    let (patch, mut source) = load_as_written(path, limits)?;
    match source.expand(patch, limits) {
        Ok(patch) => Ok((patch, source)),
        Err(diagnostics) => Err(LoadError::Invalid(source, diagnostics)),
    }
}

/// Reads and parses the patch file at `path`, its sub-patch instances kept as written (what
/// `convert` rewrites).
pub fn load_as_written(path: &Path, limits: &Limits) -> Result<(Patch, SourceFile), LoadError> {
    let source = SourceFile::read(path, limits)?;
    match source.parse(limits) {
        Ok(patch) => Ok((patch, source)),
        Err(diagnostics) => Err(LoadError::Invalid(source, diagnostics)),
    }
}
