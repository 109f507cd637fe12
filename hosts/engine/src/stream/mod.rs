//! Note streams leaving the engine: the events of a patch's sinks (`midi.out`, `midi.cc`,
//! `midi.bend`; see [`patchvm_vm::sink`]) sent to destinations.
//!
//! Live, the audio half pushes each event, stamped with its sample and beat, into a bounded
//! queue ([`NotesOut`](patchvm_vm::live::NotesOut)); when the queue is full it drops and
//! counts, never waits. A [`NoteSender`] thread takes them, sends each at its due time plus
//! a lookahead to every [`Destination`] (a MIDI port, a MIDI file, OSC: adapters implement the
//! trait), measures how late it sent, and keeps the notes held ([`HeldNotes`]) so none is left
//! stuck: a note on whose off was dropped is closed. Offline, [`offline`] runs an
//! [`Instance`] as fast as the CPU allows and gives the same events, since both call the vm's
//! one extraction function on the same blocks' signals.

mod held;
mod jitter;
mod sender;

pub use held::HeldNotes;
pub use jitter::Jitter;
pub use sender::{NoteSender, SenderMetrics, SenderSettings};

use crate::Instance;
use patchvm_vm::{MAX_BLOCK, SinkEvent};

/// Where a note stream's events go. The sender calls it on its own thread, in time order,
/// each event at its due time (a file records them as they come).
pub trait Destination: Send {
    /// What to call it in reports: a port's name, a file's path, `HOST:PORT`.
    fn name(&self) -> &str;

    /// Sends one event. An error is reported and counted; the sender goes on (a port that
    /// vanished may come back: the destination retries on later calls).
    fn send(&mut self, event: &SinkEvent) -> Result<(), String>;

    /// Called once when the stream ends, after the last event: writes a file out.
    fn finish(&mut self) -> Result<(), String> {
        Ok(())
    }
}

/// The events of `frames` samples of `instance`'s sinks, run in blocks of up to 64 samples
/// without writing audio anywhere, in time order, with every note still held at the end
/// closed at the last event's sample and beat ([`HeldNotes::close_all`]), as the live sender
/// closes them.
pub fn offline(instance: &mut Instance, frames: u64) -> Vec<SinkEvent> {
    let mut events = Vec::new();
    let mut held = HeldNotes::default();
    let mut left = frames;
    while left > 0 {
        let block = left.min(MAX_BLOCK as u64) as usize;
        let done = instance.run_sinks(block, &mut |event| {
            held.track(&event);
            events.push(event);
        });
        left -= done as u64;
    }
    if let Some(&last) = events.last() {
        held.close_all(&last, &mut |event| events.push(event));
    }
    events
}
