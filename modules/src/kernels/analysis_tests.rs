//! The analysis modules measured on signals whose answers are known by hand: sines on FFT
//! bins, steps, bursts at chosen samples, silence and noise.

use crate::kernels::test_support::{Chunks, Run, SR, kernel, sine_wave};
use assert_no_alloc::assert_no_alloc;
use patchvm_vm::MAX_BLOCK;
use rand_pcg::Pcg32;
use rand_pcg::rand_core::{Rng, SeedableRng};
use std::f64::consts::TAU;

/// Every output of module `name` (with `overrides`) over `input`, in blocks of 64.
fn outputs(name: &str, overrides: &[(&str, f64)], input: &[f32]) -> Vec<Vec<f32>> {
    let inputs = [input];
    Run::new(&inputs, input.len()).on_all(kernel(name, overrides).as_mut())
}

/// `len` samples of white noise in -amplitude..amplitude.
fn noise(amplitude: f32, len: usize) -> Vec<f32> {
    let mut rng = Pcg32::seed_from_u64(3);
    (0..len)
        .map(|_| (rng.next_u32() as f32 / u32::MAX as f32 * 2.0 - 1.0) * amplitude)
        .collect()
}

/// The samples at which `x` changes value.
fn changes(x: &[f32]) -> Vec<usize> {
    (1..x.len()).filter(|&n| x[n] != x[n - 1]).collect()
}

#[test]
fn amplitude_measures_a_sine_s_rms_and_peak() {
    // 750 Hz at 48 kHz is 64 samples a period: the 20 ms window (960 samples) holds 15
    // periods, whose RMS is 0.5 / √2, and the sine's top, 0.5 at sample 16 of each period.
    let sine: Vec<f32> = sine_wave(750.0, 9_600).iter().map(|x| x * 0.5).collect();
    let [rms, peak, db] =
        <[Vec<f32>; 3]>::try_from(outputs("analysis.amplitude", &[], &sine)).unwrap();
    let expected = 0.5 / 2.0_f64.sqrt();
    for n in [2_000, 5_000, 9_599] {
        assert!(
            (f64::from(rms[n]) - expected).abs() < 1e-6,
            "rms {} at {n}",
            rms[n]
        );
        assert_eq!(peak[n], 0.5);
        assert!(
            (f64::from(db[n]) - 20.0 * expected.log10()).abs() < 1e-4,
            "db {}",
            db[n]
        );
    }
    // The outputs change only at the ends of hops of 64 samples.
    assert!(
        changes(&rms).iter().all(|n| n % 64 == 63),
        "{:?}",
        &changes(&rms)[..5]
    );
}

#[test]
fn amplitude_rises_and_falls_at_its_attack_and_release_times() {
    // A 1 ms window (48 samples) inside each 64-sample hop measures a held 0.25 exactly, so
    // the outputs follow the smoother alone: 1 - e^(-64 k / 480) of the way after k hops of
    // a 10 ms attack, e^(-64 k / 4800) after k hops of a 100 ms release.
    let mut input = vec![0.25_f32; 6_400];
    input.extend(vec![0.0_f32; 6_400]);
    let settings = [("window_s", 0.001), ("attack_s", 0.01), ("release_s", 0.1)];
    let out = outputs("analysis.amplitude", &settings, &input);
    for k in [1_usize, 5, 20] {
        let rise = 0.25 * (1.0 - (-64.0 * k as f64 / 480.0).exp());
        let at = 64 * k - 1;
        assert!(
            (f64::from(out[0][at]) - rise).abs() < 1e-6,
            "rms after {k} hops"
        );
        assert!(
            (f64::from(out[1][at]) - rise).abs() < 1e-6,
            "peak after {k} hops"
        );
    }
    let top = f64::from(out[0][6_399]);
    for k in [1_usize, 10, 50] {
        let fall = top * (-64.0 * k as f64 / 4_800.0).exp();
        let at = 6_400 + 64 * k - 1;
        assert!(
            (f64::from(out[0][at]) - fall).abs() < 1e-6,
            "rms {k} hops into the release"
        );
    }
    assert_eq!(out[2][0], -120.0);
}

