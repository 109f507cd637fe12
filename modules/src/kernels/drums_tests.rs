//! The drum voices' tests: decay times, pitches, levels and triggering, measured from samples.

use super::super::test_support::{Run, SR, constant, frequency, params, peak, rising_crossings};
use super::*;
use crate::build;

/// `len` samples of voice `name` with `overrides`, triggered (one sample at 1.0) at each of
/// `hits`, built with `seed`.
fn render_seeded(
    name: &str,
    overrides: &[(&str, f64)],
    hits: &[usize],
    len: usize,
    seed: u64,
) -> Vec<f32> {
    let (spec, params) = params(name, overrides);
    let mut trig = vec![0.0; len];
    for &at in hits {
        trig[at] = 1.0;
    }
    let controls: Vec<Vec<f32>> = spec
        .processed_inputs()
        .skip(1)
        .map(|(index, _)| constant(params[index] as f32, len))
        .collect();
    let mut inputs: Vec<&[f32]> = vec![&trig];
    inputs.extend(controls.iter().map(Vec::as_slice));
    let init = KernelInit {
        seed,
        ..KernelInit::new(&params, SR)
    };
    Run::new(&inputs, len).on(build(&spec, &init).unwrap().as_mut())
}

fn render(name: &str, overrides: &[(&str, f64)], hits: &[usize], len: usize) -> Vec<f32> {
    render_seeded(name, overrides, hits, len, 0)
}

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

/// The envelope of a tonal signal: the largest magnitude between each pair of zero crossings,
/// as (seconds, dB).
fn local_peaks(x: &[f32]) -> Vec<(f64, f64)> {
    let mut points = Vec::new();
    let mut best = (0, 0.0_f32);
    for n in 1..x.len() {
        if (x[n - 1] < 0.0) != (x[n] < 0.0) {
            if best.1 > 0.0 {
                points.push((best.0 as f64 / SR, db(f64::from(best.1))));
            }
            best = (n, 0.0);
        }
        if x[n].abs() > best.1 {
            best = (n, x[n].abs());
        }
    }
    points
}

/// The time from the envelope's peak to its first fall below 60 dB under it, interpolating in
/// dB between envelope points.
fn t60_crossing(points: &[(f64, f64)]) -> f64 {
    let (top, &(t_peak, peak_db)) = points
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.1.total_cmp(&b.1.1))
        .unwrap();
    let target = peak_db - 60.0;
    let k = top + points[top..].iter().position(|p| p.1 < target).unwrap();
    let ((t0, d0), (t1, d1)) = (points[k - 1], points[k]);
    t0 + (t1 - t0) * (d0 - target) / (d0 - d1) - t_peak
}

/// The RMS of `x` over consecutive windows of `window` samples, as (centre seconds, dB).
fn window_db(x: &[f32], window: usize) -> Vec<(f64, f64)> {
    x.chunks_exact(window)
        .enumerate()
        .map(|(k, chunk)| {
            let power = chunk.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / window as f64;
            (
                ((k as f64) + 0.5) * window as f64 / SR,
                10.0 * power.log10(),
            )
        })
        .collect()
}

/// The 60 dB decay time of a noisy envelope: a least-squares line through the points after
/// `from` seconds lying between 6 and 46 dB under the peak, extrapolated to 60 dB.
fn t60_fit(points: &[(f64, f64)], from: f64) -> f64 {
    let peak_db = points.iter().map(|p| p.1).fold(f64::MIN, f64::max);
    let fit: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|&(t, d)| t >= from && d <= peak_db - 6.0 && d >= peak_db - 46.0)
        .collect();
    let count = fit.len() as f64;
    let (mt, md) = fit
        .iter()
        .fold((0.0, 0.0), |(t, d), p| (t + p.0 / count, d + p.1 / count));
    let (cov, var) = fit.iter().fold((0.0, 0.0), |(c, v), &(t, d)| {
        (c + (t - mt) * (d - md), v + (t - mt).powi(2))
    });
    -60.0 / (cov / var)
}

/// Checks a measured decay against its promise: within 5 % or 1 ms.
fn assert_decay(name: &str, measured: f64, promised: f64) {
    println!("{name}: fell 60 dB in {measured:.4} s (promised {promised} s)");
    let error = (measured - promised).abs();
    assert!(
        error <= 0.001 || error <= 0.05 * promised,
        "{name}: {measured} s against {promised} s"
    );
}

