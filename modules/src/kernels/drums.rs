//! Drum voices: `drum.kick`, `drum.snare`, `drum.hat_closed`, `drum.hat_open`, `drum.clap`,
//! `drum.tom`.
//!
//! Each voice is silent (exactly 0) until its `trig` input rises above 0; every rising edge
//! (from at most 0 to above 0) restarts it, cutting whatever still rings. Every `decay_s` is
//! the time the voice's amplitude envelope takes to fall 60 dB: the envelope is exponential,
//! multiplied each sample by `10^(-3 / (decay_s · sample_rate))`, and is applied last, after
//! any filter, so the output falls exactly as the envelope does. Outputs stay within ±1 (a
//! final clamp guards the noise voices, whose filtered noise has no hard bound; at the gains
//! below it does not engage in the tests' hits).
//!
//! | voice | sound |
//! |---|---|
//! | `drum.kick` | a sine from phase 0 gliding from `tune · sweep` down to `tune` (time constant `sweep_s`) |
//! | `drum.tom` | the same with a fixed glide from 1.4 · `tune`, time constant 40 ms |
//! | `drum.snare` | a sine at `tune` (falling 60 dB in half of `decay_s`) and high-passed noise (1.5 kHz), mixed by `snappy` |
//! | `drum.hat_closed`, `drum.hat_open` | the TR-808's six square waves (205.3..800 Hz) through a 10 kHz band-pass and a 7 kHz high-pass; they differ only in their default decay |
//! | `drum.clap` | band-passed noise (q 2, at `tone`) in three 10 ms bursts, each falling 20 dB, then a tail from 30 ms |
//!
//! The noise voices draw from a `rand_pcg::Pcg32` seeded with [`KernelInit::seed`], like
//! `noise.white`. Filters are fundsp's state-variable filters run per sample (`tick`), as
//! `filter.lowpass` uses them; the oscillators and envelopes are native (fundsp has no
//! triggered percussion voices).

use super::limit;
use super::noise::uniform;
use super::spec::control;
use crate::KernelInit;
use crate::dsp::rng::Seeded;
use crate::dsp::state::{copy_if, copy_whole, copy_with};
use crate::module::{Dsp, Module, output, port};
use fundsp::audionode::AudioNode;
use fundsp::svf::{BandpassMode, FixedSvf, HighpassMode, Svf, SvfParams};
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};
use patchvm_vm::Kernel;
use std::f64::consts::TAU;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[KICK, SNARE, HAT_CLOSED, HAT_OPEN, CLAP, TOM];

/// The range of every `decay_s`, in seconds.
const DECAY_RANGE: (f64, f64) = (0.005, 10.0);
/// The tom's glide: start at this multiple of `tune`...
const TOM_SWEEP: f64 = 1.4;
/// ...falling with this time constant, in seconds.
const TOM_SWEEP_S: f64 = 0.04;
/// The snare tone's decay, as a fraction of `decay_s`.
const SNARE_TONE_DECAY: f64 = 0.5;
/// The snare noise's high-pass corner, in hertz.
const SNARE_NOISE_HZ: f64 = 1500.0;
/// The level of the snare's noise before the envelope.
const SNARE_NOISE_GAIN: f32 = 0.5;
/// The TR-808 hi-hat's six square oscillators, in hertz.
const HAT_PARTIALS: [f64; 6] = [205.3, 304.4, 369.6, 522.7, 540.0, 800.0];
/// The hat's band-pass centre and high-pass corner, in hertz.
const HAT_BAND_HZ: f64 = 10_000.0;
const HAT_HIGHPASS_HZ: f64 = 7_000.0;
/// The level of the hat's filtered squares before the envelope.
const HAT_GAIN: f32 = 0.45;
/// The clap's bursts: how many, how far apart (seconds) and how far each falls (dB).
const CLAP_BURSTS: u32 = 3;
const CLAP_BURST_S: f64 = 0.01;
const CLAP_BURST_DB: f64 = 20.0;
/// The clap's band-pass q, and its level before the envelope at a 1 kHz `tone` (scaled by
/// `√(1000 / tone)`, since the band's noise power grows with its width, `tone / q`).
const CLAP_Q: f32 = 2.0;
const CLAP_GAIN: f32 = 1.2;

