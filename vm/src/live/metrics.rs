//! Metrics the audio half writes and the control side reads: plain atomics, so neither side
//! ever waits for the other.

use crate::live::callback_stamp::{CallbackStamp, Stamp};
use crate::live::position::PublishedPosition;
use crate::time::TransportState;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::sync::atomic::{AtomicU64, fence};

/// Counters and gauges shared by the two halves of an engine. Every field is written by one
/// side only (noted on each) with relaxed atomic stores, so reading never disturbs the audio
/// thread: no lock, no cache line the audio side waits on.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Audio side: `process` calls so far.
    calls: AtomicU64,
    /// Audio side: frames rendered so far (the engine's time), updated after every block.
    frames: AtomicU64,
    /// Audio side: calls that took longer than the audio they rendered lasts.
    late_calls: AtomicU64,
    /// Audio side: wall-clock nanoseconds of the last call.
    last_dsp_ns: AtomicU64,
    /// Audio side: wall-clock nanoseconds of all calls so far.
    dsp_ns: AtomicU64,
    /// Audio side: DSP load of the last call and the highest so far, in millionths of the
    /// real-time budget (1 000 000 = the whole budget).
    last_load_ppm: AtomicU64,
    peak_load_ppm: AtomicU64,
    /// Audio side: programs taken.
    swaps: AtomicU64,
    /// Audio side: the engine time of the next look for new programs, made at every block
    /// boundary. A program published before that look is taken there, one published while
    /// it is under way at the next, at most one block later: the reference point for
    /// measuring swap latency.
    next_look: AtomicU64,
    /// Audio side: events whose parameter the playing program does not have.
    unrouted_events: AtomicU64,
    /// Audio side: events applied.
    applied_events: AtomicU64,
    /// Audio side: non-finite output samples replaced by silence.
    flushed_samples: AtomicU64,
    /// Audio side: fault onsets (a kernel's output turning non-finite after a clean block).
    faults: AtomicU64,
    /// Audio side: output samples over full scale, before the limiter.
    clipped_samples: AtomicU64,
    /// Events dropped: by the control side because the queue was full, or by the audio side
    /// because its list of scheduled events was full of later ones.
    dropped_events: AtomicU64,
    /// Control side: voices whose gate is open (held, or kept by the sustain pedal).
    active_voices: AtomicU64,
    /// Audio side: the peak of the ringing tails' last block, as `f32` bits with bit 32 set;
    /// 0 while no tail rings.
    tail_peak: AtomicU64,
    /// Audio side: where the transport stood after the last block.
    position: PublishedPosition,
    /// Audio side: when the last call began, and the engine time then.
    callback: CallbackStamp,
}

/// A copy of the [`Metrics`] at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MetricsSnapshot {
    /// `process` calls so far.
    pub calls: u64,
    /// Frames rendered so far: the engine's sample time.
    pub frames: u64,
    /// Calls that took longer than the audio they produced lasts (an xrun if the host's
    /// buffer is as short as the call).
    pub late_calls: u64,
    /// Wall-clock time the last call took, in nanoseconds.
    pub last_dsp_ns: u64,
    /// Wall-clock time all calls took, in nanoseconds: its growth over the duration of the
    /// frames rendered meanwhile is the mean DSP load over that interval.
    pub dsp_ns: u64,
    /// The last call's time over the duration of the audio it rendered: 1.0 is the whole
    /// real-time budget.
    pub last_load: f64,
    /// The highest such load so far.
    pub peak_load: f64,
    /// Programs the audio half has taken.
    pub swaps: u64,
    /// Events whose parameter the playing program does not have (a node removed meanwhile).
    pub unrouted_events: u64,
    /// Events applied.
    pub applied_events: u64,
    /// Events dropped because the event queue, or the audio half's list of scheduled
    /// events, was full.
    pub dropped_events: u64,
    /// Non-finite output samples replaced by silence.
    pub flushed_samples: u64,
    /// Voices whose gate is open (held, or kept by the sustain pedal), as the control side
    /// last set them; released voices still sounding their release are not counted.
    pub active_voices: u64,
    /// Fault onsets: a node's output turning NaN or infinite after a clean block (see
    /// [`Fault`](crate::Fault)).
    pub faults: u64,
    /// Output samples over full scale (magnitude above 1.0), counted before the limiter.
    pub clipped_samples: u64,
}

