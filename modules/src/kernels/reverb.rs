//! Reverb: `reverb.stereo` and, in `mono`, `reverb.mono` (its left channel alone).
//!
//! Jezar's Freeverb, written natively: per channel eight parallel low-pass-feedback combs and
//! four series allpasses, with the standard tunings (combs 1116..1617 and allpasses 556..225
//! samples at 44.1 kHz, scaled to the sample rate) and the right channel's lines 23 samples
//! longer, which decorrelates the channels. The mono input feeds both channels at Freeverb's
//! input gain (0.015 for each of its two equal inputs). Native rather than fundsp: fundsp has no
//! Freeverb (its `reverb_stereo` is a 32-line feedback delay network), and that reverb measured
//! 8x slower than a hand-written Freeverb in the bench-peers comparison.
//!
//! `room_size` sets the combs' feedback, `0.7 + 0.28·room_size` (0.7..0.98, Freeverb's scaling;
//! Freeverb's "freeze" feedback of 1 is left out so every setting decays), and `damping` the
//! one-pole low-pass in each comb's loop, `0.4·damping`. At DC, where that low-pass has unit
//! gain, a comb of the mean tuning (31.25 ms) decays 60 dB in `3 · 0.03125 / -log10(feedback)`
//! seconds: 0.61 s at room_size 0, 1.24 s at 0.5, 2.73 s at 0.8, 10.7 s at 1. The broadband
//! RT60 measured at 48 kHz with damping 0.5 (Schroeder-integrated energy of left + right,
//! fitted between -5 and -35 dB) is about 0.9 of that: 0.54, 1.11, 2.49 and 9.76 s.
//!
//! The gains are Freeverb's, which get loud in big rooms: steady white noise comes out of the
//! wet path about 7 dB louder at room_size 1 without damping (RMS 1.35 for 0.58 in). Lower
//! `mix` or the input for long rooms.
//!
//! One change to Freeverb: the wet signal goes through a DC blocker (a one-pole high-pass at
//! 10 Hz). Freeverb's combs have a DC gain of `1/(1 - feedback)`, 50 at room_size 1, so an
//! input offset would otherwise come out of the tail six times larger. Denormal-range values in
//! the loops are flushed to zero, as Freeverb's `undenormalise` does, so a decaying tail does
//! not slow the CPU down.

use super::delay_effects::{IN, MIX};
use super::limit;
use super::spec::control;
use crate::KernelInit;
use crate::dsp::ring::Ring;
use crate::dsp::simd::{uniform, wide};
use crate::dsp::state::copy_with;
use crate::module::{Dsp, Module, blocks_mut, output, port};
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Role, Unit};
use patchvm_vm::{Kernel, MAX_BLOCK};
use std::f64::consts::TAU;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[STEREO, mono::MONO];

mod block;
mod mono;

/// Comb lengths at 44.1 kHz, left channel.
const COMBS: [usize; 8] = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617];
/// Allpass lengths at 44.1 kHz, left channel.
const ALLPASSES: [usize; 4] = [556, 441, 341, 225];
/// How many samples longer the right channel's lines are, at 44.1 kHz.
const STEREO_SPREAD: usize = 23;
/// The sample rate the tunings are given at.
const TUNING_RATE: f64 = 44_100.0;
/// Gain of the input into the combs: Freeverb's 0.015 for each of two equal inputs.
const INPUT_GAIN: f32 = 0.03;
/// Comb feedback is `OFFSET_ROOM + SCALE_ROOM · room_size`.
const OFFSET_ROOM: f32 = 0.7;
const SCALE_ROOM: f32 = 0.28;
/// The combs' damping coefficient is `SCALE_DAMP · damping`.
const SCALE_DAMP: f32 = 0.4;
/// The allpasses' feedback.
const ALLPASS_FEEDBACK: f32 = 0.5;
/// The DC blocker's corner, in hertz.
const DC_CORNER_HZ: f64 = 10.0;

