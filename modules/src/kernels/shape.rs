//! Waveshapers: `shape.tanh`, `shape.clip`, `shape.fold` and `shape.crush`.
//!
//! Native: each is a memoryless function of one sample (the crusher also holds samples), a
//! line or two of arithmetic, where a fundsp node would add its frame plumbing for nothing.
//! None is oversampled: driven hard, they alias, as the classic digital versions do.
//!
//! | module | `out` for `x = in` |
//! |---|---|
//! | `shape.tanh` | `tanh(drive·x)` |
//! | `shape.clip` | `x` limited to `-level..=level` |
//! | `shape.fold` | `drive·x` reflected back from ±1 until it lies within: folds at `drive·x` = ±1, ±3, ±5… |
//! | `shape.crush` | `x` held for `sample_rate/rate_hz` samples, rounded to a step of `2^(1-bits)` |

use super::limit;
use super::spec::control;
use crate::KernelInit;
use crate::dsp::state::{copy_whole, stateless};
use crate::module::{Dsp, Module, output, port};
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Role, Unit};
use patchvm_vm::Kernel;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[TANH, CLIP, FOLD, CRUSH];

const IN: InputSpec = control("in", "the signal to shape", 0.0, (-1e6, 1e6), Unit::Signal);

const OUT: OutputSpec = OutputSpec {
    name: "out",
    doc: "the shaped signal",
    unit: Unit::Signal,
};

const DRIVE_RANGE: [f64; 2] = [0.0, 100.0];

const fn drive(doc: &'static str) -> InputSpec {
    control(
        "drive",
        doc,
        1.0,
        (DRIVE_RANGE[0], DRIVE_RANGE[1]),
        Unit::Linear,
    )
}

/// `shape.tanh`: soft saturation.
pub const TANH: Module = Module::kernel(
    ModuleSpec {
        name: "shape.tanh",
        doc: "soft saturation: tanh(drive·in), never beyond ±1",
        inputs: &[IN, drive("gain before the curve: higher saturates more")],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Curve(tanh)),
);

