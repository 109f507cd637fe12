//! From the parsed shape to the flat node list a query walks, with the bounds that make
//! querying safe: events per cycle, how finely time is divided, and the depth of the tree.
//!
//! Each node is one of Strudel's pattern combinators, reduced to what the mini-notation
//! uses: a sequence is Strudel's `timeCat` (children compressed into their share of each
//! cycle), `<a b>` a sequence slowed by its length, `{a b}%n` sequences sped up to n steps
//! a cycle, `!n` `repeatCycles(n)` then `fast(n)`, a rhythm `struct`, `?` `degradeByWith`
//! and `|` `chooseInWith`, as `mini.mjs` builds them.

use core::ops::Range;

use super::ast::{Element, Group, Op, Sequence, Slice};
use super::atom::{js_number, note_number};
use super::error::{MAX_EVENTS_PER_CYCLE, MAX_TIME_SCALE, ParseError};
use super::euclid::{bjorklund, rotate};
use super::rational::Rational;
use super::{Pattern, Value};

/// The deepest node tree accepted: each level is one stack frame of a query.
const MAX_NODE_DEPTH: usize = 192;

/// A run of entries in one of the pattern's side tables.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    /// First entry.
    pub start: u32,
    /// Number of entries.
    pub len: u32,
}

impl Run {
    /// The entries' indices.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}

/// One child of a sequence: the share `begin..end` of each cycle it plays in.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    /// Start of the share, in [0, 1).
    pub begin: Rational,
    /// End of the share, in (0, 1].
    pub end: Rational,
    /// What plays there.
    pub child: u32,
}

/// One combinator; children are indices into the pattern's node list.
#[derive(Clone, Copy, Debug)]
pub enum Node {
    /// `~`.
    Silence,
    /// A value, once per cycle (Strudel's `pure`).
    Atom(Value),
    /// Children side by side (`slots`), each compressed into its share of the cycle.
    Seq(Run),
    /// Children played together (`children`).
    Stack(Run),
    /// The child `factor` times faster.
    Fast { factor: Rational, child: u32 },
    /// Cycle c plays the child's cycle `floor(c / times)`.
    Repeat { times: Rational, child: u32 },
    /// The child sampled at the onsets of a rhythm (`pulses`, one flag a step).
    Euclid { pulses: Run, child: u32 },
    /// The child's events whose random number is above `amount`.
    Degrade { amount: f64, seed: u32, child: u32 },
    /// One of `children` a cycle, chosen at random.
    Choose { seed: u32, children: Run },
    /// The child with every event's velocity set.
    Velocity { velocity: f64, child: u32 },
}

/// What a node guarantees, computed as it is built.
#[derive(Clone, Copy)]
struct Bounds {
    /// Most events (and scratch entries) a query within one cycle appends, and at least
    /// the steps it visits.
    per_cycle: usize,
    /// Most events whose span contains any one instant.
    active: usize,
    /// Product of the time factors' numerators and denominators below this node.
    scale: u128,
    /// Height of the node tree below and including this node.
    depth: usize,
}

/// Builds a pattern's nodes.
pub struct Compiler<'t> {
    text: &'t str,
    pattern: Pattern,
    bounds: Vec<Bounds>,
}

impl<'t> Compiler<'t> {
    /// A compiler for the pattern written as `text`.
    pub fn new(text: &'t str) -> Self {
        let pattern = Pattern {
            nodes: Vec::new(),
            slots: Vec::new(),
            children: Vec::new(),
            pulses: Vec::new(),
            words: Vec::new(),
            root: 0,
            max_events: 0,
        };
        Compiler {
            text,
            pattern,
            bounds: Vec::new(),
        }
    }

    /// Compiles the whole pattern.
    pub fn finish(mut self, group: &Group) -> Result<Pattern, ParseError> {
        let root = self.group(group, 0..self.text.len())?;
        self.pattern.root = root;
        self.pattern.max_events = self.bounds[root as usize].per_cycle;
        Ok(self.pattern)
    }

    fn push(&mut self, node: Node, bounds: Bounds, span: &Range<usize>) -> Result<u32, ParseError> {
        if bounds.per_cycle > MAX_EVENTS_PER_CYCLE {
            return Err(ParseError::new(
                span.clone(),
                format!(
                    "this part of the pattern may play or visit more than {MAX_EVENTS_PER_CYCLE} steps a cycle"
                ),
                "use smaller factors, fewer steps or less nesting",
            ));
        }
        if bounds.scale > MAX_TIME_SCALE {
            return Err(ParseError::new(
                span.clone(),
                "this part of the pattern divides time too finely",
                "use smaller factors and weights, fewer steps or less nesting",
            ));
        }
        if bounds.depth > MAX_NODE_DEPTH {
            return Err(ParseError::new(
                span.clone(),
                format!(
                    "this part of the pattern nests more than {MAX_NODE_DEPTH} operators and groups"
                ),
                "use fewer operators on one step, or less nesting",
            ));
        }
        let id = self.pattern.nodes.len() as u32;
        self.pattern.nodes.push(node);
        self.bounds.push(bounds);
        Ok(id)
    }

