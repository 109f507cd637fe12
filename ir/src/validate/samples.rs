//! The sample bank's rules a patch shows by itself: each word once, each a word, each path
//! non-empty (E0121). Folders are listed, and files loaded, by the host.

use crate::diagnostic::{Code, Diagnostic, Diagnostics, push_capped};
use crate::patch::Patch;
use crate::samples::{SampleEntry, is_word};

/// Reports every problem of `patch`'s sample bank into `problems`.
pub(crate) fn check(patch: &Patch, problems: &mut Diagnostics) {
    let mut seen: Vec<&crate::patch::Name> = Vec::new();
    for entry in &patch.samples {
        let path = entry.path();
        if path.text.is_empty() {
            let message = "a sample bank entry names an empty path".to_owned();
            let hint = "write a file as `(bd \"kit/kick.wav\")` or a folder as `\"kit/\"`";
            push_capped(
                problems,
                Diagnostic::new(Code::SampleBank, path.span, message).with_hint(hint),
            );
        }
        let SampleEntry::File { word, .. } = entry else {
            continue;
        };
        if !is_word(&word.text) {
            let message = format!("`{}` is not a sample word", word.text);
            let hint = "start with a letter, then letters, digits, `_`, `-` or `.`";
            push_capped(
                problems,
                Diagnostic::new(Code::SampleBank, word.span, message).with_hint(hint),
            );
        } else if let Some(first) = seen.iter().find(|seen| seen.text == word.text) {
            let message = format!("sample word `{}` is defined twice", word.text);
            push_capped(
                problems,
                Diagnostic::new(Code::SampleBank, word.span, message)
                    .with_label("defined again here")
                    .with_secondary(first.span, "first defined here")
                    .with_hint("give each sample its own word"),
            );
        } else {
            seen.push(word);
        }
    }
}
