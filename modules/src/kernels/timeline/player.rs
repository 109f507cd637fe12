//! One timeline's clips played on the engine's sample clock: the playhead (a sample of the
//! timeline, moved by play, stop and seek), each clip's samples with its gain, pan and fades,
//! the follow actions when a clip ends, and the events a control side is told.
//!
//! Everything is computed in whole samples from the clip's placement, so the same commands
//! on the same samples give the same bits whatever the blocks. A clip cut while sounding (by
//! stop, seek or a follow action) fades out over [`DECLICK_SECONDS`] from where it was. The
//! audio thread only reads the clips' shared samples and writes preallocated buffers.

use super::follow::{LEAD, Starts};
use patchvm_ir::timelines::{Clip, Follow, Position};
use patchvm_vm::audio::AudioData;
use patchvm_vm::{TempoMap, clip_key};
use std::sync::Arc;

#[cfg(feature = "stretch")]
#[path = "stretched.rs"]
mod stretched;
#[cfg(all(test, feature = "stretch"))]
pub(super) use stretched::CATCH_UP;

/// How long a clip cut mid-sound takes to fade out: 2 ms (96 samples at 48 kHz).
pub const DECLICK_SECONDS: f64 = 0.002;

/// The most events one kernel keeps between two reads; more are dropped.
pub const MAX_EVENTS: usize = 1024;

/// The most cut clips fading out at once; a cut past them is silenced at once.
const MAX_TAILS: usize = 64;

/// What happened on a timeline, at a sample of the engine's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimelineEvent {
    /// The engine sample (since the kernel started) it happened at.
    pub sample: u64,
    /// What happened.
    pub what: Happened,
}

/// What a [`TimelineEvent`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Happened {
    /// The clip with this [`clip_key`] of its id started sounding.
    Started(u64),
    /// The clip with this key ended, or was cut.
    Ended(u64),
    /// A follow action asks the timeline at this index (among the timelines the clips follow
    /// into, `patchvm_ir::timelines::follows::targets`) to start [`LEAD`] samples later.
    StartTimeline(u32),
    /// A follow action stopped this timeline.
    Stopped,
}

/// A follow action, its timeline resolved to an index.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Action {
    Next,
    Loop(u32),
    Timeline(u32),
    Stop,
}

/// A clip's stretch and pitch: played through a stretch reader (the `stretch` feature).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(
    not(feature = "stretch"),
    allow(
        dead_code,
        reason = "read by `stretched.rs` alone, built with the feature"
    )
)]
struct Stretching {
    /// Output length over file length.
    factor: f64,
    /// Pitch shift in semitones.
    semitones: f64,
    /// How many frames of the file one pass plays.
    source: u64,
}

/// A clip ready to play: where it lies in samples and what it reads.
#[derive(Clone, Debug)]
pub(crate) struct PlayClip {
    /// Its index as written, which orders clips starting together.
    index: u32,
    /// Its id, by which an edited timeline's clips find their state.
    id: Arc<str>,
    /// The [`clip_key`] of its id, which events report.
    key: u64,
    data: Option<Arc<AudioData>>,
    /// Its first sample on the timeline.
    start: u64,
    /// Its first frame in the file.
    offset: u64,
    /// How many samples one pass plays (at least 1): its length in the file times its stretch.
    length: u64,
    /// Its stretch and pitch, if it is not played as recorded.
    stretch: Option<Stretching>,
    gains: [f32; 2],
    fade_in: u64,
    fade_out: u64,
    looping: bool,
    loops: u32,
    choices: Arc<[(f64, Action)]>,
    /// Where its current pass began (its start, unless a loop follow action replayed it).
    anchor: u64,
    /// Replays its loop follow action still owes.
    loops_left: u32,
    /// The follow action decided ahead for the pass ending at this timeline sample (a choice
    /// that may start another timeline is decided [`LEAD`] samples early).
    decided: Option<(u64, Action)>,
}

