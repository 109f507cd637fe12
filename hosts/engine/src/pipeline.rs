//! The pipeline every host runs a patch through: read → validate → compile → build → verify.
//!
//! [`Prepared`] is a patch past every check that does not allocate a kernel: validated,
//! compiled at its settings, its kernels' memory within the limits. From there an offline host
//! builds an [`Instance`] ([`Prepared::instantiate`]: kernels built, program verified), and a
//! live host reads the program's channels to open its backend before it hands the patch to a
//! [`Controller`](crate::Controller). Hosts call this rather than the stages, so each stage's
//! checks, and the order their problems are reported in, are the same for all of them.

use crate::audio_files::Resolved;
use crate::instance::{Instance, Settings, load_audio, prepare};
use crate::source::{self, LoadError, SourceFile};
use patchvm_audio::AudioFiles;
use patchvm_compiler::Compiled;
use patchvm_ir::{Diagnostics, Limits, Patch};
use patchvm_vm::Program;
use std::path::{Path, PathBuf};

/// A patch validated and compiled at its settings, ready to be built.
#[derive(Debug)]
pub struct Prepared {
    patch: Patch,
    compiled: Compiled<'static>,
    settings: Settings,
    /// The audio files it names, decoded at its rate.
    audio: Resolved,
}

impl Prepared {
    /// Validates and compiles `patch` at `settings`, checks that its kernels' memory fits
    /// `limits`, and loads the audio files it names, relative to the working directory (a
    /// patch from standard input or text has no folder of its own). Allocates no kernel.
    pub fn new(
        patch: Patch,
        settings: &Settings,
        limits: &Limits,
    ) -> Result<Prepared, Diagnostics> {
        Prepared::in_folder(patch, settings, limits, Path::new(""))
    }

    /// As [`new`](Prepared::new), with the audio files' paths relative to `folder`.
    pub fn in_folder(
        mut patch: Patch,
        settings: &Settings,
        limits: &Limits,
        folder: &Path,
    ) -> Result<Prepared, Diagnostics> {
        patchvm_ir::timelines::play_implicitly(&mut patch);
        let compiled = prepare(&patch, settings, limits)?;
        let audio = load_audio(&patch, &compiled, folder, settings, limits)?;
        // The patch kept names every port the shorthand left out: validation named them all.
        let _named_since_valid =
            patchvm_ir::shorthand::resolve(&mut patch, patchvm_modules::catalog());
        Ok(Prepared {
            patch,
            compiled,
            settings: *settings,
            audio,
        })
    }

    /// Reads the patch file at `path` (its format from its extension), then as
    /// [`in_folder`](Prepared::in_folder) the file's folder. The file comes back with it, so
    /// that diagnostics found later can show its lines; a patch it does not make is
    /// [`LoadError::Invalid`] with the file.
    pub fn read(
        path: &Path,
        settings: &Settings,
        limits: &Limits,
    ) -> Result<(Prepared, SourceFile), LoadError> {
        let (patch, source) = source::load(path, limits)?;
        match Prepared::in_folder(patch, settings, limits, &folder_of(path)) {
            Ok(prepared) => Ok((prepared, source)),
            Err(diagnostics) => Err(LoadError::Invalid(source, diagnostics)),
        }
    }

    /// Builds every kernel and verifies the program against them: a runnable instance.
    pub fn instantiate(self) -> Result<Instance, Diagnostics> {
        Instance::from_compiled(
            self.compiled,
            &self.settings,
            &self.audio.files,
            &self.patch.timelines,
        )
    }

    /// The decoded audio files its kernels are built with, by the names the patch uses.
    pub fn audio(&self) -> &AudioFiles {
        &self.audio.files
    }

    /// The files on disk its audio comes from, as resolved (what a watch also watches).
    pub fn audio_paths(&self) -> &[PathBuf] {
        &self.audio.paths
    }

    /// The compiled program (its channels, inputs, instructions).
    pub fn program(&self) -> &Program {
        &self.compiled.program
    }

    /// The compiled patch, with the nodes its kernels are built from.
    pub fn compiled(&self) -> &Compiled<'static> {
        &self.compiled
    }

    /// The settings it was compiled at.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The patch, every port the shorthand left out named: what [`crate::warnings`] reads.
    pub fn patch(&self) -> &Patch {
        &self.patch
    }

    /// The patch, for a live engine to play (which compiles it again, against the program
    /// already playing).
    pub fn into_patch(self) -> Patch {
        self.patch
    }
}

/// The folder the relative audio paths of the patch file at `path` resolve against: the
/// file's own (empty, the working directory, for a bare file name).
pub fn folder_of(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}
