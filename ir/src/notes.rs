//! Note streams: how notes travel between nodes as ordinary signals.
//!
//! The VM carries only signals, so a note stream is a fixed bundle of [`NOTE_LANES`] lanes,
//! each two signals:
//!
//! - `pitch`: the MIDI note number (fractions allowed), held after the note ends;
//! - `gate`: the note's velocity (above 0, at most 1) while it is on, 0 while it is off. A
//!   new note on a lane that is busy is one sample of 0, then the new velocity, so every note
//!   begins with a rise.
//!
//! A module that emits notes declares the outputs [`lane_port`] names, in lane order
//! (`notes0.pitch`, `notes0.gate`, `notes1.pitch` … `notes7.gate`; [`LANE_PORTS`]). A voice
//! template takes a stream at its implicit `notes` port: `(seq1 "notes" -> pad "notes")`
//! connects every lane, and `(c1 "out" -> pad "notes2.gate")` one lane's signal. The
//! expansion gives each voice copy an allocator node (the catalog's
//! [`Part::NoteSlot`](crate::Part::NoteSlot)) that reads every lane and plays its own voice's
//! note into the template's `freq`, `gate`, `vel`, `note` and `trig` inputs (see
//! [`mod@crate::voices`]).
//!
//! ```
//! use patchvm_ir::notes::{Signal, lane_of, lane_port};
//! assert_eq!(lane_port(2, Signal::Gate), "notes2.gate");
//! assert_eq!(lane_of("notes7.pitch"), Some((7, Signal::Pitch)));
//! assert_eq!(lane_of("notes8.pitch"), None);
//! ```

/// How many notes one stream carries at once.
pub const NOTE_LANES: usize = 8;

/// The port through which a voice template takes a whole note stream, and the name of a
/// module's stream output.
pub const STREAM: &str = "notes";

/// The template inputs a note slot drives, by the name the template declares them under.
pub const SLOT_OUTPUTS: [&str; 5] = ["freq", "gate", "vel", "note", "trig"];

/// One of a lane's two signals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// The MIDI note number.
    Pitch = 0,
    /// The velocity while on, 0 while off.
    Gate = 1,
}

/// Every lane's ports, in order: `LANE_PORTS[lane][signal as usize]`. Static, so that a
/// module's spec can name them.
pub const LANE_PORTS: [[&str; 2]; NOTE_LANES] = [
    ["notes0.pitch", "notes0.gate"],
    ["notes1.pitch", "notes1.gate"],
    ["notes2.pitch", "notes2.gate"],
    ["notes3.pitch", "notes3.gate"],
    ["notes4.pitch", "notes4.gate"],
    ["notes5.pitch", "notes5.gate"],
    ["notes6.pitch", "notes6.gate"],
    ["notes7.pitch", "notes7.gate"],
];

/// The port of `signal` of lane `lane` (below [`NOTE_LANES`]).
pub fn lane_port(lane: usize, signal: Signal) -> &'static str {
    LANE_PORTS[lane][signal as usize]
}

/// The lane and signal a port names, if it is one of [`LANE_PORTS`].
pub fn lane_of(port: &str) -> Option<(usize, Signal)> {
    LANE_PORTS.iter().enumerate().find_map(|(lane, ports)| {
        ports
            .iter()
            .position(|&p| p == port)
            .map(|s| (lane, if s == 0 { Signal::Pitch } else { Signal::Gate }))
    })
}

/// Whether `port` of a voice template takes notes: the whole stream or one lane's signal.
pub fn is_note_port(port: &str) -> bool {
    port == STREAM || lane_of(port).is_some()
}