impl PlayClip {
    /// `clip` of the timeline `tempo` maps, reading `data` (silent but timed without it);
    /// `timelines` are the timelines its timeline follows into, for follow actions that
    /// start one.
    pub(crate) fn new(
        index: u32,
        clip: &Clip,
        data: Option<Arc<AudioData>>,
        tempo: &TempoMap,
        sample_rate: f64,
        timelines: &[&str],
    ) -> PlayClip {
        let samples = |seconds: f64| (seconds * sample_rate).round().max(0.0) as u64;
        let start = match clip.position {
            Position::Beats(beat) => tempo.sample_at(beat, sample_rate).round().max(0.0) as u64,
            Position::Seconds(seconds) => samples(seconds),
        };
        let offset = samples(clip.offset);
        let frames = data.as_ref().map_or(0, |data| data.frames() as u64);
        let source = clip
            .length
            .map_or(frames.saturating_sub(offset), samples)
            .max(1);
        let stretch = (clip.stretch != 1.0 || clip.pitch != 0.0).then_some(Stretching {
            factor: clip.stretch,
            semitones: clip.pitch,
            source,
        });
        let length = match stretch {
            Some(_) => ((source as f64 * clip.stretch).round() as u64).max(1),
            None => source,
        };
        let level = 10f64.powf(clip.gain / 20.0);
        let angle = (clip.pan + 1.0) * std::f64::consts::FRAC_PI_4;
        let choices: Arc<[(f64, Action)]> = clip
            .follow
            .choices
            .iter()
            .filter_map(|(weight, follow)| {
                let action = match follow {
                    Follow::Next => Action::Next,
                    Follow::Loop(n) => Action::Loop(*n),
                    Follow::Stop => Action::Stop,
                    Follow::Timeline(name) => {
                        Action::Timeline(timelines.iter().position(|t| *t == name.text)? as u32)
                    }
                };
                Some((*weight, action))
            })
            .collect();
        let loops = choices
            .iter()
            .find_map(|(_, action)| match action {
                Action::Loop(n) => Some(*n),
                _ => None,
            })
            .unwrap_or(0);
        PlayClip {
            index,
            id: Arc::from(clip.id.text.as_str()),
            key: clip_key(&clip.id.text),
            data,
            start,
            offset,
            length,
            stretch,
            gains: [(level * angle.cos()) as f32, (level * angle.sin()) as f32],
            fade_in: samples(clip.fade_in),
            fade_out: samples(clip.fade_out),
            looping: clip.looping,
            loops,
            choices,
            anchor: start,
            loops_left: loops,
            decided: None,
        }
    }

    /// Whether its follow action may start another timeline, and so is decided ahead.
    fn decides_ahead(&self) -> bool {
        self.choices
            .iter()
            .any(|(_, action)| matches!(action, Action::Timeline(_)))
    }

    /// Whether `other` plays the same samples at the same places (its gain, pan and follow
    /// action may differ): then an edit keeps it sounding where it was.
    fn placed_as(&self, other: &PlayClip) -> bool {
        self.start == other.start
            && self.offset == other.offset
            && self.length == other.length
            && self.stretch == other.stretch
            && self.looping == other.looping
            && self.fade_in == other.fade_in
            && self.fade_out == other.fade_out
            && match (&self.data, &other.data) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }

    /// The sample after its current pass (none while looping).
    fn end(&self) -> u64 {
        if self.looping {
            u64::MAX
        } else {
            self.anchor + self.length
        }
    }

    /// Whether it sounds at timeline sample `at`.
    fn sounds_at(&self, at: u64) -> bool {
        self.anchor <= at && at < self.end()
    }

    /// Its stereo sample `t` samples into its current pass, enveloped by its fades.
    #[inline]
    fn frame(&self, t: u64) -> (f32, f32) {
        let Some(data) = &self.data else {
            return (0.0, 0.0);
        };
        let Some((t, [l, r])) = self.levels(t) else {
            return (0.0, 0.0);
        };
        let frame = (self.offset + t) as usize;
        if frame >= data.frames() {
            return (0.0, 0.0);
        }
        (data.channel(0)[frame] * l, data.channel(1)[frame] * r)
    }

    /// How far `t` samples into its current pass lie into one pass (looping), and its gains
    /// there enveloped by its fades; `None` past a pass that does not loop.
    #[inline]
    fn levels(&self, t: u64) -> Option<(u64, [f32; 2])> {
        let t = match self.looping {
            true => t % self.length,
            false if t >= self.length => return None,
            false => t,
        };
        let mut envelope = 1.0f32;
        if t < self.fade_in {
            envelope = t as f32 / self.fade_in as f32;
        }
        let left = self.length - t;
        if left <= self.fade_out {
            envelope = envelope.min(left as f32 / self.fade_out as f32);
        }
        let [l, r] = self.gains;
        Some((t, [l * envelope, r * envelope]))
    }
}

