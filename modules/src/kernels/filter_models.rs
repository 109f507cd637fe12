//! More filters: `filter.moog`, `filter.svf`, `filter.resonator`, `filter.onepole` and
//! `filter.dcblock`. All are native kernels in `f64`, each limiting its settings so that no
//! value, and no modulation of it, makes it unstable; a non-finite input clears their state.
//!
//! - `filter.svf` is the cookbook filters' core (`dsp::svf`) with all
//!   four of its outputs, which fundsp's `Svf` (one output per node) does not give at once.
//! - `filter.moog` is a zero-delay-feedback ladder after Zavalishin ("The Art of VA Filter
//!   Design", ch. 5-6): four trapezoidal one-poles in a loop whose feedback is solved for
//!   exactly in the linear case, then saturated with `tanh`. fundsp's `moog` is a different,
//!   uncompensated model with its own resonance scale; this one's small-signal response is
//!   exactly the bilinear transform of the analog ladder, which is what its test checks.
//! - `filter.resonator` is a complex one-pole (a rotating, shrinking phasor): its state's
//!   length can only shrink, so it stays stable however fast `freq` and `decay_s` move, where
//!   a direct-form two-pole does not.
//! - `filter.onepole` and `filter.dcblock` are the trapezoidal one-pole, low-pass and high-pass
//!   (`in - lowpass`) outputs: exact bilinear transforms of `1/(1 + s)` and `s/(1 + s)`.

use super::filter_cookbook::{CUTOFF, IN, MAX_CUTOFF, MIN_CUTOFF_HZ, Q, limited};
use super::spec::control;
use super::{limit, param};
use crate::KernelInit;
use crate::dsp::state::{copy_with, same};
use crate::dsp::svf::{Response, Settings, Svf};
use crate::module::{Dsp, Module, StateFamily, blocks_mut, output, port};
use patchvm_ir::{ModuleSpec, OutputSpec, Role, Unit};
use patchvm_vm::Kernel;
use std::f64::consts::{PI, TAU};

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[MOOG, SVF, RESONATOR, ONEPOLE, DCBLOCK];

const OUT: OutputSpec = OutputSpec {
    name: "out",
    doc: "the filtered signal",
    unit: Unit::Signal,
};

/// The highest cutoff the kernels use, in hertz, at `sample_rate`.
fn max_cutoff(sample_rate: f64) -> f64 {
    MAX_CUTOFF * sample_rate
}

/// `tan(π·cutoff/sample_rate)`: the trapezoidal integrator's gain for `cutoff`, limited.
#[inline]
fn prewarp(cutoff: f32, sample_rate: f64) -> f64 {
    let cutoff = limit(cutoff.into(), MIN_CUTOFF_HZ, max_cutoff(sample_rate));
    (PI * cutoff / sample_rate).tan()
}

// ---------------------------------------------------------------------------------------
// filter.svf

/// `filter.svf`: a state-variable filter with four outputs.
pub const SVF: Module = Module::kernel(
    ModuleSpec {
        name: "filter.svf",
        doc: "2-pole state-variable filter with low-, high-, band-pass and notch outputs at once",
        inputs: &[IN, CUTOFF, Q],
        outputs: &[
            OutputSpec {
                name: "lp",
                doc: "low-pass, 1/(s² + s/q + 1)",
                unit: Unit::Signal,
            },
            OutputSpec {
                name: "hp",
                doc: "high-pass, s²/(s² + s/q + 1); lp + bp + hp = in",
                unit: Unit::Signal,
            },
            OutputSpec {
                name: "bp",
                doc: "band-pass with 0 dB at the cutoff, (s/q)/(s² + s/q + 1)",
                unit: Unit::Signal,
            },
            OutputSpec {
                name: "notch",
                doc: "notch, (s² + 1)/(s² + s/q + 1) = lp + hp",
                unit: Unit::Signal,
            },
        ],
        role: Role::Kernel,
    },
    |init| init.kernel(StateVariable::new(init)),
)
.family(StateFamily::StateVariable);

