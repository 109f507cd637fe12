//! The magnitude spectrum of a Hann-windowed frame, as `analysis.onset` and
//! `analysis.centroid` read it: a real FFT planned, and given its buffers, when the kernel is
//! built.

use super::frames::Frames;
use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};
use std::f64::consts::TAU;
use std::fmt;
use std::sync::Arc;

/// A planned FFT of one frame length, with its window and buffers.
#[derive(Clone)]
pub(super) struct Spectrum {
    fft: Arc<dyn RealToComplex<f64>>,
    window: Vec<f64>,
    frame: Vec<f64>,
    bins: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
}

impl fmt::Debug for Spectrum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spectrum")
            .field("len", &self.frame.len())
            .finish_non_exhaustive()
    }
}

impl Spectrum {
    /// An FFT of `len` samples (a power of two) through a periodic Hann window, as librosa's
    /// `stft` and aubio's `specdesc` use.
    pub(super) fn new(len: usize) -> Spectrum {
        let fft = RealFftPlanner::<f64>::new().plan_fft_forward(len);
        let window = (0..len)
            .map(|i| 0.5 - 0.5 * (TAU * i as f64 / len as f64).cos())
            .collect();
        Spectrum {
            frame: fft.make_input_vec(),
            bins: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            window,
            fft,
        }
    }

    /// How many bins it gives: `len / 2 + 1`, from 0 Hz to Nyquist.
    pub(super) fn bins(&self) -> usize {
        self.bins.len()
    }

    /// Writes the magnitudes of `frames`' windowed samples into `out` (one per bin), scaled
    /// so a sine of amplitude `a` on a bin's centre measures `a / 2` there.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(super) fn magnitudes(&mut self, frames: &Frames, out: &mut [f64]) {
        for ((slot, x), w) in self.frame.iter_mut().zip(frames.iter()).zip(&self.window) {
            *slot = f64::from(x) * w;
        }
        self.fft
            .process_with_scratch(&mut self.frame, &mut self.bins, &mut self.scratch)
            .expect("buffers made by the plan");
        let scale = 2.0 / self.window.len() as f64;
        for (m, bin) in out.iter_mut().zip(&self.bins) {
            *m = bin.norm() * scale;
        }
    }
}
