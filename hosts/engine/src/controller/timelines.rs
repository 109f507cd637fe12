//! Timelines from the control side: play, stop and seek a timeline on an exact sample (as
//! events on its `timeline` nodes' command inputs, so they land like any parameter event,
//! whatever the buffers), and clips added, updated and removed as undoable edits of the
//! patch's timelines section, which rebuild the timeline's kernel carrying on from the one
//! playing (`timeline/player.rs`: survivors keep playing, cut clips fade out over 2 ms).
//! The clips' start and end events come back from the audio half through a queue
//! ([`ClipQueue`]), named by timeline and clip id ([`Controller::take_clip_events`]): an event
//! names its clip by the key of its id ([`clip_key`]), which the queue maps back to the id
//! from every patch published, so a clip an edit moved, reordered or removed is still named
//! right.

use super::Controller;
use crate::At;
use crate::error::EngineError;
use crate::report::SwapReport;
use patchvm_ir::format::json;
use patchvm_ir::timelines::Clip;
use patchvm_ir::{Code, Diagnostic, Patch, Span, ValueKind};
use patchvm_modules::kernels::timeline::TIMELINE;
use patchvm_vm::live::{AudioHalf, ClipsOut, QueueCounters};
use patchvm_vm::{ClipEvent, ClipHappened, clip_key};
use std::collections::HashMap;
use std::sync::Arc;

/// How many clip events wait for the control side before more are dropped (and counted).
const CLIP_QUEUE_CAPACITY: usize = 4096;

/// The control side's end of the clip event queue, and the clip ids its events' keys stand
/// for.
#[derive(Debug)]
pub(crate) struct ClipQueue {
    consumer: rtrb::Consumer<ClipEvent>,
    counters: Arc<QueueCounters>,
    ids: HashMap<u64, Arc<str>>,
}

impl ClipQueue {
    /// A queue whose producer end `audio` pushes every block's clip events into.
    pub(crate) fn new(audio: &mut AudioHalf) -> ClipQueue {
        let (out, consumer, counters) = ClipsOut::new(CLIP_QUEUE_CAPACITY);
        audio.send_clip_events(out);
        ClipQueue {
            consumer,
            counters,
            ids: HashMap::new(),
        }
    }

    /// Learns the key of every clip id of `patch`, about to be published: events of its
    /// programs, and of those before, name their clips by them. Ids are kept once learnt
    /// (a removed clip's last event arrives after the patch without it is published).
    pub(crate) fn remember(&mut self, patch: &Patch) {
        for clip in patch.timelines.iter().flat_map(|t| t.clips.iter()) {
            self.ids
                .entry(clip_key(&clip.id.text))
                .or_insert_with(|| Arc::from(clip.id.text.as_str()));
        }
    }
}

/// A clip that started or ended, as the control side is told: by name, on its sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClipReport {
    /// The timeline's name.
    pub timeline: String,
    /// The clip's id.
    pub clip: String,
    /// Whether it started or ended.
    pub what: ClipHappened,
    /// The engine sample it happened at.
    pub sample: u64,
}

/// The `jump` values cycle below this, inside the input's range.
const JUMP_CYCLE: u32 = 1_000_000;

impl Controller {
    /// Plays timeline `name` at `at`: from `beat` if given, else from where it stopped.
    pub fn timeline_play(
        &mut self,
        name: &str,
        beat: Option<f64>,
        at: At,
    ) -> Result<(), EngineError> {
        if let Some(beat) = beat {
            self.timeline_seek(name, beat, at)?;
        }
        self.timeline_command(name, &[("play", 1.0)], at)
    }

    /// Stops timeline `name` at `at`; its sounding clips fade out over 2 ms.
    pub fn timeline_stop(&mut self, name: &str, at: At) -> Result<(), EngineError> {
        self.timeline_command(name, &[("play", 0.0)], at)
    }

    /// Moves timeline `name`'s playhead to `beat` of its tempo map at `at`.
    pub fn timeline_seek(&mut self, name: &str, beat: f64, at: At) -> Result<(), EngineError> {
        if !(beat.is_finite() && beat >= 0.0) {
            return Err(EngineError::Transport(format!(
                "seek timeline `{name}` to beat {beat}; expected a beat from 0"
            )));
        }
        self.timeline_jumps = (self.timeline_jumps + 1) % JUMP_CYCLE;
        let jump = self.timeline_jumps as f32;
        self.timeline_command(name, &[("cue", beat as f32), ("jump", jump)], at)
    }

    /// The clips started and ended since the last call, oldest first: the timeline named by
    /// the patch last published (an event whose timeline it no longer has is skipped), the
    /// clip by its id, whatever edits came since.
    pub fn take_clip_events(&mut self) -> Vec<ClipReport> {
        let mut reports = Vec::new();
        while let Ok(event) = self.clips.consumer.pop() {
            let Some(timeline) = self
                .patch
                .as_ref()
                .and_then(|patch| patch.timelines.get(event.timeline as usize))
            else {
                continue;
            };
            let Some(clip) = self.clips.ids.get(&event.clip) else {
                continue;
            };
            reports.push(ClipReport {
                timeline: timeline.name.text.clone(),
                clip: clip.to_string(),
                what: event.what,
                sample: event.time,
            });
        }
        reports
    }

    /// Clip events the audio half dropped because the queue was full.
    pub fn clip_events_dropped(&self) -> u64 {
        self.clips.counters.dropped()
    }

