//! Stereo: `stereo.pan`, `stereo.balance`, `stereo.width` and `stereo.mix`. Native: a few
//! multiplies a sample each. Every output pair is named `left` and `right`; since a module's
//! inputs and outputs share one namespace, the stereo inputs of `stereo.balance` and
//! `stereo.width` are `left_in` and `right_in`.
//!
//! | module | `left`, `right` |
//! |---|---|
//! | `stereo.pan` | `in·cos θ`, `in·sin θ`, `θ = (pan + 1)·π/4`: equal power, -3.01 dB each at the centre |
//! | `stereo.balance` | each side unchanged at the centre; the side away from `balance` turned down linearly, silent at ±1 |
//! | `stereo.width` | `mid ± width·side`, `mid = (l + r)/2`, `side = (l - r)/2`: 0 is mono, 1 unchanged, 2 double side |
//! | `stereo.mix` | `a·(1 - mix) + b·mix` on each side: a linear crossfade |

use super::limit;
use crate::dsp::state::stateless;
use crate::module::{Dsp, Module, blocks_mut, output, port};
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};
use patchvm_vm::Kernel;
use std::f64::consts::FRAC_PI_4;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[PAN, BALANCE, WIDTH, MIX];

const fn input(
    name: &'static str,
    doc: &'static str,
    unit: Unit,
    [default, min, max]: [f64; 3],
) -> InputSpec {
    InputSpec {
        name,
        doc,
        default,
        min,
        max,
        unit,
        rate: Rate::Audio,
        breaks_cycles: false,
    }
}

const SIGNAL: [f64; 3] = [0.0, -1e6, 1e6];

const OUTPUTS: &[OutputSpec] = &[
    OutputSpec {
        name: "left",
        doc: "the left channel",
        unit: Unit::Signal,
    },
    OutputSpec {
        name: "right",
        doc: "the right channel",
        unit: Unit::Signal,
    },
];

/// Where every module of the family writes its two channels (they share [`OUTPUTS`]).
const LEFT_RIGHT: [usize; 2] = [output(&PAN.spec, "left"), output(&PAN.spec, "right")];

/// `stereo.pan`: places a mono signal between left and right.
pub const PAN: Module = Module::kernel(
    ModuleSpec {
        name: "stereo.pan",
        doc: "equal-power pan of a mono signal: -3.01 dB on each side at the centre",
        inputs: &[
            input("in", "the mono signal", Unit::Signal, SIGNAL),
            input(
                "pan",
                "position: -1 left, 0 centre, 1 right",
                Unit::Linear,
                [0.0, -1.0, 1.0],
            ),
        ],
        outputs: OUTPUTS,
        role: Role::Kernel,
    },
    |init| init.kernel(Pan),
);

/// `stereo.balance`: turns one side of a stereo signal down.
pub const BALANCE: Module = Module::kernel(
    ModuleSpec {
        name: "stereo.balance",
        doc: "stereo balance: both sides unchanged at 0, the other side fades linearly toward ±1",
        inputs: &[
            input("left_in", "the left channel", Unit::Signal, SIGNAL),
            input("right_in", "the right channel", Unit::Signal, SIGNAL),
            input(
                "balance",
                "-1 left only, 0 both unchanged, 1 right only; 0.5 halves the left",
                Unit::Linear,
                [0.0, -1.0, 1.0],
            ),
        ],
        outputs: OUTPUTS,
        role: Role::Kernel,
    },
    |init| init.kernel(Stereo(balance)),
);

/// `stereo.width`: mid/side stereo width.
pub const WIDTH: Module = Module::kernel(
    ModuleSpec {
        name: "stereo.width",
        doc: "mid/side width: scales the side (l - r)/2 by width, keeping the mid (l + r)/2",
        inputs: &[
            input("left_in", "the left channel", Unit::Signal, SIGNAL),
            input("right_in", "the right channel", Unit::Signal, SIGNAL),
            input(
                "width",
                "0 mono, 1 unchanged, 2 twice the side",
                Unit::Linear,
                [1.0, 0.0, 2.0],
            ),
        ],
        outputs: OUTPUTS,
        role: Role::Kernel,
    },
    |init| init.kernel(Stereo(width)),
);

/// `stereo.mix`: crossfades two stereo signals.
pub const MIX: Module = Module::kernel(
    ModuleSpec {
        name: "stereo.mix",
        doc: "linear crossfade of two stereo signals: a at mix 0, b at mix 1, their mean at 0.5",
        inputs: &[
            input("left_a", "left channel of a", Unit::Signal, SIGNAL),
            input("right_a", "right channel of a", Unit::Signal, SIGNAL),
            input("left_b", "left channel of b", Unit::Signal, SIGNAL),
            input("right_b", "right channel of b", Unit::Signal, SIGNAL),
            input("mix", "0 all a, 1 all b", Unit::Linear, [0.5, 0.0, 1.0]),
        ],
        outputs: OUTPUTS,
        role: Role::Kernel,
    },
    |init| init.kernel(Mix),
);

