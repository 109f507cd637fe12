//! Noise: `noise.white`, `noise.pink`, `noise.brown`.
//!
//! All three start from the same uniform white noise in `[-1, 1)`, drawn from a
//! `rand_pcg::Pcg32` seeded with [`KernelInit::seed`], which the engine has already combined
//! from the render seed, the node's `seed` parameter and its id. PCG's output for a seed is
//! fixed across versions, so a render is reproducible. Each sample takes the top 24 bits of one
//! 32-bit draw: exactly the `f32` values `k / 2^23 - 1`, so the mean is `-2^-24` and the RMS
//! `1/√3`.
//!
//! | module | spectrum | from the white noise by | RMS |
//! |---|---|---|---|
//! | `noise.white` | flat | nothing | `1/√3` ≈ 0.577 |
//! | `noise.pink` | -3 dB/octave (power ∝ 1/f) | Paul Kellet's refined pinking filter | ≈ 0.204 |
//! | `noise.brown` | -6 dB/octave (power ∝ 1/f²) above 10 Hz | a leaky integrator | 0.2 |
//!
//! Both filters are fundsp's, run sample by sample with `tick` in `f64`: `Pinkpass` (Kellet's
//! sum of six one-pole filters, ±0.05 dB of 1/f above 9.2 Hz at 44.1 kHz; its coefficients are
//! fixed, so at 48 kHz the 1/f band starts near 10 Hz) and `Lowpole` with its corner at 10 Hz
//! (the leak that keeps the integrated noise from wandering off; below 10 Hz the spectrum is
//! flat). Each is a handful of multiply-adds a sample, the same code a native kernel would
//! have. The pink noise keeps fundsp's normalisation (`0.1158`); the brown noise is scaled from
//! the filter's corner so its RMS is 0.2 at any sample rate, leaving peaks of 1 five standard
//! deviations out. Neither output is clipped.

use crate::KernelInit;
use crate::dsp::rng::Seeded;
use crate::dsp::state::copy_if;
use crate::module::{Dsp, Module, output};
use fundsp::audionode::AudioNode;
use fundsp::filter::{Lowpole, Pinkpass};
use fundsp::typenum::U1;
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};
use patchvm_vm::Kernel;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[WHITE, PINK, BROWN];

pub(super) const SEED: InputSpec = InputSpec {
    name: "seed",
    doc: "picks the sequence, together with the render seed and the node id",
    default: 0.0,
    min: 0.0,
    max: u32::MAX as f64,
    unit: Unit::Integer,
    rate: Rate::Init,
    breaks_cycles: false,
};

/// `noise.white`: uniform white noise.
pub const WHITE: Module = Module::kernel(
    ModuleSpec {
        name: "noise.white",
        doc: "uniform white noise in -1..1, reproducible from its seed",
        inputs: &[SEED],
        outputs: &[OutputSpec {
            name: "out",
            doc: "the noise, uniform in -1..1",
            unit: Unit::Signal,
        }],
        role: Role::Kernel,
    },
    |init| init.kernel(Noise::<White>::new(init)),
);

/// `noise.pink`: pink noise, equal power per octave.
pub const PINK: Module = Module::kernel(
    ModuleSpec {
        name: "noise.pink",
        doc: "pink noise (-3 dB/octave, Kellet's filter on white noise), RMS about 0.2, seeded",
        inputs: &[SEED],
        outputs: &[OutputSpec {
            name: "out",
            doc: "the noise, RMS about 0.204",
            unit: Unit::Signal,
        }],
        role: Role::Kernel,
    },
    |init| init.kernel(Noise::<Pink>::new(init)),
);

/// `noise.brown`: brown (red) noise, integrated white noise.
pub const BROWN: Module = Module::kernel(
    ModuleSpec {
        name: "noise.brown",
        doc: "brown noise (-6 dB/octave above 10 Hz, leaky-integrated white noise), RMS 0.2, seeded",
        inputs: &[SEED],
        outputs: &[OutputSpec {
            name: "out",
            doc: "the noise, RMS 0.2",
            unit: Unit::Signal,
        }],
        role: Role::Kernel,
    },
    |init| init.kernel(Noise::<Brown>::new(init)),
);

/// The corner of `noise.brown`'s leaky integrator, in hertz.
const BROWN_CORNER_HZ: f64 = 10.0;
/// The RMS of `noise.brown`.
const BROWN_RMS: f64 = 0.2;

/// A filter that colours white noise, one sample at a time.
trait Colour: Clone + Send + Sized + 'static {
    /// The filter at rest, for `sample_rate`.
    fn new(sample_rate: f64) -> Self;
    /// The filter's output for this sample of white noise.
    fn tick(&mut self, white: f32) -> f32;
    /// Back to rest.
    fn reset(&mut self);
}

/// Uniform white noise seeded from the node, coloured by `C`.
#[derive(Clone, Debug)]
struct Noise<C> {
    rng: Seeded,
    colour: C,
}

