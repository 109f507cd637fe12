//! A phase accumulator in 64-bit fixed point, for the audio oscillators, and the waveforms
//! they compute from it.
//!
//! One turn is 2^64. Integer addition wraps exactly once a turn and is associative, so the
//! phase of sample `n` is `start + step·n` to the last bit however the steps are grouped:
//! a block whose frequency holds still computes its phases as a vector induction, a block
//! whose frequency moves adds its steps one by one, and both give the bits a one-sample-a-call
//! run gives. The step is `freq · 2^64 / sample_rate` rounded once to an integer (53
//! significant bits), so a frequency held for minutes stays exact: 441 Hz drifts less than a
//! nanosecond an hour. The waveforms read the phase's top 32 bits (2^-32 turn), converted to
//! `f32` only once folded to where the waveform needs it.

use crate::kernels::limit;
use patchvm_vm::MAX_BLOCK;

/// 2^64: one turn.
const TURN: f64 = 18_446_744_073_709_551_616.0;
/// 2^63: half a turn, the largest step either way (the Nyquist frequency).
const HALF_TURN: f64 = 9_223_372_036_854_775_808.0;
/// Half a turn in the 32-bit phase the waveforms read.
const HALF: u32 = 1 << 31;
/// A quarter turn in the 32-bit phase.
const QUARTER: u32 = 1 << 30;
/// 2^-32 and 2^-31, exact in `f32`.
const TURN_32: f32 = 1.0 / 4_294_967_296.0;
const HALF_TURN_32: f32 = 1.0 / 2_147_483_648.0;

/// A phase in turns, stepped by `freq / sample_rate` each sample, in 64-bit fixed point.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FixedPhasor {
    /// The phase of the next sample, in turns × 2^64.
    phase: u64,
    /// Steps (turns × 2^64 per sample) per hertz.
    per_hz: f64,
    /// Whether a sample has been made since the phasor was built or reset.
    started: bool,
    /// The last frequency [`hold`](FixedPhasor::hold) was given (its bits), with its step and
    /// inverse width: a frequency that holds still for many blocks costs no conversion.
    held: Option<(u32, i64, f32)>,
}

/// The phases of one block, as the waveforms read them.
#[derive(Debug)]
pub(crate) struct Phases {
    /// Each sample's phase, turns × 2^32.
    pub(crate) at: [u32; MAX_BLOCK],
    /// `1 / width` of each sample's band-limiting correction, with the width the size of the
    /// step in turns × 2^32; +infinity (no correction) on the very first sample, which has no
    /// jump before it to smooth, and at 0 Hz.
    pub(crate) inverse_width: [f32; MAX_BLOCK],
}

impl Phases {
    /// Zeros, to be filled by [`FixedPhasor::run`].
    pub(crate) fn new() -> Phases {
        Phases {
            at: [0; MAX_BLOCK],
            inverse_width: [0.0; MAX_BLOCK],
        }
    }
}

impl FixedPhasor {
    /// A phasor at phase 0 for `sample_rate` samples a second.
    pub(crate) fn new(sample_rate: f64) -> FixedPhasor {
        FixedPhasor {
            phase: 0,
            per_hz: TURN / sample_rate,
            started: false,
            held: None,
        }
    }

    /// Back to phase 0, as built.
    pub(crate) fn reset(&mut self) {
        self.phase = 0;
        self.started = false;
    }

    /// The step for `freq_hz`: `freq_hz / sample_rate` turns, limited to ±half a turn (NaN
    /// reads as -half a turn, the bottom).
    #[inline(always)]
    fn step(&self, freq_hz: f32) -> i64 {
        // `as` saturates: +half a turn (2^63) becomes the largest i64, a hair below it.
        limit(f64::from(freq_hz) * self.per_hz, -HALF_TURN, HALF_TURN) as i64
    }

    /// `1 / width` of the correction for `step` (see [`Phases::inverse_width`]).
    #[inline(always)]
    fn inverse_width(step: i64) -> f32 {
        1.0 / (step.unsigned_abs() as f32 * TURN_32)
    }

    /// Sets the phase to 0 now (hard sync), keeping the step that follows.
    pub(crate) fn sync(&mut self) {
        self.phase = 0;
    }

