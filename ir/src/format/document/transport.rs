//! The transport section in the document shape JSON and MessagePack share:
//!
//! ```text
//! "transport": { "bpm": 120, "meter": [4, 4],
//!                "tempo": [ { "step": 32, "bpm": 140 }, { "ramp": 64, "bpm": 90 } ] }
//! ```
//!
//! Every key is optional (`bpm` and `meter` take their defaults); a tempo change has `bpm`
//! and exactly one of `step` and `ramp`, the beat it reaches that tempo at.

use super::{Converter, Entry, Item, ItemKind};
use crate::diagnostic::{Code, Diagnostic, push_capped};
use crate::format::guard;
use crate::span::Span;
use crate::transport::{Meter, TempoChange, TempoShape, Transport};
use crate::validate::transport::meter_problem;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

const KEYS: [&str; 3] = ["bpm", "meter", "tempo"];
const CHANGE_KEYS: [&str; 3] = ["step", "ramp", "bpm"];
const EXAMPLE: &str =
    r#""transport": { "bpm": 120, "meter": [4, 4], "tempo": [{ "step": 32, "bpm": 140 }] }"#;
const CHANGE_EXAMPLE: &str = r#"{ "step": 32, "bpm": 140 } or { "ramp": 64, "bpm": 90 }"#;

