//! The monophonic side of notes: the stack of keys held (last-note priority), which drives
//! `voice` nodes outside a voice template and the [`NoteBinding`] a host chooses.

/// Which parameters notes drive besides the patch's voices: `(node id, input)` pairs, each
/// optional.
///
/// A note on sets `freq` to the note's frequency (equal temperament at the patch's tuning,
/// A4 = note 69 = 440 Hz unless the patch says otherwise, pitch bend included) and `gate` to
/// its velocity over 127; a note off sets `gate` to 0 — unless other notes are still held,
/// in which case `freq` goes back to the last of them (last-note priority, as a monophonic
/// synthesizer does).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoteBinding {
    /// The input that takes the note's frequency in Hz, e.g. `("osc1", "freq")`.
    pub freq: Option<(String, String)>,
    /// The input that takes the gate: velocity / 127 while held, 0 when released, e.g.
    /// `("env1", "gate")`.
    pub gate: Option<(String, String)>,
}

/// The frequency of MIDI note `note` in Hz, with A4 at 440 Hz.
pub fn note_hz(note: u8) -> f32 {
    super::performance::pitch_hz(f64::from(note), 440.0)
}

/// The notes held, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Held {
    notes: Vec<u8>,
}

impl Held {
    /// Presses `note` (again, if it was held: it becomes the last).
    pub(crate) fn on(&mut self, note: u8) {
        self.notes.retain(|&held| held != note);
        self.notes.push(note);
    }

    /// Releases `note`.
    pub(crate) fn off(&mut self, note: u8) {
        self.notes.retain(|&held| held != note);
    }

    /// The note that sounds: the last pressed of those held.
    pub(crate) fn last(&self) -> Option<u8> {
        self.notes.last().copied()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.notes.is_empty()
    }

    /// Releases every note.
    pub(crate) fn clear(&mut self) {
        self.notes.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_released_note_falls_back_to_the_last_one_held() {
        let mut held = Held::default();
        held.on(60);
        held.on(64);
        held.off(60);
        assert_eq!(held.last(), Some(64));
        held.on(67);
        held.off(67);
        assert_eq!(held.last(), Some(64));
        held.off(64);
        assert!(held.is_empty());
        assert_eq!(note_hz(69), 440.0);
        assert_eq!(note_hz(81), 880.0);
    }
}
