//! `analysis.pitch`: the fundamental frequency by YIN (de Cheveigné and Kawahara, 2002).
//!
//! Every hop of 256 samples (at 44.1 and 48 kHz) the kernel takes the last `2 T` samples,
//! `T = ceil(sr / min) + 1` the longest period searched, and computes YIN's difference
//! function `d(τ) = Σ_{j<T} (x_j - x_{j+τ})²` for every lag from the frame's energies and its
//! autocorrelation (one real FFT forward of each half and one back, so the cost does not grow
//! with `T²`), then the cumulative mean normalised difference `d'`. The period is the first
//! lag between `sr / max` and `T` where `d'` dips below 0.15, followed down to its local
//! minimum and refined by a parabola through its neighbours; `freq` is `sr` over it and
//! `confidence` is `1 - d'` there. A frame with no such dip, or quieter than -70 dB RMS, is
//! unvoiced: `freq` 0 and `confidence` `1 - min d'` (0 on silence). `max` is kept at least an
//! octave above `min`. Latency: the frame's centre, `T` samples behind the hop (801 samples
//! for the default 60 Hz at 48 kHz, 737 at 44.1 kHz), plus at most one hop of 256 held.

use super::IN;
use super::frames::{Frames, samples_for};
use crate::KernelInit;
use crate::dsp::state::copy_with;
use crate::kernels::limit;
use crate::kernels::spec::setting;
use crate::module::{Dsp, Module, blocks_mut, output, port};
use patchvm_ir::{ModuleSpec, OutputSpec, Role, Unit};
use patchvm_vm::Kernel;
use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use std::fmt;
use std::sync::Arc;

const MIN_RANGE_HZ: (f64, f64) = (20.0, 2000.0);
const MAX_RANGE_HZ: (f64, f64) = (40.0, 8000.0);

/// `analysis.pitch`: the input's fundamental frequency.
pub const PITCH: Module = Module::kernel(
    ModuleSpec {
        name: "analysis.pitch",
        doc: "fundamental frequency by YIN every 256 samples, 0 when unvoiced; latency ceil(sr/min) + 1 samples (801 at 48 kHz for 60 Hz)",
        inputs: &[
            IN,
            setting(
                "min",
                "the lowest frequency searched, in Hz: the frame is two of its periods",
                60.0,
                MIN_RANGE_HZ,
                Unit::Hz,
            ),
            setting(
                "max",
                "the highest frequency searched, in Hz; kept an octave above min at least",
                2000.0,
                MAX_RANGE_HZ,
                Unit::Hz,
            ),
        ],
        outputs: &[
            OutputSpec {
                name: "freq",
                doc: "the fundamental in Hz, 0 when unvoiced",
                unit: Unit::Hz,
            },
            OutputSpec {
                name: "confidence",
                doc: "how periodic the frame is, 0 to 1 (1 minus YIN's normalised difference)",
                unit: Unit::Linear,
            },
        ],
        role: Role::Kernel,
    },
    |init| init.kernel(Pitch::new(init)),
);

const PITCH_IN: usize = port(&PITCH.spec, "in");
const PITCH_OUTS: [usize; 2] = [
    output(&PITCH.spec, "freq"),
    output(&PITCH.spec, "confidence"),
];

/// The hop, in seconds: 256 samples at 44.1 and 48 kHz.
pub(crate) const HOP_S: f64 = 0.0053;
/// YIN's absolute threshold on `d'`.
const DIP: f64 = 0.15;
/// Frames quieter than this mean square (-70 dB RMS) are unvoiced.
const QUIET: f64 = 1e-7;

/// The kernel of `analysis.pitch`.
struct Pitch {
    frames: Frames,
    /// The longest lag searched, and the shortest.
    longest: usize,
    shortest: usize,
    sample_rate: f64,
    forward: Arc<dyn RealToComplex<f64>>,
    inverse: Arc<dyn ComplexToReal<f64>>,
    /// The frame as `f64`, oldest first.
    samples: Vec<f64>,
    /// The FFT's input (the frame, then its first half, zero-padded), output and scratch.
    whole: Vec<f64>,
    head: Vec<f64>,
    padded: Vec<f64>,
    whole_bins: Vec<Complex<f64>>,
    head_bins: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
    /// The correlation of the frame's first half with the frame, then `d'`, by lag.
    lags: Vec<f64>,
    freq: f32,
    confidence: f32,
}

impl fmt::Debug for Pitch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pitch")
            .field("longest", &self.longest)
            .field("shortest", &self.shortest)
            .field("freq", &self.freq)
            .finish_non_exhaustive()
    }
}