const TRIG: InputSpec = control(
    "trig",
    "a rise from at most 0 to above 0 starts the voice",
    0.0,
    (-1e3, 1e3),
    Unit::Signal,
);

const fn decay(default: f64) -> InputSpec {
    control(
        "decay_s",
        "time to fall 60 dB; limited to 0.005..10 s",
        default,
        DECAY_RANGE,
        Unit::Seconds,
    )
}

const fn tune(doc: &'static str, default: f64, range: (f64, f64)) -> InputSpec {
    control("tune", doc, default, range, Unit::Hz)
}

const SEED: InputSpec = InputSpec {
    name: "seed",
    doc: "picks the noise sequence, together with the render seed and the node id",
    default: 0.0,
    min: 0.0,
    max: u32::MAX as f64,
    unit: Unit::Integer,
    rate: Rate::Init,
    breaks_cycles: false,
};

const OUT: OutputSpec = OutputSpec {
    name: "out",
    doc: "the drum, within ±1",
    unit: Unit::Signal,
};

/// `drum.kick`: a sine with a falling pitch.
pub const KICK: Module = Module::kernel(
    ModuleSpec {
        name: "drum.kick",
        doc: "kick: a sine gliding from tune·sweep down to tune, decaying 60 dB in decay_s",
        inputs: &[
            TRIG,
            tune("final pitch; limited to 20..200 Hz", 50.0, (20.0, 200.0)),
            decay(0.5),
            control(
                "sweep",
                "start pitch as a multiple of tune; limited to 1..10",
                3.0,
                (1.0, 10.0),
                Unit::Linear,
            ),
            control(
                "sweep_s",
                "time constant of the pitch glide; limited to 0.001..0.5 s",
                0.03,
                (0.001, 0.5),
                Unit::Seconds,
            ),
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Swept::new(init, None)),
);

/// `drum.tom`: a sine with a small pitch drop.
pub const TOM: Module = Module::kernel(
    ModuleSpec {
        name: "drum.tom",
        doc: "tom: a sine gliding from 1.4·tune down to tune (40 ms), decaying 60 dB in decay_s",
        inputs: &[
            TRIG,
            tune("final pitch; limited to 40..500 Hz", 120.0, (40.0, 500.0)),
            decay(0.4),
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Swept::new(init, Some((TOM_SWEEP, TOM_SWEEP_S)))),
);

/// `drum.snare`: tone and noise.
pub const SNARE: Module = Module::kernel(
    ModuleSpec {
        name: "drum.snare",
        doc: "snare: a sine at tune and high-passed noise, mixed by snappy",
        inputs: &[
            TRIG,
            tune(
                "pitch of the tone; limited to 80..500 Hz",
                180.0,
                (80.0, 500.0),
            ),
            control(
                "decay_s",
                "time for the noise to fall 60 dB (the tone takes half); limited to 0.005..10 s",
                0.25,
                DECAY_RANGE,
                Unit::Seconds,
            ),
            control(
                "snappy",
                "0 is only the tone, 1 only the noise; limited to 0..1",
                0.6,
                (0.0, 1.0),
                Unit::Linear,
            ),
            SEED,
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Snare::new(init)),
);

/// `drum.hat_closed`: a short metallic hat.
pub const HAT_CLOSED: Module = Module::kernel(
    ModuleSpec {
        name: "drum.hat_closed",
        doc: "closed hi-hat: six detuned squares, band- and high-passed, short decay",
        inputs: &[TRIG, decay(0.06)],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Hat::new(init)),
);

/// `drum.hat_open`: a long metallic hat.
pub const HAT_OPEN: Module = Module::kernel(
    ModuleSpec {
        name: "drum.hat_open",
        doc: "open hi-hat: six detuned squares, band- and high-passed, long decay",
        inputs: &[TRIG, decay(0.5)],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Hat::new(init)),
);

/// `drum.clap`: noise bursts then a tail.
pub const CLAP: Module = Module::kernel(
    ModuleSpec {
        name: "drum.clap",
        doc: "hand clap: band-passed noise in three 10 ms bursts, then a tail from 30 ms",
        inputs: &[
            TRIG,
            control(
                "tone",
                "centre of the noise's band-pass; limited to 300..5000 Hz",
                1000.0,
                (300.0, 5000.0),
                Unit::Hz,
            ),
            control(
                "decay_s",
                "time for the tail to fall 60 dB; limited to 0.005..10 s",
                0.3,
                DECAY_RANGE,
                Unit::Seconds,
            ),
            SEED,
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Clap::new(init)),
);

/// Finds rising edges of a trigger signal.
#[derive(Clone, Debug, Default)]
struct Trigger {
    high: bool,
}

impl Trigger {
    /// Whether `trig` rises above 0 at this sample.
    #[inline]
    fn rises(&mut self, trig: f32) -> bool {
        let high = trig > 0.0;
        let rises = high && !self.high;
        self.high = high;
        rises
    }
}

/// A per-sample factor `f(input)`, recomputed only when the input changes.
#[derive(Clone, Debug)]
struct Cached {
    input: f32,
    value: f64,
}

impl Cached {
    fn new() -> Cached {
        Cached {
            input: f32::NAN,
            value: 0.0,
        }
    }

    #[inline]
    fn get(&mut self, input: f32, f: impl FnOnce(f32) -> f64) -> f64 {
        if input.to_bits() != self.input.to_bits() {
            self.input = input;
            self.value = f(input);
        }
        self.value
    }
}

/// An exponential envelope that falls 60 dB in its decay time.
#[derive(Clone, Debug)]
struct Decay {
    level: f64,
    factor: Cached,
    sample_rate: f64,
}

impl Decay {
    fn new(sample_rate: f64) -> Decay {
        Decay {
            level: 0.0,
            factor: Cached::new(),
            sample_rate,
        }
    }

    /// This sample's level; then falls for a decay of `decay_s · scale` seconds.
    #[inline]
    fn tick(&mut self, decay_s: f32, scale: f64) -> f64 {
        let level = self.level;
        let sample_rate = self.sample_rate;
        self.level *= self.factor.get(decay_s, |decay_s| {
            let decay_s = limit(f64::from(decay_s), DECAY_RANGE.0, DECAY_RANGE.1) * scale;
            10_f64.powf(-3.0 / (decay_s * sample_rate))
        });
        level
    }
}

/// A sine oscillator whose phase restarts at 0.
#[derive(Clone, Debug, Default)]
struct Sine {
    /// Turns, in `0..1`.
    phase: f64,
}

impl Sine {
    /// This sample's value; then advances by `freq_hz`.
    #[inline]
    fn tick(&mut self, freq_hz: f64, sample_rate: f64) -> f64 {
        let value = (TAU * self.phase).sin();
        self.phase += freq_hz / sample_rate;
        self.phase -= self.phase.floor();
        value
    }
}

/// `drum.kick` and `drum.tom`: `env · sin(2π·phase)`, frequency
/// `tune · (1 + (sweep - 1) · e^(-t / sweep_s))`.
#[derive(Debug)]
struct Swept {
    trigger: Trigger,
    amp: Decay,
    sine: Sine,
    /// `e^(-t / sweep_s)` since the trigger.
    bend: f64,
    bend_factor: Cached,
    /// The tom's fixed `(sweep, sweep_s)`; `None` when they are inputs (the kick).
    fixed: Option<(f64, f64)>,
    sample_rate: f64,
}

impl Swept {
    fn new(init: &KernelInit, fixed: Option<(f64, f64)>) -> Swept {
        Swept {
            trigger: Trigger::default(),
            amp: Decay::new(init.sample_rate),
            sine: Sine::default(),
            bend: 0.0,
            bend_factor: Cached::new(),
            fixed,
            sample_rate: init.sample_rate,
        }
    }
}

// Where `Swept` finds the ports of `drum.kick` (and of `drum.tom`, laid out alike).
const KICK_TRIG: usize = port(&KICK.spec, "trig");
const KICK_TUNE: usize = port(&KICK.spec, "tune");
const KICK_DECAY_S: usize = port(&KICK.spec, "decay_s");
const KICK_SWEEP: usize = port(&KICK.spec, "sweep");
const KICK_SWEEP_S: usize = port(&KICK.spec, "sweep_s");
const KICK_OUT: usize = output(&KICK.spec, "out");

impl Dsp for Swept {
    /// Inputs `[trig, tune, decay_s, sweep, sweep_s]` for the kick, `[trig, tune, decay_s]`
    /// for the tom (signal, Hz, s, linear, s); outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let (trig, tune, decay) = (inputs[KICK_TRIG], inputs[KICK_TUNE], inputs[KICK_DECAY_S]);
        let sample_rate = self.sample_rate;
        // The spec's ranges: the tom's, or the kick's.
        let tune_range = if self.fixed.is_some() {
            (40.0, 500.0)
        } else {
            (20.0, 200.0)
        };
        for (i, out) in outputs[KICK_OUT].iter_mut().enumerate() {
            if self.trigger.rises(trig[i]) {
                self.amp.level = 1.0;
                self.sine.phase = 0.0;
                self.bend = 1.0;
            }
            let (sweep, sweep_s) = match self.fixed {
                Some(fixed) => (fixed.0, fixed.1 as f32),
                None => (
                    limit(f64::from(inputs[KICK_SWEEP][i]), 1.0, 10.0),
                    inputs[KICK_SWEEP_S][i],
                ),
            };
            let tune = limit(f64::from(tune[i]), tune_range.0, tune_range.1);
            let freq = tune * (1.0 + (sweep - 1.0) * self.bend);
            *out = (self.amp.tick(decay[i], 1.0) * self.sine.tick(freq, sample_rate)) as f32;
            self.bend *= self.bend_factor.get(sweep_s, |sweep_s| {
                (-1.0 / (limit(f64::from(sweep_s), 0.001, 0.5) * sample_rate)).exp()
            });
        }
    }

    fn reset(&mut self) {
        self.trigger = Trigger::default();
        self.amp.level = 0.0;
        self.sine.phase = 0.0;
        self.bend = 0.0;
    }

    /// Keeps the envelope, the phase, the glide and the trigger's last level, so a hit that
    /// rings goes on ringing; whether it is a kick or a tom stays this kernel's.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other| {
            this.trigger.clone_from(&other.trigger);
            this.amp.clone_from(&other.amp);
            this.sine.clone_from(&other.sine);
            this.bend = other.bend;
            this.bend_factor.clone_from(&other.bend_factor);
        })
    }
}

