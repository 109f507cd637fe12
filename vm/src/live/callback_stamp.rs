//! [`CallbackStamp`]: when the audio half's last call began and the engine time it began at,
//! the observations from which the control side models the audio clock (the engine's
//! `ClockModel`): one sample of the line that maps engine samples to wall-clock time.

use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicU64, fence};
use std::time::{Duration, Instant};

/// A sequence lock over one observation: the audio side (the only writer) bumps the sequence
/// to odd, stores the frame count and the time, and bumps it to even, never waiting; a reader
/// retries while the sequence is odd or moved, so it never pairs one call's frames with
/// another's time. The sequence also counts the calls: `sequence / 2`.
#[derive(Debug)]
pub struct CallbackStamp {
    /// What the times are counted from: a monotonic clock has no numeric origin of its own.
    epoch: Instant,
    sequence: AtomicU64,
    frames: AtomicU64,
    length: AtomicU64,
    nanos: AtomicU64,
}

impl Default for CallbackStamp {
    fn default() -> CallbackStamp {
        CallbackStamp {
            epoch: Instant::now(),
            sequence: AtomicU64::new(0),
            frames: AtomicU64::new(0),
            length: AtomicU64::new(0),
            nanos: AtomicU64::new(0),
        }
    }
}

/// One observation of the audio clock: a call of the audio half began at `at`, with `frames`
/// frames rendered before it, to render `length` more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Which call this was: 1 for the first, counting up.
    pub call: u64,
    /// The engine time when the call began.
    pub frames: u64,
    /// The frames the call renders.
    pub length: u64,
    /// The wall clock when the call began.
    pub at: Instant,
}

impl CallbackStamp {
    /// Records that a call began at `at` with `frames` frames rendered, to render `length`.
    ///
    /// Real-time safe: does not allocate, lock or block (arithmetic and atomic stores; the
    /// caller has read the clock already).
    pub(crate) fn record(&self, frames: u64, length: u64, at: Instant) {
        let nanos = at.saturating_duration_since(self.epoch).as_nanos();
        let nanos = u64::try_from(nanos).unwrap_or(u64::MAX);
        let sequence = self.sequence.load(Relaxed);
        self.sequence.store(sequence.wrapping_add(1), Relaxed);
        fence(Release);
        self.frames.store(frames, Relaxed);
        self.length.store(length, Relaxed);
        self.nanos.store(nanos, Relaxed);
        self.sequence.store(sequence.wrapping_add(2), Release);
    }

    /// The last call's observation; `None` before the first call. Retries (spinning, then
    /// yielding) while the audio side writes.
    pub fn read(&self) -> Option<Stamp> {
        let mut tries = 0u32;
        loop {
            let before = self.sequence.load(Acquire);
            let frames = self.frames.load(Relaxed);
            let length = self.length.load(Relaxed);
            let nanos = self.nanos.load(Relaxed);
            fence(Acquire);
            let after = self.sequence.load(Relaxed);
            if before == after && before.is_multiple_of(2) {
                return (before > 0).then(|| Stamp {
                    call: before / 2,
                    frames,
                    length,
                    at: self.epoch + Duration::from_nanos(nanos),
                });
            }
            tries += 1;
            match tries < 64 {
                true => std::hint::spin_loop(),
                false => std::thread::yield_now(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_call_is_read_with_its_own_frames_and_time() {
        let stamp = CallbackStamp::default();
        assert_eq!(stamp.read(), None);
        let start = Instant::now();
        stamp.record(0, 256, start);
        stamp.record(256, 128, start + Duration::from_micros(5_333));
        let read = stamp.read().unwrap();
        assert_eq!((read.call, read.frames, read.length), (2, 256, 128));
        assert_eq!(read.at, start + Duration::from_micros(5_333));
    }
}
