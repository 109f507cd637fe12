//! Ranges and conversions: `math.clip`, `math.scale`, `math.mtof`, `math.ftom` and
//! `math.dbtoamp`. The conversions run on the one-operand kernel of
//! [`arithmetic`](super::arithmetic).
//!
//! `math.clip` sorts its bounds and reads a NaN input as its
//! lower bound. `math.scale` extrapolates outside its input range and gives `out_lo` when the
//! input range is narrower than 1e-12. The conversions take control values, limited to their
//! ranges with NaN as the bottom, so they never produce NaN or infinity; they and
//! `math.scale` compute in `f64` and round once.
//!
//! | module | formula | limits |
//! |---|---|---|
//! | `math.mtof` | `440·2^((note - 69)/12)` Hz | note -128..256 |
//! | `math.ftom` | `69 + 12·log2(freq/440)` | result -128..256, so 0 Hz, negative or NaN give -128 |
//! | `math.dbtoamp` | `10^(db/20)` | db up to +60; -200 dB and below (and NaN) give exactly 0 |

use super::arithmetic::{Map1, Op1, fold1};
use super::limit;
use super::spec::{module, out, signal};
use crate::dsp::state::stateless;
use crate::module::{Dsp, Module, output, port};
use patchvm_ir::{InputSpec, OutputSpec, Rate, Unit};
use patchvm_vm::Kernel;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[CLIP, SCALE, MTOF, FTOM, DBTOAMP];

/// The range of MIDI note numbers `math.mtof` takes, `math.ftom` gives and `ctl.quantize`
/// works on: about 0.005 Hz to
/// 21 MHz, wider than any use.
pub(super) const NOTE_RANGE: (f64, f64) = (-128.0, 256.0);

/// At or below this level `math.dbtoamp` gives exactly 0 (minus infinity dB).
const DB_FLOOR: f64 = -200.0;
/// The highest level `math.dbtoamp` takes: a factor of 1000.
const DB_CEILING: f64 = 60.0;

/// `math.clip`: a signal limited to a range.
pub const CLIP: Module = Module::kernel(
    module(
        "math.clip",
        "limits a signal to lo..hi (bounds swapped if lo > hi; a NaN input gives lo)",
        &[
            signal("in", "the signal to limit", 0.0),
            signal("lo", "the lower bound", -1.0),
            signal("hi", "the upper bound", 1.0),
        ],
        &[out("in limited to lo..hi")],
    ),
    |init| init.kernel(Clip),
);

/// `math.scale`: a linear map from one range onto another.
pub const SCALE: Module = Module::kernel(
    module(
        "math.scale",
        "maps in_lo..in_hi linearly onto out_lo..out_hi, extrapolating outside; a degenerate input range gives out_lo",
        &[
            signal("in", "the signal to map", 0.0),
            signal("in_lo", "the input value that maps to out_lo", -1.0),
            signal("in_hi", "the input value that maps to out_hi", 1.0),
            signal("out_lo", "the output for in_lo", 0.0),
            signal("out_hi", "the output for in_hi", 1.0),
        ],
        &[out(
            "out_lo + (in - in_lo)·(out_hi - out_lo)/(in_hi - in_lo)",
        )],
    ),
    |init| init.kernel(Scale),
);

/// `math.mtof`: a MIDI note number as a frequency.
pub const MTOF: Module = Module::kernel(
    module(
        "math.mtof",
        "MIDI note number to frequency, equal temperament with note 69 at 440 Hz",
        &[InputSpec {
            name: "note",
            doc: "the MIDI note number, fractions allowed (60 is middle C)",
            default: 69.0,
            min: NOTE_RANGE.0,
            max: NOTE_RANGE.1,
            unit: Unit::Linear,
            rate: Rate::Audio,
            breaks_cycles: false,
        }],
        &[OutputSpec {
            name: "freq",
            doc: "440·2^((note - 69)/12) Hz",
            unit: Unit::Hz,
        }],
    ),
    |init| init.kernel(Map1::<Mtof>::new()),
)
.fold(fold1::<Mtof>);

