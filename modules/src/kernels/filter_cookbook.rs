//! Filters: `filter.lowpass` and the other RBJ-cookbook biquads, `filter.highpass`,
//! `filter.bandpass`, `filter.notch`, `filter.peak`, `filter.lowshelf`, `filter.highshelf` and
//! `filter.allpass`. The other filters are in [`filter_models`](super::filter_models).
//!
//! `filter.lowpass` is a 2-pole resonant low-pass: Andrew Simper's trapezoidal
//! (topology-preserving) state-variable filter, run natively in `f64` on `f32` signals
//! (`dsp::svf_lowpass`). Its
//! response is exactly the bilinear transform, prewarped at the cutoff, of `1 / (s² + s/q + 1)`:
//! the RBJ cookbook low-pass. The state-variable form stays stable and free of zipper noise
//! while `cutoff` and `q` move every sample, where a direct-form biquad does not. The kernel
//! limits `cutoff` to 1 Hz..0.49·sample rate and `q` to 0.1..40 (NaN at the bottom), so no
//! setting makes it unstable; it redesigns its coefficients (a `tan`) only in a sample whose
//! settings differ from the sample before. A non-finite state (from a non-finite input) is
//! cleared, so the filter recovers when its input does.
//!
//! It runs in lanes: the compiler groups up to sixteen `filter.lowpass` nodes of a patch's voices
//! into one call, which steps the filters' recursions together, eight to a vector (two
//! vectors, two independent chains, for more than eight), each lane
//! computing exactly what its node alone computes. Measured (bench-peers w2, 64 voices of saw
//! → low-pass, 60 s renders, CPU time against the hand-written scalar loop there): fundsp's
//! `Svf` in `f64`, which this kernel used before, cost 1.05 times that whole loop for the
//! low-pass alone, one sample at a time; see the README's performance section for the lanes.
//! The other cookbook filters run the shared `f64` core one sample at a time.

use super::{limit, param};
use crate::KernelInit;
use crate::dsp::state::{copy_with, same};
use crate::dsp::svf::{Response, Settings, Svf};
use crate::dsp::svf_lowpass;
use crate::module::{Build, Dsp, Module, StateFamily, lane, output, port};
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};
use patchvm_vm::{Kernel, KernelRef, MAX_LANES};

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[
    LOWPASS, HIGHPASS, BANDPASS, NOTCH, PEAK, LOWSHELF, HIGHSHELF, ALLPASS,
];

/// The smallest cutoff the kernels use, in hertz.
pub(crate) const MIN_CUTOFF_HZ: f64 = 1.0;
/// The largest cutoff the kernels use, as a fraction of the sample rate.
pub(crate) const MAX_CUTOFF: f64 = 0.49;
/// The range of `q` the kernels use.
pub(crate) const Q_RANGE: (f64, f64) = (0.1, 40.0);

/// `filter.lowpass`: a resonant 2-pole low-pass.
pub const LOWPASS: Module = Module::kernel(
    ModuleSpec {
        name: "filter.lowpass",
        doc: "resonant 2-pole low-pass (12 dB/octave), the RBJ cookbook response",
        inputs: &[
            InputSpec {
                name: "in",
                doc: "the signal to filter",
                default: 0.0,
                min: -1e6,
                max: 1e6,
                unit: Unit::Signal,
                rate: Rate::Audio,
                breaks_cycles: false,
            },
            InputSpec {
                name: "cutoff",
                doc: "cutoff frequency (-3 dB at q 0.707), limited to 0.49 of the sample rate",
                default: 1000.0,
                min: MIN_CUTOFF_HZ,
                max: 20_000.0,
                unit: Unit::Hz,
                rate: Rate::Audio,
                breaks_cycles: false,
            },
            InputSpec {
                name: "q",
                doc: "resonance: 0.707 is flat, higher peaks at the cutoff by about 20·log10(q) dB",
                default: 0.707,
                min: Q_RANGE.0,
                max: Q_RANGE.1,
                unit: Unit::Linear,
                rate: Rate::Audio,
                breaks_cycles: false,
            },
        ],
        outputs: &[OutputSpec {
            name: "out",
            doc: "the filtered signal",
            unit: Unit::Signal,
        }],
        role: Role::Kernel,
    },
    |init| init.kernel(Lowpass::new(init)),
)
.lanes();