/// `x` within ±1.
#[inline]
fn clamp(x: f64) -> f32 {
    x.clamp(-1.0, 1.0) as f32
}

/// A fixed fundsp state-variable filter in `f64`.
fn fixed_svf<M: fundsp::svf::SvfMode<f64>>(
    mode: M,
    cutoff: f64,
    q: f64,
    sample_rate: f64,
) -> FixedSvf<f64, M> {
    FixedSvf::new(
        mode,
        &SvfParams {
            sample_rate,
            cutoff,
            q,
            gain: 1.0,
        },
    )
}

/// `drum.snare`: a sine and high-passed noise, each with its envelope.
#[derive(Clone)]
struct Snare {
    trigger: Trigger,
    tone_amp: Decay,
    noise_amp: Decay,
    sine: Sine,
    noise: Seeded,
    highpass: FixedSvf<f64, HighpassMode<f64>>,
    sample_rate: f64,
}

impl Snare {
    fn new(init: &KernelInit) -> Snare {
        Snare {
            trigger: Trigger::default(),
            tone_amp: Decay::new(init.sample_rate),
            noise_amp: Decay::new(init.sample_rate),
            sine: Sine::default(),
            noise: Seeded::new(init.seed),
            highpass: fixed_svf(
                HighpassMode::new(),
                SNARE_NOISE_HZ,
                std::f64::consts::FRAC_1_SQRT_2,
                init.sample_rate,
            ),
            sample_rate: init.sample_rate,
        }
    }
}

