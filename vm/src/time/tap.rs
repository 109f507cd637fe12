//! [`TapTempo`]: a tempo from taps.

use crate::time::tempo_map::TempoMap;

/// Taps remembered: the tempo is the median of the last `TAPS - 1` intervals.
const TAPS: usize = 8;

/// A tempo from taps (a key, an OSC message): the median of the intervals between the last
/// eight taps, so one hesitant tap does not pull it. A pause longer than
/// [`RESET_SECONDS`](TapTempo::RESET_SECONDS), or a tap dated before the last one, starts
/// a new series.
///
/// Pure and allocation-free; times come from the caller (engine time, a test's list), never
/// from a clock of its own.
#[derive(Clone, Debug, Default)]
pub struct TapTempo {
    /// The taps of the series, oldest first, in seconds; `len` of them are set.
    taps: [f64; TAPS],
    len: usize,
}

impl TapTempo {
    /// A pause between taps that starts a new series, in seconds.
    pub const RESET_SECONDS: f64 = 2.0;

    /// No taps yet.
    pub fn new() -> TapTempo {
        TapTempo::default()
    }

    /// A tap at `seconds`: the tempo in BPM once the series has two taps or more (`None`
    /// before, or for a tempo outside [`TempoMap::MIN_BPM`]..=[`TempoMap::MAX_BPM`], or a
    /// time that is not finite, which is ignored).
    pub fn tap(&mut self, seconds: f64) -> Option<f64> {
        if !seconds.is_finite() {
            return None;
        }
        if let Some(&last) = self.taps[..self.len].last()
            && !(last < seconds && seconds - last <= Self::RESET_SECONDS)
        {
            self.len = 0;
        }
        if self.len == TAPS {
            self.taps.copy_within(1.., 0);
            self.len -= 1;
        }
        self.taps[self.len] = seconds;
        self.len += 1;
        self.bpm()
    }

    /// Taps in the current series.
    pub fn taps(&self) -> usize {
        self.len
    }

    /// The tempo of the series so far, if it has two taps or more.
    pub fn bpm(&self) -> Option<f64> {
        let taps = &self.taps[..self.len];
        let mut intervals = [0.0; TAPS - 1];
        let intervals = &mut intervals[..taps.len().checked_sub(1)?];
        for (interval, pair) in intervals.iter_mut().zip(taps.windows(2)) {
            *interval = pair[1] - pair[0];
        }
        if intervals.is_empty() {
            return None;
        }
        intervals.sort_by(f64::total_cmp);
        let middle = intervals.len() / 2;
        let median = match intervals.len() % 2 {
            1 => intervals[middle],
            _ => 0.5 * (intervals[middle - 1] + intervals[middle]),
        };
        let bpm = 60.0 / median;
        (TempoMap::MIN_BPM..=TempoMap::MAX_BPM)
            .contains(&bpm)
            .then_some(bpm)
    }
}

#[cfg(test)]
mod tests {
    use super::TapTempo;

    fn taps(times: &[f64]) -> Vec<Option<f64>> {
        let mut tap = TapTempo::new();
        times.iter().map(|&t| tap.tap(t)).collect()
    }

    #[test]
    fn steady_taps_give_their_tempo() {
        // Every half second: 120 BPM from the second tap on.
        assert_eq!(
            taps(&[10.0, 10.5, 11.0, 11.5]),
            [None, Some(120.0), Some(120.0), Some(120.0)]
        );
    }

    #[test]
    fn the_median_ignores_one_late_tap() {
        // Intervals 0.5, 0.5, 0.75: the median is 0.5 s, 120 BPM (the mean would give 103).
        let got = taps(&[0.0, 0.5, 1.0, 1.75, 2.25]);
        assert_eq!(got[3], Some(120.0));
        // Two intervals, 0.25 and 0.75: the median of an even count is their mean, 0.5 s.
        assert_eq!(taps(&[0.0, 0.25, 1.0])[2], Some(120.0));
    }

    #[test]
    fn a_pause_of_more_than_two_seconds_starts_again() {
        // 0.5 s taps, then 2.5 s of nothing, then 0.375 s taps: 160 BPM, nothing of the first.
        let got = taps(&[0.0, 0.5, 1.0, 3.5, 3.875, 4.25]);
        assert_eq!(
            got,
            [
                None,
                Some(120.0),
                Some(120.0),
                None,
                Some(160.0),
                Some(160.0)
            ]
        );
        // Exactly two seconds still counts: 30 BPM.
        assert_eq!(taps(&[0.0, 2.0]), [None, Some(30.0)]);
        // A tap dated earlier than the last starts a series too; a NaN is ignored.
        let mut tap = TapTempo::new();
        assert_eq!(tap.tap(5.0), None);
        assert_eq!(tap.tap(f64::NAN), None);
        assert_eq!(tap.taps(), 1);
        assert_eq!(tap.tap(4.0), None);
        assert_eq!(tap.taps(), 1);
    }

    #[test]
    fn only_the_last_eight_taps_count() {
        // Seven intervals of 1 s (60 BPM), then seven of 0.25 s (240 BPM): after the eighth
        // quick tap the series holds only 0.25 s intervals.
        let mut times: Vec<f64> = (0..8).map(f64::from).collect();
        times.extend((1..=7).map(|k| 7.0 + 0.25 * f64::from(k)));
        let got = taps(&times);
        assert_eq!(got[7], Some(60.0));
        // Four quick intervals of seven: sorted (0.25 ×4, 1 ×3), the middle is 0.25 s.
        assert_eq!(got[11], Some(240.0));
        // Three quick of seven: sorted (0.25 ×3, 1 ×4), the middle is 1 s.
        assert_eq!(got[10], Some(60.0));
        assert_eq!(got[14], Some(240.0));
    }
}
