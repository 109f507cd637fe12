//! [`TempoMap`]: the tempo of every moment, and beat ↔ time in closed form.

/// How the tempo reaches a point of the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TempoShape {
    /// At once, at the point's beat.
    Step,
    /// Linearly in time, from the previous point to this one.
    Ramp,
}

/// One point of a tempo map: the tempo `bpm` is reached at `beat`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TempoPoint {
    /// The beat (quarter note since the transport's zero) at which the tempo is `bpm`.
    pub beat: f64,
    /// The tempo reached, in quarter notes per minute.
    pub bpm: f64,
    /// How the tempo gets there.
    pub shape: TempoShape,
}

/// Why a tempo map cannot be built: the offender, for the host to name.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TempoError {
    /// A tempo outside [`TempoMap::MIN_BPM`]..=[`TempoMap::MAX_BPM`] (or not finite).
    Bpm(f64),
    /// A point's beat not after the previous point's (or not finite); the first point
    /// must lie after beat 0.
    Beat(f64),
    /// A bar of no length or not finite.
    BeatsPerBar(f64),
}

/// One stretch of the map over which the tempo holds or ramps linearly in time: from
/// `beat` (at `seconds`) the tempo is `bpm + slope · τ` at `τ` seconds later, so the beat
/// is `beat + (bpm · τ + slope · τ² / 2) / 60`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// The beat it starts at.
    pub beat: f64,
    /// The time it starts at, in seconds since beat 0.
    pub seconds: f64,
    /// The tempo at its start, in quarter notes per minute.
    pub bpm: f64,
    /// How fast the tempo changes, in BPM per second; 0 for a steady tempo.
    pub slope: f64,
}

impl Segment {
    /// A steady tempo over the whole line: beat 0 at second 0.
    pub const fn steady(bpm: f64) -> Segment {
        Segment {
            beat: 0.0,
            seconds: 0.0,
            bpm,
            slope: 0.0,
        }
    }

    /// The beat at `seconds`, by the segment's formula.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub fn beat_at(&self, seconds: f64) -> f64 {
        let tau = seconds - self.seconds;
        self.beat + (self.bpm * tau + 0.5 * self.slope * tau * tau) / 60.0
    }

    /// The time of `beat`, by the segment's formula: the root of the quadratic, written so
    /// that it loses no precision when the slope is small (and is exact when it is 0).
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub fn seconds_at(&self, beat: f64) -> f64 {
        let beats = beat - self.beat;
        let discriminant = (self.bpm * self.bpm + 120.0 * self.slope * beats).max(0.0);
        self.seconds + 120.0 * beats / (self.bpm + discriminant.sqrt())
    }

    /// The tempo at `seconds`, in quarter notes per minute.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub fn bpm_at(&self, seconds: f64) -> f64 {
        self.bpm + self.slope * (seconds - self.seconds)
    }
}

/// A tempo map: a start tempo and points where the tempo steps or which it ramps to
/// linearly in time, and the bar's length. Beat ↔ time conversions are closed form, so the
/// beat position of any sample follows from its time alone, never from summing blocks.
///
/// Beyond its last point the tempo holds. Built on the control side; the audio half only
/// reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct TempoMap {
    /// At least one; the first starts at beat 0, second 0; by increasing beat.
    segments: Vec<Segment>,
    beats_per_bar: f64,
}

impl Default for TempoMap {
    /// 120 BPM in 4/4.
    fn default() -> TempoMap {
        TempoMap {
            segments: vec![Segment::steady(120.0)],
            beats_per_bar: 4.0,
        }
    }
}

impl TempoMap {
    /// The slowest tempo a map accepts, in BPM.
    pub const MIN_BPM: f64 = 1.0;
    /// The fastest tempo a map accepts, in BPM.
    pub const MAX_BPM: f64 = 10_000.0;

