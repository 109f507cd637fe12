//! The MIDI section in S-expression form: `(midi (tuning 440) (bend-range 2)
//! (cc 74 -> lp "cutoff" 200 8000) (note 36 -> kick "trig" 0 1) (bend -> lp "cutoff" 200 8000))`.

use super::syntax::{Atom, Sexp};
use super::{Reader, name, name_text, write_name, write_string, write_value};
use crate::diagnostic::{Code, Diagnostic, push_capped};
use crate::format::guard;
use crate::patch::{Binding, BindingSource, Midi, Name, Number, PortRef, ValueKind};
use crate::span::Span;

const MIDI_ENTRIES: [&str; 5] = ["tuning", "bend-range", "cc", "bend", "note"];
const BINDING_EXAMPLE: &str = r#"(cc 74 -> lp "cutoff" 200 8000)"#;

impl Reader<'_> {
    /// The entries of `(midi ...)`.
    pub(super) fn midi(&mut self, items: impl Iterator<Item = Sexp>) -> Midi {
        let mut midi = Midi::default();
        let mut seen = [None; 2];
        for form in items {
            let span = form.span();
            let Sexp::List(parts, _) = form else {
                let message = format!("expected a MIDI entry, found {}", form.describe());
                self.shape(span, message, guard::choices("", &MIDI_ENTRIES));
                continue;
            };
            let mut parts = parts.into_iter();
            let head = parts.next();
            let Some(kind) = head.as_ref().and_then(name_text) else {
                let message = "a MIDI entry must start with its kind".to_owned();
                self.shape(span, message, guard::choices("", &MIDI_ENTRIES));
                continue;
            };
            let rest: Vec<Sexp> = parts.collect();
            match kind {
                "tuning" | "bend-range" => {
                    let slot = usize::from(kind == "bend-range");
                    let key = Name {
                        text: kind.to_owned(),
                        span,
                    };
                    if !self.first(&mut seen[slot], &key) {
                        continue;
                    }
                    let value = match <[Sexp; 1]>::try_from(rest) {
                        Ok([Sexp::Atom(Atom::Number(value), span)]) => Some(Number { value, span }),
                        _ => {
                            let message = format!("`{kind}` takes one number");
                            let hint = if slot == 0 {
                                "write the frequency of A4 in Hz, e.g. `(tuning 440)`"
                            } else {
                                "write semitones, e.g. `(bend-range 2)`"
                            };
                            self.shape(span, message, hint);
                            None
                        }
                    };
                    if slot == 0 {
                        midi.tuning = value;
                    } else {
                        midi.bend_range = value;
                    }
                }
                "cc" | "note" | "bend" => {
                    if let Some(binding) = self.binding(kind, rest, span) {
                        midi.bindings.push(binding);
                    }
                }
                other => {
                    let message = format!("unknown MIDI entry `{other}`");
                    self.shape(span, message, guard::choices(other, &MIDI_ENTRIES));
                }
            }
        }
        midi
    }

    /// `(cc N -> NODE PORT LO HI)`, `(note N -> NODE PORT LO HI)` or
    /// `(bend -> NODE PORT LO HI)`, its parts after the kind.
    fn binding(&mut self, kind: &str, parts: Vec<Sexp>, span: Span) -> Option<Binding> {
        let numbered = kind != "bend";
        let mut parts = parts.into_iter();
        let number = if numbered {
            match parts.next() {
                Some(Sexp::Atom(Atom::Number(value), span)) => Some(Number { value, span }),
                _ => None,
            }
        } else {
            None
        };
        let rest: Vec<Sexp> = parts.collect();
        let parsed = <[Sexp; 5]>::try_from(rest)
            .ok()
            .and_then(|[arrow, node, port, lo, hi]| {
                let is_arrow = matches!(&arrow, Sexp::Atom(Atom::Symbol(text), _) if text == "->");
                match (is_arrow, name(node), name(port), lo, hi) {
                    (
                        true,
                        Some(node),
                        Some(port),
                        Sexp::Atom(Atom::Number(lo), lo_span),
                        Sexp::Atom(Atom::Number(hi), hi_span),
                    ) => Some((
                        PortRef { node, port },
                        [Number::at(lo, lo_span), Number::at(hi, hi_span)],
                    )),
                    _ => None,
                }
            });
        let source = match (kind, number) {
            ("cc", Some(number)) => Some(BindingSource::Control(number)),
            ("note", Some(number)) => Some(BindingSource::Note(number)),
            ("bend", _) => Some(BindingSource::Bend),
            _ => None,
        };
        if let (Some(source), Some((target, range))) = (source, parsed) {
            return Some(Binding {
                source,
                target,
                range,
                span,
            });
        }
        let example = match kind {
            "cc" => BINDING_EXAMPLE,
            "note" => r#"(note 36 -> kick "trig" 0 1)"#,
            _ => r#"(bend -> lp "cutoff" 200 8000)"#,
        };
        let message = format!("expected a `{kind}` binding");
        self.shape(span, message, format!("write `{example}`"));
        None
    }

    /// Whether `key` is the first entry of its kind in the MIDI section (remembered in
    /// `seen`); reports the second and later ones.
    fn first(&mut self, seen: &mut Option<Span>, key: &Name) -> bool {
        let Some(first) = *seen else {
            *seen = Some(key.span);
            return true;
        };
        push_capped(
            &mut self.problems,
            Diagnostic::new(
                Code::Shape,
                key.span,
                format!("duplicate `{}` in the MIDI section", key.text),
            )
            .with_label("second definition")
            .with_secondary(first, "first defined here")
            .with_hint("keep one of the two"),
        );
        false
    }
}

pub(super) fn write_midi(out: &mut String, midi: &Midi) {
    out.push_str("\n  (midi");
    for (key, number) in [("tuning", midi.tuning), ("bend-range", midi.bend_range)] {
        if let Some(number) = number {
            out.push_str("\n    (");
            out.push_str(key);
            out.push(' ');
            write_value(out, &ValueKind::Number(number.value));
            out.push(')');
        }
    }
    for binding in &midi.bindings {
        out.push_str("\n    (");
        match &binding.source {
            BindingSource::Control(number) | BindingSource::Note(number) => {
                let kind = match binding.source {
                    BindingSource::Control(_) => "cc ",
                    _ => "note ",
                };
                out.push_str(kind);
                write_value(out, &ValueKind::Number(number.value));
            }
            BindingSource::Bend => out.push_str("bend"),
        }
        out.push_str(" -> ");
        write_name(out, &binding.target.node.text);
        out.push(' ');
        write_string(out, &binding.target.port.text);
        for number in &binding.range {
            out.push(' ');
            write_value(out, &ValueKind::Number(number.value));
        }
        out.push(')');
    }
    out.push(')');
}
