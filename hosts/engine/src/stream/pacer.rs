//! When an event stamped with an engine sample is due on the wall clock: the one mapping the
//! note sender and the MIDI clock sender share, so notes and clock ticks leave together.

use patchvm_vm::live::Metrics;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How far the engine's clock may stray from the anchor's prediction before the pacer
/// anchors again (a stall, a pause, a render faster than real time).
const REANCHOR: Duration = Duration::from_millis(100);

/// The longest single sleep while waiting, so a stop is heeded soon.
const MAX_SLEEP: Duration = Duration::from_millis(20);

/// Maps engine samples to wall-clock times through the engine's frame counter (advanced by
/// the audio half as it renders) and the wall clock when that count was read, plus a
/// lookahead: room for the sending thread to wake late without the event being late.
#[derive(Debug)]
pub struct Pacer {
    clock: Arc<Metrics>,
    sample_rate: f64,
    lookahead: Duration,
    /// The engine's frame count and the wall clock when it was read.
    anchor: Option<(u64, Instant)>,
}

impl Pacer {
    /// A pacer over `clock` (the engine's metrics: [`Controller::clock`](crate::Controller::clock)).
    pub fn new(clock: Arc<Metrics>, sample_rate: f64, lookahead: Duration) -> Pacer {
        Pacer {
            clock,
            sample_rate,
            lookahead,
            anchor: None,
        }
    }

    /// The wall-clock time sample `time` is due, plus the lookahead. The first call anchors
    /// the mapping at the engine's frame count now.
    pub fn due(&mut self, time: u64) -> Instant {
        let (frames, at) = *self
            .anchor
            .get_or_insert_with(|| (self.clock.frames(), Instant::now()));
        let offset = (time as f64 - frames as f64) / self.sample_rate;
        let due = if offset >= 0.0 {
            at + Duration::from_secs_f64(offset)
        } else {
            at.checked_sub(Duration::from_secs_f64(-offset))
                .unwrap_or(at)
        };
        due + self.lookahead
    }

    /// Anchors the mapping again when the engine's frame count strays from what the anchor
    /// predicts by more than 100 ms: call it while idle.
    pub fn check_anchor(&mut self) {
        let Some((frames, at)) = self.anchor else {
            return;
        };
        let predicted = frames as f64 + at.elapsed().as_secs_f64() * self.sample_rate;
        let now = self.clock.frames();
        if (now as f64 - predicted).abs() > REANCHOR.as_secs_f64() * self.sample_rate {
            self.anchor = Some((now, Instant::now()));
        }
    }

    /// Sleeps until `due`, or until `stop` is raised.
    pub fn wait_until(due: Instant, stop: &AtomicBool) {
        loop {
            let now = Instant::now();
            if now >= due || stop.load(Ordering::Acquire) {
                return;
            }
            std::thread::sleep((due - now).min(MAX_SLEEP));
        }
    }
}
