//! Modulation effects: `fx.chorus`, `fx.flanger`, `fx.phaser`.
//!
//! Each is swept by a sine LFO whose phase (in `f64` turns) starts at 0 when the node is built
//! and advances by `rate_hz / sample_rate` after every sample. The sweep goes through
//! `s(n) = (1 - cos(2π·phase)) / 2`, which rises from 0 (the sweep's bottom) to 1 half a period
//! later, so "between A and B" below means A at phase 0 and B at phase 0.5.
//!
//! | module | what sweeps | bottom | top |
//! |---|---|---|---|
//! | `fx.chorus` | delay, left (the right channel's LFO is a quarter period ahead) | 7 ms | 7 ms + `depth_s` |
//! | `fx.flanger` | delay, in a loop with `feedback` | 0.1 ms | 0.1 ms + `depth_s` |
//! | `fx.phaser` | break frequency of 4 first-order allpasses | 200 Hz | 200 Hz · 20^`depth` (4 kHz at depth 1) |
//!
//! Every output is `(1 - mix)·in + mix·wet`, so `mix` 0 passes the input exactly and 0.5 gives
//! the deepest notches. Native kernels: fundsp has no modulated-delay chorus or flanger with
//! these semantics, and its phaser-style allpasses recompute coefficients through block
//! `process` paths; the delays reuse the shared delay line (linear interpolation).

use super::delay_effects::{IN, MIX, OUT};
use super::limit;
use super::spec::control;
use crate::KernelInit;
use crate::dsp::ring::Line;
use crate::dsp::state::{copy_whole, copy_with};
use crate::module::{Dsp, Module, blocks_mut, output, port};
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Role, Unit};
use patchvm_vm::Kernel;
use std::f64::consts::{PI, TAU};

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[CHORUS, FLANGER, PHASER];

/// The fastest LFO, in hertz.
const MAX_RATE_HZ: f64 = 20.0;
/// The chorus's shortest delay, in seconds.
const CHORUS_BASE_S: f64 = 0.007;
/// The chorus's largest sweep, in seconds.
const CHORUS_MAX_DEPTH_S: f64 = 0.02;
/// The flanger's shortest delay, in seconds.
const FLANGER_BASE_S: f64 = 0.0001;
/// The flanger's largest sweep, in seconds.
const FLANGER_MAX_DEPTH_S: f64 = 0.01;
/// The flanger's and phaser's largest feedback magnitude: below 1 so the loops decay.
const MAX_FEEDBACK: f64 = 0.95;
/// The phaser's lowest break frequency, in hertz.
const PHASER_LOW_HZ: f64 = 200.0;
/// The phaser's highest break frequency (at depth 1), in hertz.
const PHASER_HIGH_HZ: f64 = 4000.0;
/// The phaser's allpass stages: two notches.
const PHASER_STAGES: usize = 4;

const fn rate(default: f64) -> InputSpec {
    control(
        "rate_hz",
        "LFO frequency; limited to 0..20 Hz",
        default,
        (0.0, MAX_RATE_HZ),
        Unit::Hz,
    )
}

const fn depth_s(doc: &'static str, default: f64, max: f64) -> InputSpec {
    control("depth_s", doc, default, (0.0, max), Unit::Seconds)
}

const FEEDBACK: InputSpec = control(
    "feedback",
    "gain of the wet signal fed back into the effect; limited to -0.95..0.95",
    0.5,
    (-MAX_FEEDBACK, MAX_FEEDBACK),
    Unit::Linear,
);

