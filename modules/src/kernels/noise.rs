//! Noise: `noise.white`.
//!
//! Uniform white noise in `[-1, 1)` from a `rand_pcg::Pcg32` seeded with
//! [`KernelInit::seed`], which the engine has already combined from the render seed, the
//! node's `seed` parameter and its id. PCG's output for a seed is fixed across versions, so a
//! render is reproducible. Each sample takes the top 24 bits of one 32-bit draw: exactly the
//! `f32` values `k / 2^23 - 1`, so the mean is `-2^-24` and the RMS `1/√3`.

use crate::KernelInit;
use crate::registry::Entry;
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};
use patchvm_vm::{Kernel, KernelShape};
use rand_pcg::Pcg32;
use rand_pcg::rand_core::{Rng, SeedableRng};

/// `noise.white`: uniform white noise.
pub const WHITE: ModuleSpec = ModuleSpec {
    name: "noise.white",
    doc: "uniform white noise in -1..1, reproducible from its seed",
    inputs: &[InputSpec {
        name: "seed",
        doc: "picks the sequence, together with the render seed and the node id",
        default: 0.0,
        min: 0.0,
        max: u32::MAX as f64,
        unit: Unit::Integer,
        rate: Rate::Init,
        breaks_cycles: false,
    }],
    outputs: &[OutputSpec {
        name: "out",
        doc: "the noise, uniform in -1..1",
        unit: Unit::Signal,
    }],
    role: Role::Kernel,
};

pub(crate) const WHITE_ENTRY: Entry = Entry {
    spec: WHITE,
    build: Some(|init| Box::new(WhiteNoise::new(init))),
    memory_bytes: None,
};

/// `noise.white`: one PCG draw a sample.
#[derive(Debug)]
struct WhiteNoise {
    rng: Pcg32,
    /// The generator as built, for [`Kernel::reset`].
    start: Pcg32,
}

impl WhiteNoise {
    fn new(init: &KernelInit) -> WhiteNoise {
        let rng = Pcg32::seed_from_u64(init.seed);
        WhiteNoise {
            start: rng.clone(),
            rng,
        }
    }
}

/// The top 24 bits of `bits` as a uniform `f32` in `[-1, 1)`.
#[inline]
fn uniform(bits: u32) -> f32 {
    const SCALE: f32 = 1.0 / (1 << 23) as f32;
    (bits >> 8) as f32 * SCALE - 1.0
}

impl Kernel for WhiteNoise {
    fn shape(&self) -> KernelShape {
        KernelShape {
            inputs: 0,
            outputs: 1,
            takes_feed: false,
        }
    }

    /// Inputs `[]` (the seed is read when built), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, _inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        for out in outputs[0].iter_mut() {
            *out = uniform(self.rng.next_u32());
        }
    }

    fn reset(&mut self) {
        self.rng = self.start.clone();
    }

    /// Goes on with the other generator's sequence, if it was seeded the same; a node whose
    /// seed changed starts its new sequence instead.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        match (other as &dyn std::any::Any).downcast_ref::<WhiteNoise>() {
            Some(other) if other.start == self.start => {
                self.rng = other.rng.clone();
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Run, SR, params, rms};
    use super::*;
    use crate::build;

    fn noise(seed: u64, len: usize) -> Vec<f32> {
        let (spec, params) = params("noise.white", &[]);
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
        let a = noise(7, 1_000);
        assert_eq!(a, noise(7, 1_000));
        let b = noise(8, 1_000);
        let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
        assert!(same < 5, "{same} equal samples");

        let (spec, params) = params("noise.white", &[]);
        let mut kernel = build(&spec, &KernelInit::new(&params, SR)).unwrap();
        let first = Run::new(&[], 1_000).on(kernel.as_mut());
        kernel.reset();
        assert_eq!(first, Run::new(&[], 1_000).on(kernel.as_mut()));
    }
}