/// A cut clip fading out: which clip (of the ghosts if `ghost`), how far into its pass, how
/// much of the fade is left.
#[derive(Clone, Copy, Debug)]
struct Tail {
    clip: usize,
    ghost: bool,
    t: u64,
    left: u32,
}

/// One timeline playing: its clips (by start), playhead, tails and events.
#[derive(Debug)]
pub(crate) struct Player {
    clips: Vec<PlayClip>,
    /// Clips of the version before an edit that were cut by it, fading out.
    ghosts: Vec<PlayClip>,
    tempo: TempoMap,
    sample_rate: f64,
    seed: u64,
    playing: bool,
    /// The timeline sample the playhead is at.
    position: u64,
    /// Engine samples since the kernel started.
    now: u64,
    /// `now` when the last block began, from which its events' offsets count.
    block_start: u64,
    /// Follow actions chosen so far, which seeds each choice.
    chosen: u64,
    tails: Vec<Tail>,
    /// The stretch readers of the clips that are not played as recorded.
    #[cfg(feature = "stretch")]
    readers: stretched::Readers,
    declick: u32,
    events: Vec<TimelineEvent>,
    /// The timeline sample whose ending passes were handled, so a stop and play there does
    /// not end them twice.
    ends_done: Option<u64>,
    /// The `play` and `jump` inputs at the last sample, whose changes are commands.
    last_play: bool,
    last_jump: f32,
    /// Starts asked for by other timelines' follow actions, on their way.
    pub(crate) starts: Starts,
}

impl Player {
    /// A stopped player at beat 0 of `clips` (sorted here by start, then as written).
    pub(crate) fn new(
        mut clips: Vec<PlayClip>,
        tempo: TempoMap,
        sample_rate: f64,
        seed: u64,
    ) -> Player {
        clips.sort_by_key(|clip| (clip.start, clip.index));
        Player {
            #[cfg(feature = "stretch")]
            readers: stretched::Readers::new(
                &clips,
                sample_rate,
                (DECLICK_SECONDS * sample_rate).round().max(1.0) as u32,
            ),
            clips,
            ghosts: Vec::with_capacity(MAX_TAILS),
            tempo,
            sample_rate,
            seed,
            playing: false,
            position: 0,
            now: 0,
            block_start: 0,
            chosen: 0,
            tails: Vec::with_capacity(MAX_TAILS),
            declick: (DECLICK_SECONDS * sample_rate).round().max(1.0) as u32,
            events: Vec::with_capacity(MAX_EVENTS),
            ends_done: None,
            last_play: false,
            last_jump: 0.0,
            starts: Starts::new(),
        }
    }

    /// Back to the start: stopped at sample 0, every clip in its place, nothing reported.
    pub(crate) fn reset(&mut self) {
        self.playing = false;
        self.position = 0;
        self.now = 0;
        self.block_start = 0;
        self.chosen = 0;
        self.tails.clear();
        self.events.clear();
        self.ends_done = None;
        self.last_play = false;
        self.last_jump = 0.0;
        self.starts = Starts::new();
        for clip in &mut self.clips {
            clip.anchor = clip.start;
            clip.loops_left = clip.loops;
            clip.decided = None;
        }
        #[cfg(feature = "stretch")]
        self.readers.forget();
    }

    /// The chunks its stretch readers have run so far, for bounding their work per block.
    #[cfg(all(test, feature = "stretch"))]
    pub(crate) fn stretch_chunks(&self) -> u64 {
        self.readers.chunks()
    }

    /// Engine samples since the kernel started: where the next block begins.
    pub(crate) fn now(&self) -> u64 {
        self.now
    }

    /// The events since the last [`Player::clear_events`], of the last block at most.
    pub(crate) fn events(&self) -> &[TimelineEvent] {
        &self.events
    }

    /// Where the last block began, on the clock events' samples count.
    pub(crate) fn block_start(&self) -> u64 {
        self.block_start
    }

