//! Envelopes: `env.adsr`.
//!
//! A linear attack-decay-sustain-release envelope. While `gate` is above 0 it rises from
//! wherever it is to exactly 1.0 in `attack` seconds, falls to `sustain` in `decay` seconds and
//! holds there; when the gate closes it falls from wherever it is to 0 in `release` seconds. A
//! gate that opens again during the release restarts the attack from the current level, so the
//! output never jumps. Segments are linear, which makes their timing easy to state and to test.
//!
//! Sample `k` of a segment that started at sample 0 is the segment's level at time `k / rate`,
//! so a 10 ms attack at 48 kHz is 0.0 on the gate's first sample and exactly 1.0 on its 480th.
//! A segment ends on the sample nearest its exact end, and lasts at least one sample. Every
//! input is read every sample: a segment's duration can change while it runs (its speed
//! follows), and the sustain level can move while it holds.

use super::limit;
use crate::KernelInit;
use crate::registry::Entry;
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};
use patchvm_vm::{Kernel, KernelShape, copy_same_type};

/// The longest segment, in seconds.
const MAX_TIME_S: f64 = 60.0;

const fn time(name: &'static str, doc: &'static str, default: f64) -> InputSpec {
    InputSpec {
        name,
        doc,
        default,
        min: 0.0,
        max: MAX_TIME_S,
        unit: Unit::Seconds,
        rate: Rate::Audio,
        breaks_cycles: false,
    }
}

/// `env.adsr`: an attack-decay-sustain-release envelope.
pub const ADSR: ModuleSpec = ModuleSpec {
    name: "env.adsr",
    doc: "linear attack-decay-sustain-release envelope, peaking at 1 while the gate is open",
    inputs: &[
        InputSpec {
            name: "gate",
            doc: "open while above 0: opening starts the attack, closing the release",
            default: 0.0,
            min: -1e3,
            max: 1e3,
            unit: Unit::Signal,
            rate: Rate::Audio,
            breaks_cycles: false,
        },
        time("attack", "time to rise from the current level to 1", 0.01),
        time("decay", "time to fall from 1 to the sustain level", 0.1),
        InputSpec {
            name: "sustain",
            doc: "the level held while the gate stays open",
            default: 0.7,
            min: 0.0,
            max: 1.0,
            unit: Unit::Linear,
            rate: Rate::Audio,
            breaks_cycles: false,
        },
        time("release", "time to fall from the current level to 0", 0.3),
    ],
    outputs: &[OutputSpec {
        name: "out",
        doc: "the envelope, 0..1",
        unit: Unit::Signal,
    }],
    role: Role::Kernel,
};

pub(crate) const ADSR_ENTRY: Entry = Entry {
    spec: ADSR,
    build: Some(|init| Box::new(Adsr::new(init))),
    memory_bytes: None,
};

/// Where the envelope is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// At 0, gate closed.
    Idle,
    /// From `from` to 1.
    Attack,
    /// From 1 to the sustain level.
    Decay,
    /// At the sustain level.
    Sustain,
    /// From `from` to 0.
    Release,
}

/// `env.adsr`: a state machine over linear segments.
#[derive(Clone, Debug)]
struct Adsr {
    stage: Stage,
    /// The level the current attack or release started from.
    from: f64,
    /// How far through the current segment this sample is, 0..=1.
    progress: f64,
    /// Whether the gate was open at the last sample.
    open: bool,
    sample_rate: f64,
}

impl Adsr {
    fn new(init: &KernelInit) -> Adsr {
        Adsr {
            stage: Stage::Idle,
            from: 0.0,
            progress: 0.0,
            open: false,
            sample_rate: init.sample_rate,
        }
    }

    /// The level at this sample, for the current stage and progress.
    #[inline]
    fn value(&self, sustain: f64) -> f64 {
        match self.stage {
            Stage::Idle => 0.0,
            Stage::Attack => self.from + (1.0 - self.from) * self.progress,
            Stage::Decay => 1.0 + (sustain - 1.0) * self.progress,
            Stage::Sustain => sustain,
            Stage::Release => self.from * (1.0 - self.progress),
        }
    }

