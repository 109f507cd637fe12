//! `seq.pattern`'s kernel: each block, the events held that play between the previous
//! sample and the block's last, each at the first sample whose beat reaches its (grooved)
//! beat, in the order they play.

use super::checks::{chord_notes, pitch, word_outputs};
use super::lanes::Lanes;
use super::player::{Held, Placed, before, cycle_of, held_cycles};
use super::{CYCLE_BARS, WORDS, hz};
use crate::kernels::{limit, param};
use crate::module::{Build, Dsp, dsp};
use patchvm_ir::notes::NOTE_LANES;
use patchvm_pattern::mini::{Pattern, Value};
use patchvm_pattern::theory::{Groove, Humanise, Scale, Swing};
use patchvm_vm::{Beats, Kernel};

/// Where the outputs both modules share are.
pub(super) const TRIG: usize = 0;
const GATE: usize = 1;
const FREQ: usize = 2;
const NOTE: usize = 3;
const VEL: usize = 4;
/// `word0`, then the other words.
const WORD0: usize = 5;
/// `notes0.pitch`, then the other lanes' signals.
const LANES: usize = WORD0 + WORDS;

/// No swing, no humanise: where the velocity pattern's events lie.
pub(in crate::kernels) const STRAIGHT: Groove = Groove {
    swing: Swing {
        step: 0.0,
        amount: 0.0,
    },
    humanise: Humanise {
        seed: 0,
        timing: 0.0,
        velocity: 0.0,
    },
};

/// The mono outputs' state: the last note and the gate of the last onset.
#[derive(Clone, Copy, Debug)]
pub(super) struct Mono {
    note: f64,
    vel: f64,
    /// The beat at which the gate closes; `None` while it is closed.
    until: Option<f64>,
}

impl Default for Mono {
    fn default() -> Mono {
        Mono {
            note: 60.0,
            vel: 0.0,
            until: None,
        }
    }
}

impl Mono {
    /// An onset: the note (if it has one), its velocity, the beat its gate closes.
    pub(super) fn onset(&mut self, note: Option<f64>, vel: f64, until: f64) {
        if let Some(note) = note {
            self.note = note;
        }
        self.vel = vel;
        self.until = Some(until);
    }

    /// Closes the gate if `beat` has reached its end (`None`: closes it).
    pub(super) fn release_until(&mut self, beat: Option<f64>) {
        if beat.is_none_or(|beat| self.until.is_some_and(|until| beat >= until)) {
            self.until = None;
        }
    }

    /// Writes sample `i` of `gate`, `freq`, `note` and `vel`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(super) fn write(&self, outputs: &mut [&mut [f32]], i: usize) {
        outputs[GATE][i] = if self.until.is_some() { 1.0 } else { 0.0 };
        outputs[FREQ][i] = hz(self.note) as f32;
        outputs[NOTE][i] = self.note as f32;
        outputs[VEL][i] = self.vel as f32;
    }
}

/// What a kernel keeps of its predecessor across a swap: where the beat was and what sounds.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Playing {
    /// The beat of the last sample played, while the transport plays.
    pub(super) previous: Option<f64>,
    pub(super) mono: Mono,
    pub(super) lanes: Lanes,
}

impl Playing {
    /// Stops everything: the transport stopped or jumped.
    pub(super) fn release_all(&mut self) {
        self.mono.release_until(None);
        self.lanes.release_all();
    }

    /// Writes a silent block (the transport stopped): no onsets, every gate closed, notes held.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(super) fn silence(&mut self, outputs: &mut [&mut [f32]], lanes_at: usize) {
        self.previous = None;
        self.release_all();
        let len = outputs[TRIG].len();
        for i in 0..len {
            for output in &mut outputs[TRIG..lanes_at] {
                output[i] = 0.0;
            }
            self.mono.write(outputs, i);
            self.lanes.write(&mut outputs[lanes_at..], i);
        }
    }

    /// The beat before this block's first sample, having closed every gate after a jump.
    pub(super) fn start(&mut self, beats: &Beats) -> f64 {
        if beats.jumped {
            self.release_all();
        }
        match self.previous {
            Some(previous) if !beats.jumped => previous,
            _ => before(beats),
        }
    }
}

/// `seq.pattern`'s kernel.
pub(super) struct Sequencer {
    notes: Held,
    velocities: Held,
    /// The notes of each word that is a chord symbol.
    chords: Vec<Option<Vec<f64>>>,
    /// The output place of each word that is not.
    words: Vec<Option<usize>>,
    scale: Option<Scale>,
    groove: Groove,
    cycle_bars: f64,
    legato: f64,
    /// How far the groove may move an event earlier and later, in beats.
    early: f64,
    late: f64,
    playing: Playing,
}

