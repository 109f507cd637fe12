//! Rhythms on the transport's beat: `seq.euclid`, a Euclidean rhythm whose steps are beats of
//! the transport rather than ticks of a clock of its own, so every `seq.euclid` in a session
//! (one added by a live edit mid-bar too) plays on one grid.
//!
//! Step `k` of the grid starts at beat `k · step` (beats count from the transport's zero), and
//! the rhythm repeats every `steps` steps, so step `k` plays the rhythm's step `k mod steps`
//! (the rhythm is [`euclid`] of `pulses`, `steps` and `rotation`, Strudel's
//! `euclidRot(pulses, steps, rotation)`). An onset's trigger is the first sample whose beat
//! ([`Beats::at`]) is at or past its step's start, exactly; its gate opens there and closes at
//! the first sample at or past `gate_len` of a step later. A sample that crosses several
//! step starts at once (a step shorter than a sample) plays the last of them.
//!
//! While the transport is stopped no onset plays and the gate is closed. When it jumps (a
//! seek, a loop's wrap, a start) the gate closes, and the jump's first sample plays an onset
//! only if its beat is exactly a step's start: a jump into the middle of a step waits for the
//! next one, as a kernel built mid-bar does. Inputs are read every sample; a change of
//! `step` moves the grid without playing the step starts it skips.

use super::control::integer;
use super::limit;
use super::spec::control;
use crate::dsp::state::copy_whole;
use crate::module::{Dsp, Module, blocks_mut, output, ports};
use patchvm_ir::{ModuleSpec, OutputSpec, Role, Unit};
use patchvm_pattern::theory::{Euclid, MAX_STEPS, euclid};
use patchvm_vm::{Beats, Kernel};

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[EUCLID];

/// The shortest and longest step, in beats: a 256th note to sixteen bars of 4/4.
const STEP_BEATS: (f64, f64) = (1.0 / 64.0, 64.0);

/// `seq.euclid`: a Euclidean rhythm on the transport's beat.
pub const EUCLID: Module = Module::kernel(
    ModuleSpec {
        name: "seq.euclid",
        doc: "a Euclidean rhythm of pulses onsets over steps, each step `step` beats of the transport",
        inputs: &[
            integer(
                "pulses",
                "onsets in each cycle of steps (more than steps: every step)",
                3.0,
                0.0,
                MAX_STEPS as f64,
            ),
            integer(
                "steps",
                "steps in one cycle of the rhythm",
                8.0,
                1.0,
                MAX_STEPS as f64,
            ),
            integer(
                "rotation",
                "steps the rhythm turns later, as Strudel's euclidRot",
                0.0,
                -(MAX_STEPS as f64),
                MAX_STEPS as f64,
            ),
            control(
                "step",
                "beats per step (0.25: sixteenth notes)",
                0.25,
                STEP_BEATS,
                Unit::Linear,
            ),
            control(
                "gate_len",
                "how long the gate stays open, as a fraction of a step",
                0.5,
                (0.0, 1.0),
                Unit::Linear,
            ),
        ],
        outputs: &[
            OutputSpec {
                name: "trig",
                doc: "1.0 on the first sample of each onset, else 0",
                unit: Unit::Signal,
            },
            OutputSpec {
                name: "gate",
                doc: "1.0 from each onset for gate_len of a step, else 0",
                unit: Unit::Signal,
            },
            OutputSpec {
                name: "index",
                doc: "the step playing, 0..steps-1",
                unit: Unit::Signal,
            },
        ],
        role: Role::Kernel,
    },
    |init| init.kernel(EuclidSeq::default()),
);

// Where `EuclidSeq` finds the ports of `seq.euclid`.
const INPUTS: [usize; 5] = ports(
    &EUCLID.spec,
    ["pulses", "steps", "rotation", "step", "gate_len"],
);
const OUTPUTS: [usize; 3] = [
    output(&EUCLID.spec, "trig"),
    output(&EUCLID.spec, "gate"),
    output(&EUCLID.spec, "index"),
];

/// `seq.euclid`'s state: where the last sample was, when the gate closes, and the rhythm.
#[derive(Clone, Debug, Default)]
struct EuclidSeq {
    /// The beat of the previous sample, while the transport plays and has not jumped since.
    previous: Option<f64>,
    /// The beat at which the open gate closes; `None` while it is closed.
    gate_until: Option<f64>,
    /// The rhythm of the inputs `(pulses, steps, rotation)` it was made from.
    rhythm: Euclid,
    made_from: Option<(i32, u32, i64)>,
}

impl EuclidSeq {
    /// The rhythm of these inputs, made again only when they change.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn rhythm(&mut self, pulses: f32, steps: f32, rotation: f32) -> Euclid {
        let max = f64::from(MAX_STEPS);
        let key = (
            limit(f64::from(pulses).round(), 0.0, max) as i32,
            limit(f64::from(steps).round(), 1.0, max) as u32,
            limit(f64::from(rotation).round(), -max, max) as i64,
        );
        if self.made_from != Some(key) {
            self.rhythm = euclid(key.0, key.1, key.2);
            self.made_from = Some(key);
        }
        self.rhythm
    }
}

/// The number of the last step starting at or before `beat`: the largest `k` with
/// `k · step <= beat`, the product as computed, so an onset's sample is exactly the first
/// whose beat reaches its step's start.
fn last_start(beat: f64, step: f64) -> f64 {
    let k = (beat / step).floor();
    if k * step > beat {
        k - 1.0
    } else if (k + 1.0) * step <= beat {
        k + 1.0
    } else {
        k
    }
}

impl Dsp for EuclidSeq {
    /// With no transport, as a transport standing still at beat 0.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        self.process_at(&Beats::STILL, inputs, outputs);
    }

    /// Inputs `[pulses, steps, rotation, step, gate_len]`, outputs `[trig, gate, index]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process_at(&mut self, beats: &Beats, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [pulses, steps, rotation, step, gate_len] = INPUTS.map(|port| inputs[port]);
        let [trig, gate, index] = blocks_mut(outputs, OUTPUTS);
        if beats.jumped || !beats.playing {
            self.previous = None;
            self.gate_until = None;
        }
        for i in 0..trig.len() {
            let rhythm = self.rhythm(pulses[i], steps[i], rotation[i]);
            let step = limit(f64::from(step[i]), STEP_BEATS.0, STEP_BEATS.1);
            let beat = beats.at(i);
            let playing = beats.playing && beat.is_finite();
            let k = if beat.is_finite() {
                last_start(beat, step)
            } else {
                0.0
            };
            index[i] = (k as i64).rem_euclid(i64::from(rhythm.steps())) as f32;
            if !playing {
                (trig[i], gate[i]) = (0.0, 0.0);
                continue;
            }
            let starts = match self.previous {
                Some(previous) => k > last_start(previous, step),
                None => k * step == beat,
            };
            let onset = starts && rhythm.is_onset(k as i64);
            if onset {
                let length = limit(f64::from(gate_len[i]), 0.0, 1.0) * step;
                self.gate_until = Some(k * step + length);
            }
            let open = self.gate_until.is_some_and(|until| beat < until);
            if !open {
                self.gate_until = None;
            }
            trig[i] = if onset { 1.0 } else { 0.0 };
            gate[i] = if open { 1.0 } else { 0.0 };
            self.previous = Some(beat);
        }
    }

    fn reset(&mut self) {
        *self = EuclidSeq::default();
    }

    /// Keeps where the last sample was and the open gate, so a swap neither replays nor
    /// drops an onset.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

#[cfg(test)]
#[path = "rhythm_tests.rs"]
mod tests;