    /// Forgets the events read (keeps their memory).
    pub(crate) fn clear_events(&mut self) {
        self.events.clear();
    }

    fn report(&mut self, what: Happened) {
        if self.events.len() < MAX_EVENTS {
            self.events.push(TimelineEvent {
                sample: self.now,
                what,
            });
        }
    }

    /// Cuts every clip sounding at the playhead: reported ended, fading out from where it was.
    fn cut(&mut self) {
        for at in 0..self.clips.len() {
            let clip = &self.clips[at];
            if !clip.sounds_at(self.position) {
                continue;
            }
            let (key, t) = (clip.key, self.position - clip.anchor);
            if self.tails.len() < MAX_TAILS {
                self.tails.push(Tail {
                    clip: at,
                    ghost: false,
                    t,
                    left: self.declick,
                });
            }
            self.report(Happened::Ended(key));
        }
    }

    /// Starts the playhead where it is.
    pub(crate) fn play(&mut self) {
        if self.playing {
            return;
        }
        self.playing = true;
        self.report_inside();
    }

    /// Stops the playhead where it is.
    pub(crate) fn stop(&mut self) {
        if !self.playing {
            return;
        }
        self.cut();
        self.playing = false;
    }

    /// Moves the playhead to `beat` of the timeline's tempo map.
    pub(crate) fn seek_beat(&mut self, beat: f64) {
        let sample = self
            .tempo
            .sample_at(beat.max(0.0), self.sample_rate)
            .round();
        self.seek(sample.max(0.0) as u64);
    }

    /// Moves the playhead to timeline sample `to`: sounding clips cut, every clip back to its
    /// place and its loop count.
    fn seek(&mut self, to: u64) {
        if self.playing {
            self.cut();
        }
        self.position = to;
        self.ends_done = Some(to);
        for clip in &mut self.clips {
            clip.anchor = clip.start;
            clip.loops_left = clip.loops;
        }
        if self.playing {
            self.report_inside();
        }
    }

    /// Reports started the clips the playhead lands inside (past their first sample, which
    /// the boundary reports).
    fn report_inside(&mut self) {
        for at in 0..self.clips.len() {
            let clip = &self.clips[at];
            if clip.anchor < self.position && clip.sounds_at(self.position) {
                let key = clip.key;
                self.report(Happened::Started(key));
            }
        }
    }

    /// What happens at the playhead: passes ending (reported, then their follow actions
    /// until one moves or stops the playhead), then passes starting.
    fn boundary(&mut self) {
        if !self.playing {
            return;
        }
        let here = self.position;
        self.decide_ahead();
        if self.ends_done != Some(here) {
            self.ends_done = Some(here);
            for at in 0..self.clips.len() {
                if self.clips[at].end() == here {
                    let key = self.clips[at].key;
                    self.report(Happened::Ended(key));
                }
            }
            for at in 0..self.clips.len() {
                if self.clips[at].end() == here && !self.clips[at].choices.is_empty() {
                    self.follow(at);
                    if !self.playing || self.position != here {
                        break;
                    }
                }
            }
        }
        if !self.playing {
            return;
        }
        for at in 0..self.clips.len() {
            if self.clips[at].anchor == self.position {
                let key = self.clips[at].key;
                self.report(Happened::Started(key));
            }
        }
    }

    /// Decides the follow actions of the passes ending within [`LEAD`] samples that may
    /// start another timeline, and sends those starts.
    fn decide_ahead(&mut self) {
        let here = self.position;
        for at in 0..self.clips.len() {
            let clip = &self.clips[at];
            let end = clip.end();
            if clip.decides_ahead()
                && end != u64::MAX
                && here < end
                && end - here <= LEAD
                && clip.decided.is_none_or(|(decided, _)| decided != end)
            {
                let action = self.choose(at);
                self.clips[at].decided = Some((end, action));
                if let Action::Timeline(timeline) = action {
                    self.report(Happened::StartTimeline(timeline));
                }
            }
        }
    }