/// Makes `seq.pattern`'s kernel from its checked texts and settings.
pub(super) fn build(init: &Build) -> Box<dyn Kernel> {
    let spec = init.spec();
    let setting = |name| param(spec, init, name);
    let parse = |text| Pattern::parse(text).or_else(|_| Pattern::parse("~"));
    let notes = parse(init.text(spec, "pattern")).expect("the validator checked it");
    let velocities = parse(init.text(spec, "velocity")).expect("the validator checked it");
    let scale = Scale::parse(init.text(spec, "scale")).ok();
    let seed = setting("seed") as u64;
    let (swing, swing_step) = (setting("swing"), setting("swing_step"));
    let humanise = setting("humanise");
    let groove = Groove {
        swing: Swing {
            step: swing_step,
            amount: swing,
        },
        humanise: Humanise {
            seed,
            timing: humanise,
            velocity: setting("humanise_vel"),
        },
    };
    let cycle_bars = limit(setting("cycle"), CYCLE_BARS.0, CYCLE_BARS.1);
    let (early, late) = (humanise, humanise + swing * swing_step / 2.0);
    let cycles = held_cycles(early + late, cycle_bars);
    init.kernel(Sequencer {
        chords: chord_notes(&notes),
        words: word_outputs(&notes),
        notes: Held::new(notes, seed, cycles),
        velocities: Held::new(velocities, seed, cycles),
        scale,
        groove,
        cycle_bars,
        legato: setting("legato"),
        early,
        late,
        playing: Playing::default(),
    })
}

impl Sequencer {
    /// The velocity the velocity pattern gives at beat `beat`: its step sounding there, 1
    /// where none does or its value is no number.
    fn velocity_at(&self, beat: f64) -> f64 {
        self.velocities
            .events()
            .iter()
            .rev()
            .find(|placed| placed.beat <= beat && beat < placed.beat + placed.length)
            .map_or(1.0, |placed| match placed.event.value {
                Value::Number(vel) => limit(vel, 0.0, 1.0),
                _ => 1.0,
            })
    }

    /// Plays `placed` at sample `i`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn play(&mut self, placed: Placed, outputs: &mut [&mut [f32]], i: usize) {
        let event = placed.event;
        let vel = event
            .velocity
            .unwrap_or_else(|| self.velocity_at(placed.beat));
        let vel = self.groove.velocity(placed.beat, vel);
        let until = placed.time + placed.length * self.legato;
        outputs[TRIG][i] = 1.0;
        let mut note = pitch(event.value, self.scale.as_ref());
        if let Value::Word(word) = event.value {
            if let Some(&Some(output)) = self.words.get(word)
                && output < WORDS
            {
                outputs[WORD0 + output][i] = 1.0;
            }
            if let Some(Some(chord)) = self.chords.get(word) {
                for &pitch in chord {
                    self.playing.lanes.start(pitch, vel, until);
                }
                note = chord.last().copied();
            }
        } else if let Some(note) = note {
            self.playing.lanes.start(note, vel, until);
        }
        self.playing.mono.onset(note, vel, until);
    }
}

impl Dsp for Sequencer {
    /// With no transport, as a transport standing still: silence.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        self.process_at(&Beats::STILL, inputs, outputs);
    }

    /// No inputs (the texts and settings are read when built); outputs `[trig, gate, freq,
    /// note, vel, word0…word7, notes0.pitch, notes0.gate, … notes7.gate]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process_at(&mut self, beats: &Beats, _inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let len = outputs[TRIG].len();
        let last = beats.at(len.saturating_sub(1));
        if !beats.playing || len == 0 || !last.is_finite() {
            self.playing.silence(outputs, LANES);
            return;
        }
        let previous = self.playing.start(beats);
        let cycle_beats = self.cycle_bars * beats.beats_per_bar.max(1.0 / 64.0);
        let first = cycle_of(previous - self.late, cycle_beats);
        let end = cycle_of(last + self.early, cycle_beats);
        self.notes.hold(first, end, cycle_beats, &self.groove);
        self.velocities.hold(first, end, cycle_beats, &STRAIGHT);
        let mut next = self.notes.after(previous);
        for i in 0..len {
            let beat = beats.at(i);
            for output in &mut outputs[TRIG..LANES] {
                output[i] = 0.0;
            }
            self.playing.mono.release_until(Some(beat));
            self.playing.lanes.release_until(beat);
            while let Some(&placed) = self.notes.events().get(next) {
                if placed.time > beat {
                    break;
                }
                self.play(placed, outputs, i);
                next += 1;
            }
            self.playing.mono.write(outputs, i);
            self.playing
                .lanes
                .write(&mut outputs[LANES..LANES + 2 * NOTE_LANES], i);
        }
        self.playing.previous = Some(last);
    }

    fn reset(&mut self) {
        self.playing = Playing::default();
    }

    /// Keeps where the beat was and the notes sounding, so a new pattern (or setting) swapped
    /// in neither replays nor drops an onset, nor cuts a note.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        match dsp::<Sequencer>(other) {
            Some(other) => {
                self.playing = other.playing;
                true
            }
            None => false,
        }
    }
}
