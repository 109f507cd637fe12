//! What the kernels' tests share: building a module from the catalog, running a kernel over a
//! stream in blocks, and measuring the result.

use crate::{KernelInit, build, catalog};
use patchvm_ir::ModuleSpec;
use patchvm_vm::{Kernel, MAX_BLOCK, MAX_PORTS};
use rand_pcg::Pcg32;
use rand_pcg::rand_core::{Rng, SeedableRng};
use std::f64::consts::TAU;

// Makes `assert_no_alloc` abort the test binary on any allocation inside its closure.
#[cfg(debug_assertions)]
#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

/// The sample rate every test runs at.
pub(crate) const SR: f64 = 48_000.0;

/// One value per input of `spec`: its defaults.
pub(crate) fn defaults(spec: &ModuleSpec) -> Vec<f64> {
    spec.inputs.iter().map(|input| input.default).collect()
}

/// The parameter values of module `name`: its defaults, with `overrides` set by name.
pub(crate) fn params(name: &str, overrides: &[(&str, f64)]) -> (ModuleSpec, Vec<f64>) {
    let spec = *catalog().get(name).expect("module in the catalog");
    let mut params = defaults(&spec);
    for &(input, value) in overrides {
        params[spec.input(input).expect("input of the module")] = value;
    }
    (spec, params)
}

/// A kernel for module `name` at [`SR`], outside any loop, with seed 0.
pub(crate) fn kernel(name: &str, overrides: &[(&str, f64)]) -> Box<dyn Kernel> {
    let (spec, params) = params(name, overrides);
    build(&spec, &KernelInit::new(&params, SR)).expect("module with a kernel")
}

/// How a stream is cut into blocks.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Chunks {
    /// Blocks of [`MAX_BLOCK`] samples (the last may be shorter).
    Full,
    /// Blocks of this many samples (the last may be shorter).
    Fixed(usize),
    /// Blocks of 1..=64 samples drawn from a PRNG with this seed.
    Random(u64),
}

impl Chunks {
    fn sizes(self) -> impl FnMut() -> usize {
        let mut rng = Pcg32::seed_from_u64(match self {
            Chunks::Random(seed) => seed,
            _ => 0,
        });
        move || match self {
            Chunks::Full => MAX_BLOCK,
            Chunks::Fixed(size) => size,
            Chunks::Random(_) => 1 + (rng.next_u32() as usize % MAX_BLOCK),
        }
    }
}

/// A stream to run through a kernel: its processed inputs, the fed input if the kernel takes
/// one, and how to cut it into blocks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Run<'a> {
    inputs: &'a [&'a [f32]],
    fed: Option<&'a [f32]>,
    len: usize,
    chunks: Chunks,
    process_first: bool,
}

impl<'a> Run<'a> {
    /// `len` samples with these processed inputs (each at least `len` long), in full blocks.
    pub(crate) fn new(inputs: &'a [&'a [f32]], len: usize) -> Run<'a> {
        assert!(inputs.iter().all(|input| input.len() >= len));
        Run {
            inputs,
            fed: None,
            len,
            chunks: Chunks::Full,
            process_first: false,
        }
    }

    /// Also feeds `fed`; before `process` in each block, as the compiler does outside loops.
    pub(crate) fn fed(self, fed: &'a [f32]) -> Run<'a> {
        assert!(fed.len() >= self.len);
        Run {
            fed: Some(fed),
            ..self
        }
    }

    /// Calls `process` before `feed` in each block, as the compiler does inside a loop.
    pub(crate) fn process_first(self) -> Run<'a> {
        Run {
            process_first: true,
            ..self
        }
    }

    /// Cuts the stream into `chunks`.
    pub(crate) fn chunks(self, chunks: Chunks) -> Run<'a> {
        Run { chunks, ..self }
    }

    /// Runs `kernel` (which must have one output) over the stream and returns that output.
    pub(crate) fn on(self, kernel: &mut dyn Kernel) -> Vec<f32> {
        let mut out = vec![0.0; self.len];
        let mut sizes = self.chunks.sizes();
        let mut start = 0;
        while start < self.len {
            let end = self.len.min(start + sizes());
            self.block(kernel, start..end, &mut out[start..end]);
            start = end;
        }
        out
    }

    /// Runs one block of the stream, without allocating.
    pub(crate) fn block(
        &self,
        kernel: &mut dyn Kernel,
        range: std::ops::Range<usize>,
        out: &mut [f32],
    ) {
        let shape = kernel.shape();
        assert_eq!(usize::from(shape.inputs), self.inputs.len());
        assert_eq!(shape.outputs, 1);
        assert_eq!(shape.takes_feed, self.fed.is_some());
        let mut inputs: [&[f32]; MAX_PORTS] = [&[]; MAX_PORTS];
        for (slot, input) in inputs.iter_mut().zip(self.inputs) {
            *slot = &input[range.clone()];
        }
        let inputs = &inputs[..self.inputs.len()];
        let fed = self.fed.map(|fed| &fed[range]);
        if !self.process_first {
            fed.inspect(|fed| kernel.feed(fed));
        }
        kernel.process(inputs, &mut [out]);
        if self.process_first {
            fed.inspect(|fed| kernel.feed(fed));
        }
    }
}

/// `len` samples of `value`.
pub(crate) fn constant(value: f32, len: usize) -> Vec<f32> {
    vec![value; len]
}

/// `len` samples of a sine of `freq` hertz and amplitude 1, computed in `f64`.
pub(crate) fn sine_wave(freq: f64, len: usize) -> Vec<f32> {
    (0..len)
        .map(|n| (TAU * freq * n as f64 / SR).sin() as f32)
        .collect()
}

/// The root mean square of `x`.
pub(crate) fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

/// The times, in samples, where `x` crosses zero going up, interpolated between samples.
pub(crate) fn rising_crossings(x: &[f32]) -> Vec<f64> {
    x.windows(2)
        .enumerate()
        .filter(|(_, pair)| pair[0] < 0.0 && pair[1] >= 0.0)
        .map(|(n, pair)| {
            let (a, b) = (f64::from(pair[0]), f64::from(pair[1]));
            n as f64 + a / (a - b)
        })
        .collect()
}

/// The frequency of `x` in hertz, from the first and last of its rising zero crossings.
pub(crate) fn frequency(x: &[f32]) -> f64 {
    let crossings = rising_crossings(x);
    let (first, last) = (crossings[0], crossings[crossings.len() - 1]);
    (crossings.len() - 1) as f64 * SR / (last - first)
}

/// The index of the first sample of `x` for which `hit` holds.
pub(crate) fn first_index(x: &[f32], hit: impl Fn(f32) -> bool) -> usize {
    x.iter().position(|&v| hit(v)).expect("a sample that hits")
}

/// The largest magnitude in `x`.
pub(crate) fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |max, v| max.max(v.abs()))
}

/// The amplitude of the component of `x` at `freq` hertz: `2·|Σ x[n]·e^(-iωn)| / len`, a
/// single DFT bin. Exact for sines whose whole periods fill `x` (one second of whole hertz).
pub(crate) fn amplitude_at(x: &[f32], freq: f64) -> f64 {
    let w = TAU * freq / SR;
    let (re, im) = x.iter().enumerate().fold((0.0, 0.0), |(re, im), (n, &v)| {
        let (sin, cos) = (w * n as f64).sin_cos();
        (re + f64::from(v) * cos, im - f64::from(v) * sin)
    });
    2.0 * (re * re + im * im).sqrt() / x.len() as f64
}
