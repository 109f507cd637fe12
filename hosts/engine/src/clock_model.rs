//! A model of the audio clock on the control side: the line that maps engine samples to
//! wall-clock instants, fitted to the audio half's observations (each call's frame count and
//! the instant it began, [`Metrics::last_callback`]). One call's instant is a poor clock: a
//! host wakes its callback late by a varying amount (jitter), or runs several in a row and
//! then none (a burst: a device period of 1 024 frames asked for as four calls of 256). A
//! least-squares line over the last two seconds of calls averages both away, so a time tag,
//! a MIDI port's timestamp or a note due out maps to the same sample whatever the host
//! buffer. Time tags (OSC), MIDI input and the note and clock senders' [`Pacer`] all map
//! through it.
//!
//! [`Pacer`]: crate::stream::Pacer

use patchvm_vm::live::Metrics;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How far back observations count, in wall-clock seconds: long enough to average many
/// periods of any host's bursts and jitter, short enough that the drift between the audio
/// device's clock and the system's (tens of parts per million) is a straight line over it.
const WINDOW_SECONDS: f64 = 4.0;
/// The most observations kept: four seconds of 64-frame calls at 96 kHz (the oldest go first).
/// A window cut by count rather than time would slide through a burst's calls unevenly.
const MAX_OBSERVATIONS: usize = 6_000;
/// A call further than this from the line's prediction starts the model again: the audio
/// stalled, paused, or renders faster than real time (an offline render).
const RESET_SECONDS: f64 = 0.1;
/// Below this span of frames the slope is too uncertain to fit: the nominal rate is used.
const MIN_SPAN_SECONDS: f64 = 0.05;
/// The fitted rate may differ from the nominal one by at most this fraction; a fit further
/// off (a host rendering in bursts faster than real time) falls back to the nominal rate.
const MAX_DRIFT: f64 = 0.005;
/// Observations further from the first fit than this many robust deviations (and at least
/// [`MIN_OUTLIER_SECONDS`]) are left out of the second: a call preempted for milliseconds
/// must not tilt the line.
const OUTLIER_DEVIATIONS: f64 = 4.0;
const MIN_OUTLIER_SECONDS: f64 = 0.000_5;
/// The model's slope follows the fitted one with this time constant, in seconds of calls.
const SLOPE_SECONDS: f64 = 10.0;

/// The line `seconds = offset + slope · (frames − frames_origin)`, both sides relative to
/// the model's origin so the fit keeps its precision over hours.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Line {
    offset: f64,
    slope: f64,
}

/// The fitted map between engine samples and wall-clock instants. Feed it observations
/// ([`observe`](ClockModel::observe)), ask it either way.
#[derive(Clone, Debug)]
pub struct ClockModel {
    sample_rate: f64,
    /// The first observation since the last reset: frames and instant, the zero of both axes.
    origin: Option<(u64, Instant)>,
    /// Observations since, relative to the origin: (frames, seconds), oldest first.
    observations: VecDeque<(f64, f64)>,
    /// The frames each of those calls rendered up to, relative to the origin.
    ends: VecDeque<f64>,
    line: Option<Line>,
    /// Seconds per frame: the nominal rate's at first, then following the fits.
    slope: f64,
    /// Whether the last fit found the calls coming at the audio's pace over enough frames to
    /// fit a slope: until then the model answers nothing, so a host that renders faster than
    /// real time (a test, an offline render) keeps counting in frames rendered.
    locked: bool,
    /// The most the frames rendered have run ahead of the line (see
    /// [`lead`](ClockModel::lead)).
    lead: f64,
    /// Scratch for the residuals' median, kept to spare an allocation per observation.
    scratch: Vec<f64>,
}

impl ClockModel {
    /// An empty model of a clock running at `sample_rate` frames per second, nominally.
    pub fn new(sample_rate: f64) -> ClockModel {
        ClockModel {
            sample_rate: sample_rate.max(1.0),
            origin: None,
            observations: VecDeque::new(),
            ends: VecDeque::new(),
            line: None,
            slope: 1.0 / sample_rate.max(1.0),
            locked: false,
            lead: 0.0,
            scratch: Vec::new(),
        }
    }

