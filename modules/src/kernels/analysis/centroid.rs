//! `analysis.centroid`: the spectral centroid, the magnitude-weighted mean frequency.
//!
//! Every hop of 512 samples (at 44.1 and 48 kHz) the kernel takes the last 2048 samples
//! through a periodic Hann window and a real FFT, and computes `Σ f_k |X_k| / Σ |X_k|` over
//! the bins from 0 Hz to Nyquist, as librosa's `spectral_centroid` and aubio's `centroid`
//! do (magnitudes, not powers). Silence (every magnitude below 1e-9) reads 0 Hz. Latency:
//! the frame's centre, 1024 samples behind the hop, plus at most one hop of 512 samples held.

use super::IN;
use super::frames::{Frames, samples_for};
use super::spectrum::Spectrum;
use crate::KernelInit;
use crate::dsp::state::copy_with;
use crate::module::{Dsp, Module, output, port};
use patchvm_ir::{ModuleSpec, OutputSpec, Role, Unit};
use patchvm_vm::Kernel;

/// `analysis.centroid`: the input's spectral centroid.
pub const CENTROID: Module = Module::kernel(
    ModuleSpec {
        name: "analysis.centroid",
        doc: "spectral centroid (magnitude-weighted mean frequency) of 2048-sample frames every 512; latency 1024 samples",
        inputs: &[IN],
        outputs: &[OutputSpec {
            name: "freq",
            doc: "the centroid in Hz, 0 on silence",
            unit: Unit::Hz,
        }],
        role: Role::Kernel,
    },
    |init| init.kernel(Centroid::new(init)),
);

const CENTROID_IN: usize = port(&CENTROID.spec, "in");
const CENTROID_FREQ: usize = output(&CENTROID.spec, "freq");

/// The frame, in seconds: 2048 samples at 44.1 and 48 kHz.
pub(crate) const FRAME_S: f64 = 0.042;
/// The hop, in seconds: 512 samples at 44.1 and 48 kHz.
pub(crate) const HOP_S: f64 = 0.0105;

/// Below this sum of magnitudes a frame is silence.
const SILENCE: f64 = 1e-9;

/// The kernel of `analysis.centroid`.
#[derive(Debug)]
struct Centroid {
    frames: Frames,
    spectrum: Spectrum,
    magnitudes: Vec<f64>,
    /// Hz per bin.
    bin_hz: f64,
    freq: f32,
}

impl Centroid {
    fn new(init: &KernelInit) -> Centroid {
        let len = samples_for(FRAME_S, init.sample_rate);
        let spectrum = Spectrum::new(len);
        Centroid {
            frames: Frames::new(len, samples_for(HOP_S, init.sample_rate)),
            magnitudes: vec![0.0; spectrum.bins()],
            spectrum,
            bin_hz: init.sample_rate / len as f64,
            freq: 0.0,
        }
    }

    fn analyse(&mut self) {
        self.spectrum.magnitudes(&self.frames, &mut self.magnitudes);
        let (mut weighted, mut total) = (0.0, 0.0);
        for (k, m) in self.magnitudes.iter().enumerate() {
            weighted += k as f64 * m;
            total += m;
        }
        self.freq = if total < SILENCE {
            0.0
        } else {
            (weighted / total * self.bin_hz) as f32
        };
    }
}

impl Dsp for Centroid {
    /// Inputs `[in]`, outputs `[freq]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let freq = &mut *outputs[CENTROID_FREQ];
        for (n, &x) in inputs[CENTROID_IN].iter().enumerate() {
            if self.frames.push(x) {
                self.analyse();
            }
            freq[n] = self.freq;
        }
    }

    fn reset(&mut self) {
        self.frames.reset();
        self.freq = 0.0;
    }

    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other: &Centroid| {
            this.freq = other.freq;
            this.frames.copy_from(&other.frames);
        })
    }
}