/// `fx.chorus`: a stereo chorus.
pub const CHORUS: Module = Module::kernel(
ModuleSpec {
    name: "fx.chorus",
    doc: "stereo chorus: a delay swept between 7 ms and 7 ms + depth_s, right LFO a quarter period ahead",
    inputs: &[
        IN,
        rate(0.8),
        depth_s(
            "how far the delay sweeps above 7 ms; limited to 0..0.02 s",
            0.003,
            CHORUS_MAX_DEPTH_S,
        ),
        MIX,
    ],
    outputs: &[
        OutputSpec {
            name: "left",
            doc: "left channel: dry and the left voice mixed",
            unit: Unit::Signal,
        },
        OutputSpec {
            name: "right",
            doc: "right channel: dry and the right voice mixed",
            unit: Unit::Signal,
        },
    ],
    role: Role::Kernel,
},
|init| init.kernel(Chorus::new(init)),
)
.memory(|init| Line::bytes((CHORUS_BASE_S + CHORUS_MAX_DEPTH_S) * init.sample_rate));

/// `fx.flanger`: a flanger.
pub const FLANGER: Module = Module::kernel(
    ModuleSpec {
        name: "fx.flanger",
        doc: "flanger: a delay swept between 0.1 ms and 0.1 ms + depth_s, with feedback",
        inputs: &[
            IN,
            rate(0.25),
            depth_s(
                "how far the delay sweeps above 0.1 ms; limited to 0..0.01 s",
                0.002,
                FLANGER_MAX_DEPTH_S,
            ),
            FEEDBACK,
            MIX,
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Flanger::new(init)),
)
.memory(|init| Line::bytes((FLANGER_BASE_S + FLANGER_MAX_DEPTH_S) * init.sample_rate));

/// `fx.phaser`: a four-stage phaser.
pub const PHASER: Module = Module::kernel(
    ModuleSpec {
        name: "fx.phaser",
        doc: "phaser: 4 first-order allpasses whose break frequency sweeps from 200 Hz to 200·20^depth Hz",
        inputs: &[
            IN,
            rate(0.5),
            control(
                "depth",
                "how far the sweep reaches: 0 stays at 200 Hz, 1 reaches 4 kHz; limited to 0..1",
                0.8,
                (0.0, 1.0),
                Unit::Linear,
            ),
            InputSpec {
                default: 0.3,
                ..FEEDBACK
            },
            MIX,
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Phaser::new(init)),
);

/// The sweeps' sine LFO.
#[derive(Clone, Debug)]
struct Lfo {
    /// Turns, in `0..1`.
    phase: f64,
    sample_rate: f64,
}

impl Lfo {
    fn new(sample_rate: f64) -> Lfo {
        Lfo {
            phase: 0.0,
            sample_rate,
        }
    }

    /// This sample's sweep position `(1 - cos(2π·(phase + offset))) / 2` for each offset, in
    /// turns; then advances by `rate_hz`.
    #[inline]
    fn tick<const N: usize>(&mut self, rate_hz: f32, offsets: [f64; N]) -> [f64; N] {
        let sweep = offsets.map(|offset| 0.5 - 0.5 * (TAU * (self.phase + offset)).cos());
        let step = limit(f64::from(rate_hz), 0.0, MAX_RATE_HZ) / self.sample_rate;
        self.phase += step;
        if self.phase >= 1.0 {
            self.phase -= 1.0;
        }
        sweep
    }
}

/// `out = (1 - mix)·x + mix·wet`, `mix` limited to 0..1.
#[inline]
fn blend(x: f32, wet: f32, mix: f32) -> f32 {
    let mix = limit(f64::from(mix), 0.0, 1.0) as f32;
    (1.0 - mix) * x + mix * wet
}

/// `fx.chorus`: one line read at two swept delays.
#[derive(Debug)]
struct Chorus {
    line: Line,
    lfo: Lfo,
}

impl Chorus {
    fn new(init: &KernelInit) -> Chorus {
        Chorus {
            line: Line::new((CHORUS_BASE_S + CHORUS_MAX_DEPTH_S) * init.sample_rate),
            lfo: Lfo::new(init.sample_rate),
        }
    }
}

// Where `Chorus` finds the ports of `fx.chorus`.
const CHORUS_IN: usize = port(&CHORUS.spec, "in");
const CHORUS_RATE_HZ: usize = port(&CHORUS.spec, "rate_hz");
const CHORUS_DEPTH_S: usize = port(&CHORUS.spec, "depth_s");
const CHORUS_MIX: usize = port(&CHORUS.spec, "mix");
const CHORUS_OUTPUTS: [usize; 2] = [output(&CHORUS.spec, "left"), output(&CHORUS.spec, "right")];

impl Dsp for Chorus {
    /// Inputs `[in, rate_hz, depth_s, mix]` (signal, Hz, s, linear), outputs `[left, right]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [x, rate, depth, mix] = [
            inputs[CHORUS_IN],
            inputs[CHORUS_RATE_HZ],
            inputs[CHORUS_DEPTH_S],
            inputs[CHORUS_MIX],
        ];
        let [left, right] = blocks_mut(outputs, CHORUS_OUTPUTS);
        let sample_rate = self.lfo.sample_rate;
        for i in 0..left.len() {
            let depth = limit(f64::from(depth[i]), 0.0, CHORUS_MAX_DEPTH_S);
            let [l, r] = self.lfo.tick(rate[i], [0.0, 0.25]);
            self.line.push(x[i]);
            let wet = |sweep: f64| {
                let delay = (CHORUS_BASE_S + depth * sweep) * sample_rate;
                self.line.read(delay)
            };
            left[i] = blend(x[i], wet(l), mix[i]);
            right[i] = blend(x[i], wet(r), mix[i]);
        }
    }

    fn reset(&mut self) {
        self.line.clear();
        self.lfo.phase = 0.0;
    }

    /// Keeps the sweep's phase and the line's most recent samples.
    ///
    /// Real-time safe: copies into this kernel's own line; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other| {
            this.line.take_over(&other.line);
            this.lfo.clone_from(&other.lfo);
        })
    }
}

