//! The stream an analysis kernel listens to: its last samples in a ring and the count to the
//! next hop, the one moment its outputs may change. Pushing one sample at a time makes the
//! hops fall on the same samples whatever the host's blocks.

/// The last `len` samples of a stream, and where the current hop ends.
#[derive(Clone, Debug)]
pub(super) struct Frames {
    ring: Vec<f32>,
    /// Where the next sample goes: the oldest sample held.
    at: usize,
    hop: usize,
    /// Samples left before the current hop ends.
    left: usize,
}

impl Frames {
    /// A ring of `len` silent samples whose first hop ends after `hop` samples.
    pub(super) fn new(len: usize, hop: usize) -> Frames {
        Frames {
            ring: vec![0.0; len.max(1)],
            at: 0,
            hop: hop.max(1),
            left: hop.max(1),
        }
    }

    /// Takes in `x`; true when a hop ends with it, so the frame is analysed now.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub(super) fn push(&mut self, x: f32) -> bool {
        self.ring[self.at] = x;
        self.at += 1;
        if self.at == self.ring.len() {
            self.at = 0;
        }
        self.left -= 1;
        if self.left == 0 {
            self.left = self.hop;
            return true;
        }
        false
    }

    /// The samples held, oldest first, as its two contiguous parts.
    #[inline]
    pub(super) fn parts(&self) -> (&[f32], &[f32]) {
        let (newer, older) = self.ring.split_at(self.at);
        (older, newer)
    }

    /// The samples held, oldest first.
    #[inline]
    pub(super) fn iter(&self) -> impl Iterator<Item = f32> + '_ {
        let (older, newer) = self.parts();
        older.iter().chain(newer).copied()
    }

    /// Silence, and a hop starting now.
    pub(super) fn reset(&mut self) {
        self.ring.fill(0.0);
        self.at = 0;
        self.left = self.hop;
    }

    /// Takes over `other`'s samples and hop position if it holds as many at the same hop;
    /// false (and nothing changed) otherwise.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(super) fn copy_from(&mut self, other: &Frames) -> bool {
        if other.ring.len() != self.ring.len() || other.hop != self.hop {
            return false;
        }
        self.ring.copy_from_slice(&other.ring);
        self.at = other.at;
        self.left = other.left;
        true
    }
}

/// The power of two nearest above `seconds` at `sample_rate`, in samples (at least 16): the
/// frame and hop lengths, so 44.1 and 48 kHz get the same sizes.
pub(super) fn samples_for(seconds: f64, sample_rate: f64) -> usize {
    let samples = (seconds * sample_rate).round().max(16.0) as usize;
    samples.next_power_of_two()
}

/// One step of an attack-release smoother run once per hop of `hop` samples: `value` moves
/// toward `target` by the share a one-pole of time `attack_s` (rising) or `release_s`
/// (falling) covers in a hop; a time of 0 jumps.
#[inline]
pub(super) fn smooth(
    value: f64,
    target: f64,
    [attack_s, release_s]: [f64; 2],
    hop: usize,
    sample_rate: f64,
) -> f64 {
    let time = if target > value { attack_s } else { release_s };
    if time <= 0.0 {
        return target;
    }
    let keep = (-(hop as f64) / (time * sample_rate)).exp();
    target + keep * (value - target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hops_end_every_hop_samples_and_the_ring_reads_oldest_first() {
        let mut frames = Frames::new(4, 3);
        let ends: Vec<usize> = (1..=9).filter(|&n| frames.push(n as f32)).collect();
        assert_eq!(ends, [3, 6, 9]);
        assert_eq!(frames.iter().collect::<Vec<_>>(), [6.0, 7.0, 8.0, 9.0]);
    }

    #[test]
    fn sizes_are_the_power_of_two_above() {
        assert_eq!(samples_for(0.02, 48_000.0), 1024);
        assert_eq!(samples_for(0.02, 44_100.0), 1024);
        assert_eq!(samples_for(0.0025, 48_000.0), 128);
    }

    #[test]
    fn a_smoother_covers_63_percent_in_its_time() {
        // 480 samples a hop at 48 kHz is 10 ms: ten hops cover 100 ms, one time constant.
        let mut value = 0.0;
        for _ in 0..10 {
            value = smooth(value, 1.0, [0.1, 0.0], 480, 48_000.0);
        }
        assert!((value - (1.0 - (-1.0_f64).exp())).abs() < 1e-12);
        assert_eq!(smooth(value, 0.0, [0.1, 0.0], 480, 48_000.0), 0.0);
    }
}
