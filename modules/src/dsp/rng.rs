//! A seeded random generator that remembers its seed, for the noise sources: `noise.*`,
//! `lfo.random` and the noise of the drums.

use rand_pcg::Pcg32;
use rand_pcg::rand_core::{Rng, SeedableRng};

/// A `Pcg32` and its state when seeded, to restart it and to tell whether another generator
/// was seeded the same. Plain data: cloning it allocates nothing.
#[derive(Clone, Debug)]
pub(crate) struct Seeded {
    rng: Pcg32,
    /// The generator as seeded, for [`Seeded::reset`] and [`Seeded::same_seed`].
    start: Pcg32,
}

impl Seeded {
    /// A generator seeded with `seed`.
    pub(crate) fn new(seed: u64) -> Seeded {
        let rng = Pcg32::seed_from_u64(seed);
        Seeded {
            start: rng.clone(),
            rng,
        }
    }

    /// The next 32 random bits.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub(crate) fn next_u32(&mut self) -> u32 {
        self.rng.next_u32()
    }

    /// Back to the start of the sequence.
    pub(crate) fn reset(&mut self) {
        self.rng.clone_from(&self.start);
    }

    /// Whether `other` was seeded as this one was, so that taking over its position goes on
    /// with the sequence this one would play.
    pub(crate) fn same_seed(&self, other: &Seeded) -> bool {
        self.start == other.start
    }
}

#[cfg(test)]
mod tests {
    use super::Seeded;

    #[test]
    fn reset_restarts_and_same_seed_compares_the_start() {
        let mut a = Seeded::new(3);
        let first = [a.next_u32(), a.next_u32()];
        a.reset();
        assert_eq!(first, [a.next_u32(), a.next_u32()]);
        assert!(a.same_seed(&Seeded::new(3)));
        assert!(!a.same_seed(&Seeded::new(4)));
    }
}