impl Pitch {
    fn new(init: &KernelInit) -> Pitch {
        let spec = &PITCH.spec;
        let value = |name: &str, (lo, hi): (f64, f64)| {
            limit(init.params[spec.input(name).expect("an input")], lo, hi)
        };
        let sample_rate = init.sample_rate;
        let min = value("min", MIN_RANGE_HZ);
        let max = value("max", MAX_RANGE_HZ).max(2.0 * min);
        let longest = (sample_rate / min).ceil() as usize + 1;
        let shortest = ((sample_rate / max).floor() as usize).max(2);
        let size = (2 * longest).next_power_of_two();
        let mut planner = RealFftPlanner::<f64>::new();
        let forward = planner.plan_fft_forward(size);
        let inverse = planner.plan_fft_inverse(size);
        let scratch_len = forward.get_scratch_len().max(inverse.get_scratch_len());
        Pitch {
            frames: Frames::new(2 * longest, samples_for(HOP_S, sample_rate)),
            longest,
            shortest,
            sample_rate,
            samples: vec![0.0; 2 * longest],
            whole: forward.make_input_vec(),
            head: forward.make_input_vec(),
            padded: inverse.make_output_vec(),
            whole_bins: forward.make_output_vec(),
            head_bins: forward.make_output_vec(),
            scratch: vec![Complex::default(); scratch_len],
            lags: vec![0.0; longest + 1],
            forward,
            inverse,
            freq: 0.0,
            confidence: 0.0,
        }
    }

    /// `r(τ) = Σ_{j<T} x_j x_{j+τ}` for `τ` in `0..=T` into `lags`: the cross-correlation of
    /// the frame's first half with the whole frame, by FFT (the frame fills at most half the
    /// FFT, so no lag wraps around).
    fn correlate(&mut self) {
        let half = self.longest;
        self.whole.fill(0.0);
        self.whole[..2 * half].copy_from_slice(&self.samples);
        self.head.fill(0.0);
        self.head[..half].copy_from_slice(&self.samples[..half]);
        let plan = "buffers made by the plan";
        self.forward
            .process_with_scratch(&mut self.whole, &mut self.whole_bins, &mut self.scratch)
            .expect(plan);
        self.forward
            .process_with_scratch(&mut self.head, &mut self.head_bins, &mut self.scratch)
            .expect(plan);
        for (w, h) in self.whole_bins.iter_mut().zip(&self.head_bins) {
            *w *= h.conj();
        }
        let last = self.whole_bins.len() - 1;
        self.whole_bins[0].im = 0.0;
        self.whole_bins[last].im = 0.0;
        self.inverse
            .process_with_scratch(&mut self.whole_bins, &mut self.padded, &mut self.scratch)
            .expect(plan);
        let scale = 1.0 / self.padded.len() as f64;
        for (lag, r) in self.lags.iter_mut().zip(&self.padded) {
            *lag = r * scale;
        }
    }

    /// Analyses the frame: YIN's difference function from the autocorrelation and the
    /// energies, its cumulative mean normalised form `d'` (in `lags`), and the dip.
    fn analyse(&mut self) {
        let half = self.longest;
        for (slot, x) in self.samples.iter_mut().zip(self.frames.iter()) {
            *slot = f64::from(x);
        }
        let head_energy: f64 = self.samples[..half].iter().map(|x| x * x).sum();
        if head_energy / half as f64 <= QUIET {
            self.freq = 0.0;
            self.confidence = 0.0;
            return;
        }
        self.correlate();
        // d(τ) = e(0) + e(τ) - 2 r(τ), e(τ) the energy of samples τ..τ+T.
        let (mut energy, mut running) = (head_energy, 0.0);
        self.lags[0] = 1.0;
        for lag in 1..=half {
            let (leaving, entering) = (self.samples[lag - 1], self.samples[lag - 1 + half]);
            energy += entering * entering - leaving * leaving;
            let difference = (head_energy + energy - 2.0 * self.lags[lag]).max(0.0);
            running += difference;
            self.lags[lag] = if running > 0.0 {
                difference * lag as f64 / running
            } else {
                1.0
            };
        }
        let search = self.shortest..half;
        let lowest = self.lags[search.clone()]
            .iter()
            .copied()
            .fold(1.0, f64::min);
        let Some(mut lag) = search.clone().find(|&lag| self.lags[lag] < DIP) else {
            self.freq = 0.0;
            self.confidence = (1.0 - lowest).clamp(0.0, 1.0) as f32;
            return;
        };
        while lag + 1 < half && self.lags[lag + 1] < self.lags[lag] {
            lag += 1;
        }
        let (a, b, c) = (self.lags[lag - 1], self.lags[lag], self.lags[lag + 1]);
        let curve = a - 2.0 * b + c;
        let shift = if curve > 0.0 {
            (0.5 * (a - c) / curve).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        self.freq = (self.sample_rate / (lag as f64 + shift)) as f32;
        self.confidence = (1.0 - b).clamp(0.0, 1.0) as f32;
    }
}

impl Dsp for Pitch {
    /// Inputs `[in]`, outputs `[freq, confidence]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [freq, confidence] = blocks_mut(outputs, PITCH_OUTS);
        for (n, &x) in inputs[PITCH_IN].iter().enumerate() {
            if self.frames.push(x) {
                self.analyse();
            }
            freq[n] = self.freq;
            confidence[n] = self.confidence;
        }
    }

    fn reset(&mut self) {
        self.frames.reset();
        self.freq = 0.0;
        self.confidence = 0.0;
    }

    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other: &Pitch| {
            this.freq = other.freq;
            this.confidence = other.confidence;
            this.frames.copy_from(&other.frames);
        })
    }
}
