//! The parsed shape of a pattern, before it is compiled to nodes: Strudel's krill AST with
//! every operator's arguments already checked to be numbers.

use core::ops::Range;

use super::rational::Rational;

/// Several sequences joined by `,` (stack), `|` (choice) or `.` (feet), or one alone.
#[derive(Debug)]
pub enum Group {
    /// One sequence.
    Single(Sequence),
    /// `a b, c d`: played together.
    Stack(Vec<Sequence>),
    /// `a | b`: one chosen per cycle; `seed` numbers the choice for its randomness.
    Choose { options: Vec<Sequence>, seed: u32 },
    /// `a b . c d`: each sequence one equal step.
    Feet(Vec<Sequence>),
}

/// Steps side by side, splitting the cycle by their weights.
#[derive(Debug)]
pub struct Sequence {
    /// At least one element.
    pub elements: Vec<Element>,
}

impl Sequence {
    /// The sum of the elements' weights: the sequence's length in steps.
    pub fn weight(&self) -> Rational {
        self.elements
            .iter()
            .fold(Rational::ZERO, |sum, e| sum + e.weight)
    }
}

/// One step (or group) with its operators.
#[derive(Debug)]
pub struct Element {
    /// What plays.
    pub slice: Slice,
    /// Operators in the order they apply, each with its span.
    pub ops: Vec<(Op, Range<usize>)>,
    /// Its share of the sequence (`@`, `_`, `!`), positive.
    pub weight: Rational,
    /// The element's span in the text.
    pub span: Range<usize>,
}

/// The thing an element plays.
#[derive(Debug)]
pub enum Slice {
    /// `~` or `-`: nothing.
    Rest,
    /// A word, number or note: the byte range of its text.
    Step(Range<usize>),
    /// `[ ... ]`.
    Sub(Box<Group>),
    /// `{a b, c d e}%4`: each sequence at `steps` steps per cycle (the first's length when
    /// absent).
    Polymeter {
        sequences: Vec<Sequence>,
        steps: Option<Rational>,
    },
    /// `<a b, c d e>`: each sequence at one step per cycle.
    SlowSequence(Vec<Sequence>),
}

/// An operator on an element.
#[derive(Debug, Clone, Copy)]
pub enum Op {
    /// `*n`: n times faster (n > 0).
    Fast(Rational),
    /// `/n`: n times slower (n > 0).
    Slow(Rational),
    /// `!n`: the element n times in n steps, repeating its cycles.
    Replicate(Rational),
    /// `(pulses, steps, rotation)`.
    Euclid {
        pulses: i64,
        steps: i64,
        rotation: i64,
    },
    /// `?amount`: dropped when the random number at its onset is not above `amount`.
    Degrade { amount: f64, seed: u32 },
    /// `:v`: velocity 0–1.
    Velocity(f64),
}