/// `filter.lowpass`: [`svf_lowpass::Lowpass`].
#[derive(Clone, Debug)]
struct Lowpass(svf_lowpass::Lowpass);

impl Lowpass {
    fn new(init: &KernelInit) -> Lowpass {
        Lowpass(svf_lowpass::Lowpass::new(
            param(&LOWPASS.spec, init, "cutoff") as f32,
            param(&LOWPASS.spec, init, "q") as f32,
            init.sample_rate,
        ))
    }
}

// Where `Lowpass` finds the ports of `filter.lowpass`.
const LOWPASS_IN: usize = port(&LOWPASS.spec, "in");
const LOWPASS_CUTOFF: usize = port(&LOWPASS.spec, "cutoff");
const LOWPASS_Q: usize = port(&LOWPASS.spec, "q");
const LOWPASS_OUT: usize = output(&LOWPASS.spec, "out");

impl Dsp for Lowpass {
    /// Inputs `[in, cutoff, q]` (signal, Hz, linear), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        self.0.run(
            inputs[LOWPASS_IN],
            inputs[LOWPASS_CUTOFF],
            inputs[LOWPASS_Q],
            &mut *outputs[LOWPASS_OUT],
        );
    }

    /// Up to sixteen filters, eight to a vector, when every lane's settings hold still in the
    /// block.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process_lanes(
        &mut self,
        rest: &mut [KernelRef],
        inputs: &[&[f32]],
        outputs: &mut [&mut [f32]],
    ) -> bool {
        let lanes = 1 + rest.len();
        if lanes > MAX_LANES {
            return false;
        }
        let mut filters: [Option<&mut svf_lowpass::Lowpass>; MAX_LANES] = Default::default();
        filters[0] = Some(&mut self.0);
        for (slot, other) in filters[1..].iter_mut().zip(rest.iter_mut()) {
            *slot = lane::<Lowpass>(other).map(|lowpass| &mut lowpass.0);
        }
        let (ins, rest) = inputs.split_at(lanes);
        let (cutoffs, qs) = rest.split_at(lanes);
        svf_lowpass::run_lanes(&mut filters[..lanes], ins, cutoffs, qs, outputs)
    }

    fn reset(&mut self) {
        self.0.clear();
    }

    /// Keeps the filter's memory.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other| this.0.take_over(&other.0))
    }
}

/// The largest and smallest boost or cut of the peak and shelf filters, in decibels.
const GAIN_DB_RANGE: f64 = 48.0;

// The cookbook filters other than `filter.lowpass`: one native kernel over
// `dsp::svf::Svf`, Simper's trapezoidal state-variable filter mixed to each cookbook
// response, in `f64`. Native rather than fundsp: fundsp's `Svf` has these modes, one node per
// mode, but `filter.svf` needs all of its signals at once and sharing one core keeps one
// implementation for both; the core costs about what fundsp's `tick` does (the lowpass's
// figures), and recomputes its coefficients only when a setting changes. The direct form
// (TDF-II) that was tried first diverged under fast extreme modulation; see the core's docs.

/// Input `in` of every filter.
pub(super) const IN: InputSpec = InputSpec {
    name: "in",
    doc: "the signal to filter",
    default: 0.0,
    min: -1e6,
    max: 1e6,
    unit: Unit::Signal,
    rate: Rate::Audio,
    breaks_cycles: false,
};

/// Input `cutoff` of the cookbook filters and the state-variable filter.
pub(super) const CUTOFF: InputSpec = InputSpec {
    name: "cutoff",
    doc: "cutoff or centre frequency, limited to 0.49 of the sample rate",
    default: 1000.0,
    min: MIN_CUTOFF_HZ,
    max: 20_000.0,
    unit: Unit::Hz,
    rate: Rate::Audio,
    breaks_cycles: false,
};