    /// One sample: its phase and the inverse width of its correction, as [`run`] gives them
    /// (see [`Phases`]); then steps past it.
    ///
    /// Real-time safe: does not allocate, lock or block.
    ///
    /// [`run`]: FixedPhasor::run
    #[inline(always)]
    pub(crate) fn tick(&mut self, freq_hz: f32) -> (u32, f32) {
        let step = self.step(freq_hz);
        let at = (self.phase >> 32) as u32;
        self.phase = self.phase.wrapping_add(step as u64);
        let inverse_width = if self.started {
            FixedPhasor::inverse_width(step)
        } else {
            f32::INFINITY
        };
        self.started = true;
        (at, inverse_width)
    }

    /// Steps past a block of `frames` samples whose frequency holds still at `freq_hz`, and
    /// returns what its samples are computed from: sample `i`'s phase is
    /// `phase + i·step` (wrapping), its inverse width `inverse_width`, except that the very
    /// first sample since the phasor was built or reset has none (`first` says so; see
    /// [`Phases`]). The same bits as [`run`](FixedPhasor::run) over a held frequency.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline(always)]
    pub(crate) fn hold(&mut self, freq_hz: f32, frames: usize) -> Held {
        let (step, inverse_width) = match self.held {
            Some((bits, step, inverse_width)) if bits == freq_hz.to_bits() => (step, inverse_width),
            _ => {
                let step = self.step(freq_hz);
                let inverse_width = FixedPhasor::inverse_width(step);
                self.held = Some((freq_hz.to_bits(), step, inverse_width));
                (step, inverse_width)
            }
        };
        let held = Held {
            phase: self.phase,
            step: step as u64,
            inverse_width,
            first: !self.started && frames > 0,
        };
        self.phase = self
            .phase
            .wrapping_add((step as u64).wrapping_mul(frames as u64));
        self.started |= frames > 0;
        held
    }

    /// Writes the phase of each of the next `freq.len()` samples into `phases`, and if
    /// `widths`, the inverse widths of their corrections; then steps past them. Reads
    /// `freq` (Hz) every sample.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline(always)]
    pub(crate) fn run(&mut self, freq: &[f32], phases: &mut Phases, widths: bool) {
        let n = freq.len();
        let mut phase = self.phase;
        if let Some(freq) = crate::dsp::simd::uniform(freq) {
            // A vector induction: the same sums as one step at a time.
            let step = self.step(freq) as u64;
            for at in &mut phases.at[..n] {
                *at = (phase >> 32) as u32;
                phase = phase.wrapping_add(step);
            }
            if widths {
                phases.inverse_width[..n].fill(FixedPhasor::inverse_width(step as i64));
            }
        } else {
            for (i, &freq) in freq.iter().enumerate() {
                let step = self.step(freq);
                phases.at[i] = (phase >> 32) as u32;
                phase = phase.wrapping_add(step as u64);
                if widths {
                    phases.inverse_width[i] = FixedPhasor::inverse_width(step);
                }
            }
        }
        if widths && !self.started && n > 0 {
            phases.inverse_width[0] = f32::INFINITY;
        }
        self.started |= n > 0;
        self.phase = phase;
    }
}

/// A block of held frequency, from [`FixedPhasor::hold`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Held {
    /// The phase of the block's first sample, turns × 2^64.
    pub(crate) phase: u64,
    /// The step between samples, turns × 2^64, wrapping.
    pub(crate) step: u64,
    /// The inverse width of every sample's correction (but a first sample's).
    pub(crate) inverse_width: f32,
    /// Whether the block starts with the phasor's very first sample.
    pub(crate) first: bool,
}

/// `sin(2π·phase)` for a phase in turns × 2^32; within 2.2e-7 of the exact sine, 1 at a quarter turn.
///
/// The phase is folded to ±a quarter turn in integers (`sin(π - a) = sin(a)`), exactly, and
/// the sine there is an odd polynomial in turns, fitted (least squares weighted to the
/// largest error) for `f32` evaluation.
#[inline(always)]
pub(crate) fn sine(at: u32) -> f32 {
    // The last coefficient is nudged (by 1e-5 of itself) so that a quarter turn gives 1.0.
    const C: [f32; 5] = [6.283_185_5, -41.341_656, 81.601_006, -76.549_84, 39.536_75];
    let x = at as i32;
    let quarter = QUARTER as i32;
    // Beyond a quarter turn either way, -half a turn - x wraps to half a turn - x.
    let folded = if x > quarter || x < -quarter {
        i32::MIN.wrapping_sub(x)
    } else {
        x
    };
    let t = folded as f32 * TURN_32;
    let u = t * t;
    t * (C[0] + u * (C[1] + u * (C[2] + u * (C[3] + u * C[4]))))
}