/// `math.ftom`: a frequency as a MIDI note number.
pub const FTOM: Module = Module::kernel(
    module(
        "math.ftom",
        "frequency to MIDI note number (440 Hz is 69), limited to notes -128..256",
        &[InputSpec {
            name: "freq",
            doc: "the frequency; 0, negative or NaN give note -128",
            default: 440.0,
            min: 0.0,
            max: 1e6,
            unit: Unit::Hz,
            rate: Rate::Audio,
            breaks_cycles: false,
        }],
        &[OutputSpec {
            name: "note",
            doc: "69 + 12·log2(freq/440), limited to -128..256",
            unit: Unit::Linear,
        }],
    ),
    |init| init.kernel(Map1::<Ftom>::new()),
)
.fold(fold1::<Ftom>);

/// `math.dbtoamp`: decibels as a linear factor.
pub const DBTOAMP: Module = Module::kernel(
    module(
        "math.dbtoamp",
        "decibels to a linear factor, 10^(db/20); -200 dB and below give exactly 0",
        &[InputSpec {
            name: "db",
            doc: "the level in dB; -200 and below (and NaN) count as minus infinity",
            default: 0.0,
            min: DB_FLOOR,
            max: DB_CEILING,
            unit: Unit::Linear,
            rate: Rate::Audio,
            breaks_cycles: false,
        }],
        &[OutputSpec {
            name: "amp",
            doc: "10^(db/20), or 0 at -200 dB and below",
            unit: Unit::Linear,
        }],
    ),
    |init| init.kernel(Map1::<DbToAmp>::new()),
)
.fold(fold1::<DbToAmp>);

/// `math.mtof`: `440·2^((note - 69)/12)`, the note limited to [`NOTE_RANGE`].
#[derive(Debug)]
pub(super) struct Mtof;

impl Op1 for Mtof {
    #[inline]
    fn apply(note: f32) -> f32 {
        let note = limit(f64::from(note), NOTE_RANGE.0, NOTE_RANGE.1);
        (440.0 * ((note - 69.0) / 12.0).exp2()) as f32
    }
}

/// `math.ftom`: `69 + 12·log2(freq/440)`, limited to [`NOTE_RANGE`]; `log2` of 0 is minus
/// infinity and of a negative number NaN, and both limit to the bottom.
#[derive(Debug)]
pub(super) struct Ftom;

impl Op1 for Ftom {
    #[inline]
    fn apply(freq: f32) -> f32 {
        let note = 69.0 + 12.0 * (f64::from(freq) / 440.0).log2();
        limit(note, NOTE_RANGE.0, NOTE_RANGE.1) as f32
    }
}

/// `math.dbtoamp`: `10^(db/20)`, 0 at and below [`DB_FLOOR`], the level limited to
/// [`DB_CEILING`].
#[derive(Debug)]
pub(super) struct DbToAmp;

impl Op1 for DbToAmp {
    #[inline]
    fn apply(db: f32) -> f32 {
        let db = limit(f64::from(db), DB_FLOOR, DB_CEILING);
        if db <= DB_FLOOR {
            0.0
        } else {
            10.0_f64.powf(db / 20.0) as f32
        }
    }
}

/// `math.clip`: `in` limited to `lo..=hi`, the bounds sorted first.
#[derive(Debug)]
struct Clip;

// Where `Clip` finds the ports of `math.clip`.
const CLIP_IN: usize = port(&CLIP.spec, "in");
const CLIP_LO: usize = port(&CLIP.spec, "lo");
const CLIP_HI: usize = port(&CLIP.spec, "hi");
const CLIP_OUT: usize = output(&CLIP.spec, "out");

impl Dsp for Clip {
    /// Inputs `[in, lo, hi]`, outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [input, lo, hi] = [inputs[CLIP_IN], inputs[CLIP_LO], inputs[CLIP_HI]];
        for (i, out) in outputs[CLIP_OUT].iter_mut().enumerate() {
            let (lo, hi) = if lo[i] <= hi[i] {
                (lo[i], hi[i])
            } else {
                (hi[i], lo[i])
            };
            // `max` first, as in `limit`: a NaN input reads as `lo`. A NaN bound is ignored.
            *out = input[i].max(lo).min(hi);
        }
    }

    fn reset(&mut self) {}

    /// Stateless: there is nothing to keep, so it is kept whenever `other` is the same kernel.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        stateless::<Self>(other)
    }
}

/// `math.scale`: the linear map, in `f64`.
#[derive(Debug)]
struct Scale;

/// An input range narrower than this makes `math.scale` output `out_lo`.
const MIN_SPAN: f64 = 1e-12;