/// `fx.flanger`: `v[n] = x[n] + feedback·v[n-d]`, wet `v[n-d]`.
#[derive(Debug)]
struct Flanger {
    line: Line,
    lfo: Lfo,
}

impl Flanger {
    fn new(init: &KernelInit) -> Flanger {
        Flanger {
            line: Line::new((FLANGER_BASE_S + FLANGER_MAX_DEPTH_S) * init.sample_rate),
            lfo: Lfo::new(init.sample_rate),
        }
    }
}

// Where `Flanger` finds the ports of `fx.flanger`.
const FLANGER_IN: usize = port(&FLANGER.spec, "in");
const FLANGER_RATE_HZ: usize = port(&FLANGER.spec, "rate_hz");
const FLANGER_DEPTH_S: usize = port(&FLANGER.spec, "depth_s");
const FLANGER_FEEDBACK: usize = port(&FLANGER.spec, "feedback");
const FLANGER_MIX: usize = port(&FLANGER.spec, "mix");
const FLANGER_OUT: usize = output(&FLANGER.spec, "out");

impl Dsp for Flanger {
    /// Inputs `[in, rate_hz, depth_s, feedback, mix]` (signal, Hz, s, linear, linear),
    /// outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [x, rate, depth, feedback, mix] = [
            inputs[FLANGER_IN],
            inputs[FLANGER_RATE_HZ],
            inputs[FLANGER_DEPTH_S],
            inputs[FLANGER_FEEDBACK],
            inputs[FLANGER_MIX],
        ];
        for (i, out) in outputs[FLANGER_OUT].iter_mut().enumerate() {
            let depth = limit(f64::from(depth[i]), 0.0, FLANGER_MAX_DEPTH_S);
            let [sweep] = self.lfo.tick(rate[i], [0.0]);
            // At least one sample, since v[n - d] must exist before v[n] is pushed.
            let delay = ((FLANGER_BASE_S + depth * sweep) * self.lfo.sample_rate).max(1.0);
            let wet = self.line.read(delay - 1.0);
            let fb = limit(f64::from(feedback[i]), -MAX_FEEDBACK, MAX_FEEDBACK) as f32;
            let v = x[i] + fb * wet;
            if v.is_finite() {
                self.line.push(v);
            } else {
                // A non-finite input would circulate for good; start again from silence.
                self.line.clear();
            }
            *out = blend(x[i], wet, mix[i]);
        }
    }

    fn reset(&mut self) {
        self.line.clear();
        self.lfo.phase = 0.0;
    }

    /// Keeps the sweep's phase and the line's most recent samples.
    ///
    /// Real-time safe: copies into this kernel's own line; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other| {
            this.line.take_over(&other.line);
            this.lfo.clone_from(&other.lfo);
        })
    }
}

