//! [`ClockFollow`]: the transport locked to an external MIDI clock.

use crate::time::clock_message::{ClockMessage, TICKS_PER_BEAT};
use crate::time::tempo_map::TempoMap;
use crate::time::transport::TransportCommand;

/// The smoothing the tick filter settles to: each tick moves the estimated tick time by this
/// share of its error. Small enough that ±2 ms of jitter on 20 ms ticks moves the estimate
/// by a fraction of a millisecond; the filter starts as a least-squares line through the
/// first ticks and narrows to this, so it locks within a few beats.
const ALPHA: f64 = 0.05;
/// The share of a tick's error that goes into the period (the loop's integral part): the
/// critically damped partner of [`ALPHA`], `α² / (2 − α)`.
const BETA: f64 = ALPHA * ALPHA / (2.0 - ALPHA);
/// How many beats the engine takes to make up a phase error: it plays at the clock's tempo
/// plus the error divided by this.
const CATCH_UP_BEATS: f64 = 1.0;
/// The most a phase correction changes the tempo, as a fraction: a follower far off catches
/// up gradually rather than audibly.
const MAX_NUDGE: f64 = 0.05;
/// Ticks between tempo updates while following the tempo alone (no start seen): one a beat.
const FREE_UPDATE_TICKS: u64 = TICKS_PER_BEAT as u64;

/// A transport command and the engine sample it is for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FollowCommand {
    /// The engine sample it should take effect at.
    pub at: u64,
    /// What the transport does.
    pub command: TransportCommand,
}

/// What the follower is doing with the engine's transport.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// No start seen: the engine plays on its own, at the clock's tempo.
    Free,
    /// Stopped by the clock; a continue plays from `pointer`.
    Stopped,
    /// Start or continue seen: the next tick plays the engine from `beat`.
    Armed { beat: f64 },
    /// Playing, locked in tempo and phase.
    Locked,
}

/// Where the follower's commands put the engine's transport: at sample `sample` it was at
/// `beat`, playing at `bpm` since.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Line {
    sample: f64,
    beat: f64,
    bpm: f64,
}

impl Line {
    fn beat_at(&self, sample: f64, rate: f64) -> f64 {
        self.beat + (sample - self.sample) * self.bpm / 60.0 / rate
    }
}

/// A phase-locked loop from MIDI clock (ticks, start, stop, continue, song position, each
/// with the engine sample it arrived at) to the engine's transport.
///
/// Tick times go through an alpha-beta filter (a second-order loop): the estimated time of
/// each tick and the period between ticks, so jitter is smoothed and a clock running faster
/// or slower than it said is followed. The engine is then driven by tempo alone: the clock's
/// estimated tempo, nudged by at most 5 % to make up the phase error (the
/// clock's beat minus the engine's, which the follower knows because its own commands set
/// the engine's tempo) over a beat. So the beat position never jumps except
/// where the clock itself jumps: start plays from beat 0 on the tick after it, continue from
/// the song position, stop stops. Before any start the engine keeps its own position and
/// only takes the clock's tempo, once a beat.
///
/// Control side: pure, fed times by the caller (a port's arrival times, a test's list).
#[derive(Clone, Debug)]
pub struct ClockFollow {
    rate: f64,
    /// The estimated period, in samples per tick.
    period: f64,
    /// The estimated time of the last tick, in engine samples, and ticks filtered so far.
    last: Option<f64>,
    filtered: u64,
    /// The clock's beat at the last tick (while locked).
    beat: f64,
    /// The beat a continue plays from.
    pointer: f64,
    mode: Mode,
    /// The engine's line as the follower's commands left it (while locked).
    engine: Option<Line>,
    /// The last phase error measured, in beats (the clock ahead is positive).
    phase_error: f64,
}

impl ClockFollow {
    /// A follower at `sample_rate` expecting a clock near `bpm` (the engine's tempo).
    pub fn new(sample_rate: f64, bpm: f64) -> ClockFollow {
        let rate = if sample_rate > 0.0 {
            sample_rate
        } else {
            48_000.0
        };
        let bpm = bpm.clamp(TempoMap::MIN_BPM, TempoMap::MAX_BPM);
        ClockFollow {
            rate,
            period: rate * 60.0 / bpm / f64::from(TICKS_PER_BEAT),
            last: None,
            filtered: 0,
            beat: 0.0,
            pointer: 0.0,
            mode: Mode::Free,
            engine: None,
            phase_error: 0.0,
        }
    }

    /// The clock's tempo as estimated, in BPM.
    pub fn bpm(&self) -> f64 {
        60.0 * self.rate / (self.period * f64::from(TICKS_PER_BEAT))
    }

    /// The phase error at the last tick while locked, in beats: the clock's beat minus the
    /// engine's (positive when the engine lags).
    pub fn phase_error(&self) -> f64 {
        self.phase_error
    }

