//! Low-frequency oscillators: `lfo.sine`, `lfo.triangle`, `lfo.saw`, `lfo.square` and
//! `lfo.random`.
//!
//! Each outputs `offset + depth·shape`, where `shape` runs between -1 and 1 at `freq` hertz
//! (0..100, limited in the kernel, NaN as 0) and starts at phase 0. The shapes are those of
//! the oscillators of the same names, left naive (no PolyBLEP): at these rates a jump should
//! be a jump, as when an LFO drives a gate or a pitch.
//!
//! | module | one period, from phase 0 |
//! |---|---|
//! | `lfo.sine` | `sin(2π·phase)` |
//! | `lfo.triangle` | 0, +1 at a quarter, 0 at half, -1 at three quarters |
//! | `lfo.saw` | 0, rising to +1 at half a period, jumping to -1, rising back to 0 |
//! | `lfo.square` | +1 for the first half period, -1 for the second |
//! | `lfo.random` | a new uniform random value in -1..1, held for the whole period |
//!
//! `depth` and `offset` are applied as they come, like `gain`'s `amp`: they are signals, so
//! an envelope can drive the depth. `lfo.random` draws its values from a `rand_pcg::Pcg32`
//! seeded like `noise.white`; a period starts on sample 0 and then on the first sample at or
//! after each multiple of `sample_rate/freq`. The phase is kept in `f64`, stepped one sample
//! at a time.

use super::limit;
use super::noise::{SEED, uniform};
use super::osc_waves::{Saw, Square, Triangle, Wave};
use super::spec::{out, signal};
use crate::KernelInit;
use crate::dsp::clock::Clock;
use crate::dsp::phasor::Phasor;
use crate::dsp::rng::Seeded;
use crate::dsp::state::{copy_if, copy_whole};
use crate::module::{Dsp, Module, output, port};
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};
use patchvm_vm::Kernel;
use std::marker::PhantomData;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[SINE, TRIANGLE, SAW, SQUARE, RANDOM];

/// The highest LFO rate, in hertz.
const MAX_FREQ_HZ: f64 = 100.0;

const FREQ: InputSpec = InputSpec {
    name: "freq",
    doc: "cycles per second, limited to 0..100",
    default: 1.0,
    min: 0.0,
    max: MAX_FREQ_HZ,
    unit: Unit::Hz,
    rate: Rate::Audio,
    breaks_cycles: false,
};
const DEPTH: InputSpec = signal(
    "depth",
    "the shape's factor: out swings offset ± depth",
    1.0,
);
const OFFSET: InputSpec = signal("offset", "the centre the shape swings around", 0.0);

const INPUTS: &[InputSpec] = &[FREQ, DEPTH, OFFSET];
const OUTPUTS: &[OutputSpec] = &[out("offset + depth·shape")];

/// A periodic LFO module called `name`.
const fn periodic(name: &'static str, doc: &'static str) -> ModuleSpec {
    ModuleSpec {
        name,
        doc,
        inputs: INPUTS,
        outputs: OUTPUTS,
        role: Role::Kernel,
    }
}

/// `lfo.sine`: a sine LFO.
pub const SINE: Module = Module::kernel(
    periodic("lfo.sine", "sine LFO from phase 0: offset + depth·sin"),
    |init| init.kernel(Lfo::<Sine>::new(init)),
);
/// `lfo.triangle`: a triangle LFO.
pub const TRIANGLE: Module = Module::kernel(
    periodic(
        "lfo.triangle",
        "triangle LFO rising from offset at phase 0: offset + depth·triangle",
    ),
    |init| init.kernel(Lfo::<Triangle>::new(init)),
);
/// `lfo.saw`: a sawtooth LFO.
pub const SAW: Module = Module::kernel(
    periodic(
        "lfo.saw",
        "sawtooth LFO rising from offset at phase 0, jumping down at half a period",
    ),
    |init| init.kernel(Lfo::<Saw>::new(init)),
);
/// `lfo.square`: a square LFO.
pub const SQUARE: Module = Module::kernel(
    periodic(
        "lfo.square",
        "square LFO: offset + depth for the first half period, offset - depth for the second",
    ),
    |init| init.kernel(Lfo::<Square>::new(init)),
);

/// `lfo.random`: a stepped random LFO.
pub const RANDOM: Module = Module::kernel(
    ModuleSpec {
        name: "lfo.random",
        doc: "stepped random LFO: a new uniform value in offset ± depth each period, seeded",
        inputs: &[FREQ, DEPTH, OFFSET, SEED],
        outputs: &[out("offset + depth·value, the value uniform in -1..1")],
        role: Role::Kernel,
    },
    |init| init.kernel(RandomLfo::new(init)),
);

