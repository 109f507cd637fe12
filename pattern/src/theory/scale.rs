//! [`Scale`]: a root and a scale type, named as Strudel (through tonal) names them, `"d
//! dorian"`, `"c4 major"`, `"a:minor:pentatonic"`, and its degrees as MIDI notes.

use super::error::{TheoryError, hint_for, one_of};
use super::note::{Accidentals, DEFAULT_OCTAVE, NoteName};

/// A scale type: its names (the first is the one [`Scale::name`] gives) and its notes in
/// semitones above the root, ascending, within the octave.
#[derive(Debug)]
struct ScaleType {
    names: &'static [&'static str],
    steps: &'static [u8],
}

/// Every scale type, with tonal's names and aliases (the dictionary Strudel's `scale` reads),
/// the commonest first so that a hint listing them starts with what most people want.
const TYPES: &[ScaleType] = &[
    t(&["major", "ionian"], &[0, 2, 4, 5, 7, 9, 11]),
    t(&["minor", "aeolian"], &[0, 2, 3, 5, 7, 8, 10]),
    t(&["dorian"], &[0, 2, 3, 5, 7, 9, 10]),
    t(&["phrygian"], &[0, 1, 3, 5, 7, 8, 10]),
    t(&["lydian"], &[0, 2, 4, 6, 7, 9, 11]),
    t(&["mixolydian", "dominant"], &[0, 2, 4, 5, 7, 9, 10]),
    t(&["locrian"], &[0, 1, 3, 5, 6, 8, 10]),
    t(&["harmonic minor"], &[0, 2, 3, 5, 7, 8, 11]),
    t(&["melodic minor"], &[0, 2, 3, 5, 7, 9, 11]),
    t(&["major pentatonic", "pentatonic"], &[0, 2, 4, 7, 9]),
    t(&["minor pentatonic"], &[0, 3, 5, 7, 10]),
    t(&["minor blues", "blues"], &[0, 3, 5, 6, 7, 10]),
    t(&["major blues"], &[0, 2, 3, 4, 7, 9]),
    t(&["whole tone"], &[0, 2, 4, 6, 8, 10]),
    t(&["chromatic"], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    t(&["harmonic major"], &[0, 2, 4, 5, 7, 8, 11]),
    t(&["minor hexatonic"], &[0, 2, 3, 5, 7, 11]),
    t(&["augmented"], &[0, 3, 4, 7, 8, 11]),
    t(
        &["diminished", "whole-half diminished"],
        &[0, 2, 3, 5, 6, 8, 9, 11],
    ),
    t(
        &["half-whole diminished", "dominant diminished"],
        &[0, 1, 3, 4, 6, 7, 9, 10],
    ),
    t(&["bebop"], &[0, 2, 4, 5, 7, 9, 10, 11]),
    t(&["bebop major"], &[0, 2, 4, 5, 7, 8, 9, 11]),
    t(&["bebop minor"], &[0, 2, 3, 4, 5, 7, 9, 10]),
    t(&["altered", "super locrian"], &[0, 1, 3, 4, 6, 8, 10]),
    t(&["locrian #2", "half-diminished"], &[0, 2, 3, 5, 6, 8, 10]),
    t(&["lydian dominant", "lydian b7"], &[0, 2, 4, 6, 7, 9, 10]),
    t(
        &["phrygian dominant", "spanish", "phrygian major"],
        &[0, 1, 4, 5, 7, 8, 10],
    ),
    t(&["double harmonic major", "gypsy"], &[0, 1, 4, 5, 7, 8, 11]),
    t(&["hungarian minor"], &[0, 2, 3, 6, 7, 8, 11]),
    t(&["ritusen"], &[0, 2, 5, 7, 9]),
    t(&["egyptian"], &[0, 2, 5, 7, 10]),
    t(&["hirajoshi"], &[0, 2, 3, 7, 8]),
    t(&["kumoijoshi"], &[0, 1, 5, 7, 8]),
    t(&["iwato"], &[0, 1, 5, 6, 10]),
    t(&["in-sen"], &[0, 1, 5, 7, 10]),
    t(&["pelog"], &[0, 1, 3, 7, 8]),
];

/// A [`ScaleType`] in a `const` table.
const fn t(names: &'static [&'static str], steps: &'static [u8]) -> ScaleType {
    ScaleType { names, steps }
}

/// A scale: a root note and the notes of a scale type above it, repeating every octave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scale {
    /// The root's MIDI note (degree 0).
    root: i32,
    /// The index of its type in [`TYPES`].
    kind: usize,
}

