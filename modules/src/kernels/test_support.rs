//! What the kernels' tests share: building a module from the catalog, running a kernel over a
//! stream in blocks, and measuring the result.

use crate::{KernelInit, build, catalog};
use num_complex::Complex64;
use patchvm_ir::ModuleSpec;
use patchvm_vm::{Kernel, MAX_BLOCK, MAX_PORTS};
use rand_pcg::Pcg32;
use rand_pcg::rand_core::{Rng, SeedableRng};
use std::f64::consts::TAU;

// Makes `assert_no_alloc` abort the test binary on any allocation inside its closure, in every
// profile.
#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

#[test]
fn the_allocation_detector_fires() {
    patchvm_rtcheck::assert_allocation_detected(module_path!(), "the_allocation_detector_fires");
}

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

    /// Runs `kernel` over the stream and returns its first output.
    pub(crate) fn on(self, kernel: &mut dyn Kernel) -> Vec<f32> {
        self.on_all(kernel).swap_remove(0)
    }

    /// Runs `kernel` over the stream and returns every output, in port order.
    pub(crate) fn on_all(self, kernel: &mut dyn Kernel) -> Vec<Vec<f32>> {
        let mut outs = vec![vec![0.0; self.len]; usize::from(kernel.shape().outputs)];
        let mut sizes = self.chunks.sizes();
        let mut start = 0;
        while start < self.len {
            let end = self.len.min(start + sizes());
            let mut blocks: Vec<&mut [f32]> =
                outs.iter_mut().map(|out| &mut out[start..end]).collect();
            self.process_block(kernel, start..end, &mut blocks);
            start = end;
        }
        outs
    }

    /// Runs one block of the stream into `out`, the kernel's first output, without
    /// allocating; any further outputs go to scratch space on the stack.
    pub(crate) fn block(
        &self,
        kernel: &mut dyn Kernel,
        range: std::ops::Range<usize>,
        out: &mut [f32],
    ) {
        let len = out.len();
        let mut spare = [[0.0_f32; MAX_BLOCK]; MAX_PORTS];
        let mut rest = spare.iter_mut();
        let mut outs: [&mut [f32]; MAX_PORTS] =
            std::array::from_fn(|_| &mut rest.next().expect("one per port")[..len]);
        outs[0] = out;
        let outputs = usize::from(kernel.shape().outputs);
        self.process_block(kernel, range, &mut outs[..outputs]);
    }

    /// Feeds and processes one block, in the order the stream asks for.
    fn process_block(
        &self,
        kernel: &mut dyn Kernel,
        range: std::ops::Range<usize>,
        outputs: &mut [&mut [f32]],
    ) {
        let shape = kernel.shape();
        assert_eq!(usize::from(shape.inputs), self.inputs.len());
        assert_eq!(usize::from(shape.outputs), outputs.len());
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
        kernel.process(inputs, outputs);
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

/// `20·log10(ratio)`: an amplitude ratio in decibels.
pub(crate) fn db(ratio: f64) -> f64 {
    20.0 * ratio.log10()
}

/// The complex gain from `input` to `output` at `freq` hertz, measured over the second half of
/// both (the first half lets a filter's transient die): each signal's correlation with
/// `e^(-jωn)`, divided. Exact for a steady sine when the half holds a whole number of periods.
pub(crate) fn response(input: &[f32], output: &[f32], freq: f64) -> Complex64 {
    let start = input.len() / 2;
    let w = TAU * freq / SR;
    let correlate = |x: &[f32]| {
        x[start..]
            .iter()
            .enumerate()
            .map(|(n, &v)| Complex64::from_polar(f64::from(v), -w * (start + n) as f64))
            .sum::<Complex64>()
    };
    correlate(output) / correlate(&input[..output.len()])
}

/// The analog frequency, relative to the cutoff, that a bilinear-transform filter prewarped at
/// `cutoff` hertz maps to the digital frequency `freq`: `s = j·tan(π·freq/SR)/tan(π·cutoff/SR)`
/// turns an analog prototype `H(s)` into the digital filter's exact response.
pub(crate) fn bilinear_s(freq: f64, cutoff: f64) -> Complex64 {
    let warp = |f: f64| (std::f64::consts::PI * f / SR).tan();
    Complex64::new(0.0, warp(freq) / warp(cutoff))
}

/// Runs module `name`, built with its defaults and `overrides`, over `len` samples: each
/// processed input named in `signals` gets that signal, every other one holds its parameter
/// value. Returns each output.
pub(crate) fn run_module(
    name: &str,
    overrides: &[(&str, f64)],
    signals: &[(&str, &[f32])],
    len: usize,
) -> Vec<Vec<f32>> {
    let (spec, values) = params(name, overrides);
    let held: Vec<Vec<f32>> = spec
        .processed_inputs()
        .map(|(index, _)| vec![values[index] as f32; len])
        .collect();
    let inputs: Vec<&[f32]> = spec
        .processed_inputs()
        .zip(&held)
        .map(|((_, input), held)| {
            signals
                .iter()
                .find(|(name, _)| *name == input.name)
                .map_or(held.as_slice(), |(_, signal)| signal)
        })
        .collect();
    assert!(signals.iter().all(|(name, _)| spec.input(name).is_some()));
    let mut kernel = build(&spec, &KernelInit::new(&values, SR)).expect("module with a kernel");
    Run::new(&inputs, len).on_all(kernel.as_mut())
}

/// The first output of module `name`, built with its defaults, over `inputs` (one signal per
/// processed input, all as long as the first), in the blocks [`Run::new`] cuts.
pub(crate) fn run(name: &str, inputs: &[&[f32]]) -> Vec<f32> {
    Run::new(inputs, inputs[0].len()).on(kernel(name, &[]).as_mut())
}

/// A unit impulse at sample 0, then `len - 1` zeros.
pub(crate) fn impulse(len: usize) -> Vec<f32> {
    let mut x = vec![0.0; len];
    x[0] = 1.0;
    x
}

/// The gain in dB at `freq` hertz of the filter whose impulse response is `h`: the magnitude
/// of `h`'s discrete-time Fourier transform there.
pub(crate) fn dft_gain_db(h: &[f32], freq: f64) -> f64 {
    let w = TAU * freq / SR;
    let (re, im) = h.iter().enumerate().fold((0.0, 0.0), |(re, im), (n, &v)| {
        let phase = w * n as f64;
        (
            re + f64::from(v) * phase.cos(),
            im - f64::from(v) * phase.sin(),
        )
    });
    20.0 * f64::hypot(re, im).log10()
}

/// `len` samples of uniform white noise in -1..1 from a PCG seeded with `seed`.
pub(crate) fn white_noise(seed: u64, len: usize) -> Vec<f32> {
    let mut rng = Pcg32::seed_from_u64(seed);
    (0..len)
        .map(|_| (rng.next_u32() >> 8) as f32 / (1 << 23) as f32 - 1.0)
        .collect()
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

/// A stretch of transport from sample `from` on: its beat there, its tempo and ramp, for
/// kernels that follow the beat.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segment {
    pub(crate) from: usize,
    pub(crate) beat: f64,
    pub(crate) per_sample: f64,
    pub(crate) accel: f64,
    pub(crate) playing: bool,
    pub(crate) jumped: bool,
}

/// Beats per sample at `bpm` and [`SR`].
pub(crate) fn per_sample(bpm: f64) -> f64 {
    bpm / 60.0 / SR
}

/// The transport playing from beat `beat` at `bpm`, from sample `from`, having jumped there.
pub(crate) fn play(from: usize, beat: f64, bpm: f64) -> Segment {
    Segment {
        from,
        beat,
        per_sample: per_sample(bpm),
        accel: 0.0,
        playing: true,
        jumped: true,
    }
}

/// The [`Beats`](patchvm_vm::Beats) of a block starting at sample `n` of `transport` (in 4/4),
/// and the sample where the next segment begins, where the block must end, as a host splits
/// blocks at transport events.
pub(crate) fn beats_at(transport: &[Segment], n: usize) -> (patchvm_vm::Beats, Option<usize>) {
    let segment = *transport.iter().rev().find(|s| s.from <= n).unwrap();
    let next = transport.iter().map(|s| s.from).find(|&from| from > n);
    let d = (n - segment.from) as f64;
    let beats = patchvm_vm::Beats {
        position: segment.beat + d * segment.per_sample + 0.5 * d * d * segment.accel,
        per_sample: segment.per_sample + d * segment.accel,
        accel: segment.accel,
        bpm: segment.per_sample * 60.0 * SR,
        beats_per_bar: 4.0,
        playing: segment.playing,
        jumped: segment.jumped && n == segment.from,
        since: (n - segment.from) as u64,
        origin: segment.beat,
        origin_per_sample: segment.per_sample,
    };
    (beats, next)
}
