//! The engine's state as JSON for a C host (`pvm_engine_state_json`): the tempo map, each
//! timeline with its playhead and clips, the audio files loaded by id, and the audio side's
//! health. A timeline's playhead is followed on the control side from the play, stop and seek
//! calls made through this ABI and the engine time, by the timeline's tempo map.

use crate::control::PoisonableController;
use crate::{PvmEngine, with_control};
use patchvm_engine::Controller;
use patchvm_engine::compiler::tempo_map;
use patchvm_engine::ir::timelines::{Clip, Position, Timeline};
use patchvm_engine::ir::{TempoShape, Transport};
use serde_json::{Value, json};
use std::ffi::{CString, c_char};

/// Where a timeline's playhead was last put by a call, and whether it moves.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Playhead {
    playing: bool,
    /// The beat at `sample`.
    beat: f64,
    /// The engine time the call took effect at.
    sample: u64,
}

/// The playheads of the timelines this ABI played, stopped or sought, by name.
#[derive(Debug, Default)]
pub(crate) struct Playheads {
    heads: Vec<(String, Playhead)>,
}

impl Playheads {
    /// Timeline `name` plays from `beat` (from where it is if `None`) at engine time `now`.
    pub(crate) fn play(
        &mut self,
        name: &str,
        beat: Option<f64>,
        now: u64,
        controller: &Controller,
    ) {
        let here = self.position(name, now, controller);
        let beat = beat.unwrap_or(here.beat);
        self.set(
            name,
            Playhead {
                playing: true,
                beat,
                sample: now,
            },
        );
    }

    /// Timeline `name` stops at engine time `now`, its playhead where it got to.
    pub(crate) fn stop(&mut self, name: &str, now: u64, controller: &Controller) {
        let here = self.position(name, now, controller);
        self.set(
            name,
            Playhead {
                playing: false,
                beat: here.beat,
                sample: now,
            },
        );
    }

    /// Timeline `name`'s playhead moves to `beat` at engine time `now`.
    pub(crate) fn seek(&mut self, name: &str, beat: f64, now: u64) {
        let playing = self.get(name).playing;
        self.set(
            name,
            Playhead {
                playing,
                beat,
                sample: now,
            },
        );
    }

    fn get(&self, name: &str) -> Playhead {
        self.heads
            .iter()
            .find(|(n, _)| n == name)
            .map_or_else(Playhead::default, |(_, head)| *head)
    }

    fn set(&mut self, name: &str, head: Playhead) {
        match self.heads.iter_mut().find(|(n, _)| n == name) {
            Some((_, slot)) => *slot = head,
            None => self.heads.push((name.to_owned(), head)),
        }
    }

    /// The beat timeline `name`'s playhead stands on at engine time `sample`.
    pub(crate) fn beat_at(&self, name: &str, sample: u64, controller: &Controller) -> f64 {
        self.position(name, sample, controller).beat
    }

    /// Timeline `name`'s playhead at engine time `now`: `beat` is where it is.
    fn position(&self, name: &str, now: u64, controller: &Controller) -> Playhead {
        let head = self.get(name);
        if !head.playing {
            return head;
        }
        let tempo = controller
            .patch()
            .and_then(|patch| patch.timelines.iter().find(|t| t.name.text == name))
            .and_then(|timeline| tempo_map(Some(&timeline.tempo)).ok());
        let Some(tempo) = tempo else {
            return head;
        };
        let rate = controller.settings().sample_rate;
        let elapsed = now.saturating_sub(head.sample) as f64 / rate;
        Playhead {
            beat: tempo.beat_at(tempo.seconds_at(head.beat) + elapsed),
            ..head
        }
    }
}

