//! Measurements taken from samples.

/// The frequency of a periodic signal, from the times of its upward zero crossings, each
/// placed between samples by linear interpolation. `None` with fewer than two crossings.
pub fn frequency(samples: &[f32], sample_rate: f64) -> Option<f64> {
    let crossings = upward_crossings(samples);
    let (first, last) = (crossings.first()?, crossings.last()?);
    if crossings.len() < 2 {
        return None;
    }
    Some((crossings.len() - 1) as f64 * sample_rate / (last - first))
}

/// The strongest `count` spectral peaks of `samples` between `lo` and `hi` Hz, strongest
/// first, as `(frequency, amplitude)`: the magnitude of the Hann-windowed signal's Fourier
/// transform, scanned every `step` Hz (at most a quarter of the window's resolution, so no
/// peak falls between two looks) and each local maximum refined by golden-section search to
/// 0.001 Hz. A sine of amplitude `a` measures `a`.
pub fn spectral_peaks(
    samples: &[f32],
    sample_rate: f64,
    lo: f64,
    hi: f64,
    count: usize,
) -> Vec<(f64, f64)> {
    let n = samples.len();
    let window: Vec<f64> = (0..n)
        .map(|i| {
            let phase = std::f64::consts::TAU * i as f64 / n as f64;
            f64::from(samples[i]) * (0.5 - 0.5 * phase.cos())
        })
        .collect();
    let gain = n as f64 / 4.0;
    let magnitude = |freq: f64| {
        let step = std::f64::consts::TAU * freq / sample_rate;
        // A rotating phasor, renormalised now and then, instead of a sine and cosine a sample.
        let (cos, sin) = (step.cos(), step.sin());
        let (mut re, mut im) = (1.0_f64, 0.0_f64);
        let (mut sum_re, mut sum_im) = (0.0, 0.0);
        for (i, &x) in window.iter().enumerate() {
            sum_re += x * re;
            sum_im -= x * im;
            (re, im) = (re * cos - im * sin, re * sin + im * cos);
            if i % 1024 == 1023 {
                let norm = (re * re + im * im).sqrt();
                (re, im) = (re / norm, im / norm);
            }
        }
        (sum_re * sum_re + sum_im * sum_im).sqrt() / gain
    };
    let step = sample_rate / n as f64 / 4.0;
    let grid: Vec<(f64, f64)> = (0..)
        .map(|k| lo + k as f64 * step)
        .take_while(|&f| f <= hi)
        .map(|f| (f, magnitude(f)))
        .collect();
    let mut peaks: Vec<(f64, f64)> = grid
        .windows(3)
        .filter(|w| w[1].1 > w[0].1 && w[1].1 >= w[2].1)
        .map(|w| {
            // Golden-section search for the maximum between the neighbours.
            let ratio = (5f64.sqrt() - 1.0) / 2.0;
            let (mut a, mut b) = (w[0].0, w[2].0);
            while b - a > 1e-3 {
                let (c, d) = (b - ratio * (b - a), a + ratio * (b - a));
                if magnitude(c) > magnitude(d) {
                    b = d;
                } else {
                    a = c;
                }
            }
            let f = (a + b) / 2.0;
            (f, magnitude(f))
        })
        .collect();
    peaks.sort_by(|a, b| b.1.total_cmp(&a.1));
    peaks.truncate(count);
    peaks
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

/// The largest difference between neighbouring samples: a click shows as a step larger than
/// the signal's own.
pub fn largest_step(samples: &[f32]) -> f32 {
    samples
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

/// The times, in samples, of `samples`' upward zero crossings, each placed between samples by
/// linear interpolation: where a periodic signal's phase is, for frequency and continuity.
pub fn upward_crossings(samples: &[f32]) -> Vec<f64> {
    samples
        .windows(2)
        .enumerate()
        .filter(|(_, pair)| pair[0] < 0.0 && pair[1] >= 0.0)
        .map(|(index, pair)| {
            let (a, b) = (f64::from(pair[0]), f64::from(pair[1]));
            index as f64 + a / (a - b)
        })
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
    fn spectral_peaks_find_each_tone_of_a_chord() {
        let tones = [(261.63, 0.5), (329.63, 0.3), (392.0, 0.2)];
        let samples: Vec<f32> = (0..12_000)
            .map(|n| {
                let t = n as f64 / 48_000.0;
                tones
                    .iter()
                    .map(|&(f, a)| a * (std::f64::consts::TAU * f * t).sin())
                    .sum::<f64>() as f32
            })
            .collect();
        let peaks = spectral_peaks(&samples, 48_000.0, 100.0, 1_000.0, 3);
        for (&(f, a), &(measured, level)) in tones.iter().zip(&peaks) {
            assert!((measured - f).abs() < 0.05, "{measured} for {f}");
            assert!((level - a).abs() < 0.01, "{level} for {a}");
        }
    }

    #[test]
    fn silence_has_no_frequency() {
        assert_eq!(frequency(&[0.0; 100], 48_000.0), None);
    }
}