    /// A map starting at `bpm` at beat 0 and going through `points` (by strictly
    /// increasing beat, all after 0), in bars of `beats_per_bar` quarter notes.
    pub fn new(
        bpm: f64,
        beats_per_bar: f64,
        points: &[TempoPoint],
    ) -> Result<TempoMap, TempoError> {
        let valid_bpm = |bpm: f64| (TempoMap::MIN_BPM..=TempoMap::MAX_BPM).contains(&bpm);
        if !valid_bpm(bpm) {
            return Err(TempoError::Bpm(bpm));
        }
        if !(beats_per_bar.is_finite() && beats_per_bar > 0.0) {
            return Err(TempoError::BeatsPerBar(beats_per_bar));
        }
        let mut segments = Vec::with_capacity(points.len() + 1);
        let mut current = Segment::steady(bpm);
        for point in points {
            if !(point.beat.is_finite() && point.beat > current.beat) {
                return Err(TempoError::Beat(point.beat));
            }
            if !valid_bpm(point.bpm) {
                return Err(TempoError::Bpm(point.bpm));
            }
            let beats = point.beat - current.beat;
            if point.shape == TempoShape::Ramp {
                // The mean tempo times the time is the beats: Δb = (b0 + b1) / 2 · T / 60.
                let duration = 120.0 * beats / (current.bpm + point.bpm);
                current.slope = (point.bpm - current.bpm) / duration;
            }
            let seconds = current.seconds_at(point.beat);
            segments.push(current);
            current = Segment {
                beat: point.beat,
                seconds,
                bpm: point.bpm,
                slope: 0.0,
            };
        }
        segments.push(current);
        Ok(TempoMap {
            segments,
            beats_per_bar,
        })
    }

    /// The bar's length in quarter-note beats.
    pub fn beats_per_bar(&self) -> f64 {
        self.beats_per_bar
    }

    /// The map's segments, by increasing beat; the first starts at beat 0.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The index of the segment that plays `beat` (the first for beats before 0).
    ///
    /// Real-time safe: a binary search; does not allocate, lock or block.
    pub fn segment_at(&self, beat: f64) -> usize {
        self.segments
            .partition_point(|segment| segment.beat <= beat)
            .saturating_sub(1)
    }

    /// The index of the segment that plays at `seconds` (the first for times before 0).
    ///
    /// Real-time safe: a binary search; does not allocate, lock or block.
    pub fn segment_at_seconds(&self, seconds: f64) -> usize {
        self.segments
            .partition_point(|segment| segment.seconds <= seconds)
            .saturating_sub(1)
    }

    /// The segment at `index`, clamped to the last.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn segment(&self, index: usize) -> &Segment {
        &self.segments[index.min(self.segments.len() - 1)]
    }

    /// The time of `beat`, in seconds since beat 0.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn seconds_at(&self, beat: f64) -> f64 {
        self.segment(self.segment_at(beat)).seconds_at(beat)
    }

    /// The beat at `seconds` since beat 0.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn beat_at(&self, seconds: f64) -> f64 {
        self.segment(self.segment_at_seconds(seconds))
            .beat_at(seconds)
    }

    /// The tempo at `beat`, in quarter notes per minute.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn bpm_at(&self, beat: f64) -> f64 {
        let segment = self.segment(self.segment_at(beat));
        segment.bpm_at(segment.seconds_at(beat))
    }

    /// The time of `beat` in samples at `sample_rate` (fractional: the beat falls between
    /// samples).
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn sample_at(&self, beat: f64, sample_rate: f64) -> f64 {
        self.seconds_at(beat) * sample_rate
    }

    /// The beat at sample `sample` at `sample_rate`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn beat_at_sample(&self, sample: f64, sample_rate: f64) -> f64 {
        self.beat_at(sample / sample_rate)
    }
}

#[cfg(test)]
mod tests {
    use super::{Segment, TempoError, TempoMap, TempoPoint, TempoShape};
    use proptest::prelude::*;

    fn point(beat: f64, bpm: f64, shape: TempoShape) -> TempoPoint {
        TempoPoint { beat, bpm, shape }
    }

    #[test]
    fn a_steady_tempo_is_linear() {
        let map = TempoMap::new(137.0, 4.0, &[]).unwrap();
        // 137 beats a minute: beat 137 at 60 s.
        assert_eq!(map.seconds_at(137.0), 60.0);
        assert_eq!(map.beat_at(60.0), 137.0);
        assert_eq!(map.sample_at(1.0, 48_000.0), 48_000.0 * 60.0 / 137.0);
    }