#[test]
fn centroid_of_sines_on_bins_is_their_amplitude_weighted_mean() {
    // The frame is 2048 samples, 23.4375 Hz a bin: 750 and 3000 Hz lie on bins 32 and 128,
    // where a Hann window spreads each sine symmetrically over three bins. Alone, 1500 Hz
    // measures 1500 Hz; 0.5 at 750 Hz with 0.25 at 3000 Hz measures
    // (0.5 · 750 + 0.25 · 3000) / 0.75 = 1500 Hz.
    let one = sine_wave(1_500.0, 8_192);
    let low = sine_wave(750.0, 8_192);
    let high = sine_wave(3_000.0, 8_192);
    let two: Vec<f32> = low
        .iter()
        .zip(&high)
        .map(|(a, b)| 0.5 * a + 0.25 * b)
        .collect();
    for signal in [one, two] {
        let freq = &outputs("analysis.centroid", &[], &signal)[0];
        for n in [4_096, 8_191] {
            assert!(
                (f64::from(freq[n]) - 1_500.0).abs() < 0.05,
                "{} at {n}",
                freq[n]
            );
        }
        assert!(changes(freq).iter().all(|n| n % 512 == 511));
    }
    let silence = outputs("analysis.centroid", &[], &[0.0; 4_096]);
    assert!(silence[0].iter().all(|&f| f == 0.0));
}

/// The frequency's error in cents.
fn cents(measured: f32, expected: f64) -> f64 {
    1_200.0 * (f64::from(measured) / expected).log2()
}

#[test]
fn pitch_finds_a_sine_and_a_sawtooth_s_fundamental() {
    // A sawtooth of 110 Hz has every harmonic, 1/k as loud: YIN must not take the octave.
    let saw: Vec<f32> = (0..19_200)
        .map(|n| {
            let t = n as f64 / SR;
            (1..40)
                .map(|k| (TAU * 110.0 * k as f64 * t).sin() / k as f64)
                .sum::<f64>() as f32
                * 0.3
        })
        .collect();
    let sine: Vec<f32> = sine_wave(440.0, 19_200).iter().map(|x| x * 0.5).collect();
    for (signal, expected) in [(sine, 440.0), (saw, 110.0)] {
        let out = outputs("analysis.pitch", &[], &signal);
        // From the first hop whose frame (1602 samples) is full of the signal on.
        for n in (1_791..19_200).step_by(256) {
            let error = cents(out[0][n], expected);
            assert!(error.abs() < 2.0, "{} Hz for {expected} at {n}", out[0][n]);
            assert!(out[1][n] > 0.9, "confidence {}", out[1][n]);
        }
        assert!(changes(&out[0]).iter().all(|n| n % 256 == 255));
    }
}

#[test]
fn pitch_is_zero_on_silence_noise_and_below_min() {
    let out = outputs("analysis.pitch", &[], &noise(0.5, 19_200));
    let voiced = out[0].iter().filter(|&&f| f != 0.0).count();
    assert!(voiced == 0, "{voiced} samples voiced in noise");
    let silence = outputs("analysis.pitch", &[], &[0.0; 4_800]);
    assert!(silence.iter().flatten().all(|&x| x == 0.0));
    // 40 Hz with `min` 60: no lag as long as its period is searched.
    let low = sine_wave(40.0, 19_200);
    let out = outputs("analysis.pitch", &[], &low);
    assert!(
        out[0][2_000..]
            .iter()
            .all(|&f| f == 0.0 || (cents(f, 40.0)).abs() > 100.0)
    );
}

/// A tone with three harmonics, decaying over 200 ms, starting at each of `starts`: 440 Hz,
/// then each a fifth above the one before.
fn bursts(starts: &[usize], len: usize) -> Vec<f32> {
    let mut out = vec![0.0_f32; len];
    for (index, &start) in starts.iter().enumerate() {
        let freq = 440.0 * 1.5_f64.powi(index as i32);
        for (n, slot) in out[start..].iter_mut().enumerate().take(len - start) {
            let t = n as f64 / SR;
            let tone: f64 = (1..4)
                .map(|k| (TAU * freq * k as f64 * t).sin() / k as f64)
                .sum();
            *slot += (0.3 * tone * (-t / 0.2).exp()) as f32;
        }
    }
    out
}

