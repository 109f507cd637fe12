//! Audio files loaded by id, as the Atome C ABI loads them: each decoded into the controller's
//! cache at once (so a missing or unreadable file is reported by the load, not by a later
//! clip) and held while the engine lives, so placing it as a clip decodes nothing. Clips name
//! a file by its path in the patch; the ids are the host's names for those paths.

use super::Controller;
use crate::audio_files::unusable;
use crate::error::EngineError;
use patchvm_ir::{Patch, Span};
use patchvm_vm::audio::AudioData;
use std::path::PathBuf;
use std::sync::{Arc, PoisonError};

/// One file loaded by id.
#[derive(Clone, Debug)]
pub struct LoadedFile {
    /// The host's id for it.
    pub id: String,
    /// Its path, made absolute when loaded, which clips placed from the id name.
    pub path: PathBuf,
    /// Its samples at the engine's rate, held so the cache keeps them.
    pub data: Arc<AudioData>,
}

impl LoadedFile {
    /// The path as the text clips write.
    pub fn path_text(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }

    /// Its length in seconds at the engine's rate.
    pub fn seconds(&self) -> f64 {
        self.data.frames() as f64 / self.data.sample_rate()
    }
}

impl Controller {
    /// Decodes the audio file at `path` (relative to the working directory, or absolute) into
    /// the cache under `id`. Loading an id again replaces its file, and the clips that named
    /// the old one play the new one (a swap). A file that cannot be used is an E0120 naming it
    /// and why; the files loaded before stay as they were.
    pub fn load_audio_file(&mut self, id: &str, path: &str) -> Result<&LoadedFile, EngineError> {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| PathBuf::from(path));
        let data = self
            .audio
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .load(&absolute, self.settings.sample_rate)
            .map_err(|error| EngineError::Invalid(vec![unusable(&absolute, &error, Span::NONE)]))?;
        let loaded = LoadedFile {
            id: id.to_owned(),
            path: absolute,
            data,
        };
        let at = match self.files.iter().position(|file| file.id == id) {
            Some(at) => {
                let old = self.files[at].path_text();
                if let Some(patch) = self.patch.clone()
                    && let Some(moved) = moved_clips(patch, &old, &loaded.path_text())
                {
                    self.edited(moved)?;
                }
                self.files[at] = loaded;
                at
            }
            None => {
                self.files.push(loaded);
                self.files.len() - 1
            }
        };
        Ok(&self.files[at])
    }

    /// The files loaded by id, in the order first loaded.
    pub fn loaded_files(&self) -> &[LoadedFile] {
        &self.files
    }

    /// The file loaded under `id`, if any.
    pub fn loaded_file(&self, id: &str) -> Option<&LoadedFile> {
        self.files.iter().find(|file| file.id == id)
    }
}

/// `patch` with every clip naming `old` naming `new` instead, or `None` if no clip names it.
fn moved_clips(mut patch: Patch, old: &str, new: &str) -> Option<Patch> {
    let mut moved = false;
    for clip in patch.timelines.iter_mut().flat_map(|t| t.clips.iter_mut()) {
        if clip.file.text == old && old != new {
            clip.file.text = new.to_owned();
            moved = true;
        }
    }
    moved.then_some(patch)
}