    /// Adds one observation: a call of the audio half began at `at` with `frames` frames
    /// rendered, to render `length` more. An observation far off the line (a stall, frames
    /// going back) starts again.
    pub fn observe(&mut self, frames: u64, length: u64, at: Instant) {
        let point = self.origin.and_then(|(origin_frames, origin_at)| {
            let frames = frames.checked_sub(origin_frames)? as f64;
            let seconds = at.checked_duration_since(origin_at)?.as_secs_f64();
            Some((frames, seconds))
        });
        let far = match (point, self.line) {
            (Some((frames, seconds)), Some(line)) => {
                (seconds - line.seconds(frames)).abs() > RESET_SECONDS
            }
            (point, _) => point.is_none(),
        };
        let (frames_rel, seconds) = match point {
            Some(point) if !far => point,
            _ => {
                self.origin = Some((frames, at));
                self.observations.clear();
                self.ends.clear();
                self.slope = 1.0 / self.sample_rate;
                (0.0, 0.0)
            }
        };
        let elapsed = self
            .observations
            .back()
            .map_or(0.0, |&(_, last)| (seconds - last).max(0.0));
        self.observations.push_back((frames_rel, seconds));
        self.ends.push_back(frames_rel + length as f64);
        while self.observations.len() > MAX_OBSERVATIONS
            || self
                .observations
                .front()
                .is_some_and(|&(_, first)| seconds - first > WINDOW_SECONDS)
        {
            self.observations.pop_front();
            self.ends.pop_front();
        }
        let line = self.fit(elapsed);
        self.line = Some(line);
        self.lead = self
            .observations
            .iter()
            .zip(&self.ends)
            .map(|(&(_, seconds), &end)| end - line.frames(seconds))
            .fold(0.0, f64::max);
    }

    /// The most, in frames, that the audio half's rendering has run ahead of the line over
    /// the window: a buffer, plus what bursts and jitter add. An event stamped with an
    /// instant already past (a MIDI message's arrival) lands on its sample of the line plus
    /// this, plus the time it took to handle, and is never late: the delay that keeps a live
    /// input's timing whatever the buffer. `None` until the model has locked.
    pub fn lead(&self) -> Option<f64> {
        self.locked.then_some(self.lead)
    }

    /// The engine sample (fractional) the audio half renders at `at`, on the line; `None`
    /// until the model has locked (calls at the audio's pace over 50 ms of frames).
    pub fn sample_at(&self, at: Instant) -> Option<f64> {
        let ((origin_frames, origin_at), line) = (self.origin?, self.line?);
        if !self.locked {
            return None;
        }
        let seconds = match at.checked_duration_since(origin_at) {
            Some(after) => after.as_secs_f64(),
            None => -(origin_at - at).as_secs_f64(),
        };
        Some(origin_frames as f64 + line.frames(seconds))
    }

    /// The instant the audio half renders engine sample `sample`, on the line; `None` until
    /// the model has locked.
    pub fn instant_at(&self, sample: u64) -> Option<Instant> {
        let ((origin_frames, origin_at), line) = (self.origin?, self.line?);
        if !self.locked {
            return None;
        }
        let seconds = line.seconds(sample as f64 - origin_frames as f64);
        Some(match seconds >= 0.0 {
            true => origin_at + Duration::from_secs_f64(seconds.min(1e9)),
            false => origin_at
                .checked_sub(Duration::from_secs_f64((-seconds).min(1e9)))
                .unwrap_or(origin_at),
        })
    }

    /// The line through the observations: least squares, then again without the outliers of
    /// the first fit. The second fit's slope moves the model's by the share of
    /// [`SLOPE_SECONDS`] since the last observation, and the line goes through the kept
    /// observations' centroid: a slope fitted afresh to every call would swing the line's
    /// newest end by four times a new call's residual over their number (its leverage), where
    /// the centroid moves by one time.
    fn fit(&mut self, elapsed: f64) -> Line {
        let nominal = 1.0 / self.sample_rate;
        let first = self.least_squares(f64::INFINITY, None);
        let first = Line {
            offset: first.mean_t - first.slope.unwrap_or(nominal) * first.mean_f,
            slope: first.slope.unwrap_or(nominal),
        };
        self.scratch.clear();
        self.scratch.extend(
            self.observations
                .iter()
                .map(|&(frames, seconds)| (seconds - first.seconds(frames)).abs()),
        );
        let middle = self.scratch.len() / 2;
        let (_, median, _) = self.scratch.select_nth_unstable_by(middle, f64::total_cmp);
        // The median absolute deviation, scaled to a normal distribution's deviation.
        let limit = (OUTLIER_DEVIATIONS * 1.4826 * *median).max(MIN_OUTLIER_SECONDS);
        let second = self.least_squares(limit, Some(first));
        self.locked = second.slope.is_some();
        if let Some(fitted) = second.slope {
            self.slope += (fitted - self.slope) * (elapsed / SLOPE_SECONDS).min(1.0);
        }
        Line {
            offset: second.mean_t - self.slope * second.mean_f,
            slope: self.slope,
        }
    }