impl Scale {
    /// Reads `"root type"`: a note name (octave 3 if it gives none, so `"d dorian"` starts on
    /// D3 = 50 and `"c4 major"` on middle C) and a scale type's name, the words separated by
    /// spaces or `:` (Strudel's form inside patterns, `"c:minor:pentatonic"`), in either case.
    ///
    /// # Errors
    /// A [`TheoryError`] at the root that is not a note, or at the type no scale is called.
    pub fn parse(text: &str) -> Result<Scale, TheoryError> {
        let mut words = words(text);
        let Some(root) = words.next() else {
            return Err(TheoryError::new(
                0..text.len(),
                "empty scale".to_owned(),
                "write a root and a scale type, such as `d dorian` or `c4 major`".to_owned(),
            ));
        };
        let note = NoteName::read(&text[root.clone()], Accidentals::Letters, true)
            .filter(|note| note.len == root.len())
            .ok_or_else(|| {
                TheoryError::new(
                    root.clone(),
                    format!("unknown scale root `{}`", &text[root.clone()]),
                    "a scale starts with its root note: a letter `a` to `g`, then `#` or `b` \
                     for sharp or flat, then an optional octave, such as `eb4`"
                        .to_owned(),
                )
            })?;
        let name_words: Vec<_> = words.collect();
        let (Some(first), Some(last)) = (name_words.first(), name_words.last()) else {
            return Err(TheoryError::new(
                root.clone(),
                format!("scale `{}` has no type", &text[root]),
                format!("{} after the root", one_of(names())),
            ));
        };
        let name = name_words
            .iter()
            .map(|word| text[word.clone()].to_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        let kind = TYPES
            .iter()
            .position(|kind| kind.names.contains(&name.as_str()))
            .ok_or_else(|| {
                TheoryError::new(
                    first.start..last.end,
                    format!("unknown scale type `{name}`"),
                    hint_for(&name, names()),
                )
            })?;
        Ok(Scale {
            root: note.midi(DEFAULT_OCTAVE),
            kind,
        })
    }

    /// The MIDI note of degree `i`, counted from 0 at the root: degrees past the scale's
    /// length go up by octaves and negative ones down (`-1` is the note below the root).
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn degree(&self, i: i64) -> f64 {
        let steps = self.steps();
        let len = steps.len() as i64;
        let step = steps[i.rem_euclid(len) as usize];
        f64::from(self.root) + 12.0 * i.div_euclid(len) as f64 + f64::from(step)
    }

    /// The chord of `size` notes built in thirds of this scale on `degree`: its degrees
    /// `degree`, `degree + 2`, `degree + 4`, … (size 3 a triad, 4 a seventh chord), ascending.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn chord(&self, degree: i64, size: usize) -> impl Iterator<Item = f64> + '_ {
        (0..size as i64).map(move |third| self.degree(degree.saturating_add(2 * third)))
    }

    /// The root's MIDI note.
    pub fn root(&self) -> f64 {
        f64::from(self.root)
    }

    /// The scale type's name (its first name where it has several).
    pub fn name(&self) -> &'static str {
        TYPES[self.kind].names[0]
    }

    /// The notes of one octave, in semitones above the root.
    pub fn steps(&self) -> &'static [u8] {
        TYPES[self.kind].steps
    }
}

/// Every scale type's names, aliases included.
pub fn names() -> impl Iterator<Item = &'static str> + Clone {
    TYPES.iter().flat_map(|kind| kind.names.iter().copied())
}

/// The byte ranges of `text`'s words, separated by whitespace or `:`.
fn words(text: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let separator = |c: char| c.is_whitespace() || c == ':';
    text.char_indices()
        .filter(move |&(at, c)| {
            !separator(c) && text[..at].chars().next_back().is_none_or(separator)
        })
        .map(move |(start, _)| {
            let len = text[start..].find(separator).unwrap_or(text.len() - start);
            start..start + len
        })
}

#[cfg(test)]
mod tests {
    use super::{Scale, TYPES, names};

    fn degrees(scale: &str, range: std::ops::Range<i64>) -> Vec<f64> {
        let scale = Scale::parse(scale).unwrap();
        range.map(|i| scale.degree(i)).collect()
    }

