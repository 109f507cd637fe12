//! `analysis.onset`: note onsets by spectral flux, with an adaptive threshold.
//!
//! Every hop of 128 samples (at 44.1 and 48 kHz) the kernel takes the last 1024 samples
//! through a periodic Hann window and a real FFT, compresses the magnitudes
//! (`ln(1 + 1000 |X_k|)`), and sums their rises over the frame of 10 ms before, each bin
//! compared with the largest of itself and its two neighbours there (SuperFlux's maximum
//! filter, so vibrato is no onset), divided by the number of bins: the spectral flux. A
//! frame's flux is an onset when it is the largest of the last 30 ms, larger than the next
//! frame's, above the mean flux of the last 100 ms by `threshold`, and at least `min_gap_s`
//! after the previous onset: the peak picking of librosa's `onset_detect` and Böck's
//! SuperFlux, made causal by waiting one hop for the next frame. `trig` is 1 for the one
//! sample the onset is found on, else 0;
//! `strength` holds the onset's flux until the next. Latency: a sharp attack's flux grows
//! until the frame 10 ms before no longer holds it, and the peak is confirmed a hop later:
//! `trig` fires on the fifth hop end after the note's first sample at 48 kHz, 512 to 639
//! samples later (10.7 to 13.3 ms; 639 when the note starts on a hop's first sample), and on
//! the fourth at 44.1 kHz, 384 to 511 samples later (8.7 to 11.6 ms). A slow attack peaks
//! later, up to the frame's length (1024 samples) on.

use super::IN;
use super::frames::{Frames, samples_for};
use super::spectrum::Spectrum;
use crate::KernelInit;
use crate::dsp::state::copy_with;
use crate::kernels::limit;
use crate::kernels::spec::setting;
use crate::module::{Dsp, Module, blocks_mut, output, port};
use patchvm_ir::{ModuleSpec, OutputSpec, Role, Unit};
use patchvm_vm::Kernel;

const THRESHOLD_RANGE: (f64, f64) = (0.0, 10.0);
const GAP_RANGE_S: (f64, f64) = (0.0, 10.0);

/// `analysis.onset`: onsets of the input.
pub const ONSET: Module = Module::kernel(
    ModuleSpec {
        name: "analysis.onset",
        doc: "onsets by spectral flux of 1024-sample frames every 128, adaptive threshold; a sharp attack fires 512 to 639 samples on at 48 kHz",
        inputs: &[
            IN,
            setting(
                "threshold",
                "how far a frame's flux must rise above the mean of the last 100 ms",
                0.005,
                THRESHOLD_RANGE,
                Unit::Linear,
            ),
            setting(
                "min_gap_s",
                "the shortest time between two onsets, in seconds",
                0.05,
                GAP_RANGE_S,
                Unit::Seconds,
            ),
        ],
        outputs: &[
            OutputSpec {
                name: "trig",
                doc: "1 for the one sample an onset is found on, else 0",
                unit: Unit::Signal,
            },
            OutputSpec {
                name: "strength",
                doc: "the last onset's spectral flux, held until the next",
                unit: Unit::Linear,
            },
        ],
        role: Role::Kernel,
    },
    |init| init.kernel(Onset::new(init)),
);

const ONSET_IN: usize = port(&ONSET.spec, "in");
const ONSET_OUTS: [usize; 2] = [output(&ONSET.spec, "trig"), output(&ONSET.spec, "strength")];

/// The frame, in seconds: 1024 samples at 44.1 and 48 kHz.
pub(crate) const FRAME_S: f64 = 0.0213;
/// The hop, in seconds: 128 samples at 44.1 and 48 kHz.
pub(crate) const HOP_S: f64 = 0.0025;
/// How far back a peak must be the largest, in seconds.
const PEAK_S: f64 = 0.03;
/// How far back the mean the threshold adds to reaches, in seconds.
const MEAN_S: f64 = 0.1;
/// How far back the frame each frame is compared with lies, in seconds.
const LAG_S: f64 = 0.01;
/// The magnitude compression's factor.
const COMPRESSION: f64 = 1000.0;

/// The kernel of `analysis.onset`.
#[derive(Debug)]
struct Onset {
    frames: Frames,
    spectrum: Spectrum,
    magnitudes: Vec<f64>,
    /// The compressed magnitudes of the last `lag` frames, `bins` each, the oldest at `slot`.
    previous: Vec<f64>,
    slot: usize,
    lag: usize,
    /// The fluxes of the last frames, newest at `at - 1`.
    fluxes: Vec<f64>,
    at: usize,
    /// Frames the peak must top, and frames the mean covers.
    peak_frames: usize,
    mean_frames: usize,
    threshold: f64,
    min_gap: u64,
    /// Samples since the last onset, saturating.
    since: u64,
    strength: f32,
}

