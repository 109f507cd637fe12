//! The queues between the two halves, and the control side's end of them.

use crate::fault::Fault;
use crate::live::audio_half::AudioHalf;
use crate::live::event::Event;
use crate::live::loaded::{Loaded, Returned};
use crate::live::metrics::Metrics;
use std::sync::Arc;

/// How the two halves are built.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkSettings {
    /// Samples per second: for the DSP load, and the transport's beats per sample.
    pub sample_rate: f64,
    /// Output channels of the audio half: 1 or 2 (clamped).
    pub channels: usize,
    /// Events the queue holds before it is full (and as many wait, sorted, on the audio
    /// side).
    pub event_capacity: usize,
    /// Programs that may wait to be taken.
    pub swap_capacity: usize,
}

impl Default for LinkSettings {
    fn default() -> LinkSettings {
        LinkSettings {
            sample_rate: 48_000.0,
            channels: 2,
            event_capacity: 4_096,
            swap_capacity: 16,
        }
    }
}

/// The control side's end of the queues: publishes programs, sends events, and takes back
/// what the audio half is done with. Not real-time: it frees what comes back.
#[derive(Debug)]
pub struct Remote {
    programs: rtrb::Producer<Box<Loaded>>,
    events: rtrb::Producer<Event>,
    returned: rtrb::Consumer<Returned>,
    faults: rtrb::Consumer<Fault>,
    metrics: Arc<Metrics>,
}

/// Fault onsets the audio half can report before the control side reads them; more are
/// counted in the metrics but not named.
pub const FAULT_CAPACITY: usize = 256;

/// Makes the two halves of a live engine: the control side's [`Remote`] and the audio side's
/// [`AudioHalf`], joined by three lock-free single-producer single-consumer queues (`rtrb`):
/// programs one way, events one way, programs taken and retired the other way.
///
/// Why `rtrb` and not `arc-swap` for programs: a program is mutable state — kernels with their
/// phases and delay lines, registers — that the audio half must own exclusively to run,
/// while `arc-swap` publishes shared, immutable `Arc`s (running one would need a lock or
/// unchecked aliasing). It is also latest-wins, so the audio half could skip a program, but
/// each program says which kernels of *its predecessor* it keeps, which is only right if
/// every program is taken in order. A queue of owned boxes gives both, and moving a box is a
/// pointer copy: no allocation, no reference count that could reach zero on the audio
/// thread. Retired programs travel back on the return queue and are freed by the control
/// side.
pub fn link(settings: LinkSettings) -> (Remote, AudioHalf) {
    let swap_capacity = settings.swap_capacity.max(1);
    let event_capacity = settings.event_capacity.max(1);
    let (programs, program_rx) = rtrb::RingBuffer::new(swap_capacity);
    let (events, event_rx) = rtrb::RingBuffer::new(event_capacity);
    // Each program comes back twice at most (taken, then retired), and the audio half takes
    // one only when there is room for both: it never waits and never has to drop one.
    let (returned_tx, returned) = rtrb::RingBuffer::new(2 * swap_capacity + 4);
    let (faults_tx, faults) = rtrb::RingBuffer::new(FAULT_CAPACITY);
    let metrics = Arc::new(Metrics::default());
    let audio = AudioHalf::new(
        settings,
        program_rx,
        event_rx,
        (returned_tx, faults_tx),
        Arc::clone(&metrics),
        event_capacity,
    );
    let remote = Remote {
        programs,
        events,
        returned,
        faults,
        metrics,
    };
    (remote, audio)
}

impl Remote {
    /// Queues `program` to be taken at the audio half's next block boundary. Gives it back
    /// if too many programs are already waiting (the audio half is not running).
    pub fn publish(&mut self, program: Box<Loaded>) -> Result<(), Box<Loaded>> {
        self.programs
            .push(program)
            .map_err(|rtrb::PushError::Full(program)| program)
    }

    /// Programs published and not yet taken by the audio half.
    pub fn waiting(&self) -> usize {
        self.programs.buffer().capacity() - self.programs.slots()
    }

    /// Queues `event`; if the queue is full it is dropped and counted, never waited for.
    /// Returns whether it was queued.
    pub fn send(&mut self, event: Event) -> bool {
        let queued = self.events.push(event).is_ok();
        if !queued {
            self.metrics.dropped_event();
        }
        queued
    }

    /// Takes what the audio half sent back: programs taken, and programs retired (dropping
    /// a retired program here frees it on this thread).
    pub fn receive(&mut self) -> Option<Returned> {
        self.returned.pop().ok()
    }

    /// Takes the next fault onset the audio half reported: which kernel, and when.
    pub fn fault(&mut self) -> Option<Fault> {
        self.faults.pop().ok()
    }

    /// The metrics both halves write.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }
}
