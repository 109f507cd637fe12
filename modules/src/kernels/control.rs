//! Control signals: `ctl.slew`, `ctl.smooth`, `ctl.sah` and `ctl.quantize`; the sequencing
//! ones (`ctl.metro`, `ctl.counter`, `ctl.steps`) are in [`sequence`](super::sequence).
//!
//! These shape slowly moving values (pitches, levels, gates) rather than audio, but run at
//! audio rate like every kernel, one sample at a time.
//!
//! **Triggers.** `ctl.sah`, `ctl.counter` and `ctl.steps` act on the *rising edges* of their
//! trigger inputs: a sample above 0 after one that was not. Before a kernel's first sample the
//! trigger counts as low, so a trigger already high on sample 0 (as `ctl.metro`'s first
//! impulse is) is an edge there. NaN counts as low.
//!
//! **Smoothing.** `ctl.slew` and `ctl.smooth` start at their first input sample, so a control
//! value connected from the start (a frequency of 440) does not glide up from 0. A non-finite
//! input sample is skipped (the output holds), so one bad value upstream cannot leave them at
//! infinity. `ctl.slew` is linear: `rise` and `fall` are the seconds it takes to move by 1.0,
//! so a step of 12 (an octave in notes) with `rise` 0.01 takes 0.12 s. `ctl.smooth` is a
//! one-pole low-pass: `time` is the time a step takes to settle within -60 dB (0.1 %) of its
//! end, so the time constant is `time / ln(1000)` ≈ `time / 6.91`.
//!
//! **Quantizing.** `ctl.quantize` snaps a MIDI note to the nearest note of a scale on a root;
//! a note exactly between two scale notes goes to the lower one.

use crate::KernelInit;
use crate::dsp::edge::RisingEdge;
use crate::dsp::state::{copy_whole, stateless};
use crate::module::{Dsp, Module, output, port};
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};
use patchvm_vm::Kernel;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[SLEW, SMOOTH, SAH, QUANTIZE];

use super::convert::NOTE_RANGE;
use super::limit;
use super::spec::{out, signal};

/// The longest slew or smoothing time, in seconds.
const MAX_TIME_S: f64 = 60.0;
/// `ctl.smooth`'s residual after `time` seconds: -60 dB.
const SETTLED: f64 = 1e-3;

/// An audio-rate time in seconds, `0..=60`.
const fn seconds(name: &'static str, doc: &'static str, default: f64) -> InputSpec {
    InputSpec {
        name,
        doc,
        default,
        min: 0.0,
        max: MAX_TIME_S,
        unit: Unit::Seconds,
        rate: Rate::Audio,
        breaks_cycles: false,
    }
}

/// An audio-rate whole number in `min..=max`.
pub(super) const fn integer(
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
        unit: Unit::Integer,
        rate: Rate::Audio,
        breaks_cycles: false,
    }
}

/// The trigger input of the edge-driven modules.
pub(super) const TRIG: InputSpec = signal("trig", "acts on each rising edge (to above 0)", 0.0);

/// `ctl.slew`: a linear slew-rate limiter.
pub const SLEW: Module = Module::kernel(
    ModuleSpec {
        name: "ctl.slew",
        doc: "follows its input at a limited speed: rise and fall are seconds per unit of change",
        inputs: &[
            signal("in", "the value to follow", 0.0),
            seconds("rise", "seconds to rise by 1.0 (0: at once)", 0.1),
            seconds("fall", "seconds to fall by 1.0 (0: at once)", 0.1),
        ],
        outputs: &[out(
            "the input, moving at most 1/rise up or 1/fall down per second",
        )],
        role: Role::Kernel,
    },
    |init| init.kernel(Slew::new(init)),
);

/// `ctl.smooth`: a one-pole smoother.
pub const SMOOTH: Module = Module::kernel(
    ModuleSpec {
        name: "ctl.smooth",
        doc: "one-pole smoother: a step settles within 0.1 % (-60 dB) in `time` seconds",
        inputs: &[
            signal("in", "the value to smooth", 0.0),
            seconds(
                "time",
                "seconds for a step to settle to -60 dB (0: no smoothing)",
                0.05,
            ),
        ],
        outputs: &[out("the smoothed input")],
        role: Role::Kernel,
    },
    |init| init.kernel(Smooth::new(init)),
);

