//! The WAV sink's clock: when each buffer is due, at real-time speed, and how late the
//! audio thread woke up for it.

use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

/// Real time at a sample rate, from a start instant. Deadlines are computed from the frame
/// count each time, never accumulated, so rounding does not drift over a long session.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    start: Instant,
    sample_rate: u32,
}

impl Clock {
    /// A clock whose frame 0 is due now.
    pub(crate) fn start(sample_rate: u32) -> Clock {
        Clock {
            start: Instant::now(),
            sample_rate: sample_rate.max(1),
        }
    }

    /// When frame `frame` is due: `frame / sample_rate` seconds after the start.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn due(&self, frame: u64) -> Instant {
        let nanos = u128::from(frame) * 1_000_000_000 / u128::from(self.sample_rate);
        self.start + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// Sleeps until `deadline`, then returns how late the thread woke up (zero if the
    /// deadline had not come yet: it slept).
    ///
    /// Real-time safe: does not allocate or lock; it blocks only to wait for the deadline,
    /// standing in for a sound card's interrupt.
    pub(crate) fn wait_until(&self, deadline: Instant) -> Duration {
        let now = Instant::now();
        if let Some(ahead) = deadline.checked_duration_since(now) {
            std::thread::sleep(ahead);
        }
        Instant::now().saturating_duration_since(deadline)
    }
}

/// How late a paced thread woke up, kept in atomics the control side reads.
#[derive(Debug, Default)]
pub(crate) struct LatenessMeter {
    last_ns: AtomicU64,
    max_ns: AtomicU64,
    sum_ns: AtomicU64,
    count: AtomicU64,
}

impl LatenessMeter {
    /// Records one wake-up `late` after its deadline.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn record(&self, late: Duration) {
        let ns = u64::try_from(late.as_nanos()).unwrap_or(u64::MAX);
        self.last_ns.store(ns, Relaxed);
        self.max_ns.fetch_max(ns, Relaxed);
        self.sum_ns.fetch_add(ns, Relaxed);
        self.count.fetch_add(1, Relaxed);
    }

    /// The last, mean and largest lateness so far.
    pub(crate) fn read(&self) -> patchvm_engine::backend::Lateness {
        let count = self.count.load(Relaxed).max(1);
        patchvm_engine::backend::Lateness {
            last: Duration::from_nanos(self.last_ns.load(Relaxed)),
            mean: Duration::from_nanos(self.sum_ns.load(Relaxed) / count),
            max: Duration::from_nanos(self.max_ns.load(Relaxed)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_follow_the_sample_rate_without_drifting() {
        let clock = Clock::start(48_000);
        assert_eq!(clock.due(48_000) - clock.due(0), Duration::from_secs(1));
        assert_eq!(clock.due(1) - clock.due(0), Duration::from_nanos(20_833));
        // A day later the deadline is still exact to the nanosecond.
        let day = 86_400 * 48_000;
        assert_eq!(clock.due(day) - clock.due(0), Duration::from_secs(86_400));
    }

    #[test]
    fn waiting_sleeps_until_the_deadline_and_measures_the_overshoot() {
        let clock = Clock::start(1_000);
        let deadline = clock.due(20);
        let late = clock.wait_until(deadline);
        let now = Instant::now();
        assert!(now >= deadline);
        assert!(late <= now - deadline);
        // A deadline long past: no sleep, and the lateness says how far behind.
        let late = clock.wait_until(clock.due(0));
        assert!(late >= Duration::from_millis(20), "{late:?}");
    }

    #[test]
    fn the_meter_keeps_last_mean_and_max() {
        let meter = LatenessMeter::default();
        for ms in [2, 6, 1] {
            meter.record(Duration::from_millis(ms));
        }
        let read = meter.read();
        assert_eq!(read.last, Duration::from_millis(1));
        assert_eq!(read.mean, Duration::from_millis(3));
        assert_eq!(read.max, Duration::from_millis(6));
    }
}
