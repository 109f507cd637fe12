//! The audio half's end of its event queues: the events sinks give (the note queue) and the
//! clip events timelines give, pushed for the control side, dropped and counted when the
//! queue is full (never waited on).

use crate::clip_event::ClipEvent;
use crate::sink::SinkEvent;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;

/// What the audio half counts about the queue; the sender reads it.
#[derive(Debug, Default)]
pub struct QueueCounters {
    /// Events pushed.
    pushed: AtomicU64,
    /// Events dropped because the queue was full.
    dropped: AtomicU64,
    /// The most events the queue held at once, seen after a push.
    high_water: AtomicU64,
}

impl QueueCounters {
    /// Events pushed so far.
    pub fn pushed(&self) -> u64 {
        self.pushed.load(Relaxed)
    }

    /// Events dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Relaxed)
    }

    /// The most events the queue held at once.
    pub fn high_water(&self) -> u64 {
        self.high_water.load(Relaxed)
    }
}

/// The producer end of an event queue, which the audio half owns once it is given one
/// ([`AudioHalf::send_notes`](crate::live::AudioHalf::send_notes),
/// [`AudioHalf::send_clip_events`](crate::live::AudioHalf::send_clip_events)).
#[derive(Debug)]
pub struct EventsOut<T> {
    producer: rtrb::Producer<T>,
    counters: std::sync::Arc<QueueCounters>,
}

/// The note queue's producer end: the sinks' events.
pub type NotesOut = EventsOut<SinkEvent>;

/// The clip queue's producer end: the timelines' clip events.
pub type ClipsOut = EventsOut<ClipEvent>;

impl<T> EventsOut<T> {
    /// A queue of `capacity` events: the producer end here, the consumer end for the sender,
    /// and the counters both read.
    pub fn new(
        capacity: usize,
    ) -> (
        EventsOut<T>,
        rtrb::Consumer<T>,
        std::sync::Arc<QueueCounters>,
    ) {
        let (producer, consumer) = rtrb::RingBuffer::new(capacity.max(1));
        let counters = std::sync::Arc::new(QueueCounters::default());
        let out = EventsOut {
            producer,
            counters: counters.clone(),
        };
        (out, consumer, counters)
    }

    /// Pushes `event`, or drops and counts it when the queue is full.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn push(&mut self, event: T) {
        if self.producer.push(event).is_err() {
            self.counters.dropped.fetch_add(1, Relaxed);
            return;
        }
        self.counters.pushed.fetch_add(1, Relaxed);
        let held = (self.producer.buffer().capacity() - self.producer.slots()) as u64;
        self.counters.high_water.fetch_max(held, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::Message;

    #[test]
    fn a_full_queue_drops_and_counts_and_keeps_its_high_water_mark() {
        let (mut out, mut consumer, counters) = NotesOut::new(3);
        let event = |time| SinkEvent {
            time,
            beat: 0.0,
            sink: 0,
            channel: 0,
            message: Message::Off { note: 60 },
        };
        for time in 0..5 {
            out.push(event(time));
        }
        assert_eq!((counters.pushed(), counters.dropped()), (3, 2));
        assert_eq!(counters.high_water(), 3);
        assert_eq!(consumer.pop().map(|e| e.time), Ok(0));
        out.push(event(9));
        let times: Vec<u64> = std::iter::from_fn(|| consumer.pop().ok())
            .map(|e| e.time)
            .collect();
        assert_eq!(times, [1, 2, 9]);
    }
}
