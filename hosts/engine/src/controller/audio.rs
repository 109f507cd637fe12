//! The controller's audio files: where the patch's paths resolve, which files it reads, and
//! the cache that keeps them decoded across reloads.

use super::Controller;
use patchvm_audio::AudioCache;
use std::path::{Path, PathBuf};

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

    /// The cache of decoded audio files (how much it holds, how often it decoded).
    pub fn audio_cache(&self) -> &AudioCache {
        &self.audio
    }
}