impl<C: Colour> Noise<C> {
    fn new(init: &KernelInit) -> Noise<C> {
        Noise {
            rng: Seeded::new(init.seed),
            colour: C::new(init.sample_rate),
        }
    }
}

/// The top 24 bits of `bits` as a uniform `f32` in `[-1, 1)`.
#[inline]
pub(super) fn uniform(bits: u32) -> f32 {
    const SCALE: f32 = 1.0 / (1 << 23) as f32;
    (bits >> 8) as f32 * SCALE - 1.0
}

// Where `Noise` finds the ports of `noise.white` (and of `noise.pink`, `noise.brown`, laid out alike).
const WHITE_OUT: usize = output(&WHITE.spec, "out");

impl<C: Colour> Dsp for Noise<C> {
    /// Inputs `[]` (the seed is read when built), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, _inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        for out in outputs[WHITE_OUT].iter_mut() {
            *out = self.colour.tick(uniform(self.rng.next_u32()));
        }
    }

    fn reset(&mut self) {
        self.rng.reset();
        self.colour.reset();
    }

    /// Goes on with the other generator's sequence and filter, if it was seeded the same; a
    /// node whose seed changed starts its new sequence instead.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_if(self, other, |this, other| this.rng.same_seed(&other.rng))
    }
}

/// `noise.white`: no filter.
#[derive(Clone, Debug)]
struct White;

impl Colour for White {
    fn new(_sample_rate: f64) -> White {
        White
    }

    #[inline]
    fn tick(&mut self, white: f32) -> f32 {
        white
    }

    fn reset(&mut self) {}
}

/// `noise.pink`: fundsp's `Pinkpass` (Paul Kellet's refined method) in `f64`.
#[derive(Clone)]
struct Pink(Pinkpass<f64>);

impl Colour for Pink {
    fn new(sample_rate: f64) -> Pink {
        let mut filter = Pinkpass::new();
        filter.set_sample_rate(sample_rate);
        Pink(filter)
    }