const fn unit_control(name: &'static str, doc: &'static str, default: f64) -> InputSpec {
    control(name, doc, default, (0.0, 1.0), Unit::Linear)
}

/// `reverb.stereo`: Freeverb.
pub const STEREO: Module = Module::kernel(
ModuleSpec {
    name: "reverb.stereo",
    doc: "Freeverb: 8 damped combs and 4 allpasses per channel, mono in, stereo out",
    inputs: &[
        IN,
        unit_control(
            "room_size",
            "comb feedback 0.7 + 0.28·room_size: RT60 about 0.5 s at 0 to 10 s at 1; limited to 0..1",
            0.5,
        ),
        unit_control(
            "damping",
            "how much faster high frequencies die away; limited to 0..1",
            0.5,
        ),
        InputSpec {
            default: 0.33,
            ..MIX
        },
        unit_control(
            "width",
            "stereo width of the wet signal: 0 is mono, 1 full; limited to 0..1",
            1.0,
        ),
    ],
    outputs: &[
        OutputSpec {
            name: "left",
            doc: "left channel: dry and wet mixed",
            unit: Unit::Signal,
        },
        OutputSpec {
            name: "right",
            doc: "right channel: dry and wet mixed",
            unit: Unit::Signal,
        },
    ],
    role: Role::Kernel,
},
|init| init.kernel(Freeverb::new(init)),
)
.memory(|init| {
        Channel::memory_bytes(0, init.sample_rate)
            + Channel::memory_bytes(STEREO_SPREAD, init.sample_rate)
    });

/// A tuning in samples at 44.1 kHz, scaled to `sample_rate`; at least 2.
fn scaled(len: usize, sample_rate: f64) -> usize {
    ((len as f64 * sample_rate / TUNING_RATE).round() as usize).max(2)
}

/// `x`, or 0 if it is in or near the denormal range.
#[inline]
fn flush(x: f32) -> f32 {
    if x.abs() < 1e-20 { 0.0 } else { x }
}

/// A fixed delay of the ring's length: read the oldest sample, then overwrite it.
#[derive(Debug)]
struct FixedLine {
    ring: Ring,
    at: usize,
}

impl FixedLine {
    fn new(len: usize) -> FixedLine {
        FixedLine {
            ring: Ring::new(len),
            at: 0,
        }
    }

    /// The sample written `len` samples ago, replaced by `value`.
    #[inline]
    fn swap(&mut self, value: impl FnOnce(f32) -> f32) -> f32 {
        let old = self.ring.get(self.at);
        self.ring.set(self.at, value(old));
        self.at = self.ring.next(self.at);
        old
    }

    fn clear(&mut self) {
        self.ring.clear();
        self.at = 0;
    }

    /// The line's delay, in samples.
    fn len(&self) -> usize {
        self.ring.len()
    }

    /// Moves past `n` samples read and written with the runs.
    fn advance(&mut self, n: usize) {
        self.at = self.past(n);
    }

    /// The index `offset` samples past the oldest, for `offset` at most the line's length
    /// (a comparison, not a division).
    #[inline(always)]
    fn past(&self, offset: usize) -> usize {
        let at = self.at + offset;
        if at >= self.len() {
            at - self.len()
        } else {
            at
        }
    }

    /// Takes over the most recent samples of `other`, as many as both lines hold.
    ///
    /// Real-time safe: copies into this line's own ring; does not allocate.
    fn take_over(&mut self, other: &FixedLine) {
        // The sample at `at` is the oldest, so those before it are the newest.
        self.at = self.ring.take_over(&other.ring, other.at);
    }
}

/// A Freeverb comb: a delay line whose feedback goes through a one-pole low-pass.
#[derive(Debug)]
struct Comb {
    line: FixedLine,
    /// The low-pass's state.
    store: f32,
}

impl Comb {
    #[inline]
    fn tick(&mut self, input: f32, feedback: f32, damp: f32) -> f32 {
        let mut store = self.store;
        let out = self.line.swap(|old| {
            store = flush(old * (1.0 - damp) + store * damp);
            input + store * feedback
        });
        self.store = store;
        out
    }
}

