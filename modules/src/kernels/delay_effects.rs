//! Delay effects: `delay.feedback`, `delay.comb`, `delay.allpass`, `delay.multitap`.
//!
//! Each reads its input every sample like any other processed input (none breaks cycles: the
//! recursion of the feedback delay and the allpass is inside the kernel, so it needs no
//! block-sized minimum delay). Each keeps a delay line (the shared ring buffer) allocated when
//! the node is built, long enough for its `time` parameters' values; a `time` signal asking for
//! longer is cut to that, as with `delay`. Delays are `time · sample_rate` samples, read every sample, fractional
//! ones interpolated linearly (rounded to 1/1024 sample). Linear interpolation is a gentle
//! low-pass when the delay is fractional (at half a sample, -3 dB at a quarter of the sample
//! rate), which matters inside the allpass's and the feedback delay's loops: their promises
//! below are exact for whole-sample delays.
//!
//! A recursive kernel whose state turns non-finite (from a NaN or infinite input) empties its
//! line, so it recovers when its input does instead of repeating the NaN for ever.

use super::spec::control;
use super::{limit, param};
use crate::KernelInit;
use crate::dsp::ring::Line;
use crate::dsp::simd::uniform;
use crate::dsp::state::same;
use crate::module::{Dsp, Module, StateFamily, output, port};
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Role, Unit};
use patchvm_vm::{Kernel, MAX_BLOCK};

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[FEEDBACK, COMB, ALLPASS, MULTITAP];

/// The longest delay, in seconds.
const MAX_TIME_S: f64 = 60.0;

/// The largest feedback or allpass gain magnitude: below 1 so every loop decays.
const MAX_FEEDBACK: f64 = 0.99;

/// Input `in`: the signal an effect processes.
pub(super) const IN: InputSpec = control(
    "in",
    "the signal to process",
    0.0,
    (-1e6, 1e6),
    Unit::Signal,
);

/// An effect's only output.
pub(super) const OUT: OutputSpec = OutputSpec {
    name: "out",
    doc: "the processed signal",
    unit: Unit::Signal,
};

/// Input `mix`, shared with the modulation effects.
pub(super) const MIX: InputSpec = control(
    "mix",
    "0 passes the input exactly, 1 gives only the effect; limited to 0..1",
    0.5,
    (0.0, 1.0),
    Unit::Linear,
);

const fn time(name: &'static str, default: f64) -> InputSpec {
    control(
        name,
        "delay time; the parameter's value is also the longest a signal can ask for",
        default,
        (0.0, MAX_TIME_S),
        Unit::Seconds,
    )
}

const fn gain(name: &'static str, doc: &'static str, default: f64) -> InputSpec {
    control(
        name,
        doc,
        default,
        (-MAX_FEEDBACK, MAX_FEEDBACK),
        Unit::Linear,
    )
}

