//! The check that every word a `seq.samples` pattern plays names a sample of the patch's bank
//! (E0122, at the word's characters).
//!
//! A text check cannot make it: it sees the pattern alone, and the bank (the patch's
//! `samples` section, decoded) reaches only the build. So the engine calls [`check`] when it
//! builds a patch with its [`AudioFiles`], before any kernel is made, and refuses the patch as
//! it refuses any other mistake.

use crate::catalog;
use crate::kernels::patterns::checks::word_at;
use patchvm_ir::shorthand::resolved;
use patchvm_ir::suggest::hint_for;
use patchvm_ir::{Code, Diagnostic, Diagnostics, Node, Patch, ValueKind};
use patchvm_pattern::mini::Pattern;
use patchvm_vm::audio::AudioFiles;

/// The module whose pattern words name the bank's samples, and its pattern input.
const MODULE: &str = super::SAMPLES.spec.name;
const INPUT: &str = "pattern";

/// Every word of a `seq.samples` pattern of `patch` (its voice templates' included) that
/// `audio`'s bank does not have, each at its characters, once per node.
///
/// ```
/// use patchvm_ir::Limits;
/// use patchvm_ir::format::sexpr;
/// use patchvm_modules::kernels::sampler::bank;
/// use patchvm_vm::audio::{AudioData, AudioFiles};
/// use std::sync::Arc;
/// let text = r#"(patch (drums seq.samples "kick ~ snar ~") (-> drums out) (out output))"#;
/// let patch = sexpr::read(text, &Limits::default()).unwrap();
/// let mut bank = AudioFiles::default();
/// for word in ["kick", "snare"] {
///     bank.insert_word(word, Arc::new(AudioData::new(48_000.0, vec![vec![0.0]]).unwrap()));
/// }
/// let problems = bank::check(&patch, &bank);
/// assert_eq!(problems.len(), 1);
/// assert_eq!(problems[0].code.as_str(), "E0122");
/// assert_eq!(&text[problems[0].primary.span.range()], "snar");
/// assert_eq!(problems[0].hint.as_deref(), Some("did you mean `snare`?"));
/// ```
pub fn check(patch: &Patch, audio: &AudioFiles) -> Diagnostics {
    let (patch, _) = resolved(patch, catalog());
    let words: Vec<&str> = audio.words().collect();
    let templates = patch.voices.iter().flat_map(|template| &template.nodes);
    let mut problems = Vec::new();
    for node in patch.nodes.iter().chain(templates) {
        missing(node, audio, &words, &mut problems);
    }
    problems
}

/// The problems of `node`, if it plays the bank.
fn missing(node: &Node, audio: &AudioFiles, words: &[&str], problems: &mut Diagnostics) {
    if node.module.text != MODULE {
        return;
    }
    let Some(value) = node
        .params
        .iter()
        .find(|param| param.name.text == INPUT)
        .map(|param| &param.value)
    else {
        return;
    };
    let ValueKind::Text(text) = &value.kind else {
        return;
    };
    let Ok(pattern) = Pattern::parse(text) else {
        return;
    };
    for word in pattern.words() {
        if audio.word(word).is_some() {
            continue;
        }
        let at = word_at(text, word);
        let hint = match words.is_empty() {
            true => format!(
                "the patch has no sample bank: add `(samples ({word} \"path/to/{word}.wav\"))`"
            ),
            false => hint_for(word, words),
        };
        let message = format!(
            "`{word}` in the pattern of `{}` is not a sample of the bank",
            node.id.text
        );
        problems.push(
            Diagnostic::new(
                Code::SampleWord,
                value.text_span(at..at + word.len()),
                message,
            )
            .with_label("no such sample")
            .with_hint(hint),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use patchvm_ir::Limits;
    use patchvm_ir::format::sexpr;
    use patchvm_vm::audio::{AudioData, AudioFiles};
    use std::sync::Arc;

    fn bank(words: &[&str]) -> AudioFiles {
        let mut bank = AudioFiles::default();
        for &word in words {
            let data = AudioData::new(48_000.0, vec![vec![0.5]]).unwrap();
            bank.insert_word(word, Arc::new(data));
        }
        bank
    }

    /// The source text under each problem's span, and its hint.
    fn problems(text: &str, words: &[&str]) -> Vec<(String, String)> {
        let patch = sexpr::read(text, &Limits::default()).unwrap();
        check(&patch, &bank(words))
            .into_iter()
            .inspect(|problem| assert_eq!(problem.code.as_str(), "E0122"))
            .map(|problem| {
                let at = &text[problem.primary.span.range()];
                (at.to_owned(), problem.hint.unwrap_or_default())
            })
            .collect()
    }

    #[test]
    fn every_missing_word_is_reported_at_its_characters_templates_included() {
        let text = r#"(patch
  (a seq.samples "bd bdx [hh sd]")
  (-> a out) (out output)
  (voice v (nodes (b seq.samples (pattern "<cp oh>")))
    (outputs (out b "out"))))"#;
        let found = problems(text, &["bd", "hh", "oh"]);
        let at: Vec<&str> = found.iter().map(|(at, _)| at.as_str()).collect();
        // `bdx` is found whole, not inside `bd`, and `bd` not inside `bdx`.
        assert_eq!(at, ["bdx", "sd", "cp"]);
        assert_eq!(found[0].1, "did you mean `bd`?");
        assert_eq!(found[1].1, "expected one of `bd`, `hh`, `oh`");
        let offset = text.find("bdx").unwrap();
        let patch = sexpr::read(text, &Limits::default()).unwrap();
        let first = &check(&patch, &bank(&["bd", "hh", "oh"]))[0];
        assert_eq!(first.primary.span.range(), offset..offset + 3);
        assert!(first.message.contains("`bdx`") && first.message.contains("`a`"));
    }

    #[test]
    fn without_a_bank_the_hint_says_how_to_make_one_and_a_full_bank_passes() {
        let text = r#"(patch (a seq.samples "bd ~") (-> a out) (out output))"#;
        let found = problems(text, &[]);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains(r#"(samples (bd "#), "{}", found[0].1);
        assert!(problems(text, &["bd"]).is_empty());
        // Other modules' patterns are not the bank's.
        let other = r#"(patch (a seq.pattern "zz ~") (-> a "zz" out) (out output))"#;
        assert!(problems(other, &[]).is_empty());
    }
}
