//! Measurements taken from samples.

/// The frequency of a periodic signal, from the times of its upward zero crossings, each
/// placed between samples by linear interpolation. `None` with fewer than two crossings.
pub fn frequency(samples: &[f32], sample_rate: f64) -> Option<f64> {
    let crossings: Vec<f64> = samples
        .windows(2)
        .enumerate()
        .filter(|(_, pair)| pair[0] < 0.0 && pair[1] >= 0.0)
        .map(|(index, pair)| {
            let (a, b) = (f64::from(pair[0]), f64::from(pair[1]));
            index as f64 + a / (a - b)
        })
        .collect();
    let (first, last) = (crossings.first()?, crossings.last()?);
    if crossings.len() < 2 {
        return None;
    }
    Some((crossings.len() - 1) as f64 * sample_rate / (last - first))
}

/// The largest absolute sample.
pub fn peak(samples: &[f32]) -> f32 {
    samples.iter().fold(0.0, |peak, x| peak.max(x.abs()))
}

/// Root mean square.
pub fn rms(samples: &[f32]) -> f64 {
    let sum: f64 = samples.iter().map(|&x| f64::from(x) * f64::from(x)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

/// Every `channels`-th sample starting at `channel`, from interleaved frames.
pub fn channel(interleaved: &[f32], channels: usize, channel: usize) -> Vec<f32> {
    interleaved
        .iter()
        .skip(channel)
        .step_by(channels)
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_sine_measures_its_frequency_and_level() {
        let samples: Vec<f32> = (0..48_000)
            .map(|n| (0.8 * (std::f64::consts::TAU * 1234.5 * n as f64 / 48_000.0).sin()) as f32)
            .collect();
        let measured = frequency(&samples, 48_000.0).unwrap();
        assert!((measured - 1234.5).abs() < 0.01, "measured {measured}");
        assert!((peak(&samples) - 0.8).abs() < 1e-3);
        assert!((rms(&samples) - 0.8 / 2f64.sqrt()).abs() < 1e-3);
    }

    #[test]
    fn silence_has_no_frequency() {
        assert_eq!(frequency(&[0.0; 100], 48_000.0), None);
    }
}