/// `delay.feedback`: an echo.
pub const FEEDBACK: Module = Module::kernel(
    ModuleSpec {
        name: "delay.feedback",
        doc: "echo with internal feedback: y[n] = x[n] + feedback·y[n-D], out = x + mix·(y - x)",
        inputs: &[
            IN,
            time("time", 0.3),
            gain(
                "feedback",
                "gain of each repeat (20·log10|feedback| dB); limited to -0.99..0.99",
                0.5,
            ),
            InputSpec {
                doc: "level of the echoes: 0 passes the input exactly, 1 outputs y",
                default: 1.0,
                ..MIX
            },
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Echo::new(init)),
)
.memory(|init| Line::bytes(longest(&FEEDBACK.spec, init, &["time"])))
.family(StateFamily::DelayLine);

/// `delay.comb`: a feedforward comb filter.
pub const COMB: Module = Module::kernel(
ModuleSpec {
    name: "delay.comb",
    doc: "feedforward comb y[n] = x[n] + gain·x[n-D]: peaks 1+gain and notches |1-gain| every 1/time Hz",
    inputs: &[
        IN,
        time("time", 0.001),
        control(
            "gain",
            "level of the delayed copy; negative swaps peaks and notches; limited to -1..1",
            0.5,
            (-1.0, 1.0),
            Unit::Linear,
        ),
    ],
    outputs: &[OUT],
    role: Role::Kernel,
},
|init| init.kernel(Comb::new(init)),
)
.memory(|init| Line::bytes(longest(&COMB.spec, init, &["time"])))
.family(StateFamily::DelayLine);

/// `delay.allpass`: a Schroeder allpass.
pub const ALLPASS: Module = Module::kernel(
ModuleSpec {
    name: "delay.allpass",
    doc: "Schroeder allpass (z^-D - g)/(1 - g·z^-D): flat magnitude, dispersed phase",
    inputs: &[
        IN,
        time("time", 0.005),
        gain(
            "gain",
            "the allpass coefficient g; the impulse response decays by g each D; limited to -0.99..0.99",
            0.5,
        ),
    ],
    outputs: &[OUT],
    role: Role::Kernel,
},
|init| init.kernel(Allpass::new(init)),
)
.memory(|init| Line::bytes(longest(&ALLPASS.spec, init, &["time"])))
.family(StateFamily::DelayLine);

/// `delay.multitap`: four taps on one line.
pub const MULTITAP: Module = Module::kernel(
ModuleSpec {
    name: "delay.multitap",
    doc: "sum of four delayed copies of the input, each with its own time and level (no dry signal)",
    inputs: &[
        IN,
        time("time1", 0.125),
        time("time2", 0.25),
        time("time3", 0.375),
        time("time4", 0.5),
        level("level1", 1.0),
        level("level2", 0.7),
        level("level3", 0.5),
        level("level4", 0.35),
    ],
    outputs: &[OUT],
    role: Role::Kernel,
},
|init| init.kernel(Multitap::new(init)),
)
.memory(|init| Line::bytes(longest(&MULTITAP.spec, init, &TAP_TIMES)))
.family(StateFamily::DelayLine);

const fn level(name: &'static str, default: f64) -> InputSpec {
    control(
        name,
        "level of the tap; negative inverts it; limited to -1..1",
        default,
        (-1.0, 1.0),
        Unit::Linear,
    )
}

/// The multitap's time inputs.
const TAP_TIMES: [&str; 4] = ["time1", "time2", "time3", "time4"];

/// The longest of the `times` parameters of `spec` in samples, at least 1 (the recursive
/// kernels' shortest delay).
fn longest(spec: &ModuleSpec, init: &KernelInit, times: &[&str]) -> f64 {
    times
        .iter()
        .map(|name| limit(param(spec, init, name), 0.0, MAX_TIME_S) * init.sample_rate)
        .fold(1.0, f64::max)
}

/// The delay in samples for a `time` signal in seconds, limited to `min..=line`'s longest.
#[inline]
fn samples(time: f32, sample_rate: f64, min: f64, line: &Line) -> f64 {
    limit(f64::from(time) * sample_rate, min, line.max_delay())
}

/// Pushes `v` into a recursive kernel's `line`, or empties the line if `v` is not finite.
#[inline]
fn push_finite(line: &mut Line, v: f32) {
    if v.is_finite() {
        line.push(v);
    } else {
        // Rare and bounded by the line's length: only after a non-finite input.
        line.clear();
    }
}

/// Takes over the line of `other`, a kernel of any module of the family
/// ([`StateFamily::DelayLine`]): its newest samples, as many as `line` holds, so what is
/// already in the line (an echo, a comb's past input) comes out as it would have. Returns
/// whether `other` was of the family.
///
/// Real-time safe: copies into memory `line` owns; does not allocate.
fn take_over_line(line: &mut Line, other: &dyn Kernel) -> bool {
    let other = same::<Echo>(other)
        .map(|k| &k.line)
        .or_else(|| same::<Comb>(other).map(|k| &k.line))
        .or_else(|| same::<Allpass>(other).map(|k| &k.line))
        .or_else(|| same::<Multitap>(other).map(|k| &k.line));
    other.map(|other| line.take_over(other)).is_some()
}

/// `delay.feedback`: `y` goes round a line of length `D`.
#[derive(Debug)]
struct Echo {
    line: Line,
    sample_rate: f64,
}

impl Echo {
    fn new(init: &KernelInit) -> Echo {
        Echo {
            line: Line::new(longest(&FEEDBACK.spec, init, &["time"])),
            sample_rate: init.sample_rate,
        }
    }
}

// Where `Echo` finds the ports of `delay.feedback`.
const FEEDBACK_IN: usize = port(&FEEDBACK.spec, "in");
const FEEDBACK_TIME: usize = port(&FEEDBACK.spec, "time");
const FEEDBACK_FEEDBACK: usize = port(&FEEDBACK.spec, "feedback");
const FEEDBACK_MIX: usize = port(&FEEDBACK.spec, "mix");
const FEEDBACK_OUT: usize = output(&FEEDBACK.spec, "out");

impl Dsp for Echo {
    /// Inputs `[in, time, feedback, mix]` (signal, s, linear, linear), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [x, time, feedback, mix] = [
            inputs[FEEDBACK_IN],
            inputs[FEEDBACK_TIME],
            inputs[FEEDBACK_FEEDBACK],
            inputs[FEEDBACK_MIX],
        ];
        if let (Some(time), Some(feedback), Some(mix)) =
            (uniform(time), uniform(feedback), uniform(mix))
            && self.held(x, (time, feedback, mix), &mut *outputs[FEEDBACK_OUT])
        {
            return;
        }
        for (i, out) in outputs[FEEDBACK_OUT].iter_mut().enumerate() {
            // y[n - D] is D - 1 behind the newest sample, y[n - 1]; D is at least 1.
            let d = samples(time[i], self.sample_rate, 1.0, &self.line);
            let fb = limit(f64::from(feedback[i]), -MAX_FEEDBACK, MAX_FEEDBACK) as f32;
            let mix = limit(f64::from(mix[i]), 0.0, 1.0) as f32;
            let echo = fb * self.line.read(d - 1.0);
            push_finite(&mut self.line, x[i] + echo);
            *out = x[i] + mix * echo;
        }
    }

    fn reset(&mut self) {
        self.line.clear();
    }

    /// Takes over the other's line — its most recent samples, as many as both lines hold —
    /// so an edit keeps what is in the line, even when the longest time (and so the line's
    /// length) changed.
    ///
    /// Real-time safe: copies into this kernel's own line; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        take_over_line(&mut self.line, other)
    }
}

