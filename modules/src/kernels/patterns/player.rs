//! The player's memory of a pattern: the events of the few cycles around the transport's
//! beat, each placed on the beat line (swung and humanised), queried once per cycle and
//! sorted by the beat at which they play, so a block finds its onsets without asking the
//! pattern again.
//!
//! A cycle lasts `cycle_beats` beats (bars per cycle times the meter's beats per bar); an
//! event at cycle position `c` lies at beat `c · cycle_beats`. A groove may move an event
//! into a neighbouring cycle's time (humanise earlier, swing and humanise later), so the
//! cycles held are those that may hold an event playing between the previous sample and the
//! block's last.

use patchvm_pattern::mini::{Event, Pattern, Rational};
use patchvm_pattern::theory::Groove;
use patchvm_vm::Beats;

/// The fewest cycles held at once: the previous cycle, the current one and the next, and
/// one for a block that crosses into it.
pub(in crate::kernels) const MIN_HELD: usize = 4;

/// The most cycles held at once, whatever the groove asks (a window needing more keeps the
/// earliest).
const MAX_HELD: usize = 32;

/// The shortest bar a meter may have, in beats (1/16), for sizing what is held.
const SHORTEST_BAR: f64 = 0.25;

/// The cycles a player must hold when its groove may move events `reach` beats in all
/// (earlier plus later) and its cycles last `cycle_bars` bars.
pub(in crate::kernels) fn held_cycles(reach: f64, cycle_bars: f64) -> usize {
    let spread = (reach / (cycle_bars * SHORTEST_BAR)).ceil();
    (spread.max(0.0) as usize + MIN_HELD).min(MAX_HELD)
}

/// An event placed on the beat line.
#[derive(Clone, Copy, Debug)]
pub(in crate::kernels) struct Placed {
    /// The event as the pattern gives it.
    pub(in crate::kernels) event: Event,
    /// Its beat before the groove.
    pub(in crate::kernels) beat: f64,
    /// Its beat once swung and humanised: where it plays.
    pub(in crate::kernels) time: f64,
    /// Its length in beats.
    pub(in crate::kernels) length: f64,
    /// The cycle it belongs to.
    cycle: i64,
    /// Its place in the pattern's answer for its cycle, so equal times keep the pattern's order.
    rank: usize,
}

/// A pattern and the events of the cycles it holds.
#[derive(Clone, Debug)]
pub(in crate::kernels) struct Held {
    pattern: Pattern,
    seed: u64,
    /// One cycle's answer, before placing.
    scratch: Vec<Event>,
    /// The most cycles held at once.
    most: i64,
    /// The events of `cycles`, sorted by `time`.
    events: Vec<Placed>,
    /// The cycles held.
    cycles: (i64, i64),
    /// The cycle length and groove the events were placed with.
    placed_with: Option<(f64, Groove)>,
}

impl Held {
    /// Holds `pattern`, whose `?` and `|` draw from `seed`, `cycles` cycles at a time;
    /// allocates what playing needs.
    pub(in crate::kernels) fn new(pattern: Pattern, seed: u64, cycles: usize) -> Held {
        let per_cycle = pattern.max_events_per_cycle();
        Held {
            pattern,
            seed,
            most: cycles as i64,
            scratch: Vec::with_capacity(per_cycle),
            events: Vec::with_capacity(per_cycle * cycles),
            cycles: (0, 0),
            placed_with: None,
        }
    }

    /// The events held, sorted by the beat at which they play.
    pub(in crate::kernels) fn events(&self) -> &[Placed] {
        &self.events
    }

    /// Holds the events of cycles `first..=last` (at most as many as it was made for) placed by
    /// `groove` with cycles of `cycle_beats` beats, querying only the cycles not yet held.
    ///
    /// Real-time safe: does not allocate, lock or block (the buffers have room for the
    /// cycles it holds).
    pub(in crate::kernels) fn hold(
        &mut self,
        first: i64,
        last: i64,
        cycle_beats: f64,
        groove: &Groove,
    ) {
        if self.placed_with != Some((cycle_beats, *groove)) {
            self.events.clear();
            self.cycles = (0, 0);
            self.placed_with = Some((cycle_beats, *groove));
        }
        let last = last.min(first + self.most - 1);
        let (start, end) = self.cycles;
        if first >= start && last < end {
            return;
        }
        let from = if (start..end).contains(&first) {
            self.events.retain(|placed| placed.cycle >= first);
            end
        } else {
            self.events.clear();
            first
        };
        for cycle in from..=last {
            self.scratch.clear();
            let span = Rational::integer(cycle)..Rational::integer(cycle + 1);
            self.pattern.query(span, self.seed, &mut self.scratch);
            for (rank, event) in self.scratch.iter().enumerate() {
                let beat = event.begin.to_f64() * cycle_beats;
                self.events.push(Placed {
                    event: *event,
                    beat,
                    time: groove.time(beat),
                    length: (event.end - event.begin).to_f64() * cycle_beats,
                    cycle,
                    rank,
                });
            }
        }
        self.cycles = (first, last + 1);
        self.events.sort_unstable_by(|a, b| {
            a.time
                .total_cmp(&b.time)
                .then(a.cycle.cmp(&b.cycle))
                .then(a.rank.cmp(&b.rank))
        });
    }

    /// The index of the first event held that plays after beat `beat`.
    pub(in crate::kernels) fn after(&self, beat: f64) -> usize {
        self.events.partition_point(|placed| placed.time <= beat)
    }
}

/// The cycle that beat `beat` lies in, for cycles of `cycle_beats` beats.
pub(in crate::kernels) fn cycle_of(beat: f64, cycle_beats: f64) -> i64 {
    (beat / cycle_beats).floor() as i64
}

/// The largest beat below `beat` that is a normal number: its next float down, or below beat
/// 0, `-f64::MIN_POSITIVE` rather than a subnormal, which the audio thread's flush-to-zero
/// mode may read as 0 (aarch64's does) — so "just below beat 0" stays below it.
pub(in crate::kernels) fn just_below(beat: f64) -> f64 {
    let below = beat.next_down();
    match below.is_subnormal() || below == 0.0 {
        true => -f64::MIN_POSITIVE,
        false => below,
    }
}

/// The beat of the sample before the block `beats` begins: exactly, inside a stretch of the
/// beat line; the block's first beat less a sample's worth at its start; just below the
/// first beat after a jump, so only an event exactly on it plays there.
pub(in crate::kernels) fn before(beats: &Beats) -> f64 {
    let first = beats.at(0);
    if beats.jumped {
        return just_below(first);
    }
    if beats.since > 0 {
        let k = (beats.since - 1) as f64;
        return beats.origin + k * beats.origin_per_sample + 0.5 * k * k * beats.accel;
    }
    first - beats.per_sample
}