/// How far, in turns, the rising zero crossings of `out` (a sine from phase 0) stray from
/// whole turns of the phase `tune·t + tune·(sweep - 1)·tau·(1 - e^(-t/tau))`, over its first
/// `len` samples; and the frequency of its first cycle.
fn glide_error(out: &[f32], len: usize, (tune, sweep, tau): (f64, f64, f64)) -> (f64, f64) {
    let phase = |t: f64| tune * t + tune * (sweep - 1.0) * tau * (1.0 - (-t / tau).exp());
    let crossings = rising_crossings(&out[..len]);
    let worst = crossings
        .iter()
        .enumerate()
        .map(|(j, &n)| (phase(n / SR) - (j + 1) as f64).abs())
        .fold(0.0, f64::max);
    (worst, SR / crossings[0])
}

#[test]
fn kick_glides_from_tune_times_sweep_to_tune_and_decays_in_decay_s() {
    let (tune, sweep, tau, decay) = (50.0, 3.0, 0.03, 0.5);
    let out = render(
        "drum.kick",
        &[
            ("tune", tune),
            ("sweep", sweep),
            ("sweep_s", tau),
            ("decay_s", decay),
        ],
        &[0],
        48_000,
    );
    let (worst, first_cycle_hz) = glide_error(&out, 30_000, (tune, sweep, tau));
    println!("kick: first cycle {first_cycle_hz:.1} Hz, within {worst:.4} turns of the glide");
    assert!(worst < 0.01);
    let last = frequency(&out[14_400..28_800]);
    println!("kick: {last:.3} Hz from 0.3 s (tune {tune})");
    assert!((last / tune - 1.0).abs() < 1e-3);
    assert_decay("kick", t60_crossing(&local_peaks(&out)), decay);
    assert!(peak(&out) <= 1.0);
}

#[test]
fn tom_settles_on_tune_and_decays_in_decay_s() {
    for (tune, decay) in [(120.0, 0.4), (300.0, 0.15)] {
        let out = render(
            "drum.tom",
            &[("tune", tune), ("decay_s", decay)],
            &[0],
            48_000,
        );
        let (worst, first_cycle_hz) = glide_error(&out, 24_000, (tune, TOM_SWEEP, TOM_SWEEP_S));
        let settled = frequency(&out[14_400..24_000]);
        println!(
            "tom {tune} Hz: first cycle {first_cycle_hz:.1} Hz, within {worst:.4} turns of the \
             glide; {settled:.3} Hz from 0.3 s"
        );
        assert!(worst < 0.01);
        assert!((settled / tune - 1.0).abs() < 1e-3);
        assert_decay("tom", t60_crossing(&local_peaks(&out)), decay);
    }
}

#[test]
fn snare_tone_has_its_pitch_and_each_part_its_decay() {
    let (tune, decay) = (200.0, 0.3);
    let tone = render(
        "drum.snare",
        &[("tune", tune), ("decay_s", decay), ("snappy", 0.0)],
        &[0],
        24_000,
    );
    let pitch = frequency(&tone[..4_800]);
    println!("snare tone: {pitch:.3} Hz (tune {tune})");
    assert!((pitch / tune - 1.0).abs() < 1e-3);
    assert_decay(
        "snare tone",
        t60_crossing(&local_peaks(&tone)),
        decay * SNARE_TONE_DECAY,
    );
    let noise = render(
        "drum.snare",
        &[("decay_s", decay), ("snappy", 1.0)],
        &[0],
        24_000,
    );
    assert_decay("snare noise", t60_fit(&window_db(&noise, 96), 0.0), decay);
}

/// The power-weighted mean frequency of `x`, from its DFT at every 250 Hz.
fn spectral_centroid(x: &[f32]) -> f64 {
    let (weighted, total) = (1..96).fold((0.0, 0.0), |(w, t), k| {
        let freq = f64::from(k) * 250.0;
        let omega = TAU * freq / SR;
        let (re, im) = x.iter().enumerate().fold((0.0, 0.0), |(re, im), (n, &v)| {
            let phase = omega * n as f64;
            (
                re + f64::from(v) * phase.cos(),
                im + f64::from(v) * phase.sin(),
            )
        });
        let power = re * re + im * im;
        (w + freq * power, t + power)
    });
    weighted / total
}