    fn b(&self, node: u32) -> Bounds {
        self.bounds[node as usize]
    }

    fn group(&mut self, group: &Group, span: Range<usize>) -> Result<u32, ParseError> {
        match group {
            Group::Single(sequence) => self.sequence(sequence, &span),
            Group::Stack(list) => {
                let nodes = list
                    .iter()
                    .map(|s| self.sequence(s, &span))
                    .collect::<Result<Vec<_>, _>>()?;
                self.stack(&nodes, &span)
            }
            Group::Feet(list) => {
                let nodes = list
                    .iter()
                    .map(|s| self.sequence(s, &span))
                    .collect::<Result<Vec<_>, _>>()?;
                let weighted: Vec<_> = nodes.into_iter().map(|n| (Rational::ONE, n)).collect();
                self.seq(&weighted, &span)
            }
            Group::Choose { options, seed } => {
                let nodes = options
                    .iter()
                    .map(|s| self.sequence(s, &span))
                    .collect::<Result<Vec<_>, _>>()?;
                let children = self.run_of_children(&nodes);
                let bounds = Bounds {
                    per_cycle: nodes
                        .iter()
                        .map(|&n| self.b(n).per_cycle)
                        .max()
                        .unwrap_or(0),
                    active: nodes.iter().map(|&n| self.b(n).active).max().unwrap_or(0),
                    scale: nodes.iter().map(|&n| self.b(n).scale).max().unwrap_or(1),
                    depth: 1 + nodes.iter().map(|&n| self.b(n).depth).max().unwrap_or(0),
                };
                self.push(
                    Node::Choose {
                        seed: *seed,
                        children,
                    },
                    bounds,
                    &span,
                )
            }
        }
    }

    fn run_of_children(&mut self, nodes: &[u32]) -> Run {
        let start = self.pattern.children.len() as u32;
        self.pattern.children.extend_from_slice(nodes);
        Run {
            start,
            len: nodes.len() as u32,
        }
    }

    fn stack(&mut self, nodes: &[u32], span: &Range<usize>) -> Result<u32, ParseError> {
        if let [only] = nodes {
            return Ok(*only);
        }
        let children = self.run_of_children(nodes);
        let bounds = Bounds {
            per_cycle: nodes
                .iter()
                .fold(0, |s, &n| s.saturating_add(self.b(n).per_cycle)),
            active: nodes
                .iter()
                .fold(0, |s, &n| s.saturating_add(self.b(n).active)),
            scale: nodes.iter().map(|&n| self.b(n).scale).max().unwrap_or(1),
            depth: 1 + nodes.iter().map(|&n| self.b(n).depth).max().unwrap_or(0),
        };
        self.push(Node::Stack(children), bounds, span)
    }

    /// Strudel's `timeCat`: each child in its weight's share of the cycle.
    fn seq(
        &mut self,
        weighted: &[(Rational, u32)],
        span: &Range<usize>,
    ) -> Result<u32, ParseError> {
        if let [(_, only)] = weighted {
            return Ok(*only);
        }
        let total = weighted.iter().fold(Rational::ZERO, |s, (w, _)| s + *w);
        let start = self.pattern.slots.len() as u32;
        let mut at = Rational::ZERO;
        let mut scale = 1_u128;
        for &(weight, child) in weighted {
            let begin = at / total;
            at = at + weight;
            let end = at / total;
            self.pattern.slots.push(Slot { begin, end, child });
            let width = end - begin;
            let cost = cost(width).saturating_mul(begin.denom().unsigned_abs().into());
            scale = scale.max(self.b(child).scale.saturating_mul(cost));
        }
        let nodes: Vec<u32> = weighted.iter().map(|(_, n)| *n).collect();
        let bounds = Bounds {
            per_cycle: nodes
                .iter()
                .fold(0, |s, &n| s.saturating_add(self.b(n).per_cycle)),
            active: nodes.iter().map(|&n| self.b(n).active).max().unwrap_or(0),
            scale,
            depth: 1 + nodes.iter().map(|&n| self.b(n).depth).max().unwrap_or(0),
        };
        self.push(
            Node::Seq(Run {
                start,
                len: weighted.len() as u32,
            }),
            bounds,
            span,
        )
    }

    fn sequence(&mut self, sequence: &Sequence, span: &Range<usize>) -> Result<u32, ParseError> {
        let mut weighted = Vec::with_capacity(sequence.elements.len());
        for element in &sequence.elements {
            weighted.push((element.weight, self.element(element)?));
        }
        let span = match (sequence.elements.first(), sequence.elements.last()) {
            (Some(first), Some(last)) => first.span.start..last.span.end,
            _ => span.clone(),
        };
        self.seq(&weighted, &span)
    }