    /// Least squares over the observations within `limit` seconds of `around` (all of them
    /// without it): their centroid, and the slope where they span enough frames to fit one
    /// and it lies within [`MAX_DRIFT`] of the nominal rate.
    fn least_squares(&self, limit: f64, around: Option<Line>) -> Fit {
        let nominal = 1.0 / self.sample_rate;
        let kept = || {
            self.observations.iter().filter(move |&&(frames, seconds)| {
                around.is_none_or(|line| (seconds - line.seconds(frames)).abs() <= limit)
            })
        };
        let (mut n, mut sum_f, mut sum_t) = (0.0, 0.0, 0.0);
        for &(frames, seconds) in kept() {
            n += 1.0;
            sum_f += frames;
            sum_t += seconds;
        }
        if n == 0.0 {
            // Nothing within the limit (cannot happen: the median is): the first fit's line.
            let line = around.unwrap_or(Line {
                offset: 0.0,
                slope: nominal,
            });
            return Fit {
                mean_f: 0.0,
                mean_t: line.offset,
                slope: None,
            };
        }
        let (mean_f, mean_t) = (sum_f / n, sum_t / n);
        let (mut sff, mut sft, mut low, mut high) = (0.0, 0.0, f64::INFINITY, 0.0_f64);
        for &(frames, seconds) in kept() {
            sff += (frames - mean_f) * (frames - mean_f);
            sft += (frames - mean_f) * (seconds - mean_t);
            low = low.min(frames);
            high = high.max(frames);
        }
        let fitted = sft / sff;
        let slope = (high - low >= MIN_SPAN_SECONDS * self.sample_rate
            && (fitted / nominal - 1.0).abs() <= MAX_DRIFT)
            .then_some(fitted);
        Fit {
            mean_f,
            mean_t,
            slope,
        }
    }
}

/// What one least-squares pass found.
struct Fit {
    mean_f: f64,
    mean_t: f64,
    slope: Option<f64>,
}

impl Line {
    fn seconds(&self, frames: f64) -> f64 {
        self.offset + self.slope * frames
    }

    fn frames(&self, seconds: f64) -> f64 {
        (seconds - self.offset) / self.slope
    }
}

/// The engine's one [`ClockModel`], shared by whatever maps times on the control side (OSC
/// time tags, MIDI input, note and clock senders): cloning shares it. It takes each new
/// observation from the engine's metrics when asked; a host that drives the audio half from
/// a clock of its own (a simulation) feeds it by hand instead ([`AudioClock::manual`]).
#[derive(Clone, Debug)]
pub struct AudioClock {
    /// The audio half's observations; `None` when fed by hand.
    metrics: Option<Arc<Metrics>>,
    shared: Arc<Mutex<Fed>>,
}

#[derive(Debug)]
struct Fed {
    model: ClockModel,
    /// The last call taken from the metrics.
    last_call: u64,
}

impl AudioClock {
    /// The clock of the engine whose metrics are `metrics`, running at `sample_rate`.
    pub fn new(metrics: Arc<Metrics>, sample_rate: f64) -> AudioClock {
        AudioClock {
            metrics: Some(metrics),
            shared: AudioClock::fed(sample_rate),
        }
    }

    /// A clock fed only by [`observe`](AudioClock::observe): for a host that calls the audio
    /// half on a timeline of its own.
    pub fn manual(sample_rate: f64) -> AudioClock {
        AudioClock {
            metrics: None,
            shared: AudioClock::fed(sample_rate),
        }
    }

    fn fed(sample_rate: f64) -> Arc<Mutex<Fed>> {
        Arc::new(Mutex::new(Fed {
            model: ClockModel::new(sample_rate),
            last_call: 0,
        }))
    }

    /// Adds an observation by hand: a call began at `at` with `frames` frames rendered, to
    /// render `length` more.
    pub fn observe(&self, frames: u64, length: u64, at: Instant) {
        self.lock().model.observe(frames, length, at);
    }

    /// The engine sample rendered at `at`, on the model's line (taking the audio half's last
    /// call first); `None` until the model has locked: the audio half called at real-time
    /// pace for 50 ms.
    pub fn sample_at(&self, at: Instant) -> Option<f64> {
        self.updated().model.sample_at(at)
    }

    /// The instant engine sample `sample` is rendered, on the model's line; `None` until the
    /// model has locked.
    pub fn instant_at(&self, sample: u64) -> Option<Instant> {
        self.updated().model.instant_at(sample)
    }

    /// The most the audio half's rendering has run ahead of the model's line, in frames
    /// ([`ClockModel::lead`]); `None` until the model has locked.
    pub fn lead(&self) -> Option<f64> {
        self.updated().model.lead()
    }

    /// Takes the audio half's last call into the model, if it is new. Whoever maps times calls
    /// it through [`sample_at`](AudioClock::sample_at) and
    /// [`instant_at`](AudioClock::instant_at); a thread that waits long between those may call
    /// it meanwhile, so the model sees more calls.
    pub fn update(&self) {
        drop(self.updated());
    }

    fn updated(&self) -> std::sync::MutexGuard<'_, Fed> {
        let mut fed = self.lock();
        if let Some(stamp) = self.metrics.as_ref().and_then(|m| m.last_callback())
            && stamp.call != fed.last_call
        {
            fed.last_call = stamp.call;
            fed.model.observe(stamp.frames, stamp.length, stamp.at);
        }
        fed
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Fed> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
#[path = "clock_model_tests.rs"]
mod tests;
