//! The sample bank section in the document shape JSON and MessagePack share:
//!
//! ```text
//! "samples": { "bd": "kit/kick.wav", "sd": "kit/snare.wav" }
//! "samples": [ "drums/", { "bd": "kit/kick.wav" } ]
//! ```
//!
//! A map of words to files, or a list whose strings are folders and whose maps are words;
//! entries keep the order written, so a bank converts between formats unchanged.

use super::{Converter, Entry, Item, ItemKind};
use crate::diagnostic::{Code, Diagnostic, push_capped};
use crate::patch::Name;
use crate::samples::SampleEntry;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

const EXAMPLE: &str = r#""samples": [ "drums/", { "bd": "kit/kick.wav" } ]"#;

impl Converter<'_> {
    /// The `samples` section; what is not a map or a list of folders and maps is reported
    /// and left out.
    pub(super) fn samples(&mut self, value: Item) -> Vec<SampleEntry> {
        let mut entries = Vec::new();
        match value.kind {
            ItemKind::Map(words) => self.sample_words(words, &mut entries),
            ItemKind::List(items) => {
                for item in items {
                    match item.kind {
                        ItemKind::Text(text) => entries.push(SampleEntry::Folder {
                            path: Name {
                                text,
                                span: item.span,
                            },
                        }),
                        ItemKind::Map(words) => self.sample_words(words, &mut entries),
                        other => {
                            let found = self.describe(&other);
                            let message = format!(
                                "expected a folder (a string) or {} of words to files, found {found}",
                                self.words.map
                            );
                            self.sample_problem(item.span, message);
                        }
                    }
                }
            }
            other => {
                let found = self.describe(&other);
                let message = format!(
                    "expected `samples` to be {} of words to files or a list, found {found}",
                    self.words.map
                );
                self.sample_problem(value.span, message);
            }
        }
        entries
    }

    /// `{ WORD: "PATH", … }` appended to `entries`.
    fn sample_words(&mut self, words: Vec<Entry>, entries: &mut Vec<SampleEntry>) {
        for Entry { key, value } in words {
            let ItemKind::Text(text) = value.kind else {
                let found = self.describe(&value.kind);
                let message = format!("expected sample `{}` to be a path, found {found}", key.text);
                self.sample_problem(value.span, message);
                continue;
            };
            entries.push(SampleEntry::File {
                word: key,
                path: Name {
                    text,
                    span: value.span,
                },
            });
        }
    }

    fn sample_problem(&mut self, span: crate::span::Span, message: String) {
        push_capped(
            &mut self.problems,
            Diagnostic::new(Code::SampleBank, span, message)
                .with_hint(format!("write `{EXAMPLE}`")),
        );
    }
}

/// The sample bank for any serde serializer: a map when it has no folder, else a list of
/// folders and maps of consecutive words.
pub(super) struct SamplesDocument<'p>(pub(super) &'p [SampleEntry]);

impl Serialize for SamplesDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entries = self.0;
        if entries
            .iter()
            .all(|e| matches!(e, SampleEntry::File { .. }))
        {
            return Words(entries).serialize(serializer);
        }
        let groups: Vec<&[SampleEntry]> = entries
            .chunk_by(|a, b| {
                matches!(a, SampleEntry::File { .. }) && matches!(b, SampleEntry::File { .. })
            })
            .collect();
        let mut list = serializer.serialize_seq(Some(groups.len()))?;
        for group in groups {
            match group {
                [SampleEntry::Folder { path }] => list.serialize_element(&path.text)?,
                words => list.serialize_element(&Words(words))?,
            }
        }
        list.end()
    }
}

/// Consecutive `File` entries as one map of words to paths.
struct Words<'p>(&'p [SampleEntry]);

impl Serialize for Words<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for entry in self.0 {
            if let SampleEntry::File { word, path } = entry {
                map.serialize_entry(&word.text, &path.text)?;
            }
        }
        map.end()
    }
}
