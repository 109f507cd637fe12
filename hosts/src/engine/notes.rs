//! Notes, minimally: a monophonic binding of note on/off to two parameters. Voices (several
//! notes at once) are a later issue; this is enough to play a patch from a keyboard.

/// Which parameters notes drive: `(node id, input)` pairs, each optional.
///
/// A note on sets `freq` to the note's frequency (equal temperament, A4 = note 69 = 440 Hz)
/// and `gate` to its velocity over 127; a note off sets `gate` to 0 — unless other notes are
/// still held, in which case `freq` goes back to the last of them (last-note priority, as a
/// monophonic synthesizer does).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoteBinding {
    /// The input that takes the note's frequency in Hz, e.g. `("osc1", "freq")`.
    pub freq: Option<(String, String)>,
    /// The input that takes the gate: velocity / 127 while held, 0 when released, e.g.
    /// `("env1", "gate")`.
    pub gate: Option<(String, String)>,
}

/// The frequency of MIDI note `note` in Hz.
pub fn note_hz(note: u8) -> f32 {
    440.0 * 2f32.powf((f32::from(note) - 69.0) / 12.0)
}

/// The notes held, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Held {
    notes: Vec<u8>,
}

/// What a note on or off does to the bound parameters.
#[derive(Debug, PartialEq)]
pub(crate) struct NoteChange {
    pub(crate) freq: Option<f32>,
    pub(crate) gate: Option<f32>,
}

impl Held {
    pub(crate) fn on(&mut self, note: u8, velocity: u8) -> NoteChange {
        self.notes.retain(|&held| held != note);
        self.notes.push(note);
        NoteChange {
            freq: Some(note_hz(note)),
            gate: Some(f32::from(velocity.min(127)) / 127.0),
        }
    }

    pub(crate) fn off(&mut self, note: u8) -> NoteChange {
        let was_last = self.notes.last() == Some(&note);
        self.notes.retain(|&held| held != note);
        match (was_last, self.notes.last()) {
            (false, _) => NoteChange {
                freq: None,
                gate: None,
            },
            (true, Some(&previous)) => NoteChange {
                freq: Some(note_hz(previous)),
                gate: None,
            },
            (true, None) => NoteChange {
                freq: None,
                gate: Some(0.0),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_released_note_falls_back_to_the_last_one_held() {
        let mut held = Held::default();
        held.on(60, 127);
        held.on(64, 64);
        assert_eq!(
            held.off(60),
            NoteChange {
                freq: None,
                gate: None
            }
        );
        held.on(67, 100);
        assert_eq!(held.off(67).freq, Some(note_hz(64)));
        assert_eq!(held.off(64).gate, Some(0.0));
        assert_eq!(note_hz(69), 440.0);
        assert_eq!(note_hz(81), 880.0);
    }
}