    fn element(&mut self, element: &Element) -> Result<u32, ParseError> {
        let span = &element.span;
        let mut node = self.slice(&element.slice, span)?;
        for (op, at) in &element.ops {
            let at = at.start.min(span.start)..at.end.max(span.end);
            node = match *op {
                Op::Fast(factor) => self.fast(factor, node, &at)?,
                Op::Slow(factor) => self.fast(Rational::ONE / factor, node, &at)?,
                Op::Replicate(times) => {
                    let b = self.b(node);
                    let bounds = Bounds {
                        scale: b.scale.saturating_mul(cost(times)),
                        depth: b.depth + 1,
                        ..b
                    };
                    let repeated = self.push(Node::Repeat { times, child: node }, bounds, &at)?;
                    self.fast(times, repeated, &at)?
                }
                Op::Euclid {
                    pulses,
                    steps,
                    rotation,
                } => {
                    let mut flags = bjorklund(pulses, steps as usize).unwrap_or_default();
                    rotate(&mut flags, rotation);
                    let start = self.pattern.pulses.len() as u32;
                    let onsets = flags.iter().filter(|&&f| f).count();
                    self.pattern.pulses.extend_from_slice(&flags);
                    let b = self.b(node);
                    let bounds = Bounds {
                        // Every step is visited, sounding or not.
                        per_cycle: onsets.saturating_mul(b.active).max(flags.len()),
                        active: b.active,
                        scale: b.scale.saturating_mul(steps.unsigned_abs().into()),
                        depth: b.depth + 1,
                    };
                    let pulses = Run {
                        start,
                        len: flags.len() as u32,
                    };
                    self.push(
                        Node::Euclid {
                            pulses,
                            child: node,
                        },
                        bounds,
                        &at,
                    )?
                }
                Op::Degrade { amount, seed } => {
                    let b = self.b(node);
                    self.push(
                        Node::Degrade {
                            amount,
                            seed,
                            child: node,
                        },
                        Bounds {
                            depth: b.depth + 1,
                            ..b
                        },
                        &at,
                    )?
                }
                Op::Velocity(velocity) => {
                    let b = self.b(node);
                    self.push(
                        Node::Velocity {
                            velocity,
                            child: node,
                        },
                        Bounds {
                            depth: b.depth + 1,
                            ..b
                        },
                        &at,
                    )?
                }
            };
        }
        Ok(node)
    }

    fn fast(
        &mut self,
        factor: Rational,
        child: u32,
        span: &Range<usize>,
    ) -> Result<u32, ParseError> {
        if factor == Rational::ONE {
            return Ok(child);
        }
        let b = self.b(child);
        // A query within one cycle reaches at most ceil(factor) + 1 of the child's cycles.
        let reach = usize::try_from(factor.ceil())
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        let bounds = Bounds {
            per_cycle: b.per_cycle.saturating_mul(reach),
            active: b.active,
            scale: b.scale.saturating_mul(cost(factor)),
            depth: b.depth + 1,
        };
        self.push(Node::Fast { factor, child }, bounds, span)
    }

    fn slice(&mut self, slice: &Slice, span: &Range<usize>) -> Result<u32, ParseError> {
        let leaf = Bounds {
            per_cycle: 1,
            active: 1,
            scale: 1,
            depth: 1,
        };
        match slice {
            // A rest plays nothing but costs a visit: counting it keeps the bound a bound on
            // a query's work too (`[~ ~ ~ ~]*4096` would otherwise pass unbounded).
            Slice::Rest => self.push(Node::Silence, Bounds { active: 0, ..leaf }, span),
            Slice::Step(range) => {
                let value = self.value(&self.text[range.clone()]);
                self.push(Node::Atom(value), leaf, span)
            }
            Slice::Sub(group) => self.group(group, span.clone()),
            Slice::Polymeter { sequences, steps } => {
                let steps = steps
                    .unwrap_or_else(|| sequences.first().map_or(Rational::ONE, Sequence::weight));
                let mut nodes = Vec::with_capacity(sequences.len());
                for sequence in sequences {
                    let node = self.sequence(sequence, span)?;
                    nodes.push(self.fast(steps / sequence.weight(), node, span)?);
                }
                self.stack(&nodes, span)
            }
            Slice::SlowSequence(sequences) => {
                let mut nodes = Vec::with_capacity(sequences.len());
                for sequence in sequences {
                    let node = self.sequence(sequence, span)?;
                    nodes.push(self.fast(Rational::ONE / sequence.weight(), node, span)?);
                }
                self.stack(&nodes, span)
            }
        }
    }

    /// A step's value; words are numbered in order of first appearance.
    fn value(&mut self, text: &str) -> Value {
        if let Some(n) = js_number(text) {
            return Value::Number(n);
        }
        if let Some(n) = note_number(text) {
            return Value::Note(n);
        }
        let words = &mut self.pattern.words;
        match words.iter().position(|w| w == text) {
            Some(i) => Value::Word(i),
            None => {
                words.push(text.to_owned());
                Value::Word(words.len() - 1)
            }
        }
    }
}

/// How much a time factor divides time: its numerator times its denominator.
fn cost(factor: Rational) -> u128 {
    u128::from(factor.numer().unsigned_abs())
        .saturating_mul(u128::from(factor.denom().unsigned_abs()))
}
