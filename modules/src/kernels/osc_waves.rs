//! Oscillators: `osc.sine`, `osc.saw`, `osc.square`, `osc.triangle`.
//!
//! Each starts at phase 0 and runs at amplitude 1 (peak ±1). Input 0 `freq` (Hz) is read every
//! sample; negative frequencies run the wave backwards. The phase is kept in 64-bit fixed point
//! (`dsp::phase`): one turn is 2^64, so it wraps exactly, a frequency measured over minutes is
//! exact, and a block whose frequency holds still computes its phases as one vector sum that
//! gives the same bits as stepping sample by sample. The step is limited to half a turn (the
//! Nyquist frequency) either way, so the samples of a stream do not depend on how it is cut into
//! blocks.
//!
//! | module | one period, from phase 0 |
//! |---|---|
//! | `osc.sine` | `sin(2π·phase)` |
//! | `osc.saw` | 0, rising to +1 at half a period, jumping to -1, rising back to 0 |
//! | `osc.square` | +1 for the first half period, -1 for the second |
//! | `osc.triangle` | 0, +1 at a quarter, 0 at half, -1 at three quarters |
//!
//! Every wave is computed in `f32` from the phase's top 32 bits, a whole block at a time in
//! branch-free loops that the compiler vectorises (eight lanes with AVX2, sixteen with AVX-512,
//! picked at run time; see `dsp::simd`). The sine folds the phase to ±a quarter turn in integers and evaluates an odd
//! polynomial, within 2.2e-7 of the exact sine. Measured (bench-peers w1 and w3, release build,
//! whole 60 s renders): the earlier kernel — the phase in `f64` stepped one sample at a time and
//! fundsp's eight-lane SIMD `sin` — cost 4.5 times the hand-written scalar loop of bench-peers on
//! 512 summed sines; fundsp's own `Sine` node wraps its phase once per block, so its output
//! changes with the host's block sizes.
//!
//! The saw and square are band-limited with PolyBLEP (a two-sample polynomial step around each
//! jump), which changes only the sample on each side of a jump: a square's plateaus are exactly
//! ±1 and it starts at +1 (there is no earlier low half to smooth from), each later period
//! starting with the middle of its rising jump (0.0); a saw's last sample before its jump is
//! about `1 - 2·freq/sample_rate`. fundsp's wavetable saw measured about 3x this code
//! (bench-peers). The triangle is left naive: its partials fall 12 dB an octave, so
//! it aliases far less, and PolyBLAMP would round its corners by `4/3·freq/sample_rate`
//! (1.2 % of the peak at 440 Hz).

use crate::KernelInit;
use crate::dsp::phase::{self, FixedPhasor, Held, Phases};
use crate::dsp::polyblep::{blep, from_jump};
use crate::dsp::simd::{uniform, wide};
use crate::dsp::state::same;
use crate::module::{Dsp, Module, StateFamily, lane, output, port};
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};
use patchvm_vm::{Kernel, KernelRef, MAX_LANES};
use std::marker::PhantomData;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[SINE, SAW, SQUARE, TRIANGLE];

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

