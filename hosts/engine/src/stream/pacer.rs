//! When an event stamped with an engine sample is due on the wall clock: the one mapping the
//! note sender and the MIDI clock sender share, so notes and clock ticks leave together. It is
//! the engine's model of the audio clock ([`AudioClock`]), which time tags and MIDI input map
//! through too.

use crate::AudioClock;
use patchvm_vm::live::Metrics;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How far the engine's clock may stray from the anchor's prediction before the pacer
/// anchors again (a stall, a pause, a render faster than real time), while the model of the
/// audio clock has not locked.
const REANCHOR: Duration = Duration::from_millis(100);

/// The longest single sleep while waiting, so a stop is heeded soon.
const MAX_SLEEP: Duration = Duration::from_millis(20);

/// Maps engine samples to wall-clock times through a model of the audio clock (fitted to the
/// audio half's calls: when each began and at which frame), plus a lookahead: room for the
/// sending thread to wake late without the event being late.
#[derive(Debug)]
pub struct Pacer {
    clock: AudioClock,
    metrics: Arc<Metrics>,
    sample_rate: f64,
    lookahead: Duration,
    /// While the model has not locked (before the audio's first calls, or a host rendering
    /// faster than real time): the frame count and the wall clock when first asked, a line
    /// of the nominal rate through them.
    anchor: Option<(u64, Instant)>,
}

impl Pacer {
    /// A pacer over `clock` (the engine's metrics: [`Controller::clock`](crate::Controller::clock)),
    /// with a model of the audio clock of its own.
    pub fn new(clock: Arc<Metrics>, sample_rate: f64, lookahead: Duration) -> Pacer {
        let model = AudioClock::new(Arc::clone(&clock), sample_rate);
        Pacer::with_clock(model, clock, sample_rate, lookahead)
    }

    /// A pacer mapping through `model`, shared with whoever else holds it
    /// ([`Controller::audio_clock`](crate::Controller::audio_clock)).
    pub fn with_clock(
        model: AudioClock,
        metrics: Arc<Metrics>,
        sample_rate: f64,
        lookahead: Duration,
    ) -> Pacer {
        Pacer {
            clock: model,
            metrics,
            sample_rate,
            lookahead,
            anchor: None,
        }
    }

    /// The wall-clock time sample `time` is due, plus the lookahead.
    pub fn due(&mut self, time: u64) -> Instant {
        let due = self.clock.instant_at(time).unwrap_or_else(|| {
            let (frames, at) = *self
                .anchor
                .get_or_insert_with(|| (self.metrics.frames(), Instant::now()));
            let offset = (time as f64 - frames as f64) / self.sample_rate;
            match offset >= 0.0 {
                true => at + Duration::from_secs_f64(offset),
                false => at
                    .checked_sub(Duration::from_secs_f64(-offset))
                    .unwrap_or(at),
            }
        });
        due + self.lookahead
    }

    /// Takes the audio half's latest call into the model, so it follows the audio clock
    /// between events; while it has not locked, anchors the fallback line again when the
    /// engine's frame count strays from it by more than 100 ms. Call it while idle.
    pub fn check_anchor(&mut self) {
        self.clock.update();
        let Some((frames, at)) = self.anchor else {
            return;
        };
        let predicted = frames as f64 + at.elapsed().as_secs_f64() * self.sample_rate;
        let now = self.metrics.frames();
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
