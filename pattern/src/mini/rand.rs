//! Strudel's seeded randomness (its "legacy" generator, still the default), bit for bit.
//!
//! Strudel draws a random number from the time it is asked about: the cycle position,
//! divided by 300, its fractional part scaled to 29 bits, stirred by a 32-bit xorshift.
//! `?` reads it at each event's onset and `|` once per cycle, each offset by 0.0003 cycles
//! times its own seed (the order in which the parser met it), so two `?`s differ.

use super::rational::Rational;

/// 2^29, the generator's resolution.
const RESOLUTION: f64 = 536_870_912.0;

/// Strudel's `xorwise`: a 32-bit xorshift on JavaScript's signed integers.
fn xorwise(x: i32) -> i32 {
    let a = x.wrapping_shl(13) ^ x;
    let b = (a >> 17) ^ a;
    b.wrapping_shl(5) ^ b
}

/// Strudel's `rand` at time `t` in cycles (`__timeToRands(t, 1)`): in [0, 1).
fn rand_at(t: f64) -> f64 {
    let x = t / 300.0;
    let frac = x - x.trunc();
    // |frac| < 1, so the product fits an i32 after truncation, as in JavaScript.
    let seed = xorwise((frac * RESOLUTION).trunc() as i32);
    (f64::from(seed % (1 << 29)) / RESOLUTION).abs()
}

/// The random number Strudel's mini-notation draws at `time` for the operator numbered
/// `op_seed` (`rand.early(0.0003 * op_seed)`), with the caller's `seed` added to the time
/// as Strudel's `randSeed` control does (so seeds repeat every 300).
///
/// Real-time safe: does not allocate, lock or block.
pub fn mini_rand(time: Rational, op_seed: u32, seed: u64) -> f64 {
    // time + 3 * op_seed / 10000, exactly, reduced, then rounded once: what Strudel's
    // fraction arithmetic and its conversion to a number give.
    let (num, den) = time.wide();
    let shifted = Rational::reduce(num * 10_000 + 3 * i128::from(op_seed) * den, den * 10_000);
    rand_at(shifted.to_f64() + seed as f64)
}

#[cfg(test)]
mod tests {
    use super::{mini_rand, rand_at, xorwise};
    use crate::mini::Rational;

    #[test]
    fn xorwise_wraps_like_javascript_int32() {
        // By hand: a = (1 << 13) ^ 1 = 8193; b = (8193 >> 17) ^ 8193 = 8193;
        // (8193 << 5) ^ 8193 = 262176 ^ 8193 = 270369.
        assert_eq!(xorwise(1), 270_369);
        // 2^28 << 13 = 2^41 keeps none of its bits in 32: a = 2^28; b = a ^ (a >> 17) =
        // 2^28 + 2^11; b << 5 keeps only 2^16; the xor is 2^28 + 2^16 + 2^11.
        assert_eq!(xorwise(1 << 28), (1 << 28) + (1 << 16) + (1 << 11));
    }

    #[test]
    fn time_zero_draws_zero_and_the_generator_repeats_every_300_cycles() {
        assert_eq!(rand_at(0.0), 0.0);
        let t = Rational::new(7, 4).unwrap();
        assert_eq!(mini_rand(t, 2, 0), mini_rand(t, 2, 300));
        assert_ne!(mini_rand(t, 2, 0), mini_rand(t, 2, 1));
    }
}