/// The samples `trig` is 1 on; every other sample must be 0.
fn triggers(trig: &[f32]) -> Vec<usize> {
    assert!(trig.iter().all(|&x| x == 0.0 || x == 1.0));
    (0..trig.len()).filter(|&n| trig[n] == 1.0).collect()
}

/// How many samples after each note's first `analysis.onset` fires, when the note starts on
/// a hop's first sample: the end of the fifth hop at 48 kHz, as the module's doc states.
const ONSET_DELAY: usize = 5 * 128 - 1;

#[test]
fn onset_fires_once_per_note_at_its_stated_latency() {
    // Notes 0.5 s apart, each starting on a hop boundary (a multiple of 128 samples).
    let starts = [9_600, 33_536, 57_600];
    let out = outputs("analysis.onset", &[], &bursts(&starts, 72_000));
    let found = triggers(&out[0]);
    let expected: Vec<usize> = starts.iter().map(|s| s + ONSET_DELAY).collect();
    assert_eq!(found, expected);
    // Strength holds the onset's flux from its trigger to the next.
    assert_eq!(out[1][found[0] - 1], 0.0);
    let strength = out[1][found[0]];
    assert!(strength > 0.05);
    assert!(out[1][found[0]..found[1]].iter().all(|&s| s == strength));
}

#[test]
fn onset_keeps_min_gap_and_ignores_steady_sound() {
    // Two notes 40 ms apart: with `min_gap_s` 0.05, one onset; with 0.01, both.
    let starts = [9_600, 11_520];
    let out = outputs("analysis.onset", &[], &bursts(&starts, 24_000));
    assert_eq!(triggers(&out[0]), [9_600 + ONSET_DELAY]);
    let out = outputs(
        "analysis.onset",
        &[("min_gap_s", 0.01)],
        &bursts(&starts, 24_000),
    );
    let both: Vec<usize> = starts.iter().map(|s| s + ONSET_DELAY).collect();
    assert_eq!(triggers(&out[0]), both);
    // A steady sine after its start, and steady noise: nothing after the first onset.
    let sine = sine_wave(440.0, 48_000);
    assert!(triggers(&outputs("analysis.onset", &[], &sine)[0]).len() <= 1);
    assert!(triggers(&outputs("analysis.onset", &[], &[0.0; 48_000])[0]).is_empty());
}

#[test]
fn analysis_outputs_do_not_depend_on_the_blocks_and_do_not_allocate() {
    let mut signal = bursts(&[4_800, 20_000, 31_000], 48_000);
    for (x, n) in signal.iter_mut().zip(noise(0.01, 48_000)) {
        *x += n;
    }
    let inputs = [&signal[..]];
    for name in [
        "analysis.pitch",
        "analysis.onset",
        "analysis.amplitude",
        "analysis.centroid",
    ] {
        let whole = Run::new(&inputs, signal.len()).on_all(kernel(name, &[]).as_mut());
        for chunks in [Chunks::Fixed(1), Chunks::Fixed(13), Chunks::Random(5)] {
            let cut = Run::new(&inputs, signal.len())
                .chunks(chunks)
                .on_all(kernel(name, &[]).as_mut());
            let same = whole.iter().flatten().zip(cut.iter().flatten());
            assert!(
                same.clone().all(|(a, b)| a.to_bits() == b.to_bits()),
                "{name} {chunks:?}"
            );
        }
        let mut analyser = kernel(name, &[]);
        let run = Run::new(&inputs, signal.len());
        let mut out = [0.0_f32; MAX_BLOCK];
        assert_no_alloc(|| {
            for start in (0..signal.len() - MAX_BLOCK).step_by(MAX_BLOCK) {
                run.block(analyser.as_mut(), start..start + MAX_BLOCK, &mut out);
            }
            analyser.reset();
        });
    }
}
