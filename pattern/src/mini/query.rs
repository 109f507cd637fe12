//! Answering a query: the events whose onset falls in a span, appended to the caller's
//! buffer without allocating.
//!
//! Strudel queries return fragments (haps with a whole and a part); a sequencer only needs
//! the events that start, so each node answers two questions instead: `onsets` (events whose
//! whole begins in `[begin, end)`) and `active` (events whose whole contains an instant,
//! which is what a rhythm's `struct` samples at each of its steps). For every combinator the
//! mini-notation builds, both answers equal the fragments Strudel's query gives, filtered to
//! those that start. A node appends its children's events to the buffer and rewrites or
//! filters the appended tail in place; the recursion is as deep as the node tree, which the
//! compiler bounds, and a query within one cycle appends at most the root's bound.

use super::compile::{Node, Run};
use super::rand::mini_rand;
use super::rational::Rational;
use super::{Event, Pattern};

/// One query's fixed inputs.
pub struct Query<'p> {
    pattern: &'p Pattern,
    seed: u64,
}

impl<'p> Query<'p> {
    /// A query of `pattern` with the caller's random `seed`.
    pub fn new(pattern: &'p Pattern, seed: u64) -> Self {
        Query { pattern, seed }
    }

    fn node(&self, id: u32) -> Node {
        self.pattern.nodes[id as usize]
    }

