//! MIDI: standard MIDI files played into a patch ([`mod@file`], [`playback`]) and, with the
//! `ports` feature, live input from a port (`input`); [`live`] feeds either into a playing
//! session. What each message does to a patch is
//! the engine's business: see [`Controller::midi`](patchvm_engine::Controller::midi).

pub mod file;
#[cfg(feature = "ports")]
pub mod input;
pub mod live;
#[cfg(feature = "ports")]
pub mod output;
pub mod playback;
pub mod smf_out;

pub use file::{MidiFileError, MidiSong, SongEvent};
pub use playback::Playback;
pub use smf_out::SmfRecorder;