/// `ctl.sah`: sample and hold.
pub const SAH: Module = Module::kernel(
    ModuleSpec {
        name: "ctl.sah",
        doc: "sample and hold: takes its input on each rising edge of trig, 0 before the first",
        inputs: &[signal("in", "the signal to sample", 0.0), TRIG],
        outputs: &[out("the input at the last rising edge of trig")],
        role: Role::Kernel,
    },
    |init| init.kernel(SampleHold::default()),
);

/// `ctl.quantize`: snaps a note to a scale.
pub const QUANTIZE: Module = Module::kernel(
    ModuleSpec {
        name: "ctl.quantize",
        doc: "snaps a MIDI note to the nearest note of a scale (ties go down)",
        inputs: &[
            InputSpec {
                name: "in",
                doc: "the MIDI note to snap, fractions allowed",
                default: 60.0,
                min: NOTE_RANGE.0,
                max: NOTE_RANGE.1,
                unit: Unit::Linear,
                rate: Rate::Audio,
                breaks_cycles: false,
            },
            integer(
                "scale",
                "0 chromatic, 1 major, 2 natural minor, 3 major pentatonic, 4 minor pentatonic",
                1.0,
                0.0,
                4.0,
            ),
            integer("root", "the scale's root, 0 = C .. 11 = B", 0.0, 0.0, 11.0),
        ],
        outputs: &[OutputSpec {
            name: "out",
            doc: "the nearest scale note (a whole MIDI note number)",
            unit: Unit::Linear,
        }],
        role: Role::Kernel,
    },
    |init| init.kernel(Quantize),
);

/// A time input as a number of samples, limited to `0..=60` s (NaN as 0).
#[inline]
fn samples(time_s: f32, sample_rate: f64) -> f64 {
    limit(f64::from(time_s), 0.0, MAX_TIME_S) * sample_rate
}

/// `ctl.slew`: moves towards the input by at most a step per sample.
#[derive(Clone, Debug)]
struct Slew {
    value: f64,
    /// Whether `value` has taken a first input sample since built or reset.
    started: bool,
    sample_rate: f64,
}

impl Slew {
    fn new(init: &KernelInit) -> Slew {
        Slew {
            value: 0.0,
            started: false,
            sample_rate: init.sample_rate,
        }
    }

    /// The largest move per sample for a time of `time_s` seconds per unit; unlimited at 0.
    #[inline]
    fn max_step(&self, time_s: f32) -> f64 {
        1.0 / samples(time_s, self.sample_rate)
    }

    #[inline]
    fn tick(&mut self, x: f32, rise: f32, fall: f32) -> f32 {
        let x = f64::from(x);
        if !x.is_finite() {
            return self.value as f32;
        }
        if !self.started {
            self.started = true;
            self.value = x;
        }
        let (up, down) = (self.max_step(rise), self.max_step(fall));
        let delta = x - self.value;
        // Landing exactly on the input once within reach, rather than adding the last step,
        // keeps the output from settling a rounding error away from a constant input.
        if delta > up {
            self.value += up;
        } else if delta < -down {
            self.value -= down;
        } else {
            self.value = x;
        }
        self.value as f32
    }
}

// Where `Slew` finds the ports of `ctl.slew`.
const SLEW_IN: usize = port(&SLEW.spec, "in");
const SLEW_RISE: usize = port(&SLEW.spec, "rise");
const SLEW_FALL: usize = port(&SLEW.spec, "fall");
const SLEW_OUT: usize = output(&SLEW.spec, "out");

impl Dsp for Slew {
    /// Inputs `[in, rise, fall]` (signal, s, s), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [input, rise, fall] = [inputs[SLEW_IN], inputs[SLEW_RISE], inputs[SLEW_FALL]];
        for (i, out) in outputs[SLEW_OUT].iter_mut().enumerate() {
            *out = self.tick(input[i], rise[i], fall[i]);
        }
    }

    fn reset(&mut self) {
        self.value = 0.0;
        self.started = false;
    }

    /// Keeps the value and whether it has started, so an edit does not make the output jump.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