/// `osc.sine`: a sine wave.
pub const SINE: Module = Module::kernel(
    ModuleSpec {
        name: "osc.sine",
        doc: "sine wave starting at phase 0, amplitude 1",
        inputs: &[FREQ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Oscillator::<SineShape>::new(init)),
)
.lanes()
.family(StateFamily::Phase);

/// `osc.saw`: a band-limited sawtooth.
pub const SAW: Module = Module::kernel(
    ModuleSpec {
        name: "osc.saw",
        doc: "band-limited sawtooth rising from 0 at phase 0, amplitude 1",
        inputs: &[FREQ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Oscillator::<SawShape>::new(init)),
)
.lanes()
.family(StateFamily::Phase);

/// `osc.square`: a band-limited square.
pub const SQUARE: Module = Module::kernel(
    ModuleSpec {
        name: "osc.square",
        doc: "band-limited square, +1 for the first half period then -1",
        inputs: &[FREQ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Oscillator::<SquareShape>::new(init)),
)
.lanes()
.family(StateFamily::Phase);

/// `osc.triangle`: a triangle.
pub const TRIANGLE: Module = Module::kernel(
    ModuleSpec {
        name: "osc.triangle",
        doc: "triangle rising from 0 at phase 0, amplitude 1",
        inputs: &[FREQ],
        outputs: &[OUT],
        role: Role::Kernel,
    },
    |init| init.kernel(Oscillator::<TriangleShape>::new(init)),
)
.lanes()
.family(StateFamily::Phase);

/// A waveform of the fixed-point phase, as the audio oscillators compute it.
trait Shape: Clone + Send + 'static {
    /// Whether the wave has jumps to band-limit, and so needs the step's width.
    const JUMPS: bool;
    /// The wave at phase `at` (turns × 2^32), with `inverse_width` from [`Phases`].
    fn at(at: u32, inverse_width: f32) -> f32;
}

/// `osc.sine`.
#[derive(Clone, Debug)]
struct SineShape;

impl Shape for SineShape {
    const JUMPS: bool = false;
    #[inline(always)]
    fn at(at: u32, _: f32) -> f32 {
        phase::sine(at)
    }
}

/// `osc.saw`.
#[derive(Clone, Debug)]
pub(super) struct SawShape;

impl Shape for SawShape {
    const JUMPS: bool = true;
    #[inline(always)]
    fn at(at: u32, inverse_width: f32) -> f32 {
        phase::saw(at, inverse_width)
    }
}

/// `osc.square`: the pulse of half a turn.
#[derive(Clone, Debug)]
struct SquareShape;

impl Shape for SquareShape {
    const JUMPS: bool = true;
    #[inline(always)]
    fn at(at: u32, inverse_width: f32) -> f32 {
        phase::pulse(at, inverse_width, 1 << 31)
    }
}

/// `osc.triangle`.
#[derive(Clone, Debug)]
struct TriangleShape;

impl Shape for TriangleShape {
    const JUMPS: bool = false;
    #[inline(always)]
    fn at(at: u32, _: f32) -> f32 {
        phase::triangle(at)
    }
}

/// An audio oscillator of shape `S` on a [`FixedPhasor`].
#[derive(Clone, Debug)]
struct Oscillator<S> {
    phasor: FixedPhasor,
    shape: PhantomData<S>,
}

impl<S: Shape> Oscillator<S> {
    fn new(init: &KernelInit) -> Oscillator<S> {
        Oscillator {
            phasor: FixedPhasor::new(init.sample_rate),
            shape: PhantomData,
        }
    }
}

// Where `Oscillator` finds the ports of `osc.sine` (and of `osc.saw`, `osc.square`, `osc.triangle`, laid out alike).
const SINE_FREQ: usize = port(&SINE.spec, "freq");
const SINE_OUT: usize = output(&SINE.spec, "out");

impl<S: Shape> Dsp for Oscillator<S> {
    /// Inputs `[freq]` (Hz), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let phasor = &mut self.phasor;
        wide(
            #[inline(always)]
            |_| match uniform(inputs[SINE_FREQ]) {
                // The common case, a frequency that holds still: the phases are a vector
                // induction, computed in the waveform's loop.
                Some(freq) => {
                    let held = [phasor.hold(freq, outputs[SINE_OUT].len())];
                    render_held::<S>(&held, outputs);
                }
                None => {
                    let mut phases = Phases::new();
                    phasor.run(inputs[SINE_FREQ], &mut phases, S::JUMPS);
                    for ((out, &at), &inverse_width) in outputs[SINE_OUT]
                        .iter_mut()
                        .zip(&phases.at)
                        .zip(&phases.inverse_width)
                    {
                        *out = S::at(at, inverse_width);
                    }
                }
            },
        );
    }

    /// Up to sixteen oscillators whose frequencies hold still in the block, their samples
    /// computed eight at a time, lane after lane (so eight independent chains of arithmetic
    /// overlap), with the single oscillator's formula.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process_lanes(
        &mut self,
        rest: &mut [KernelRef],
        inputs: &[&[f32]],
        outputs: &mut [&mut [f32]],
    ) -> bool {
        let lanes = 1 + rest.len();
        if lanes > MAX_LANES {
            return false;
        }
        let mut phasors: [Option<&mut FixedPhasor>; MAX_LANES] = Default::default();
        phasors[0] = Some(&mut self.phasor);
        for (slot, other) in phasors[1..].iter_mut().zip(rest) {
            *slot = lane::<Self>(other).map(|other| &mut other.phasor);
        }
        let frames = outputs[SINE_OUT].len();
        wide(
            #[inline(always)]
            |_| {
                if phasors[..lanes].iter().any(Option::is_none)
                    || !inputs.iter().all(|freq| uniform(freq).is_some())
                {
                    return false;
                }
                let mut held = [Held::default(); MAX_LANES];
                for ((held, phasor), freq) in held
                    .iter_mut()
                    .zip(phasors.iter_mut().flatten())
                    .zip(inputs)
                {
                    *held = phasor.hold(freq[0], frames);
                }
                render_held::<S>(&held[..lanes], outputs);
                true
            },
        )
    }

    fn reset(&mut self) {
        self.phasor.reset();
    }

    /// Keeps the phase, so an edit of the frequency does not click, and takes over the phase
    /// of any oscillator of the family ([`StateFamily::Phase`]), so a change of waveform
    /// starts the new wave where the old one was.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        take_over_phase(&mut self.phasor, other)
    }
}

