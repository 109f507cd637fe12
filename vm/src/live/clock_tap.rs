//! MIDI clock out of a playing engine: the audio half's [`ClockOut`] and the queue its
//! messages leave by, to a sender thread.

use crate::live::audio_half::AudioHalf;
use crate::time::{Beats, ClockMessage, ClockOut};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// A clock message stamped with the engine sample it belongs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockEvent {
    /// The engine sample (frames since the engine started).
    pub time: u64,
    /// The message.
    pub message: ClockMessage,
}

/// The audio half's end: the generator and the queue's producer.
pub(crate) struct ClockTap {
    clock: ClockOut,
    queue: rtrb::Producer<ClockEvent>,
    dropped: Arc<AtomicU64>,
}

impl ClockTap {
    /// Queues the clock messages of a block of `frames` samples at engine sample `time`; a
    /// full queue drops them and counts them, never waits.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn block(&mut self, time: u64, beats: &Beats, frames: usize) {
        let queue = &mut self.queue;
        let dropped = &self.dropped;
        self.clock.block(beats, frames, |offset, message| {
            let event = ClockEvent {
                time: time + offset as u64,
                message,
            };
            if queue.push(event).is_err() {
                dropped.fetch_add(1, Relaxed);
            }
        });
    }
}

/// The sender's end: clock messages in the order the audio half made them.
#[derive(Debug)]
pub struct ClockReceiver {
    queue: rtrb::Consumer<ClockEvent>,
    dropped: Arc<AtomicU64>,
}

impl ClockReceiver {
    /// The next message, if one is waiting.
    pub fn pop(&mut self) -> Option<ClockEvent> {
        self.queue.pop().ok()
    }

    /// Messages the audio half dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Relaxed)
    }
}

impl AudioHalf {
    /// Makes the audio half send MIDI clock (see [`ClockOut`]) from its next block on, into a
    /// queue of `capacity` messages whose other end this returns (a second call replaces the
    /// first queue). Call it on the control side, before the audio half moves to its thread:
    /// it allocates the queue.
    pub fn send_clock(&mut self, capacity: usize) -> ClockReceiver {
        let (queue, receiver) = rtrb::RingBuffer::new(capacity.max(1));
        let dropped = Arc::new(AtomicU64::new(0));
        self.clock = Some(ClockTap {
            clock: ClockOut::new(),
            queue,
            dropped: Arc::clone(&dropped),
        });
        ClockReceiver {
            queue: receiver,
            dropped,
        }
    }
}
