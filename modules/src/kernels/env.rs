//! Envelopes and followers: `env.adsr`, `env.ar`, `env.line` and `env.follower`.
//!
//! `env.adsr` is a linear attack-decay-sustain-release envelope. While `gate` is above 0 it rises from
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
//!
//! `env.ar` and `env.line` step through their linear segments the same way. `env.follower` is a
//! peak follower: a one-pole (`dsp::smooth`) on the rectified input that
//! rises with `attack_s` and falls with `release_s`, each the time to cover 63.2 % (`1 - 1/e`)
//! of a step.

use super::{limit, param};
use crate::KernelInit;
use crate::dsp::smooth::AttackRelease;
use crate::dsp::state::{copy_whole, copy_with};
use crate::module::{Dsp, Module, output, port};
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};
use patchvm_vm::Kernel;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[ADSR, AR, LINE, FOLLOWER];

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
pub const ADSR: Module = Module::kernel(
    ModuleSpec {
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
    },
    |init| init.kernel(Adsr::new(init)),
);

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
        self.progress = advance(self.progress, duration, self.sample_rate);
        level
    }
}

/// `progress` (0..=1 through a segment of `duration_s` seconds) one sample on. A segment lasts
/// at least one sample and ends exactly on 1.0.
#[inline]
fn advance(progress: f64, duration_s: f32, sample_rate: f64) -> f64 {
    let samples = limit(f64::from(duration_s), 0.0, MAX_TIME_S) * sample_rate;
    let step = 1.0 / samples.max(1.0);
    let progress = progress + step;
    // End on the sample nearest the segment's end. This absorbs both the rounding of summing
    // `1/n` `n` times and that of an f32 time: 0.3 s is 0.30000001, which is 14 400.0006
    // samples at 48 kHz.
    if progress + 0.5 * step >= 1.0 {
        1.0
    } else {
        progress
    }
}

// Where `Adsr` finds the ports of `env.adsr`.
const ADSR_GATE: usize = port(&ADSR.spec, "gate");
const ADSR_ATTACK: usize = port(&ADSR.spec, "attack");
const ADSR_DECAY: usize = port(&ADSR.spec, "decay");
const ADSR_SUSTAIN: usize = port(&ADSR.spec, "sustain");
const ADSR_RELEASE: usize = port(&ADSR.spec, "release");
const ADSR_OUT: usize = output(&ADSR.spec, "out");

impl Dsp for Adsr {
    /// Inputs `[gate, attack, decay, sustain, release]` (signal, s, s, linear, s), outputs
    /// `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [gate, attack, decay, sustain, release] = [
            inputs[ADSR_GATE],
            inputs[ADSR_ATTACK],
            inputs[ADSR_DECAY],
            inputs[ADSR_SUSTAIN],
            inputs[ADSR_RELEASE],
        ];
        for (i, out) in outputs[ADSR_OUT].iter_mut().enumerate() {
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
        copy_whole(self, other)
    }
}

/// A signal input that triggers on its rising edges.
const fn trigger(doc: &'static str) -> InputSpec {
    InputSpec {
        name: "trig",
        doc,
        default: 0.0,
        min: -1e3,
        max: 1e3,
        unit: Unit::Signal,
        rate: Rate::Audio,
        breaks_cycles: false,
    }
}

/// `env.ar`: a percussive attack-release envelope.
pub const AR: Module = Module::kernel(
    ModuleSpec {
        name: "env.ar",
        doc: "percussive linear envelope: each trigger rises to 1 in attack, then falls to 0 in release",
        inputs: &[
            trigger("a rise through 0 starts the attack from the current level"),
            time("attack", "time to rise from the current level to 1", 0.005),
            time(
                "release",
                "time to fall from 1 to 0, right after the attack",
                0.3,
            ),
        ],
        outputs: &[OutputSpec {
            name: "out",
            doc: "the envelope, 0..1",
            unit: Unit::Signal,
        }],
        role: Role::Kernel,
    },
    |init| init.kernel(Ar::new(init)),
);

/// `env.ar`: attack, then release, on every rising edge of `trig`.
#[derive(Clone, Debug)]
struct Ar {
    /// In the attack (true) or the release (false); idle is a finished release.
    attacking: bool,
    /// The level the current attack started from.
    from: f64,
    /// How far through the current segment this sample is, 0..=1.
    progress: f64,
    /// Whether the trigger was above 0 at the last sample.
    high: bool,
    sample_rate: f64,
}

