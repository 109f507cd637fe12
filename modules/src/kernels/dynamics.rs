//! Dynamics: `dyn.compressor`, `dyn.limiter` and `dyn.gate`. All native: fundsp has a limiter
//! node but no compressor or gate, and one level detector shared by the three keeps their
//! meaning of "level" the same.
//!
//! The compressor and gate are feed-forward and measure an RMS level: the mean of the squared
//! input through a one-pole of 10 ms ([`RMS_TIME_S`]), in dB. A steady sine's level is its
//! RMS, 3.01 dB below its peak. Their static curves are hard-kneed, and the gain they compute
//! from the level moves toward its target through an attack-release one-pole
//! (`dsp::smooth`): `attack_s` and `release_s` are the times to cover
//! 63.2 % of a change of gain, after the detector's own 10 ms.
//!
//! The limiter is a peak limiter without look-ahead: its level is the input's magnitude with
//! instant attack and an exponential release, and its gain `ceiling / level` when the level is
//! above the ceiling; since the level is never below the current sample's magnitude, no output
//! sample exceeds the ceiling, from the first loud sample on. The price of no look-ahead is
//! that the gain changes within a wave's period: at 1 kHz and a 100 ms release the gain ripples
//! by 0.04 dB, at 50 Hz by 0.9 dB (audible distortion on loud bass).

use super::spec::control;
use super::{limit, param};
use crate::KernelInit;
use crate::dsp::smooth::{AttackRelease, Pole};
use crate::dsp::state::copy_with;
use crate::module::{Dsp, Module, output, port, ports};
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Role, Unit};
use patchvm_vm::Kernel;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[COMPRESSOR, LIMITER, GATE];

/// The time of the RMS detector's one-pole, in seconds.
pub const RMS_TIME_S: f64 = 0.01;

/// The lowest level the detector reports, in dB: silence is this quiet.
const FLOOR_DB: f64 = -300.0;

const IN: InputSpec = control(
    "in",
    "the signal to process",
    0.0,
    (-1e6, 1e6),
    Unit::Signal,
);

const OUT: OutputSpec = OutputSpec {
    name: "out",
    doc: "the processed signal",
    unit: Unit::Signal,
};

const THRESHOLD_RANGE_DB: [f64; 2] = [-100.0, 0.0];
const ATTACK_RANGE_S: [f64; 2] = [0.0, 1.0];
const RELEASE_RANGE_S: [f64; 2] = [0.0, 5.0];
const RATIO_RANGE: [f64; 2] = [1.0, 100.0];
const MAKEUP_RANGE_DB: [f64; 2] = [0.0, 48.0];
const CEILING_RANGE_DB: [f64; 2] = [-60.0, 0.0];
const GATE_RANGE_DB: [f64; 2] = [-120.0, 0.0];

/// `x` limited to `[lo, hi]`, NaN reading as `lo`.
#[inline]
fn within(x: f32, [lo, hi]: [f64; 2]) -> f64 {
    limit(x.into(), lo, hi)
}

/// `10^(db/20)`.
#[inline]
fn amplitude(db: f64) -> f64 {
    10_f64.powf(db / 20.0)
}

/// The RMS level detector of the compressor and the gate.
#[derive(Clone, Copy, Debug)]
struct Rms {
    mean_square: AttackRelease,
}

impl Rms {
    fn new(sample_rate: f64) -> Rms {
        let time = RMS_TIME_S as f32;
        Rms {
            mean_square: AttackRelease::new(0.0, time, time, sample_rate),
        }
    }

    /// The level in dB after sample `x`.
    #[inline]
    fn level_db(&mut self, x: f32) -> f64 {
        let time = RMS_TIME_S as f32;
        let x = f64::from(x);
        let mean_square = self.mean_square.tick(x * x, time, time);
        (10.0 * mean_square.log10()).max(FLOOR_DB)
    }
}

/// The times of an attack-release gain smoother, read from the kernel's inputs.
#[inline]
fn times(attack: f32, release: f32) -> (f32, f32) {
    (
        within(attack, ATTACK_RANGE_S) as f32,
        within(release, RELEASE_RANGE_S) as f32,
    )
}