/// `filter.svf`: the cookbook core, its signals mixed four ways.
struct StateVariable {
    core: Svf,
    max_cutoff: f32,
}

impl StateVariable {
    fn new(init: &KernelInit) -> StateVariable {
        let max_cutoff = max_cutoff(init.sample_rate) as f32;
        let settings = limited(
            [
                param(&SVF.spec, init, "cutoff") as f32,
                param(&SVF.spec, init, "q") as f32,
                0.0,
            ],
            max_cutoff,
        );
        StateVariable {
            core: Svf::new(Response::Lowpass, settings, init.sample_rate),
            max_cutoff,
        }
    }
}

// Where `StateVariable` finds the ports of `filter.svf`.
const SVF_IN: usize = port(&SVF.spec, "in");
const SVF_CUTOFF: usize = port(&SVF.spec, "cutoff");
const SVF_Q: usize = port(&SVF.spec, "q");
const SVF_OUTPUTS: [usize; 4] = [
    output(&SVF.spec, "lp"),
    output(&SVF.spec, "hp"),
    output(&SVF.spec, "bp"),
    output(&SVF.spec, "notch"),
];

impl Dsp for StateVariable {
    /// Inputs `[in, cutoff, q]` (signal, Hz, linear), outputs `[lp, hp, bp, notch]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [input, cutoff, q] = [inputs[SVF_IN], inputs[SVF_CUTOFF], inputs[SVF_Q]];
        let [lp, hp, bp, notch] = blocks_mut(outputs, SVF_OUTPUTS);
        for i in 0..input.len() {
            let settings: Settings = limited([cutoff[i], q[i], 0.0], self.max_cutoff);
            let taps = self.core.taps(input[i], settings);
            let band = taps.k * taps.band;
            lp[i] = taps.low as f32;
            bp[i] = band as f32;
            notch[i] = (taps.input - band) as f32;
            hp[i] = (taps.input - band - taps.low) as f32;
        }
    }

    fn reset(&mut self) {
        self.core.clear();
    }

    /// Keeps the filter's memory, and takes over that of a cookbook filter of the family
    /// ([`StateFamily::StateVariable`]).
    ///
    /// Real-time safe: copies two numbers; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        super::filter_cookbook::take_over_core(&mut self.core, other)
    }
}

/// The core of `other`, if it is a `filter.svf` kernel: for the cookbook filters of
/// [`StateFamily::StateVariable`] taking over its memory.
pub(super) fn svf_core(other: &dyn Kernel) -> Option<&Svf> {
    same::<StateVariable>(other).map(|svf| &svf.core)
}

// ---------------------------------------------------------------------------------------
// The trapezoidal one-pole behind filter.onepole, filter.dcblock and the ladder's stages.

/// A trapezoidal (topology-preserving) one-pole low-pass, `1/(1 + s)` through the bilinear
/// transform; its integrator's gain `G = g/(1 + g)` is set by the caller.
#[derive(Clone, Copy, Debug, Default)]
struct OnePole {
    state: f64,
}

impl OnePole {
    /// The low-pass output for input `x`, with `gain = g/(1 + g)`.
    #[inline]
    fn tick(&mut self, x: f64, gain: f64) -> f64 {
        let v = (x - self.state) * gain;
        let y = v + self.state;
        self.state = y + v;
        y
    }

    /// The part of the next output that does not depend on the next input: `y = G·x + this`.
    #[inline]
    fn memory(&self, gain: f64) -> f64 {
        self.state * (1.0 - gain)
    }
}

/// `G = g/(1 + g)` for `cutoff`, recomputed only when the cutoff changes.
#[derive(Clone, Copy, Debug)]
struct Gain {
    cutoff: f32,
    gain: f64,
    sample_rate: f64,
}

