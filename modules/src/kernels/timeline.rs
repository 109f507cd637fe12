//! `timeline`: plays the clips of one timeline of the patch's timelines section (its text
//! `name`), on the engine's sample clock with the timeline's own tempo map, in stereo. Its
//! inputs are its commands, so events land on their exact sample: `play` crossing 0.5
//! plays or stops the playhead where it is, a change of `jump` moves it to `cue` beats. The
//! clip playback, follow actions and events are `timeline/player.rs`; the clips' audio comes
//! decoded through [`KernelInit::audio`](crate::KernelInit), by each clip's file as written.
//! A follow action that starts another timeline leaves on output `follow{k}` and arrives on
//! that timeline's `start` input, joined by the compiler (`timeline/follow.rs`).

mod follow;
mod player;
pub use follow::LEAD;
pub use player::{DECLICK_SECONDS, Happened, MAX_EVENTS, TimelineEvent};

use super::spec::{control, module};
use crate::KernelInit;
use crate::dsp::state::same;
use crate::module::{Dsp, Module, output, ports};
use patchvm_ir::text::{TextInfo, TextProblem, TextSpec};
use patchvm_ir::timelines::Timeline;
use patchvm_ir::timelines::follows::{FOLLOW_OUTPUTS, targets};
use patchvm_ir::transport::{TempoShape as Shape, Transport};
use patchvm_ir::{InputSpec, OutputSpec, Rate, Unit};
use patchvm_vm::time::{TempoPoint, TempoShape};
use patchvm_vm::{ClipEvent, ClipHappened, Kernel, TempoMap};
use player::{PlayClip, Player};

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[TIMELINE];

/// Any name: one that names no timeline plays silence (validation reports it).
fn any_name(_: &str) -> Result<TextInfo, TextProblem> {
    Ok(TextInfo::default())
}

static NAME: TextSpec = TextSpec {
    default: "",
    check: any_name,
    outputs: None,
    audio_file: false,
};

/// The name of the timeline, then the commands.
const INPUTS: &[InputSpec] = &[
    InputSpec {
        name: "name",
        doc: "the timeline it plays",
        default: 0.0,
        min: 0.0,
        max: 0.0,
        unit: Unit::Text(&NAME),
        rate: Rate::Init,
        breaks_cycles: false,
    },
    control(
        "play",
        "above 0.5 the playhead moves: crossing up plays from where it is, down stops (clips cut fade out over 2 ms)",
        1.0,
        (0.0, 1.0),
        Unit::Linear,
    ),
    control(
        "jump",
        "each change moves the playhead to `cue` (a counter the controller steps)",
        0.0,
        (-1.0e6, 1.0e6),
        Unit::Linear,
    ),
    control(
        "cue",
        "the beat of the timeline a `jump` moves to",
        0.0,
        (0.0, 1.0e6),
        Unit::Linear,
    ),
    InputSpec {
        name: "start",
        doc: "each rise above 0.5 plays the timeline from beat 0, 64 samples later: other timelines' follow actions, joined by the compiler",
        default: 0.0,
        min: 0.0,
        max: 1.0,
        unit: Unit::Linear,
        rate: Rate::Audio,
        breaks_cycles: true,
    },
];

/// A follow output: an impulse 64 samples before a clip's end starts a timeline then.
const fn follow_output(name: &'static str) -> OutputSpec {
    OutputSpec {
        name,
        doc: "an impulse 64 samples before a clip ends whose follow action starts the timeline this output stands for (the compiler joins it to that timeline's `start`)",
        unit: Unit::Linear,
    }
}

/// `timeline`: one timeline's clips.
pub const TIMELINE: Module = Module::kernel(
    module(
        "timeline",
        "plays the clips of the timeline `name` (the patch's timelines section) on its own tempo map, with play, stop and seek on exact samples",
        INPUTS,
        &[
            OutputSpec {
                name: "left",
                doc: "the clips' left channel",
                unit: Unit::Signal,
            },
            OutputSpec {
                name: "right",
                doc: "the clips' right channel",
                unit: Unit::Signal,
            },
            follow_output("follow0"),
            follow_output("follow1"),
            follow_output("follow2"),
            follow_output("follow3"),
            follow_output("follow4"),
            follow_output("follow5"),
            follow_output("follow6"),
            follow_output("follow7"),
        ],
    ),
    |init| {
        let name = init.text(&TIMELINE.spec, "name");
        let timeline = init
            .timelines
            .iter()
            .position(|t| t.name.text == name)
            .unwrap_or(usize::MAX) as u32;
        init.kernel(TimelineKernel {
            player: player(init, name),
            timeline,
            in_feedback_loop: init.in_feedback_loop,
        })
    },
);