    /// This sample's level for a gate that is `open`, with this sample's `[attack, decay,
    /// sustain, release]`; then steps through the current segment.
    #[inline]
    fn tick(&mut self, open: bool, [attack, decay, sustain, release]: [f32; 4]) -> f64 {
        let sustain = limit(f64::from(sustain), 0.0, 1.0);
        if self.progress >= 1.0 {
            self.progress = 0.0;
            self.stage = match self.stage {
                Stage::Attack => Stage::Decay,
                Stage::Decay => Stage::Sustain,
                Stage::Release | Stage::Idle => Stage::Idle,
                Stage::Sustain => Stage::Sustain,
            };
        }
        if open != self.open {
            // Start from where the old segment is at this sample: no jump, no repeated sample.
            self.from = self.value(sustain);
            self.progress = 0.0;
            self.stage = if open { Stage::Attack } else { Stage::Release };
            self.open = open;
        }
        let level = self.value(sustain);
        let duration = match self.stage {
            Stage::Attack => attack,
            Stage::Decay => decay,
            Stage::Release => release,
            Stage::Idle | Stage::Sustain => return level,
        };
        let samples = limit(f64::from(duration), 0.0, MAX_TIME_S) * self.sample_rate;
        let step = 1.0 / samples.max(1.0);
        self.progress += step;
        // End on the sample nearest the segment's end. This absorbs both the rounding of
        // summing `1/n` `n` times and that of an f32 time: 0.3 s is 0.30000001, which is
        // 14 400.0006 samples at 48 kHz.
        if self.progress + 0.5 * step >= 1.0 {
            self.progress = 1.0;
        }
        level
    }
}

impl Kernel for Adsr {
    fn shape(&self) -> KernelShape {
        KernelShape {
            inputs: 5,
            outputs: 1,
            takes_feed: false,
        }
    }