impl Onset {
    fn new(init: &KernelInit) -> Onset {
        let spec = &ONSET.spec;
        let value = |name: &str, (lo, hi): (f64, f64)| {
            limit(init.params[spec.input(name).expect("an input")], lo, hi)
        };
        let sample_rate = init.sample_rate;
        let len = samples_for(FRAME_S, sample_rate);
        let hop = samples_for(HOP_S, sample_rate);
        let frames_in =
            |seconds: f64| ((seconds * sample_rate / hop as f64).round() as usize).max(1);
        let (peak_frames, mean_frames) = (frames_in(PEAK_S), frames_in(MEAN_S));
        let lag = frames_in(LAG_S);
        let spectrum = Spectrum::new(len);
        Onset {
            frames: Frames::new(len, hop),
            magnitudes: vec![0.0; spectrum.bins()],
            previous: vec![0.0; lag * spectrum.bins()],
            slot: 0,
            lag,
            spectrum,
            fluxes: vec![0.0; peak_frames.max(mean_frames) + 2],
            at: 0,
            peak_frames,
            mean_frames,
            threshold: value("threshold", THRESHOLD_RANGE),
            min_gap: (value("min_gap_s", GAP_RANGE_S) * sample_rate).round() as u64,
            since: u64::MAX,
            strength: 0.0,
        }
    }

    /// The flux `back` frames before the newest.
    fn flux(&self, back: usize) -> f64 {
        let len = self.fluxes.len();
        self.fluxes[(self.at + len - 1 - back) % len]
    }

    /// Computes the newest frame's flux; true if the frame before it is an onset.
    fn analyse(&mut self) -> bool {
        self.spectrum.magnitudes(&self.frames, &mut self.magnitudes);
        let bins = self.magnitudes.len();
        let oldest = &mut self.previous[self.slot * bins..(self.slot + 1) * bins];
        let mut flux = 0.0;
        let mut below = 0.0_f64;
        for k in 0..bins {
            // The reference is the largest of the bin and its neighbours `lag` frames ago,
            // so a partial gliding by a bin (vibrato) is no onset.
            let reference = below.max(oldest[k]).max(oldest[(k + 1).min(bins - 1)]);
            below = oldest[k];
            let level = (1.0 + COMPRESSION * self.magnitudes[k]).ln();
            flux += (level - reference).max(0.0);
            oldest[k] = level;
        }
        self.slot = (self.slot + 1) % self.lag;
        self.fluxes[self.at] = flux / self.magnitudes.len() as f64;
        self.at = (self.at + 1) % self.fluxes.len();
        let candidate = self.flux(1);
        let largest = (2..=self.peak_frames).all(|back| self.flux(back) <= candidate);
        let mean = (2..self.mean_frames + 2)
            .map(|back| self.flux(back))
            .sum::<f64>()
            / self.mean_frames as f64;
        let onset = candidate > self.flux(0)
            && largest
            && candidate >= mean + self.threshold
            && self.since >= self.min_gap;
        if onset {
            self.since = 0;
            self.strength = candidate as f32;
        }
        onset
    }
}

impl Dsp for Onset {
    /// Inputs `[in]`, outputs `[trig, strength]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [trig, strength] = blocks_mut(outputs, ONSET_OUTS);
        for (n, &x) in inputs[ONSET_IN].iter().enumerate() {
            let found = self.frames.push(x) && self.analyse();
            if !found {
                self.since = self.since.saturating_add(1);
            }
            trig[n] = if found { 1.0 } else { 0.0 };
            strength[n] = self.strength;
        }
    }

    fn reset(&mut self) {
        self.frames.reset();
        self.previous.fill(0.0);
        self.slot = 0;
        self.fluxes.fill(0.0);
        self.at = 0;
        self.since = u64::MAX;
        self.strength = 0.0;
    }

    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other: &Onset| {
            if this.frames.copy_from(&other.frames) && this.fluxes.len() == other.fluxes.len() {
                this.previous.copy_from_slice(&other.previous);
                this.slot = other.slot;
                this.fluxes.copy_from_slice(&other.fluxes);
                this.at = other.at;
            } else {
                this.reset();
            }
            this.since = other.since;
            this.strength = other.strength;
        })
    }
}