    #[test]
    fn degrees_are_midi_notes_from_the_root() {
        // D3 = 50; dorian is W H W W W H W: D E F G A B C.
        assert_eq!(
            degrees("d dorian", 0..8),
            [50.0, 52.0, 53.0, 55.0, 57.0, 59.0, 60.0, 62.0]
        );
        assert_eq!(
            degrees("c4 major", 0..8),
            [60.0, 62.0, 64.0, 65.0, 67.0, 69.0, 71.0, 72.0]
        );
        // A3 = 57: A C D E G.
        assert_eq!(
            degrees("a minor pentatonic", 0..6),
            [57.0, 60.0, 62.0, 64.0, 67.0, 69.0]
        );
        assert_eq!(degrees("a:minor:pentatonic", 0..2), [57.0, 60.0]);
        assert_eq!(degrees("Eb4 Harmonic Minor", 6..8), [74.0, 75.0]);
        assert_eq!(
            degrees("f#2 blues", 0..7),
            [42.0, 45.0, 47.0, 48.0, 49.0, 52.0, 54.0]
        );
        assert_eq!(degrees("c4 whole tone", 5..7), [70.0, 72.0]);
        assert_eq!(degrees("c4 chromatic", 11..13), [71.0, 72.0]);
        assert_eq!(degrees("g3 mixolydian", 6..7), [65.0]);
        assert_eq!(degrees("b3 locrian", 4..5), [65.0]);
        assert_eq!(degrees("f3 lydian", 3..4), [59.0]);
        assert_eq!(degrees("e3 phrygian", 1..2), [53.0]);
        assert_eq!(degrees("a3 melodic minor", 5..7), [66.0, 68.0]);
    }

    #[test]
    fn degrees_wrap_by_octaves_both_ways() {
        // C4 major below the root: B3 A3 G3 …; -7 is C3, -8 B2.
        assert_eq!(
            degrees("c4 major", -8..0),
            [47.0, 48.0, 50.0, 52.0, 53.0, 55.0, 57.0, 59.0]
        );
        assert_eq!(degrees("c4 major", 14..15), [84.0]);
        assert_eq!(degrees("c4 minor pentatonic", -5..-4), [48.0]);
        let far = Scale::parse("c4 major").unwrap();
        assert_eq!(far.degree(7_000), 60.0 + 12_000.0);
        assert!(far.degree(i64::MIN).is_finite());
    }

    #[test]
    fn chords_of_a_scale_stack_its_thirds() {
        let c = Scale::parse("c4 major").unwrap();
        let chord = |degree, size| c.chord(degree, size).collect::<Vec<_>>();
        // I = C E G, ii7 = D F A C, V7 = G B D F, vii° = B D F.
        assert_eq!(chord(0, 3), [60.0, 64.0, 67.0]);
        assert_eq!(chord(1, 4), [62.0, 65.0, 69.0, 72.0]);
        assert_eq!(chord(4, 4), [67.0, 71.0, 74.0, 77.0]);
        assert_eq!(chord(6, 3), [71.0, 74.0, 77.0]);
        // Below the root: degree -2 is A3, so vi = A3 C4 E4.
        assert_eq!(chord(-2, 3), [57.0, 60.0, 64.0]);
        let a = Scale::parse("a minor").unwrap();
        assert_eq!(a.chord(0, 4).collect::<Vec<_>>(), [57.0, 60.0, 64.0, 67.0]);
    }

    #[test]
    fn names_and_aliases_give_the_same_scale() {
        for (name, alias) in [
            ("major", "ionian"),
            ("minor", "aeolian"),
            ("minor blues", "blues"),
            ("major pentatonic", "pentatonic"),
        ] {
            let (a, b) = (
                Scale::parse(&format!("c {name}")).unwrap(),
                Scale::parse(&format!("c {alias}")).unwrap(),
            );
            assert_eq!(a, b);
            assert_eq!(b.name(), name);
        }
        for kind in TYPES {
            assert!(kind.steps[0] == 0 && kind.steps.windows(2).all(|w| w[0] < w[1]));
            assert!(kind.steps.iter().all(|&s| s < 12));
        }
        let mut all: Vec<&str> = names().collect();
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), count, "a name belongs to one scale");
    }

    #[test]
    fn mistakes_point_at_their_bytes() {
        let error = Scale::parse("d dorain").unwrap_err();
        assert_eq!(error.range, 2..8);
        assert_eq!(error.message, "unknown scale type `dorain`");
        assert_eq!(error.hint, "did you mean `dorian`?");
        let error = Scale::parse("  c4  minor  pentatonc ").unwrap_err();
        assert_eq!(error.range, 6..22);
        assert_eq!(error.hint, "did you mean `minor pentatonic`?");
        let error = Scale::parse("h major").unwrap_err();
        assert_eq!(
            (error.range, error.message.as_str()),
            (0..1, "unknown scale root `h`")
        );
        let error = Scale::parse("c44 major").unwrap_err();
        assert_eq!(error.range, 0..3);
        let error = Scale::parse("c4").unwrap_err();
        assert_eq!(
            (error.range, error.message.as_str()),
            (0..2, "scale `c4` has no type")
        );
        assert!(
            error
                .hint
                .starts_with("expected one of `major`, `ionian`, `minor`")
        );
        let error = Scale::parse(" ").unwrap_err();
        assert_eq!((error.range, error.message.as_str()), (0..1, "empty scale"));
        let error = Scale::parse("c qqqqqqqqqqq").unwrap_err();
        assert!(error.hint.starts_with("expected one of"), "{}", error.hint);
    }
}
