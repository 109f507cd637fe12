//! The mini-notation of Tidal and Strudel: a pattern written as a string, with Strudel's
//! semantics exactly (`@strudel/mini` 1.2.6 is the reference; `tests/mini/strudel.rs` compares
//! against its events).
//!
//! The string spans one cycle; its steps split the cycle equally. `~` (or `-`) rests;
//! `[a b]` subdivides a step; `a*2` and `a/2` speed up and slow down; `<a b>` plays one step
//! a cycle; `a(3,8)` and `a(3,8,2)` play a Euclidean rhythm (rotated right); `a@3` (or
//! `a _ _`) elongates; `a!` and `a!3` replicate; `a?` and `a?0.3` drop events at random;
//! `a|b` chooses one a cycle; `[a,b,c]` stacks; `{a b c}%4` and `{a b, c d e}` play
//! polymeters; `a:0.5` sets a velocity; `a b . c d` groups like `[a b] [c d]`. A step is a
//! number (`60`, `-1`, `0.5`), a note name (`c4` is MIDI 60, a bare `c` is in octave 3,
//! `eb3`, `f#5`, `cs4`; so the letters `a` to `g` alone are notes) or a word (`bd`, anything
//! else).
//!
//! Randomness is Strudel's: its generator read at the event's onset (`?`) or the cycle's
//! start (`|`), so seed 0 gives the events Strudel gives. Operator arguments must be numbers;
//! Strudel's patterned arguments (`a*<2 3>`), its `..` ranges and several `:` on one step
//! are parse errors.
//!
//! Querying answers events whose onset lies in the span asked for, whole: an event that
//! started before the span is not repeated as a fragment, and `end` is where it would end
//! even beyond the span.

mod ast;
mod atom;
mod compile;
mod error;
mod euclid;
mod parser;
mod query;
mod rand;
mod rational;

use core::cmp::Ordering;
use core::ops::Range;

pub use error::{MAX_CYCLE, MAX_DEPTH, MAX_EVENTS_PER_CYCLE, MAX_TEXT_BYTES, ParseError};
pub use rational::Rational;

use compile::{Compiler, Node, Slot};

/// What a step plays.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// A note name, as a MIDI note number (`c4` is 60).
    Note(f64),
    /// A number as written (`60`, `-1`, `0.5`).
    Number(f64),
    /// A word: its index in [`Pattern::words`].
    Word(usize),
}

/// One event: a value from `begin` to `end` (its whole span), in cycles.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Event {
    /// Onset, in cycles from the pattern's start.
    pub begin: Rational,
    /// End of the whole event, in cycles (it may lie beyond the span queried).
    pub end: Rational,
    /// What plays.
    pub value: Value,
    /// The velocity written with `:` (0–1), if any.
    pub velocity: Option<f64>,
}

/// A parsed mini-notation pattern, ready to be queried.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// The combinators; children come before their parents.
    nodes: Vec<Node>,
    /// The shares of the sequences' children.
    slots: Vec<Slot>,
    /// The children of stacks and choices.
    children: Vec<u32>,
    /// The steps of the Euclidean rhythms, one flag each.
    pulses: Vec<bool>,
    /// Distinct words, in order of first appearance.
    words: Vec<String>,
    /// The node the whole pattern is.
    root: u32,
    /// Invariant: a query within one cycle appends at most this many events, scratch
    /// included.
    max_events: usize,
}

impl Pattern {
    /// Parses `text` in the mini-notation.
    ///
    /// # Errors
    /// A [`ParseError`] at the offending character: a stray character, a group left open
    /// (at its opening bracket), an argument that is not a number, a pattern longer than
    /// [`MAX_TEXT_BYTES`], nested deeper than [`MAX_DEPTH`] or that may play more than
    /// [`MAX_EVENTS_PER_CYCLE`] events (or steps visited) a cycle.
    pub fn parse(text: &str) -> Result<Pattern, ParseError> {
        let group = parser::parse(text)?;
        Compiler::new(text).finish(&group)
    }

    /// The distinct words the pattern uses, in order of first appearance
    /// ([`Value::Word`] indexes them).
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// A bound on the events a query of one cycle appends (scratch included): reserve this
    /// many per cycle queried and [`Pattern::query`] does not allocate.
    pub fn max_events_per_cycle(&self) -> usize {
        self.max_events
    }

    /// Appends to `out` every event whose onset lies in `cycles`, sorted by onset (then by
    /// end, value and velocity, so equal onsets come in a fixed order). `seed` shifts the
    /// random numbers of `?` and `|` as Strudel's `randSeed` does (seed 0 is Strudel's own;
    /// like Strudel's generator, seeds repeat every 300). The span is clamped to
    /// `-MAX_CYCLE..MAX_CYCLE`; it is answered cycle by cycle, so querying a span at once
    /// or in pieces gives the same events.
    ///
    /// Real-time safe: does not allocate, lock or block when `out` has room for
    /// [`Pattern::max_events_per_cycle`] events per cycle the span touches.
    pub fn query(&self, cycles: Range<Rational>, seed: u64, out: &mut Vec<Event>) {
        let limit = Rational::integer(MAX_CYCLE);
        let (begin, end) = (cycles.start.max(-limit), cycles.end.min(limit));
        let query = query::Query::new(self, seed);
        for c in begin.floor()..end.ceil() {
            let cycle = Rational::integer(c);
            let (from, to) = (begin.max(cycle), end.min(cycle + Rational::ONE));
            let start = out.len();
            query.onsets(self.root, from, to, out);
            out[start..].sort_unstable_by(order);
        }
    }
}

/// The fixed order of events: onset, end, value, velocity.
fn order(a: &Event, b: &Event) -> Ordering {
    a.begin
        .cmp(&b.begin)
        .then(a.end.cmp(&b.end))
        .then_with(|| value_key(a.value).0.cmp(&value_key(b.value).0))
        .then_with(|| value_key(a.value).1.total_cmp(&value_key(b.value).1))
        .then_with(|| {
            a.velocity
                .unwrap_or(-1.0)
                .total_cmp(&b.velocity.unwrap_or(-1.0))
        })
}

/// A value's kind and number, for ordering.
fn value_key(value: Value) -> (u8, f64) {
    match value {
        Value::Note(n) => (0, n),
        Value::Number(n) => (1, n),
        Value::Word(i) => (2, i as f64),
    }
}