/// `ctl.smooth`: `y[n] = x[n] + a·(y[n-1] - x[n])` with `a = 0.001^(1/(time·rate))`, so a
/// step's residual is `a^k` `k` samples on and exactly 0.001 after `time` seconds.
#[derive(Clone, Debug)]
struct Smooth {
    value: f64,
    started: bool,
    sample_rate: f64,
    /// The `time` input the coefficient was computed for, as bits (so NaN compares equal).
    time_bits: u32,
    coeff: f64,
}

impl Smooth {
    fn new(init: &KernelInit) -> Smooth {
        let time_s = f32::NAN;
        Smooth {
            value: 0.0,
            started: false,
            sample_rate: init.sample_rate,
            time_bits: time_s.to_bits(),
            coeff: Smooth::coefficient(time_s, init.sample_rate),
        }
    }

    /// The pole for a settling time of `time_s`; 0 (no smoothing) at 0 s, where `1/0` is
    /// infinite and `0.001^∞` is 0.
    fn coefficient(time_s: f32, sample_rate: f64) -> f64 {
        SETTLED.powf(1.0 / samples(time_s, sample_rate))
    }

    #[inline]
    fn tick(&mut self, x: f32, time_s: f32) -> f32 {
        let x = f64::from(x);
        if !x.is_finite() {
            return self.value as f32;
        }
        if !self.started {
            self.started = true;
            self.value = x;
        }
        // A `powf` only when the time changes.
        if time_s.to_bits() != self.time_bits {
            self.time_bits = time_s.to_bits();
            self.coeff = Smooth::coefficient(time_s, self.sample_rate);
        }
        self.value = x + self.coeff * (self.value - x);
        self.value as f32
    }
}

// Where `Smooth` finds the ports of `ctl.smooth`.
const SMOOTH_IN: usize = port(&SMOOTH.spec, "in");
const SMOOTH_TIME: usize = port(&SMOOTH.spec, "time");
const SMOOTH_OUT: usize = output(&SMOOTH.spec, "out");

impl Dsp for Smooth {
    /// Inputs `[in, time]` (signal, s), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        for ((out, &x), &time) in outputs[SMOOTH_OUT]
            .iter_mut()
            .zip(inputs[SMOOTH_IN])
            .zip(inputs[SMOOTH_TIME])
        {
            *out = self.tick(x, time);
        }
    }

    fn reset(&mut self) {
        self.value = 0.0;
        self.started = false;
        // The coefficient always matches `time_bits`, so it needs no reset.
    }

    /// Keeps the value and the coefficient with the time it was computed for.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

/// `ctl.sah`: the input at the last rising edge of the trigger.
#[derive(Clone, Debug, Default)]
struct SampleHold {
    edge: RisingEdge,
    held: f32,
}

// Where `SampleHold` finds the ports of `ctl.sah`.
const SAH_IN: usize = port(&SAH.spec, "in");
const SAH_TRIG: usize = port(&SAH.spec, "trig");
const SAH_OUT: usize = output(&SAH.spec, "out");

impl Dsp for SampleHold {
    /// Inputs `[in, trig]`, outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        for ((out, &x), &trig) in outputs[SAH_OUT]
            .iter_mut()
            .zip(inputs[SAH_IN])
            .zip(inputs[SAH_TRIG])
        {
            if self.edge.rises(trig) {
                self.held = x;
            }
            *out = self.held;
        }
    }

    fn reset(&mut self) {
        *self = SampleHold::default();
    }

    /// Keeps the held value and the trigger's last level.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

/// The scales of `ctl.quantize`, by index: semitones above the root, ascending.
const SCALES: [&[u8]; 5] = [
    &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    &[0, 2, 4, 5, 7, 9, 11],
    &[0, 2, 3, 5, 7, 8, 10],
    &[0, 2, 4, 7, 9],
    &[0, 3, 5, 7, 10],
];

/// `note` snapped to the nearest note of `scale` (semitones above `root`, ascending, starting
/// at 0); a tie goes to the lower note.
fn quantize(note: f64, scale: &[u8], root: f64) -> f64 {
    let relative = note - root;
    let octave = (relative / 12.0).floor();
    let within = relative - 12.0 * octave;
    // The candidates, ascending: the last degree of the octave below, this octave's degrees,
    // and the root of the octave above. A strict `<` keeps the lower of two equal distances.
    let last = f64::from(scale[scale.len() - 1]) - 12.0;
    let mut best = last;
    for degree in scale.iter().map(|&d| f64::from(d)).chain([12.0]) {
        if (within - degree).abs() < (within - best).abs() {
            best = degree;
        }
    }
    root + 12.0 * octave + best
}

