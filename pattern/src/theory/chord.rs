//! [`Chord`]: chord symbols as lead sheets (and tonal, which Strudel reads them with) write
//! them, `C`, `Am7`, `Cmaj7`, `G7`, `Bdim`, `Bm7b5`, `Dsus4`, `C/E`, and their notes.

use super::error::{TheoryError, hint_for};
use super::note::{Accidentals, NoteName};

/// A chord type: the symbols it is written with after the root (the first is its usual one)
/// and its notes in semitones above the root, ascending.
#[derive(Debug)]
struct ChordType {
    symbols: &'static [&'static str],
    steps: &'static [u8],
}

/// Every chord type, with tonal's symbols and the lead-sheet ones Strudel's voicing
/// dictionaries use (`^7`, `h7`).
const TYPES: &[ChordType] = &[
    t(&["", "M", "maj"], &[0, 4, 7]),
    t(&["m", "min", "-"], &[0, 3, 7]),
    t(&["7", "dom"], &[0, 4, 7, 10]),
    t(
        &["maj7", "M7", "Maj7", "ma7", "^7", "^", "Δ", "Δ7"],
        &[0, 4, 7, 11],
    ),
    t(&["m7", "min7", "mi7", "-7"], &[0, 3, 7, 10]),
    t(
        &["mM7", "mMaj7", "m/ma7", "m/maj7", "m^7", "-^7"],
        &[0, 3, 7, 11],
    ),
    t(&["6", "M6", "add6", "add13"], &[0, 4, 7, 9]),
    t(&["m6", "-6"], &[0, 3, 7, 9]),
    t(&["69", "6/9"], &[0, 4, 7, 9, 14]),
    t(&["m69", "m6/9"], &[0, 3, 7, 9, 14]),
    t(&["9"], &[0, 4, 7, 10, 14]),
    t(&["maj9", "M9", "^9", "Δ9"], &[0, 4, 7, 11, 14]),
    t(&["m9", "-9"], &[0, 3, 7, 10, 14]),
    t(&["add9", "Madd9", "add2", "2"], &[0, 4, 7, 14]),
    t(&["madd9", "madd2"], &[0, 3, 7, 14]),
    t(&["11"], &[0, 7, 10, 14, 17]),
    t(&["m11", "-11"], &[0, 3, 7, 10, 14, 17]),
    t(&["13"], &[0, 4, 7, 10, 14, 21]),
    t(&["maj13", "M13", "^13"], &[0, 4, 7, 11, 14, 21]),
    t(&["m13", "-13"], &[0, 3, 7, 10, 14, 21]),
    t(&["7b9"], &[0, 4, 7, 10, 13]),
    t(&["7#9"], &[0, 4, 7, 10, 15]),
    t(&["7#11"], &[0, 4, 7, 10, 18]),
    t(&["7b5"], &[0, 4, 6, 10]),
    t(&["7#5", "aug7", "+7"], &[0, 4, 8, 10]),
    t(&["maj7#5", "M7#5", "^7#5"], &[0, 4, 8, 11]),
    t(&["dim", "°", "o"], &[0, 3, 6]),
    t(&["dim7", "°7", "o7"], &[0, 3, 6, 9]),
    t(&["m7b5", "ø", "ø7", "h7", "h", "-7b5"], &[0, 3, 6, 10]),
    t(&["aug", "+", "+5"], &[0, 4, 8]),
    t(&["sus4", "sus"], &[0, 5, 7]),
    t(&["sus2"], &[0, 2, 7]),
    t(&["7sus4", "7sus"], &[0, 5, 7, 10]),
    t(&["9sus4", "9sus"], &[0, 5, 7, 10, 14]),
    t(&["5"], &[0, 7]),
];

/// A [`ChordType`] in a `const` table.
const fn t(symbols: &'static [&'static str], steps: &'static [u8]) -> ChordType {
    ChordType { symbols, steps }
}

/// A chord: a root, a chord type, and, for a slash chord, the bass note below the root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chord {
    /// The root, in semitones above C (accidentals applied, so `Cb` is -1).
    root: i32,
    /// The index of its type in [`TYPES`].
    kind: usize,
    /// The slash chord's bass, in semitones above C.
    bass: Option<i32>,
}

