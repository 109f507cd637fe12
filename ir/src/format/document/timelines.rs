//! The timelines section in the document shape JSON and MessagePack share:
//!
//! ```text
//! "timelines": { "main": { "bpm": 120, "tempo": [{ "step": 32, "bpm": 140 }],
//!                          "clips": [{ "id": "c1", "file": "kick.wav", "position": 4,
//!                                      "gain": -6, "loop": false, "follow": "next" }] } }
//! ```
//!
//! A clip is the map issue 17's C ABI sends; its keys go to the one clip reader both formats
//! share (`timelines/read.rs`), a boolean as the text `true` or `false`.

use super::{Converter, Entry, Item, ItemKind, ValueDocument};
use crate::diagnostic::{Code, Diagnostic, push_capped};
use crate::format::guard;
use crate::patch::{Name, Value, ValueKind};
use crate::span::Span;
use crate::timelines::{ClipField, Timeline, clip_fields, clip_from_fields};
use crate::transport::Transport;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

const KEYS: [&str; 3] = ["bpm", "tempo", "clips"];
const EXAMPLE: &str = r#""timelines": { "main": { "bpm": 120, "clips": [{ "id": "c1", "file": "kick.wav", "position": 4 }] } }"#;

impl Converter<'_> {
    /// The `timelines` section; what is not a map of timelines is reported and left out.
    pub(super) fn timelines(&mut self, value: Item) -> Result<Vec<Timeline>, Diagnostic> {
        let ItemKind::Map(entries) = value.kind else {
            let found = self.describe(&value.kind);
            let message = format!(
                "expected `timelines` to be {}, found {found}",
                self.words.map
            );
            self.timeline_problem(value.span, message, format!("write `{EXAMPLE}`"));
            return Ok(Vec::new());
        };
        let mut timelines = Vec::with_capacity(entries.len());
        for Entry { key, value } in entries {
            if let Some(timeline) = self.timeline(key, value)? {
                timelines.push(timeline);
            }
        }
        Ok(timelines)
    }

    fn timeline(&mut self, name: Name, value: Item) -> Result<Option<Timeline>, Diagnostic> {
        let span = name.span.to(value.span);
        let ItemKind::Map(entries) = value.kind else {
            let found = self.describe(&value.kind);
            let message = format!(
                "expected timeline `{}` to be {}, found {found}",
                name.text, self.words.map
            );
            self.timeline_problem(value.span, message, format!("write `{EXAMPLE}`"));
            return Ok(None);
        };
        let mut timeline = Timeline {
            name,
            tempo: Transport {
                span,
                ..Transport::default()
            },
            clips: Vec::new(),
            span,
        };
        for Entry { key, value } in entries {
            match key.text.as_str() {
                "bpm" => match value.kind {
                    ItemKind::Number(bpm) if bpm.is_finite() => {
                        timeline.tempo.bpm = bpm;
                        timeline.tempo.bpm_span = key.span.to(value.span);
                    }
                    _ => self.timeline_problem(
                        value.span,
                        "a timeline's `bpm` takes a number".to_owned(),
                        "write quarter notes per minute, e.g. `\"bpm\": 120`",
                    ),
                },
                "tempo" => {
                    let ItemKind::List(items) = value.kind else {
                        let message = format!(
                            "expected a timeline's `tempo` to be {} of tempo changes",
                            self.words.list
                        );
                        let hint = r#"write `[{ "step": 32, "bpm": 140 }]`"#;
                        self.timeline_problem(value.span, message, hint);
                        continue;
                    };
                    for item in items {
                        if timeline.tempo.tempo.len() == self.limits.max_tempo_changes {
                            return Err(guard::too_many_tempo_changes(self.limits, item.span));
                        }
                        if let Some(change) = self.tempo_change(item) {
                            timeline.tempo.tempo.push(change);
                        }
                    }
                }
                "clips" => {
                    let ItemKind::List(items) = value.kind else {
                        let message =
                            format!("expected `clips` to be {} of clips", self.words.list);
                        self.timeline_problem(value.span, message, format!("write `{EXAMPLE}`"));
                        continue;
                    };
                    for item in items {
                        if let Some(clip) = self.clip(item) {
                            timeline.clips.push(clip);
                        }
                    }
                }
                other => {
                    let message = format!("unknown key `{other}` in a timeline");
                    self.timeline_problem(key.span, message, guard::choices(other, &KEYS));
                }
            }
        }
        Ok(Some(timeline))
    }

    fn clip(&mut self, item: Item) -> Option<crate::timelines::Clip> {
        let span = item.span;
        let ItemKind::Map(entries) = item.kind else {
            let found = self.describe(&item.kind);
            let message = format!("expected a clip to be {}, found {found}", self.words.map);
            self.timeline_problem(span, message, format!("write `{EXAMPLE}`"));
            return None;
        };
        let fields = entries
            .into_iter()
            .map(|Entry { key, value }| ClipField {
                key,
                value: clip_value(value),
            })
            .collect();
        clip_from_fields(fields, span, &mut self.problems)
    }

    fn timeline_problem(&mut self, span: Span, message: String, hint: impl Into<String>) {
        push_capped(
            &mut self.problems,
            Diagnostic::new(Code::Timeline, span, message).with_hint(hint),
        );
    }
}

/// An item as a clip's value: booleans as the texts `true` and `false`; a map or null as an
/// empty list, which no clip key takes (reported by the clip reader).
fn clip_value(item: Item) -> Value {
    let kind = match item.kind {
        ItemKind::Number(number) => ValueKind::Number(number),
        ItemKind::Text(text) => ValueKind::Text(text),
        ItemKind::Other("`true`") => ValueKind::Text("true".to_owned()),
        ItemKind::Other("`false`") => ValueKind::Text("false".to_owned()),
        ItemKind::List(items) => ValueKind::List(items.into_iter().map(clip_value).collect()),
        ItemKind::Map(_) | ItemKind::Other(_) => ValueKind::List(Vec::new()),
    };
    Value {
        kind,
        span: item.span,
        escapes: Vec::new(),
    }
}

/// The timelines for any serde serializer: a map of names to timelines.
pub(super) struct TimelinesDocument<'p>(pub(super) &'p [Timeline]);

impl Serialize for TimelinesDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for timeline in self.0 {
            map.serialize_entry(&timeline.name.text, &TimelineDocument(timeline))?;
        }
        map.end()
    }
}

struct TimelineDocument<'p>(&'p Timeline);

impl Serialize for TimelineDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let timeline = self.0;
        let len = 2 + usize::from(!timeline.tempo.tempo.is_empty());
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("bpm", &timeline.tempo.bpm)?;
        if !timeline.tempo.tempo.is_empty() {
            map.serialize_entry("tempo", &super::transport::Changes(&timeline.tempo.tempo))?;
        }
        map.serialize_entry("clips", &Clips(timeline))?;
        map.end()
    }
}

struct Clips<'p>(&'p Timeline);

impl Serialize for Clips<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.clips.len()))?;
        for clip in &self.0.clips {
            seq.serialize_element(&ClipDocument(clip_fields(clip)))?;
        }
        seq.end()
    }
}

struct ClipDocument(Vec<(&'static str, ValueKind)>);

impl Serialize for ClipDocument {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            match (key, value) {
                (&"loop", _) => map.serialize_entry(key, &true)?,
                _ => map.serialize_entry(key, &ValueDocument(value))?,
            }
        }
        map.end()
    }
}