/// The limited initial times `[attack_s, release_s]` of `spec`.
fn initial_times(spec: &ModuleSpec, init: &KernelInit) -> (f32, f32) {
    times(
        param(spec, init, "attack_s") as f32,
        param(spec, init, "release_s") as f32,
    )
}

// ---------------------------------------------------------------------------------------
// dyn.compressor

/// `dyn.compressor`: a feed-forward RMS compressor.
pub const COMPRESSOR: Module = Module::kernel(
    ModuleSpec {
        name: "dyn.compressor",
        doc: "feed-forward RMS compressor, hard knee: above threshold, level rises 1/ratio as fast",
        inputs: &[
            IN,
            control(
                "threshold_db",
                "RMS level (dB) above which the gain falls",
                -20.0,
                (THRESHOLD_RANGE_DB[0], THRESHOLD_RANGE_DB[1]),
                Unit::Decibels,
            ),
            control(
                "ratio",
                "input dB over the threshold per output dB over it",
                4.0,
                (RATIO_RANGE[0], RATIO_RANGE[1]),
                Unit::Linear,
            ),
            control(
                "attack_s",
                "time for the gain to fall 63 % of the way to a deeper reduction",
                0.01,
                (ATTACK_RANGE_S[0], ATTACK_RANGE_S[1]),
                Unit::Seconds,
            ),
            control(
                "release_s",
                "time for the gain to rise 63 % of the way back",
                0.1,
                (RELEASE_RANGE_S[0], RELEASE_RANGE_S[1]),
                Unit::Seconds,
            ),
            control(
                "makeup_db",
                "gain (dB) added after compression",
                0.0,
                (MAKEUP_RANGE_DB[0], MAKEUP_RANGE_DB[1]),
                Unit::Decibels,
            ),
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Compressor::new(init)),
);

/// `dyn.compressor`: RMS level, static curve, smoothed reduction in dB.
struct Compressor {
    rms: Rms,
    /// The gain reduction in dB (0 or more).
    reduction: AttackRelease,
}

impl Compressor {
    fn new(init: &KernelInit) -> Compressor {
        let (attack, release) = initial_times(&COMPRESSOR.spec, init);
        Compressor {
            rms: Rms::new(init.sample_rate),
            reduction: AttackRelease::new(0.0, attack, release, init.sample_rate),
        }
    }
}

/// The static curve: the gain reduction in dB at `level_db`, hard-kneed at the threshold.
#[inline]
fn reduction_db(level_db: f64, threshold_db: f64, ratio: f64) -> f64 {
    (level_db - threshold_db).max(0.0) * (1.0 - 1.0 / ratio)
}

// Where `Compressor` finds the ports of `dyn.compressor`.
const COMPRESSOR_INPUTS: [usize; 6] = ports(
    &COMPRESSOR.spec,
    [
        "in",
        "threshold_db",
        "ratio",
        "attack_s",
        "release_s",
        "makeup_db",
    ],
);
const COMPRESSOR_OUT: usize = output(&COMPRESSOR.spec, "out");

impl Dsp for Compressor {
    /// Inputs `[in, threshold_db, ratio, attack_s, release_s, makeup_db]` (signal, dB,
    /// linear, s, s, dB), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [input, threshold, ratio, attack, release, makeup] =
            COMPRESSOR_INPUTS.map(|port| inputs[port]);
        for (i, out) in outputs[COMPRESSOR_OUT].iter_mut().enumerate() {
            let level = self.rms.level_db(input[i]);
            let target = reduction_db(
                level,
                within(threshold[i], THRESHOLD_RANGE_DB),
                within(ratio[i], RATIO_RANGE),
            );
            let (attack, release) = times(attack[i], release[i]);
            let reduction = self.reduction.tick(target, attack, release);
            let gain = amplitude(within(makeup[i], MAKEUP_RANGE_DB) - reduction);
            *out = (f64::from(input[i]) * gain) as f32;
        }
    }

    fn reset(&mut self) {
        self.rms.mean_square.reset();
        self.reduction.reset();
    }

    /// Keeps the RMS level and the gain reduction, so an edit does not make the level jump.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other| {
            this.rms = other.rms;
            this.reduction.take_over(&other.reduction);
        })
    }
}

