//! `voice`: one voice's note source, the input of a voice template; `voice.slot`: one voice's
//! note taken from a note stream.
//!
//! The host sets its three inputs (`set_pitch`, `set_gate`, `set_velocity`) for each voice by sample-accurate events — the note's
//! frequency (pitch bend included), its gate and its velocity — and the voice's nodes read
//! its outputs. It is a kernel rather than three constants so that the compiler never folds
//! it: its inputs stay parameter slots that events reach.
//!
//! **Restarting a note.** A voice taken over by a new note while its gate is open (a stolen
//! voice, or one released and retaken at the same sample) must close its gate for a moment,
//! or envelopes downstream would not restart. Events cannot say "one sample after now" when
//! sent for the next block, so the host instead alternates the held gate value between 1
//! and 2 from note to note: when the input changes from one value above 0 to another, the
//! `gate` output is 0 for that one sample, then 1. Any value above 0 is held; the output is
//! always 0 or 1.

use crate::dsp::state::copy_whole;
use crate::module::{Dsp, Module, blocks_mut, output, port};
use patchvm_ir::{ModuleSpec, OutputSpec, Part, Role, Unit};
use patchvm_vm::Kernel;

mod slot;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[VOICE, slot::SLOT];

use super::limit;
use super::spec::control;

/// The highest pitch the `pitch` output carries, in Hz.
const MAX_PITCH_HZ: f64 = 20_000.0;

/// `voice`: a note's pitch, gate and velocity, set by the host.
pub const VOICE: Module = Module::kernel(
    ModuleSpec {
        name: "voice",
        doc: "one voice's note, set by the host for each voice of a voice template",
        inputs: &[
            control(
                "set_pitch",
                "the note's frequency (pitch bend included), set by the host",
                440.0,
                (0.0, MAX_PITCH_HZ),
                Unit::Hz,
            ),
            control(
                "set_gate",
                "0 released, above 0 held; a change from one held value to another restarts the note",
                0.0,
                (-1000.0, 1000.0),
                Unit::Linear,
            ),
            control(
                "set_velocity",
                "the note's velocity, set by the host",
                1.0,
                (0.0, 1.0),
                Unit::Linear,
            ),
        ],
        outputs: &[
            OutputSpec {
                name: "pitch",
                doc: "the note's frequency, limited to 0..20000 Hz",
                unit: Unit::Hz,
            },
            OutputSpec {
                name: "gate",
                doc: "1 while held, else 0; 0 for the first sample of a restarted note",
                unit: Unit::Linear,
            },
            OutputSpec {
                name: "velocity",
                doc: "the note's velocity, limited to 0..1",
                unit: Unit::Linear,
            },
        ],
        role: Role::Kernel,
    },
    |init| init.kernel(Voice::default()),
)
.part(Part::Voice);

/// `voice`: passes pitch and velocity through, limited, and makes the gate 0 or 1.
#[derive(Clone, Debug, Default)]
struct Voice {
    /// The last `gate` input sample, to see a held value change into another.
    last_gate: f32,
}

impl Voice {
    #[inline]
    fn gate(&mut self, gate: f32) -> f32 {
        let held = gate > 0.0;
        let restarted = held && self.last_gate > 0.0 && gate != self.last_gate;
        self.last_gate = gate;
        if held && !restarted { 1.0 } else { 0.0 }
    }
}

// Where `Voice` finds the ports of `voice`.
const VOICE_SET_PITCH: usize = port(&VOICE.spec, "set_pitch");
const VOICE_SET_GATE: usize = port(&VOICE.spec, "set_gate");
const VOICE_SET_VELOCITY: usize = port(&VOICE.spec, "set_velocity");
const VOICE_OUTPUTS: [usize; 3] = [
    output(&VOICE.spec, "pitch"),
    output(&VOICE.spec, "gate"),
    output(&VOICE.spec, "velocity"),
];

impl Dsp for Voice {
    /// Inputs `[set_pitch, set_gate, set_velocity]` (Hz, level, 0..1), outputs `[pitch, gate,
    /// velocity]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [pitch, gate, velocity] = [
            inputs[VOICE_SET_PITCH],
            inputs[VOICE_SET_GATE],
            inputs[VOICE_SET_VELOCITY],
        ];
        let [pitch_out, gate_out, velocity_out] = blocks_mut(outputs, VOICE_OUTPUTS);
        for i in 0..pitch.len() {
            pitch_out[i] = limit(f64::from(pitch[i]), 0.0, MAX_PITCH_HZ) as f32;
            gate_out[i] = self.gate(gate[i]);
            velocity_out[i] = limit(f64::from(velocity[i]), 0.0, 1.0) as f32;
        }
    }

    fn reset(&mut self) {
        *self = Voice::default();
    }

    /// Keeps the last gate, so a note held across an edit is not restarted.
    ///
    /// Real-time safe: copies a plain field; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Chunks, Run, constant, kernel};

    /// `len` samples holding each `(from, value)` step's value from its sample on.
    fn steps(steps: &[(usize, f32)], len: usize) -> Vec<f32> {
        (0..len)
            .map(|n| {
                steps
                    .iter()
                    .rev()
                    .find(|(from, _)| *from <= n)
                    .map_or(0.0, |&(_, value)| value)
            })
            .collect()
    }

    #[test]
    fn a_held_gate_opens_at_its_sample_and_a_restart_closes_it_for_one() {
        let len = 1_000;
        let gate = steps(
            &[(100, 1.0), (300, 2.0), (500, 0.0), (600, 2.0), (700, 0.5)],
            len,
        );
        let pitch = steps(&[(0, 440.0), (300, 30_000.0), (600, f32::NAN)], len);
        let velocity = steps(&[(0, 0.25), (300, 1.5)], len);
        let inputs: [&[f32]; 3] = [&pitch, &gate, &velocity];
        for chunks in [
            Chunks::Full,
            Chunks::Fixed(1),
            Chunks::Fixed(7),
            Chunks::Random(3),
        ] {
            let outs = Run::new(&inputs, len)
                .chunks(chunks)
                .on_all(kernel("voice", &[]).as_mut());
            let opened: Vec<usize> = (1..len)
                .filter(|&n| outs[1][n - 1] == 0.0 && outs[1][n] == 1.0)
                .collect();
            let closed: Vec<usize> = (1..len)
                .filter(|&n| outs[1][n - 1] == 1.0 && outs[1][n] == 0.0)
                .collect();
            // Opened at 100, closed for sample 300 only (1 -> 2), closed at 500, opened at
            // 600 (0 -> 2, no restart needed), closed for sample 700 only (2 -> 0.5).
            assert_eq!(opened, [100, 301, 600, 701], "{chunks:?}");
            assert_eq!(closed, [300, 500, 700], "{chunks:?}");
            assert!(outs[1].iter().all(|&g| g == 0.0 || g == 1.0));
            assert_eq!(outs[0][299], 440.0);
            assert_eq!(outs[0][300], 20_000.0, "pitch limited");
            assert_eq!(outs[0][600], 0.0, "NaN pitch reads as 0 Hz");
            assert_eq!(outs[2][299], 0.25);
            assert_eq!(outs[2][300], 1.0, "velocity limited");
        }
    }

    #[test]
    fn a_nan_gate_is_released() {
        let len = 10;
        let gate = [1.0, 1.0, f32::NAN, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let outs = Run::new(&[&constant(440.0, len), &gate, &constant(1.0, len)], len)
            .on_all(kernel("voice", &[]).as_mut());
        assert_eq!(outs[1], [1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
    }
}
