//! The sample bank section: words that name audio files, for pattern players and samplers.
//!
//! `(samples (bd "kit/kick.wav") (sd "kit/snare.wav") "drums/")`: a `(WORD PATH)` entry names
//! one file; a bare path names a folder whose audio files (WAV, AIFF, FLAC, MP3, Ogg) are
//! words by their names without extension, taken in sorted order. Paths are relative to the
//! patch file's folder; the host lists folders and loads files (the engine, as
//! `AudioFiles::insert_word`), so a folder that is not one is found there. Validation checks
//! what the patch alone shows: each word once, each word a word (`validate/samples.rs`).

use crate::patch::Name;

/// One entry of the sample bank.
#[derive(Clone, Debug, PartialEq)]
pub enum SampleEntry {
    /// `(WORD "PATH")`: one file under one word.
    File {
        /// The word a pattern uses.
        word: Name,
        /// The file's path as written, with its span (quotes included).
        path: Name,
    },
    /// `"PATH"`: every audio file in a folder, each under its name without extension.
    Folder {
        /// The folder's path as written, with its span.
        path: Name,
    },
}

impl SampleEntry {
    /// The path the entry names, file or folder.
    pub fn path(&self) -> &Name {
        match self {
            SampleEntry::File { path, .. } | SampleEntry::Folder { path } => path,
        }
    }
}

/// The extensions of the audio files a folder entry takes, lowercase.
pub const AUDIO_EXTENSIONS: [&str; 9] = [
    "wav", "wave", "aif", "aiff", "aifc", "flac", "mp3", "ogg", "oga",
];

/// Whether `word` may name a sample: a letter, then letters, digits, `_`, `-` or `.` (what
/// mini-notation reads as one word).
pub fn is_word(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}
