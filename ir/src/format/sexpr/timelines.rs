//! The timelines section in S-expression form:
//! `(timelines (main (bpm 120) (tempo (step 32 140)) (clip c1 (file "kick.wav") (position 4))))`.
//! A clip's entries go to the one clip reader both formats share (`timelines/read.rs`).

use super::syntax::{Atom, Sexp};
use super::{Reader, name, name_text, to_value, write_name, write_value};
use crate::diagnostic::{Code, Diagnostic, push_capped};
use crate::format::guard;
use crate::patch::{Name, ValueKind};
use crate::span::Span;
use crate::timelines::{ClipField, Timeline, clip_fields, clip_from_fields};
use crate::transport::Transport;

const ENTRIES: [&str; 3] = ["bpm", "tempo", "clip"];
const EXAMPLE: &str =
    r#"(timelines (main (bpm 120) (clip c1 (file "kick.wav") (position 4) (gain -6))))"#;

impl Reader<'_> {
    /// `(timelines TIMELINE …)`, its items after `timelines`.
    pub(super) fn timelines(
        &mut self,
        items: impl Iterator<Item = Sexp>,
    ) -> Result<Vec<Timeline>, Diagnostic> {
        let mut timelines = Vec::new();
        for form in items {
            if let Some(timeline) = self.timeline(form)? {
                timelines.push(timeline);
            }
        }
        Ok(timelines)
    }

    /// `(NAME (bpm …) (tempo …) (clip …) …)`.
    fn timeline(&mut self, form: Sexp) -> Result<Option<Timeline>, Diagnostic> {
        let span = form.span();
        let Sexp::List(items, _) = form else {
            let message = format!("expected a timeline, found {}", form.describe());
            self.timeline_problem(span, message, format!("write `{EXAMPLE}`"));
            return Ok(None);
        };
        let mut items = items.into_iter();
        let Some(timeline_name) = items.next().and_then(name) else {
            let message = "a timeline must start with its name".to_owned();
            self.timeline_problem(span, message, format!("write `{EXAMPLE}`"));
            return Ok(None);
        };
        let mut timeline = Timeline {
            name: timeline_name,
            tempo: Transport {
                span,
                ..Transport::default()
            },
            clips: Vec::new(),
            span,
        };
        for entry in items {
            let entry_span = entry.span();
            let Sexp::List(parts, _) = entry else {
                let message = format!("expected a timeline entry, found {}", entry.describe());
                self.timeline_problem(entry_span, message, guard::choices("", &ENTRIES));
                continue;
            };
            let key = parts.first().and_then(name_text).unwrap_or("");
            match key {
                "bpm" => match parts.get(1..) {
                    Some([Sexp::Atom(Atom::Number(bpm), _)]) => {
                        timeline.tempo.bpm = *bpm;
                        timeline.tempo.bpm_span = entry_span;
                    }
                    _ => self.timeline_problem(
                        entry_span,
                        "a timeline's `bpm` takes one number".to_owned(),
                        "write quarter notes per minute, e.g. `(bpm 120)`",
                    ),
                },
                "tempo" => {
                    for change in parts.into_iter().skip(1) {
                        if timeline.tempo.tempo.len() == self.limits.max_tempo_changes {
                            return Err(guard::too_many_tempo_changes(self.limits, change.span()));
                        }
                        if let Some(change) = self.tempo_change(change) {
                            timeline.tempo.tempo.push(change);
                        }
                    }
                }
                "clip" => {
                    let fields = self.clip_fields(parts, entry_span);
                    if let Some(clip) = fields
                        .and_then(|fields| clip_from_fields(fields, entry_span, &mut self.problems))
                    {
                        timeline.clips.push(clip);
                    }
                }
                other => {
                    let message = format!("unknown timeline entry `{other}`");
                    self.timeline_problem(entry_span, message, guard::choices(other, &ENTRIES));
                }
            }
        }
        Ok(Some(timeline))
    }

    /// `(clip ID (KEY VALUE) …)` as fields, the id first.
    fn clip_fields(&mut self, parts: Vec<Sexp>, span: Span) -> Option<Vec<ClipField>> {
        let mut parts = parts.into_iter().skip(1);
        let id = parts.next().and_then(|form| match form {
            Sexp::Atom(Atom::Symbol(_) | Atom::Text(_), _) => Some(to_value(form)),
            _ => None,
        });
        let Some(id) = id else {
            let message = "a clip must start with its id".to_owned();
            self.timeline_problem(span, message, format!("write `{EXAMPLE}`"));
            return None;
        };
        let mut fields = vec![ClipField {
            key: Name {
                text: "id".to_owned(),
                span: id.span,
            },
            value: id,
        }];
        for part in parts {
            let part_span = part.span();
            if let Sexp::List(pair, _) = part
                && let Ok([key, value]) = <[Sexp; 2]>::try_from(pair)
                && let Some(key) = name(key)
            {
                fields.push(ClipField {
                    key,
                    value: to_value(value),
                });
                continue;
            }
            let message = "expected a clip entry `(KEY VALUE)`".to_owned();
            self.timeline_problem(part_span, message, "write e.g. `(gain -6)`");
        }
        Some(fields)
    }

    fn timeline_problem(&mut self, span: Span, message: String, hint: impl Into<String>) {
        push_capped(
            &mut self.problems,
            Diagnostic::new(Code::Timeline, span, message).with_hint(hint),
        );
    }
}

/// Writes `(timelines (NAME (bpm …) (tempo …) (clip ID (KEY VALUE) …) …) …)`, a clip to a line.
pub(super) fn write_timelines(out: &mut String, timelines: &[Timeline]) {
    out.push_str("\n  (timelines");
    for timeline in timelines {
        out.push_str("\n    (");
        write_name(out, &timeline.name.text);
        out.push_str(" (bpm ");
        write_value(out, &ValueKind::Number(timeline.tempo.bpm));
        out.push(')');
        if !timeline.tempo.tempo.is_empty() {
            out.push_str(" (tempo");
            for change in &timeline.tempo.tempo {
                out.push_str(match change.shape {
                    crate::transport::TempoShape::Step => " (step ",
                    crate::transport::TempoShape::Ramp => " (ramp ",
                });
                write_value(out, &ValueKind::Number(change.beat));
                out.push(' ');
                write_value(out, &ValueKind::Number(change.bpm));
                out.push(')');
            }
            out.push(')');
        }
        for clip in &timeline.clips {
            out.push_str("\n      (clip ");
            for (key, value) in clip_fields(clip) {
                match key {
                    "id" => write_value(out, &value),
                    "loop" => out.push_str(" (loop true)"),
                    _ => {
                        out.push_str(" (");
                        out.push_str(key);
                        out.push(' ');
                        write_value(out, &value);
                        out.push(')');
                    }
                }
            }
            out.push(')');
        }
        out.push(')');
    }
    out.push(')');
}