impl Ar {
    fn new(init: &KernelInit) -> Ar {
        Ar {
            attacking: false,
            from: 0.0,
            // a finished release: silent until the first trigger
            progress: 1.0,
            high: false,
            sample_rate: init.sample_rate,
        }
    }

    #[inline]
    fn value(&self) -> f64 {
        if self.attacking {
            self.from + (1.0 - self.from) * self.progress
        } else {
            1.0 - self.progress
        }
    }

    /// This sample's level, for a trigger that is `high`; then steps through the segment.
    #[inline]
    fn tick(&mut self, high: bool, attack: f32, release: f32) -> f64 {
        if self.attacking && self.progress >= 1.0 {
            self.attacking = false;
            self.progress = 0.0;
        }
        if high && !self.high {
            self.from = self.value();
            self.attacking = true;
            self.progress = 0.0;
        }
        self.high = high;
        let level = self.value();
        if self.progress < 1.0 || self.attacking {
            let duration = if self.attacking { attack } else { release };
            self.progress = advance(self.progress, duration, self.sample_rate);
        }
        level
    }
}

// Where `Ar` finds the ports of `env.ar`.
const AR_TRIG: usize = port(&AR.spec, "trig");
const AR_ATTACK: usize = port(&AR.spec, "attack");
const AR_RELEASE: usize = port(&AR.spec, "release");
const AR_OUT: usize = output(&AR.spec, "out");

impl Dsp for Ar {
    /// Inputs `[trig, attack, release]` (signal, s, s), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [trig, attack, release] = [inputs[AR_TRIG], inputs[AR_ATTACK], inputs[AR_RELEASE]];
        for (i, out) in outputs[AR_OUT].iter_mut().enumerate() {
            *out = self.tick(trig[i] > 0.0, attack[i], release[i]) as f32;
        }
    }

    fn reset(&mut self) {
        self.attacking = false;
        self.from = 0.0;
        self.progress = 1.0;
        self.high = false;
    }

    /// Keeps the segment and the trigger's last level; copies plain fields, no allocation.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

/// `env.line`: a ramp from one value to another, restarted by each trigger.
pub const LINE: Module = Module::kernel(
    ModuleSpec {
        name: "env.line",
        doc: "linear ramp from `from` to `to` in time_s, restarted by each trigger; holds `to` after",
        inputs: &[
            trigger("a rise through 0 restarts the ramp at `from`"),
            InputSpec {
                name: "from",
                doc: "the value the ramp starts at (and the output before the first trigger)",
                default: 0.0,
                min: -1e6,
                max: 1e6,
                unit: Unit::Signal,
                rate: Rate::Audio,
                breaks_cycles: false,
            },
            InputSpec {
                name: "to",
                doc: "the value the ramp ends at and then holds",
                default: 1.0,
                min: -1e6,
                max: 1e6,
                unit: Unit::Signal,
                rate: Rate::Audio,
                breaks_cycles: false,
            },
            time("time_s", "time from `from` to `to`", 1.0),
        ],
        outputs: &[OutputSpec {
            name: "out",
            doc: "the ramp",
            unit: Unit::Signal,
        }],
        role: Role::Kernel,
    },
    |init| init.kernel(Line::new(init)),
);

/// `env.line`: how far through the ramp, and whether it has started.
#[derive(Clone, Debug)]
struct Line {
    /// 0 before the first trigger, so the output is `from` until then.
    progress: f64,
    running: bool,
    high: bool,
    sample_rate: f64,
}

impl Line {
    fn new(init: &KernelInit) -> Line {
        Line {
            progress: 0.0,
            running: false,
            high: false,
            sample_rate: init.sample_rate,
        }
    }
}

// Where `Line` finds the ports of `env.line`.
const LINE_TRIG: usize = port(&LINE.spec, "trig");
const LINE_FROM: usize = port(&LINE.spec, "from");
const LINE_TO: usize = port(&LINE.spec, "to");
const LINE_TIME_S: usize = port(&LINE.spec, "time_s");
const LINE_OUT: usize = output(&LINE.spec, "out");

