//! [`Transport`]: the engine's one master transport, owned by the audio half.

use crate::time::beats::Beats;
use crate::time::tempo_map::{Segment, TempoMap};

/// What the control side asks of the transport; each takes effect at its event's sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TransportCommand {
    /// Plays from where it stands.
    Play,
    /// Stops where it is; the position holds.
    Stop,
    /// Jumps to a beat (negative beats count as 0).
    Seek(f64),
    /// Plays at `bpm` from now on (over the tempo map, until a program brings another map):
    /// at once, or at the next beat when `next_beat` is set (at once while stopped).
    Tempo {
        /// The new tempo, in quarter notes per minute.
        bpm: f64,
        /// Whether to wait for the next beat.
        next_beat: bool,
    },
    /// Loops from beat `start` to beat `end` (`0 <= start < end`): reaching `end`, the
    /// position jumps back to `start`.
    Loop {
        /// Where a wrap lands.
        start: f64,
        /// Where the loop wraps.
        end: f64,
    },
    /// Ends the loop.
    LoopOff,
    /// Goes on from where another transport stood (a snapshot's [`TransportState`]): as if
    /// anchored at `anchor_beat` `since` samples ago, so every later position is computed
    /// from the same anchor and offset, bit for bit as it was there. No jump: kernels find
    /// onsets from the sample before, as they did there.
    Resume {
        /// The beat of the other transport's last anchor.
        anchor_beat: f64,
        /// Samples from that anchor to the sample this one goes on from.
        since: u64,
    },
}

/// Where a transport stands at one sample: its position and tempo, for display, and its
/// anchor, loop and live tempo, for another engine to go on from the same place
/// ([`TransportCommand::Resume`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TransportState {
    /// The beat position of the sample.
    pub beat: f64,
    /// The tempo there, in quarter notes per minute.
    pub bpm: f64,
    /// Beats per bar, from the meter.
    pub beats_per_bar: f64,
    /// Whether it is playing.
    pub playing: bool,
    /// The beat of the last anchor (jump, start or tempo change).
    pub anchor_beat: f64,
    /// Samples from the anchor to the sample, while playing.
    pub since: u64,
    /// A tempo set by a command over the program's map, if any.
    pub live_bpm: Option<f64>,
    /// The loop, if one is set: `(start, end)` in beats.
    pub looping: Option<(f64, f64)>,
}

/// The beat line of every sample: play, stop, seek, loop and tempo changes over the current
/// program's [`TempoMap`].
///
/// The position of a sample follows in closed form from the last *anchor* (the sample and
/// beat of the last jump, start or tempo change) and the samples since, never from summing
/// blocks, so it is the same whatever the host's buffer sizes. The audio half asks for one
/// block at a time ([`next`](Transport::next)); a block never straddles a segment boundary
/// of the map, a loop's end or a tempo change waiting for its beat.
///
/// Every method is real-time safe: none allocates, locks or blocks.
#[derive(Clone, Debug)]
pub struct Transport {
    sample_rate: f64,
    playing: bool,
    /// The engine sample of the last anchor.
    anchor_sample: u64,
    /// The beat at `anchor_sample`.
    anchor_beat: f64,
    /// Samples the anchor lies before `anchor_sample`: 0 but after a resume, whose anchor
    /// lies before this engine's first sample.
    lead: u64,
    /// A tempo set by a command, which replaces the program's map until a program brings
    /// another.
    live_bpm: Option<f64>,
    looping: Option<(f64, f64)>,
    /// A tempo change waiting for its beat: `(beat, bpm)`.
    pending_tempo: Option<(f64, f64)>,
    /// Whether the next block starts after a jump.
    jumped: bool,
    /// How many jumps so far (seeks, wraps, starts): what was computed from an old position
    /// is stale once this moves.
    jumps: u64,
}

/// The segments positions follow: the map's, or the one steady segment of a live tempo.
struct Line<'a> {
    map: &'a TempoMap,
    live: Option<Segment>,
}