    /// Adds `clip` to timeline `timeline` of the patch playing. Undoable.
    pub fn clip_add(&mut self, timeline: &str, clip: Clip) -> Result<SwapReport, EngineError> {
        self.edit_timeline(timeline, |clips| {
            clips.push(clip);
            Ok(())
        })
    }

    /// Replaces the clip of timeline `timeline` whose id is `clip`'s. Undoable.
    pub fn clip_update(&mut self, timeline: &str, clip: Clip) -> Result<SwapReport, EngineError> {
        self.edit_timeline(timeline, |clips| {
            let at = find(clips, &clip.id.text, timeline)?;
            clips[at] = clip;
            Ok(())
        })
    }

    /// Removes clip `id` from timeline `timeline`. Undoable.
    pub fn clip_remove(&mut self, timeline: &str, id: &str) -> Result<SwapReport, EngineError> {
        self.edit_timeline(timeline, |clips| {
            let at = find(clips, id, timeline)?;
            clips.remove(at);
            Ok(())
        })
    }

    /// Plays the patch with timeline `name`'s clips edited by `edit`.
    fn edit_timeline(
        &mut self,
        name: &str,
        edit: impl FnOnce(&mut Vec<Clip>) -> Result<(), EngineError>,
    ) -> Result<SwapReport, EngineError> {
        let mut patch = self.patch.clone().ok_or(EngineError::NoPatch)?;
        let Some(timeline) = patch.timelines.iter_mut().find(|t| t.name.text == name) else {
            return Err(unknown("timeline", name, names(&patch)));
        };
        edit(&mut timeline.clips)?;
        self.edited(patch)
    }

    /// Sets `values` on every `timeline` node playing `name`, on one sample.
    fn timeline_command(
        &mut self,
        name: &str,
        values: &[(&str, f32)],
        at: At,
    ) -> Result<(), EngineError> {
        let patch = self.patch.as_ref().ok_or(EngineError::NoPatch)?;
        if !patch.timelines.iter().any(|t| t.name.text == name) {
            return Err(unknown("timeline", name, names(patch)));
        }
        let nodes = players(patch, name);
        if nodes.is_empty() {
            return Err(EngineError::Invalid(vec![
                Diagnostic::new(
                    Code::UnknownTimeline,
                    Span::NONE,
                    format!("no `timeline` node plays timeline `{name}`"),
                )
                .with_hint(format!(
                    "add `(player timeline \"{name}\")` and connect it to the output"
                )),
            ]));
        }
        for node in nodes {
            for &(param, value) in values {
                self.set_param(&node, param, value, at)?;
            }
        }
        Ok(())
    }
}

/// A clip from the JSON map issue 17's C ABI and OSC's `/clip/add` send:
/// `{"id": "c1", "file": "kick", "position": 4, "gain": -6, …}`.
pub fn clip_from_json(text: &str) -> Result<Clip, EngineError> {
    let wrapped = format!(r#"{{"timelines": {{"t": {{"clips": [{text}]}}}}}}"#);
    let patch =
        json::read(&wrapped, &patchvm_ir::Limits::default()).map_err(EngineError::Invalid)?;
    patch
        .timelines
        .into_iter()
        .next()
        .and_then(|timeline| timeline.clips.into_iter().next())
        .map(|clip| Clip {
            span: Span::NONE,
            ..clip
        })
        .ok_or_else(|| {
            EngineError::Invalid(vec![
                Diagnostic::new(Code::Timeline, Span::NONE, "expected one clip".to_owned())
                    .with_hint(
                        r#"send a map like `{"id": "c1", "file": "kick.wav", "position": 4}`"#,
                    ),
            ])
        })
}

/// The ids of the `timeline` nodes of `patch` that play timeline `name`.
fn players(patch: &Patch, name: &str) -> Vec<String> {
    patch
        .nodes
        .iter()
        .filter(|node| node.module.text == TIMELINE.spec.name)
        .filter(|node| {
            node.params.iter().any(|param| {
                param.name.text == "name"
                    && matches!(&param.value.kind, ValueKind::Text(text) if text == name)
            })
        })
        .map(|node| node.id.text.clone())
        .collect()
}

fn names(patch: &Patch) -> Vec<&str> {
    patch
        .timelines
        .iter()
        .map(|t| t.name.text.as_str())
        .collect()
}

/// Where clip `id` is among `clips` of timeline `timeline`.
fn find(clips: &[Clip], id: &str, timeline: &str) -> Result<usize, EngineError> {
    clips
        .iter()
        .position(|clip| clip.id.text == id)
        .ok_or_else(|| {
            let ids = clips.iter().map(|clip| clip.id.text.as_str()).collect();
            unknown(&format!("clip of timeline `{timeline}`"), id, ids)
        })
}

/// E0124: a command names a `what` called `name` that does not exist, among `choices`.
fn unknown(what: &str, name: &str, choices: Vec<&str>) -> EngineError {
    let hint = match choices.is_empty() {
        true => format!("the patch has no {what}"),
        false => format!("expected one of {}", patchvm_ir::suggest::one_of(choices)),
    };
    EngineError::Invalid(vec![
        Diagnostic::new(
            Code::UnknownTimeline,
            Span::NONE,
            format!("no {what} `{name}`"),
        )
        .with_hint(hint),
    ])
}