#[test]
fn hats_decay_as_promised_open_longer_and_sound_high() {
    let closed = render("drum.hat_closed", &[], &[0], 12_000);
    let open = render("drum.hat_open", &[], &[0], 48_000);
    let closed_t60 = t60_fit(&window_db(&closed, 48), 0.0);
    let open_t60 = t60_fit(&window_db(&open, 96), 0.0);
    assert_decay("closed hat", closed_t60, 0.06);
    assert_decay("open hat", open_t60, 0.5);
    assert!(open_t60 > 4.0 * closed_t60);
    let centroid = spectral_centroid(&open[..2_048]);
    println!("open hat: spectral centroid {centroid:.0} Hz");
    assert!(centroid > 7_000.0);
    let short = render("drum.hat_open", &[("decay_s", 0.02)], &[0], 4_800);
    assert_decay(
        "open hat at 0.02 s",
        t60_fit(&window_db(&short, 24), 0.0),
        0.02,
    );
}

#[test]
fn clap_bursts_every_10_ms_then_its_tail_decays_in_decay_s() {
    let decay = 0.4;
    // The power envelope averaged over 16 seeds, in 1 ms windows: averaging tames the
    // narrow-band noise's fluctuations from one millisecond to the next.
    let (len, window) = (48_000, 48);
    let mut power = vec![0.0; len / window];
    for seed in 0..16 {
        let out = render_seeded("drum.clap", &[("decay_s", decay)], &[0], len, seed);
        for (sum, (_, db)) in power.iter_mut().zip(window_db(&out, window)) {
            *sum += 10_f64.powf(db / 10.0) / 16.0;
        }
    }
    let ms: Vec<(f64, f64)> = power
        .iter()
        .enumerate()
        .map(|(k, &p)| ((k as f64 + 0.5) / 1000.0, 10.0 * p.log10()))
        .collect();
    // Each burst's first millisecond is 18 dB louder than the last one before it.
    let onsets: Vec<usize> = (1..100).filter(|&k| ms[k].1 > ms[k - 1].1 + 6.0).collect();
    println!("clap: bursts start at {onsets:?} ms");
    assert_eq!(onsets, [10, 20, 30]);
    for burst in [0, 10, 20] {
        let fall = ms[burst].1 - ms[burst + 9].1;
        println!("clap burst at {burst} ms: fell {fall:.2} dB in 9 ms (promised 18)");
        assert!((fall - 18.0).abs() < 2.0);
    }
    assert_decay("clap tail", t60_fit(&ms, 0.035), decay);
}

/// Every voice with its name.
const VOICES: [&str; 6] = [
    "drum.kick",
    "drum.snare",
    "drum.hat_closed",
    "drum.hat_open",
    "drum.clap",
    "drum.tom",
];

#[test]
fn voices_are_silent_until_triggered_and_peak_within_one() {
    for name in VOICES {
        let out = render(name, &[], &[1_000], 6_000);
        assert!(out[..1_000].iter().all(|&v| v == 0.0), "{name}");
        assert!(out[1_000..1_200].iter().any(|&v| v != 0.0), "{name}");
        // Loud settings, several seeds and hits.
        let loud: &[(&str, f64)] = match name {
            "drum.snare" => &[("snappy", 1.0), ("decay_s", 1.0)],
            "drum.clap" => &[("tone", 5_000.0)],
            "drum.kick" => &[("sweep", 10.0), ("tune", 200.0)],
            _ => &[("decay_s", 2.0)],
        };
        let mut worst: f32 = 0.0;
        for seed in 0..8 {
            let hits: Vec<usize> = (0..10).map(|k| k * 2_400).collect();
            let out = render_seeded(name, loud, &hits, 24_000, seed);
            assert!(out.iter().all(|v| v.is_finite()));
            worst = worst.max(peak(&out));
        }
        println!("{name}: peak {worst:.3} over 80 loud hits");
        assert!(worst <= 1.0);
        assert!(worst > 0.3, "{name} is too quiet: {worst}");
    }
}

#[test]
fn retrigger_restarts_the_voice() {
    // The tonal voices repeat exactly.
    for name in ["drum.kick", "drum.tom"] {
        let out = render(name, &[], &[0, 12_000], 24_000);
        assert_eq!(out[..12_000], out[12_000..], "{name}");
    }
    // The others restart their envelope: the first 5 ms after each hit are as loud.
    for name in VOICES {
        let out = render(name, &[("decay_s", 0.05)], &[0, 12_000], 24_000);
        let level = |from: usize| db(super::super::test_support::rms(&out[from..from + 240]));
        let (first, before, again) = (level(0), level(11_760), level(12_000));
        println!(
            "{name}: first hit {first:.1} dB, before the retrigger {before:.1} dB, after {again:.1} dB"
        );
        assert!((first - again).abs() < 3.0, "{name}");
        assert!(again - before > 40.0, "{name}");
    }
}
