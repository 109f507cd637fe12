//! The transport section's rules: a tempo within [`BPM`], a meter of 1–64 notes of a
//! power-of-two value up to 64, tempo changes after beat 0 at strictly increasing beats.
//!
//! The readers call `meter_problem` too, before a meter's numbers become integers, so a
//! meter is refused with the same words whichever reads it.

use crate::diagnostic::{Code, Diagnostic, Diagnostics, push_capped};
use crate::span::Span;
use crate::transport::{TempoShape, Transport};
use std::ops::RangeInclusive;

/// The tempi a transport plays, in quarter notes per minute.
pub const BPM: RangeInclusive<f64> = 1.0..=999.0;

/// The most notes to a bar, and the shortest note value a meter counts (a 64th).
pub const MAX_METER: u32 = 64;

/// Reports every problem of `transport`.
pub(crate) fn check(transport: &Transport, problems: &mut Diagnostics) {
    if let Some(problem) = bpm_problem(transport.bpm, transport.bpm_span, "the transport's tempo") {
        push_capped(problems, problem);
    }
    let meter = transport.meter;
    let (beats, unit) = (f64::from(meter.beats), f64::from(meter.unit));
    if let Some(problem) = meter_problem(beats, unit, transport.meter_span) {
        push_capped(problems, problem);
    }
    let mut previous: Option<(f64, Span)> = None;
    for change in &transport.tempo {
        let kind = match change.shape {
            TempoShape::Step => "step",
            TempoShape::Ramp => "ramp",
        };
        let what = format!("the tempo of the {kind} at beat {}", change.beat);
        if let Some(problem) = bpm_problem(change.bpm, change.span, &what) {
            push_capped(problems, problem);
        }
        let after = previous.map_or(0.0, |(beat, _)| beat);
        let in_order = change.beat > after;
        if !in_order {
            let mut problem = Diagnostic::new(
                Code::Transport,
                change.span,
                format!(
                    "the {kind} at beat {} does not come after beat {after}",
                    change.beat
                ),
            )
            .with_label("out of order");
            problem = match previous {
                Some((_, span)) => problem
                    .with_secondary(span, "the change before it")
                    .with_hint("list tempo changes at strictly increasing beats"),
                None => problem.with_hint(
                    "tempo changes come after beat 0; the tempo at beat 0 is `(bpm ...)`",
                ),
            };
            push_capped(problems, problem);
        }
        previous = Some((change.beat.max(after), change.span));
    }
}

/// Why `bpm` is no tempo a transport plays, naming it `what`.
fn bpm_problem(bpm: f64, span: Span, what: &str) -> Option<Diagnostic> {
    (!BPM.contains(&bpm)).then(|| {
        Diagnostic::new(
            Code::Transport,
            span,
            format!(
                "{what} is {bpm} bpm, outside {}..={} bpm",
                BPM.start(),
                BPM.end()
            ),
        )
        .with_label("out of range")
        .with_hint(format!(
            "choose a tempo between {} and {} bpm",
            BPM.start(),
            BPM.end()
        ))
    })
}

/// Why `beats` notes of value `1/unit` are no meter, if they are not; `span` is the meter's.
pub(crate) fn meter_problem(beats: f64, unit: f64, span: Span) -> Option<Diagnostic> {
    let max = f64::from(MAX_METER);
    let whole = |n: f64| n.fract() == 0.0 && (1.0..=max).contains(&n);
    if !whole(beats) {
        return Some(
            Diagnostic::new(
                Code::Transport,
                span,
                format!("a meter of {beats} notes to the bar is outside 1..={MAX_METER}"),
            )
            .with_label("not a meter")
            .with_hint(format!(
                "write the notes to the bar as a whole number from 1 to {MAX_METER}, e.g. `(meter 7 8)`"
            )),
        );
    }
    if !whole(unit) || (unit as u32).count_ones() != 1 {
        return Some(
            Diagnostic::new(
                Code::Transport,
                span,
                format!("a meter's note value {unit} is not a power of two from 1 to {MAX_METER}"),
            )
            .with_label("not a meter")
            .with_hint("the note value is one of 1, 2, 4, 8, 16, 32 and 64"),
        );
    }
    None
}