// Where `Snare` finds the ports of `drum.snare`.
const SNARE_TRIG: usize = port(&SNARE.spec, "trig");
const SNARE_TUNE: usize = port(&SNARE.spec, "tune");
const SNARE_DECAY_S: usize = port(&SNARE.spec, "decay_s");
const SNARE_SNAPPY: usize = port(&SNARE.spec, "snappy");
const SNARE_OUT: usize = output(&SNARE.spec, "out");

impl Dsp for Snare {
    /// Inputs `[trig, tune, decay_s, snappy]` (signal, Hz, s, linear), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [trig, tune, decay, snappy] = [
            inputs[SNARE_TRIG],
            inputs[SNARE_TUNE],
            inputs[SNARE_DECAY_S],
            inputs[SNARE_SNAPPY],
        ];
        for (i, out) in outputs[SNARE_OUT].iter_mut().enumerate() {
            if self.trigger.rises(trig[i]) {
                self.tone_amp.level = 1.0;
                self.noise_amp.level = 1.0;
                self.sine.phase = 0.0;
            }
            let snappy = limit(f64::from(snappy[i]), 0.0, 1.0);
            let tune = limit(f64::from(tune[i]), 80.0, 500.0);
            let tone = self.tone_amp.tick(decay[i], SNARE_TONE_DECAY)
                * self.sine.tick(tune, self.sample_rate);
            let noise =
                self.highpass.tick(&[uniform(self.noise.next_u32())].into())[0] * SNARE_NOISE_GAIN;
            let noise = self.noise_amp.tick(decay[i], 1.0) * f64::from(noise);
            *out = clamp((1.0 - snappy) * tone + snappy * noise);
        }
    }

    fn reset(&mut self) {
        self.trigger = Trigger::default();
        self.tone_amp.level = 0.0;
        self.noise_amp.level = 0.0;
        self.sine.phase = 0.0;
        self.noise.reset();
        self.highpass.reset();
    }

    /// Keeps the envelopes, the phase, the filter's memory and the noise's position,
    /// if the other was seeded the same; a node whose seed changed starts from rest instead.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_if(self, other, |this, other| {
            this.noise.same_seed(&other.noise)
        })
    }
}