    /// Inputs `[gate, attack, decay, sustain, release]` (signal, s, s, linear, s), outputs
    /// `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [gate, attack, decay, sustain, release] =
            [inputs[0], inputs[1], inputs[2], inputs[3], inputs[4]];
        for (i, out) in outputs[0].iter_mut().enumerate() {
            let settings = [attack[i], decay[i], sustain[i], release[i]];
            *out = self.tick(gate[i] > 0.0, settings) as f32;
        }
    }

    fn reset(&mut self) {
        self.stage = Stage::Idle;
        self.from = 0.0;
        self.progress = 0.0;
        self.open = false;
    }

    /// Keeps the stage, level and gate, so an edit mid-note does not restart the envelope.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_same_type(self, other)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Chunks, Run, SR, constant, first_index, kernel};

    struct Settings {
        attack: f32,
        decay: f32,
        sustain: f32,
        release: f32,
    }

    const DEFAULTS: Settings = Settings {
        attack: 0.01,
        decay: 0.1,
        sustain: 0.7,
        release: 0.3,
    };

    fn envelope(gate: &[f32], settings: &Settings, chunks: Chunks) -> Vec<f32> {
        let len = gate.len();
        let [a, d, s, r] = [
            settings.attack,
            settings.decay,
            settings.sustain,
            settings.release,
        ]
        .map(|v| constant(v, len));
        Run::new(&[gate, &a, &d, &s, &r], len)
            .chunks(chunks)
            .on(kernel("env.adsr", &[]).as_mut())
    }

    /// A gate open from sample `on` to sample `off` (exclusive), `len` samples long.
    fn gate(on: usize, off: usize, len: usize) -> Vec<f32> {
        (0..len)
            .map(|n| if (on..off).contains(&n) { 1.0 } else { 0.0 })
            .collect()
    }

    fn seconds(samples: usize) -> f64 {
        samples as f64 / SR
    }

    #[test]
    fn stages_take_their_times() {
        let (on, off, len) = (100, 20_000, 40_000);
        let env = envelope(&gate(on, off, len), &DEFAULTS, Chunks::Full);
        assert!(env[..=on].iter().all(|&v| v == 0.0));

        let peak_at = first_index(&env, |v| v == 1.0);
        let sustain_at = first_index(&env[peak_at..], |v| v == 0.7) + peak_at;
        let zero_at = first_index(&env[off..], |v| v == 0.0) + off;
        println!(
            "adsr: 1.0 after {} samples ({:+.4} ms off 10 ms), sustain {} samples later \
             ({:+.4} ms off 100 ms), 0 {} samples after the gate closed ({:+.4} ms off 300 ms)",
            peak_at - on,
            (seconds(peak_at - on) - 0.01) * 1e3,
            sustain_at - peak_at,
            (seconds(sustain_at - peak_at) - 0.1) * 1e3,
            zero_at - off,
            (seconds(zero_at - off) - 0.3) * 1e3,
        );
        assert_eq!(peak_at - on, 480);
        assert_eq!(sustain_at - peak_at, 4_800);
        assert_eq!(zero_at - off, 14_400);
        assert_eq!(env.iter().fold(0.0_f32, |m, &v| m.max(v)), 1.0);
        // linear in between, and held
        assert!((env[on + 240] - 0.5).abs() < 1e-6);
        assert!((env[peak_at + 2_400] - 0.85).abs() < 1e-6);
        assert!(env[sustain_at..off].iter().all(|&v| v == 0.7));
        assert!((env[off + 7_200] - 0.35).abs() < 1e-6);
        assert!(env[zero_at..].iter().all(|&v| v == 0.0));
    }

    #[test]
    fn early_release_falls_from_the_current_level() {
        // gate closes halfway up the attack: release from 0.5 to 0 in 0.3 s, starting on the
        // sample where the attack would have reached 0.5
        let env = envelope(&gate(0, 240, 20_000), &DEFAULTS, Chunks::Random(5));
        assert!((env[240] - 0.5).abs() < 1e-6);
        assert!((env[240 + 7_200] - 0.25).abs() < 1e-6);
        assert_eq!(first_index(&env[240..], |v| v == 0.0), 14_400);
    }

    #[test]
    fn retrigger_during_release_restarts_the_attack_without_a_jump() {
        // open, close at sustain, reopen halfway through the release (level 0.35)
        let mut gate = gate(0, 10_000, 30_000);
        gate[17_200..].fill(1.0);
        let env = envelope(&gate, &DEFAULTS, Chunks::Full);
        let largest_step = env
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0_f32, f32::max);
        assert!(largest_step <= 1.0 / 480.0 + 1e-6, "step {largest_step}");
        assert!((env[17_200] - 0.35).abs() < 1e-6);
        // 0.35 to 1 in the full attack time
        assert_eq!(first_index(&env[17_200..], |v| v == 1.0), 480);
    }

    #[test]
    fn zero_times_take_one_sample() {
        let settings = Settings {
            attack: 0.0,
            decay: 0.0,
            sustain: 0.5,
            release: 0.0,
        };
        let env = envelope(&gate(10, 20, 30), &settings, Chunks::Full);
        assert_eq!(&env[9..14], [0.0, 0.0, 1.0, 0.5, 0.5]);
        assert_eq!(&env[19..23], [0.5, 0.5, 0.0, 0.0]);
    }

    #[test]
    fn invalid_settings_stay_in_range() {
        for bad in [f32::NAN, f32::INFINITY, -1.0, 1e9] {
            let settings = Settings {
                attack: bad,
                decay: bad,
                sustain: bad,
                release: bad,
            };
            let mut gate = gate(0, 500, 1_000);
            gate[700] = f32::NAN;
            let env = envelope(&gate, &settings, Chunks::Full);
            assert!(env.iter().all(|v| (0.0..=1.0).contains(v)), "{bad}");
        }
    }
}