    /// Runs clip `at`'s follow action: the one decided ahead for this end, else a choice.
    fn follow(&mut self, at: usize) {
        let here = self.position;
        let action = match self.clips[at].decided.take() {
            Some((end, action)) if end == here => action,
            _ => {
                let action = self.choose(at);
                if let Action::Timeline(timeline) = action {
                    self.report(Happened::StartTimeline(timeline));
                }
                action
            }
        };
        match action {
            Action::Next => {
                if let Some(next) = self.clips.get(at + 1).map(|clip| clip.start) {
                    self.seek(next);
                }
            }
            Action::Loop(_) => {
                let clip = &mut self.clips[at];
                if clip.loops_left > 0 {
                    clip.loops_left -= 1;
                    clip.anchor = self.position;
                }
            }
            Action::Timeline(_) | Action::Stop => {
                self.playing = false;
                self.report(Happened::Stopped);
            }
        }
    }

    /// Clip `at`'s follow action: a seeded choice among several.
    fn choose(&mut self, at: usize) -> Action {
        let choices = &self.clips[at].choices;
        let action = if choices.len() == 1 {
            choices[0].1
        } else {
            let total: f64 = choices.iter().map(|(weight, _)| weight).sum();
            let roll = unit(mix(self.seed ^ mix(self.chosen))) * total;
            let mut sum = 0.0;
            choices
                .iter()
                .find(|(weight, _)| {
                    sum += weight;
                    roll < sum
                })
                .map_or(choices[choices.len() - 1].1, |(_, action)| *action)
        };
        self.chosen += 1;
        action
    }

    /// Starts from beat 0 where a follow action of another timeline asked.
    fn start_over(&mut self) {
        self.seek_beat(0.0);
        self.play();
        self.boundary();
    }

    /// Samples from the playhead to the next clip start or end, or the next decision ahead
    /// of one (at most `limit`).
    fn until_boundary(&self, limit: u64) -> u64 {
        let here = self.position;
        let ahead = |clip: &PlayClip| match clip.decides_ahead() && clip.end() != u64::MAX {
            true => clip.end().saturating_sub(LEAD),
            false => clip.anchor,
        };
        self.clips
            .iter()
            .flat_map(|clip| [clip.anchor, clip.end(), ahead(clip)])
            .filter(|&at| at > here)
            .map(|at| at - here)
            .fold(limit, u64::min)
    }

    /// Plays `n` samples into `left` and `right` (added to what they hold), driven by the
    /// command inputs of each sample: `play` crossing 0.5 upwards plays, downwards stops; a
    /// change of `jump` seeks to `cue` beats.
    pub(crate) fn process(
        &mut self,
        [play, jump, cue]: [&[f32]; 3],
        left: &mut [f32],
        right: &mut [f32],
    ) {
        // Events from before this block nobody took are stale; those of an edit carried on
        // from just now (`carry_on_from`) belong to this block.
        let now = self.now;
        self.events.retain(|event| event.sample >= now);
        self.block_start = now;
        let n = left.len();
        let mut i = 0;
        while i < n {
            if jump[i] != self.last_jump {
                self.last_jump = jump[i];
                self.seek_beat(f64::from(cue[i]));
            }
            let on = play[i] > 0.5;
            if on != self.last_play {
                self.last_play = on;
                if on {
                    self.play();
                } else {
                    self.stop();
                }
            }
            self.boundary();
            if self.starts.due(self.now) {
                self.start_over();
            }
            let mut end = (i + 1..n)
                .find(|&j| jump[j] != jump[j - 1] || (play[j] > 0.5) != (play[j - 1] > 0.5))
                .unwrap_or(n);
            end = i + self.starts.until_next(self.now, (end - i) as u64) as usize;
            if self.playing {
                end = i + self.until_boundary((end - i) as u64) as usize;
            }
            self.render(i, end, left, right);
            i = end;
        }
    }