/// The engine's state as one JSON object:
///
/// - `time`: frames rendered; `sample_rate`;
/// - `tempo`: `{"bpm": …, "segments": [{"beat": 0, "bpm": 120}, {"beat": 16, "bpm": 140,
///   "ramp": true}]}`, the master tempo map;
/// - `timelines`: `[{"name", "playing", "position" (beats), "clips": [{"id", "file" (the
///   file's id, or its path if no id names it), "position" (beats) or "seconds", "offset",
///   "length" (null: to the file's end), "gain", "pan", "fade_in", "fade_out", "loop",
///   "stretch", "pitch"}]}]`; `playing` and `position` follow the calls made through this ABI
///   (a follow action's stop is not seen);
/// - `files`: `[{"id", "path", "frames", "channels", "seconds"}]`;
/// - `recordings`: the finished takes, as `pvm_record_take_json` gives each;
/// - `recorder`: `{"recordings": [{"id", "path", "state", "frames", "frames_lost"}],
///   "errors": [...]}`, the running recordings and the recordings that ended without a take;
/// - `late_blocks` (calls that took longer than their real-time budget), `load` and
///   `peak_load` (1.0 = the whole budget).
///
/// Returns NULL for a NULL or freed `engine`, while another control call runs, or after an
/// internal error (then [`pvm_engine_last_error`](crate::pvm_engine_last_error) says so).
/// The string is owned by the engine and valid until the next call of this function on it
/// (or [`pvm_engine_free`](crate::pvm_engine_free)).
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_engine_state_json(engine: *mut PvmEngine) -> *const c_char {
    // SAFETY: forwarded from the contract.
    let made = unsafe {
        with_control(engine, |side| {
            let code = side.run(|side| {
                let text = state(side).to_string();
                side.state = CString::new(text).unwrap_or_default();
                Ok(())
            });
            (code == crate::PVM_OK).then(|| side.state.as_ptr())
        })
    };
    made.ok().flatten().unwrap_or(std::ptr::null())
}

fn state(side: &PoisonableController) -> Value {
    let controller = &side.controller;
    let now = controller.time();
    let metrics = controller.metrics();
    let timelines: Vec<Value> = controller
        .patch()
        .map(|patch| patch.timelines.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|timeline| {
            let head = side
                .playheads
                .position(&timeline.name.text, now, controller);
            timeline_json(timeline, head, controller)
        })
        .collect();
    let files: Vec<Value> = controller
        .loaded_files()
        .iter()
        .map(|file| {
            json!({
                "id": file.id,
                "path": file.path_text(),
                "frames": file.data.frames(),
                "channels": file.data.channels(),
                "seconds": file.seconds(),
            })
        })
        .collect();
    json!({
        "time": now,
        "sample_rate": controller.settings().sample_rate,
        "tempo": controller.tempo_map().map(|map| tempo_json(&map)),
        "timelines": timelines,
        "files": files,
        "recordings": crate::record::recordings_json(side),
        "recorder": crate::record::recorder_json(side),
        "late_blocks": metrics.late_calls,
        "load": metrics.last_load,
        "peak_load": metrics.peak_load,
    })
}

fn tempo_json(transport: &Transport) -> Value {
    let mut segments = vec![json!({"beat": 0.0, "bpm": transport.bpm})];
    segments.extend(transport.tempo.iter().map(|change| {
        let mut segment = json!({"beat": change.beat, "bpm": change.bpm});
        if change.shape == TempoShape::Ramp {
            segment["ramp"] = Value::Bool(true);
        }
        segment
    }));
    json!({"bpm": transport.bpm, "segments": segments})
}

fn timeline_json(timeline: &Timeline, head: Playhead, controller: &Controller) -> Value {
    let clips: Vec<Value> = timeline
        .clips
        .iter()
        .map(|clip| clip_json(clip, controller))
        .collect();
    json!({
        "name": timeline.name.text,
        "playing": head.playing,
        "position": head.beat,
        "clips": clips,
    })
}

fn clip_json(clip: &Clip, controller: &Controller) -> Value {
    let file = controller
        .loaded_files()
        .iter()
        .find(|file| file.path_text() == clip.file.text)
        .map_or(clip.file.text.as_str(), |file| file.id.as_str());
    let mut value = json!({
        "id": clip.id.text,
        "file": file,
        "offset": clip.offset,
        "length": clip.length,
        "gain": clip.gain,
        "pan": clip.pan,
        "fade_in": clip.fade_in,
        "fade_out": clip.fade_out,
        "loop": clip.looping,
        "stretch": clip.stretch,
        "pitch": clip.pitch,
    });
    match clip.position {
        Position::Beats(beat) => value["position"] = json!(beat),
        Position::Seconds(seconds) => value["seconds"] = json!(seconds),
    }
    value
}