/// Input `q` of the cookbook filters and the state-variable filter.
pub(super) const Q: InputSpec = InputSpec {
    name: "q",
    doc: "quality factor: higher is narrower or more resonant; 0.707 is the flattest",
    default: 0.707,
    min: Q_RANGE.0,
    max: Q_RANGE.1,
    unit: Unit::Linear,
    rate: Rate::Audio,
    breaks_cycles: false,
};

const GAIN_DB: InputSpec = InputSpec {
    name: "gain_db",
    doc: "boost (above 0) or cut (below 0) in decibels",
    default: 0.0,
    min: -GAIN_DB_RANGE,
    max: GAIN_DB_RANGE,
    unit: Unit::Decibels,
    rate: Rate::Audio,
    breaks_cycles: false,
};

const OUT: OutputSpec = OutputSpec {
    name: "out",
    doc: "the filtered signal",
    unit: Unit::Signal,
};

const fn spec(name: &'static str, doc: &'static str, gain: bool) -> ModuleSpec {
    ModuleSpec {
        name,
        doc,
        inputs: if gain {
            &[IN, CUTOFF, Q, GAIN_DB]
        } else {
            &[IN, CUTOFF, Q]
        },
        outputs: &[OUT],
        role: Role::Kernel,
    }
}

/// `filter.highpass`: a resonant 2-pole high-pass.
pub const HIGHPASS: Module = Module::kernel(
    spec(
        "filter.highpass",
        "resonant 2-pole high-pass (12 dB/octave), the RBJ cookbook response",
        false,
    ),
    |init| Rbj::build(Response::Highpass, init),
)
.family(StateFamily::StateVariable);
/// `filter.bandpass`: a 2-pole band-pass with 0 dB at its centre.
pub const BANDPASS: Module = Module::kernel(
    spec(
        "filter.bandpass",
        "2-pole band-pass, 0 dB at the centre frequency whatever q is (RBJ cookbook)",
        false,
    ),
    |init| Rbj::build(Response::Bandpass, init),
)
.family(StateFamily::StateVariable);
/// `filter.notch`: a 2-pole band-reject.
pub const NOTCH: Module = Module::kernel(
    spec(
        "filter.notch",
        "2-pole notch: silences the centre frequency, q sets the width (RBJ cookbook)",
        false,
    ),
    |init| Rbj::build(Response::Notch, init),
)
.family(StateFamily::StateVariable);
/// `filter.peak`: a bell equaliser band.
pub const PEAK: Module = Module::kernel(
    spec(
        "filter.peak",
        "peaking (bell) equaliser: gain_db at the centre, 0 dB far from it (RBJ cookbook)",
        true,
    ),
    |init| Rbj::build(Response::Peak, init),
)
.family(StateFamily::StateVariable);
/// `filter.lowshelf`: a low shelving equaliser.
pub const LOWSHELF: Module = Module::kernel(
    spec(
        "filter.lowshelf",
        "low shelf: gain_db below the cutoff, 0 dB above, half the gain at it (RBJ cookbook)",
        true,
    ),
    |init| Rbj::build(Response::LowShelf, init),
)
.family(StateFamily::StateVariable);
/// `filter.highshelf`: a high shelving equaliser.
pub const HIGHSHELF: Module = Module::kernel(
    spec(
        "filter.highshelf",
        "high shelf: gain_db above the cutoff, 0 dB below, half the gain at it (RBJ cookbook)",
        true,
    ),
    |init| Rbj::build(Response::HighShelf, init),
)
.family(StateFamily::StateVariable);
/// `filter.allpass`: a 2-pole all-pass.
pub const ALLPASS: Module = Module::kernel(
    spec(
        "filter.allpass",
        "2-pole all-pass: unit gain, phase falling through -180° at the cutoff (RBJ cookbook)",
        false,
    ),
    |init| Rbj::build(Response::Allpass, init),
)
.family(StateFamily::StateVariable);

/// A cookbook biquad whose settings are limited to a range it computes well in.
struct Rbj {
    biquad: Svf,
    max_cutoff: f32,
}