impl Gain {
    fn new(cutoff: f32, sample_rate: f64) -> Gain {
        let g = prewarp(cutoff, sample_rate);
        Gain {
            cutoff,
            gain: g / (1.0 + g),
            sample_rate,
        }
    }

    #[inline]
    fn get(&mut self, cutoff: f32) -> f64 {
        // Bitwise, so a NaN cutoff compares equal to itself and is designed once.
        if cutoff.to_bits() != self.cutoff.to_bits() {
            *self = Gain::new(cutoff, self.sample_rate);
        }
        self.gain
    }
}

/// `filter.onepole`: a 1-pole low-pass.
pub const ONEPOLE: Module = Module::kernel(
    ModuleSpec {
        name: "filter.onepole",
        doc: "1-pole low-pass (6 dB/octave), -3 dB at the cutoff",
        inputs: &[
            IN,
            control(
                "cutoff",
                "-3 dB frequency, limited to 0.49 of the sample rate",
                1000.0,
                (MIN_CUTOFF_HZ, 20_000.0),
                Unit::Hz,
            ),
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(OnePoleKernel::new(&ONEPOLE.spec, false, init)),
);

/// `filter.dcblock`: a 1-pole high-pass at a low cutoff.
pub const DCBLOCK: Module = Module::kernel(
    ModuleSpec {
        name: "filter.dcblock",
        doc: "removes DC: a 1-pole high-pass, -3 dB at the cutoff, no gain at all at 0 Hz",
        inputs: &[
            IN,
            control(
                "cutoff",
                "-3 dB frequency",
                10.0,
                (MIN_CUTOFF_HZ, 500.0),
                Unit::Hz,
            ),
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(OnePoleKernel::new(&DCBLOCK.spec, true, init)),
);

/// `filter.onepole` (the low-pass output) and `filter.dcblock` (the high-pass, `in - low`).
struct OnePoleKernel {
    pole: OnePole,
    gain: Gain,
    highpass: bool,
}

impl OnePoleKernel {
    fn new(spec: &ModuleSpec, highpass: bool, init: &KernelInit) -> OnePoleKernel {
        OnePoleKernel {
            pole: OnePole::default(),
            gain: Gain::new(param(spec, init, "cutoff") as f32, init.sample_rate),
            highpass,
        }
    }
}

// Where `OnePoleKernel` finds the ports of `filter.onepole` (and of `filter.dcblock`, laid out alike).
const ONEPOLE_IN: usize = port(&ONEPOLE.spec, "in");
const ONEPOLE_CUTOFF: usize = port(&ONEPOLE.spec, "cutoff");
const ONEPOLE_OUT: usize = output(&ONEPOLE.spec, "out");

impl Dsp for OnePoleKernel {
    /// Inputs `[in, cutoff]` (signal, Hz), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [input, cutoff] = [inputs[ONEPOLE_IN], inputs[ONEPOLE_CUTOFF]];
        for (i, out) in outputs[ONEPOLE_OUT].iter_mut().enumerate() {
            let x = f64::from(input[i]);
            let low = self.pole.tick(x, self.gain.get(cutoff[i]));
            if !low.is_finite() {
                self.pole = OnePole::default();
            }
            *out = if self.highpass { x - low } else { low } as f32;
        }
    }

    fn reset(&mut self) {
        self.pole = OnePole::default();
    }

    /// Keeps the filter's memory; low- or high-pass stays this kernel's. Real-time safe:
    /// copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other| this.pole = other.pole)
    }
}

// ---------------------------------------------------------------------------------------
// filter.moog

/// The feedback gain at resonance 1; the loop oscillates above 4 (where the four stages'
/// -180° at the cutoff meets a loop gain of 1), so resonance 1 self-oscillates and the
/// threshold, `√(4/4.2)`, is resonance 0.976.
const MOOG_MAX_FEEDBACK: f64 = 4.2;

/// `filter.moog`: a 4-pole transistor-ladder low-pass.
pub const MOOG: Module = Module::kernel(
    ModuleSpec {
        name: "filter.moog",
        doc: "4-pole ladder low-pass (24 dB/octave) with unit gain at DC; resonance 1 self-oscillates",
        inputs: &[
            IN,
            control(
                "cutoff",
                "cutoff frequency (-12 dB at resonance 0), limited to 0.49 of the sample rate",
                1000.0,
                (MIN_CUTOFF_HZ, 20_000.0),
                Unit::Hz,
            ),
            control(
                "resonance",
                "feedback 4.2·resonance²: peaks at the cutoff, self-oscillates from 0.976",
                0.0,
                (0.0, 1.0),
                Unit::Linear,
            ),
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Moog::new(init)),
);

/// `filter.moog`: four trapezoidal one-poles in a saturated feedback loop.
struct Moog {
    stages: [OnePole; 4],
    gain: Gain,
}

impl Moog {
    fn new(init: &KernelInit) -> Moog {
        Moog {
            stages: [OnePole::default(); 4],
            gain: Gain::new(param(&MOOG.spec, init, "cutoff") as f32, init.sample_rate),
        }
    }

    /// One sample. The loop `u = x - k·y4` has no delay, so `y4` depends on `u`: in the linear
    /// case `y4 = G⁴·u + Σ` (Σ the stages' memories passed through the later stages), which
    /// solves to `y4 = (G⁴·x + Σ)/(1 + k·G⁴)`. The feedback `k·y4` from that solution goes
    /// through `tanh`, which leaves small signals exact and bounds the loop, so a
    /// self-oscillation settles at a fixed amplitude instead of growing.
    #[inline]
    fn tick(&mut self, x: f64, cutoff: f32, resonance: f32) -> f64 {
        let g = self.gain.get(cutoff);
        let r = limit(resonance.into(), 0.0, 1.0);
        let k = MOOG_MAX_FEEDBACK * r * r;
        let memory = self
            .stages
            .iter()
            .fold(0.0, |sum, stage| sum * g + stage.memory(g));
        let g4 = g * g * g * g;
        let estimate = (g4 * x + memory) / (1.0 + k * g4);
        let mut y = x - (k * estimate).tanh();
        for stage in &mut self.stages {
            y = stage.tick(y, g);
        }
        if !y.is_finite() {
            self.stages = [OnePole::default(); 4];
        }
        // The ladder's DC gain is 1/(1 + k); scaling by 1 + k keeps the passband level as the
        // resonance rises.
        y * (1.0 + k)
    }
}

// Where `Moog` finds the ports of `filter.moog`.
const MOOG_IN: usize = port(&MOOG.spec, "in");
const MOOG_CUTOFF: usize = port(&MOOG.spec, "cutoff");
const MOOG_RESONANCE: usize = port(&MOOG.spec, "resonance");
const MOOG_OUT: usize = output(&MOOG.spec, "out");

impl Dsp for Moog {
    /// Inputs `[in, cutoff, resonance]` (signal, Hz, linear), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [input, cutoff, resonance] =
            [inputs[MOOG_IN], inputs[MOOG_CUTOFF], inputs[MOOG_RESONANCE]];
        for (i, out) in outputs[MOOG_OUT].iter_mut().enumerate() {
            *out = self.tick(input[i].into(), cutoff[i], resonance[i]) as f32;
        }
    }

    fn reset(&mut self) {
        self.stages = [OnePole::default(); 4];
    }

    /// Keeps the four stages' memory. Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other| this.stages = other.stages)
    }
}

// ---------------------------------------------------------------------------------------
// filter.resonator

/// The shortest and longest decay of the resonator, in seconds.
const DECAY_RANGE_S: (f64, f64) = (0.001, 60.0);

/// `filter.resonator`: a two-pole resonator.
pub const RESONATOR: Module = Module::kernel(
    ModuleSpec {
        name: "filter.resonator",
        doc: "two-pole resonator: rings at freq, falling 60 dB in decay_s; unit gain at freq",
        inputs: &[
            IN,
            control(
                "freq",
                "ring frequency, limited to 0.49 of the sample rate",
                440.0,
                (MIN_CUTOFF_HZ, 20_000.0),
                Unit::Hz,
            ),
            control(
                "decay_s",
                "time for the ringing to fall by 60 dB",
                1.0,
                (DECAY_RANGE_S.0, DECAY_RANGE_S.1),
                Unit::Seconds,
            ),
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Resonator::new(init)),
);

/// `filter.resonator`: `z ← p·z + x` with `p = r·e^(jω)`, output `gain·Im(z)`.
///
/// Its transfer function is `gain·r·sin ω·z⁻¹ / (1 - 2r·cos ω·z⁻¹ + r²·z⁻²)`: poles at
/// `r·e^(±jω)`, so an impulse rings as `r^n·sin(ω·n)`, which falls 60 dB in `n` samples when
/// `r = 10^(-3/n)`.
struct Resonator {
    re: f64,
    im: f64,
    /// `[freq, decay_s]` the coefficients were computed for.
    settings: [f32; 2],
    /// `r·cos ω`, `r·sin ω`, and the gain that makes the response 1 at `ω`.
    coefficients: [f64; 3],
    sample_rate: f64,
}

impl Resonator {
    fn new(init: &KernelInit) -> Resonator {
        let settings = [
            param(&RESONATOR.spec, init, "freq") as f32,
            param(&RESONATOR.spec, init, "decay_s") as f32,
        ];
        Resonator {
            re: 0.0,
            im: 0.0,
            settings,
            coefficients: Resonator::design(settings, init.sample_rate),
            sample_rate: init.sample_rate,
        }
    }

    fn design([freq, decay_s]: [f32; 2], sample_rate: f64) -> [f64; 3] {
        let freq = limit(freq.into(), MIN_CUTOFF_HZ, max_cutoff(sample_rate));
        let decay = limit(decay_s.into(), DECAY_RANGE_S.0, DECAY_RANGE_S.1);
        let w = TAU * freq / sample_rate;
        let r = 10_f64.powf(-3.0 / (decay * sample_rate));
        // |H(e^jω)| = r·sin ω / ((1 - r)·|1 - r·e^(-2jω)|), from factoring the denominator
        // into (1 - p·e^(-jω))(1 - p*·e^(-jω)) at z = e^(jω).
        let far = (1.0 - r * (2.0 * w).cos()).hypot(r * (2.0 * w).sin());
        let gain = (1.0 - r) * far / (r * w.sin());
        [r * w.cos(), r * w.sin(), gain]
    }
}

// Where `Resonator` finds the ports of `filter.resonator`.
const RESONATOR_IN: usize = port(&RESONATOR.spec, "in");
const RESONATOR_FREQ: usize = port(&RESONATOR.spec, "freq");
const RESONATOR_DECAY_S: usize = port(&RESONATOR.spec, "decay_s");
const RESONATOR_OUT: usize = output(&RESONATOR.spec, "out");

impl Dsp for Resonator {
    /// Inputs `[in, freq, decay_s]` (signal, Hz, s), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [input, freq, decay] = [
            inputs[RESONATOR_IN],
            inputs[RESONATOR_FREQ],
            inputs[RESONATOR_DECAY_S],
        ];
        for (i, out) in outputs[RESONATOR_OUT].iter_mut().enumerate() {
            let settings = [freq[i], decay[i]];
            // Bitwise, so a NaN setting compares equal to itself and is designed once.
            if settings.map(f32::to_bits) != self.settings.map(f32::to_bits) {
                self.settings = settings;
                self.coefficients = Resonator::design(settings, self.sample_rate);
            }
            let [c, s, gain] = self.coefficients;
            let (re, im) = (self.re, self.im);
            self.re = c * re - s * im + f64::from(input[i]);
            self.im = s * re + c * im;
            if !(self.re.is_finite() && self.im.is_finite()) {
                self.reset();
            }
            *out = (gain * self.im) as f32;
        }
    }

    fn reset(&mut self) {
        self.re = 0.0;
        self.im = 0.0;
    }

    /// Keeps the ringing. Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other| {
            (this.re, this.im) = (other.re, other.im)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        SR, bilinear_s, constant, db, frequency, response, rms, run_module, sine_wave,
    };

    use num_complex::Complex64;

    /// The complex response of output `output` of `module` (with `overrides`) to a sine of
    /// `amplitude` at `freq`, measured over the second half of half a second.
    fn measured(
        module: &str,
        overrides: &[(&str, f64)],
        output: usize,
        freq: f64,
        amplitude: f32,
    ) -> Complex64 {
        let len = 24_000;
        let input: Vec<f32> = sine_wave(freq, len).iter().map(|x| x * amplitude).collect();
        let outs = run_module(module, overrides, &[("in", &input)], len);
        response(&input, &outs[output], freq)
    }

    /// Frequencies with a whole number of periods in the measured quarter second.
    const FREQS: [f64; 7] = [100.0, 400.0, 1000.0, 1252.0, 2000.0, 5000.0, 16_000.0];

    /// The numerator of one of the SVF's responses, at `s` for `q`.
    type Numerator = fn(Complex64, f64) -> Complex64;

    #[test]
    fn svf_outputs_match_their_analog_responses() {
        for q in [0.707, 3.0] {
            let outputs: [(&str, Numerator); 4] = [
                ("lp", |_, _| Complex64::new(1.0, 0.0)),
                ("hp", |s, _| s * s),
                ("bp", |s, q| s / q),
                ("notch", |s, _| s * s + 1.0),
            ];
            for (index, (name, numerator)) in outputs.into_iter().enumerate() {
                let mut worst = 0.0_f64;
                for freq in FREQS {
                    let s = bilinear_s(freq, 1000.0);
                    let expected = numerator(s, q) / (s * s + s / q + 1.0);
                    let got = measured("filter.svf", &[("q", q)], index, freq, 1.0);
                    if expected.norm() < 1e-3 {
                        // the notch's centre: both are -inf dB (checked below)
                        continue;
                    }
                    let error = db(got.norm()) - db(expected.norm());
                    worst = worst.max(error.abs());
                    assert!(
                        error.abs() < 0.1,
                        "svf {name} q {q} at {freq} Hz: {error} dB"
                    );
                }
                println!("svf {name} q {q}: worst gain error {worst:.1e} dB");
            }
        }
        // at the cutoff, q 0.707: lp and hp -3.01 dB, bp 0 dB, notch silent
        let at_cutoff = |index| db(measured("filter.svf", &[], index, 1000.0, 1.0).norm());
        assert!((at_cutoff(0) + 3.01).abs() < 0.01);
        assert!((at_cutoff(1) + 3.01).abs() < 0.01);
        assert!(at_cutoff(2).abs() < 0.01);
        assert!(at_cutoff(3) < -80.0);
    }

    #[test]
    fn onepole_is_3_db_down_at_the_cutoff() {
        for cutoff in [100.0, 1000.0, 5000.0] {
            for freq in FREQS {
                let expected = 1.0 / (1.0 + bilinear_s(freq, cutoff)).norm();
                let got = measured("filter.onepole", &[("cutoff", cutoff)], 0, freq, 1.0).norm();
                assert!((db(got) - db(expected)).abs() < 0.1, "{cutoff} {freq}");
            }
        }
        let at_cutoff =
            db(measured("filter.onepole", &[("cutoff", 1000.0)], 0, 1000.0, 1.0).norm());
        println!("onepole 1000 Hz: {at_cutoff:.4} dB at the cutoff");
        assert!((at_cutoff + 3.0103).abs() < 0.001);
        // 6 dB/octave far above the cutoff, and far below Nyquist's warping
        let slope = db(measured("filter.onepole", &[("cutoff", 50.0)], 0, 1000.0, 1.0).norm())
            - db(measured("filter.onepole", &[("cutoff", 50.0)], 0, 2000.0, 1.0).norm());
        assert!((slope - 6.0).abs() < 0.1, "{slope}");
    }

    #[test]
    fn dcblock_removes_dc_and_passes_1_khz() {
        let len = 48_000;
        // a step of DC, then the level over the last 100 ms
        let step = constant(1.0, len);
        let out = &run_module("filter.dcblock", &[], &[("in", &step)], len)[0];
        let dc = db(rms(&out[len - 4_800..]));
        let pass = db(measured("filter.dcblock", &[], 0, 1000.0, 1.0).norm());
        let corner = db(measured("filter.dcblock", &[("cutoff", 100.0)], 0, 100.0, 1.0).norm());
        println!("dcblock: DC {dc:.1} dB, 1 kHz {pass:+.5} dB, -3 dB point {corner:.3} dB");
        assert!(dc < -60.0);
        assert!(pass.abs() < 0.1);
        assert!((corner + 3.0103).abs() < 0.01);
    }

    /// The analog ladder `(1 + k)·G⁴ / (1 + k·G⁴)`, `G = 1/(1 + s)`, `k = 4.2·r²`.
    fn ladder(freq: f64, cutoff: f64, resonance: f64) -> Complex64 {
        let k = 4.2 * resonance * resonance;
        let g = 1.0 / (1.0 + bilinear_s(freq, cutoff));
        let g4 = g * g * g * g;
        (1.0 + k) * g4 / (1.0 + k * g4)
    }

    #[test]
    fn moog_falls_24_db_an_octave_and_matches_the_ladder_for_small_signals() {
        let gain = |freq, resonance| {
            let settings = [("cutoff", 500.0), ("resonance", resonance)];
            db(measured("filter.moog", &settings, 0, freq, 0.001).norm())
        };
        for resonance in [0.0, 0.5, 0.9] {
            for freq in FREQS {
                let expected = db(ladder(freq, 500.0, resonance).norm());
                let got = gain(freq, resonance);
                assert!(
                    (got - expected).abs() < 0.1,
                    "r {resonance} at {freq}: {got} {expected}"
                );
            }
        }
        let octaves = [gain(1000.0, 0.0), gain(2000.0, 0.0), gain(4000.0, 0.0)];
        println!("moog 500 Hz: {octaves:.2?} dB at 1, 2, 4 kHz");
        // The first octave above the cutoff falls 21.4 dB (the knee); the next 23.9 dB.
        assert!((octaves[1] - octaves[2] - 24.0).abs() < 2.0);
        // unit gain in the passband: 3 whole periods of 12 Hz, where 4 poles at 500 Hz take
        // 0.010 dB
        assert!(gain(12.0, 0.0).abs() < 0.02);
        assert!(gain(12.0, 0.9).abs() < 0.02);
    }

    #[test]
    fn moog_peaks_at_the_cutoff_at_resonance_095() {
        let settings = [("cutoff", 1000.0), ("resonance", 0.95)];
        // a fine sweep around the cutoff: frequencies with whole periods in a quarter second
        let sweep: Vec<(f64, f64)> = (150..=350)
            .map(|step| {
                let freq = f64::from(step) * 4.0;
                (
                    freq,
                    db(measured("filter.moog", &settings, 0, freq, 0.001).norm()),
                )
            })
            .collect();
        let (peak_freq, peak_db) =
            sweep.iter().copied().fold(
                (0.0, f64::MIN),
                |best, x| if x.1 > best.1 { x } else { best },
            );
        println!("moog 1000 Hz resonance 0.95: peak {peak_db:.2} dB at {peak_freq} Hz");
        assert!((peak_freq - 1000.0).abs() <= 20.0);
        assert!(peak_db > 20.0);
    }

    #[test]
    fn moog_self_oscillates_at_resonance_1() {
        let len = 96_000;
        let mut kick = vec![0.0_f32; len];
        kick[0] = 1.0;
        let settings = [("cutoff", 440.0), ("resonance", 1.0)];
        let out = &run_module("filter.moog", &settings, &[("in", &kick)], len)[0];
        let (late, later) = (&out[48_000..72_000], &out[72_000..]);
        let freq = frequency(later);
        println!(
            "moog self-oscillation: {freq:.2} Hz, rms {:.4} then {:.4}",
            rms(late),
            rms(later)
        );
        assert!((freq / 440.0 - 1.0).abs() < 0.02);
        assert!(rms(later) > 0.1);
        assert!((rms(later) / rms(late) - 1.0).abs() < 0.01);
    }

    #[test]
    fn resonator_rings_at_freq_and_falls_60_db_in_decay_s() {
        for (freq, decay_s) in [(440.0, 0.25), (1500.0, 0.1), (90.0, 0.5)] {
            let len = (decay_s * 1.2 * SR) as usize;
            let mut impulse = vec![0.0_f32; len];
            impulse[0] = 1.0;
            let settings = [("freq", freq), ("decay_s", decay_s)];
            let out = &run_module("filter.resonator", &settings, &[("in", &impulse)], len)[0];
            let ring = frequency(&out[..len / 2]);
            // For a damped sine y = A·r^n·sin(ωn + φ), y[n]² - y[n-1]·y[n+1] = (A·r^n·sin ω)²:
            // the squared envelope, exact at every sample.
            let envelope: Vec<f64> = out
                .windows(3)
                .map(|w| {
                    let [a, b, c] = [w[0], w[1], w[2]].map(f64::from);
                    b * b - a * c
                })
                .collect();
            let start = envelope[1];
            let n60 = envelope.iter().position(|&e| e < start * 1e-6).unwrap();
            // interpolate in dB between the two samples around -60 dB
            let [before, after] =
                [envelope[n60 - 1], envelope[n60]].map(|e| 10.0 * (e / start).log10());
            let crossing = (n60 - 1) as f64 + (-60.0 - before) / (after - before);
            let decay = (crossing - 1.0) / SR;
            println!(
                "resonator {freq} Hz {decay_s} s: rings at {ring:.3} Hz, -60 dB after {:.4} ms",
                decay * 1e3
            );
            assert!((ring / freq - 1.0).abs() < 0.001);
            assert!((decay - decay_s).abs() < 0.001);
        }
        // unit gain at freq
        let gain = db(measured(
            "filter.resonator",
            &[("freq", 1000.0), ("decay_s", 0.05)],
            0,
            1000.0,
            1.0,
        )
        .norm());
        assert!(gain.abs() < 0.01, "{gain}");
    }

    #[test]
    fn wild_settings_stay_finite() {
        let len = 24_000;
        let input: Vec<f32> = sine_wave(3000.0, len).iter().map(|x| x * 100.0).collect();
        let wild = |period: usize| -> Vec<f32> {
            (0..len)
                .map(|n| [f32::NAN, 1e9, -5.0, 23_999.0, 0.5, 1.0][n / period % 6])
                .collect()
        };
        let (a, b) = (wild(50), wild(70));
        for (module, x, y) in [
            ("filter.moog", "cutoff", "resonance"),
            ("filter.svf", "cutoff", "q"),
            ("filter.resonator", "freq", "decay_s"),
            ("filter.onepole", "cutoff", "cutoff"),
            ("filter.dcblock", "cutoff", "cutoff"),
        ] {
            let signals: Vec<(&str, &[f32])> = if x == y {
                vec![("in", &input), (x, &a)]
            } else {
                vec![("in", &input), (x, &a), (y, &b)]
            };
            let outs = run_module(module, &[], &signals, len);
            let top = outs.iter().flatten().fold(0.0_f32, |m, x| m.max(x.abs()));
            println!("{module} under wild modulation: peak {top}");
            assert!(
                outs.iter().flatten().all(|x| x.is_finite()) && top < 1e5,
                "{module}"
            );
        }
    }
}