/// A Freeverb allpass (`out = buf[n-D] - in`, `buf[n] = in + 0.5·buf[n-D]`).
#[derive(Debug)]
struct Allpass {
    line: FixedLine,
}

impl Allpass {
    #[inline]
    fn tick(&mut self, input: f32) -> f32 {
        let old = self.line.swap(|old| flush(input + old * ALLPASS_FEEDBACK));
        old - input
    }
}

/// One channel: the combs in parallel, then the allpasses in series, then the DC blocker.
#[derive(Debug)]
struct Channel {
    combs: [Comb; COMBS.len()],
    allpasses: [Allpass; ALLPASSES.len()],
    /// The DC blocker's last input and output.
    dc: (f32, f32),
}

impl Channel {
    fn new(spread: usize, sample_rate: f64) -> Channel {
        Channel {
            combs: COMBS.map(|len| Comb {
                line: FixedLine::new(scaled(len + spread, sample_rate)),
                store: 0.0,
            }),
            allpasses: ALLPASSES.map(|len| Allpass {
                line: FixedLine::new(scaled(len + spread, sample_rate)),
            }),
            dc: (0.0, 0.0),
        }
    }

    /// The bytes of the lines of a channel whose lines are `spread` samples (at 44.1 kHz)
    /// longer than the tunings.
    fn memory_bytes(spread: usize, sample_rate: f64) -> usize {
        COMBS
            .iter()
            .chain(&ALLPASSES)
            .map(|&len| scaled(len + spread, sample_rate) * size_of::<f32>())
            .sum()
    }

    #[inline]
    fn tick(&mut self, input: f32, feedback: f32, damp: f32, dc_pole: f32) -> f32 {
        let mut sum = 0.0;
        for comb in &mut self.combs {
            sum += comb.tick(input, feedback, damp);
        }
        for allpass in &mut self.allpasses {
            sum = allpass.tick(sum);
        }
        let (last_in, last_out) = self.dc;
        let out = flush(sum - last_in + dc_pole * last_out);
        self.dc = (sum, out);
        out
    }

    /// The shortest of the channel's lines: the longest block the block path takes.
    fn shortest(&self) -> usize {
        self.combs
            .iter()
            .map(|comb| comb.line.len())
            .chain(self.allpasses.iter().map(|allpass| allpass.line.len()))
            .min()
            .unwrap_or(0)
    }

    fn clear(&mut self) {
        for comb in &mut self.combs {
            comb.line.clear();
            comb.store = 0.0;
        }
        for allpass in &mut self.allpasses {
            allpass.line.clear();
        }
        self.dc = (0.0, 0.0);
    }

    /// Takes over `other`'s lines, low-pass states and DC blocker.
    ///
    /// Real-time safe: copies into this channel's own lines; does not allocate.
    fn take_over(&mut self, other: &Channel) {
        for (comb, other) in self.combs.iter_mut().zip(&other.combs) {
            comb.line.take_over(&other.line);
            comb.store = other.store;
        }
        for (allpass, other) in self.allpasses.iter_mut().zip(&other.allpasses) {
            allpass.line.take_over(&other.line);
        }
        self.dc = other.dc;
    }
}

/// `reverb.stereo`: two Freeverb channels sharing their settings.
#[derive(Debug)]
struct Freeverb {
    left: Channel,
    right: Channel,
    dc_pole: f32,
    /// Room for the block path.
    scratch: Box<block::Scratch>,
}

impl Freeverb {
    fn new(init: &KernelInit) -> Freeverb {
        Freeverb {
            left: Channel::new(0, init.sample_rate),
            right: Channel::new(STEREO_SPREAD, init.sample_rate),
            dc_pole: Freeverb::dc_pole(init.sample_rate),
            scratch: block::Scratch::new(),
        }
    }

    /// The DC blocker's pole at `sample_rate`.
    fn dc_pole(sample_rate: f64) -> f32 {
        (-TAU * DC_CORNER_HZ / sample_rate).exp() as f32
    }
}