    #[test]
    fn a_step_changes_the_tempo_at_its_beat() {
        // 120 BPM to beat 8 (4 s), then 60 BPM: beat 10 is 2 s later.
        let map = TempoMap::new(120.0, 4.0, &[point(8.0, 60.0, TempoShape::Step)]).unwrap();
        assert_eq!(map.seconds_at(8.0), 4.0);
        assert_eq!(map.seconds_at(10.0), 6.0);
        assert_eq!(map.bpm_at(7.5), 120.0);
        assert_eq!(map.bpm_at(8.0), 60.0);
        assert_eq!(map.segment_at(8.0), 1);
        assert_eq!(map.segment_at(7.999), 0);
    }

    #[test]
    fn a_ramp_is_linear_in_time_and_its_beats_quadratic() {
        // From 120 to 180 BPM over beats 0..10: mean tempo 150, so 10 beats take 4 s, and
        // the tempo climbs 15 BPM a second. At 2 s: 120·2/60 + 15·4/120 = 4.5 beats.
        let map = TempoMap::new(120.0, 4.0, &[point(10.0, 180.0, TempoShape::Ramp)]).unwrap();
        assert!((map.seconds_at(10.0) - 4.0).abs() < 1e-12);
        assert!((map.beat_at(2.0) - 4.5).abs() < 1e-12);
        assert!((map.seconds_at(4.5) - 2.0).abs() < 1e-12);
        assert!((map.bpm_at(4.5) - 150.0).abs() < 1e-9);
        // After the ramp the tempo holds: 3 beats more at 180 take 1 s.
        assert!((map.seconds_at(13.0) - 5.0).abs() < 1e-12);
    }

    #[test]
    fn bad_maps_name_the_offender() {
        assert_eq!(TempoMap::new(0.0, 4.0, &[]), Err(TempoError::Bpm(0.0)));
        assert_eq!(
            TempoMap::new(120.0, 0.0, &[]),
            Err(TempoError::BeatsPerBar(0.0))
        );
        let back = [
            point(8.0, 90.0, TempoShape::Step),
            point(8.0, 100.0, TempoShape::Ramp),
        ];
        assert_eq!(TempoMap::new(120.0, 4.0, &back), Err(TempoError::Beat(8.0)));
        let nan = [point(4.0, f64::NAN, TempoShape::Ramp)];
        assert!(matches!(
            TempoMap::new(120.0, 4.0, &nan),
            Err(TempoError::Bpm(bpm)) if bpm.is_nan()
        ));
    }

    #[test]
    fn a_steady_segment_inverts_exactly() {
        let segment = Segment::steady(90.0);
        assert_eq!(segment.seconds_at(3.0), 2.0);
        assert_eq!(segment.beat_at(2.0), 3.0);
    }

    fn maps() -> impl Strategy<Value = TempoMap> {
        let points = prop::collection::vec((0.25f64..32.0, 20.0f64..400.0, any::<bool>()), 0..6);
        (20.0f64..400.0, points).prop_map(|(bpm, points)| {
            let mut beat = 0.0;
            let points: Vec<TempoPoint> = points
                .into_iter()
                .map(|(gap, bpm, ramp)| {
                    beat += gap;
                    let shape = if ramp {
                        TempoShape::Ramp
                    } else {
                        TempoShape::Step
                    };
                    point(beat, bpm, shape)
                })
                .collect();
            TempoMap::new(bpm, 4.0, &points).unwrap()
        })
    }

    proptest! {
        #[test]
        fn beat_of_time_of_beat_is_the_beat(map in maps(), beat in 0.0f64..200.0) {
            let back = map.beat_at(map.seconds_at(beat));
            prop_assert!((back - beat).abs() < 1e-9, "{beat} came back as {back}");
        }

        #[test]
        fn time_grows_with_the_beat(map in maps(), beat in 0.0f64..200.0, step in 1e-6f64..4.0) {
            prop_assert!(map.seconds_at(beat + step) > map.seconds_at(beat));
            prop_assert!(map.beat_at(beat + step) > map.beat_at(beat));
        }
    }
}
