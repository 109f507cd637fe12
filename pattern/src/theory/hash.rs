//! The seeded randomness of the arpeggiator and the groove: a hash of a seed and a position,
//! so a random choice depends on where it falls, never on how many were drawn before, and a
//! render gives the same notes whatever its block sizes.
//!
//! The mixing function is SplitMix64's output function (Steele, Lea and Flood, "Fast
//! splittable pseudorandom number generators", OOPSLA 2014, with the constants of Vigna's
//! `splitmix64.c`): a bijection of 64-bit words whose every output bit depends on every input
//! bit. It is written here, not taken from a crate, so that its values never change with a
//! dependency's version.

/// The 64-bit golden ratio, SplitMix64's increment: keeps the seed, stream and key apart.
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's output function.
///
/// Real-time safe: does not allocate, lock or block.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// 64 random bits for `key` (a position, a step count) under `seed`, one `stream` per
/// independent use (timing and velocity draw from different streams at the same position).
///
/// Real-time safe: does not allocate, lock or block.
#[inline]
pub(crate) fn hash(seed: u64, stream: u64, key: u64) -> u64 {
    let base = mix(seed.wrapping_add(stream.wrapping_mul(GOLDEN)));
    mix(base ^ mix(key.wrapping_add(GOLDEN)))
}

/// `bits` as a number uniform in `-1..1` (its top 53 bits, so every value is exact).
///
/// Real-time safe: does not allocate, lock or block.
#[inline]
pub(crate) fn signed_unit(bits: u64) -> f64 {
    (bits >> 11) as f64 * (2.0 / (1_u64 << 53) as f64) - 1.0
}

#[cfg(test)]
mod tests {
    use super::{hash, mix, signed_unit};

    #[test]
    fn mix_is_splitmix64() {
        // The first outputs of Vigna's splitmix64.c seeded with 0: mix of 1·GOLDEN, 2·GOLDEN.
        assert_eq!(mix(0x9e37_79b9_7f4a_7c15), 0xe220_a839_7b1d_cdaf);
        assert_eq!(mix(0x3c6e_f372_fe94_f82a), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn draws_spread_over_their_range_and_keep_streams_apart() {
        assert_eq!(signed_unit(0), -1.0);
        assert_eq!(signed_unit(u64::MAX), 1.0 - 2.0 / (1_u64 << 53) as f64);
        assert_eq!(signed_unit(1 << 63), 0.0);
        let draws: Vec<f64> = (0..10_000).map(|k| signed_unit(hash(7, 0, k))).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        let below = draws.iter().filter(|&&x| x < -0.5).count();
        assert!(
            (2_300..2_700).contains(&below),
            "{below} of 10000 below -0.5"
        );
        assert_ne!(hash(7, 0, 5), hash(7, 1, 5));
        assert_ne!(hash(7, 0, 5), hash(8, 0, 5));
    }
}
