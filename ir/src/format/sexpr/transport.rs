//! The transport section in S-expression form:
//! `(transport (bpm 120) (meter 4 4) (tempo (step 32 140) (ramp 64 90)))`, every entry
//! optional, each at most once.

use super::syntax::{Atom, Sexp};
use super::{Reader, name_text, write_value};
use crate::diagnostic::{Code, Diagnostic, push_capped};
use crate::format::guard;
use crate::patch::ValueKind;
use crate::span::Span;
use crate::transport::{Meter, TempoChange, TempoShape, Transport};
use crate::validate::transport::meter_problem;

const ENTRIES: [&str; 3] = ["bpm", "meter", "tempo"];
const CHANGES: [&str; 2] = ["step", "ramp"];
const EXAMPLE: &str = "(transport (bpm 120) (meter 4 4) (tempo (step 32 140) (ramp 64 90)))";

impl Reader<'_> {
    /// `(transport ...)`, its items after `transport`; `span` is the whole section.
    pub(super) fn transport(
        &mut self,
        items: impl Iterator<Item = Sexp>,
        span: Span,
    ) -> Result<Transport, Diagnostic> {
        let mut transport = Transport {
            span,
            ..Transport::default()
        };
        let mut seen: [Option<Span>; 3] = [None; 3];
        for entry in items {
            let entry_span = entry.span();
            let parts = match entry {
                Sexp::List(parts, _) => parts,
                other => {
                    let message = format!("expected a transport entry, found {}", other.describe());
                    self.transport_problem(entry_span, message, guard::choices("", &ENTRIES));
                    continue;
                }
            };
            let mut parts = parts.into_iter();
            let head = parts.next();
            let Some(key) = head.as_ref().and_then(name_text) else {
                let message = "a transport entry must start with its name".to_owned();
                self.transport_problem(entry_span, message, format!("write `{EXAMPLE}`"));
                continue;
            };
            let Some(slot) = ENTRIES.iter().position(|&entry| entry == key) else {
                let message = format!("unknown transport entry `{key}`");
                let hint = guard::choices(key, &ENTRIES);
                self.transport_problem(entry_span, message, hint);
                continue;
            };
            if let Some(first) = seen[slot].replace(entry_span) {
                seen[slot] = Some(first);
                push_capped(
                    &mut self.problems,
                    Diagnostic::new(
                        Code::Transport,
                        entry_span,
                        format!("duplicate `{key}` in the transport section"),
                    )
                    .with_label("second definition")
                    .with_secondary(first, "first defined here")
                    .with_hint("keep one of the two"),
                );
                continue;
            }
            let numbers = |parts: std::vec::IntoIter<Sexp>| -> Option<Vec<f64>> {
                parts
                    .map(|part| match part {
                        Sexp::Atom(Atom::Number(number), _) => Some(number),
                        _ => None,
                    })
                    .collect()
            };
            match slot {
                0 => match numbers(parts).as_deref() {
                    Some(&[bpm]) => {
                        transport.bpm = bpm;
                        transport.bpm_span = entry_span;
                    }
                    _ => self.transport_problem(
                        entry_span,
                        "`bpm` takes one number".to_owned(),
                        "write quarter notes per minute, e.g. `(bpm 120)`",
                    ),
                },
                1 => match numbers(parts).as_deref() {
                    Some(&[beats, unit]) => match meter_problem(beats, unit, entry_span) {
                        Some(problem) => push_capped(&mut self.problems, problem),
                        None => {
                            // Whole numbers from 1 to 64: `meter_problem` checked them.
                            transport.meter = Meter {
                                beats: beats as u32,
                                unit: unit as u32,
                            };
                            transport.meter_span = entry_span;
                        }
                    },
                    _ => self.transport_problem(
                        entry_span,
                        "`meter` takes two numbers, the notes to the bar and their value"
                            .to_owned(),
                        "write e.g. `(meter 4 4)` or `(meter 6 8)`",
                    ),
                },
                _ => {
                    for change in parts {
                        if transport.tempo.len() == self.limits.max_tempo_changes {
                            return Err(guard::too_many_tempo_changes(self.limits, change.span()));
                        }
                        if let Some(change) = self.tempo_change(change) {
                            transport.tempo.push(change);
                        }
                    }
                }
            }
        }
        Ok(transport)
    }

    /// `(step BEAT BPM)` or `(ramp BEAT BPM)`.
    pub(super) fn tempo_change(&mut self, form: Sexp) -> Option<TempoChange> {
        let span = form.span();
        if let Sexp::List(parts, _) = form
            && let Ok([kind, beat, bpm]) = <[Sexp; 3]>::try_from(parts)
            && let (Some(kind), Sexp::Atom(Atom::Number(beat), _), Sexp::Atom(Atom::Number(bpm), _)) =
                (name_text(&kind), beat, bpm)
        {
            let shape = match kind {
                "step" => TempoShape::Step,
                "ramp" => TempoShape::Ramp,
                other => {
                    let message = format!("unknown tempo change `{other}`");
                    self.transport_problem(span, message, guard::choices(other, &CHANGES));
                    return None;
                }
            };
            return Some(TempoChange {
                beat,
                bpm,
                shape,
                span,
            });
        }
        let message = "expected a tempo change `(step BEAT BPM)` or `(ramp BEAT BPM)`".to_owned();
        self.transport_problem(
            span,
            message,
            "`(step 32 140)` jumps to 140 bpm at beat 32; `(ramp 64 90)` ramps to 90 bpm by beat 64",
        );
        None
    }

    fn transport_problem(&mut self, span: Span, message: String, hint: impl Into<String>) {
        push_capped(
            &mut self.problems,
            Diagnostic::new(Code::Transport, span, message).with_hint(hint),
        );
    }
}

/// Writes `(transport (bpm …) (meter … …) (tempo …))`, the tempo map only if it has changes.
pub(super) fn write_transport(out: &mut String, transport: &Transport) {
    out.push_str("\n  (transport (bpm ");
    write_value(out, &ValueKind::Number(transport.bpm));
    out.push_str(&format!(
        ") (meter {} {})",
        transport.meter.beats, transport.meter.unit
    ));
    if !transport.tempo.is_empty() {
        out.push_str("\n    (tempo");
        for change in &transport.tempo {
            out.push_str(match change.shape {
                TempoShape::Step => "\n      (step ",
                TempoShape::Ramp => "\n      (ramp ",
            });
            write_value(out, &ValueKind::Number(change.beat));
            out.push(' ');
            write_value(out, &ValueKind::Number(change.bpm));
            out.push(')');
        }
        out.push(')');
    }
    out.push(')');
}
