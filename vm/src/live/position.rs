//! [`PublishedPosition`]: where the transport stood after the audio half's last block, for
//! the control side to read (a status line, a snapshot) without a lock.

use crate::time::TransportState;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicU64, fence};

/// Words of one [`TransportState`] and its sample time.
const WORDS: usize = 10;

/// A sequence lock over the transport's state: the audio side (the only writer) bumps the
/// sequence to odd, stores the words and bumps it to even, never waiting; a reader retries
/// while the sequence is odd or moved during its read, so it never sees a torn state (a
/// position from one block with the anchor of the next).
#[derive(Debug, Default)]
pub struct PublishedPosition {
    sequence: AtomicU64,
    words: [AtomicU64; WORDS],
}

impl PublishedPosition {
    /// Publishes `state`, the transport at engine sample `time`.
    ///
    /// Real-time safe: does not allocate, lock or block (a handful of atomic stores).
    pub(crate) fn publish(&self, time: u64, state: &TransportState) {
        let sequence = self.sequence.load(Relaxed);
        self.sequence.store(sequence.wrapping_add(1), Relaxed);
        fence(Release);
        let flags = u64::from(state.playing)
            | u64::from(state.live_bpm.is_some()) << 1
            | u64::from(state.looping.is_some()) << 2;
        let (start, end) = state.looping.unwrap_or_default();
        let words = [
            time,
            state.beat.to_bits(),
            state.bpm.to_bits(),
            state.beats_per_bar.to_bits(),
            flags,
            state.anchor_beat.to_bits(),
            state.since,
            state.live_bpm.unwrap_or_default().to_bits(),
            start.to_bits(),
            end.to_bits(),
        ];
        for (word, value) in self.words.iter().zip(words) {
            word.store(value, Relaxed);
        }
        self.sequence.store(sequence.wrapping_add(2), Release);
    }

    /// The last state published and the engine sample it is at; `None` before the first
    /// block. Retries (briefly spinning, then yielding) while the audio side writes.
    pub fn read(&self) -> Option<(u64, TransportState)> {
        let mut tries = 0u32;
        loop {
            let before = self.sequence.load(Acquire);
            let words: [u64; WORDS] = std::array::from_fn(|i| self.words[i].load(Relaxed));
            fence(Acquire);
            let after = self.sequence.load(Relaxed);
            if before == after && before.is_multiple_of(2) {
                return (before > 0).then(|| decode(&words));
            }
            tries += 1;
            match tries < 64 {
                true => std::hint::spin_loop(),
                false => std::thread::yield_now(),
            }
        }
    }
}

fn decode(words: &[u64; WORDS]) -> (u64, TransportState) {
    let f = |i: usize| f64::from_bits(words[i]);
    let flags = words[4];
    let state = TransportState {
        beat: f(1),
        bpm: f(2),
        beats_per_bar: f(3),
        playing: flags & 1 != 0,
        anchor_beat: f(5),
        since: words[6],
        live_bpm: (flags & 2 != 0).then(|| f(7)),
        looping: (flags & 4 != 0).then(|| (f(8), f(9))),
    };
    (words[0], state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_reads_back_as_published_and_nothing_before() {
        let cell = PublishedPosition::default();
        assert_eq!(cell.read(), None);
        let state = TransportState {
            beat: 12.25,
            bpm: 137.0,
            beats_per_bar: 3.0,
            playing: true,
            anchor_beat: 8.0,
            since: 9_000,
            live_bpm: Some(90.0),
            looping: Some((4.0, 16.0)),
        };
        cell.publish(48_000, &state);
        assert_eq!(cell.read(), Some((48_000, state)));
        let still = TransportState {
            playing: false,
            live_bpm: None,
            looping: None,
            ..state
        };
        cell.publish(96_000, &still);
        assert_eq!(cell.read(), Some((96_000, still)));
    }
}