impl Echo {
    /// The block with held settings, when the delay is at least a block (so the block's echoes
    /// are all read from before it) and every sample pushed is finite: the per-sample
    /// arithmetic below, a block at a time. Returns `false`, having changed nothing but `out`,
    /// otherwise.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn held(&mut self, x: &[f32], (time, feedback, mix): (f32, f32, f32), out: &mut [f32]) -> bool {
        let n = x.len();
        let d = samples(time, self.sample_rate, 1.0, &self.line);
        let fb = limit(f64::from(feedback), -MAX_FEEDBACK, MAX_FEEDBACK) as f32;
        let mix = limit(f64::from(mix), 0.0, 1.0) as f32;
        let mut delayed = [0.0_f32; MAX_BLOCK];
        if !self.line.read_ahead(d - 1.0, &mut delayed[..n]) {
            return false;
        }
        let mut pushed = [0.0_f32; MAX_BLOCK];
        for (((out, pushed), &delayed), &x) in out.iter_mut().zip(&mut pushed).zip(&delayed).zip(x)
        {
            let echo = fb * delayed;
            *pushed = x + echo;
            *out = x + mix * echo;
        }
        let finite = pushed[..n]
            .iter()
            .fold(true, |finite, v| finite & v.is_finite());
        if finite {
            self.line.push_block(&pushed[..n]);
        }
        finite
    }
}

/// `delay.comb`: the input and one delayed copy.
#[derive(Debug)]
struct Comb {
    line: Line,
    sample_rate: f64,
}

impl Comb {
    fn new(init: &KernelInit) -> Comb {
        Comb {
            line: Line::new(longest(&COMB.spec, init, &["time"])),
            sample_rate: init.sample_rate,
        }
    }
}

// Where `Comb` finds the ports of `delay.comb`.
const COMB_IN: usize = port(&COMB.spec, "in");
const COMB_TIME: usize = port(&COMB.spec, "time");
const COMB_GAIN: usize = port(&COMB.spec, "gain");
const COMB_OUT: usize = output(&COMB.spec, "out");

