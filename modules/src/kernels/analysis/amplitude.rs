//! `analysis.amplitude`: the level of the last `window_s` seconds, every 64 samples.
//!
//! At the end of each hop of 64 samples (at 44.1 and 48 kHz) the kernel computes the RMS
//! (`sqrt(mean(x²))`) and the peak (`max |x|`) of the last `window_s` seconds of input, and
//! moves its `rms` and `peak` outputs toward them through an attack-release smoother stepped
//! once a hop (`attack_s` and `release_s` the times to cover 63 % of a rise or a fall; 0
//! jumps). `db` is `20 log10(rms)`, floored at -120 dB. Latency: the window's centre, half the
//! window behind the hop (480 samples for the default 20 ms at 48 kHz), plus at most one hop
//! of 64 samples held.

use super::IN;
use super::frames::{Frames, samples_for, smooth};
use crate::KernelInit;
use crate::dsp::state::copy_with;
use crate::kernels::limit;
use crate::kernels::spec::setting;
use crate::module::{Dsp, Module, blocks_mut, output, port};
use patchvm_ir::{ModuleSpec, OutputSpec, Role, Unit};
use patchvm_vm::Kernel;

/// The quietest level `db` reports.
const FLOOR_DB: f64 = -120.0;

const WINDOW_RANGE_S: (f64, f64) = (0.001, 1.0);
const TIME_RANGE_S: (f64, f64) = (0.0, 10.0);

/// `analysis.amplitude`: RMS, peak and dB of the input.
pub const AMPLITUDE: Module = Module::kernel(
    ModuleSpec {
        name: "analysis.amplitude",
        doc: "RMS, peak and dB of the last window_s seconds, every 64 samples; latency half the window (480 samples at 48 kHz)",
        inputs: &[
            IN,
            setting(
                "window_s",
                "the length of input each measure covers, in seconds",
                0.02,
                WINDOW_RANGE_S,
                Unit::Seconds,
            ),
            setting(
                "attack_s",
                "time for rms and peak to rise 63 % of the way to a louder measure",
                0.0,
                TIME_RANGE_S,
                Unit::Seconds,
            ),
            setting(
                "release_s",
                "time for rms and peak to fall 63 % of the way to a quieter measure",
                0.1,
                TIME_RANGE_S,
                Unit::Seconds,
            ),
        ],
        outputs: &[
            OutputSpec {
                name: "rms",
                doc: "root mean square of the window (linear)",
                unit: Unit::Linear,
            },
            OutputSpec {
                name: "peak",
                doc: "largest magnitude in the window (linear)",
                unit: Unit::Linear,
            },
            OutputSpec {
                name: "db",
                doc: "rms in decibels, -120 at silence",
                unit: Unit::Decibels,
            },
        ],
        role: Role::Kernel,
    },
    |init| init.kernel(Amplitude::new(init)),
);

const AMP_IN: usize = port(&AMPLITUDE.spec, "in");
const AMP_OUTS: [usize; 3] = [
    output(&AMPLITUDE.spec, "rms"),
    output(&AMPLITUDE.spec, "peak"),
    output(&AMPLITUDE.spec, "db"),
];

/// The hop, in seconds: 64 samples at 44.1 and 48 kHz.
const HOP_S: f64 = 0.00125;

/// The kernel of `analysis.amplitude`.
#[derive(Debug)]
struct Amplitude {
    frames: Frames,
    window: usize,
    times: [f64; 2],
    sample_rate: f64,
    rms: f64,
    peak: f64,
    db: f64,
}

impl Amplitude {
    fn new(init: &KernelInit) -> Amplitude {
        let spec = &AMPLITUDE.spec;
        let value = |name: &str, (lo, hi): (f64, f64)| {
            limit(init.params[spec.input(name).expect("an input")], lo, hi)
        };
        let sample_rate = init.sample_rate;
        let window = (value("window_s", WINDOW_RANGE_S) * sample_rate)
            .round()
            .max(1.0) as usize;
        Amplitude {
            frames: Frames::new(window, samples_for(HOP_S, sample_rate)),
            window,
            times: [
                value("attack_s", TIME_RANGE_S),
                value("release_s", TIME_RANGE_S),
            ],
            sample_rate,
            rms: 0.0,
            peak: 0.0,
            db: FLOOR_DB,
        }
    }

    /// Measures the window and moves the outputs toward it.
    fn analyse(&mut self) {
        let (mut squares, mut peak) = (0.0_f64, 0.0_f64);
        for x in self.frames.iter() {
            let x = f64::from(x);
            squares += x * x;
            peak = peak.max(x.abs());
        }
        let rms = (squares / self.window as f64).sqrt();
        let hop = samples_for(HOP_S, self.sample_rate);
        self.rms = smooth(self.rms, rms, self.times, hop, self.sample_rate);
        self.peak = smooth(self.peak, peak, self.times, hop, self.sample_rate);
        self.db = (20.0 * self.rms.log10()).max(FLOOR_DB);
    }
}

impl Dsp for Amplitude {
    /// Inputs `[in]`, outputs `[rms, peak, db]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [rms, peak, db] = blocks_mut(outputs, AMP_OUTS);
        for (n, &x) in inputs[AMP_IN].iter().enumerate() {
            if self.frames.push(x) {
                self.analyse();
            }
            rms[n] = self.rms as f32;
            peak[n] = self.peak as f32;
            db[n] = self.db as f32;
        }
    }

    fn reset(&mut self) {
        self.frames.reset();
        self.rms = 0.0;
        self.peak = 0.0;
        self.db = FLOOR_DB;
    }

    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other: &Amplitude| {
            this.rms = other.rms;
            this.peak = other.peak;
            this.db = other.db;
            if !this.frames.copy_from(&other.frames) {
                this.frames.reset();
            }
        })
    }
}
