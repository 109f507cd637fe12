//! MIDI: standard MIDI files played into a patch ([`mod@file`], [`playback`]) and, with the
//! `ports` feature, live input from a port (`input`), played at its timestamps ([`timestamps`]);
//! [`live`] feeds either into a playing session. [`clock`] sends the engine's MIDI clock out and follows one in, through a port or
//! a [`clock_log`]. What each message does to a patch is
//! the engine's business: see [`Controller::midi`](patchvm_engine::Controller::midi).

pub mod clock;
pub mod clock_log;
pub mod file;
#[cfg(feature = "ports")]
pub mod input;
pub mod live;
#[cfg(feature = "ports")]
pub mod output;
pub mod playback;
pub mod smf_out;
pub mod timestamps;

pub use file::{MidiFileError, MidiSong, SongEvent};
pub use playback::Playback;
pub use smf_out::SmfRecorder;