impl Dsp for Comb {
    /// Inputs `[in, time, gain]` (signal, s, linear), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [x, time, gain] = [inputs[COMB_IN], inputs[COMB_TIME], inputs[COMB_GAIN]];
        for (i, out) in outputs[COMB_OUT].iter_mut().enumerate() {
            let d = samples(time[i], self.sample_rate, 0.0, &self.line);
            let g = limit(f64::from(gain[i]), -1.0, 1.0) as f32;
            // Feedforward only: a NaN input leaves the line after D samples by itself.
            self.line.push(x[i]);
            *out = x[i] + g * self.line.read(d);
        }
    }

    fn reset(&mut self) {
        self.line.clear();
    }

    /// Takes over the other's line — its most recent samples, as many as both lines hold —
    /// so an edit keeps what is in the line, even when the longest time (and so the line's
    /// length) changed.
    ///
    /// Real-time safe: copies into this kernel's own line; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        take_over_line(&mut self.line, other)
    }
}

/// `delay.allpass`: the canonical one-line form, `v[n] = x[n] + g·v[n-D]`,
/// `y[n] = v[n-D] - g·v[n]`.
#[derive(Debug)]
struct Allpass {
    line: Line,
    sample_rate: f64,
}

impl Allpass {
    fn new(init: &KernelInit) -> Allpass {
        Allpass {
            line: Line::new(longest(&ALLPASS.spec, init, &["time"])),
            sample_rate: init.sample_rate,
        }
    }
}

// Where `Allpass` finds the ports of `delay.allpass`.
const ALLPASS_IN: usize = port(&ALLPASS.spec, "in");
const ALLPASS_TIME: usize = port(&ALLPASS.spec, "time");
const ALLPASS_GAIN: usize = port(&ALLPASS.spec, "gain");
const ALLPASS_OUT: usize = output(&ALLPASS.spec, "out");

impl Dsp for Allpass {
    /// Inputs `[in, time, gain]` (signal, s, linear), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [x, time, gain] = [
            inputs[ALLPASS_IN],
            inputs[ALLPASS_TIME],
            inputs[ALLPASS_GAIN],
        ];
        for (i, out) in outputs[ALLPASS_OUT].iter_mut().enumerate() {
            let d = samples(time[i], self.sample_rate, 1.0, &self.line);
            let g = limit(f64::from(gain[i]), -MAX_FEEDBACK, MAX_FEEDBACK) as f32;
            let old = self.line.read(d - 1.0);
            let v = x[i] + g * old;
            push_finite(&mut self.line, v);
            *out = old - g * v;
        }
    }

    fn reset(&mut self) {
        self.line.clear();
    }

    /// Takes over the other's line — its most recent samples, as many as both lines hold —
    /// so an edit keeps what is in the line, even when the longest time (and so the line's
    /// length) changed.
    ///
    /// Real-time safe: copies into this kernel's own line; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        take_over_line(&mut self.line, other)
    }
}

/// `delay.multitap`: four reads of one line.
#[derive(Debug)]
struct Multitap {
    line: Line,
    sample_rate: f64,
}

impl Multitap {
    fn new(init: &KernelInit) -> Multitap {
        Multitap {
            line: Line::new(longest(&MULTITAP.spec, init, &TAP_TIMES)),
            sample_rate: init.sample_rate,
        }
    }
}

// Where `Multitap` finds the ports of `delay.multitap`.
const MULTITAP_IN: usize = port(&MULTITAP.spec, "in");
const MULTITAP_TIMES: std::ops::Range<usize> =
    port(&MULTITAP.spec, "time1")..port(&MULTITAP.spec, "time4") + 1;
const MULTITAP_LEVELS: std::ops::Range<usize> =
    port(&MULTITAP.spec, "level1")..port(&MULTITAP.spec, "level4") + 1;
const MULTITAP_OUT: usize = output(&MULTITAP.spec, "out");