impl Dsp for Line {
    /// Inputs `[trig, from, to, time_s]` (signal, signal, signal, s), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [trig, from, to, time] = [
            inputs[LINE_TRIG],
            inputs[LINE_FROM],
            inputs[LINE_TO],
            inputs[LINE_TIME_S],
        ];
        for (i, out) in outputs[LINE_OUT].iter_mut().enumerate() {
            let high = trig[i] > 0.0;
            if high && !self.high {
                self.progress = 0.0;
                self.running = true;
            }
            self.high = high;
            let (from, to) = (f64::from(from[i]), f64::from(to[i]));
            *out = (from + (to - from) * self.progress) as f32;
            if self.running && self.progress < 1.0 {
                self.progress = advance(self.progress, time[i], self.sample_rate);
            }
        }
    }

    fn reset(&mut self) {
        self.progress = 0.0;
        self.running = false;
        self.high = false;
    }

    /// Keeps the ramp and the trigger's last level; copies plain fields, no allocation.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

/// `env.follower`: a peak amplitude follower.
pub const FOLLOWER: Module = Module::kernel(
    ModuleSpec {
        name: "env.follower",
        doc: "peak amplitude follower: the rectified input through attack and release lags",
        inputs: &[
            InputSpec {
                name: "in",
                doc: "the signal to follow",
                default: 0.0,
                min: -1e6,
                max: 1e6,
                unit: Unit::Signal,
                rate: Rate::Audio,
                breaks_cycles: false,
            },
            time(
                "attack_s",
                "time to rise 63 % of the way to a louder level",
                0.001,
            ),
            time(
                "release_s",
                "time to fall 63 % of the way to a quieter level",
                0.1,
            ),
        ],
        outputs: &[OutputSpec {
            name: "out",
            doc: "the level: a sine's peak when attack_s is short against its period",
            unit: Unit::Signal,
        }],
        role: Role::Kernel,
    },
    |init| init.kernel(Follower::new(init)),
);

/// `env.follower`: an attack-release lag on `|in|`.
#[derive(Debug)]
struct Follower {
    level: AttackRelease,
}

impl Follower {
    fn new(init: &KernelInit) -> Follower {
        let time = |name| limit(param(&FOLLOWER.spec, init, name), 0.0, MAX_TIME_S) as f32;
        Follower {
            level: AttackRelease::new(0.0, time("attack_s"), time("release_s"), init.sample_rate),
        }
    }
}

// Where `Follower` finds the ports of `env.follower`.
const FOLLOWER_IN: usize = port(&FOLLOWER.spec, "in");
const FOLLOWER_ATTACK_S: usize = port(&FOLLOWER.spec, "attack_s");
const FOLLOWER_RELEASE_S: usize = port(&FOLLOWER.spec, "release_s");
const FOLLOWER_OUT: usize = output(&FOLLOWER.spec, "out");