impl Rbj {
    fn build(response: Response, init: &Build) -> Box<dyn Kernel> {
        let spec = init.spec();
        let has_gain = spec.inputs.len() == 4;
        let max_cutoff = (MAX_CUTOFF * init.sample_rate) as f32;
        let gain_db = if has_gain {
            param(spec, init, "gain_db") as f32
        } else {
            0.0
        };
        let settings = limited(
            [
                param(spec, init, "cutoff") as f32,
                param(spec, init, "q") as f32,
                gain_db,
            ],
            max_cutoff,
        );
        init.kernel(Rbj {
            biquad: Svf::new(response, settings, init.sample_rate),
            max_cutoff,
        })
    }
}

/// `[cutoff, q, gain_db]` limited to the filters' ranges, NaN reading as the bottom.
#[inline]
pub(super) fn limited([cutoff, q, gain_db]: [f32; 3], max_cutoff: f32) -> Settings {
    Settings {
        cutoff: limit(cutoff.into(), MIN_CUTOFF_HZ, max_cutoff.into()) as f32,
        q: limit(q.into(), Q_RANGE.0, Q_RANGE.1) as f32,
        gain_db: limit(gain_db.into(), -GAIN_DB_RANGE, GAIN_DB_RANGE) as f32,
    }
}

// Where `Rbj` finds the ports of `filter.highpass` (and of `filter.bandpass`, `filter.notch`, `filter.peak`, `filter.lowshelf`, `filter.highshelf`, `filter.allpass`, laid out alike).
const HIGHPASS_IN: usize = port(&HIGHPASS.spec, "in");
const HIGHPASS_CUTOFF: usize = port(&HIGHPASS.spec, "cutoff");
const HIGHPASS_Q: usize = port(&HIGHPASS.spec, "q");
const HIGHPASS_OUT: usize = output(&HIGHPASS.spec, "out");
const PEAK_GAIN_DB: usize = port(&PEAK.spec, "gain_db");

impl Dsp for Rbj {
    /// Inputs `[in, cutoff, q]` (signal, Hz, linear), and `gain_db` (dB) for the peak and
    /// shelves; outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [input, cutoff, q] = [
            inputs[HIGHPASS_IN],
            inputs[HIGHPASS_CUTOFF],
            inputs[HIGHPASS_Q],
        ];
        // Only the peak and shelves have `gain_db`, after the three ports they share.
        let gain = inputs.get(PEAK_GAIN_DB).copied();
        for (i, out) in outputs[HIGHPASS_OUT].iter_mut().enumerate() {
            let gain_db = gain.map_or(0.0, |gain| gain[i]);
            let settings = limited([cutoff[i], q[i], gain_db], self.max_cutoff);
            *out = self.biquad.tick(input[i], settings);
        }
    }

    fn reset(&mut self) {
        // The coefficients always match the stored settings, so clearing the state
        // returns to the built behaviour.
        self.biquad.clear();
    }

    /// Keeps the filter's memory, and takes over that of any filter of the family
    /// ([`StateFamily::StateVariable`]); the response stays this kernel's.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        take_over_core(&mut self.biquad, other)
    }
}