// Where `Freeverb` finds the ports of `reverb.stereo`.
const STEREO_IN: usize = port(&STEREO.spec, "in");
const STEREO_ROOM_SIZE: usize = port(&STEREO.spec, "room_size");
const STEREO_DAMPING: usize = port(&STEREO.spec, "damping");
const STEREO_MIX: usize = port(&STEREO.spec, "mix");
const STEREO_WIDTH: usize = port(&STEREO.spec, "width");
const STEREO_OUTPUTS: [usize; 2] = [output(&STEREO.spec, "left"), output(&STEREO.spec, "right")];

impl Dsp for Freeverb {
    /// Inputs `[in, room_size, damping, mix, width]` (signal, then linear 0..1), outputs
    /// `[left, right]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [x, room, damping, mix, width] = [
            inputs[STEREO_IN],
            inputs[STEREO_ROOM_SIZE],
            inputs[STEREO_DAMPING],
            inputs[STEREO_MIX],
            inputs[STEREO_WIDTH],
        ];
        let [left, right] = blocks_mut(outputs, STEREO_OUTPUTS);
        let unit = |v: f32| limit(f64::from(v), 0.0, 1.0) as f32;
        let shortest = self.left.shortest().min(self.right.shortest());
        if let (Some(room), Some(damping), Some(mix), Some(width)) = (
            uniform(room),
            uniform(damping),
            uniform(mix),
            uniform(width),
        ) && x.len() <= shortest
        {
            // Settings that hold still: the block path, the same arithmetic as below.
            let settings = (
                OFFSET_ROOM + SCALE_ROOM * unit(room),
                SCALE_DAMP * unit(damping),
                self.dc_pole,
            );
            let (mix, width) = (unit(mix), unit(width));
            let (same, other) = (0.5 + 0.5 * width, 0.5 - 0.5 * width);
            let n = x.len();
            let (channels, scratch) = ([&mut self.left, &mut self.right], &mut *self.scratch);
            wide(
                #[inline(always)]
                |isa| {
                    let mut input = [0.0_f32; MAX_BLOCK];
                    for (input, &x) in input.iter_mut().zip(x) {
                        *input = if x.is_finite() { x * INPUT_GAIN } else { 0.0 };
                    }
                    let (mut wet_l, mut wet_r) = ([0.0_f32; MAX_BLOCK], [0.0_f32; MAX_BLOCK]);
                    let wet = [&mut wet_l[..n], &mut wet_r[..n]];
                    block::channels(isa, channels, scratch, &input[..n], settings, wet);
                    let outputs = left.iter_mut().zip(right.iter_mut());
                    for ((((left, right), &x), &wet_l), &wet_r) in
                        outputs.zip(x).zip(&wet_l).zip(&wet_r)
                    {
                        let dry = (1.0 - mix) * x;
                        *left = dry + mix * (same * wet_l + other * wet_r);
                        *right = dry + mix * (same * wet_r + other * wet_l);
                    }
                },
            );
            return;
        }
        for i in 0..left.len() {
            let feedback = OFFSET_ROOM + SCALE_ROOM * unit(room[i]);
            let damp = SCALE_DAMP * unit(damping[i]);
            let (mix, width) = (unit(mix[i]), unit(width[i]));
            // A non-finite input is kept out of the loops, where it would stay for good.
            let input = if x[i].is_finite() {
                x[i] * INPUT_GAIN
            } else {
                0.0
            };
            let wet_l = self.left.tick(input, feedback, damp, self.dc_pole);
            let wet_r = self.right.tick(input, feedback, damp, self.dc_pole);
            let (same, other) = (0.5 + 0.5 * width, 0.5 - 0.5 * width);
            let dry = (1.0 - mix) * x[i];
            left[i] = dry + mix * (same * wet_l + other * wet_r);
            right[i] = dry + mix * (same * wet_r + other * wet_l);
        }
    }

    fn reset(&mut self) {
        self.left.clear();
        self.right.clear();
    }

    /// Keeps both channels' tails: every comb's and allpass's most recent samples (as many as
    /// both hold, should the lines' lengths differ) and the filters' states.
    ///
    /// Real-time safe: copies into this kernel's own lines; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_with(self, other, |this, other| {
            this.left.take_over(&other.left);
            this.right.take_over(&other.right);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        Chunks, Run, SR, constant, impulse, kernel, rms, white_noise,
    };

    /// The outputs of `reverb.stereo` for input `x` with constant controls.
    fn render(x: &[f32], room: f32, damping: f32, mix: f32, width: f32) -> Vec<Vec<f32>> {
        render_in(x, [room, damping, mix, width], Chunks::Full)
    }

    fn render_in(x: &[f32], controls: [f32; 4], chunks: Chunks) -> Vec<Vec<f32>> {
        let len = x.len();
        let controls = controls.map(|v| constant(v, len));
        let inputs = [
            x,
            &controls[0][..],
            &controls[1][..],
            &controls[2][..],
            &controls[3][..],
        ];
        Run::new(&inputs, len)
            .chunks(chunks)
            .on_all(kernel("reverb.stereo", &[]).as_mut())
    }

    /// RT60 in seconds from the Schroeder backward integral of the energy of `left + right`,
    /// fitted by least squares between -5 and -35 dB and extrapolated to -60 dB.
    fn rt60(out: &[Vec<f32>]) -> f64 {
        let energy: Vec<f64> = out[0]
            .iter()
            .zip(&out[1])
            .map(|(&l, &r)| f64::from(l).powi(2) + f64::from(r).powi(2))
            .collect();
        let mut tail = 0.0;
        let mut edc: Vec<f64> = energy
            .iter()
            .rev()
            .map(|e| {
                tail += e;
                tail
            })
            .collect();
        edc.reverse();
        let total = edc[0];
        let points: Vec<(f64, f64)> = edc
            .iter()
            .enumerate()
            .map(|(n, &e)| (n as f64 / SR, 10.0 * (e / total).log10()))
            .filter(|&(_, db)| (-35.0..=-5.0).contains(&db))
            .collect();
        let count = points.len() as f64;
        let (mt, md) = points
            .iter()
            .fold((0.0, 0.0), |(t, d), p| (t + p.0 / count, d + p.1 / count));
        let (cov, var) = points.iter().fold((0.0, 0.0), |(c, v), &(t, d)| {
            (c + (t - mt) * (d - md), v + (t - mt).powi(2))
        });
        -60.0 / (cov / var)
    }

    /// The RT60 of a comb of the mean tuning (31.25 ms at any rate) with feedback `g`, at DC
    /// where the damping low-pass has unit gain: 60 dB / (-20·log10 g dB per pass).
    fn comb_rt60(room: f64) -> f64 {
        let mean_delay = super::COMBS.iter().sum::<usize>() as f64 / 8.0 / super::TUNING_RATE;
        let g = f64::from(super::OFFSET_ROOM) + f64::from(super::SCALE_ROOM) * room;
        3.0 * mean_delay / -g.log10()
    }

    #[test]
    fn rt60_grows_with_room_size_and_stays_near_the_combs_decay() {
        let mut last = 0.0;
        for (room, secs) in [(0.0, 2), (0.5, 4), (0.8, 6), (1.0, 16)] {
            let x = impulse(48_000 * secs);
            let rt = rt60(&render(&x, room as f32, 0.5, 1.0, 1.0));
            let formula = comb_rt60(room);
            println!("room_size {room}: RT60 {rt:.3} s, the combs' DC decay {formula:.3} s");
            // Damping shortens the high frequencies' decay, so the broadband figure is a
            // little below the DC one.
            assert!(
                (0.8..1.02).contains(&(rt / formula)),
                "room_size {room}: RT60 {rt}"
            );
            assert!(rt > last);
            last = rt;
        }
        // More damping shortens the decay.
        let x = impulse(48_000 * 4);
        let (light, heavy) = (
            rt60(&render(&x, 0.5, 0.0, 1.0, 1.0)),
            rt60(&render(&x, 0.5, 1.0, 1.0, 1.0)),
        );
        println!("room_size 0.5: RT60 {light:.3} s undamped, {heavy:.3} s fully damped");
        assert!(light > heavy * 1.1);
    }

    #[test]
    fn channels_are_decorrelated_and_width_zero_is_mono() {
        let x = impulse(48_000);
        let correlation = |out: &[Vec<f32>]| {
            let dot = |a: &[f32], b: &[f32]| {
                a.iter()
                    .zip(b)
                    .map(|(&x, &y)| f64::from(x) * f64::from(y))
                    .sum::<f64>()
            };
            dot(&out[0], &out[1]) / (dot(&out[0], &out[0]) * dot(&out[1], &out[1])).sqrt()
        };
        let wide = correlation(&render(&x, 0.5, 0.5, 1.0, 1.0));
        let mono = render(&x, 0.5, 0.5, 1.0, 0.0);
        println!("left/right correlation of the impulse response: {wide:.4} at width 1");
        assert!(wide.abs() < 0.5);
        assert_eq!(mono[0], mono[1]);
    }

    #[test]
    fn mix_zero_passes_the_input_exactly_and_both_outputs_ignore_block_sizes() {
        let len = 4_800;
        let x: Vec<f32> = (0..len)
            .map(|n| ((n * 37) % 101) as f32 / 50.0 - 1.0)
            .collect();
        let dry = render(&x, 0.7, 0.5, 0.0, 1.0);
        assert_eq!(dry[0], x);
        assert_eq!(dry[1], x);
        let whole = render_in(&x, [0.7, 0.3, 0.5, 0.8], Chunks::Full);
        for chunks in [Chunks::Random(5), Chunks::Fixed(1), Chunks::Fixed(17)] {
            assert_eq!(whole, render_in(&x, [0.7, 0.3, 0.5, 0.8], chunks));
        }
    }

    #[test]
    fn no_dc_builds_up_and_room_size_max_is_stable() {
        let len = 48_000 * 6;
        // A 0.5 offset for 4 s, at room_size 1: without the DC blocker the wet output would
        // settle near 0.5 · 0.03 · 8 / 0.02 = 6.
        let offset: Vec<f32> = (0..len)
            .map(|n| if n < 48_000 * 4 { 0.5 } else { 0.0 })
            .collect();
        let out = render(&offset, 1.0, 0.5, 1.0, 1.0);
        let mean = |x: &[f32]| x.iter().map(|&v| f64::from(v)).sum::<f64>() / x.len() as f64;
        let settled = mean(&out[0][48_000 * 3..48_000 * 4]);
        println!("wet DC with a 0.5 input offset, 3..4 s: {settled:.5}");
        assert!(settled.abs() < 0.01);
        // Noise for 5 s, then silence, at room_size 1 without damping: the level settles
        // (no growth between seconds 3 and 4) and the tail then falls at the combs' rate.
        let len = 48_000 * 8;
        let mut noise = white_noise(3, len);
        noise[48_000 * 5..].fill(0.0);
        let out = render(&noise, 1.0, 0.0, 1.0, 1.0);
        let level = |s: usize| rms(&out[0][s * 48_000..(s + 1) * 48_000]);
        let levels: Vec<f64> = (0..8).map(level).collect();
        let fall_db = 20.0 * (levels[5] / levels[7]).log10();
        println!(
            "room_size 1, no damping, noise RMS {:.3}: output RMS by second {levels:.3?}; \
             tail falls {fall_db:.2} dB in 2 s (combs' DC rate {:.2} dB)",
            rms(&noise[..48_000]),
            120.0 / comb_rt60(1.0)
        );
        assert!((levels[4] / levels[3] - 1.0).abs() < 0.05);
        assert!((fall_db / (120.0 / comb_rt60(1.0)) - 1.0).abs() < 0.2);
        assert!(out.iter().flatten().all(|v| v.is_finite()));
    }
}