/// `stereo.pan`: stateless.
struct Pan;

// Where `Pan` finds the ports of `stereo.pan`.
const PAN_IN: usize = port(&PAN.spec, "in");
const PAN_PAN: usize = port(&PAN.spec, "pan");

impl Dsp for Pan {
    /// Inputs `[in, pan]` (signal, linear), outputs `[left, right]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [input, pan] = [inputs[PAN_IN], inputs[PAN_PAN]];
        let [left, right] = blocks_mut(outputs, LEFT_RIGHT);
        for i in 0..input.len() {
            let theta = (limit(pan[i].into(), -1.0, 1.0) + 1.0) * FRAC_PI_4;
            let (sin, cos) = theta.sin_cos();
            let x = f64::from(input[i]);
            left[i] = (x * cos) as f32;
            right[i] = (x * sin) as f32;
        }
    }

    fn reset(&mut self) {}

    /// Stateless: there is nothing to keep, so it is kept whenever `other` is the same kernel.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        stateless::<Self>(other)
    }
}

/// `[left, right]` with `balance` applied.
#[inline]
fn balance(l: f64, r: f64, balance: f32) -> (f64, f64) {
    let b = limit(balance.into(), -1.0, 1.0);
    (l * (1.0 - b.max(0.0)), r * (1.0 + b.min(0.0)))
}

/// `[left, right]` with their side scaled by `width`.
#[inline]
fn width(l: f64, r: f64, width: f32) -> (f64, f64) {
    let w = limit(width.into(), 0.0, 2.0);
    let (mid, side) = ((l + r) * 0.5, (l - r) * 0.5 * w);
    (mid + side, mid - side)
}

/// A stateless stereo-in, stereo-out transform with one setting.
struct Stereo(fn(f64, f64, f32) -> (f64, f64));

// Where `Stereo` finds the ports of `stereo.balance` (and of `stereo.width`, laid out alike).
const BALANCE_LEFT_IN: usize = port(&BALANCE.spec, "left_in");
const BALANCE_RIGHT_IN: usize = port(&BALANCE.spec, "right_in");
const BALANCE_BALANCE: usize = port(&BALANCE.spec, "balance");

impl Dsp for Stereo {
    /// Inputs `[left_in, right_in, setting]` (signal, signal, linear), outputs `[left, right]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [l, r, setting] = [
            inputs[BALANCE_LEFT_IN],
            inputs[BALANCE_RIGHT_IN],
            inputs[BALANCE_BALANCE],
        ];
        let [left, right] = blocks_mut(outputs, LEFT_RIGHT);
        for i in 0..l.len() {
            let (a, b) = (self.0)(l[i].into(), r[i].into(), setting[i]);
            left[i] = a as f32;
            right[i] = b as f32;
        }
    }

    fn reset(&mut self) {}

    /// Stateless: there is nothing to keep, so it is kept whenever `other` is the same kernel.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        stateless::<Self>(other)
    }
}

/// `stereo.mix`: stateless.
struct Mix;

/// Where `Mix` finds the ports of `stereo.mix`.
const MIX_INPUTS: [usize; 5] = [
    port(&MIX.spec, "left_a"),
    port(&MIX.spec, "right_a"),
    port(&MIX.spec, "left_b"),
    port(&MIX.spec, "right_b"),
    port(&MIX.spec, "mix"),
];

