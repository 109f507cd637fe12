//! Note names as Strudel reads them: a letter `a`–`g` (either case), accidentals (`#` or `s`
//! sharp, `b` or `f` flat, any number), an optional octave; `c4` is middle C, MIDI 60.

/// A note name read from the start of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NoteName {
    /// Semitones above C of the octave, accidentals applied (so `cb` is -1 and `b#` 12).
    pub(crate) semitone: i32,
    /// The octave, if the name gives one.
    pub(crate) octave: Option<i32>,
    /// The bytes the name takes.
    pub(crate) len: usize,
}

/// Which accidentals a name may carry: chord symbols know only `#` and `b`, since a letter
/// after the root starts the chord's quality there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Accidentals {
    /// `#`, `s`, `b` and `f`, as in Strudel's note names.
    Letters,
    /// `#` and `b` only.
    Signs,
}

/// The octave a name without one is in (Strudel's default).
pub(crate) const DEFAULT_OCTAVE: i32 = 3;

/// The highest octave a name may give: MIDI stays within an `f64`'s exact integers anyway,
/// but a note above octave 9 is no note anyone plays.
const MAX_OCTAVE: i32 = 9;

impl NoteName {
    /// The note name at the start of `text`, if there is one; the octave is read only when
    /// `octave` allows it.
    pub(crate) fn read(text: &str, accidentals: Accidentals, octave: bool) -> Option<NoteName> {
        let bytes = text.as_bytes();
        let mut semitone = match bytes.first()?.to_ascii_lowercase() {
            b'c' => 0,
            b'd' => 2,
            b'e' => 4,
            b'f' => 5,
            b'g' => 7,
            b'a' => 9,
            b'b' => 11,
            _ => return None,
        };
        let mut len = 1;
        while let Some(&byte) = bytes.get(len) {
            semitone += match (byte, accidentals) {
                (b'#', _) | (b's', Accidentals::Letters) => 1,
                (b'b', _) | (b'f', Accidentals::Letters) => -1,
                _ => break,
            };
            len += 1;
        }
        let digits = if octave {
            bytes[len..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count()
        } else {
            0
        };
        let octave = match digits {
            0 => None,
            1 => Some(i32::from(bytes[len] - b'0')).filter(|&o| o <= MAX_OCTAVE),
            _ => return None,
        };
        Some(NoteName {
            semitone,
            octave,
            len: len + digits,
        })
    }

    /// The MIDI note of this name, in its own octave or else in `octave`.
    pub(crate) fn midi(self, octave: i32) -> i32 {
        (self.octave.unwrap_or(octave) + 1) * 12 + self.semitone
    }
}

#[cfg(test)]
mod tests {
    use super::{Accidentals, NoteName};

    fn midi(text: &str) -> Option<(i32, usize)> {
        NoteName::read(text, Accidentals::Letters, true).map(|n| (n.midi(3), n.len))
    }

    #[test]
    fn names_read_as_strudel_reads_them() {
        assert_eq!(midi("c4"), Some((60, 2)));
        assert_eq!(midi("C4"), Some((60, 2)));
        assert_eq!(midi("a4"), Some((69, 2)));
        assert_eq!(midi("c"), Some((48, 1)), "octave 3 by default");
        assert_eq!(midi("eb3"), Some((51, 3)));
        assert_eq!(midi("f#5"), Some((78, 3)));
        assert_eq!(midi("fs5"), Some((78, 3)));
        assert_eq!(midi("bf2"), Some((46, 3)));
        assert_eq!(midi("cb4"), Some((59, 3)));
        assert_eq!(midi("b#3"), Some((60, 3)));
        assert_eq!(midi("c0"), Some((12, 2)));
        assert_eq!(midi("d dorian"), Some((50, 1)));
        assert_eq!(midi("h4"), None);
        assert_eq!(midi("c12"), None, "two-digit octaves");
        assert_eq!(midi(""), None);
    }

    #[test]
    fn chord_roots_take_only_signs_and_no_octave() {
        let root = |text| NoteName::read(text, Accidentals::Signs, false);
        assert_eq!(root("Bbm7").map(|n| (n.semitone, n.len)), Some((10, 2)));
        assert_eq!(root("Fsus2").map(|n| (n.semitone, n.len)), Some((5, 1)));
        assert_eq!(
            root("C7").map(|n| (n.semitone, n.len, n.octave)),
            Some((0, 1, None))
        );
    }
}
