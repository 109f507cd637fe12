//! How late the sender sent each event: a fixed-size histogram of microseconds, so recording
//! one costs an increment and never allocates.

/// Buckets of 10 µs up to 100 ms; later sends count in the last bucket (and in `max`).
const BUCKET_US: u64 = 10;
const BUCKETS: usize = 10_000;

/// A histogram of lateness.
#[derive(Clone, Debug)]
pub struct Jitter {
    counts: Box<[u32; BUCKETS]>,
    total: u64,
    max_us: u64,
}

impl Default for Jitter {
    fn default() -> Jitter {
        Jitter {
            counts: Box::new([0; BUCKETS]),
            total: 0,
            max_us: 0,
        }
    }
}

impl Jitter {
    /// Counts one send `late_us` microseconds after its due time.
    pub fn record(&mut self, late_us: u64) {
        let bucket = ((late_us / BUCKET_US) as usize).min(BUCKETS - 1);
        self.counts[bucket] = self.counts[bucket].saturating_add(1);
        self.total += 1;
        self.max_us = self.max_us.max(late_us);
    }

    /// Sends counted.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The lateness `q` (0..=1) of the sends were at most, in microseconds, to the
    /// histogram's 10 µs; 0 when none was counted.
    pub fn quantile_us(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (bucket, &count) in self.counts.iter().enumerate() {
            seen += u64::from(count);
            if seen >= rank {
                return ((bucket as u64 + 1) * BUCKET_US).min(self.max_us);
            }
        }
        self.max_us
    }

    /// The latest send, in microseconds.
    pub fn max_us(&self) -> u64 {
        self.max_us
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_come_from_the_buckets_and_never_pass_the_maximum() {
        let mut jitter = Jitter::default();
        for late in 0..100 {
            jitter.record(late * 10 + 5);
        }
        // 100 sends at 5, 15, … 995 µs: the 50th is 495 µs, in the bucket ending at 500.
        assert_eq!(jitter.quantile_us(0.5), 500);
        assert_eq!(jitter.quantile_us(0.99), 990);
        assert_eq!(jitter.quantile_us(1.0), 995);
        assert_eq!(jitter.max_us(), 995);
        jitter.record(5_000_000);
        assert_eq!(jitter.max_us(), 5_000_000);
        assert_eq!(jitter.count(), 101);
    }
}