impl Dsp for Follower {
    /// Inputs `[in, attack_s, release_s]` (signal, s, s), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [input, attack, release] = [
            inputs[FOLLOWER_IN],
            inputs[FOLLOWER_ATTACK_S],
            inputs[FOLLOWER_RELEASE_S],
        ];
        let time = |t: f32| limit(t.into(), 0.0, MAX_TIME_S) as f32;
        for (i, out) in outputs[FOLLOWER_OUT].iter_mut().enumerate() {
            let target = f64::from(input[i]).abs();
            *out = self.level.tick(target, time(attack[i]), time(release[i])) as f32;
        }
    }

    fn reset(&mut self) {
        self.level.reset();
    }

    /// Keeps the level followed. Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, from| this.level.take_over(&from.level))
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

    mod ar_line_follower {
        use super::super::super::test_support::{
            SR, constant, db, first_index, run_module, sine_wave,
        };

        fn pulse_at(at: &[usize], len: usize) -> Vec<f32> {
            let mut x = vec![0.0; len];
            for &n in at {
                x[n] = 1.0;
            }
            x
        }

        fn ms(samples: usize) -> f64 {
            samples as f64 / SR * 1e3
        }

        #[test]
        fn ar_rises_to_1_in_attack_then_falls_to_0_in_release() {
            let (on, len) = (100, 20_000);
            let trig = pulse_at(&[on], len);
            let settings = [("attack", 0.01), ("release", 0.3)];
            let env = &run_module("env.ar", &settings, &[("trig", &trig)], len)[0];
            let peak_at = first_index(env, |v| v == 1.0);
            let zero_at = first_index(&env[peak_at..], |v| v == 0.0) + peak_at;
            println!(
                "ar: 1.0 after {:.3} ms (10 ms), then 0 after {:.3} ms (300 ms)",
                ms(peak_at - on),
                ms(zero_at - peak_at)
            );
            assert!(env[..=on].iter().all(|&v| v == 0.0));
            assert_eq!(peak_at - on, 480);
            // the peak is the release's first sample
            assert_eq!(zero_at - peak_at, 14_400);
            assert_eq!(env.iter().fold(0.0_f32, |m, &v| m.max(v)), 1.0);
            assert!((env[on + 240] - 0.5).abs() < 1e-6);
            assert!((env[peak_at + 7_200] - 0.5).abs() < 1e-6);
            assert!(env[zero_at..].iter().all(|&v| v == 0.0));
        }

        #[test]
        fn ar_retriggers_from_the_current_level() {
            let len = 30_000;
            // the second trigger lands halfway down the release (level 0.5)
            let trig = pulse_at(&[0, 480 + 7_200], len);
            let settings = [("attack", 0.01), ("release", 0.3)];
            let env = &run_module("env.ar", &settings, &[("trig", &trig)], len)[0];
            let again = 480 + 7_200;
            assert!((env[again] - 0.5).abs() < 1e-6);
            assert_eq!(first_index(&env[again..], |v| v == 1.0), 480);
            let largest_step = env
                .windows(2)
                .map(|w| (w[1] - w[0]).abs())
                .fold(0.0, f32::max);
            assert!(largest_step <= 1.0 / 480.0 + 1e-6);
        }

        #[test]
        fn line_ramps_from_from_to_to_in_time_s_on_each_trigger() {
            let len = 66_000;
            let trig: Vec<f32> = (0..len)
                .map(|n| {
                    if (1_000..1_010).contains(&n) || n >= 40_000 {
                        1.0
                    } else {
                        0.0
                    }
                })
                .collect();
            let settings = [("from", 2.0), ("to", -1.0), ("time_s", 0.5)];
            let out = &run_module("env.line", &settings, &[("trig", &trig)], len)[0];
            let end = first_index(&out[1_000..], |v| v == -1.0);
            println!(
                "line: reaches `to` {:.3} ms after the trigger (500 ms)",
                ms(end)
            );
            assert!(out[..=1_000].iter().all(|&v| v == 2.0));
            assert_eq!(end, 24_000);
            assert!((out[1_000 + 12_000] - 0.5).abs() < 1e-5);
            assert!(out[25_000..40_000].iter().all(|&v| v == -1.0));
            // the second rising edge restarts it; holding the trigger high does not
            assert_eq!(out[40_000], 2.0);
            assert_eq!(first_index(&out[40_000..], |v| v == -1.0), 24_000);
        }

        #[test]
        fn follower_times_are_63_percent_of_a_step() {
            let len = 48_000;
            let mut step = constant(1.0, len);
            step[24_000..].fill(0.0);
            let settings = [("attack_s", 0.01), ("release_s", 0.1)];
            let out = &run_module("env.follower", &settings, &[("in", &step)], len)[0];
            let rise = first_index(out, |v| f64::from(v) >= 1.0 - (-1.0_f64).exp());
            let fall = first_index(&out[24_000..], |v| f64::from(v) <= (-1.0_f64).exp());
            println!(
                "follower: 63 % up in {:.3} ms (10), down in {:.3} ms (100)",
                ms(rise),
                ms(fall)
            );
            assert!((ms(rise) - 10.0).abs() < 1.0);
            assert!((ms(fall) - 100.0).abs() < 1.0);
        }

        #[test]
        fn follower_settles_to_a_sines_peak() {
            let len = 48_000;
            let sine: Vec<f32> = sine_wave(1000.0, len).iter().map(|x| x * 0.5).collect();
            let level = |attack_s| {
                let settings = [("attack_s", attack_s), ("release_s", 0.1)];
                let out = &run_module("env.follower", &settings, &[("in", &sine)], len)[0];
                let tail = &out[len - 4_800..];
                let mean = tail.iter().map(|&v| f64::from(v)).sum::<f64>() / tail.len() as f64;
                let (lo, hi) = tail
                    .iter()
                    .fold((f32::MAX, 0.0_f32), |(lo, hi), &v| (lo.min(v), hi.max(v)));
                (
                    db(mean / 0.5),
                    db(f64::from(lo) / 0.5),
                    db(f64::from(hi) / 0.5),
                )
            };
            let fast = level(0.001);
            let slow = level(0.01);
            println!(
                "follower on a 1 kHz sine, relative to its peak: attack 1 ms {:.2} dB \
                 (ripple {:.2}..{:.2}), attack 10 ms {:.2} dB",
                fast.0, fast.1, fast.2, slow.0
            );
            assert!(fast.0.abs() < 1.0 && fast.1 > -1.0 && fast.2 <= 0.0);
        }
    }
}