    #[inline]
    fn tick(&mut self, white: f32) -> f32 {
        self.0.tick(&[white].into())[0]
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

/// `noise.brown`: fundsp's one-pole `Lowpole` at [`BROWN_CORNER_HZ`], scaled to
/// [`BROWN_RMS`].
#[derive(Clone)]
struct Brown {
    filter: Lowpole<f64, U1>,
    gain: f32,
}

impl Colour for Brown {
    fn new(sample_rate: f64) -> Brown {
        let mut filter = Lowpole::new(BROWN_CORNER_HZ);
        filter.set_sample_rate(sample_rate);
        // y[n] = (1 - c)·x[n] + c·y[n-1] turns white noise of variance σ² into noise of
        // variance σ²·(1 - c)/(1 + c); the white noise has σ² = 1/3.
        let c = (-std::f64::consts::TAU * BROWN_CORNER_HZ / sample_rate).exp();
        let rms = ((1.0 - c) / (1.0 + c) / 3.0).sqrt();
        Brown {
            filter,
            gain: (BROWN_RMS / rms) as f32,
        }
    }

    #[inline]
    fn tick(&mut self, white: f32) -> f32 {
        self.filter.tick(&[white].into())[0] * self.gain
    }

    fn reset(&mut self) {
        self.filter.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Run, SR, params, rms};

    use super::*;
    use crate::build;

    const NAMES: [&str; 3] = ["noise.white", "noise.pink", "noise.brown"];

    fn noise(seed: u64, len: usize) -> Vec<f32> {
        coloured("noise.white", seed, len)
    }

    fn coloured(name: &str, seed: u64, len: usize) -> Vec<f32> {
        let (spec, params) = params(name, &[]);
        let init = KernelInit {
            seed,
            ..KernelInit::new(&params, SR)
        };
        Run::new(&[], len).on(build(&spec, &init).unwrap().as_mut())
    }

    #[test]
    fn uniform_spans_minus_one_to_one() {
        assert_eq!(uniform(0), -1.0);
        assert_eq!(uniform(u32::MAX), 1.0 - 1.0 / (1 << 23) as f32);
        assert_eq!(uniform(1 << 31), 0.0);
    }

    #[test]
    fn statistics_of_one_second() {
        let x = noise(1, 48_000);
        let n = x.len() as f64;
        let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let rms = rms(&x);
        let lag1 = x
            .windows(2)
            .map(|w| (f64::from(w[0]) - mean) * (f64::from(w[1]) - mean))
            .sum::<f64>()
            / (n - 1.0);
        let variance = x
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        let r = lag1 / variance;
        let expected_rms = 1.0 / 3.0_f64.sqrt();
        println!(
            "noise: mean {mean:.5}, rms {rms:.5} ({:+.3} %), lag-1 r {r:.5}",
            (rms / expected_rms - 1.0) * 100.0
        );
        assert!(mean.abs() < 0.01);
        assert!((rms / expected_rms - 1.0).abs() < 0.02);
        assert!(r.abs() < 0.02);
        assert!(x.iter().all(|&v| (-1.0..1.0).contains(&v)));
    }

    #[test]
    fn seed_picks_the_sequence_and_reset_restarts_it() {
        for name in NAMES {
            let a = coloured(name, 7, 1_000);
            assert_eq!(a, coloured(name, 7, 1_000), "{name}");
            let b = coloured(name, 8, 1_000);
            let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
            assert!(same < 5, "{name}: {same} equal samples");

            let (spec, params) = params(name, &[]);
            let mut kernel = build(&spec, &KernelInit::new(&params, SR)).unwrap();
            let first = Run::new(&[], 1_000).on(kernel.as_mut());
            kernel.reset();
            assert_eq!(first, Run::new(&[], 1_000).on(kernel.as_mut()), "{name}");
        }
    }

    /// Octave bands centred on 125 Hz..8 kHz, each spanning `centre/√2..centre·√2`.
    const BAND_CENTRES: [f64; 7] = [125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0];

    /// The mean power spectral density of `x` in each of [`BAND_CENTRES`]' octaves, in dB:
    /// Welch's method, Hann-windowed 4096-sample segments without overlap, averaged.
    fn band_levels_db(x: &[f32]) -> Vec<f64> {
        const N: usize = 4096;
        let window: Vec<f32> = (0..N)
            .map(|n| (0.5 - 0.5 * (std::f64::consts::TAU * n as f64 / N as f64).cos()) as f32)
            .collect();
        let mut power = vec![0.0_f64; N / 2];
        for segment in x.chunks_exact(N) {
            let mut data: Vec<f32> = segment.iter().zip(&window).map(|(x, w)| x * w).collect();
            let spectrum = fundsp::fft::real_fft(&mut data);
            // Bin 0 packs DC and Nyquist; neither is in a band.
            for (bin, value) in spectrum.iter().enumerate().skip(1) {
                power[bin] += f64::from(value.norm_sqr());
            }
        }
        let bin_hz = SR / N as f64;
        BAND_CENTRES
            .iter()
            .map(|&centre| {
                let (lo, hi) = (centre / 2.0_f64.sqrt(), centre * 2.0_f64.sqrt());
                let bins: Vec<f64> = (1..N / 2)
                    .filter(|&bin| (lo..hi).contains(&(bin as f64 * bin_hz)))
                    .map(|bin| power[bin])
                    .collect();
                10.0 * (bins.iter().sum::<f64>() / bins.len() as f64).log10()
            })
            .collect()
    }

    /// The least-squares slope of `levels` (dB) against the octave number, in dB/octave, and
    /// the largest distance of a band from that line, in dB.
    fn slope_db_per_octave(levels: &[f64]) -> (f64, f64) {
        let n = levels.len() as f64;
        let octaves: Vec<f64> = (0..levels.len()).map(|k| k as f64).collect();
        let (mean_x, mean_y) = (
            octaves.iter().sum::<f64>() / n,
            levels.iter().sum::<f64>() / n,
        );
        let covariance: f64 = octaves
            .iter()
            .zip(levels)
            .map(|(x, y)| (x - mean_x) * (y - mean_y))
            .sum();
        let variance: f64 = octaves.iter().map(|x| (x - mean_x).powi(2)).sum();
        let slope = covariance / variance;
        let worst = octaves
            .iter()
            .zip(levels)
            .map(|(x, y)| (y - mean_y - slope * (x - mean_x)).abs())
            .fold(0.0, f64::max);
        (slope, worst)
    }

    #[test]
    fn spectra_fall_0_3_and_6_db_per_octave() {
        // Four seconds: 46 segments, so even the 125 Hz octave (8 bins) averages 368 values.
        let len = 4 * 48_000;
        for (name, expected) in [
            ("noise.white", 0.0),
            ("noise.pink", -3.01),
            ("noise.brown", -6.02),
        ] {
            let levels = band_levels_db(&coloured(name, 3, len));
            let (slope, worst) = slope_db_per_octave(&levels);
            println!(
                "{name}: {slope:+.2} dB/octave over 125 Hz..8 kHz (expected {expected:+.2}), \
                 bands within {worst:.2} dB of the line"
            );
            assert!((slope - expected).abs() < 0.5, "{name}: {slope} dB/octave");
            assert!(worst < 1.0, "{name}: a band is {worst} dB off the line");
        }
    }

    #[test]
    fn pink_and_brown_have_their_documented_levels() {
        // Brown noise is correlated over its 10 Hz corner: ten seconds hold about 600 of its
        // time constants, enough for its RMS within a few per cent.
        let len = 10 * 48_000;
        for (name, expected) in [("noise.pink", 0.204), ("noise.brown", BROWN_RMS)] {
            let x = coloured(name, 5, len);
            let measured = rms(&x[48_000..]);
            let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / len as f64;
            println!("{name}: rms {measured:.4} (documented {expected}), mean {mean:+.4}");
            assert!(
                (measured / expected - 1.0).abs() < 0.1,
                "{name}: rms {measured}"
            );
            assert!(mean.abs() < 0.05, "{name}: mean {mean}");
        }
    }
}