    fn children(&self, run: Run) -> &'p [u32] {
        &self.pattern.children[run.range()]
    }

    /// Appends the events of node `id` whose onset lies in `[begin, end)`.
    ///
    /// Real-time safe: does not allocate, lock or block (given capacity).
    pub fn onsets(&self, id: u32, begin: Rational, end: Rational, out: &mut Vec<Event>) {
        if begin >= end {
            return;
        }
        match self.node(id) {
            Node::Silence => {}
            Node::Atom(value) => {
                let mut c = begin.ceil();
                while Rational::integer(c) < end {
                    let t = Rational::integer(c);
                    out.push(Event {
                        begin: t,
                        end: t + Rational::ONE,
                        value,
                        velocity: None,
                    });
                    c += 1;
                }
            }
            Node::Seq(run) => {
                for c in cycles(begin, end) {
                    let cycle = Rational::integer(c);
                    for slot in &self.pattern.slots[run.range()] {
                        let from = begin.max(cycle + slot.begin);
                        let to = end.min(cycle + slot.end);
                        if from >= to {
                            continue;
                        }
                        let width = slot.end - slot.begin;
                        let start = out.len();
                        let inner = |t: Rational| cycle + (t - cycle - slot.begin) / width;
                        self.onsets(slot.child, inner(from), inner(to), out);
                        let outer = |t: Rational| cycle + slot.begin + (t - cycle) * width;
                        map_tail(out, start, outer);
                    }
                }
            }
            Node::Stack(run) => {
                for &child in self.children(run) {
                    self.onsets(child, begin, end, out);
                }
            }
            Node::Fast { factor, child } => {
                let start = out.len();
                self.onsets(child, begin * factor, end * factor, out);
                map_tail(out, start, |t| t / factor);
            }
            Node::Repeat { times, child } => {
                for c in cycles(begin, end) {
                    let cycle = Rational::integer(c);
                    let delta = cycle - (cycle / times).sam();
                    let start = out.len();
                    self.onsets(
                        child,
                        begin.max(cycle) - delta,
                        end.min(cycle + Rational::ONE) - delta,
                        out,
                    );
                    map_tail(out, start, |t| t + delta);
                }
            }
            Node::Euclid { pulses, child } => {
                let flags = &self.pattern.pulses[pulses.range()];
                let steps = Rational::integer(flags.len() as i64);
                for c in cycles(begin, end) {
                    for (k, _) in flags.iter().enumerate().filter(|(_, on)| **on) {
                        let onset = Rational::integer(c) + Rational::integer(k as i64) / steps;
                        if onset >= begin && onset < end {
                            let start = out.len();
                            self.active(child, onset, out);
                            set_whole(out, start, onset, onset + Rational::ONE / steps);
                        }
                    }
                }
            }
            Node::Degrade {
                amount,
                seed,
                child,
            } => {
                let start = out.len();
                self.onsets(child, begin, end, out);
                self.keep_above(out, start, amount, seed);
            }
            Node::Choose { seed, children } => {
                for c in cycles(begin, end) {
                    let cycle = Rational::integer(c);
                    let child = self.chosen(children, cycle, seed);
                    self.onsets(child, begin.max(cycle), end.min(cycle + Rational::ONE), out);
                }
            }
            Node::Velocity { velocity, child } => {
                let start = out.len();
                self.onsets(child, begin, end, out);
                out[start..]
                    .iter_mut()
                    .for_each(|e| e.velocity = Some(velocity));
            }
        }
    }

    /// Appends the events of node `id` whose whole contains the instant `t`.
    ///
    /// Real-time safe: does not allocate, lock or block (given capacity).
    pub fn active(&self, id: u32, t: Rational, out: &mut Vec<Event>) {
        let cycle = t.sam();
        match self.node(id) {
            Node::Silence => {}
            Node::Atom(value) => out.push(Event {
                begin: cycle,
                end: cycle + Rational::ONE,
                value,
                velocity: None,
            }),
            Node::Seq(run) => {
                let at = t - cycle;
                let slots = &self.pattern.slots[run.range()];
                if let Some(slot) = slots.iter().find(|s| s.begin <= at && at < s.end) {
                    let width = slot.end - slot.begin;
                    let start = out.len();
                    self.active(slot.child, cycle + (at - slot.begin) / width, out);
                    map_tail(out, start, |u| cycle + slot.begin + (u - cycle) * width);
                }
            }
            Node::Stack(run) => {
                for &child in self.children(run) {
                    self.active(child, t, out);
                }
            }
            Node::Fast { factor, child } => {
                let start = out.len();
                self.active(child, t * factor, out);
                map_tail(out, start, |u| u / factor);
            }
            Node::Repeat { times, child } => {
                let delta = cycle - (cycle / times).sam();
                let start = out.len();
                self.active(child, t - delta, out);
                map_tail(out, start, |u| u + delta);
            }
            Node::Euclid { pulses, child } => {
                let flags = &self.pattern.pulses[pulses.range()];
                let steps = Rational::integer(flags.len() as i64);
                let k = ((t - cycle) * steps).floor();
                if flags.get(k as usize).copied().unwrap_or(false) {
                    let onset = cycle + Rational::integer(k) / steps;
                    let start = out.len();
                    self.active(child, t, out);
                    set_whole(out, start, onset, onset + Rational::ONE / steps);
                }
            }
            Node::Degrade {
                amount,
                seed,
                child,
            } => {
                let start = out.len();
                self.active(child, t, out);
                self.keep_above(out, start, amount, seed);
            }
            Node::Choose { seed, children } => {
                let child = self.chosen(children, cycle, seed);
                self.active(child, t, out);
            }
            Node::Velocity { velocity, child } => {
                let start = out.len();
                self.active(child, t, out);
                out[start..]
                    .iter_mut()
                    .for_each(|e| e.velocity = Some(velocity));
            }
        }
    }

    /// `|`: the option for `cycle` (`chooseInWith(rand.early(...).segment(1), options)`).
    fn chosen(&self, children: Run, cycle: Rational, seed: u32) -> u32 {
        let options = self.children(children);
        let r = mini_rand(cycle, seed, self.seed) * options.len() as f64;
        let index = (r.floor().max(0.0) as usize).min(options.len() - 1);
        options[index]
    }

    /// `?`: keeps the tail's events whose random number at their onset is above `amount`.
    fn keep_above(&self, out: &mut Vec<Event>, start: usize, amount: f64, seed: u32) {
        let mut kept = start;
        for i in start..out.len() {
            if mini_rand(out[i].begin, seed, self.seed) > amount {
                out.swap(kept, i);
                kept += 1;
            }
        }
        out.truncate(kept);
    }
}

/// The integer cycles that `[begin, end)` touches.
fn cycles(begin: Rational, end: Rational) -> core::ops::Range<i64> {
    begin.floor()..end.ceil()
}

/// Maps the begin and end of every event appended since `start`.
fn map_tail(out: &mut [Event], start: usize, f: impl Fn(Rational) -> Rational) {
    for event in &mut out[start..] {
        event.begin = f(event.begin);
        event.end = f(event.end);
    }
}

/// Gives every event appended since `start` the whole `begin..end` (a rhythm's step).
fn set_whole(out: &mut [Event], start: usize, begin: Rational, end: Rational) {
    for event in &mut out[start..] {
        event.begin = begin;
        event.end = end;
    }
}
