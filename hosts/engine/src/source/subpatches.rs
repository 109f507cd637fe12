//! Sub-patch files read from disk for [`patchvm_ir::subpatch::expand`]: each path relative to
//! the folder of the file that names it, each file read and parsed once, its text kept (its
//! spans moved past every file before it) so that diagnostics inside it show its own lines.

use super::{Included, SourceFile};
use patchvm_ir::subpatch::{Library, SubpatchFile, shift, shift_spans};
use patchvm_ir::{Diagnostics, Limits, Patch};
use std::path::{Path, PathBuf};

/// The files one expansion reads, the file expanded first (id 0).
pub(super) struct Files<'a> {
    limits: &'a Limits,
    /// Each file's path as reached (the root's as given) and as the file system resolves it.
    paths: Vec<(PathBuf, Option<PathBuf>)>,
    /// Each file's patch or problems, by id (the root's is never asked for).
    parsed: Vec<Result<Patch, Diagnostics>>,
    /// The texts read, for diagnostics.
    pub(super) included: Vec<Included>,
    /// Where the next file's spans start.
    next_base: u32,
}

impl<'a> Files<'a> {
    /// The files reached from `root`, whose spans end before `root.bytes.len()`.
    pub(super) fn new(root: &SourceFile, limits: &'a Limits) -> Files<'a> {
        Files {
            limits,
            paths: vec![(root.path.clone(), std::fs::canonicalize(&root.path).ok())],
            parsed: vec![Ok(Patch::default())],
            included: Vec::new(),
            next_base: base_after(0, root.bytes.len()),
        }
    }

    fn read(&mut self, path: PathBuf, resolved: PathBuf) -> Result<usize, String> {
        let source = SourceFile::read(&path, self.limits).map_err(|error| match error {
            super::LoadError::Io(_, io) if io.kind() == std::io::ErrorKind::NotFound => {
                "no such file".to_owned()
            }
            super::LoadError::Io(_, io) => lowercase(&io.to_string()),
            other => lowercase(&other.to_string()),
        })?;
        let base = self.next_base;
        self.next_base = base_after(base, source.bytes.len());
        let parsed = match source.parse(self.limits) {
            Ok(mut patch) => {
                shift_spans(&mut patch, base);
                Ok(patch)
            }
            Err(mut problems) => {
                for problem in &mut problems {
                    shift(&mut problem.primary.span, base);
                    for label in &mut problem.secondary {
                        shift(&mut label.span, base);
                    }
                }
                Err(problems)
            }
        };
        self.included.push(Included { base, file: source });
        self.paths.push((path, Some(resolved)));
        self.parsed.push(parsed);
        Ok(self.paths.len() - 1)
    }
}

impl Library for Files<'_> {
    fn open(&mut self, from: Option<usize>, path: &str) -> Result<SubpatchFile, String> {
        let user = &self.paths[from.unwrap_or(0)].0;
        let full = crate::folder_of(user).join(path);
        let resolved = std::fs::canonicalize(&full).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_owned(),
            _ => lowercase(&error.to_string()),
        })?;
        let known = self
            .paths
            .iter()
            .position(|(_, known)| known.as_deref() == Some(&resolved));
        let id = match known {
            Some(id) => id,
            None => self.read(full, resolved)?,
        };
        Ok(SubpatchFile {
            id,
            name: name(&self.paths[id].0),
            patch: self.parsed[id].clone(),
        })
    }
}

/// The file as messages name it.
pub(super) fn name(path: &Path) -> String {
    path.display().to_string()
}

/// Where a file's spans start after one of `len` bytes starting at `base`: a byte on, so an
/// empty span at one's end is not the next one's start.
fn base_after(base: u32, len: usize) -> u32 {
    let len = u32::try_from(len).unwrap_or(u32::MAX);
    base.saturating_add(len).saturating_add(1)
}

/// An operating system's message (`No such file or directory`) as a diagnostic's words.
fn lowercase(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
