//! More oscillators: `osc.pulse`, `osc.fm`, `osc.organ` and `osc.sync_saw`.
//!
//! Like those in [`osc_waves`](super::osc_waves), each starts at phase 0, reads `freq` (Hz) every sample
//! and wraps its phase once per sample (the step is limited to half a turn, the Nyquist
//! frequency). `osc.pulse` and `osc.sync_saw` keep the phase in 64-bit fixed point and compute
//! their waves in `f32`, as `osc.square` and `osc.saw` do; `osc.fm` and `osc.organ` keep it in
//! `f64` turns and compute their sines in `f64`. All four are native kernels. fundsp's `PulseWave` is the
//! difference of two wavetable saws (`WaveSynth`), and its wavetable saw alone measured about
//! 3x the PolyBLEP saw here (bench-peers), while the PolyBLEP pulse below is the square's
//! code with one more comparison. fundsp's `organ` and `hammond` are fixed wavetables without
//! drawbars, and its oscillators take no phase-modulation or sync input.
//!
//! - `osc.pulse` is `osc.square` with a moving switch point: +1 while the phase is below
//!   `width`, -1 after, PolyBLEP on both jumps (the same code as the square, which is the
//!   pulse of width 0.5). Its mean is `2·width - 1`; the DC is left in, as in analogue pulses.
//! - `osc.fm` is a phase-modulation operator, the "FM" of DX-style synthesizers:
//!   `out = sin(2π·phase + index·pm)`, the phase running at `freq·ratio`. Feed it a sine of
//!   amplitude 1 in radians (another `osc.sine` or `osc.fm`) and `index` is the modulation
//!   index β: the spectrum has lines at carrier ± k·modulator of amplitude `|J_k(β)|`.
//! - `osc.organ` is an additive drawbar voice: sines at harmonics 1, 2, 3, 4, 6 and 8 of
//!   `freq`, each at its drawbar's level (0..1), all starting at phase 0. A harmonic at or
//!   above the Nyquist frequency is left out, so the voice never aliases. The peak is at most
//!   the sum of the levels (the defaults sum to 1); nothing is normalised, so a drawbar's
//!   level is exactly its harmonic's amplitude.
//! - `osc.sync_saw` is `osc.saw` with hard sync: each rising edge of `sync` (to above 0) sets
//!   the phase to 0 on that sample, so the output repeats with the sync signal's period. Its
//!   own jumps are band-limited with PolyBLEP; the jumps that sync makes are not (that needs
//!   the sync's sub-sample timing), so a synced saw aliases more than a free one.

use super::limit;
use super::spec::signal;
use crate::KernelInit;
use crate::dsp::edge::RisingEdge;
use crate::dsp::phase::{self, FixedPhasor, Phases};
use crate::dsp::phasor::Phasor;
use crate::dsp::simd::wide;
use crate::dsp::state::{copy_whole, same};
use crate::module::{Dsp, Module, StateFamily, output, port};
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};
use patchvm_vm::Kernel;
use std::f64::consts::TAU;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[PULSE, FM, ORGAN, SYNC_SAW];

/// The pulse widths `osc.pulse` uses.
const WIDTH_RANGE: (f64, f64) = (0.01, 0.99);
/// The frequency ratios `osc.fm` uses.
const RATIO_RANGE: (f64, f64) = (0.0, 64.0);
/// The modulation indices `osc.fm` uses.
const INDEX_RANGE: (f64, f64) = (0.0, 100.0);
/// The harmonics of `osc.organ`'s drawbars.
const HARMONICS: [u32; 6] = [1, 2, 3, 4, 6, 8];

const FREQ: InputSpec = InputSpec {
    name: "freq",
    doc: "frequency of the wave",
    default: 440.0,
    min: 0.0,
    max: 20_000.0,
    unit: Unit::Hz,
    rate: Rate::Audio,
    breaks_cycles: false,
};

const OUT: OutputSpec = OutputSpec {
    name: "out",
    doc: "the wave, peak ±1",
    unit: Unit::Signal,
};

