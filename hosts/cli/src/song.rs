//! `--midi FILE`: a standard MIDI file read for `render` and `play`, a corrupt one refused
//! and one without notes warned about, since either would otherwise play silence unremarked.

use crate::failure::Failure;
use patchvm::midi::{MidiSong, file};
use std::path::Path;

/// Reads the MIDI file at `path` for `sample_rate`; warns on stderr if it holds no notes.
pub fn load(path: &Path, sample_rate: f64) -> Result<MidiSong, Failure> {
    let song = file::load(path, sample_rate)
        .map_err(|error| Failure::File(format!("cannot play `{}`: {error}", path.display())))?;
    if song.note_count() == 0 {
        eprintln!(
            "warning: `{}` holds no notes, so it plays none",
            path.display()
        );
    }
    Ok(song)
}