/// Takes over the phasor of `other`, a kernel of any module of [`StateFamily::Phase`]:
/// its phase, and whether it has started (so the band-limiting goes on as it would have).
/// Returns whether `other` was of the family.
///
/// Real-time safe: copies plain fields; does not allocate.
pub(super) fn take_over_phase(phasor: &mut FixedPhasor, other: &dyn Kernel) -> bool {
    let other = same::<Oscillator<SineShape>>(other)
        .map(|k| &k.phasor)
        .or_else(|| same::<Oscillator<SawShape>>(other).map(|k| &k.phasor))
        .or_else(|| same::<Oscillator<SquareShape>>(other).map(|k| &k.phasor))
        .or_else(|| same::<Oscillator<TriangleShape>>(other).map(|k| &k.phasor))
        .or_else(|| super::osc_synthesis::pulse_phasor(other));
    other.map(|other| *phasor = *other).is_some()
}

/// Writes `outputs[l]` from `held[l]`, one lane's block after another, each a vector loop
/// over the samples whose phase is an induction. Inlined into each of `wide`'s copies.
#[inline(always)]
fn render_held<S: Shape>(held: &[Held], outputs: &mut [&mut [f32]]) {
    for (&held, out) in held.iter().zip(outputs.iter_mut()) {
        // Copied out, so the loop sees them as its own and keeps them in registers.
        let Held {
            mut phase,
            step,
            inverse_width,
            first,
        } = held;
        for out in out.iter_mut() {
            *out = S::at((phase >> 32) as u32, inverse_width);
            phase = phase.wrapping_add(step);
        }
        if first {
            out[0] = S::at((held.phase >> 32) as u32, f32::INFINITY);
        }
    }
}

/// A waveform of an `f64` phase, for the LFOs, which step their phase one sample at a time.
pub(super) trait Wave: Clone + Send + 'static {
    /// The wave at `phase` (turns, `0 <= phase < 1`) when the phase moves `step` turns a sample.
    fn at(phase: f64, step: f64) -> f64;
}

/// `lfo.saw`: `2·frac(phase + 0.5) - 1`, jumping down at phase 0.5, as `osc.saw`.
#[derive(Clone, Debug)]
pub(super) struct Saw;

impl Wave for Saw {
    #[inline]
    fn at(phase: f64, step: f64) -> f64 {
        let ramp = from_jump(phase, 0.5);
        2.0 * ramp - 1.0 - blep(ramp, step)
    }
}

/// `lfo.square`: +1 below phase 0.5, -1 from there, as `osc.square`.
#[derive(Clone, Debug)]
pub(super) struct Square;

impl Wave for Square {
    #[inline]
    fn at(phase: f64, step: f64) -> f64 {
        pulse(phase, step, 0.5)
    }
}

/// A band-limited pulse: +1 below phase `width`, -1 from there, with PolyBLEP on both jumps.
#[inline]
fn pulse(phase: f64, step: f64, width: f64) -> f64 {
    let naive = if phase < width { 1.0 } else { -1.0 };
    naive + blep(phase, step) - blep(from_jump(phase, width), step)
}

/// `lfo.triangle`: `1 - 4·|frac(phase + 0.25) - 0.5|`, naive, as `osc.triangle`.
#[derive(Clone, Debug)]
pub(super) struct Triangle;

impl Wave for Triangle {
    #[inline]
    fn at(phase: f64, _step: f64) -> f64 {
        let shifted = if phase < 0.75 {
            phase + 0.25
        } else {
            phase - 0.75
        };
        1.0 - 4.0 * (shifted - 0.5).abs()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        Run, SR, constant, frequency, kernel, peak, rising_crossings,
    };

    const TWO_SECONDS: usize = 96_000;

    fn render(name: &str, freq: f32, len: usize) -> Vec<f32> {
        let freq = constant(freq, len);
        Run::new(&[&freq], len).on(kernel(name, &[]).as_mut())
    }

    #[test]
    fn frequency_measured_from_rising_zero_crossings() {
        for name in ["osc.sine", "osc.saw", "osc.square", "osc.triangle"] {
            for freq in [440.0, 1000.0, 27.5, 4186.0] {
                let measured = frequency(&render(name, freq, TWO_SECONDS));
                println!("{name} {freq} Hz: measured {measured:.5} Hz");
                assert!(
                    (measured - f64::from(freq)).abs() < 0.1,
                    "{name} at {freq} Hz measured {measured} Hz"
                );
            }
        }
    }