    /// Whether the engine is locked to the clock (started or continued by it, and playing).
    pub fn locked(&self) -> bool {
        self.mode == Mode::Locked
    }

    /// Takes `message`, which arrived at engine sample `time` (fractional samples allowed),
    /// and appends to `out` the transport commands it calls for, each with the engine sample
    /// to apply it at: the arrival's, rounded up, or `earliest` if that is later (the first
    /// sample the audio half has still to play, for a message handed over late), so the
    /// follower knows where its tempo changes really land.
    pub fn message(
        &mut self,
        message: ClockMessage,
        time: f64,
        earliest: u64,
        out: &mut Vec<FollowCommand>,
    ) {
        if !time.is_finite() {
            return;
        }
        let at = (time.max(0.0).ceil() as u64).max(earliest);
        if message == ClockMessage::Tick {
            return self.tick(time, at, out);
        }
        let mut send = |command| out.push(FollowCommand { at, command });
        match message {
            ClockMessage::Tick => {}
            ClockMessage::Start | ClockMessage::Continue => {
                let beat = match message {
                    ClockMessage::Start => 0.0,
                    _ => self.pointer,
                };
                send(TransportCommand::Stop);
                send(TransportCommand::Seek(beat));
                self.mode = Mode::Armed { beat };
                self.engine = None;
            }
            ClockMessage::Stop => {
                if self.mode == Mode::Locked {
                    self.pointer = self.beat + 1.0 / f64::from(TICKS_PER_BEAT);
                }
                send(TransportCommand::Stop);
                self.mode = Mode::Stopped;
                self.engine = None;
            }
            ClockMessage::SongPosition(sixteenths) => {
                self.pointer = f64::from(sixteenths) / 4.0;
                if self.mode != Mode::Locked {
                    send(TransportCommand::Seek(self.pointer));
                }
            }
        }
    }

    /// A tick at `time`: filtered, then the engine's tempo set to follow it.
    fn tick(&mut self, time: f64, at: u64, out: &mut Vec<FollowCommand>) {
        let ticks = self.filter(time);
        let Some(estimate) = self.last else {
            return;
        };
        let bpm = self.bpm();
        let mut send = |command| out.push(FollowCommand { at, command });
        match self.mode {
            Mode::Armed { beat } => {
                self.beat = beat;
                self.mode = Mode::Locked;
                let bpm = bpm.clamp(TempoMap::MIN_BPM, TempoMap::MAX_BPM);
                send(TransportCommand::Tempo {
                    bpm,
                    next_beat: false,
                });
                send(TransportCommand::Play);
                self.engine = Some(Line {
                    sample: at as f64,
                    beat,
                    bpm,
                });
                self.phase_error = 0.0;
            }
            Mode::Locked => {
                self.beat += ticks as f64 / f64::from(TICKS_PER_BEAT);
                let Some(engine) = self.engine else {
                    return;
                };
                self.phase_error = self.beat - engine.beat_at(estimate, self.rate);
                let nudge = (self.phase_error / CATCH_UP_BEATS).clamp(-MAX_NUDGE, MAX_NUDGE);
                let bpm = (bpm * (1.0 + nudge)).clamp(TempoMap::MIN_BPM, TempoMap::MAX_BPM);
                send(TransportCommand::Tempo {
                    bpm,
                    next_beat: false,
                });
                let sample = at as f64;
                self.engine = Some(Line {
                    sample,
                    beat: engine.beat_at(sample, self.rate),
                    bpm,
                });
            }
            Mode::Free if self.filtered.is_multiple_of(FREE_UPDATE_TICKS) => {
                send(TransportCommand::Tempo {
                    bpm: bpm.clamp(TempoMap::MIN_BPM, TempoMap::MAX_BPM),
                    next_beat: false,
                });
            }
            Mode::Free | Mode::Stopped => {}
        }
    }

    /// Moves the filter on by the tick at `time`; returns how many ticks it stands for (more
    /// than one when ticks were lost on the way).
    fn filter(&mut self, time: f64) -> u64 {
        let Some(last) = self.last else {
            self.last = Some(time);
            self.filtered = 1;
            return 1;
        };
        // Once the period is known, a gap of several periods is ticks lost, not a slow tick.
        let ticks = match self.filtered >= 3 {
            true => ((time - last) / self.period).round().max(1.0),
            false => 1.0,
        };
        self.filtered += 1;
        // A least-squares line through the ticks so far, narrowing to the steady gains.
        let k = self.filtered as f64;
        let alpha = (2.0 * (2.0 * k - 1.0) / (k * (k + 1.0))).max(ALPHA);
        let beta = (6.0 / (k * (k + 1.0))).max(BETA);
        let predicted = last + ticks * self.period;
        let error = time - predicted;
        self.last = Some(predicted + alpha * error);
        self.period = (self.period + beta * error / ticks).max(1.0);
        ticks as u64
    }
}

#[cfg(test)]
#[path = "clock_follow_tests.rs"]
mod tests;
