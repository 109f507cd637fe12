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
mod pacer;
mod sender;

pub use held::HeldNotes;
pub use jitter::Jitter;
pub use pacer::Pacer;
pub use sender::{NoteSender, SenderMetrics, SenderProbe, SenderSettings};

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

    /// Sends a note off the sender made itself to close a note whose off never came (it was
    /// dropped) or is still held when the stream ends. A file, which closes what is open at
    /// its end itself, may leave it out.
    fn close(&mut self, event: &SinkEvent) -> Result<(), String> {
        self.send(event)
    }

    /// Called once when the stream ends, after the last event, with the beat the stream ended
    /// at if the caller knows it: writes a file out.
    fn finish(&mut self, end_beat: Option<f64>) -> Result<(), String> {
        let _ = end_beat;
        Ok(())
    }
}

/// The events of `frames` samples of `instance`'s sinks, run in blocks of up to 64 samples
/// without writing audio anywhere, in time order: what the live audio half pushes for the
/// same samples. Notes still held at the end stay open (a file closes them at its end).
pub fn offline(instance: &mut Instance, frames: u64) -> Vec<SinkEvent> {
    let mut events = Vec::new();
    let mut left = frames;
    while left > 0 {
        let block = left.min(MAX_BLOCK as u64) as usize;
        left -= instance.run_sinks(block, &mut |event| events.push(event)) as u64;
    }
    events
}