impl Converter<'_> {
    /// The `transport` section, or `None` if it is not a map (reported).
    pub(super) fn transport(&mut self, value: Item) -> Result<Option<Transport>, Diagnostic> {
        let span = value.span;
        let ItemKind::Map(entries) = value.kind else {
            let found = self.describe(&value.kind);
            let message = format!(
                "expected `transport` to be {}, found {found}",
                self.words.map
            );
            self.transport_problem(span, message, format!("write `{EXAMPLE}`"));
            return Ok(None);
        };
        let mut transport = Transport {
            span,
            ..Transport::default()
        };
        let mut seen = [None; 3];
        for Entry { key, value } in entries {
            let Some(slot) = KEYS.iter().position(|&k| k == key.text) else {
                let message = format!("unknown key `{}` in the transport section", key.text);
                self.transport_problem(key.span, message, guard::choices(&key.text, &KEYS));
                continue;
            };
            if !self.first_of(
                &mut seen[slot],
                &key.text,
                key.span,
                "the transport section",
            ) {
                continue;
            }
            let whole = key.span.to(value.span);
            match slot {
                0 => {
                    if let Some(bpm) = self.transport_number(value, "`bpm`") {
                        transport.bpm = bpm;
                        transport.bpm_span = whole;
                    }
                }
                1 => {
                    if let Some(meter) = self.meter(value, whole) {
                        transport.meter = meter;
                        transport.meter_span = whole;
                    }
                }
                _ => {
                    let ItemKind::List(items) = value.kind else {
                        let found = self.describe(&value.kind);
                        let message = format!(
                            "expected `tempo` to be {} of tempo changes, found {found}",
                            self.words.list
                        );
                        self.transport_problem(
                            value.span,
                            message,
                            format!("write `[{CHANGE_EXAMPLE}]`"),
                        );
                        continue;
                    };
                    for item in items {
                        if transport.tempo.len() == self.limits.max_tempo_changes {
                            return Err(guard::too_many_tempo_changes(self.limits, item.span));
                        }
                        if let Some(change) = self.tempo_change(item) {
                            transport.tempo.push(change);
                        }
                    }
                }
            }
        }
        Ok(Some(transport))
    }

    /// `[BEATS, UNIT]`.
    fn meter(&mut self, value: Item, whole: Span) -> Option<Meter> {
        if let ItemKind::List(items) = value.kind
            && let Ok([beats, unit]) = <[Item; 2]>::try_from(items)
            && let (ItemKind::Number(beats), ItemKind::Number(unit)) = (beats.kind, unit.kind)
        {
            if let Some(problem) = meter_problem(beats, unit, whole) {
                push_capped(&mut self.problems, problem);
                return None;
            }
            // Whole numbers from 1 to 64: `meter_problem` checked them.
            return Some(Meter {
                beats: beats as u32,
                unit: unit as u32,
            });
        }
        let message = format!(
            "expected `meter` to be {} of two numbers, the notes to the bar and their value",
            self.words.list
        );
        self.transport_problem(value.span, message, "write e.g. `[4, 4]` or `[6, 8]`");
        None
    }

    /// `{ "step": BEAT, "bpm": BPM }` or `{ "ramp": BEAT, "bpm": BPM }`.
    pub(super) fn tempo_change(&mut self, item: Item) -> Option<TempoChange> {
        let span = item.span;
        let ItemKind::Map(entries) = item.kind else {
            let found = self.describe(&item.kind);
            let message = format!(
                "expected a tempo change to be {}, found {found}",
                self.words.map
            );
            self.transport_problem(span, message, format!("write `{CHANGE_EXAMPLE}`"));
            return None;
        };
        let mut seen = [None; 3];
        let mut beat = None;
        let mut bpm = None;
        for Entry { key, value } in entries {
            let Some(slot) = CHANGE_KEYS.iter().position(|&k| k == key.text) else {
                let message = format!("unknown key `{}` in a tempo change", key.text);
                self.transport_problem(key.span, message, guard::choices(&key.text, &CHANGE_KEYS));
                continue;
            };
            if slot < 2
                && let Some(other) = seen[1 - slot]
            {
                let message = "a tempo change is either a `step` or a `ramp`, not both".to_owned();
                push_capped(
                    &mut self.problems,
                    Diagnostic::new(Code::Transport, key.span, message)
                        .with_secondary(other, "the other")
                        .with_hint(format!("write `{CHANGE_EXAMPLE}`")),
                );
                continue;
            }
            if !self.first_of(&mut seen[slot], &key.text, key.span, "a tempo change") {
                continue;
            }
            let what = format!("`{}`", key.text);
            let number = self.transport_number(value, &what);
            match slot {
                0 => beat = number.map(|number| (number, TempoShape::Step)),
                1 => beat = number.map(|number| (number, TempoShape::Ramp)),
                _ => bpm = number,
            }
        }
        if (seen[0].is_none() && seen[1].is_none()) || seen[2].is_none() {
            let message = "a tempo change needs `bpm` and one of `step` and `ramp`".to_owned();
            self.transport_problem(span, message, format!("write `{CHANGE_EXAMPLE}`"));
            return None;
        }
        let ((beat, shape), bpm) = (beat?, bpm?);
        Some(TempoChange {
            beat,
            bpm,
            shape,
            span,
        })
    }

    /// A finite number, or `None` (reported).
    fn transport_number(&mut self, value: Item, what: &str) -> Option<f64> {
        match value.kind {
            ItemKind::Number(number) if number.is_finite() => Some(number),
            other => {
                let found = match other {
                    ItemKind::Number(number) => format!("`{number}`"),
                    other => self.describe(&other).to_owned(),
                };
                let message = format!("expected {what} to be a number, found {found}");
                self.transport_problem(value.span, message, "write a finite number");
                None
            }
        }
    }

    /// Whether `key` is the first of its kind (remembered in `seen`); reports later ones.
    fn first_of(&mut self, seen: &mut Option<Span>, key: &str, span: Span, whose: &str) -> bool {
        let Some(first) = *seen else {
            *seen = Some(span);
            return true;
        };
        push_capped(
            &mut self.problems,
            Diagnostic::new(
                Code::Transport,
                span,
                format!("duplicate key `{key}` in {whose}"),
            )
            .with_label("second definition")
            .with_secondary(first, "first defined here")
            .with_hint("keep one of the two"),
        );
        false
    }

    fn transport_problem(&mut self, span: Span, message: String, hint: impl Into<String>) {
        push_capped(
            &mut self.problems,
            Diagnostic::new(Code::Transport, span, message).with_hint(hint),
        );
    }
}

/// The transport section for any serde serializer: `bpm` and `meter` always, `tempo` when
/// the map has changes.
pub(super) struct TransportDocument<'p>(pub(super) &'p Transport);

impl Serialize for TransportDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let transport = self.0;
        let len = 2 + usize::from(!transport.tempo.is_empty());
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("bpm", &transport.bpm)?;
        map.serialize_entry("meter", &[transport.meter.beats, transport.meter.unit])?;
        if !transport.tempo.is_empty() {
            map.serialize_entry("tempo", &Changes(&transport.tempo))?;
        }
        map.end()
    }
}

pub(super) struct Changes<'p>(pub(super) &'p [TempoChange]);

impl Serialize for Changes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for change in self.0 {
            seq.serialize_element(&ChangeDocument(change))?;
        }
        seq.end()
    }
}

struct ChangeDocument<'p>(&'p TempoChange);

impl Serialize for ChangeDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let change = self.0;
        let mut map = serializer.serialize_map(Some(2))?;
        let kind = match change.shape {
            TempoShape::Step => "step",
            TempoShape::Ramp => "ramp",
        };
        map.serialize_entry(kind, &change.beat)?;
        map.serialize_entry("bpm", &change.bpm)?;
        map.end()
    }
}