impl Line<'_> {
    fn segments(&self) -> &[Segment] {
        match &self.live {
            Some(segment) => std::slice::from_ref(segment),
            None => self.map.segments(),
        }
    }

    fn seconds_at(&self, beat: f64) -> f64 {
        let segments = self.segments();
        let at = segments
            .partition_point(|segment| segment.beat <= beat)
            .saturating_sub(1);
        segments[at].seconds_at(beat)
    }
}

/// Where a sample lies: its segment, the stretch of it the sample is in, and how far in.
struct Place {
    segment: Segment,
    /// Seconds of the stretch's first sample, on the line.
    start_seconds: f64,
    /// The beat of the stretch's first sample.
    origin: f64,
    /// Samples from the stretch's first sample.
    since: u64,
    /// Samples from the sample to the next segment's first sample, if there is one.
    to_next: Option<u64>,
}

impl Transport {
    /// A transport at beat 0 at `sample_rate`, playing from the engine's first sample
    /// (a patch plays from 0 unless told otherwise).
    pub fn new(sample_rate: f64) -> Transport {
        Transport {
            sample_rate: if sample_rate > 0.0 {
                sample_rate
            } else {
                48_000.0
            },
            playing: true,
            anchor_sample: 0,
            anchor_beat: 0.0,
            lead: 0,
            live_bpm: None,
            looping: None,
            pending_tempo: None,
            jumped: true,
            jumps: 0,
        }
    }

    /// Whether it is playing.
    pub fn playing(&self) -> bool {
        self.playing
    }

    /// How many jumps (seeks, loop wraps, starts) have happened: a beat computed from an
    /// older position may no longer lie ahead.
    pub fn jumps(&self) -> u64 {
        self.jumps
    }

    /// The loop, if one is set: `(start, end)` in beats.
    pub fn looping(&self) -> Option<(f64, f64)> {
        self.looping
    }