/// `drum.hat_closed` and `drum.hat_open`: six free-running squares, filtered, enveloped.
#[derive(Clone)]
struct Hat {
    trigger: Trigger,
    amp: Decay,
    /// Each square's phase, in turns.
    phases: [f64; HAT_PARTIALS.len()],
    bandpass: FixedSvf<f64, BandpassMode<f64>>,
    highpass: FixedSvf<f64, HighpassMode<f64>>,
    sample_rate: f64,
}

impl Hat {
    fn new(init: &KernelInit) -> Hat {
        let sr = init.sample_rate;
        Hat {
            trigger: Trigger::default(),
            amp: Decay::new(sr),
            phases: [0.0; HAT_PARTIALS.len()],
            bandpass: fixed_svf(BandpassMode::new(), HAT_BAND_HZ.min(0.45 * sr), 1.0, sr),
            highpass: fixed_svf(
                HighpassMode::new(),
                HAT_HIGHPASS_HZ.min(0.4 * sr),
                0.707,
                sr,
            ),
            sample_rate: sr,
        }
    }
}

// Where `Hat` finds the ports of `drum.hat_closed` (and of `drum.hat_open`, laid out alike).
const HAT_CLOSED_TRIG: usize = port(&HAT_CLOSED.spec, "trig");
const HAT_CLOSED_DECAY_S: usize = port(&HAT_CLOSED.spec, "decay_s");
const HAT_CLOSED_OUT: usize = output(&HAT_CLOSED.spec, "out");

impl Dsp for Hat {
    /// Inputs `[trig, decay_s]` (signal, s), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [trig, decay] = [inputs[HAT_CLOSED_TRIG], inputs[HAT_CLOSED_DECAY_S]];
        for (i, out) in outputs[HAT_CLOSED_OUT].iter_mut().enumerate() {
            if self.trigger.rises(trig[i]) {
                self.amp.level = 1.0;
            }
            let mut squares = 0.0;
            for (phase, freq) in self.phases.iter_mut().zip(HAT_PARTIALS) {
                squares += if *phase < 0.5 { 1.0 } else { -1.0 };
                *phase += freq / self.sample_rate;
                *phase -= phase.floor();
            }
            let band = self.bandpass.tick(&[squares as f32].into());
            let metal = self.highpass.tick(&band)[0] * HAT_GAIN;
            *out = clamp(self.amp.tick(decay[i], 1.0) * f64::from(metal));
        }
    }

    fn reset(&mut self) {
        self.trigger = Trigger::default();
        self.amp.level = 0.0;
        self.phases = [0.0; HAT_PARTIALS.len()];
        self.bandpass.reset();
        self.highpass.reset();
    }

    /// Keeps the envelope, the squares' phases and the filters' memory.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

