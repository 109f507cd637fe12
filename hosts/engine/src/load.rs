//! DSP load per block: how long each block took to compute, over how long it lasts as
//! audio, gathered without allocating so it can run beside the audio.

use std::time::Duration;

/// Relative width of a histogram bin: percentiles are exact to within 1 %.
const BIN_RATIO: f64 = 1.01;
/// The smallest load told apart from zero (a millionth of the block's duration); smaller
/// loads count in the first bin.
const SMALLEST: f64 = 1e-6;
/// Bins from [`SMALLEST`] up to a load of 1 000 (a block a thousand times too slow); larger
/// loads count in the last bin.
const BINS: usize = 2_084;

/// The DSP load of every block a run computed: the time a block took over the time its
/// samples last (1.0 = all of the real-time budget), as a mean, a maximum and a
/// histogram fine enough for percentiles.
#[derive(Clone, Debug)]
pub struct BlockLoads {
    /// Nanoseconds of audio in one frame.
    ns_per_frame: f64,
    blocks: u64,
    frames: u64,
    /// Total compute time, in nanoseconds.
    busy_ns: f64,
    max: f64,
    /// Blocks by load, in bins growing by [`BIN_RATIO`] from [`SMALLEST`].
    histogram: Box<[u64; BINS]>,
}

impl BlockLoads {
    /// Empty statistics for audio at `sample_rate`; allocates its histogram here, never
    /// after.
    pub fn new(sample_rate: f64) -> BlockLoads {
        BlockLoads {
            ns_per_frame: 1e9 / sample_rate.max(1.0),
            blocks: 0,
            frames: 0,
            busy_ns: 0.0,
            max: 0.0,
            histogram: Box::new([0; BINS]),
        }
    }

    /// Counts one block of `frames` frames that took `time` to compute.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn record(&mut self, frames: usize, time: Duration) {
        if frames == 0 {
            return;
        }
        let busy_ns = time.as_nanos() as f64;
        let load = busy_ns / (frames as f64 * self.ns_per_frame);
        self.blocks += 1;
        self.frames += frames as u64;
        self.busy_ns += busy_ns;
        self.max = self.max.max(load);
        self.histogram[bin(load)] += 1;
    }

    /// Blocks counted.
    pub fn blocks(&self) -> u64 {
        self.blocks
    }

    /// The time spent computing, all blocks together.
    pub fn busy(&self) -> Duration {
        Duration::from_nanos(self.busy_ns as u64)
    }

    /// The load of all blocks together: compute time over audio time (so `1 / mean` is
    /// how many times faster than real time the computing alone runs). 0 with no blocks.
    pub fn mean(&self) -> f64 {
        if self.frames == 0 {
            return 0.0;
        }
        self.busy_ns / (self.frames as f64 * self.ns_per_frame)
    }

    /// The highest load of one block.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// The load that fraction `quantile` (0..=1) of the blocks stay at or under: the
    /// middle of its histogram bin, within 1 %, never above [`max`](BlockLoads::max).
    /// 0 with no blocks.
    pub fn percentile(&self, quantile: f64) -> f64 {
        if self.blocks == 0 {
            return 0.0;
        }
        let rank = ((quantile.clamp(0.0, 1.0) * self.blocks as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (index, &count) in self.histogram.iter().enumerate() {
            seen += count;
            if seen >= rank {
                // The last bin has no upper edge: what lies in it is told by the maximum.
                if index == BINS - 1 {
                    return self.max;
                }
                return middle(index).min(self.max);
            }
        }
        self.max
    }
}

/// The bin of `load`.
fn bin(load: f64) -> usize {
    if load.is_nan() || load <= SMALLEST {
        return 0;
    }
    ((load / SMALLEST).ln() / BIN_RATIO.ln())
        .floor()
        .min((BINS - 1) as f64) as usize
}

/// A load in the middle of bin `index` (geometrically).
fn middle(index: usize) -> f64 {
    SMALLEST * BIN_RATIO.powf(index as f64 + 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads of 1 % to 100 % of a 64-frame block at 48 kHz (1 333 333 ns), spread evenly.
    fn spread() -> BlockLoads {
        let mut loads = BlockLoads::new(48_000.0);
        for percent in 1..=100u64 {
            loads.record(64, Duration::from_nanos(percent * 13_333));
        }
        loads
    }

    #[test]
    fn the_mean_is_time_over_audio_and_percentiles_land_within_a_bin() {
        let loads = spread();
        assert_eq!(loads.blocks(), 100);
        // Times of 1..=100 % of a block: the mean is 50.5 % (up to the ns rounding).
        assert!((loads.mean() - 0.505).abs() < 1e-3, "{}", loads.mean());
        assert!((loads.max() - 1.0).abs() < 1e-3);
        for (quantile, expected) in [(0.5, 0.5), (0.99, 0.99), (0.01, 0.01)] {
            let measured = loads.percentile(quantile);
            assert!(
                (measured / expected - 1.0).abs() <= 0.011,
                "p{quantile}: {measured} for {expected}"
            );
        }
        assert_eq!(loads.percentile(1.0), loads.max());
    }

    #[test]
    fn percentiles_never_pass_the_maximum_and_empty_statistics_are_zero() {
        let mut loads = BlockLoads::new(48_000.0);
        assert_eq!(
            (loads.mean(), loads.percentile(0.5), loads.max()),
            (0.0, 0.0, 0.0)
        );
        for _ in 0..10 {
            loads.record(64, Duration::from_nanos(400_000));
        }
        let (p50, p99, max) = (loads.percentile(0.5), loads.percentile(0.99), loads.max());
        assert!(p50 <= p99 && p99 <= max, "{p50} {p99} {max}");
        assert!((max - 0.3).abs() < 1e-9);
    }

    #[test]
    fn extreme_loads_count_in_the_end_bins() {
        let mut loads = BlockLoads::new(48_000.0);
        loads.record(1, Duration::ZERO);
        loads.record(1, Duration::from_secs(3_600));
        assert_eq!(loads.histogram[0], 1);
        assert_eq!(loads.histogram[BINS - 1], 1);
        assert_eq!(loads.percentile(1.0), loads.max());
    }
}
