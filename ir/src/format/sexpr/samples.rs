//! The sample bank section in S-expression form:
//! `(samples (bd "kit/kick.wav") (sd "kit/snare.wav") "drums/")`.

use super::syntax::{Atom, Sexp};
use super::{Reader, name, write_name};
use crate::diagnostic::{Code, Diagnostic, push_capped};
use crate::patch::Name;
use crate::samples::SampleEntry;

const EXAMPLE: &str = r#"(samples (bd "kit/kick.wav") "drums/")"#;

impl Reader<'_> {
    /// `(samples ENTRY …)`, its items after `samples`.
    pub(super) fn samples(&mut self, items: impl Iterator<Item = Sexp>) -> Vec<SampleEntry> {
        items.filter_map(|form| self.sample_entry(form)).collect()
    }

    /// `(WORD "PATH")` or `"PATH"`.
    fn sample_entry(&mut self, form: Sexp) -> Option<SampleEntry> {
        let span = form.span();
        let found = form.describe();
        match form {
            Sexp::Atom(Atom::Text(text), span) => {
                return Some(SampleEntry::Folder {
                    path: Name { text, span },
                });
            }
            Sexp::List(parts, _) => {
                if let Ok([word, path]) = <[Sexp; 2]>::try_from(parts)
                    && let Some(word) = name(word)
                    && let Sexp::Atom(Atom::Text(text), span) = path
                {
                    return Some(SampleEntry::File {
                        word,
                        path: Name { text, span },
                    });
                }
            }
            _ => {}
        }
        let message =
            format!("expected a sample `(WORD \"PATH\")` or a folder `\"PATH\"`, found {found}");
        push_capped(
            &mut self.problems,
            Diagnostic::new(Code::SampleBank, span, message)
                .with_hint(format!("write `{EXAMPLE}`")),
        );
        None
    }
}

/// Writes `(samples ENTRY …)`, an entry to a line.
pub(super) fn write_samples(out: &mut String, samples: &[SampleEntry]) {
    out.push_str("\n  (samples");
    for entry in samples {
        out.push_str("\n    ");
        match entry {
            SampleEntry::File { word, path } => {
                out.push('(');
                write_name(out, &word.text);
                out.push(' ');
                super::write_string(out, &path.text);
                out.push(')');
            }
            SampleEntry::Folder { path } => super::write_string(out, &path.text),
        }
    }
    out.push(')');
}