/// Takes over the integrators' memory of `other`, a kernel of any module of
/// [`StateFamily::StateVariable`] (a cookbook filter of another response, `filter.svf`), so
/// what the filter holds rings on through the new response. Returns whether `other` was of
/// the family.
///
/// Real-time safe: copies two numbers; does not allocate.
pub(super) fn take_over_core(core: &mut Svf, other: &dyn Kernel) -> bool {
    let other = same::<Rbj>(other)
        .map(|rbj| &rbj.biquad)
        .or_else(|| super::filter_models::svf_core(other));
    other.map(|other| core.take_over(other)).is_some()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Run, SR, constant, kernel, rms, sine_wave, white_noise};

    use std::f64::consts::TAU;

    /// The RBJ cookbook low-pass's gain in dB at `freq`, from its biquad coefficients.
    fn rbj_gain_db(freq: f64, cutoff: f64, q: f64) -> f64 {
        let w0 = TAU * cutoff / SR;
        let alpha = w0.sin() / (2.0 * q);
        let cos_w0 = w0.cos();
        let b = [(1.0 - cos_w0) / 2.0, 1.0 - cos_w0, (1.0 - cos_w0) / 2.0];
        let a = [1.0 + alpha, -2.0 * cos_w0, 1.0 - alpha];
        // H(e^jw) = (b0 + b1 z^-1 + b2 z^-2) / (a0 + a1 z^-1 + a2 z^-2)
        let w = TAU * freq / SR;
        let eval = |c: [f64; 3]| {
            let re = c[0] + c[1] * w.cos() + c[2] * (2.0 * w).cos();
            let im = -c[1] * w.sin() - c[2] * (2.0 * w).sin();
            re.hypot(im)
        };
        20.0 * (eval(b) / eval(a)).log10()
    }

    /// The filter's steady-state gain in dB for a sine at `freq`, measured by RMS over the
    /// second half of one second (a whole number of periods of every test frequency).
    fn measured_gain_db(freq: f64, cutoff: f32, q: f32) -> f64 {
        let len = 48_000;
        let input = sine_wave(freq, len);
        let (cutoff, q) = (constant(cutoff, len), constant(q, len));
        let out = Run::new(&[&input, &cutoff, &q], len).on(kernel("filter.lowpass", &[]).as_mut());
        20.0 * (rms(&out[len / 2..]) / rms(&input[len / 2..])).log10()
    }

    #[test]
    fn gain_matches_the_rbj_bilinear_lowpass() {
        for q in [0.707, 4.0] {
            for freq in [100.0, 500.0, 1000.0, 2000.0, 5000.0, 10_000.0, 20_000.0] {
                let expected = rbj_gain_db(freq, 1000.0, f64::from(q));
                let measured = measured_gain_db(freq, 1000.0, q);
                println!(
                    "lowpass 1000 Hz q {q}: at {freq} Hz {measured:.3} dB, RBJ {expected:.3} dB, \
                     error {:+.1e} dB",
                    measured - expected
                );
                assert!((measured - expected).abs() < 0.1);
            }
        }
        // -3 dB at the cutoff for q 0.707, +20·log10(4) at the cutoff for q 4
        assert!(
            (measured_gain_db(1000.0, 1000.0, std::f32::consts::FRAC_1_SQRT_2) + 3.0103).abs()
                < 0.01
        );
        assert!((measured_gain_db(1000.0, 1000.0, 4.0) - 12.041).abs() < 0.01);
    }

    #[test]
    fn extreme_and_invalid_settings_stay_finite() {
        let len = 48_000;
        let input: Vec<f32> = sine_wave(3000.0, len).iter().map(|x| x * 100.0).collect();
        let cutoff: Vec<f32> = (0..len)
            .map(|n| match n % 5 {
                0 => f32::NAN,
                1 => 1e9,
                2 => -5.0,
                3 => 20.0 + (n % 1000) as f32 * 20.0,
                _ => 23_999.0,
            })
            .collect();
        let q: Vec<f32> = (0..len)
            .map(|n| [f32::NAN, 0.0, 1e6, -1.0, 40.0][n % 7 % 5])
            .collect();
        let out = Run::new(&[&input, &cutoff, &q], len).on(kernel("filter.lowpass", &[]).as_mut());
        let top = out.iter().fold(0.0_f32, |m, x| m.max(x.abs()));
        println!("lowpass under wild modulation: peak {top}");
        assert!(out.iter().all(|x| x.is_finite()));
        // q at most 40: the gain never exceeds 40 (32 dB) on a sine of amplitude 100
        assert!(top < 100.0 * 40.0 * 1.5);
    }

    #[test]
    fn recovers_from_a_non_finite_input() {
        let len = 4_800;
        let mut input = sine_wave(440.0, len);
        input[100] = f32::NAN;
        input[200] = f32::INFINITY;
        let (cutoff, q) = (constant(1000.0, len), constant(4.0, len));
        let out = Run::new(&[&input, &cutoff, &q], len).on(kernel("filter.lowpass", &[]).as_mut());
        assert!(out[201..].iter().all(|x| x.is_finite()));
        assert!(out[1_000..].iter().any(|&x| x.abs() > 0.5));
    }

    #[test]
    fn dc_passes_with_unit_gain() {
        let len = 10_000;
        let (ones, cutoff, q) = (constant(1.0, len), constant(50.0, len), constant(0.5, len));
        let out = Run::new(&[&ones, &cutoff, &q], len).on(kernel("filter.lowpass", &[]).as_mut());
        println!("dc {}", out[len - 1]);
        assert!((out[len - 1] - 1.0).abs() < 1e-6);
    }

    mod biquads {
        use super::super::super::test_support::{
            Run, bilinear_s, constant, db, kernel, response, sine_wave,
        };
        use num_complex::Complex64;

        /// The analog prototype of `module` (normalised to a cutoff of 1) at `s`.
        fn prototype(module: &str, s: Complex64, q: f64, gain_db: f64) -> Complex64 {
            let a = 10_f64.powf(gain_db / 40.0);
            let quadratic = |c2: f64, c1: f64, c0: f64| c2 * s * s + c1 * s + c0;
            let denominator = quadratic(1.0, 1.0 / q, 1.0);
            match module {
                "filter.highpass" => s * s / denominator,
                "filter.bandpass" => s / q / denominator,
                "filter.notch" => quadratic(1.0, 0.0, 1.0) / denominator,
                "filter.allpass" => quadratic(1.0, -1.0 / q, 1.0) / denominator,
                "filter.peak" => quadratic(1.0, a / q, 1.0) / quadratic(1.0, 1.0 / (a * q), 1.0),
                "filter.lowshelf" => {
                    a * quadratic(1.0, a.sqrt() / q, a) / quadratic(a, a.sqrt() / q, 1.0)
                }
                "filter.highshelf" => {
                    a * quadratic(a, a.sqrt() / q, 1.0) / quadratic(1.0, a.sqrt() / q, a)
                }
                _ => unreachable!("{module} is not a biquad"),
            }
        }

        /// The complex response of `module` to a sine at `freq`, measured from half a second.
        fn measured(module: &str, freq: f64, cutoff: f32, q: f32, gain_db: f32) -> Complex64 {
            let len = 24_000;
            let input = sine_wave(freq, len);
            let (c, q, g) = (
                constant(cutoff, len),
                constant(q, len),
                constant(gain_db, len),
            );
            let mut filter = kernel(module, &[]);
            let inputs: Vec<&[f32]> = if filter.shape().inputs == 4 {
                vec![&input, &c, &q, &g]
            } else {
                vec![&input, &c, &q]
            };
            let out = Run::new(&inputs, len).on(filter.as_mut());
            response(&input, &out, freq)
        }

        /// Frequencies with a whole number of periods in the measured quarter second.
        const FREQS: [f64; 8] = [
            100.0, 400.0, 800.0, 1000.0, 1252.0, 2000.0, 5000.0, 16_000.0,
        ];

        #[test]
        fn every_mode_matches_its_analog_prototype_through_the_bilinear_transform() {
            let modes = [
                ("filter.highpass", 0.0),
                ("filter.bandpass", 0.0),
                ("filter.notch", 0.0),
                ("filter.allpass", 0.0),
                ("filter.peak", 9.0),
                ("filter.peak", -15.0),
                ("filter.lowshelf", 6.0),
                ("filter.lowshelf", -12.0),
                ("filter.highshelf", 6.0),
                ("filter.highshelf", -12.0),
            ];
            for (module, gain_db) in modes {
                for q in [0.707_f32, 3.0] {
                    let mut worst = 0.0_f64;
                    for freq in FREQS {
                        let expected =
                            prototype(module, bilinear_s(freq, 1000.0), q.into(), gain_db);
                        let got = measured(module, freq, 1000.0, q, gain_db as f32);
                        let error = db(got.norm()) - db(expected.norm());
                        // Skip the notch's centre, where both are -inf dB (checked below).
                        if expected.norm() > 1e-3 {
                            worst = worst.max(error.abs());
                            assert!(
                                error.abs() < 0.1,
                                "{module} q {q} gain {gain_db}: at {freq} Hz {:.3} dB, \
                                 expected {:.3} dB",
                                db(got.norm()),
                                db(expected.norm())
                            );
                        }
                    }
                    println!("{module} q {q} gain {gain_db} dB: worst error {worst:.1e} dB");
                }
            }
        }

        #[test]
        fn landmarks_of_each_response() {
            let gain =
                |module, freq, q, gain_db| db(measured(module, freq, 1000.0, q, gain_db).norm());
            // band-pass: 0 dB at the centre for any q
            for q in [0.5, 2.0, 10.0] {
                assert!(gain("filter.bandpass", 1000.0, q, 0.0).abs() < 0.01);
            }
            // notch: the centre is gone
            let notch = gain("filter.notch", 1000.0, 0.707, 0.0);
            println!("notch centre {notch:.1} dB");
            assert!(notch < -80.0);
            // peak: gain_db at the centre; shelves: half of it at the cutoff, all of it far out
            assert!((gain("filter.peak", 1000.0, 1.0, 9.0) - 9.0).abs() < 0.01);
            assert!((gain("filter.lowshelf", 1000.0, 0.707, -12.0) + 6.0).abs() < 0.01);
            assert!((gain("filter.lowshelf", 100.0, 0.707, -12.0) + 12.0).abs() < 0.1);
            assert!((gain("filter.highshelf", 1000.0, 0.707, 6.0) - 3.0).abs() < 0.01);
            assert!((gain("filter.highshelf", 16_000.0, 0.707, 6.0) - 6.0).abs() < 0.1);
            // high-pass: -3 dB at the cutoff for q 0.707, 12 dB/octave well below it
            assert!((gain("filter.highpass", 1000.0, 0.707, 0.0) + 3.01).abs() < 0.01);
            let slope = gain("filter.highpass", 200.0, 0.707, 0.0)
                - gain("filter.highpass", 100.0, 0.707, 0.0);
            assert!((slope - 12.0).abs() < 0.1, "{slope}");
        }

        #[test]
        fn allpass_phase_is_minus_180_degrees_at_the_cutoff() {
            for (freq, q) in [(1000.0, 0.707), (400.0, 0.707), (2000.0, 3.0)] {
                let got = measured("filter.allpass", freq, 1000.0, q, 0.0);
                let expected = prototype("filter.allpass", bilinear_s(freq, 1000.0), q.into(), 0.0);
                let error = (got / expected).arg().to_degrees();
                println!(
                    "allpass at {freq} Hz q {q}: phase {:.2}°, expected {:.2}°",
                    got.arg().to_degrees(),
                    expected.arg().to_degrees()
                );
                assert!(error.abs() < 0.1);
                assert!((got.norm() - 1.0).abs() < 1e-3);
            }
            let centre = measured("filter.allpass", 1000.0, 1000.0, 0.707, 0.0);
            assert!((centre.arg().abs().to_degrees() - 180.0).abs() < 0.1);
        }

        #[test]
        fn wild_settings_stay_finite() {
            let len = 24_000;
            let input: Vec<f32> = sine_wave(3000.0, len).iter().map(|x| x * 100.0).collect();
            let cutoff: Vec<f32> = (0..len)
                .map(|n| [f32::NAN, 1e9, -5.0, 23_999.0, 20.0][n / 50 % 5])
                .collect();
            let q: Vec<f32> = (0..len)
                .map(|n| [f32::NAN, 0.0, 1e6, -1.0, 40.0][n / 70 % 5])
                .collect();
            let gain: Vec<f32> = (0..len)
                .map(|n| [f32::NAN, 1e9, -1e9, 48.0][n / 90 % 4])
                .collect();
            for module in [
                "filter.highpass",
                "filter.bandpass",
                "filter.notch",
                "filter.allpass",
                "filter.peak",
                "filter.lowshelf",
                "filter.highshelf",
            ] {
                let mut filter = kernel(module, &[]);
                let inputs: Vec<&[f32]> = if filter.shape().inputs == 4 {
                    vec![&input, &cutoff, &q, &gain]
                } else {
                    vec![&input, &cutoff, &q]
                };
                let out = Run::new(&inputs, len).on(filter.as_mut());
                let top = out.iter().fold(0.0_f32, |m, x| m.max(x.abs()));
                println!("{module} under wild modulation: peak {top}");
                // input 100, at most +48 dB of gain and a resonance of q 40 on top
                assert!(out.iter().all(|x| x.is_finite()) && top < 1e7, "{module}");
            }
        }
    }

    /// The filters of one state-variable core, and whether each has `gain_db`.
    const STATE_VARIABLE_FAMILY: [(&str, bool); 8] = [
        ("filter.highpass", false),
        ("filter.bandpass", false),
        ("filter.notch", false),
        ("filter.peak", true),
        ("filter.lowshelf", true),
        ("filter.highshelf", true),
        ("filter.allpass", false),
        ("filter.svf", false),
    ];

    /// Runs a filter of the family on `x` at 1 kHz, q 4, with `gain_db` if it `has_gain`.
    fn filter(
        has_gain: bool,
        x: &[f32],
        gain_db: &[f32],
        kernel: &mut dyn patchvm_vm::Kernel,
    ) -> Vec<f32> {
        let len = x.len();
        let (cutoff, q) = (constant(1000.0, len), constant(4.0, len));
        let mut inputs: Vec<&[f32]> = vec![x, &cutoff, &q];
        if has_gain {
            inputs.push(gain_db);
        }
        Run::new(&inputs, len).on(kernel)
    }

    /// A filter built at 1 kHz, q 4, with `gain_db` if it has one.
    fn built((module, has_gain): (&str, bool), gain_db: f64) -> Box<dyn patchvm_vm::Kernel> {
        let gain: &[(&str, f64)] = &[("gain_db", gain_db)];
        let settings = [("cutoff", 1000.0), ("q", 4.0)];
        let overrides: Vec<(&str, f64)> = settings
            .iter()
            .chain(if has_gain { gain } else { &[] })
            .copied()
            .collect();
        kernel(module, &overrides)
    }

    /// Each filter of the family takes over each one's memory (a live edit changing a node's
    /// response): noise through the old filter (the peak and shelves flat, at 0 dB, so every
    /// old filter's integrators move alike), then the new one (the peak and shelves at +6 dB)
    /// gives, sample for sample, what one filter of the new kind gives when its gain alone
    /// moves at that sample; one started cold does not.
    #[test]
    fn every_state_variable_filter_takes_over_every_other_s_memory() {
        const BEFORE: usize = 100;
        const AFTER: usize = 200;
        let x = white_noise(7, BEFORE + AFTER);
        let gain: Vec<f32> = (0..BEFORE + AFTER)
            .map(|n| if n < BEFORE { 0.0 } else { 6.0 })
            .collect();
        for from in STATE_VARIABLE_FAMILY {
            for to in STATE_VARIABLE_FAMILY {
                let mut old = built(from, 0.0);
                filter(from.1, &x[..BEFORE], &gain[..BEFORE], old.as_mut());
                let mut new = built(to, 6.0);
                let mut cold = built(to, 6.0);
                assert!(new.copy_state_from(&*old), "{from:?} into {to:?}");
                let out = filter(to.1, &x[BEFORE..], &gain[BEFORE..], new.as_mut());
                let cold = filter(to.1, &x[BEFORE..], &gain[BEFORE..], cold.as_mut());
                let reference = filter(to.1, &x, &gain, built(to, 0.0).as_mut());
                for (n, (&y, &r)) in out.iter().zip(&reference[BEFORE..]).enumerate() {
                    assert!(
                        (y - r).abs() < 1e-5,
                        "{from:?} into {to:?}, sample {n}: {y}, expected {r}"
                    );
                }
                let off = cold
                    .iter()
                    .zip(&reference[BEFORE..])
                    .fold(0.0_f32, |off, (c, r)| off.max((c - r).abs()));
                assert!(
                    off > 0.01,
                    "{from:?} into {to:?}: memory made no difference"
                );
            }
        }
        let mut notch = kernel("filter.notch", &[]);
        assert!(
            !notch.copy_state_from(&*kernel("filter.lowpass", &[])),
            "not of the family"
        );
    }
}