    /// Plays samples `from..to` of the block: the sounding clips and the tails.
    fn render(&mut self, from: usize, to: usize, left: &mut [f32], right: &mut [f32]) {
        let count = (to - from) as u64;
        if self.playing {
            let here = self.position;
            for clip in &self.clips {
                if cfg!(feature = "stretch") && clip.stretch.is_some() {
                    continue;
                }
                let (start, end) = (clip.anchor.max(here), clip.end().min(here + count));
                for at in start..end.max(start) {
                    let (l, r) = clip.frame(at - clip.anchor);
                    let k = from + (at - here) as usize;
                    left[k] += l;
                    right[k] += r;
                }
            }
            #[cfg(feature = "stretch")]
            self.readers
                .render(&self.clips, here, from..to, left, right);
            self.position += count;
        }
        let declick = self.declick as f32;
        let (clips, ghosts) = (&self.clips, &self.ghosts);
        #[cfg(feature = "stretch")]
        let readers = &mut self.readers;
        self.tails.retain_mut(|tail| {
            let clip = if tail.ghost {
                &ghosts[tail.clip]
            } else {
                &clips[tail.clip]
            };
            let steps = count.min(u64::from(tail.left)) as usize;
            for k in 0..steps {
                let fade = (tail.left as f32 - 1.0) / declick;
                #[cfg(feature = "stretch")]
                let (l, r) = match clip.stretch {
                    Some(_) if tail.ghost => readers.ghost(tail.clip, clip, tail.t, tail.left),
                    Some(_) => readers.tail(tail.clip, clip, tail.t),
                    None => clip.frame(tail.t),
                };
                #[cfg(not(feature = "stretch"))]
                let (l, r) = clip.frame(tail.t);
                left[from + k] += l * fade;
                right[from + k] += r * fade;
                tail.t += 1;
                tail.left -= 1;
            }
            tail.left > 0
        });
        self.now += count;
    }
}

impl Player {
    /// Carries on from `old`, the player of the timeline before an edit: the playhead, its
    /// commands and choices where they were; a clip placed as before (by id) keeps its pass
    /// and loop count, so it plays on from where it was; a clip that sounded and is gone,
    /// moved or trimmed fades out from where it was (as do `old`'s own fades), and one the
    /// playhead is now inside starts there. Real-time safe: clones only `Arc`s into memory
    /// reserved when `self` was built.
    pub(crate) fn carry_on_from(&mut self, old: &Player) {
        self.position = old.position;
        self.playing = old.playing;
        self.now = old.now;
        self.chosen = old.chosen;
        self.ends_done = old.ends_done;
        self.last_play = old.last_play;
        self.last_jump = old.last_jump;
        self.starts = old.starts;
        let here = old.position;
        for clip in &mut self.clips {
            if let Some(before) = old.clips.iter().find(|before| before.id == clip.id)
                && before.placed_as(clip)
            {
                clip.anchor = before.anchor;
                clip.loops_left = before.loops_left.min(clip.loops);
                clip.decided = before.decided;
            }
        }
        let cut = |player: &mut Player, clip: &PlayClip, t: u64, left: u32| {
            if player.ghosts.len() < MAX_TAILS && player.tails.len() < MAX_TAILS {
                player.ghosts.push(clip.clone());
                player.tails.push(Tail {
                    clip: player.ghosts.len() - 1,
                    ghost: true,
                    t,
                    left,
                });
            }
        };
        for tail in &old.tails {
            let clip = if tail.ghost {
                &old.ghosts[tail.clip]
            } else {
                &old.clips[tail.clip]
            };
            cut(self, clip, tail.t, tail.left);
        }
        if !old.playing {
            return;
        }
        #[cfg_attr(
            not(feature = "stretch"),
            allow(
                clippy::unused_enumerate_index,
                reason = "the index finds a stretched clip's reader"
            )
        )]
        for (_at, before) in old.clips.iter().enumerate() {
            if !before.sounds_at(here) {
                continue;
            }
            let kept = self
                .clips
                .iter()
                .any(|clip| clip.id == before.id && clip.placed_as(before));
            if !kept {
                let t = here - before.anchor;
                cut(self, before, t, self.declick);
                #[cfg(feature = "stretch")]
                if before.stretch.is_some() && self.ghosts.last().is_some_and(|g| g.id == before.id)
                {
                    let ghost = self.ghosts.len() - 1;
                    self.readers.keep_ghost(ghost, &old.readers, _at, before, t);
                }
                self.report(Happened::Ended(before.key));
            }
        }
        for at in 0..self.clips.len() {
            let clip = &self.clips[at];
            let kept = old.clips.iter().any(|before| {
                before.id == clip.id && before.placed_as(clip) && before.sounds_at(here)
            });
            if !kept && clip.anchor < here && clip.sounds_at(here) {
                let key = clip.key;
                self.report(Happened::Started(key));
            }
        }
    }
}

/// SplitMix64's finaliser: a seeded choice's bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Bits as a number in `[0, 1)`.
fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}