impl Metrics {
    /// A copy of every counter, for the control side.
    pub fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            calls: self.calls.load(Relaxed),
            frames: self.frames.load(Relaxed),
            late_calls: self.late_calls.load(Relaxed),
            last_dsp_ns: self.last_dsp_ns.load(Relaxed),
            dsp_ns: self.dsp_ns.load(Relaxed),
            last_load: self.last_load_ppm.load(Relaxed) as f64 / 1e6,
            peak_load: self.peak_load_ppm.load(Relaxed) as f64 / 1e6,
            swaps: self.swaps.load(Relaxed),
            unrouted_events: self.unrouted_events.load(Relaxed),
            applied_events: self.applied_events.load(Relaxed),
            dropped_events: self.dropped_events.load(Relaxed),
            flushed_samples: self.flushed_samples.load(Relaxed),
            active_voices: self.active_voices.load(Relaxed),
            faults: self.faults.load(Relaxed),
            clipped_samples: self.clipped_samples.load(Relaxed),
        }
    }

    /// The engine time of the audio half's next look for new programs. Call it after
    /// publishing a program: the program is taken at that look, or at the one after.
    ///
    /// Each side stores one thing and then loads the other's (the control side the queue's
    /// tail then this time, the audio side this time then the tail): without a full fence on
    /// both sides, both loads may see old values — the store-buffer race — and a program
    /// published just before a look would be missed by it while its report named that look,
    /// measuring two blocks of latency for one.
    pub fn next_look(&self) -> u64 {
        fence(SeqCst);
        self.next_look.load(Relaxed)
    }

    /// Records that the next look for new programs happens at engine time `time`, fenced so
    /// that the look itself sees any program published before this time could be read.
    ///
    /// Real-time safe: does not allocate, lock or block (a fence is one instruction).
    pub(crate) fn will_look_at(&self, time: u64) {
        self.next_look.store(time, Relaxed);
        fence(SeqCst);
    }

    /// Where the transport stood after the audio half's last block, and the engine sample
    /// that is; `None` before the first block.
    pub fn position(&self) -> Option<(u64, TransportState)> {
        self.position.read()
    }

    /// Records where the transport stands at engine sample `time`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn publish_position(&self, time: u64, state: &TransportState) {
        self.position.publish(time, state);
    }

    /// When the audio half's last call began and the engine time then: the observations the
    /// control side's model of the audio clock is fitted to. `None` before the first call.
    pub fn last_callback(&self) -> Option<Stamp> {
        self.callback.read()
    }

    /// Records that a call began at `at` with `frames` frames rendered, to render `length`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn call_began(&self, frames: u64, length: u64, at: std::time::Instant) {
        self.callback.record(frames, length, at);
    }

    /// The frames rendered so far, the engine's sample time.
    pub fn frames(&self) -> u64 {
        self.frames.load(Relaxed)
    }

    /// Moves the engine's time on by `frames`, after each block (not only after each call,
    /// so the control side sees the time within a block of the truth).
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn advance(&self, frames: u64) {
        self.frames.fetch_add(frames, Relaxed);
    }

    /// Records one `process` call that took `dsp_ns` against a budget of
    /// `budget_ns`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn call(&self, dsp_ns: u64, budget_ns: u64) {
        self.calls.fetch_add(1, Relaxed);
        self.last_dsp_ns.store(dsp_ns, Relaxed);
        self.dsp_ns.fetch_add(dsp_ns, Relaxed);
        let load_ppm = dsp_ns.saturating_mul(1_000_000) / budget_ns.max(1);
        self.last_load_ppm.store(load_ppm, Relaxed);
        self.peak_load_ppm.fetch_max(load_ppm, Relaxed);
        if dsp_ns > budget_ns {
            self.late_calls.fetch_add(1, Relaxed);
        }
    }

    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn swapped(&self) {
        self.swaps.fetch_add(1, Relaxed);
    }

    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn event(&self, routed: bool) {
        match routed {
            true => self.applied_events.fetch_add(1, Relaxed),
            false => self.unrouted_events.fetch_add(1, Relaxed),
        };
    }

    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn flushed(&self, samples: u64) {
        if samples > 0 {
            self.flushed_samples.fetch_add(samples, Relaxed);
        }
    }

    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn faulted(&self) {
        self.faults.fetch_add(1, Relaxed);
    }

    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn clipped(&self, samples: u64) {
        if samples > 0 {
            self.clipped_samples.fetch_add(samples, Relaxed);
        }
    }

    /// Records how many voices have their gate open; the control side's voice allocator
    /// calls it after every note.
    pub fn set_active_voices(&self, voices: u64) {
        self.active_voices.store(voices, Relaxed);
    }

    /// Records the peak of the last block of the tails ringing (see [`crate::live::Tail`]), or
    /// that none rings.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn tail(&self, peak: Option<f32>) {
        let bits = peak.map_or(0, |peak| u64::from(peak.to_bits()) | 1 << 32);
        self.tail_peak.store(bits, Relaxed);
    }

    /// The peak of the last block of the tails ringing after an edit removed effects, or
    /// `None` while none rings: how far a tail is from falling quiet.
    pub fn tail_peak(&self) -> Option<f32> {
        let bits = self.tail_peak.load(Relaxed);
        (bits != 0).then(|| f32::from_bits(bits as u32))
    }

    /// Counts an event the control side could not queue, or that the audio side dropped to
    /// make room for an earlier one.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn dropped_event(&self) {
        self.dropped_events.fetch_add(1, Relaxed);
    }
}