/// `drum.clap`: band-passed noise under a burst-then-tail envelope.
#[derive(Clone)]
struct Clap {
    trigger: Trigger,
    /// Samples since the trigger, saturating; `u32::MAX` before the first.
    since: u32,
    /// Samples per burst.
    burst_len: u32,
    /// The per-sample factor within a burst.
    burst_factor: f64,
    amp: Decay,
    noise: Seeded,
    bandpass: Svf<f64, BandpassMode<f64>>,
    max_tone: f32,
}

impl Clap {
    fn new(init: &KernelInit) -> Clap {
        let sr = init.sample_rate;
        let burst_len = (CLAP_BURST_S * sr).round().max(1.0);
        let params = SvfParams {
            sample_rate: sr,
            cutoff: 1000.0,
            q: f64::from(CLAP_Q),
            gain: 1.0,
        };
        Clap {
            trigger: Trigger::default(),
            since: u32::MAX,
            burst_len: burst_len as u32,
            burst_factor: 10_f64.powf(-CLAP_BURST_DB / 20.0 / burst_len),
            amp: Decay::new(sr),
            noise: Seeded::new(init.seed),
            bandpass: Svf::new(BandpassMode::new(), &params),
            max_tone: (0.45 * sr).min(5000.0) as f32,
        }
    }
}

// Where `Clap` finds the ports of `drum.clap`.
const CLAP_TRIG: usize = port(&CLAP.spec, "trig");
const CLAP_TONE: usize = port(&CLAP.spec, "tone");
const CLAP_DECAY_S: usize = port(&CLAP.spec, "decay_s");
const CLAP_OUT: usize = output(&CLAP.spec, "out");

impl Dsp for Clap {
    /// Inputs `[trig, tone, decay_s]` (signal, Hz, s), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [trig, tone, decay] = [inputs[CLAP_TRIG], inputs[CLAP_TONE], inputs[CLAP_DECAY_S]];
        for (i, out) in outputs[CLAP_OUT].iter_mut().enumerate() {
            if self.trigger.rises(trig[i]) {
                self.since = 0;
            }
            // The bursts restart the level at each burst's start; the tail's envelope starts
            // at 1 after the last burst and falls at the `decay_s` rate.
            if self.since.is_multiple_of(self.burst_len)
                && self.since <= CLAP_BURSTS * self.burst_len
            {
                self.amp.level = 1.0;
            }
            let level = if self.since < CLAP_BURSTS * self.burst_len {
                let level = self.amp.level;
                self.amp.level *= self.burst_factor;
                level
            } else {
                self.amp.tick(decay[i], 1.0)
            };
            self.since = self.since.saturating_add(1);
            let tone = tone[i].max(300.0).min(self.max_tone);
            let band = self
                .bandpass
                .tick(&[uniform(self.noise.next_u32()), tone, CLAP_Q].into())[0];
            let gain = CLAP_GAIN * (1000.0 / tone).sqrt();
            *out = clamp(level * f64::from(band * gain));
        }
    }

    fn reset(&mut self) {
        self.trigger = Trigger::default();
        self.since = u32::MAX;
        self.amp.level = 0.0;
        self.noise.reset();
        self.bandpass.reset();
    }

    /// Keeps the envelopes, the burst position, the filter's memory and the noise's position,
    /// if the other was seeded the same; a node whose seed changed starts from rest instead.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_if(self, other, |this, other| {
            this.noise.same_seed(&other.noise)
        })
    }
}

#[cfg(test)]
#[path = "drums_tests.rs"]
mod tests;