/// `shape.clip`: hard clipping.
pub const CLIP: Module = Module::kernel(
    ModuleSpec {
        name: "shape.clip",
        doc: "hard clip: the input limited to ±level",
        inputs: &[
            IN,
            control(
                "level",
                "the largest output magnitude",
                1.0,
                (0.0, 1e3),
                Unit::Linear,
            ),
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Curve(clip)),
);

/// `shape.fold`: a wave folder.
pub const FOLD: Module = Module::kernel(
    ModuleSpec {
        name: "shape.fold",
        doc: "wave folder: drive·in reflected back from ±1 until it lies within ±1",
        inputs: &[
            IN,
            drive("gain before folding: each 2 more folds the peak back once more"),
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Curve(fold)),
);

/// `shape.crush`: bit-crusher and sample-rate reducer.
pub const CRUSH: Module = Module::kernel(
    ModuleSpec {
        name: "shape.crush",
        doc: "bit-crusher: holds samples at rate_hz, rounds them to a step of 2^(1-bits)",
        inputs: &[
            IN,
            control(
                "bits",
                "resolution: a step of 2^(1-bits), so 1 gives -1, 0, 1; fractions fall between",
                8.0,
                (1.0, 24.0),
                Unit::Linear,
            ),
            control(
                "rate_hz",
                "how often a new sample is taken; at or above the sample rate, every sample",
                48_000.0,
                (1.0, 192_000.0),
                Unit::Hz,
            ),
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Crush::new(init)),
);

/// `tanh(drive·x)`.
#[inline]
fn tanh(x: f32, drive: f32) -> f32 {
    (limit(drive.into(), DRIVE_RANGE[0], DRIVE_RANGE[1]) as f32 * x).tanh()
}

/// `x` limited to `±level`. A NaN `x` stays NaN (it is a signal); a NaN level reads as 0.
#[inline]
fn clip(x: f32, level: f32) -> f32 {
    let level = level.max(0.0);
    x.clamp(-level, level)
}

/// `drive·x` reflected from ±1 until it lies within: a triangle wave of period 4 in `drive·x`,
/// equal to it on `-1..=1`.
#[inline]
fn fold(x: f32, drive: f32) -> f32 {
    let v = f64::from(x) * limit(drive.into(), DRIVE_RANGE[0], DRIVE_RANGE[1]);
    // Position within a period of 4, starting at v = -1 (where the triangle is -1).
    let t = (v + 1.0).rem_euclid(4.0);
    (if t < 2.0 { t - 1.0 } else { 3.0 - t }) as f32
}

/// A memoryless curve `out = f(in, setting)`.
struct Curve(fn(f32, f32) -> f32);

// Where `Curve` finds the ports of `shape.tanh` (and of `shape.clip`, `shape.fold`, laid out alike).
const TANH_IN: usize = port(&TANH.spec, "in");
const TANH_DRIVE: usize = port(&TANH.spec, "drive");
const TANH_OUT: usize = output(&TANH.spec, "out");

impl Dsp for Curve {
    /// Inputs `[in, drive]` or `[in, level]` (signal, linear), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [input, setting] = [inputs[TANH_IN], inputs[TANH_DRIVE]];
        for (i, out) in outputs[TANH_OUT].iter_mut().enumerate() {
            *out = (self.0)(input[i], setting[i]);
        }
    }

    fn reset(&mut self) {}

    /// Stateless: there is nothing to keep, so it is kept whenever `other` is the same kernel.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        stateless::<Self>(other)
    }
}

/// `shape.crush`: a sample-and-hold clocked at `rate_hz`, then a rounding quantiser.
#[derive(Clone)]
struct Crush {
    /// Time since the last sample taken, in units where one period of `rate_hz` is the sample
    /// rate: adding `rate_hz` each sample counts exactly for whole-hertz rates, so a rate that
    /// divides the sample rate holds every sample for the same whole number of samples.
    phase: f64,
    held: f32,
    sample_rate: f64,
}

impl Crush {
    fn new(init: &KernelInit) -> Crush {
        Crush {
            // due: the first sample is taken at once
            phase: init.sample_rate,
            held: 0.0,
            sample_rate: init.sample_rate,
        }
    }
}

// Where `Crush` finds the ports of `shape.crush`.
const CRUSH_IN: usize = port(&CRUSH.spec, "in");
const CRUSH_BITS: usize = port(&CRUSH.spec, "bits");
const CRUSH_RATE_HZ: usize = port(&CRUSH.spec, "rate_hz");
const CRUSH_OUT: usize = output(&CRUSH.spec, "out");

impl Dsp for Crush {
    /// Inputs `[in, bits, rate_hz]` (signal, linear, Hz), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [input, bits, rate] = [inputs[CRUSH_IN], inputs[CRUSH_BITS], inputs[CRUSH_RATE_HZ]];
        for (i, out) in outputs[CRUSH_OUT].iter_mut().enumerate() {
            if self.phase >= self.sample_rate {
                self.phase = (self.phase - self.sample_rate) % self.sample_rate;
                self.held = input[i];
            }
            self.phase += limit(rate[i].into(), 1.0, self.sample_rate);
            let step = 2_f64.powf(1.0 - limit(bits[i].into(), 1.0, 24.0));
            *out = ((f64::from(self.held) / step).round() * step) as f32;
        }
    }

    fn reset(&mut self) {
        self.phase = self.sample_rate;
        self.held = 0.0;
    }

    /// Keeps the held sample and the time since it was taken.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::run_module;

    /// `module` with `setting` held, applied to each of `inputs`.
    fn curve(module: &str, setting: (&str, f64), inputs: &[f32]) -> Vec<f32> {
        run_module(module, &[setting], &[("in", inputs)], inputs.len()).remove(0)
    }

    #[test]
    fn tanh_follows_its_curve() {
        let x = [-2.0, -0.5, 0.0, 0.1, 0.5, 1.0, 3.0];
        for drive in [0.5, 1.0, 4.0] {
            let out = curve("shape.tanh", ("drive", drive), &x);
            for (&x, &y) in x.iter().zip(&out) {
                let expected = (drive * f64::from(x)).tanh();
                assert!((f64::from(y) - expected).abs() < 1e-6, "{drive} {x}: {y}");
            }
        }
        // landmarks: tanh(1) at drive·x = 1; small signals pass at drive gain
        let out = curve("shape.tanh", ("drive", 2.0), &[0.5, 0.001, 100.0]);
        println!(
            "tanh drive 2: 0.5 -> {}, 0.001 -> {}, 100 -> {}",
            out[0], out[1], out[2]
        );
        assert!((out[0] - 0.761_594_2).abs() < 1e-6);
        assert!((out[1] - 0.002).abs() < 1e-8);
        assert_eq!(out[2], 1.0);
    }

    #[test]
    fn clip_limits_to_the_level() {
        let out = curve(
            "shape.clip",
            ("level", 0.5),
            &[-3.0, -0.5, -0.2, 0.0, 0.49, 0.51, 7.0],
        );
        assert_eq!(out, [-0.5, -0.5, -0.2, 0.0, 0.49, 0.5, 0.5]);
    }

    #[test]
    fn fold_reflects_at_the_fold_points() {
        // drive 2: folds where 2·x = ±1, ±3, ±5, i.e. x = ±0.5, ±1.5, ±2.5
        let x = [
            0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, -0.5, -0.75, -1.5,
        ];
        let expected = [
            0.0, 0.5, 1.0, 0.5, 0.0, -0.5, -1.0, 0.0, 1.0, -1.0, -0.5, 1.0,
        ];
        let out = curve("shape.fold", ("drive", 2.0), &x);
        println!("fold drive 2: {x:?} -> {out:?}");
        for ((&x, &y), &e) in x.iter().zip(&out).zip(&expected) {
            assert!((y - e).abs() < 1e-6, "{x}: {y}, expected {e}");
        }
        // below the first fold point it is the identity times drive
        let out = curve("shape.fold", ("drive", 1.0), &[0.3, -0.9]);
        assert_eq!(out, [0.3, -0.9]);
    }

    #[test]
    fn crush_quantizes_to_its_step_and_holds_for_its_rate() {
        let len = 480;
        let ramp: Vec<f32> = (0..len)
            .map(|n| n as f32 / len as f32 * 2.0 - 1.0)
            .collect();
        // rate 4800 Hz at 48 kHz: each value held exactly 10 samples; 3 bits: a step of 1/4
        let out = run_module(
            "shape.crush",
            &[("bits", 3.0), ("rate_hz", 4_800.0)],
            &[("in", &ramp)],
            len,
        )
        .remove(0);
        let mut runs = vec![1];
        for pair in out.windows(2) {
            if pair[1] == pair[0] {
                *runs.last_mut().unwrap() += 1;
            } else {
                runs.push(1);
            }
        }
        let levels: Vec<f32> = out.iter().copied().fold(Vec::new(), |mut v, x| {
            if v.last() != Some(&x) {
                v.push(x);
            }
            v
        });
        println!("crush 3 bits 4800 Hz: levels {levels:?}, runs {runs:?}");
        assert!(levels.windows(2).all(|w| (w[1] - w[0] - 0.25).abs() < 1e-7));
        assert!(out.iter().all(|&x| (x * 4.0).fract() == 0.0));
        // each held value is the input at the sample taken, rounded
        for start in (0..len).step_by(10) {
            let expected = (ramp[start] * 4.0).round() / 4.0;
            assert!(out[start..start + 10].iter().all(|&x| x == expected));
        }
        // a rate that does not divide the sample rate: holds of 6 and 7 samples averaging
        // 48 000 / 7 000
        let out = run_module(
            "shape.crush",
            &[("bits", 24.0), ("rate_hz", 7_000.0)],
            &[("in", &ramp)],
            len,
        )
        .remove(0);
        let changes = out.windows(2).filter(|w| w[1] != w[0]).count();
        println!(
            "crush 7000 Hz: {changes} changes in {len} samples ({:.2} expected)",
            len as f64 * 7.0 / 48.0
        );
        assert!((changes as f64 - len as f64 * 7.0 / 48.0).abs() <= 1.0);
    }
}