const COMMANDS: [usize; 3] = ports(&TIMELINE.spec, ["play", "jump", "cue"]);
const LEFT: usize = output(&TIMELINE.spec, "left");
const RIGHT: usize = output(&TIMELINE.spec, "right");
const FOLLOW0: usize = output(&TIMELINE.spec, "follow0");

/// The player of timeline `name` of `init`'s timelines, its clips reading `init`'s audio.
fn player(init: &KernelInit, name: &str) -> Player {
    let Some(timeline) = init.timelines.iter().find(|t| t.name.text == name) else {
        return Player::new(
            Vec::new(),
            tempo_map(&Transport::default()),
            init.sample_rate,
            init.seed,
        );
    };
    let tempo = tempo_map(&timeline.tempo);
    let clips = clips(init, timeline, &tempo, &targets(timeline));
    Player::new(clips, tempo, init.sample_rate, init.seed)
}

fn clips(
    init: &KernelInit,
    timeline: &Timeline,
    tempo: &TempoMap,
    names: &[&str],
) -> Vec<PlayClip> {
    timeline
        .clips
        .iter()
        .enumerate()
        .map(|(index, clip)| {
            let data = init.audio.file(&clip.file.text).cloned();
            PlayClip::new(index as u32, clip, data, tempo, init.sample_rate, names)
        })
        .collect()
}

/// A timeline's tempo as a map; a tempo validation refused falls back to the default.
fn tempo_map(tempo: &Transport) -> TempoMap {
    let points: Vec<TempoPoint> = tempo
        .tempo
        .iter()
        .map(|change| TempoPoint {
            beat: change.beat,
            bpm: change.bpm,
            shape: match change.shape {
                Shape::Step => TempoShape::Step,
                Shape::Ramp => TempoShape::Ramp,
            },
        })
        .collect();
    TempoMap::new(tempo.bpm, 4.0, &points)
        .or_else(|_| TempoMap::new(patchvm_ir::transport::DEFAULT_BPM, 4.0, &[]))
        .expect("the default tempo map is valid")
}

/// `timeline`'s kernel: its player, its timeline's index, which its events report, and
/// whether its `start` arrives after it ran (a cycle of follow actions) or before.
#[derive(Debug)]
struct TimelineKernel {
    player: Player,
    timeline: u32,
    in_feedback_loop: bool,
}

impl Dsp for TimelineKernel {
    /// Inputs `[play, jump, cue]`; outputs `[left, right, follow0, …]`.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let commands = COMMANDS.map(|port| inputs[port]);
        debug_assert_eq!((LEFT, RIGHT, FOLLOW0), (0, 1, 2));
        let [left, right, follows @ ..] = outputs else {
            return;
        };
        left.fill(0.0);
        right.fill(0.0);
        self.player.process(commands, left, right);
        for follow in follows.iter_mut() {
            follow.fill(0.0);
        }
        let start = self.player.block_start();
        for event in self.player.events() {
            if let Happened::StartTimeline(slot) = event.what
                && let Some(follow) = follows.get_mut(slot as usize)
                && let Some(sample) = follow.get_mut((event.sample - start) as usize)
            {
                *sample = 1.0;
            }
        }
        debug_assert!(follows.len() == FOLLOW_OUTPUTS);
    }

    /// The `start` input: the block about to run, or, in a cycle, the block that just ran.
    fn feed(&mut self, input: &[f32]) {
        let first = match self.in_feedback_loop {
            true => self.player.block_start(),
            false => self.player.now(),
        };
        self.player.starts.read(input, first);
    }

    fn reset(&mut self) {
        self.player.reset();
    }

    fn reports_clips(&self) -> bool {
        true
    }

    /// The clips started and ended in the last block; the events are then forgotten.
    fn clip_events(&mut self, time: u64, emit: &mut dyn FnMut(ClipEvent)) {
        let start = self.player.block_start();
        for event in self.player.events() {
            let (clip, what) = match event.what {
                Happened::Started(clip) => (clip, ClipHappened::Started),
                Happened::Ended(clip) => (clip, ClipHappened::Ended),
                Happened::StartTimeline(_) | Happened::Stopped => continue,
            };
            emit(ClipEvent {
                time: time + (event.sample - start),
                timeline: self.timeline,
                clip,
                what,
            });
        }
        self.player.clear_events();
    }

    /// A timeline whose clips were edited plays on from where it was.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        match same::<TimelineKernel>(other) {
            Some(old) => {
                self.player.carry_on_from(&old.player);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(all(test, feature = "stretch"))]
mod stretched_tests;

#[cfg(all(test, feature = "stretch"))]
mod stretched_cents_tests;
