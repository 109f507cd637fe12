//! The checks of the pattern modules' text inputs: a mistake in a pattern, a scale, a chord
//! or a mode is a [`TextProblem`] at its bytes, so the validator reports it at the exact
//! character of the patch.

use patchvm_ir::text::{TextInfo, TextProblem, TextSpec};
use patchvm_pattern::mini::{ParseError, Pattern, Value};
use patchvm_pattern::theory::{ArpMode, Chord, Scale, TheoryError};

/// `pattern` of `seq.pattern`: mini-notation whose words name the outputs `word0`….
pub(crate) static PATTERN: TextSpec = TextSpec {
    default: "c3",
    check: pattern,
    outputs: Some("word"),
    audio_file: false,
};

/// `scale` of `seq.pattern`: empty (numbers are MIDI notes) or a scale name.
pub(crate) static SCALE: TextSpec = TextSpec {
    default: "",
    check: scale,
    outputs: None,
    audio_file: false,
};

/// `vel` of `seq.pattern`: mini-notation of velocities.
pub(crate) static VELOCITY: TextSpec = TextSpec {
    default: "1",
    check: velocity,
    outputs: None,
    audio_file: false,
};

/// `chord` of `seq.arp`: mini-notation of chord symbols.
pub(crate) static CHORDS: TextSpec = TextSpec {
    default: "C",
    check: chords,
    outputs: None,
    audio_file: false,
};

/// `mode` of `seq.arp`: one of the arpeggiator's modes.
pub(crate) static MODE: TextSpec = TextSpec {
    default: "up",
    check: mode,
    outputs: None,
    audio_file: false,
};

/// A pattern's parse error as a text problem.
fn parse_problem(error: ParseError) -> TextProblem {
    TextProblem::new(error.range, error.message).with_hint(error.hint)
}

/// A scale's or chord's error as a text problem, `offset` bytes into the text.
fn theory_problem(error: TheoryError, offset: usize) -> TextProblem {
    let range = error.range.start + offset..error.range.end + offset;
    TextProblem::new(range, error.message).with_hint(error.hint)
}

/// A pattern: its words that are no chord symbols (the chords play notes, not outputs), or
/// where it does not parse.
fn pattern(text: &str) -> Result<TextInfo, TextProblem> {
    let pattern = Pattern::parse(text).map_err(parse_problem)?;
    let words = pattern
        .words()
        .iter()
        .filter(|word| Chord::parse(word).is_err());
    Ok(TextInfo::new(words.cloned().collect()))
}

/// The output place (`word0`…) of each of `pattern`'s words, as [`PATTERN`]'s check names
/// them: the words that are no chord symbols, in order; `None` for a chord.
pub(super) fn word_outputs(pattern: &Pattern) -> Vec<Option<usize>> {
    let mut next = 0;
    pattern
        .words()
        .iter()
        .map(|word| {
            Chord::parse(word).is_err().then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

/// A scale name, or nothing.
fn scale(text: &str) -> Result<TextInfo, TextProblem> {
    if !text.trim().is_empty() {
        Scale::parse(text).map_err(|error| theory_problem(error, 0))?;
    }
    Ok(TextInfo::default())
}

/// A pattern of velocities.
fn velocity(text: &str) -> Result<TextInfo, TextProblem> {
    Pattern::parse(text).map_err(parse_problem)?;
    Ok(TextInfo::default())
}

/// A pattern of chords: every word a chord symbol (a note or number is a major triad).
fn chords(text: &str) -> Result<TextInfo, TextProblem> {
    let pattern = Pattern::parse(text).map_err(parse_problem)?;
    for word in pattern.words() {
        if let Err(error) = Chord::parse(word) {
            let at = word_at(text, word);
            return Err(theory_problem(error, at));
        }
    }
    Ok(TextInfo::default())
}

/// Where `word` first stands alone in `text`: not inside a longer word.
pub(in crate::kernels) fn word_at(text: &str, word: &str) -> usize {
    let part = |c: char| c.is_alphanumeric() || "#/_.".contains(c);
    text.match_indices(word)
        .map(|(at, _)| at)
        .find(|&at| {
            let before = text[..at].chars().next_back().is_none_or(|c| !part(c));
            let after = text[at + word.len()..]
                .chars()
                .next()
                .is_none_or(|c| !part(c));
            before && after
        })
        .unwrap_or(0)
}

/// An arpeggiator mode's name.
fn mode(text: &str) -> Result<TextInfo, TextProblem> {
    match ArpMode::parse(text.trim()) {
        Some(_) => Ok(TextInfo::default()),
        None => {
            let names: Vec<&str> = ArpMode::ALL.iter().map(|mode| mode.name()).collect();
            Err(
                TextProblem::new(0..text.len(), format!("unknown arp mode `{text}`"))
                    .with_hint(format!("write one of {}", names.join(", "))),
            )
        }
    }
}

/// The notes each of `pattern`'s words plays as a chord (`None` for a word that is no chord
/// symbol, a drum name), in octave 3 (`Am7` is A3 C4 E4 G4).
pub(super) fn chord_notes(pattern: &Pattern) -> Vec<Option<Vec<f64>>> {
    pattern
        .words()
        .iter()
        .map(|word| {
            Chord::parse(word)
                .ok()
                .map(|chord| chord.notes(3).collect())
        })
        .collect()
}

/// The MIDI notes a step's value plays on its own: a note, a number (a scale degree when
/// there is a scale), or nothing for a word.
pub(super) fn pitch(value: Value, scale: Option<&Scale>) -> Option<f64> {
    match value {
        Value::Note(note) => Some(note),
        Value::Number(n) => Some(scale.map_or(n, |scale| scale.degree(n.round() as i64))),
        Value::Word(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{CHORDS, MODE, PATTERN, SCALE, VELOCITY};

    #[test]
    fn mistakes_are_reported_at_their_bytes() {
        let open = (PATTERN.check)("bd [sd hh").unwrap_err();
        assert_eq!(open.range, 3..4, "{open:?}");
        assert_eq!((PATTERN.check)("bd*2 sd bd").unwrap().names, ["bd", "sd"]);
        assert_eq!((SCALE.check)("").unwrap().names.len(), 0);
        let scale = (SCALE.check)("d dorain").unwrap_err();
        assert_eq!(&"d dorain"[scale.range.clone()], "dorain", "{scale:?}");
        assert!((VELOCITY.check)("1 0.5 [").is_err());
        let chord = (CHORDS.check)("<Am7 Dm7 Xq G7>").unwrap_err();
        assert_eq!(chord.range, 9..10, "{chord:?}");
        assert!((CHORDS.check)("<Am7 Dm7 G7 Cmaj7>").is_ok());
        let mode = (MODE.check)("sideways").unwrap_err();
        assert_eq!(mode.range, 0..8);
        assert!(mode.hint.unwrap().contains("updown"));
    }
}