    #[test]
    fn frequency_stays_exact_over_a_minute() {
        // 60 s at 441 Hz is 26 460 periods: an f32 phase would drift by whole periods.
        let wave = render("osc.sine", 441.0, 60 * 48_000);
        let crossings = rising_crossings(&wave);
        assert_eq!(crossings.len(), 26_459);
        let last = crossings[crossings.len() - 1];
        let expected = 26_459.0 * SR / 441.0;
        println!(
            "sine after 60 s: last crossing off by {:e} samples",
            last - expected
        );
        assert!((last - expected).abs() < 1e-3);
    }

    #[test]
    fn sine_starts_at_zero_and_peaks_at_one() {
        let wave = render("osc.sine", 440.0, 48_000);
        assert_eq!(wave[0], 0.0);
        let top = peak(&wave);
        println!("sine peak {top}");
        assert!((top - 1.0).abs() < 1e-3);
        // a quarter period of 1000 Hz is 12 samples
        let wave = render("osc.sine", 1000.0, 48);
        assert!((wave[12] - 1.0).abs() < 1e-6 && (wave[36] + 1.0).abs() < 1e-6);
        assert!(wave[24].abs() < 1e-6);
    }

    #[test]
    fn square_is_high_for_the_first_half_period() {
        // 1000 Hz: 48 samples a period; PolyBLEP touches only samples 0 and 24 (the jumps).
        let wave = render("osc.square", 1000.0, 4_800);
        assert_eq!(
            wave[0], 1.0,
            "the first sample is high: nothing before it to smooth"
        );
        assert!(
            wave[48].abs() < 1e-6,
            "later periods start mid-way up their rising jump"
        );
        for period in wave.chunks(48) {
            assert!(period[1..24].iter().all(|&x| x == 1.0), "{period:?}");
            assert!(period[25..48].iter().all(|&x| x == -1.0), "{period:?}");
        }
        assert_eq!(peak(&render("osc.square", 440.0, 48_000)), 1.0);
    }

    #[test]
    fn saw_rises_from_zero_through_its_quarter_periods() {
        let wave = render("osc.saw", 1000.0, 4_800);
        for period in wave.chunks(48) {
            for (index, expected) in [(0, 0.0), (12, 0.5), (36, -0.5)] {
                assert!(
                    (period[index] - expected).abs() < 1e-6,
                    "sample {index} of a period is {}",
                    period[index]
                );
            }
            // the ramp between the jumps is exact: slope 2 per period
            for (n, &x) in period.iter().enumerate().take(23).skip(2) {
                assert!((x - n as f32 / 24.0).abs() < 1e-6);
            }
        }
        // The ramp's peak is 1; PolyBLEP pulls the one sample before the jump to about
        // 1 - 2·freq/sr and the one after to about -(1 - 2·freq/sr).
        let top = peak(&render("osc.saw", 440.0, 48_000));
        let expected = 1.0 - 2.0 * 440.0 / SR as f32;
        println!("saw peak at 440 Hz {top}, 1 - 2·f/sr = {expected}");
        assert!((top - expected).abs() < 1e-3);
        let top = peak(&render("osc.saw", 20.0, 48_000));
        println!("saw peak at 20 Hz {top}");
        assert!((top - 1.0).abs() < 0.01);
    }

    #[test]
    fn triangle_turns_at_its_quarter_periods() {
        let wave = render("osc.triangle", 1000.0, 4_800);
        for period in wave.chunks(48) {
            for (index, expected) in [(0, 0.0), (6, 0.5), (12, 1.0), (24, 0.0), (36, -1.0)] {
                assert!(
                    (period[index] - expected).abs() < 1e-6,
                    "sample {index} of a period is {}",
                    period[index]
                );
            }
        }
        let top = peak(&render("osc.triangle", 440.0, 48_000));
        println!("triangle peak at 440 Hz {top}");
        assert!((top - 1.0).abs() < 0.01);
    }

