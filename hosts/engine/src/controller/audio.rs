//! The controller's audio files: where the patch's paths resolve, which files it reads, and
//! the cache that keeps them decoded across reloads — which an [`AudioLoader`] fills ahead of
//! a reload, so the controller's lock is never held while a file is read and decoded.

use super::Controller;
use crate::audio_files::{self, Resolved};
use crate::instance::{Settings, prepare_edit};
use patchvm_audio::{AudioCache, AudioFiles};
use patchvm_compiler::CompileOptions;
use patchvm_ir::{Limits, Patch};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

impl Controller {
    /// Resolves the audio paths of patches loaded from now on against `folder` (the patch
    /// file's folder; empty, the default, for the working directory).
    /// [`load_file`](Controller::load_file) sets it itself.
    pub fn set_folder(&mut self, folder: impl Into<PathBuf>) {
        self.folder = folder.into();
    }

    /// The folder the patch's audio paths resolve against.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The files on disk the program playing reads audio from, as resolved: what a watch
    /// watches beside the patch.
    pub fn audio_paths(&self) -> &[PathBuf] {
        &self.audio_files.paths
    }

    /// The decoded audio the program playing was built with, by the names the patch uses.
    pub fn audio_files(&self) -> &AudioFiles {
        &self.audio_files.files
    }

    /// The cache of decoded audio files (how much it holds, how often it decoded).
    pub fn audio_cache(&self) -> MutexGuard<'_, AudioCache> {
        self.audio.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What another control thread needs to decode a patch's audio files into this
    /// controller's cache without holding the controller's lock.
    pub fn audio_loader(&self) -> AudioLoader {
        AudioLoader {
            cache: Arc::clone(&self.audio),
            folder: self.folder.clone(),
            takes: self.recordings.paths.clone(),
            settings: self.settings.instance(),
            limits: self.limits.clone(),
            options: CompileOptions {
                never_fold: self.never_fold.clone(),
                ..CompileOptions::default()
            },
        }
    }
}

/// Decodes the audio files a patch names into a controller's cache, ahead of loading the
/// patch: the load then finds every file decoded, and only checks each file's size and
/// modification time while it holds the controller's lock.
#[derive(Clone, Debug)]
pub struct AudioLoader {
    cache: Arc<Mutex<AudioCache>>,
    folder: PathBuf,
    /// The recordings' files by id, which clips may name.
    takes: BTreeMap<String, PathBuf>,
    settings: Settings,
    limits: Limits,
    options: CompileOptions,
}

impl AudioLoader {
    /// Decodes every audio file `patch` names (those it can: the load reports the others).
    /// Keep what it returns until the patch is loaded, so the cache keeps the files for it.
    pub fn load(&self, patch: &Patch) -> HeldAudio {
        let Ok(prepared) = prepare_edit(patch, &self.settings, &self.limits, &self.options) else {
            return HeldAudio::default();
        };
        let resolved = audio_files::resolve(
            patch,
            &prepared.compiled.kernels,
            (&self.folder, &self.takes),
            self.settings.sample_rate,
            &mut self.cache.lock().unwrap_or_else(PoisonError::into_inner),
        );
        HeldAudio {
            resolved: resolved.unwrap_or_default(),
        }
    }
}

/// The audio an [`AudioLoader`] decoded for a patch, held until the patch is loaded.
#[derive(Debug, Default)]
pub struct HeldAudio {
    resolved: Resolved,
}

impl HeldAudio {
    /// The files the patch reads, as resolved (empty if one of them cannot be used).
    pub fn paths(&self) -> &[PathBuf] {
        &self.resolved.paths
    }
}