/// `lfo.sine`'s shape, `sin(2π·phase)` in `f64`. (`osc.sine`'s eight-lane SIMD sine is faster,
/// but an LFO is rarely the cost of a patch, and this keeps the LFOs one kernel.)
#[derive(Clone, Debug)]
struct Sine;

impl Wave for Sine {
    #[inline]
    fn at(phase: f64, _step: f64) -> f64 {
        (std::f64::consts::TAU * phase).sin()
    }
}

/// A periodic LFO of shape `W`, read with a step of 0 so no PolyBLEP applies.
#[derive(Clone, Debug)]
struct Lfo<W> {
    phasor: Phasor,
    wave: PhantomData<W>,
}

impl<W: Wave> Lfo<W> {
    fn new(init: &KernelInit) -> Lfo<W> {
        Lfo {
            phasor: Phasor::new(init.sample_rate),
            wave: PhantomData,
        }
    }
}

// Where `Lfo` finds the ports of `lfo.sine` (and of `lfo.triangle`, `lfo.saw`, `lfo.square`, laid out alike).
const SINE_FREQ: usize = port(&SINE.spec, "freq");
const SINE_DEPTH: usize = port(&SINE.spec, "depth");
const SINE_OFFSET: usize = port(&SINE.spec, "offset");
const SINE_OUT: usize = output(&SINE.spec, "out");

impl<W: Wave> Dsp for Lfo<W> {
    /// Inputs `[freq, depth, offset]` (Hz, signal, signal), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [freq, depth, offset] = [inputs[SINE_FREQ], inputs[SINE_DEPTH], inputs[SINE_OFFSET]];
        for (i, out) in outputs[SINE_OUT].iter_mut().enumerate() {
            let (phase, _) = self
                .phasor
                .tick(limit(f64::from(freq[i]), 0.0, MAX_FREQ_HZ));
            let shape = W::at(phase, 0.0);
            *out = (f64::from(offset[i]) + f64::from(depth[i]) * shape) as f32;
        }
    }

    fn reset(&mut self) {
        self.phasor.reset();
    }

    /// Keeps the phase, so an edit of the rate does not restart the wave.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

/// `lfo.random`: a value drawn at the start of each period of a [`Clock`].
#[derive(Clone, Debug)]
struct RandomLfo {
    clock: Clock,
    rng: Seeded,
    value: f32,
}

impl RandomLfo {
    fn new(init: &KernelInit) -> RandomLfo {
        RandomLfo {
            clock: Clock::new(init.sample_rate),
            rng: Seeded::new(init.seed),
            value: 0.0,
        }
    }
}

// Where `RandomLfo` finds the ports of `lfo.random`.
const RANDOM_FREQ: usize = port(&RANDOM.spec, "freq");
const RANDOM_DEPTH: usize = port(&RANDOM.spec, "depth");
const RANDOM_OFFSET: usize = port(&RANDOM.spec, "offset");
const RANDOM_OUT: usize = output(&RANDOM.spec, "out");