// ---------------------------------------------------------------------------------------
// dyn.limiter

/// `dyn.limiter`: a peak limiter.
pub const LIMITER: Module = Module::kernel(
    ModuleSpec {
        name: "dyn.limiter",
        doc: "peak limiter, instant attack: no output sample exceeds the ceiling",
        inputs: &[
            IN,
            control(
                "ceiling_db",
                "the largest output magnitude, in dB",
                -1.0,
                (CEILING_RANGE_DB[0], CEILING_RANGE_DB[1]),
                Unit::Decibels,
            ),
            control(
                "release_s",
                "time for the detected peak to fall to 37 % once the input is quieter",
                0.1,
                (RELEASE_RANGE_S[0], RELEASE_RANGE_S[1]),
                Unit::Seconds,
            ),
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Limiter::new(init)),
);

/// `dyn.limiter`: instant-attack, exponential-release peak level and the gain it calls for.
struct Limiter {
    peak: f64,
    release: Pole,
}

impl Limiter {
    fn new(init: &KernelInit) -> Limiter {
        let release = param(&LIMITER.spec, init, "release_s") as f32;
        Limiter {
            peak: 0.0,
            release: Pole::new(within(release, RELEASE_RANGE_S) as f32, init.sample_rate),
        }
    }
}

// Where `Limiter` finds the ports of `dyn.limiter`.
const LIMITER_IN: usize = port(&LIMITER.spec, "in");
const LIMITER_CEILING_DB: usize = port(&LIMITER.spec, "ceiling_db");
const LIMITER_RELEASE_S: usize = port(&LIMITER.spec, "release_s");
const LIMITER_OUT: usize = output(&LIMITER.spec, "out");

impl Dsp for Limiter {
    /// Inputs `[in, ceiling_db, release_s]` (signal, dB, s), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [input, ceiling, release] = [
            inputs[LIMITER_IN],
            inputs[LIMITER_CEILING_DB],
            inputs[LIMITER_RELEASE_S],
        ];
        for (i, out) in outputs[LIMITER_OUT].iter_mut().enumerate() {
            let x = f64::from(input[i]);
            let pole = self.release.get(within(release[i], RELEASE_RANGE_S) as f32);
            // `max` ignores a NaN input; an infinite one would hold the gain at 0 for good.
            self.peak = x.abs().max(self.peak * pole);
            if !self.peak.is_finite() {
                self.peak = 0.0;
            }
            let ceiling = amplitude(within(ceiling[i], CEILING_RANGE_DB));
            let gain = if self.peak > ceiling {
                ceiling / self.peak
            } else {
                1.0
            };
            *out = (x * gain) as f32;
        }
    }

    fn reset(&mut self) {
        self.peak = 0.0;
    }

    /// Keeps the detected peak, so an edit does not let a loud signal through.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other| this.peak = other.peak)
    }
}

// ---------------------------------------------------------------------------------------
// dyn.gate