impl Dsp for Multitap {
    /// Inputs `[in, time1..time4, level1..level4]` (signal, s, linear), outputs `[out]`. Any
    /// tap can reach the longest of the four time parameters.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let (x, times, levels) = (
            inputs[MULTITAP_IN],
            &inputs[MULTITAP_TIMES],
            &inputs[MULTITAP_LEVELS],
        );
        for (i, out) in outputs[MULTITAP_OUT].iter_mut().enumerate() {
            self.line.push(x[i]);
            let mut sum = 0.0;
            for (time, level) in times.iter().zip(levels) {
                let d = samples(time[i], self.sample_rate, 0.0, &self.line);
                let level = limit(f64::from(level[i]), -1.0, 1.0) as f32;
                sum += level * self.line.read(d);
            }
            *out = sum;
        }
    }

    fn reset(&mut self) {
        self.line.clear();
    }

    /// Takes over the other's line — its most recent samples, as many as both lines hold —
    /// so an edit keeps what is in the line, even when the longest time (and so the line's
    /// length) changed.
    ///
    /// Real-time safe: copies into this kernel's own line; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        take_over_line(&mut self.line, other)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Run, SR, constant, dft_gain_db, impulse, kernel, sine_wave};
    use patchvm_vm::Kernel;

    use crate::memory_bytes;

    /// The impulse response of `name` with `overrides`, `len` samples; the controls hold the
    /// overrides (or defaults).
    fn impulse_response(name: &str, overrides: &[(&str, f64)], len: usize) -> Vec<f32> {
        let (spec, params) = super::super::test_support::params(name, overrides);
        let x = impulse(len);
        let controls: Vec<Vec<f32>> = spec
            .processed_inputs()
            .skip(1)
            .map(|(index, _)| constant(params[index] as f32, len))
            .collect();
        let mut inputs: Vec<&[f32]> = vec![&x];
        inputs.extend(controls.iter().map(Vec::as_slice));
        Run::new(&inputs, len).on(kernel(name, overrides).as_mut())
    }

    /// `x` into module `name` with `overrides`, its controls held, on `kernel`.
    fn drive(
        name: &str,
        overrides: &[(&str, f64)],
        x: &[f32],
        kernel: &mut dyn Kernel,
    ) -> Vec<f32> {
        let (spec, params) = super::super::test_support::params(name, overrides);
        let controls: Vec<Vec<f32>> = spec
            .processed_inputs()
            .skip(1)
            .map(|(index, _)| constant(params[index] as f32, x.len()))
            .collect();
        let mut inputs: Vec<&[f32]> = vec![x];
        inputs.extend(controls.iter().map(Vec::as_slice));
        Run::new(&inputs, x.len()).on(kernel)
    }

    /// A module, its settings and its level by hand.
    type Member = (&'static str, &'static [(&'static str, f64)], f32);

    /// The delay-line family, each with a 1 ms line (48 samples) and what it outputs, by
    /// hand, 48 samples after an impulse already in its line and nothing since: the echo's
    /// `feedback`, the comb's `gain`, the allpass's `1 - g²` (`v[n-D] - g·v[n]` with
    /// `v[n] = g·v[n-D]`), the first tap's level.
    const FAMILY: [Member; 4] = [
        (
            "delay.feedback",
            &[("time", 0.001), ("feedback", 0.5), ("mix", 1.0)],
            0.5,
        ),
        ("delay.comb", &[("time", 0.001), ("gain", 0.5)], 0.5),
        ("delay.allpass", &[("time", 0.001), ("gain", 0.5)], 0.75),
        (
            "delay.multitap",
            &[
                ("time1", 0.001),
                ("time2", 0.001),
                ("time3", 0.001),
                ("time4", 0.001),
                ("level1", 1.0),
                ("level2", 0.0),
                ("level3", 0.0),
                ("level4", 0.0),
            ],
            1.0,
        ),
    ];

    /// Each member of the family takes over each one's line (a live edit changing a
    /// node's module): an impulse fed to the old kernel 10 samples before the change comes
    /// out of the new one 48 samples after it went in, at the new module's level, and
    /// nothing else does until then.
    #[test]
    fn every_delay_line_takes_over_every_other_s_line() {
        for (from, from_overrides, _) in FAMILY {
            for (to, to_overrides, level) in FAMILY {
                let mut old = kernel(from, from_overrides);
                drive(from, from_overrides, &impulse(10), old.as_mut());
                let mut new = kernel(to, to_overrides);
                assert!(new.copy_state_from(&*old), "{from} into {to}");
                // Samples 10..96 of the stream: the impulse went in at 0.
                let out = drive(to, to_overrides, &[0.0; 86], new.as_mut());
                for (n, &y) in out.iter().enumerate() {
                    let expected = if n + 10 == 48 { level } else { 0.0 };
                    assert!(
                        (y - expected).abs() < 1e-4,
                        "{from} into {to}, sample {}: {y}, expected {expected}",
                        n + 10
                    );
                }
            }
        }
        let mut line = kernel("delay.comb", &[]);
        assert!(
            !line.copy_state_from(&*kernel("gain", &[])),
            "not of the family"
        );
    }

    /// The samples of `x` above 1e-6 in magnitude, as (index, value).
    fn taps(x: &[f32]) -> Vec<(usize, f32)> {
        x.iter()
            .copied()
            .enumerate()
            .filter(|(_, v)| v.abs() > 1e-6)
            .collect()
    }

    #[test]
    fn feedback_echoes_every_time_and_loses_its_gain_per_repeat() {
        for fb in [0.5, -0.7, 0.99] {
            let h = impulse_response(
                "delay.feedback",
                &[("time", 0.01), ("feedback", fb), ("mix", 1.0)],
                4_000,
            );
            let taps = taps(&h);
            // The dry impulse, then one echo every 480 samples, each 20·log10|fb| dB down.
            assert_eq!(taps.len(), 9, "fb {fb}: {taps:?}");
            for (k, pair) in taps.windows(2).enumerate() {
                let (spacing, gain_db) = (
                    pair[1].0 - pair[0].0,
                    20.0 * f64::from(pair[1].1 / pair[0].1).abs().log10(),
                );
                if k == 0 {
                    println!("feedback {fb}: echo every {spacing} samples, {gain_db:.4} dB each");
                }
                assert_eq!(spacing, 480);
                assert!(
                    (gain_db - 20.0 * fb.abs().log10()).abs() < 1e-3,
                    "{gain_db}"
                );
                assert_eq!(pair[1].1.signum(), (pair[0].1 * fb as f32).signum());
            }
        }
        // mix scales the echoes and leaves the dry impulse alone
        let h = impulse_response(
            "delay.feedback",
            &[("time", 0.01), ("feedback", 0.5), ("mix", 0.5)],
            1_000,
        );
        assert_eq!(taps(&h), [(0, 1.0), (480, 0.25), (960, 0.125)]);
    }

    #[test]
    fn feedback_mix_zero_passes_the_input_exactly_and_max_feedback_decays() {
        let len = 48_000;
        let x: Vec<f32> = (0..len)
            .map(|n| ((n * 7919) % 255) as f32 / 128.0 - 1.0)
            .collect();
        let control = |v: f32| constant(v, len);
        let (time, fb) = (control(0.0125), control(0.99));
        let out = Run::new(&[&x, &time, &fb, &control(0.0)], len).on(kernel(
            "delay.feedback",
            &[("time", 0.0125)],
        )
        .as_mut());
        assert_eq!(out, x);
        // noise for half a second, then silence: the tail falls by 0.99 per 600 samples (a
        // whole number: a fractional delay's interpolation would also low-pass each repeat)
        let x: Vec<f32> = x
            .iter()
            .enumerate()
            .map(|(n, &v)| if n < len / 2 { v } else { 0.0 })
            .collect();
        let out = Run::new(&[&x, &time, &fb, &control(1.0)], len).on(kernel(
            "delay.feedback",
            &[("time", 0.0125)],
        )
        .as_mut());
        let peak_at =
            |range: std::ops::Range<usize>| out[range].iter().fold(0.0_f32, |m, v| m.max(v.abs()));
        let (early, late) = (peak_at(24_000..24_600), peak_at(47_400..48_000));
        let repeats = (47_400 - 24_000) as f64 / 600.0;
        let measured_db = 20.0 * f64::from(late / early).log10();
        println!("feedback 0.99 tail: {measured_db:.2} dB over {repeats:.1} repeats");
        assert!((measured_db - repeats * 20.0 * 0.99_f64.log10()).abs() < 0.01);
    }

    #[test]
    fn comb_peaks_and_notches_every_one_over_time() {
        // 1 ms: 48 samples, so peaks every 1000 Hz and notches half way between
        for g in [0.5, -0.5, 0.9] {
            let h = impulse_response("delay.comb", &[("time", 0.001), ("gain", g)], 100);
            assert_eq!(taps(&h), [(0, 1.0), (48, g as f32)]);
            let freqs: Vec<f64> = (0..=4_000).map(|k| f64::from(k) * 5.0).collect();
            let gains: Vec<f64> = freqs.iter().map(|&f| dft_gain_db(&h, f)).collect();
            let minima: Vec<f64> = (1..gains.len() - 1)
                .filter(|&k| gains[k] < gains[k - 1] && gains[k] <= gains[k + 1])
                .map(|k| freqs[k])
                .collect();
            let first = if g > 0.0 { 500.0 } else { 1000.0 };
            let expected: Vec<f64> = (0..minima.len())
                .map(|k| first + 1000.0 * k as f64)
                .collect();
            println!("comb gain {g}: notches at {:?} Hz", &minima[..4]);
            assert_eq!(minima, expected);
            let (peak_db, notch_db) = (
                20.0 * (1.0 + g.abs()).log10(),
                20.0 * (1.0 - g.abs()).log10(),
            );
            let measured_notch = dft_gain_db(&h, first);
            let measured_peak = dft_gain_db(&h, first + 500.0);
            println!(
                "  notch {measured_notch:.3} dB (formula {notch_db:.3}), peak {measured_peak:.3} dB (formula {peak_db:.3})"
            );
            assert!((measured_notch - notch_db).abs() < 1e-3);
            assert!((measured_peak - peak_db).abs() < 1e-3);
        }
        // and with a sine through the running kernel: 500 Hz at gain 0.5 is 6.02 dB down
        let len = 9_600;
        let x = sine_wave(500.0, len);
        let (time, gain) = (constant(0.001, len), constant(0.5, len));
        let out = Run::new(&[&x, &time, &gain], len).on(kernel("delay.comb", &[]).as_mut());
        let steady = &out[4_800..];
        let db = 20.0 * f64::from(steady.iter().fold(0.0_f32, |m, v| m.max(v.abs()))).log10();
        assert!((db - 20.0 * 0.5_f64.log10()).abs() < 0.01, "{db}");
    }

    #[test]
    fn allpass_is_flat_and_its_impulse_response_has_the_schroeder_taps() {
        for g in [0.5, -0.7, 0.9] {
            // 37 samples; 3 000 samples of response leave g^81 < 1e-3 for g 0.9
            let time = 37.0 / SR;
            let h = impulse_response("delay.allpass", &[("time", time), ("gain", g)], 12_000);
            let g32 = g as f32;
            let taps = taps(&h);
            let expected = [
                (0, -g32),
                (37, 1.0 - g32 * g32),
                (74, g32 * (1.0 - g32 * g32)),
                (111, g32 * g32 * (1.0 - g32 * g32)),
            ];
            for (tap, want) in taps.iter().zip(expected) {
                assert_eq!(tap.0, want.0);
                assert!((tap.1 - want.1).abs() < 1e-6, "{tap:?} against {want:?}");
            }
            let worst = (1..200)
                .map(|k| dft_gain_db(&h, f64::from(k) * 119.0))
                .fold(0.0_f64, |m, db| m.max(db.abs()));
            println!("allpass g {g}: magnitude within {worst:.5} dB of flat, 50..23 700 Hz");
            assert!(worst < 0.1);
        }
    }

    #[test]
    fn multitap_taps_land_at_their_times_with_their_levels() {
        let (times, levels) = ([0.001, 0.0025, 0.01, 0.0201], [1.0, -0.5, 0.25, 0.8]);
        let overrides: Vec<(&str, f64)> = super::TAP_TIMES
            .iter()
            .copied()
            .zip(times)
            .chain(
                ["level1", "level2", "level3", "level4"]
                    .into_iter()
                    .zip(levels),
            )
            .collect();
        let h = impulse_response("delay.multitap", &overrides, 2_000);
        // 0.0201 s is 964.8 samples: split 0.2/0.8 between samples 964 and 965
        for (time, level) in times.iter().zip(levels) {
            let at = time * SR;
            let around: Vec<(usize, f32)> = taps(&h)
                .into_iter()
                .filter(|(n, _)| (*n as f64 - at).abs() < 1.5)
                .collect();
            let sum: f32 = around.iter().map(|(_, v)| v).sum();
            let centroid = around
                .iter()
                .map(|&(n, v)| n as f64 * f64::from(v))
                .sum::<f64>()
                / f64::from(sum);
            println!("tap {time} s: at {centroid:.3} samples (asked {at:.3}), level {sum}");
            assert!((centroid - at).abs() < 0.01);
            assert!((f64::from(sum) - level).abs() < 1e-6);
        }
        assert_eq!(taps(&h).len(), 5);
    }

    #[test]
    fn memory_follows_the_longest_time() {
        let (spec, params) =
            super::super::test_support::params("delay.multitap", &[("time3", 2.0)]);
        let bytes = memory_bytes(&spec, &crate::KernelInit::new(&params, SR));
        assert_eq!(bytes, (96_000 + 2) * 4);
    }
}