// Where `Scale` finds the ports of `math.scale`.
const SCALE_IN: usize = port(&SCALE.spec, "in");
const SCALE_IN_LO: usize = port(&SCALE.spec, "in_lo");
const SCALE_IN_HI: usize = port(&SCALE.spec, "in_hi");
const SCALE_OUT_LO: usize = port(&SCALE.spec, "out_lo");
const SCALE_OUT_HI: usize = port(&SCALE.spec, "out_hi");
const SCALE_OUT: usize = output(&SCALE.spec, "out");

impl Dsp for Scale {
    /// Inputs `[in, in_lo, in_hi, out_lo, out_hi]`, outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [input, in_lo, in_hi, out_lo, out_hi] = [
            inputs[SCALE_IN],
            inputs[SCALE_IN_LO],
            inputs[SCALE_IN_HI],
            inputs[SCALE_OUT_LO],
            inputs[SCALE_OUT_HI],
        ];
        for (i, out) in outputs[SCALE_OUT].iter_mut().enumerate() {
            let [x, in_lo, in_hi, out_lo, out_hi] =
                [input[i], in_lo[i], in_hi[i], out_lo[i], out_hi[i]].map(f64::from);
            let span = in_hi - in_lo;
            // A NaN span fails the comparison and takes the degenerate branch too.
            *out = if span.abs() >= MIN_SPAN {
                (out_lo + (x - in_lo) * (out_hi - out_lo) / span) as f32
            } else {
                out_lo as f32
            };
        }
    }

    fn reset(&mut self) {}

    /// Stateless: there is nothing to keep, so it is kept whenever `other` is the same kernel.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        stateless::<Self>(other)
    }
}
#[cfg(test)]
mod tests {
    use super::super::test_support::{peak, run, sine_wave};

    #[test]
    fn clip_limits_a_sine_to_its_bounds() {
        // 101 whole periods on 48 000 evenly spread phases (see the comparators' test).
        let len = 48_000;
        let x = sine_wave(101.0, len);
        let (lo, hi) = (vec![-0.25; len], vec![0.5; len]);
        let clipped = run("math.clip", &[&x, &lo, &hi]);
        let swapped = run("math.clip", &[&x, &hi, &lo]);
        assert_eq!(clipped, swapped, "bounds are sorted");
        let top = clipped.iter().fold(f32::MIN, |m, &v| m.max(v));
        let bottom = clipped.iter().fold(f32::MAX, |m, &v| m.min(v));
        // A sine is above 0.5 for a third of a period and below -0.25 for 0.4196 of it.
        let at_top = clipped.iter().filter(|&&v| v == 0.5).count() as f64 / len as f64;
        let at_bottom = clipped.iter().filter(|&&v| v == -0.25).count() as f64 / len as f64;
        println!("clip: {bottom}..{top}, at the top {at_top:.4}, at the bottom {at_bottom:.4}");
        assert_eq!((bottom, top), (-0.25, 0.5));
        assert!((at_top - 1.0 / 3.0).abs() < 1e-3);
        let expected_bottom = 0.5 - 0.25_f64.asin() / std::f64::consts::PI;
        assert!(
            (at_bottom - expected_bottom).abs() < 1e-3,
            "{expected_bottom}"
        );
        for (&x, &c) in x.iter().zip(&clipped) {
            if (-0.25..=0.5).contains(&x) {
                assert_eq!(c, x, "inside the bounds the signal passes untouched");
            }
        }
        let nan = run("math.clip", &[&[f32::NAN], &[-0.25], &[0.5]]);
        assert_eq!(nan, [-0.25]);
    }