/// `dyn.gate`: a noise gate.
pub const GATE: Module = Module::kernel(
    ModuleSpec {
        name: "dyn.gate",
        doc: "noise gate: unity gain while the RMS level is at or above threshold, else range_db",
        inputs: &[
            IN,
            control(
                "threshold_db",
                "RMS level (dB) at and above which the gate opens",
                -40.0,
                (THRESHOLD_RANGE_DB[0], THRESHOLD_RANGE_DB[1]),
                Unit::Decibels,
            ),
            control(
                "attack_s",
                "time for the gain to rise 63 % of the way open",
                0.001,
                (ATTACK_RANGE_S[0], ATTACK_RANGE_S[1]),
                Unit::Seconds,
            ),
            control(
                "release_s",
                "time for the gain to fall 63 % of the way closed",
                0.1,
                (RELEASE_RANGE_S[0], RELEASE_RANGE_S[1]),
                Unit::Seconds,
            ),
            control(
                "range_db",
                "the gain (dB) while closed: how far the gate turns the signal down",
                -80.0,
                (GATE_RANGE_DB[0], GATE_RANGE_DB[1]),
                Unit::Decibels,
            ),
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Gate::new(init)),
);

/// `dyn.gate`: RMS level against the threshold, and a smoothed linear gain.
struct Gate {
    rms: Rms,
    gain: AttackRelease,
}

impl Gate {
    fn new(init: &KernelInit) -> Gate {
        let (attack, release) = initial_times(&GATE.spec, init);
        let range = param(&GATE.spec, init, "range_db") as f32;
        // Closed: nothing has been heard yet.
        let closed = amplitude(within(range, GATE_RANGE_DB));
        Gate {
            rms: Rms::new(init.sample_rate),
            gain: AttackRelease::new(closed, attack, release, init.sample_rate),
        }
    }
}

// Where `Gate` finds the ports of `dyn.gate`.
const GATE_INPUTS: [usize; 5] = ports(
    &GATE.spec,
    ["in", "threshold_db", "attack_s", "release_s", "range_db"],
);
const GATE_OUT: usize = output(&GATE.spec, "out");

impl Dsp for Gate {
    /// Inputs `[in, threshold_db, attack_s, release_s, range_db]` (signal, dB, s, s, dB),
    /// outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [input, threshold, attack, release, range] = GATE_INPUTS.map(|port| inputs[port]);
        for (i, out) in outputs[GATE_OUT].iter_mut().enumerate() {
            let open = self.rms.level_db(input[i]) >= within(threshold[i], THRESHOLD_RANGE_DB);
            let target = if open {
                1.0
            } else {
                amplitude(within(range[i], GATE_RANGE_DB))
            };
            let (attack, release) = times(attack[i], release[i]);
            let gain = self.gain.tick(target, attack, release);
            *out = (f64::from(input[i]) * gain) as f32;
        }
    }

    fn reset(&mut self) {
        self.rms.mean_square.reset();
        self.gain.reset();
    }

    /// Keeps the RMS level and the gain; the closed gain it resets to stays this kernel's.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other| {
            this.rms = other.rms;
            this.gain.take_over(&other.gain);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{SR, constant, db, rms, run_module, sine_wave};

    /// A 1 kHz sine whose RMS level is `level_db`.
    fn sine_at(level_db: f64, len: usize) -> Vec<f32> {
        let peak = 10_f64.powf(level_db / 20.0) * 2_f64.sqrt();
        sine_wave(1000.0, len)
            .iter()
            .map(|&x| (f64::from(x) * peak) as f32)
            .collect()
    }

    /// The steady-state gain in dB of `module` with `settings` on a sine at `level_db` RMS,
    /// over the last quarter of a second.
    fn steady_gain_db(module: &str, settings: &[(&str, f64)], level_db: f64) -> f64 {
        let len = 48_000;
        let input = sine_at(level_db, len);
        let out = &run_module(module, settings, &[("in", &input)], len)[0];
        db(rms(&out[len * 3 / 4..]) / rms(&input[len * 3 / 4..]))
    }

    #[test]
    fn compressor_reduces_gain_by_its_static_curve() {
        // (input RMS dB, threshold dB, ratio, makeup dB, expected gain dB)
        let cases = [
            (-10.0, -20.0, 4.0, 0.0, -7.5),
            (-30.0, -20.0, 4.0, 0.0, 0.0),
            (0.0, -20.0, 2.0, 0.0, -10.0),
            (-6.0, -12.0, 10.0, 0.0, -5.4),
            (-10.0, -20.0, 4.0, 6.0, -1.5),
            (-3.0, -40.0, 100.0, 0.0, -36.63),
        ];
        for (level, threshold, ratio, makeup, expected) in cases {
            let settings = [
                ("threshold_db", threshold),
                ("ratio", ratio),
                ("makeup_db", makeup),
            ];
            let gain = steady_gain_db("dyn.compressor", &settings, level);
            println!(
                "compressor: {level} dB in, threshold {threshold}, {ratio}:1, makeup {makeup}: \
                 gain {gain:.3} dB (static curve {expected} dB)"
            );
            assert!((gain - expected).abs() < 0.5);
        }
    }

    #[test]
    fn compressor_attack_is_faster_than_release() {
        // -30 dB, then -10 dB (7.5 dB of reduction), then -30 dB again
        let len = 48_000;
        let (quiet, loud) = (sine_at(-30.0, len), sine_at(-10.0, len));
        let input: Vec<f32> = (0..len)
            .map(|n| {
                if (12_000..24_000).contains(&n) {
                    loud[n]
                } else {
                    quiet[n]
                }
            })
            .collect();
        let settings = [("attack_s", 0.005), ("release_s", 0.2)];
        let out = &run_module("dyn.compressor", &settings, &[("in", &input)], len)[0];
        let gain = |from: usize| db(rms(&out[from..from + 480]) / rms(&input[from..from + 480]));
        // 50 ms after the rise, the 5 ms attack has settled; after the fall, the reduction in
        // dB decays as 7.5·e^(-t/0.2 s), plus the level detector's 10 ms lag
        let attacked = gain(12_000 + 2_400);
        println!("compressor 50 ms after the rise: {attacked:.2} dB (-7.5)");
        assert!((attacked + 7.5).abs() < 0.5);
        for after_s in [0.05, 0.25] {
            let released = gain(24_000 + (after_s * SR) as usize);
            let expected = -7.5 * (-after_s / 0.2_f64).exp();
            println!("compressor {after_s} s after the fall: {released:.2} dB ({expected:.2})");
            assert!((released - expected).abs() < 0.5);
        }
    }

    #[test]
    fn limiter_holds_a_12_db_sine_under_the_ceiling() {
        let len = 48_000;
        let loud: Vec<f32> = sine_wave(1000.0, len).iter().map(|x| x * 3.981).collect();
        let out = &run_module(
            "dyn.limiter",
            &[("ceiling_db", -1.0)],
            &[("in", &loud)],
            len,
        )[0];
        let ceiling = 10_f32.powf(-1.0 / 20.0);
        let top = out.iter().fold(0.0_f32, |m, x| m.max(x.abs()));
        let late = out[24_000..].iter().fold(0.0_f32, |m, x| m.max(x.abs()));
        println!(
            "limiter: +12 dB sine, ceiling -1 dB: output peak {:.4} dB",
            db(top.into())
        );
        assert!(top <= ceiling * (1.0 + 1e-6));
        // held at the ceiling, not far under it
        assert!(db((late / ceiling).into()) > -0.1);
    }

    #[test]
    fn limiter_recovers_in_its_release_time() {
        // a burst peaking at 4, then a quiet DC level: the detected peak falls as
        // 4·e^(-t/release) and the gain is back to 1 when it meets the ceiling
        let len = 48_000;
        let mut input = constant(0.01, len);
        input[1_000] = 4.0;
        let settings = [("ceiling_db", -1.0), ("release_s", 0.05)];
        let out = &run_module("dyn.limiter", &settings, &[("in", &input)], len)[0];
        let ceiling = 10_f64.powf(-1.0 / 20.0);
        let back = out[1_001..]
            .iter()
            .position(|&x| f64::from(x) >= 0.01 * (1.0 - 1e-6))
            .unwrap();
        let expected = 0.05 * (4.0 / ceiling).ln();
        let measured = (back + 1) as f64 / SR;
        println!(
            "limiter: gain back to 1 after {:.3} ms ({:.3} ms)",
            measured * 1e3,
            expected * 1e3
        );
        assert!((measured - expected).abs() < 0.001);
    }

    #[test]
    fn gate_passes_above_threshold_and_cuts_by_range_below() {
        let settings = [("threshold_db", -40.0), ("range_db", -60.0)];
        let open = steady_gain_db("dyn.gate", &settings, -30.0);
        let closed = steady_gain_db("dyn.gate", &settings, -50.0);
        println!("gate: -30 dB in passes at {open:.3} dB, -50 dB in at {closed:.3} dB");
        assert!(open.abs() < 0.5);
        assert!((closed + 60.0).abs() < 0.5);
    }
}