impl Dsp for RandomLfo {
    /// Inputs `[freq, depth, offset]` (Hz, signal, signal; the seed is read when built),
    /// outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [freq, depth, offset] = [
            inputs[RANDOM_FREQ],
            inputs[RANDOM_DEPTH],
            inputs[RANDOM_OFFSET],
        ];
        for (i, out) in outputs[RANDOM_OUT].iter_mut().enumerate() {
            if self.clock.tick(limit(f64::from(freq[i]), 0.0, MAX_FREQ_HZ)) {
                self.value = uniform(self.rng.next_u32());
            }
            *out = (f64::from(offset[i]) + f64::from(depth[i]) * f64::from(self.value)) as f32;
        }
    }

    fn reset(&mut self) {
        self.clock.reset();
        self.rng.reset();
        self.value = 0.0;
    }

    /// Keeps the clock's phase, the value held and the generator's position, if the other
    /// was seeded the same; a node whose seed changed starts its new sequence instead.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_if(self, other, |this, other| this.rng.same_seed(&other.rng))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Run, SR, constant, frequency, kernel, params};

    use crate::{KernelInit, build};

    const PERIODIC: [&str; 4] = ["lfo.sine", "lfo.triangle", "lfo.saw", "lfo.square"];

    fn render(name: &str, freq: f32, depth: f32, offset: f32, len: usize) -> Vec<f32> {
        let [freq, depth, offset] = [freq, depth, offset].map(|v| constant(v, len));
        Run::new(&[&freq, &depth, &offset], len).on(kernel(name, &[]).as_mut())
    }

    #[test]
    fn frequency_measured_from_rising_zero_crossings() {
        for name in PERIODIC {
            for freq in [1.0_f32, 2.0, 7.3, 99.0] {
                let len = 4 * 48_000;
                let measured = frequency(&render(name, freq, 1.0, 0.0, len));
                println!("{name} {freq} Hz: measured {measured:.5} Hz");
                assert!(
                    (measured / f64::from(freq) - 1.0).abs() < 1e-4,
                    "{name} at {freq} Hz measured {measured} Hz"
                );
            }
        }
    }

    #[test]
    fn depth_and_offset_set_the_range_and_shapes_start_at_phase_0() {
        // 10 Hz: 4 800 samples a period, so each shape's turning points are sampled exactly.
        let len = 48_000;
        for (name, first, mean) in [
            ("lfo.sine", 5.0, 5.0),
            ("lfo.triangle", 5.0, 5.0),
            ("lfo.saw", 5.0, 5.0),
            ("lfo.square", 8.0, 5.0),
        ] {
            let x = render(name, 10.0, 3.0, 5.0, len);
            let top = x.iter().fold(f32::MIN, |m, &v| m.max(v));
            let bottom = x.iter().fold(f32::MAX, |m, &v| m.min(v));
            let measured_mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / len as f64;
            println!(
                "{name}: {bottom}..{top}, mean {measured_mean:.5}, first {}",
                x[0]
            );
            assert_eq!(x[0], first, "{name} starts at phase 0");
            assert!(
                (top - 8.0).abs() < 1e-3 && (bottom - 2.0).abs() < 1e-3,
                "{name}"
            );
            assert!((measured_mean - mean).abs() < 1e-3, "{name}");
        }
        // Quarter periods of the shapes at 10 Hz (1 200 samples).
        let tri = render("lfo.triangle", 10.0, 1.0, 0.0, 4_800);
        let saw = render("lfo.saw", 10.0, 1.0, 0.0, 4_800);
        let square = render("lfo.square", 10.0, 1.0, 0.0, 4_800);
        for (n, t) in [(1_200, 1.0), (2_400, 0.0), (3_600, -1.0)] {
            assert!((tri[n] - t).abs() < 1e-6, "triangle sample {n}");
        }
        for (n, s) in [(1_200, 0.5), (3_600, -0.5)] {
            assert!((saw[n] - s).abs() < 1e-6, "saw sample {n}");
        }
        // Naive jumps: the square is exactly ±1 and the saw drops by 2 in one sample, at half
        // a period (sample 2 400 sits on the jump, and rounding of the phase picks its side).
        assert!(square[..2_400].iter().all(|&v| v == 1.0));
        assert!(square[2_401..].iter().all(|&v| v == -1.0));
        let drop = saw.windows(2).map(|w| w[0] - w[1]).fold(0.0, f32::max);
        assert!((drop - 2.0).abs() < 1e-3, "{drop}");
    }

    fn random(seed: u64, freq: f32, len: usize) -> Vec<f32> {
        let (spec, params) = params("lfo.random", &[]);
        let init = KernelInit {
            seed,
            ..KernelInit::new(&params, SR)
        };
        let [freq, depth, offset] = [freq, 1.0, 0.0].map(|v| constant(v, len));
        Run::new(&[&freq, &depth, &offset], len).on(build(&spec, &init).unwrap().as_mut())
    }

    #[test]
    fn random_holds_a_uniform_value_for_each_period() {
        // 100 Hz for 10 s: 1 000 values, each held for exactly 480 samples.
        let x = random(3, 100.0, 480_000);
        let values: Vec<f64> = x.chunks(480).map(|p| f64::from(p[0])).collect();
        for period in x.chunks(480) {
            assert!(
                period.iter().all(|&v| v == period[0]),
                "held for the period"
            );
        }
        let changes = x.windows(2).filter(|w| w[0] != w[1]).count();
        assert_eq!(changes, 999, "a new value at every period start");
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        println!("lfo.random: mean {mean:+.4}, variance {variance:.4} (uniform: 0, 0.3333)");
        assert!(values.iter().all(|v| (-1.0..1.0).contains(v)));
        assert!(mean.abs() < 0.06);
        assert!((variance / (1.0 / 3.0) - 1.0).abs() < 0.1);
        // Seeds pick the sequence; a fractional period (7 Hz: 6 857.14 samples) changes on
        // the first sample at or after each multiple.
        assert_eq!(random(3, 100.0, 5_000), x[..5_000]);
        assert_ne!(random(4, 100.0, 5_000), x[..5_000]);
        let slow = random(3, 7.0, 48_000);
        let starts: Vec<usize> = (1..48_000).filter(|&n| slow[n] != slow[n - 1]).collect();
        let expected: Vec<usize> = (1..7)
            .map(|k| (k as f64 * SR / 7.0).ceil() as usize)
            .collect();
        assert_eq!(starts, expected);
    }
}