impl Chord {
    /// Reads a chord symbol: a root (a letter `A`–`G`, either case, then `#` or `b`), a
    /// chord type's symbol (nothing for a major triad, `m`, `7`, `maj7`, `m7b5`, `sus4`, …,
    /// case-sensitive since `M7` and `m7` differ), and optionally `/` and a bass note.
    ///
    /// # Errors
    /// A [`TheoryError`] at the root, the chord type or the bass that is not one.
    pub fn parse(text: &str) -> Result<Chord, TheoryError> {
        let trimmed = text.trim_start();
        let start = text.len() - trimmed.len();
        let symbol = trimmed.trim_end();
        if symbol.is_empty() {
            return Err(TheoryError::new(
                0..text.len(),
                "empty chord symbol".to_owned(),
                "write a root and a chord type, such as `Am7` or `C`".to_owned(),
            ));
        }
        let end = start + symbol.len();
        let first = symbol.chars().next().map_or(0, char::len_utf8);
        let root = NoteName::read(symbol, Accidentals::Signs, false).ok_or_else(|| {
            TheoryError::new(
                start..start + first,
                format!("unknown chord root `{}`", &symbol[..first]),
                "a chord symbol starts with its root: a letter `A` to `G`, then `#` or `b` \
                 for sharp or flat, such as `Bb` in `Bbm7`"
                    .to_owned(),
            )
        })?;
        let rest = &symbol[root.len..];
        let (kind, bass) = match kind_of(rest) {
            Some(kind) => (kind, None),
            None => match rest.rfind('/') {
                Some(slash) => {
                    let bass_at = start + root.len + slash + 1;
                    (
                        kind_or_error(&rest[..slash], start + root.len)?,
                        Some(bass(&text[bass_at..end], bass_at)?),
                    )
                }
                None => (kind_or_error(rest, start + root.len)?, None),
            },
        };
        Ok(Chord {
            root: root.semitone,
            kind,
            bass,
        })
    }

    /// The chord's MIDI notes, ascending: the root in `octave` (C4 = 60, so `Am7` in octave 3
    /// is A3 C4 E4 G4) and the chord type's notes above it, after a slash chord's bass, the
    /// nearest note of its name below the root (`C/E` in octave 3: E2 C3 E3 G3).
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn notes(&self, octave: i32) -> impl Iterator<Item = f64> + '_ {
        let root = (octave + 1) * 12 + self.root;
        let bass = self.bass.map(|bass| {
            let below = (self.root - bass).rem_euclid(12);
            f64::from(root - if below == 0 { 12 } else { below })
        });
        let above = TYPES[self.kind]
            .steps
            .iter()
            .map(move |&step| f64::from(root + i32::from(step)));
        bass.into_iter().chain(above)
    }

    /// The chord type's usual symbol (empty for a major triad).
    pub fn symbol(&self) -> &'static str {
        TYPES[self.kind].symbols[0]
    }
}

/// Every chord type's symbols, aliases included.
pub fn symbols() -> impl Iterator<Item = &'static str> + Clone {
    TYPES.iter().flat_map(|kind| kind.symbols.iter().copied())
}

/// The chord type written `symbol`, if there is one.
fn kind_of(symbol: &str) -> Option<usize> {
    TYPES.iter().position(|kind| kind.symbols.contains(&symbol))
}

/// The chord type written `symbol`, which starts at byte `at` of the text, or the error there.
fn kind_or_error(symbol: &str, at: usize) -> Result<usize, TheoryError> {
    kind_of(symbol).ok_or_else(|| {
        TheoryError::new(
            at..at + symbol.len(),
            format!("unknown chord type `{symbol}`"),
            hint_for(symbol, symbols().filter(|symbol| !symbol.is_empty())),
        )
    })
}