/// `ctl.quantize`: [`quantize`] with the inputs limited and rounded.
#[derive(Debug)]
struct Quantize;

// Where `Quantize` finds the ports of `ctl.quantize`.
const QUANTIZE_IN: usize = port(&QUANTIZE.spec, "in");
const QUANTIZE_SCALE: usize = port(&QUANTIZE.spec, "scale");
const QUANTIZE_ROOT: usize = port(&QUANTIZE.spec, "root");
const QUANTIZE_OUT: usize = output(&QUANTIZE.spec, "out");

impl Dsp for Quantize {
    /// Inputs `[in, scale, root]` (note, index, semitone), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [note, scale, root] = [
            inputs[QUANTIZE_IN],
            inputs[QUANTIZE_SCALE],
            inputs[QUANTIZE_ROOT],
        ];
        for (i, out) in outputs[QUANTIZE_OUT].iter_mut().enumerate() {
            let note = limit(f64::from(note[i]), NOTE_RANGE.0, NOTE_RANGE.1);
            let scale = limit(f64::from(scale[i]).round(), 0.0, 4.0) as usize;
            let root = limit(f64::from(root[i]).round(), 0.0, 11.0);
            *out = quantize(note, SCALES[scale], root) as f32;
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
    use super::super::test_support::{SR, constant, first_index, run, sine_wave};

    use super::{SCALES, quantize};

    /// `len` samples of `from`, stepping to `to` at sample `at`.
    fn step(from: f32, to: f32, at: usize, len: usize) -> Vec<f32> {
        (0..len).map(|n| if n < at { from } else { to }).collect()
    }

    #[test]
    fn slew_moves_one_unit_per_rise_or_fall_time() {
        let len = 4_000;
        // Up by 1 at sample 100 with rise 10 ms, down by 2 at sample 2 000 with fall 5 ms.
        let x: Vec<f32> = (0..len)
            .map(|n| match n {
                0..100 => 0.0,
                100..2_000 => 1.0,
                _ => -1.0,
            })
            .collect();
        let out = run(
            "ctl.slew",
            &[&x, &constant(0.01, len), &constant(0.005, len)],
        );
        // The time from the last sample at the old value to the first at the new one.
        let rise = first_index(&out, |v| v >= 1.0) - 99;
        let fall = first_index(&out[2_000..], |v| v <= -1.0) + 1;
        println!("slew: rose 1.0 in {rise} samples (480 expected), fell 2.0 in {fall} (480)");
        assert!(rise.abs_diff(480) <= 1, "{rise}");
        assert!(fall.abs_diff(480) <= 1, "{fall}");
        // Linear in between: a constant slope of 1/480 per sample.
        for pair in out[100..570].windows(2) {
            assert!((f64::from(pair[1] - pair[0]) - 1.0 / 480.0).abs() < 1e-6);
        }
        assert_eq!(out[1_500], 1.0, "settles exactly on the input");
        // Zero time follows at once; the first sample is taken as it is.
        let x = sine_wave(440.0, 480);
        let zero = constant(0.0, 480);
        assert_eq!(run("ctl.slew", &[&x, &zero, &zero]), x);
        let high = run(
            "ctl.slew",
            &[&constant(440.0, 10), &constant(1.0, 10), &constant(1.0, 10)],
        );
        assert_eq!(high, constant(440.0, 10), "no glide up from 0 at the start");
    }

    #[test]
    fn slew_and_smooth_skip_non_finite_input() {
        let x = [0.5, f32::NAN, f32::INFINITY, 0.5, f32::NEG_INFINITY, 0.5];
        let len = x.len();
        let slewed = run("ctl.slew", &[&x, &constant(0.1, len), &constant(0.1, len)]);
        let smoothed = run("ctl.smooth", &[&x, &constant(0.1, len)]);
        assert_eq!(slewed, constant(0.5, len));
        assert_eq!(smoothed, constant(0.5, len));
    }

    #[test]
    fn smooth_settles_to_minus_60_db_in_its_time() {
        let (at, len) = (100, 6_000);
        let x = step(0.0, 1.0, at, len);
        for time in [0.05_f32, 0.01, 0.1] {
            let out = run("ctl.smooth", &[&x, &constant(time, len)]);
            let expected = f64::from(time) * SR;
            // Counted from the last sample before the step, as for the slew.
            let settled = (first_index(&out, |v| 1.0 - v <= 1.001e-3) - (at - 1)) as f64;
            // Halfway through, a one-pole's residual is the square root of 0.001.
            let half = 1.0 - f64::from(out[at - 1 + (expected / 2.0).round() as usize]);
            println!(
                "smooth {time} s: within -60 dB after {settled} samples ({expected}), \
                 residual halfway {half:.5} (0.03162)"
            );
            assert!((settled - expected).abs() <= 1.0);
            assert!((half / 1e-3_f64.sqrt() - 1.0).abs() < 0.01);
            assert!(out.windows(2).all(|w| w[1] >= w[0]), "no overshoot");
        }
        let x = sine_wave(440.0, 480);
        assert_eq!(run("ctl.smooth", &[&x, &constant(0.0, 480)]), x);
    }

    #[test]
    fn sah_holds_the_input_from_each_rising_edge() {
        let len = 4_800;
        let ramp: Vec<f32> = (0..len).map(|n| n as f32).collect();
        // A 100 Hz square: rising edges every 480 samples, starting at sample 0.
        let square: Vec<f32> = (0..len)
            .map(|n| if n % 480 < 240 { 1.0 } else { -1.0 })
            .collect();
        let held = run("ctl.sah", &[&ramp, &square]);
        for (n, &v) in held.iter().enumerate() {
            assert_eq!(v, (n / 480 * 480) as f32, "sample {n}");
        }
        // Nothing before the first edge: 0.
        let late = run("ctl.sah", &[&ramp, &step(0.0, 1.0, 1_000, len)]);
        assert!(late[..1_000].iter().all(|&v| v == 0.0));
        assert!(late[1_000..].iter().all(|&v| v == 1_000.0));
    }

    #[test]
    fn quantize_picks_the_nearest_scale_note() {
        // Against a brute-force search of every scale note from MIDI -144 to 275.
        for (index, scale) in SCALES.iter().enumerate() {
            for root in 0..12 {
                let notes: Vec<f64> = (-12..=23)
                    .flat_map(|octave| {
                        scale
                            .iter()
                            .map(move |&d| f64::from(root + d) + 12.0 * f64::from(octave))
                    })
                    .collect();
                for k in 0..=2_400 {
                    let x = -20.0 + f64::from(k) * 0.061;
                    let got = quantize(x, scale, f64::from(root));
                    let best = notes.iter().fold(f64::INFINITY, |b, &n| {
                        if (x - n).abs() < (x - b).abs() { n } else { b }
                    });
                    assert!(
                        (got - best).abs() < 1e-9,
                        "scale {index} root {root}: {x} -> {got}, nearest {best}"
                    );
                }
            }
        }
    }

    #[test]
    fn quantize_kernel_snaps_notes_in_a_d_major_scale() {
        let notes = [
            61.0,
            61.4,
            62.9,
            63.0,
            64.4,
            66.0,
            60.0,
            58.0,
            f32::NAN,
            1e9,
        ];
        let len = notes.len();
        let out = run(
            "ctl.quantize",
            &[&notes, &constant(1.0, len), &constant(2.0, len)],
        );
        // D major: D E F# G A B C#. 63 lies between D (62) and E (64): ties go down.
        assert_eq!(
            out,
            [
                61.0, 61.0, 62.0, 62.0, 64.0, 66.0, 59.0, 57.0, -128.0, 256.0
            ]
        );
        // Scale 0 rounds to semitones; out-of-range scale and root indices are limited.
        let chromatic = run("ctl.quantize", &[&[60.4, 60.6], &[0.0, 0.0], &[0.0, 0.0]]);
        assert_eq!(chromatic, [60.0, 61.0]);
        let limited = run(
            "ctl.quantize",
            &[&[61.0, 61.0], &[9.0, f32::NAN], &[-3.0, 40.0]],
        );
        // scale 9 -> 4 (minor pentatonic on C: 60 63); scale NaN -> chromatic.
        assert_eq!(limited, [60.0, 61.0]);
    }
}