impl Dsp for Mix {
    /// Inputs `[left_a, right_a, left_b, right_b, mix]` (signals, linear), outputs
    /// `[left, right]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [la, ra, lb, rb, mix] = MIX_INPUTS.map(|port| inputs[port]);
        let [left, right] = blocks_mut(outputs, LEFT_RIGHT);
        for i in 0..mix.len() {
            let m = limit(mix[i].into(), 0.0, 1.0);
            let fade = |a: f32, b: f32| (f64::from(a) * (1.0 - m) + f64::from(b) * m) as f32;
            left[i] = fade(la[i], lb[i]);
            right[i] = fade(ra[i], rb[i]);
        }
    }

    fn reset(&mut self) {}

    /// Stateless: there is nothing to keep, so it is kept whenever `other` is the same kernel.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        stateless::<Self>(other)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{db, rms, run_module, sine_wave};

    const LEN: usize = 4_800;

    /// The gain in dB of each output relative to `reference`.
    fn gains_db(outs: &[Vec<f32>], reference: &[f32]) -> [f64; 2] {
        [0, 1].map(|side| db(rms(&outs[side]) / rms(reference)))
    }

    #[test]
    fn pan_is_equal_power() {
        let x = sine_wave(1000.0, LEN);
        let pan = |p| run_module("stereo.pan", &[("pan", p)], &[("in", &x)], LEN);
        let centre = gains_db(&pan(0.0), &x);
        println!("pan centre: {centre:.4?} dB");
        assert!(centre.iter().all(|g| (g + 3.0103).abs() < 0.001));
        let hard_left = pan(-1.0);
        assert_eq!(hard_left[0], x);
        assert!(hard_left[1].iter().all(|&v| v.abs() < 1e-7 * 1.0));
        let hard_right = pan(1.0);
        assert!(hard_right[0].iter().all(|&v| v.abs() < 1e-7));
        assert!(gains_db(&hard_right, &x)[1].abs() < 1e-6);
        // equal power everywhere: left² + right² = in²
        for p in [-0.7, -0.2, 0.3, 0.9] {
            let [l, r] = gains_db(&pan(p), &x).map(|g| 10_f64.powf(g / 10.0));
            assert!((l + r - 1.0).abs() < 1e-5, "{p}");
        }
    }

    #[test]
    fn balance_fades_the_far_side_linearly() {
        let (l, r) = (sine_wave(440.0, LEN), sine_wave(660.0, LEN));
        let run = |b| {
            run_module(
                "stereo.balance",
                &[("balance", b)],
                &[("left_in", &l), ("right_in", &r)],
                LEN,
            )
        };
        let centre = run(0.0);
        assert_eq!((&centre[0], &centre[1]), (&l, &r));
        let half_right = run(0.5);
        let left_gain = db(rms(&half_right[0]) / rms(&l));
        println!("balance 0.5: left {left_gain:.3} dB, right unchanged");
        assert!((left_gain + 6.0206).abs() < 0.001);
        assert_eq!(half_right[1], r);
        let hard_left = run(-1.0);
        assert_eq!(hard_left[0], l);
        assert!(hard_left[1].iter().all(|&v| v == 0.0));
    }

    #[test]
    fn width_scales_side_and_keeps_mid() {
        let (l, r) = (sine_wave(440.0, LEN), sine_wave(660.0, LEN));
        let run = |w| {
            run_module(
                "stereo.width",
                &[("width", w)],
                &[("left_in", &l), ("right_in", &r)],
                LEN,
            )
        };
        let mid: Vec<f32> = l.iter().zip(&r).map(|(a, b)| (a + b) * 0.5).collect();
        let side: Vec<f32> = l.iter().zip(&r).map(|(a, b)| (a - b) * 0.5).collect();
        for w in [0.0, 0.5, 1.0, 2.0] {
            let outs = run(w);
            let out_mid: Vec<f32> = outs[0]
                .iter()
                .zip(&outs[1])
                .map(|(a, b)| (a + b) * 0.5)
                .collect();
            let out_side: Vec<f32> = outs[0]
                .iter()
                .zip(&outs[1])
                .map(|(a, b)| (a - b) * 0.5)
                .collect();
            let mid_db = db(rms(&out_mid) / rms(&mid));
            let side_gain = rms(&out_side) / rms(&side);
            println!("width {w}: mid {mid_db:+.4} dB, side ×{side_gain:.4}");
            assert!(mid_db.abs() < 1e-4);
            assert!((side_gain - w).abs() < 1e-5);
        }
        // 0 is mono: both sides equal
        let mono = run(0.0);
        assert_eq!(mono[0], mono[1]);
    }

    #[test]
    fn mix_crossfades_linearly() {
        let (la, ra) = (sine_wave(440.0, LEN), sine_wave(550.0, LEN));
        let (lb, rb) = (sine_wave(660.0, LEN), sine_wave(770.0, LEN));
        let run = |m| {
            let signals: [(&str, &[f32]); 4] = [
                ("left_a", &la),
                ("right_a", &ra),
                ("left_b", &lb),
                ("right_b", &rb),
            ];
            run_module("stereo.mix", &[("mix", m)], &signals, LEN)
        };
        let a = run(0.0);
        assert_eq!((&a[0], &a[1]), (&la, &ra));
        let b = run(1.0);
        assert_eq!((&b[0], &b[1]), (&lb, &rb));
        let quarter = run(0.25);
        for n in (0..LEN).step_by(97) {
            let expected = 0.75 * la[n] + 0.25 * lb[n];
            assert!((quarter[0][n] - expected).abs() < 1e-6);
        }
        // at 0.5, each of two unrelated sources is -6.02 dB: the mean
        let half = run(0.5);
        let (a_part, b_part): (Vec<f32>, Vec<f32>) = (
            half[0].iter().zip(&lb).map(|(h, b)| h - 0.5 * b).collect(),
            half[0].iter().zip(&la).map(|(h, a)| h - 0.5 * a).collect(),
        );
        assert!((db(rms(&a_part) / rms(&la)) + 6.0206).abs() < 1e-3);
        assert!((db(rms(&b_part) / rms(&lb)) + 6.0206).abs() < 1e-3);
    }
}