/// The slash chord's bass note `name`, which starts at byte `at`, or the error there.
fn bass(name: &str, at: usize) -> Result<i32, TheoryError> {
    NoteName::read(name, Accidentals::Signs, false)
        .filter(|note| note.len == name.len())
        .map(|note| note.semitone)
        .ok_or_else(|| {
            TheoryError::new(
                at..at + name.len(),
                format!("unknown bass note `{name}` after `/`"),
                "a slash chord's bass is a note name: a letter `A` to `G`, then `#` or `b`, \
                 such as `E` in `C/E`"
                    .to_owned(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::{Chord, TYPES, symbols};

    /// Hand-worked voicings: the symbol, the octave, and the MIDI notes (C4 = 60).
    const VOICINGS: &[(&str, i32, &[f64])] = &[
        ("C", 4, &[60.0, 64.0, 67.0]),
        ("C", 3, &[48.0, 52.0, 55.0]),
        ("Am", 3, &[57.0, 60.0, 64.0]),
        ("Am7", 3, &[57.0, 60.0, 64.0, 67.0]),
        ("Cmaj7", 4, &[60.0, 64.0, 67.0, 71.0]),
        ("C^7", 4, &[60.0, 64.0, 67.0, 71.0]),
        ("G7", 3, &[55.0, 59.0, 62.0, 65.0]),
        ("Bdim", 3, &[59.0, 62.0, 65.0]),
        ("Caug", 4, &[60.0, 64.0, 68.0]),
        ("Dsus4", 4, &[62.0, 67.0, 69.0]),
        ("Fsus2", 3, &[53.0, 55.0, 60.0]),
        ("C6", 4, &[60.0, 64.0, 67.0, 69.0]),
        ("Cm6", 4, &[60.0, 63.0, 67.0, 69.0]),
        ("C9", 4, &[60.0, 64.0, 67.0, 70.0, 74.0]),
        ("Cadd9", 4, &[60.0, 64.0, 67.0, 74.0]),
        ("Bm7b5", 3, &[59.0, 62.0, 65.0, 69.0]),
        ("Bdim7", 3, &[59.0, 62.0, 65.0, 68.0]),
        ("C/E", 3, &[40.0, 48.0, 52.0, 55.0]),
        ("Am7/G", 3, &[55.0, 57.0, 60.0, 64.0, 67.0]),
        ("C/C", 4, &[48.0, 60.0, 64.0, 67.0]),
        ("Bb7", 3, &[58.0, 62.0, 65.0, 68.0]),
        ("F#m", 3, &[54.0, 57.0, 61.0]),
        ("Ebmaj7", 4, &[63.0, 67.0, 70.0, 74.0]),
        ("C6/9", 4, &[60.0, 64.0, 67.0, 69.0, 74.0]),
        ("E5", 2, &[40.0, 47.0]),
        ("Cm9", 4, &[60.0, 63.0, 67.0, 70.0, 74.0]),
        ("G13", 3, &[55.0, 59.0, 62.0, 65.0, 69.0, 76.0]),
        ("Cb", 4, &[59.0, 63.0, 66.0]),
    ];

    #[test]
    fn symbols_sound_their_hand_worked_notes() {
        for &(symbol, octave, notes) in VOICINGS {
            let chord = Chord::parse(symbol).unwrap_or_else(|e| panic!("{symbol}: {e}"));
            assert_eq!(chord.notes(octave).collect::<Vec<_>>(), notes, "{symbol}");
        }
    }

    #[test]
    fn every_symbol_belongs_to_one_chord_type() {
        let mut all: Vec<&str> = symbols().collect();
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), count);
        for kind in TYPES {
            assert!(kind.steps[0] == 0 && kind.steps.windows(2).all(|w| w[0] < w[1]));
        }
        assert_eq!(Chord::parse("Cmaj7").unwrap(), Chord::parse("CM7").unwrap());
        assert_eq!(Chord::parse("CM7").unwrap().symbol(), "maj7");
        assert_ne!(Chord::parse("CM7").unwrap(), Chord::parse("Cm7").unwrap());
    }

    #[test]
    fn mistakes_point_at_their_bytes() {
        let error = Chord::parse("Csus3").unwrap_err();
        assert_eq!(error.range, 1..5);
        assert_eq!(error.message, "unknown chord type `sus3`");
        assert_eq!(error.hint, "did you mean `sus4`?");
        let error = Chord::parse(" Hm7").unwrap_err();
        assert_eq!(
            (error.range, error.message.as_str()),
            (1..2, "unknown chord root `H`")
        );
        let error = Chord::parse("Am7/X").unwrap_err();
        assert_eq!(error.range, 4..5);
        assert_eq!(error.message, "unknown bass note `X` after `/`");
        let error = Chord::parse("Cxx/E").unwrap_err();
        assert_eq!(
            (error.range, error.message.as_str()),
            (1..3, "unknown chord type `xx`")
        );
        let error = Chord::parse("  ").unwrap_err();
        assert_eq!(error.message, "empty chord symbol");
        let error = Chord::parse("é7").unwrap_err();
        assert_eq!(error.range, 0..2);
    }
}
