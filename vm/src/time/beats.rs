//! [`Beats`]: one block's place on the beat line.

/// Where one block lies in musical time: the beat position of its first sample and how it
/// advances, so a kernel finds the exact sample of any beat inside the block.
///
/// A beat is a quarter note; positions count beats since the transport's zero. Within a block
/// the position is `position + i · per_sample + i² · accel / 2` for sample `i`: exact for a
/// tempo that holds or ramps linearly in time, which is every segment of a tempo map (a block
/// never spans two segments, the host splits it there).
///
/// The host's transport computes each sample's position from the start of the stretch of
/// the beat line it lies in (the last jump, tempo change or tempo-map segment), never from
/// where the host's buffer happened to start; [`at`](Beats::at) does the same through
/// `since`, `origin` and `origin_per_sample`, so a kernel reading it gets bit-identical
/// positions whatever the host's buffer sizes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Beats {
    /// The beat position of the block's first sample.
    pub position: f64,
    /// Beats per sample at the block's first sample (`bpm / 60 / sample rate`); 0 while the
    /// transport is stopped.
    pub per_sample: f64,
    /// How much `per_sample` grows each sample (a tempo ramp); 0 at a steady tempo.
    pub accel: f64,
    /// The tempo at the block's first sample, in beats (quarter notes) per minute.
    pub bpm: f64,
    /// Beats per bar, from the meter (4 in 4/4, 3 in 6/8).
    pub beats_per_bar: f64,
    /// Whether the transport is playing.
    pub playing: bool,
    /// Whether the position jumped at the block's first sample (a seek, a loop's wrap, a
    /// start from stopped), so kernels that hold notes across blocks let them go.
    pub jumped: bool,
    /// Samples from the start of the block's stretch of the beat line to its first sample;
    /// 0 when the block starts the stretch (then `origin` and `origin_per_sample` are unused).
    pub since: u64,
    /// The beat position at the stretch's first sample.
    pub origin: f64,
    /// Beats per sample at the stretch's first sample.
    pub origin_per_sample: f64,
}

impl Beats {
    /// A transport standing still at beat 0 at 120 BPM in 4/4: what a plain
    /// [`run`](crate::Executable::run) hands kernels.
    pub const STILL: Beats = Beats {
        position: 0.0,
        per_sample: 0.0,
        accel: 0.0,
        bpm: 120.0,
        beats_per_bar: 4.0,
        playing: false,
        jumped: false,
        since: 0,
        origin: 0.0,
        origin_per_sample: 0.0,
    };

    /// The beat position of sample `i` of the block: computed from the stretch's start when
    /// the block lies inside one, so the same sample gets the same bits however the host's
    /// buffers split the stretch.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub fn at(&self, i: usize) -> f64 {
        if self.since == 0 {
            let i = i as f64;
            return self.position + i * self.per_sample + 0.5 * i * i * self.accel;
        }
        let k = (self.since + i as u64) as f64;
        self.origin + k * self.origin_per_sample + 0.5 * k * k * self.accel
    }

    /// Beats per sample at sample `i` of the block (the tempo there, `bpm / 60 / rate`),
    /// from the stretch's start like [`at`](Beats::at).
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub fn per_sample_at(&self, i: usize) -> f64 {
        if self.since == 0 {
            return self.per_sample + i as f64 * self.accel;
        }
        self.origin_per_sample + (self.since + i as u64) as f64 * self.accel
    }
}

#[cfg(test)]
mod tests {
    use super::Beats;

    #[test]
    fn a_steady_tempo_advances_linearly_and_a_ramp_quadratically() {
        // 120 BPM at 48 kHz: 2 beats a second, 1/24000 beat per sample.
        let steady = Beats {
            position: 8.0,
            per_sample: 1.0 / 24_000.0,
            playing: true,
            ..Beats::STILL
        };
        assert_eq!(steady.at(0), 8.0);
        assert!((steady.at(24_000) - 9.0).abs() < 1e-12);
        let ramp = Beats {
            accel: 2e-10,
            ..steady
        };
        assert!((ramp.at(10) - (8.0 + 10.0 / 24_000.0 + 50.0 * 2e-10)).abs() < 1e-15);
    }

    #[test]
    fn inside_a_stretch_positions_count_from_its_start() {
        // A block starting 100 samples into a stretch that began at beat 2.
        let start = Beats {
            position: 2.0,
            per_sample: 0.5,
            accel: 0.25,
            playing: true,
            ..Beats::STILL
        };
        let inside = Beats {
            position: start.at(100),
            since: 100,
            origin: 2.0,
            origin_per_sample: 0.5,
            ..start
        };
        for i in 0..10 {
            assert_eq!(inside.at(i).to_bits(), start.at(100 + i).to_bits());
        }
        assert_eq!(inside.at(3), 2.0 + 103.0 * 0.5 + 0.5 * 103.0 * 103.0 * 0.25);
    }
}