    #[test]
    fn polyblep_lowers_aliasing() {
        // A 4186 Hz saw over one second: DFT bins fall on whole hertz, so the energy at the
        // folded images of harmonics 6..=40 (all above Nyquist) is the aliasing, measured
        // against a naive saw's.
        let (freq, len) = (4186_u32, 48_000);
        let blep = render("osc.saw", freq as f32, len);
        let naive: Vec<f32> = (0..len)
            .map(|n| {
                let phase = (n as f64 * f64::from(freq) / SR + 0.5).fract();
                (2.0 * phase - 1.0) as f32
            })
            .collect();
        let aliases: Vec<u32> = (6..=40)
            .map(|k| {
                let image = k * freq % 48_000;
                if image > 24_000 {
                    48_000 - image
                } else {
                    image
                }
            })
            .collect();
        let energy = |x: &[f32]| -> f64 {
            aliases
                .iter()
                .map(|&f| {
                    let (mut re, mut im) = (0.0, 0.0);
                    for (n, &v) in x.iter().enumerate() {
                        let w = std::f64::consts::TAU * f64::from(f) * n as f64 / SR;
                        re += f64::from(v) * w.cos();
                        im += f64::from(v) * w.sin();
                    }
                    re * re + im * im
                })
                .sum()
        };
        let gain_db = 10.0 * (energy(&blep) / energy(&naive)).log10();
        println!("saw at 4186 Hz: aliases {gain_db:.1} dB against the naive saw");
        assert!(gain_db < -10.0);
    }

    #[test]
    fn extreme_and_invalid_frequencies_stay_in_range() {
        for name in ["osc.sine", "osc.saw", "osc.square", "osc.triangle"] {
            let freq: Vec<f32> = (0..4_800)
                .map(|n| match n % 6 {
                    0 => f32::NAN,
                    1 => f32::INFINITY,
                    2 => -1e9,
                    3 => 0.0,
                    4 => -440.0,
                    _ => 23_999.0,
                })
                .collect();
            let wave = Run::new(&[&freq], freq.len()).on(kernel(name, &[]).as_mut());
            assert!(
                wave.iter().all(|x| x.is_finite() && x.abs() <= 1.0 + 1e-6),
                "{name}"
            );
        }
    }

    #[test]
    fn negative_frequency_runs_the_wave_backwards() {
        let up = render("osc.saw", 1000.0, 480);
        let down = render("osc.saw", -1000.0, 480);
        // backwards from phase 0: the mirror image in time, so sample n is -up[n]
        for n in 2..480 {
            if n % 48 != 23 && n % 48 != 24 && n % 48 != 25 {
                assert!((down[n] + up[n]).abs() < 1e-5, "sample {n}");
            }
        }
    }

    /// The oscillators of one phase family, each with its inputs for 1000 Hz (48 samples a
    /// period) and its level a quarter turn in, by hand: the sine's peak, the saw half way up
    /// (`2·0.25`), the square and the pulse of width 0.5 high, the triangle at its top.
    const PHASE_FAMILY: [(&str, &[f32], f32); 5] = [
        ("osc.sine", &[1000.0], 1.0),
        ("osc.saw", &[1000.0], 0.5),
        ("osc.square", &[1000.0], 1.0),
        ("osc.triangle", &[1000.0], 1.0),
        ("osc.pulse", &[1000.0, 0.5], 1.0),
    ];

    /// Runs `kernel` for `len` samples with each input held at `inputs`' values.
    fn drive(inputs: &[f32], len: usize, kernel: &mut dyn patchvm_vm::Kernel) -> Vec<f32> {
        let held: Vec<Vec<f32>> = inputs.iter().map(|&v| constant(v, len)).collect();
        let held: Vec<&[f32]> = held.iter().map(Vec::as_slice).collect();
        Run::new(&held, len).on(kernel)
    }

    /// Each oscillator of the family takes over each one's phase (a live edit changing a
    /// node's waveform): after 12 samples of the old one (a quarter turn), the new one starts
    /// at the quarter turn, at its level there by hand, and goes on sample for sample as the
    /// new waveform run from the start would.
    #[test]
    fn every_oscillator_takes_over_every_other_s_phase() {
        const BEFORE: usize = 12;
        const AFTER: usize = 100;
        for (from, from_inputs, _) in PHASE_FAMILY {
            for (to, to_inputs, quarter) in PHASE_FAMILY {
                let mut old = kernel(from, &[]);
                drive(from_inputs, BEFORE, old.as_mut());
                let mut new = kernel(to, &[]);
                assert!(new.copy_state_from(&*old), "{from} into {to}");
                let out = drive(to_inputs, AFTER, new.as_mut());
                assert!(
                    (out[0] - quarter).abs() < 1e-6,
                    "{from} into {to}: {} at the quarter turn, expected {quarter}",
                    out[0]
                );
                let reference = drive(to_inputs, BEFORE + AFTER, kernel(to, &[]).as_mut());
                assert_eq!(out, reference[BEFORE..], "{from} into {to}");
            }
        }
        let mut sine = kernel("osc.sine", &[]);
        assert!(
            !sine.copy_state_from(&*kernel("osc.fm", &[])),
            "not of the family"
        );
    }
}