/// The PolyBLEP correction for a jump up by 2 at distance `from_jump` (turns × 2^32, before
/// the jump if negative) when the phase moves `1 / inverse_width` a sample: with
/// `x = from_jump · inverse_width`, `(1 - |x|)²` with the sign of `x` within one step of the
/// jump, else 0. Subtracted from a naive wave it spreads the jump over two samples.
#[inline(always)]
pub(crate) fn polyblep(from_jump: i32, inverse_width: f32) -> f32 {
    let x = from_jump as f32 * inverse_width;
    // 0 beyond a step from the jump, and where x is NaN (0 · ∞: no step, no correction).
    let near = crate::dsp::simd::positive(1.0 - x.abs());
    (near * near).copysign(x)
}

/// The band-limited sawtooth: 0 at phase 0, rising to +1 at half a turn, jumping to -1.
#[inline(always)]
pub(crate) fn saw(at: u32, inverse_width: f32) -> f32 {
    // 2·frac(phase + 1/2) - 1 is the phase read as signed.
    let naive = at as i32 as f32 * HALF_TURN_32;
    naive + polyblep((at ^ HALF) as i32, inverse_width)
}

/// The band-limited pulse: +1 below `width` (turns × 2^32), -1 from there.
#[inline(always)]
pub(crate) fn pulse(at: u32, inverse_width: f32, width: u32) -> f32 {
    let naive = if at < width { 1.0 } else { -1.0 };
    naive - polyblep(at as i32, inverse_width)
        + polyblep(at.wrapping_sub(width) as i32, inverse_width)
}

/// The naive triangle: 0 at phase 0, +1 at a quarter turn, -1 at three quarters.
#[inline(always)]
pub(crate) fn triangle(at: u32) -> f32 {
    // frac(phase + 1/4) - 1/2, signed, is 0 at the top.
    let from_top = (at.wrapping_add(QUARTER) ^ HALF) as i32;
    1.0 - (from_top as f32).abs() * (4.0 * TURN_32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sine_is_within_its_error_bound_over_a_turn() {
        let worst = (0..1_u64 << 20)
            .map(|n| {
                let at = (n << 12) as u32;
                let exact = (std::f64::consts::TAU * f64::from(at) / 4_294_967_296.0).sin();
                (f64::from(sine(at)) - exact).abs()
            })
            .fold(0.0, f64::max);
        println!("sine: largest error {worst:e}");
        assert!(worst < 2.2e-7);
        assert_eq!(sine(QUARTER), 1.0);
        assert_eq!(sine(0), 0.0);
    }

    #[test]
    fn a_block_of_held_frequency_steps_exactly_as_one_sample_at_a_time() {
        let mut whole = FixedPhasor::new(48_000.0);
        let mut single = whole;
        let mut phases = Phases::new();
        let mut one = Phases::new();
        whole.run(&[441.0; 64], &mut phases, true);
        for n in 0..64 {
            single.run(&[441.0], &mut one, true);
            assert_eq!(one.at[0], phases.at[n]);
            assert_eq!(
                one.inverse_width[0].to_bits(),
                phases.inverse_width[n].to_bits()
            );
        }
        assert_eq!(phases.inverse_width[0], f32::INFINITY);
        assert_eq!(whole.phase, single.phase);
    }

    #[test]
    fn steps_are_limited_to_half_a_turn_with_nan_at_the_bottom() {
        let phasor = FixedPhasor::new(48_000.0);
        assert_eq!(phasor.step(f32::NAN), i64::MIN);
        assert_eq!(phasor.step(1e9), i64::MAX);
        assert_eq!(phasor.step(-1e9), i64::MIN);
        assert_eq!(phasor.step(12_000.0), 1 << 62);
    }
}