/// `fx.phaser`: a chain of first-order allpasses sharing one swept coefficient, with the
/// chain's last output fed back to its input.
#[derive(Clone, Debug)]
struct Phaser {
    lfo: Lfo,
    /// Each stage's state (transposed direct form II).
    stages: [f64; PHASER_STAGES],
    /// The chain's output at the previous sample.
    last: f64,
}

impl Phaser {
    fn new(init: &KernelInit) -> Phaser {
        Phaser {
            lfo: Lfo::new(init.sample_rate),
            stages: [0.0; PHASER_STAGES],
            last: 0.0,
        }
    }
}

// Where `Phaser` finds the ports of `fx.phaser`.
const PHASER_IN: usize = port(&PHASER.spec, "in");
const PHASER_RATE_HZ: usize = port(&PHASER.spec, "rate_hz");
const PHASER_DEPTH: usize = port(&PHASER.spec, "depth");
const PHASER_FEEDBACK: usize = port(&PHASER.spec, "feedback");
const PHASER_MIX: usize = port(&PHASER.spec, "mix");
const PHASER_OUT: usize = output(&PHASER.spec, "out");

impl Dsp for Phaser {
    /// Inputs `[in, rate_hz, depth, feedback, mix]` (signal, Hz, linear, linear, linear),
    /// outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [x, rate, depth, feedback, mix] = [
            inputs[PHASER_IN],
            inputs[PHASER_RATE_HZ],
            inputs[PHASER_DEPTH],
            inputs[PHASER_FEEDBACK],
            inputs[PHASER_MIX],
        ];
        for (i, out) in outputs[PHASER_OUT].iter_mut().enumerate() {
            let depth = limit(f64::from(depth[i]), 0.0, 1.0);
            let [sweep] = self.lfo.tick(rate[i], [0.0]);
            let break_hz = PHASER_LOW_HZ * (PHASER_HIGH_HZ / PHASER_LOW_HZ).powf(depth * sweep);
            // Bilinear transform of (w - s)/(w + s), prewarped at the break frequency.
            let t = (PI * break_hz / self.lfo.sample_rate).tan();
            let a = (t - 1.0) / (t + 1.0);
            let fb = limit(f64::from(feedback[i]), -MAX_FEEDBACK, MAX_FEEDBACK);
            let mut v = f64::from(x[i]) + fb * self.last;
            for state in &mut self.stages {
                let y = a * v + *state;
                *state = v - a * y;
                v = y;
            }
            if v.is_finite() {
                self.last = v;
            } else {
                // A non-finite input would circulate for good; start again from silence.
                self.stages = [0.0; PHASER_STAGES];
                self.last = 0.0;
            }
            *out = blend(x[i], v as f32, mix[i]);
        }
    }

    fn reset(&mut self) {
        self.stages = [0.0; PHASER_STAGES];
        self.last = 0.0;
        self.lfo.phase = 0.0;
    }

    /// Keeps the sweep's phase and the stages' memory.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Run, SR, constant, kernel, sine_wave, white_noise};

    use super::*;

    /// Runs `name` on `x` with constant controls, in catalog order after `in`.
    fn render(name: &str, x: &[f32], controls: &[f32]) -> Vec<Vec<f32>> {
        let len = x.len();
        let controls: Vec<Vec<f32>> = controls.iter().map(|&v| constant(v, len)).collect();
        let mut inputs: Vec<&[f32]> = vec![x];
        inputs.extend(controls.iter().map(Vec::as_slice));
        Run::new(&inputs, len).on_all(kernel(name, &[]).as_mut())
    }

    /// A click every `every` samples.
    fn clicks(every: usize, len: usize) -> Vec<f32> {
        (0..len)
            .map(|n| if n % every == 0 { 1.0 } else { 0.0 })
            .collect()
    }

    /// For each click of `x` (every `every` samples), the delay at which it comes out of `out`:
    /// the centroid of the samples it spreads over, minus the click's time, with the
    /// centroid's time.
    fn measured_delays(out: &[f32], every: usize, first_delay: f64) -> Vec<(f64, f64)> {
        let mut found = Vec::new();
        let mut click = 0;
        while click + every < out.len() {
            // The click comes out within a few samples of the previous click's delay.
            let guess = click as f64 + found.last().map_or(first_delay, |&(_, d)| d);
            let from = (guess - 12.0).max(0.0) as usize;
            let window = &out[from..(from + 25).min(out.len())];
            let weight: f64 = window.iter().map(|&v| f64::from(v)).sum();
            let centroid = window
                .iter()
                .enumerate()
                .map(|(k, &v)| (from + k) as f64 * f64::from(v))
                .sum::<f64>()
                / weight;
            assert!(
                (weight - 1.0).abs() < 0.02,
                "click at {click}: weight {weight}"
            );
            found.push((centroid, centroid - click as f64));
            click += every;
        }
        found
    }

    /// Checks the delays measured from `out` against `base + depth·(1 - cos(2π(rate·t +
    /// offset)))/2` seconds at the click's output time, and that they reach both limits.
    fn check_sweep(out: &[f32], base: f64, depth: f64, rate: f64, offset: f64) -> (f64, f64) {
        let expected =
            |t: f64| (base + depth * (0.5 - 0.5 * (TAU * (rate * t / SR + offset)).cos())) * SR;
        let delays = measured_delays(out, 600, expected(0.0));
        let worst = delays
            .iter()
            .map(|&(t, d)| (d - expected(t)).abs())
            .fold(0.0, f64::max);
        let low = delays.iter().map(|d| d.1).fold(f64::MAX, f64::min);
        let high = delays.iter().map(|d| d.1).fold(f64::MIN, f64::max);
        println!(
            "{} clicks: delay within {worst:.4} samples of the formula",
            delays.len()
        );
        assert!(worst < 0.02, "worst error {worst} samples");
        assert!((low - base * SR).abs() < 0.1, "bottom {low}");
        assert!((high - (base + depth) * SR).abs() < 0.1, "top {high}");
        (low / SR, high / SR)
    }

    #[test]
    fn chorus_delays_sweep_between_their_limits_at_the_rate() {
        // 0.25 Hz: a click every 600 samples samples the sweep 320 times a period, on its
        // ends; the delay moves at most 0.01 sample a sample, so a click's two interpolated
        // samples still locate it within 0.01 sample.
        let x = clicks(600, 4 * 48_000);
        let out = render("fx.chorus", &x, &[0.25, 0.012, 1.0]);
        for (channel, offset) in [(0, 0.0), (1, 0.25)] {
            let (low, high) = check_sweep(&out[channel], CHORUS_BASE_S, 0.012, 0.25, offset);
            println!("chorus channel {channel}: delay swept {low:.6}..{high:.6} s");
        }
    }

    #[test]
    fn flanger_delay_sweeps_between_its_limits_and_feedback_sets_its_gain() {
        let x = clicks(600, 96_000);
        let out = render("fx.flanger", &x, &[0.5, 0.005, 0.0, 1.0]);
        let (low, high) = check_sweep(&out[0], FLANGER_BASE_S, 0.005, 0.5, 0.0);
        println!("flanger: delay swept {low:.6}..{high:.6} s");
        // A step through the wet path with the LFO still: the feedback loop's DC gain
        // 1 / (1 - feedback).
        for fb in [0.5_f32, -0.5, 0.9] {
            let step = constant(1.0, 9_600);
            let out = render("fx.flanger", &step, &[0.0, 0.005, fb, 1.0]);
            let gain = f64::from(out[0][9_599]);
            println!("flanger feedback {fb}: wet DC gain {gain:.5}");
            assert!((gain - 1.0 / (1.0 - f64::from(fb))).abs() < 1e-4);
        }
    }

    /// The output amplitude of a four-stage phaser mixed half and half with its input, for a
    /// sine at `freq` when the break frequency is `break_hz`: `|cos(φ/2)|` with the chain's
    /// phase `φ = -8·atan(tan(π·freq/sr) / tan(π·break/sr))`.
    fn phaser_amplitude(freq: f64, break_hz: f64) -> f64 {
        let ratio = (PI * freq / SR).tan() / (PI * break_hz / SR).tan();
        (-8.0 * ratio.atan() / 2.0).cos().abs()
    }

    #[test]
    fn phaser_notches_sweep_across_a_sine_as_the_formula_says() {
        // A 1 kHz sine, rate 0.25 Hz, depth 1, no feedback: the first notch (break · 0.414)
        // and the second (break · 2.414) each cross 1 kHz as the break sweeps 200..4000 Hz.
        let len = 4 * 48_000;
        let x = sine_wave(1000.0, len);
        let out = render("fx.phaser", &x, &[0.25, 1.0, 0.0, 0.5]);
        let period = 48;
        let mut worst: f64 = 0.0;
        let mut minima = Vec::new();
        let mut last = (f64::MAX, f64::MAX);
        let break_at = |t: f64| {
            let sweep = 0.5 - 0.5 * (TAU * 0.25 * t).cos();
            PHASER_LOW_HZ * (PHASER_HIGH_HZ / PHASER_LOW_HZ).powf(sweep)
        };
        for start in (0..len - period).step_by(period) {
            let window = &out[0][start..start + period];
            let amplitude = (2.0 * window.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>()
                / period as f64)
                .sqrt();
            let t = (start as f64 + period as f64 / 2.0) / SR;
            if start >= 240 {
                // after the first 5 ms, the chain's start-up transient
                worst = worst.max((amplitude - phaser_amplitude(1000.0, break_at(t))).abs());
            }
            if last.1 < last.0 && last.1 < amplitude && last.1 < 0.05 {
                let before = t - period as f64 / SR;
                minima.push((before, break_at(before)));
            }
            last = (last.1, amplitude);
        }
        println!("phaser: amplitude within {worst:.4} of the formula; notches at {minima:.3?}");
        assert!(worst < 0.02);
        // The notch passes 1 kHz four times a period: at breaks 414 and 2414 Hz, up and down.
        assert_eq!(minima.len(), 4);
        let expected = [
            1000.0 / 2.414,
            1000.0 / 0.4142,
            1000.0 / 0.4142,
            1000.0 / 2.414,
        ];
        for ((_, break_hz), want) in minima.iter().zip(expected) {
            assert!(
                (break_hz / want - 1.0).abs() < 0.05,
                "{break_hz} against {want}"
            );
        }
    }

    #[test]
    fn mix_zero_passes_the_input_exactly() {
        let x = white_noise(5, 4_800);
        for (name, controls) in [
            ("fx.chorus", &[2.0, 0.01, 0.0][..]),
            ("fx.flanger", &[2.0, 0.005, 0.9, 0.0]),
            ("fx.phaser", &[2.0, 1.0, 0.9, 0.0]),
        ] {
            for out in render(name, &x, controls) {
                assert_eq!(out, x, "{name}");
            }
        }
    }
}
