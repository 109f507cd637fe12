//! Follow actions that start another timeline, on the exact sample the clip ends.
//!
//! The compiler joins output `follow{k}` of the timeline whose clip follows into timeline B
//! to B's `start` input (`patchvm_ir::timelines::follows`). A start is decided [`LEAD`]
//! samples before the clip's end: the source then writes a one-sample impulse on
//! `follow{k}`, and B starts from its beat 0 exactly `LEAD` samples after the impulse, which
//! is the sample the clip ends. Where B runs after the source (no cycle), B reads the impulse
//! in the same block; where the follows make a cycle (A into B, B into A), `start` is B's
//! cycle-breaking input and reaches it one block later, after it ran: a block is at most
//! `LEAD` samples, so the start still lies ahead of B, and B starts on the same sample either
//! way, whatever the buffers. The price: a decision is final `LEAD` samples (1.3 ms at
//! 48 kHz) before the end (a stop in them cuts the clip, but the other timeline still
//! starts), and a clip whose end the playhead reaches less than `LEAD` samples after it
//! landed (a seek into its last samples, a pass shorter than `LEAD`) starts the other
//! timeline late, `LEAD` samples after the decision.
//!
//! The timeline whose clip ended stops, as with `stop`: the other takes over, as one
//! scene's follow action launches the next in Ableton Live, which stops the clips of the
//! scene playing.

use patchvm_vm::MAX_BLOCK;

/// How far ahead of a clip's end a start of another timeline is decided and sent: the
/// longest block, so a start sent around a cycle still arrives before its sample.
pub const LEAD: u64 = MAX_BLOCK as u64;

/// The most starts on their way to one timeline at once; more are dropped.
const MAX_PENDING: usize = 16;

/// The starts on their way to this timeline, by the sample (of its kernel's clock) each
/// lands on, read from the `start` input.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Starts {
    at: [u64; MAX_PENDING],
    len: usize,
    /// Whether `start` was above 0.5 at the last sample read, so a held level starts once.
    high: bool,
}

impl Starts {
    /// None on their way.
    pub(crate) fn new() -> Starts {
        Starts {
            at: [0; MAX_PENDING],
            len: 0,
            high: false,
        }
    }

    /// Reads a block of the `start` input whose first sample is `first`: each rise above 0.5
    /// is a start `LEAD` samples later.
    pub(crate) fn read(&mut self, input: &[f32], first: u64) {
        for (k, &value) in input.iter().enumerate() {
            let high = value > 0.5;
            if high && !self.high && self.len < MAX_PENDING {
                let at = first + k as u64 + LEAD;
                if !self.at[..self.len].contains(&at) {
                    self.at[self.len] = at;
                    self.len += 1;
                }
            }
            self.high = high;
        }
    }

    /// Whether a start lands at or before `now`: then it is taken.
    pub(crate) fn due(&mut self, now: u64) -> bool {
        let mut due = false;
        let mut kept = 0;
        for k in 0..self.len {
            if self.at[k] <= now {
                due = true;
            } else {
                self.at[kept] = self.at[k];
                kept += 1;
            }
        }
        self.len = kept;
        due
    }

    /// Samples from `now` to the next start after it, at most `limit`.
    pub(crate) fn until_next(&self, now: u64, limit: u64) -> u64 {
        self.at[..self.len]
            .iter()
            .filter(|&&at| at > now)
            .map(|&at| at - now)
            .fold(limit, u64::min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rise_is_a_start_lead_samples_later_and_a_held_level_starts_once() {
        let mut starts = Starts::new();
        let mut input = [0.0f32; 8];
        input[2] = 1.0;
        input[5] = 1.0;
        input[6] = 1.0;
        starts.read(&input, 1_000);
        assert_eq!(starts.until_next(1_000, 10_000), 2 + LEAD);
        assert!(!starts.due(1_000 + LEAD + 1));
        assert!(starts.due(1_002 + LEAD));
        assert_eq!(starts.until_next(1_002 + LEAD, 10_000), 3);
        assert!(starts.due(1_005 + LEAD));
        // 6 was the same held level: no third start.
        assert!(!starts.due(u64::MAX));
    }
}