    #[test]
    fn scale_maps_range_onto_range() {
        let x: Vec<f32> = (0..=8).map(|n| -1.0 + n as f32 * 0.25).collect();
        let len = x.len();
        let c = |v: f32| vec![v; len];
        // The defaults map -1..1 onto 0..1.
        let unit = run("math.scale", &[&x, &c(-1.0), &c(1.0), &c(0.0), &c(1.0)]);
        let expected: Vec<f32> = (0..=8).map(|n| n as f32 / 8.0).collect();
        assert_eq!(unit, expected);
        // 0..1 onto 200..2000 Hz, extrapolating outside.
        let hz = run("math.scale", &[&x, &c(0.0), &c(1.0), &c(200.0), &c(2000.0)]);
        for (&x, &y) in x.iter().zip(&hz) {
            assert!(
                (f64::from(y) - (200.0 + f64::from(x) * 1800.0)).abs() < 1e-3,
                "{x} -> {y}"
            );
        }
        // A reversed output range inverts.
        let inverted = run("math.scale", &[&x, &c(-1.0), &c(1.0), &c(1.0), &c(-1.0)]);
        assert!(inverted.iter().zip(&x).all(|(&y, &x)| y == -x));
        // A degenerate input range gives out_lo.
        let degenerate = run("math.scale", &[&x, &c(0.3), &c(0.3), &c(5.0), &c(9.0)]);
        assert_eq!(degenerate, c(5.0));
        let nan = run("math.scale", &[&x, &c(f32::NAN), &c(0.3), &c(5.0), &c(9.0)]);
        assert_eq!(nan, c(5.0));
    }

    #[test]
    fn mtof_is_equal_temperament_at_440() {
        let notes = [
            69.0,
            81.0,
            57.0,
            60.0,
            0.0,
            69.5,
            127.0,
            -500.0,
            1e9,
            f32::NAN,
        ];
        let freqs = run("math.mtof", &[&notes]);
        let expected = [
            440.0,
            880.0,
            220.0,
            261.625_565,
            8.175_799,
            452.892_984,
            12_543.853_951,
            440.0 * (-197.0_f64 / 12.0).exp2(),
            440.0 * (187.0_f64 / 12.0).exp2(),
            440.0 * (-197.0_f64 / 12.0).exp2(),
        ];
        for ((note, &freq), expected) in notes.iter().zip(&freqs).zip(expected) {
            let error = (f64::from(freq) / expected - 1.0).abs();
            assert!(error < 1e-6, "note {note}: {freq} Hz, expected {expected}");
        }
        assert_eq!(freqs[0], 440.0);
        // Every semitone is the twelfth root of two.
        let chromatic: Vec<f32> = (0..128).map(|n| n as f32).collect();
        let freqs = run("math.mtof", &[&chromatic]);
        for pair in freqs.windows(2) {
            let ratio = f64::from(pair[1]) / f64::from(pair[0]);
            assert!((ratio - 2.0_f64.powf(1.0 / 12.0)).abs() < 1e-6);
        }
    }

    #[test]
    fn ftom_inverts_mtof_and_limits_non_positive_frequencies() {
        let notes: Vec<f32> = (0..=3_000).map(|n| -100.0 + n as f32 * 0.1).collect();
        let freqs = run("math.mtof", &[&notes]);
        let back = run("math.ftom", &[&freqs]);
        let worst = notes
            .iter()
            .zip(&back)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        println!("mtof then ftom: notes back within {worst:e}");
        assert!(worst < 1e-4);
        let odd = run(
            "math.ftom",
            &[&[440.0, 0.0, -440.0, f32::NAN, f32::INFINITY, 1e-30]],
        );
        assert_eq!(odd, [69.0, -128.0, -128.0, -128.0, 256.0, -128.0]);
    }

    #[test]
    fn dbtoamp_has_its_landmarks_and_a_floor() {
        let db = [
            0.0,
            -6.020_6,
            20.0,
            -60.0,
            6.0,
            -199.9,
            -200.0,
            -1e9,
            f32::NAN,
            1e9,
        ];
        let amp = run("math.dbtoamp", &[&db]);
        let expected = [
            1.0,
            0.5,
            10.0,
            0.001,
            1.995_262,
            1.011_579e-10,
            0.0,
            0.0,
            0.0,
            1000.0,
        ];
        for ((db, &amp), expected) in db.iter().zip(&amp).zip(expected) {
            let close = if expected == 0.0 {
                amp == 0.0
            } else {
                (f64::from(amp) / expected - 1.0).abs() < 1e-5
            };
            assert!(close, "{db} dB gave {amp}, expected {expected}");
        }
        // Applied to a sine, -6.02 dB halves its peak.
        let x = sine_wave(440.0, 4_800);
        let half = run("math.dbtoamp", &[&vec![-6.020_6; 4_800]]);
        let scaled = run("gain", &[&x, &half]);
        println!("sine peak after -6.02 dB: {}", peak(&scaled));
        assert!((peak(&scaled) - 0.5).abs() < 1e-4);
    }
}