    fn line<'a>(&self, map: &'a TempoMap) -> Line<'a> {
        Line {
            map,
            live: self.live_bpm.map(Segment::steady),
        }
    }

    /// The first sample at or after `seconds` on the line, counted from the anchor.
    fn offset_of(&self, seconds: f64, anchor_seconds: f64) -> f64 {
        ((seconds - anchor_seconds) * self.sample_rate).ceil()
    }

    /// Where sample `now` lies while playing: segments start at the first sample at or
    /// after their time, so a sample's segment is decided by sample counts alone.
    fn place(&self, now: u64, line: &Line) -> Place {
        let segments = line.segments();
        let anchor_seconds = line.seconds_at(self.anchor_beat);
        let offset = self.offset(now);
        let start = |at: usize| self.offset_of(segments[at].seconds, anchor_seconds);
        let seconds = anchor_seconds + offset / self.sample_rate;
        let mut at = segments
            .partition_point(|segment| segment.seconds <= seconds)
            .saturating_sub(1);
        while at + 1 < segments.len() && start(at + 1) <= offset {
            at += 1;
        }
        while at > 0 && start(at) > offset {
            at -= 1;
        }
        let segment = segments[at];
        let first = start(at).max(0.0);
        let start_seconds = anchor_seconds + first / self.sample_rate;
        let origin = match first == 0.0 {
            true => self.anchor_beat,
            false => segment.beat_at(start_seconds),
        };
        let to_next = (at + 1 < segments.len()).then(|| (start(at + 1) - offset) as u64);
        Place {
            segment,
            start_seconds,
            origin,
            since: (offset - first) as u64,
            to_next,
        }
    }

    /// Samples from the anchor to sample `now`.
    fn offset(&self, now: u64) -> f64 {
        now.saturating_sub(self.anchor_sample)
            .saturating_add(self.lead) as f64
    }

    /// Where the transport stands at sample `now` (nothing applied).
    pub fn state(&self, now: u64, map: &TempoMap) -> TransportState {
        let beats = self.beats_at(now, map);
        TransportState {
            beat: beats.position,
            bpm: beats.bpm,
            beats_per_bar: beats.beats_per_bar,
            playing: self.playing,
            anchor_beat: self.anchor_beat,
            since: if self.playing {
                self.offset(now) as u64
            } else {
                0
            },
            live_bpm: self.live_bpm,
            looping: self.looping,
        }
    }

    /// The beat position of sample `now` of the engine.
    pub fn position(&self, now: u64, map: &TempoMap) -> f64 {
        self.beats_at(now, map).position
    }

    /// Samples from `now` to the first sample at or after `beat` (0 if it is behind), or
    /// `None` while stopped.
    pub fn samples_until(&self, now: u64, beat: f64, map: &TempoMap) -> Option<u64> {
        if !self.playing {
            return None;
        }
        let line = self.line(map);
        let anchor_seconds = line.seconds_at(self.anchor_beat);
        let offset = self.offset(now);
        let target = self.offset_of(line.seconds_at(beat), anchor_seconds);
        Some((target - offset).max(0.0) as u64)
    }

    /// The block starting at sample `now`: applies what falls due there (a tempo change
    /// reaching its beat, a loop's wrap), then returns how many of `frames` samples it may
    /// run before the next segment boundary, loop end or waiting tempo change, and its
    /// [`Beats`]. `frames` > 0 gives a length > 0.
    pub fn next(&mut self, now: u64, frames: usize, map: &TempoMap) -> (usize, Beats) {
        self.settle(now, map);
        let mut length = frames as u64;
        if self.playing {
            if let Some(until) = self.place(now, &self.line(map)).to_next {
                length = length.min(until);
            }
            let ends = [
                self.looping.map(|(_, end)| end),
                self.pending_tempo.map(|(beat, _)| beat),
            ];
            for beat in ends.into_iter().flatten() {
                if let Some(until) = self.samples_until(now, beat, map) {
                    length = length.min(until);
                }
            }
        }
        let beats = self.beats_at(now, map);
        self.jumped = false;
        (length.max(1) as usize, beats)
    }

    /// Applies what is due at `now`: a waiting tempo change whose beat has come, then a
    /// loop's wrap if its end has come.
    pub fn settle(&mut self, now: u64, map: &TempoMap) {
        if let Some((beat, bpm)) = self.pending_tempo
            && self
                .samples_until(now, beat, map)
                .is_none_or(|until| until == 0)
        {
            self.set_tempo(now, bpm, map);
        }
        if let Some((start, end)) = self.looping
            && self.samples_until(now, end, map) == Some(0)
        {
            self.jump(now, start);
        }
    }

    /// Carries out `command` at sample `now`. Commands out of range (a tempo outside
    /// [`TempoMap::MIN_BPM`]..=[`TempoMap::MAX_BPM`], a loop not `0 <= start < end`, beats
    /// not finite) are ignored: the control side refuses them first.
    pub fn command(&mut self, now: u64, command: TransportCommand, map: &TempoMap) {
        match command {
            TransportCommand::Play if !self.playing => {
                self.anchor_sample = now;
                self.lead = 0;
                self.playing = true;
                self.jumped = true;
                self.jumps += 1;
                self.retarget_tempo();
            }
            TransportCommand::Play => {}
            TransportCommand::Stop if self.playing => {
                self.anchor_beat = self.position(now, map);
                self.anchor_sample = now;
                self.lead = 0;
                self.playing = false;
                if let Some((_, bpm)) = self.pending_tempo.take() {
                    self.live_bpm = Some(bpm);
                }
            }
            TransportCommand::Stop => {}
            TransportCommand::Seek(beat) if beat.is_finite() => self.jump(now, beat.max(0.0)),
            TransportCommand::Seek(_) => {}
            TransportCommand::Tempo { bpm, next_beat } => {
                if !(TempoMap::MIN_BPM..=TempoMap::MAX_BPM).contains(&bpm) {
                    return;
                }
                if next_beat && self.playing {
                    self.pending_tempo = Some((self.position(now, map).ceil(), bpm));
                    self.settle(now, map);
                } else {
                    self.pending_tempo = None;
                    self.set_tempo(now, bpm, map);
                }
            }
            TransportCommand::Loop { start, end } => {
                if start.is_finite() && end.is_finite() && 0.0 <= start && start < end {
                    self.looping = Some((start, end));
                }
            }
            TransportCommand::LoopOff => self.looping = None,
            TransportCommand::Resume { anchor_beat, since } if anchor_beat.is_finite() => {
                self.anchor_sample = now;
                self.anchor_beat = anchor_beat.max(0.0);
                self.lead = since;
                self.playing = true;
                self.jumped = false;
                self.jumps += 1;
                self.retarget_tempo();
            }
            TransportCommand::Resume { .. } => {}
        }
    }

    /// Goes on from the position at `now` on a new program's map, `old` being the map it
    /// replaces: the beat position is kept, and a tempo set by a command gives way to the
    /// new map.
    pub fn adopt(&mut self, now: u64, old: &TempoMap) {
        self.anchor_beat = self.position(now, old);
        self.anchor_sample = now;
        self.lead = 0;
        self.live_bpm = None;
    }

    /// The beats of a block starting at `now`, as they stand (nothing applied).
    fn beats_at(&self, now: u64, map: &TempoMap) -> Beats {
        let line = self.line(map);
        let beats_per_bar = map.beats_per_bar();
        if !self.playing {
            let segments = line.segments();
            let at = segments
                .partition_point(|segment| segment.beat <= self.anchor_beat)
                .saturating_sub(1);
            let segment = segments[at];
            return Beats {
                position: self.anchor_beat,
                bpm: segment.bpm_at(segment.seconds_at(self.anchor_beat)),
                beats_per_bar,
                playing: false,
                jumped: self.jumped,
                ..Beats::STILL
            };
        }
        let place = self.place(now, &line);
        let rate = self.sample_rate;
        let origin_bpm = place.segment.bpm_at(place.start_seconds);
        let stretch = Beats {
            position: place.origin,
            per_sample: origin_bpm / 60.0 / rate,
            accel: place.segment.slope / 60.0 / (rate * rate),
            bpm: origin_bpm,
            beats_per_bar,
            playing: true,
            jumped: self.jumped,
            since: 0,
            origin: place.origin,
            origin_per_sample: origin_bpm / 60.0 / rate,
        };
        if place.since == 0 {
            return stretch;
        }
        let inside = Beats {
            since: place.since,
            ..stretch
        };
        let since = place.since as f64;
        Beats {
            position: inside.at(0),
            per_sample: stretch.per_sample + since * stretch.accel,
            bpm: place.segment.bpm_at(place.start_seconds + since / rate),
            ..inside
        }
    }

    /// Anchors the position at `beat` at `now`: a jump.
    fn jump(&mut self, now: u64, beat: f64) {
        self.anchor_sample = now;
        self.lead = 0;
        self.anchor_beat = beat;
        self.jumped = true;
        self.jumps += 1;
        self.retarget_tempo();
    }

    /// A waiting tempo change waits for the next beat of the new position.
    fn retarget_tempo(&mut self) {
        if let Some((_, bpm)) = self.pending_tempo {
            self.pending_tempo = Some((self.anchor_beat.ceil(), bpm));
        }
    }

    /// Plays at `bpm` from `now`, anchored where it stands.
    fn set_tempo(&mut self, now: u64, bpm: f64, map: &TempoMap) {
        self.anchor_beat = self.position(now, map);
        self.anchor_sample = now;
        self.lead = 0;
        self.live_bpm = Some(bpm);
        self.pending_tempo = None;
    }
}

#[cfg(test)]
#[path = "transport_tests.rs"]
mod tests;