/// An audio-rate linear control in `min..=max`.
const fn linear(
    name: &'static str,
    doc: &'static str,
    default: f64,
    min: f64,
    max: f64,
) -> InputSpec {
    InputSpec {
        name,
        doc,
        default,
        min,
        max,
        unit: Unit::Linear,
        rate: Rate::Audio,
        breaks_cycles: false,
    }
}

/// A drawbar of `osc.organ`.
const fn drawbar(name: &'static str, doc: &'static str, default: f64) -> InputSpec {
    linear(name, doc, default, 0.0, 1.0)
}

/// `osc.pulse`: a band-limited pulse of variable width.
pub const PULSE: Module = Module::kernel(
    ModuleSpec {
        name: "osc.pulse",
        doc: "band-limited pulse: +1 for the first `width` of each period, then -1",
        inputs: &[
            FREQ,
            linear(
                "width",
                "the fraction of the period spent high, limited to 0.01..0.99",
                0.5,
                WIDTH_RANGE.0,
                WIDTH_RANGE.1,
            ),
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Pulse(FixedPhasor::new(init.sample_rate))),
)
.family(StateFamily::Phase);

/// `osc.fm`: a phase-modulation operator.
pub const FM: Module = Module::kernel(
    ModuleSpec {
        name: "osc.fm",
        doc: "FM (phase-modulation) operator: sin(2π·phase + index·pm), the phase at freq·ratio",
        inputs: &[
            FREQ,
            linear(
                "ratio",
                "multiplies freq: the operator runs at freq·ratio",
                1.0,
                RATIO_RANGE.0,
                RATIO_RANGE.1,
            ),
            linear(
                "index",
                "scales pm: the modulation index for a unit sine",
                1.0,
                INDEX_RANGE.0,
                INDEX_RANGE.1,
            ),
            signal(
                "pm",
                "the phase modulation, in radians (a modulator's output)",
                0.0,
            ),
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Fm(Phasor::new(init.sample_rate))),
);

/// `osc.organ`: an additive drawbar organ voice.
pub const ORGAN: Module = Module::kernel(
    ModuleSpec {
        name: "osc.organ",
        doc: "additive organ voice: sines at harmonics 1, 2, 3, 4, 6, 8 at their drawbar levels",
        inputs: &[
            FREQ,
            drawbar("h1", "level of the fundamental", 0.5),
            drawbar("h2", "level of harmonic 2 (an octave up)", 0.25),
            drawbar("h3", "level of harmonic 3 (an octave and a fifth)", 0.125),
            drawbar("h4", "level of harmonic 4 (two octaves)", 0.125),
            drawbar("h6", "level of harmonic 6 (two octaves and a fifth)", 0.0),
            drawbar("h8", "level of harmonic 8 (three octaves)", 0.0),
        ],
        outputs: &[OutputSpec {
            name: "out",
            doc: "the voice, peak at most the sum of the levels",
            unit: Unit::Signal,
        }],
        role: Role::Kernel,
    },
    |init| init.kernel(Organ::new(init)),
);

/// `osc.sync_saw`: a band-limited sawtooth with hard sync.
pub const SYNC_SAW: Module = Module::kernel(
    ModuleSpec {
        name: "osc.sync_saw",
        doc: "band-limited sawtooth whose phase restarts at 0 on each rising edge of sync",
        inputs: &[
            FREQ,
            signal("sync", "a rising edge (to above 0) restarts the phase", 0.0),
        ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(SyncSaw::new(init)),
);

/// `osc.pulse`: [`phase::pulse`] with the width read every sample.
#[derive(Clone, Debug)]
struct Pulse(FixedPhasor);

// Where `Pulse` finds the ports of `osc.pulse`.
const PULSE_FREQ: usize = port(&PULSE.spec, "freq");
const PULSE_WIDTH: usize = port(&PULSE.spec, "width");
const PULSE_OUT: usize = output(&PULSE.spec, "out");

impl Dsp for Pulse {
    /// Inputs `[freq, width]` (Hz, fraction), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let (out, phasor) = (&mut *outputs[PULSE_OUT], &mut self.0);
        wide(
            #[inline(always)]
            |_| {
                let mut phases = Phases::new();
                phasor.run(inputs[PULSE_FREQ], &mut phases, true);
                for (i, (out, &width)) in out.iter_mut().zip(inputs[PULSE_WIDTH]).enumerate() {
                    // Turns × 2^32; width 0.5 is exactly half a turn, the square's.
                    let width = (limit(f64::from(width), WIDTH_RANGE.0, WIDTH_RANGE.1)
                        * 4_294_967_296.0) as u32;
                    *out = phase::pulse(phases.at[i], phases.inverse_width[i], width);
                }
            },
        );
    }

    fn reset(&mut self) {
        self.0.reset();
    }

    /// Keeps the phase, so an edit of the frequency does not click, and takes over the phase
    /// of any oscillator of the family ([`StateFamily::Phase`]).
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        super::osc_waves::take_over_phase(&mut self.0, other)
    }
}

/// The phasor of `other`, if it is an `osc.pulse` kernel: for the oscillators of
/// [`StateFamily::Phase`] taking over its phase.
pub(super) fn pulse_phasor(other: &dyn Kernel) -> Option<&FixedPhasor> {
    same::<Pulse>(other).map(|pulse| &pulse.0)
}

/// `osc.fm`: `sin(2π·phase + index·pm)` in `f64`.
#[derive(Clone, Debug)]
struct Fm(Phasor);

// Where `Fm` finds the ports of `osc.fm`.
const FM_FREQ: usize = port(&FM.spec, "freq");
const FM_RATIO: usize = port(&FM.spec, "ratio");
const FM_INDEX: usize = port(&FM.spec, "index");
const FM_PM: usize = port(&FM.spec, "pm");
const FM_OUT: usize = output(&FM.spec, "out");

impl Dsp for Fm {
    /// Inputs `[freq, ratio, index, pm]` (Hz, factor, factor, radians), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [freq, ratio, index, pm] = [
            inputs[FM_FREQ],
            inputs[FM_RATIO],
            inputs[FM_INDEX],
            inputs[FM_PM],
        ];
        for (i, out) in outputs[FM_OUT].iter_mut().enumerate() {
            let ratio = limit(f64::from(ratio[i]), RATIO_RANGE.0, RATIO_RANGE.1);
            let index = limit(f64::from(index[i]), INDEX_RANGE.0, INDEX_RANGE.1);
            let (phase, _) = self.0.tick(f64::from(freq[i]) * ratio);
            *out = (TAU * phase + index * f64::from(pm[i])).sin() as f32;
        }
    }

    fn reset(&mut self) {
        self.0.reset();
    }

    /// Keeps the phase, so an edit of the frequency does not click.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

/// `osc.organ`: the six harmonics from one `sin_cos` and the Chebyshev recurrence
/// `sin(kθ) = 2·cos θ·sin((k-1)θ) - sin((k-2)θ)`, in `f64` (its rounding error grows about
/// linearly with `k`, to around 1e-15 at the eighth harmonic).
#[derive(Clone, Debug)]
struct Organ {
    phasor: Phasor,
    nyquist_hz: f64,
}

impl Organ {
    fn new(init: &KernelInit) -> Organ {
        Organ {
            phasor: Phasor::new(init.sample_rate),
            nyquist_hz: init.sample_rate / 2.0,
        }
    }
}

// Where `Organ` finds the ports of `osc.organ`.
const ORGAN_FREQ: usize = port(&ORGAN.spec, "freq");
const ORGAN_LEVELS: std::ops::Range<usize> = port(&ORGAN.spec, "h1")..port(&ORGAN.spec, "h8") + 1;
const ORGAN_OUT: usize = output(&ORGAN.spec, "out");

impl Dsp for Organ {
    /// Inputs `[freq, h1, h2, h3, h4, h6, h8]` (Hz, then levels), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let freq = inputs[ORGAN_FREQ];
        let levels = &inputs[ORGAN_LEVELS];
        for (i, out) in outputs[ORGAN_OUT].iter_mut().enumerate() {
            // Limited as the phasor limits it (NaN as -Nyquist), so the harmonics kept are
            // those below Nyquist at the frequency that actually plays.
            let freq = limit(f64::from(freq[i]), -self.nyquist_hz, self.nyquist_hz);
            let (phase, _) = self.phasor.tick(freq);
            let (sin, cos) = (TAU * phase).sin_cos();
            // Harmonic k plays while k·|freq| < Nyquist (all of them at 0 Hz, where all are 0).
            let audible = self.nyquist_hz / freq.abs();
            let (mut previous, mut current) = (0.0, sin);
            let mut sum = 0.0;
            let mut bars = HARMONICS.iter().zip(levels).peekable();
            for k in 1..=HARMONICS[HARMONICS.len() - 1] {
                // `next_if` runs first, so a bar is used up even when its harmonic is dropped.
                if let Some((_, level)) = bars.next_if(|(h, _)| **h == k)
                    && f64::from(k) < audible
                {
                    sum += limit(f64::from(level[i]), 0.0, 1.0) * current;
                }
                (previous, current) = (current, 2.0 * cos * current - previous);
            }
            *out = sum as f32;
        }
    }

    fn reset(&mut self) {
        self.phasor.reset();
    }

    /// Keeps the phase, so an edit of the frequency does not click.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

/// `osc.sync_saw`: `osc.saw`'s wave on a phasor that a rising edge of `sync` sets to 0.
#[derive(Clone, Debug)]
struct SyncSaw {
    phasor: FixedPhasor,
    edge: RisingEdge,
}

impl SyncSaw {
    fn new(init: &KernelInit) -> SyncSaw {
        SyncSaw {
            phasor: FixedPhasor::new(init.sample_rate),
            edge: RisingEdge::default(),
        }
    }
}

// Where `SyncSaw` finds the ports of `osc.sync_saw`.
const SYNC_SAW_FREQ: usize = port(&SYNC_SAW.spec, "freq");
const SYNC_SAW_SYNC: usize = port(&SYNC_SAW.spec, "sync");
const SYNC_SAW_OUT: usize = output(&SYNC_SAW.spec, "out");

impl Dsp for SyncSaw {
    /// Inputs `[freq, sync]` (Hz, signal), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        for ((out, &freq), &sync) in outputs[SYNC_SAW_OUT]
            .iter_mut()
            .zip(inputs[SYNC_SAW_FREQ])
            .zip(inputs[SYNC_SAW_SYNC])
        {
            if self.edge.rises(sync) {
                self.phasor.sync();
            }
            let (at, inverse_width) = self.phasor.tick(freq);
            *out = phase::saw(at, inverse_width);
        }
    }

    fn reset(&mut self) {
        self.phasor.reset();
        self.edge = RisingEdge::default();
    }

    /// Keeps the phase and the sync input's last level.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{SR, amplitude_at, constant, frequency, params, peak, run};

    const ONE_SECOND: usize = 48_000;

    #[test]
    fn pulse_frequency_and_duty_cycle() {
        for freq in [27.5_f32, 440.0, 1000.0, 4186.0] {
            let len = 2 * ONE_SECOND;
            let out = run("osc.pulse", &[&constant(freq, len), &constant(0.3, len)]);
            let measured = frequency(&out);
            println!("osc.pulse {freq} Hz: measured {measured:.5} Hz");
            assert!((measured - f64::from(freq)).abs() < 0.1);
        }
        // 100 Hz is 480 samples a period; PolyBLEP touches one sample each side of a jump.
        for width in [0.1_f32, 0.25, 0.5, 0.8] {
            let out = run(
                "osc.pulse",
                &[&constant(100.0, ONE_SECOND), &constant(width, ONE_SECOND)],
            );
            let high = out.iter().filter(|&&v| v > 0.0).count() as f64 / ONE_SECOND as f64;
            let mean = out.iter().map(|&v| f64::from(v)).sum::<f64>() / ONE_SECOND as f64;
            println!("osc.pulse width {width}: high {high:.4} of the time, mean {mean:+.4}");
            assert!((high - f64::from(width)).abs() < 1.0 / 480.0);
            assert!((mean - (2.0 * f64::from(width) - 1.0)).abs() < 2.0 / 480.0);
            let plateaus = out.chunks(480).all(|p| {
                let jump = (f64::from(width) * 480.0).round() as usize;
                p[2..jump - 1].iter().all(|&v| v == 1.0)
                    && p[jump + 2..479].iter().all(|&v| v == -1.0)
            });
            assert!(plateaus, "width {width}: plateaus exactly ±1");
        }
        // Width 0.5 is the square, bit for bit.
        let freq = constant(440.0, ONE_SECOND);
        let square = run("osc.square", &[&freq]);
        assert_eq!(
            run("osc.pulse", &[&freq, &constant(0.5, ONE_SECOND)]),
            square
        );
        // Out-of-range widths are limited.
        let narrow = run(
            "osc.pulse",
            &[&constant(100.0, 4_800), &constant(f32::NAN, 4_800)],
        );
        // NaN reads as the narrowest width, 0.01: a mean of -0.98.
        let mean = narrow.iter().map(|&v| f64::from(v)).sum::<f64>() / 4_800.0;
        assert!((mean + 0.98).abs() < 2.0 / 480.0, "{mean}");
    }

    /// The Bessel function of the first kind `J_k(x)`, from its power series.
    fn bessel(k: u32, x: f64) -> f64 {
        let mut term = (x / 2.0).powi(k as i32) / (1..=k).map(f64::from).product::<f64>();
        let mut sum = term;
        for m in 1..40 {
            term *= -(x / 2.0).powi(2) / (f64::from(m) * f64::from(m + k));
            sum += term;
        }
        sum
    }

    #[test]
    fn fm_sidebands_follow_bessel_functions() {
        assert!((bessel(0, 2.0) - 0.223_890_779).abs() < 1e-8);
        assert!((bessel(1, 2.0) - 0.576_724_808).abs() < 1e-8);
        // Carrier 4 kHz (2 kHz times ratio 2), modulator a unit sine of 500 Hz in radians.
        let (carrier, modulator) = (4000.0, 500.0);
        let pm: Vec<f32> = (0..ONE_SECOND)
            .map(|n| (std::f64::consts::TAU * modulator * n as f64 / SR).sin() as f32)
            .collect();
        for index in [0.5_f32, 2.0, 4.0] {
            let c = |v: f32| constant(v, ONE_SECOND);
            let out = run("osc.fm", &[&c(2000.0), &c(2.0), &c(index), &pm]);
            let mut worst: f64 = 0.0;
            for k in 0..=6 {
                let expected = bessel(k, f64::from(index)).abs();
                for side in [-1.0, 1.0] {
                    let line = carrier + side * f64::from(k) * modulator;
                    let measured = amplitude_at(&out, line);
                    worst = worst.max((measured - expected).abs());
                    assert!(
                        (measured - expected).abs() < 2e-3,
                        "index {index}: {line} Hz at {measured:.5}, |J_{k}| = {expected:.5}"
                    );
                }
            }
            println!("osc.fm index {index}: sidebands within {worst:.1e} of |J_k(index)|");
        }
        // Without modulation it is a sine at freq·ratio.
        let c = |v: f32| constant(v, ONE_SECOND);
        let plain = run("osc.fm", &[&c(200.0), &c(2.5), &c(3.0), &c(0.0)]);
        let measured = frequency(&plain);
        println!("osc.fm 200 Hz × 2.5: measured {measured:.5} Hz");
        assert!((measured - 500.0).abs() < 0.01);
        assert_eq!(plain[0], 0.0);
        assert!((peak(&plain) - 1.0).abs() < 1e-6);
    }

    fn organ(freq: f32, levels: [f32; 6]) -> Vec<f32> {
        let freq = constant(freq, ONE_SECOND);
        let levels = levels.map(|v| constant(v, ONE_SECOND));
        let mut inputs: Vec<&[f32]> = vec![&freq];
        inputs.extend(levels.iter().map(Vec::as_slice));
        run("osc.organ", &inputs)
    }

    #[test]
    fn organ_harmonics_have_their_drawbar_levels() {
        let levels = [0.9, 0.5, 0.3, 0.7, 0.2, 0.6];
        let out = organ(220.0, levels);
        let mut worst: f64 = 0.0;
        for (k, level) in [1, 2, 3, 4, 6, 8].into_iter().zip(levels) {
            let measured = amplitude_at(&out, 220.0 * f64::from(k));
            worst = worst.max((measured - f64::from(level)).abs());
            assert!(
                (measured - f64::from(level)).abs() < 1e-4,
                "harmonic {k}: {measured}"
            );
        }
        for k in [5, 7, 9, 10] {
            let measured = amplitude_at(&out, 220.0 * f64::from(k));
            assert!(measured < 1e-4, "harmonic {k} should be absent: {measured}");
        }
        println!("osc.organ at 220 Hz: drawbar harmonics within {worst:.1e} of their levels");
        assert_eq!(out[0], 0.0, "starts at phase 0");
        // At 3 kHz harmonic 8 (24 kHz) is at Nyquist and is dropped; harmonic 6 (18 kHz) stays.
        let high = organ(3000.0, [0.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
        let h6 = amplitude_at(&high, 18_000.0);
        println!("osc.organ at 3 kHz: harmonic 6 at {h6:.5}, harmonic 8 dropped");
        assert!((h6 - 1.0).abs() < 1e-4);
        assert!((peak(&high) - 1.0).abs() < 1e-3, "only harmonic 6 plays");
        // The default drawbars sum to 1, so the default voice stays within ±1.
        let (_, defaults) = params("osc.organ", &[]);
        let levels: [f32; 6] = std::array::from_fn(|k| defaults[k + 1] as f32);
        assert_eq!(levels.iter().sum::<f32>(), 1.0);
        let voice = organ(220.0, levels);
        println!("osc.organ default drawbars: peak {:.4}", peak(&voice));
        assert!(peak(&voice) <= 1.0);
    }

    /// The smallest lag `1..max_lag` at which `x` repeats, after `skip` samples, within 1e-6.
    fn period(x: &[f32], skip: usize, max_lag: usize) -> Option<usize> {
        (1..max_lag).find(|&lag| {
            x[skip..x.len() - lag]
                .iter()
                .zip(&x[skip + lag..])
                .all(|(a, b)| (a - b).abs() < 1e-6)
        })
    }

    #[test]
    fn sync_saw_repeats_with_the_sync_period() {
        let len = 9_600;
        // A 300 Hz sync square (rising every 160 samples) on saws of 1000 and 700 Hz, whose
        // own periods (48 and 68.57 samples) do not divide 160.
        let sync: Vec<f32> = (0..len)
            .map(|n| if n % 160 < 80 { 1.0 } else { -1.0 })
            .collect();
        for freq in [1000.0_f32, 700.0] {
            let free = run("osc.saw", &[&constant(freq, len)]);
            let synced = run("osc.sync_saw", &[&constant(freq, len), &sync]);
            let measured = period(&synced, 0, 1_000);
            println!("osc.sync_saw {freq} Hz synced at 300 Hz: repeats every {measured:?} samples");
            assert_eq!(measured, Some(160));
            // Between resets it is the free saw, sample for sample.
            assert_eq!(synced[..160], free[..160]);
            assert_eq!(synced[160..320], free[..160]);
        }
        // Without sync edges it is osc.saw exactly.
        let freq = constant(440.0, len);
        assert_eq!(
            run("osc.sync_saw", &[&freq, &constant(0.0, len)]),
            run("osc.saw", &[&freq])
        );
        // A sync at a fractional period (220 Hz, 218.18 samples) restarts on the first
        // sample of each high half: the mean spacing of restarts is the sync's period.
        let sync: Vec<f32> = (0..len)
            .map(|n| (std::f64::consts::TAU * 220.0 * n as f64 / SR).sin() as f32)
            .collect();
        let synced = run("osc.sync_saw", &[&constant(1000.0, len), &sync]);
        let restarts: Vec<usize> = (1..len)
            .filter(|&n| {
                synced[n] == 0.0 && synced[n - 1] != 0.0 && sync[n] > 0.0 && sync[n - 1] <= 0.0
            })
            .collect();
        let spacing =
            (restarts[restarts.len() - 1] - restarts[0]) as f64 / (restarts.len() - 1) as f64;
        println!("osc.sync_saw synced at 220 Hz: restarts every {spacing:.3} samples (218.182)");
        assert!((spacing - SR / 220.0).abs() < 0.5);
    }
}
