//! The analysis modules' accuracy on recordings they did not make: a melody rendered through
//! General MIDI's piano and flute by fluidsynth, and a phrase spoken by espeak-ng
//! (`tests/fixtures/analysis/make.sh` writes them, the MIDI notes and their ground truth;
//! CI runs it first, so these tests listen to fresh renders). Each module is measured
//! against the MIDI notes or against an independent computation written here.

use patchvm::modules::{KernelInit, build, catalog};
use std::f64::consts::TAU;
use std::path::PathBuf;

/// The folder of the recordings.
fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/analysis")
}

/// The samples of a mono 16-bit WAV file in -1..1, and its rate.
fn read_wav(name: &str) -> (Vec<f32>, f64) {
    let bytes = std::fs::read(fixtures().join(name)).expect("the recording");
    let (mut at, mut rate, mut samples) = (12, 0.0, Vec::new());
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        let body = &bytes[at + 8..(at + 8 + len).min(bytes.len())];
        if id == b"fmt " {
            assert_eq!(u16::from_le_bytes([body[2], body[3]]), 1, "mono");
            assert_eq!(u16::from_le_bytes([body[14], body[15]]), 16, "16-bit");
            rate = f64::from(u32::from_le_bytes(body[4..8].try_into().unwrap()));
        } else if id == b"data" {
            samples = body
                .chunks_exact(2)
                .map(|pair| f32::from(i16::from_le_bytes([pair[0], pair[1]])) / 32_768.0)
                .collect();
        }
        at += 8 + len + len % 2;
    }
    assert!(rate > 0.0 && !samples.is_empty(), "{name} has no samples");
    (samples, rate)
}

/// A note of the ground truth.
#[derive(Clone, Copy, Debug)]
struct Note {
    onset_s: f64,
    offset_s: f64,
    midi: f64,
}

/// The notes of `name` (`onset_s,offset_s,midi` lines after a header).
fn truth(name: &str) -> Vec<Note> {
    let text = std::fs::read_to_string(fixtures().join(name)).expect("the ground truth");
    text.lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<f64> = line.split(',').map(|f| f.parse().unwrap()).collect();
            Note {
                onset_s: fields[0],
                offset_s: fields[1],
                midi: fields[2],
            }
        })
        .collect()
}

/// Every output of module `name` (with `settings`) over `input` at `rate`, in blocks of 64.
fn analyse(name: &str, settings: &[(&str, f64)], input: &[f32], rate: f64) -> Vec<Vec<f32>> {
    let spec = catalog().get(name).expect("an analysis module");
    let mut params: Vec<f64> = spec.inputs.iter().map(|input| input.default).collect();
    for &(setting, value) in settings {
        params[spec.input(setting).expect("a setting")] = value;
    }
    let mut kernel = build(spec, &KernelInit::new(&params, rate)).expect("a kernel");
    let mut outs = vec![vec![0.0_f32; input.len()]; spec.outputs.len()];
    for start in (0..input.len()).step_by(64) {
        let end = input.len().min(start + 64);
        let mut blocks: Vec<&mut [f32]> = outs.iter_mut().map(|o| &mut o[start..end]).collect();
        kernel.process(&[&input[start..end]], &mut blocks);
    }
    outs
}

/// The samples on which a hop of `hop` samples ends: where the outputs may change.
fn hop_ends(hop: usize, len: usize) -> impl Iterator<Item = usize> {
    (hop - 1..len).step_by(hop)
}

/// Voiced frames are those whose whole window lies inside one note, from 30 ms after its
/// onset (the attack, whose pitch is not yet the note's) to its offset. A frame's pitch is
/// right within 50 cents of the MIDI note's equal-tempered frequency (A4 = 440 Hz);
/// unvoiced output (0) on a voiced frame is wrong.
fn pitch_accuracy(recording: &str, notes: &str) -> (usize, usize) {
    let (samples, rate) = read_wav(recording);
    let notes = truth(notes);
    let out = analyse("analysis.pitch", &[], &samples, rate);
    // The frame is two of the longest period's lags: 2 (ceil(sr / 60) + 1).
    let frame = 2 * ((rate / 60.0).ceil() as usize + 1);
    let (mut voiced, mut right) = (0, 0);
    for end in hop_ends(256, samples.len()).filter(|&end| end + 1 >= frame) {
        let (first, last) = ((end + 1 - frame) as f64 / rate, end as f64 / rate);
        let Some(note) = notes
            .iter()
            .find(|n| first >= n.onset_s + 0.03 && last <= n.offset_s)
        else {
            continue;
        };
        voiced += 1;
        let expected = 440.0 * 2_f64.powf((note.midi - 69.0) / 12.0);
        let freq = f64::from(out[0][end]);
        if freq > 0.0 && (1_200.0 * (freq / expected).log2()).abs() <= 50.0 {
            right += 1;
        }
    }
    (right, voiced)
}

#[test]
fn pitch_is_within_50_cents_on_95_percent_of_voiced_frames() {
    for (recording, notes) in [("piano.wav", "piano.csv"), ("flute.wav", "flute.csv")] {
        let (right, voiced) = pitch_accuracy(recording, notes);
        let share = right as f64 / voiced as f64;
        println!(
            "{recording}: {right} of {voiced} voiced frames within 50 cents ({:.1} %)",
            100.0 * share
        );
        assert!(voiced > 100, "{recording}: only {voiced} voiced frames");
        assert!(share >= 0.95, "{recording}: {right} of {voiced}");
    }
}

/// The most pairs of an estimate and a reference within `window` of each other, each used
/// once: a maximum bipartite matching (Kuhn's augmenting paths), as `mir_eval`'s
/// `match_events` computes it.
fn matches(reference: &[f64], estimated: &[f64], window: f64) -> usize {
    fn augment(
        r: usize,
        edges: &[Vec<usize>],
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for &e in &edges[r] {
            if seen[e] {
                continue;
            }
            seen[e] = true;
            if owner[e].is_none_or(|other| augment(other, edges, seen, owner)) {
                owner[e] = Some(r);
                return true;
            }
        }
        false
    }
    let edges: Vec<Vec<usize>> = reference
        .iter()
        .map(|r| {
            let near = |&(_, e): &(usize, &f64)| (r - e).abs() <= window;
            estimated
                .iter()
                .enumerate()
                .filter(near)
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    let mut owner = vec![None; estimated.len()];
    (0..reference.len())
        .filter(|&r| augment(r, &edges, &mut vec![false; estimated.len()], &mut owner))
        .count()
}

/// `mir_eval.onset.f_measure`: F1 of precision and recall over the matched onsets.
fn f_measure(reference: &[f64], estimated: &[f64], window: f64) -> f64 {
    if reference.is_empty() || estimated.is_empty() {
        return 0.0;
    }
    let matched = matches(reference, estimated, window) as f64;
    let (precision, recall) = (
        matched / estimated.len() as f64,
        matched / reference.len() as f64,
    );
    if matched == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

#[test]
fn the_f_measure_matches_each_onset_once() {
    // Two estimates near one reference count once; the best matching pairs 1.0 with 1.04
    // and 1.08 with 1.1, where a greedy nearest match would pair 1.04 with 1.08.
    assert_eq!(matches(&[1.0], &[0.99, 1.01], 0.05), 1);
    assert_eq!(matches(&[1.0, 1.08], &[1.04, 1.1], 0.05), 2);
    let f = f_measure(&[1.0, 2.0, 3.0], &[1.01, 2.2], 0.05);
    // Precision 1/2, recall 1/3: F = 2 · (1/6) / (5/6) = 0.4.
    assert!((f - 0.4).abs() < 1e-12);
}

/// `trig`'s onsets in seconds, each moved back by the latency the module states for a sharp
/// attack starting on a hop at 44.1 kHz (511 samples), so they estimate the note's first
/// sample.
fn onsets(samples: &[f32], rate: f64) -> Vec<f64> {
    let out = analyse("analysis.onset", &[], samples, rate);
    (0..samples.len())
        .filter(|&n| out[0][n] == 1.0)
        .map(|n| (n as f64 - 511.0) / rate)
        .collect()
}

#[test]
fn onsets_score_an_f_measure_of_0_9_within_50_ms() {
    for (recording, notes) in [("piano.wav", "piano.csv"), ("flute.wav", "flute.csv")] {
        let (samples, rate) = read_wav(recording);
        let reference: Vec<f64> = truth(notes).iter().map(|n| n.onset_s).collect();
        let estimated = onsets(&samples, rate);
        let f = f_measure(&reference, &estimated, 0.05);
        println!("{recording}: onsets {estimated:.3?} against {reference:.3?}: F {f:.3}");
        assert!(f >= 0.9, "{recording}: F {f}");
    }
}

/// The spectral centroid of the `len` samples ending at `end`, from a plain DFT (no FFT) of
/// the periodic-Hann-windowed frame: `Σ f_k |X_k| / Σ |X_k|` over bins 0..=len/2.
fn reference_centroid(samples: &[f32], end: usize, len: usize, rate: f64) -> f64 {
    let frame: Vec<f64> = (0..len)
        .map(|i| {
            let w = 0.5 - 0.5 * (TAU * i as f64 / len as f64).cos();
            f64::from(samples[end + 1 - len + i]) * w
        })
        .collect();
    let (cos, sin): (Vec<f64>, Vec<f64>) = (0..len)
        .map(|i| {
            let angle = TAU * i as f64 / len as f64;
            (angle.cos(), angle.sin())
        })
        .unzip();
    let (mut weighted, mut total) = (0.0, 0.0);
    for k in 0..=len / 2 {
        let (mut re, mut im) = (0.0, 0.0);
        for (n, x) in frame.iter().enumerate() {
            let at = (k * n) % len;
            re += x * cos[at];
            im -= x * sin[at];
        }
        let magnitude = re.hypot(im);
        weighted += k as f64 * rate / len as f64 * magnitude;
        total += magnitude;
    }
    weighted / total
}

#[test]
fn centroid_is_within_2_percent_of_a_plain_dft_on_held_notes() {
    // Stationary frames: one in the middle of each flute and piano note, whose 2048 samples
    // lie 100 ms after its onset or later and before its offset.
    for (recording, notes) in [("flute.wav", "flute.csv"), ("piano.wav", "piano.csv")] {
        let (samples, rate) = read_wav(recording);
        let out = analyse("analysis.centroid", &[], &samples, rate);
        let (mut checked, mut worst) = (0, 0.0_f64);
        for note in truth(notes) {
            let middle = ((note.onset_s + note.offset_s) / 2.0 * rate) as usize;
            let end = hop_ends(512, samples.len())
                .find(|&end| end >= middle + 1024)
                .unwrap();
            if ((end - 2047) as f64 / rate) < note.onset_s + 0.1
                || end as f64 / rate > note.offset_s
            {
                continue;
            }
            let expected = reference_centroid(&samples, end, 2048, rate);
            let measured = f64::from(out[0][end]);
            assert!(
                (measured / expected - 1.0).abs() < 0.02,
                "{recording} at {end}: {measured} Hz, the DFT {expected} Hz"
            );
            worst = worst.max((measured / expected - 1.0).abs());
            checked += 1;
        }
        println!(
            "{recording}: {checked} notes, worst centroid error {:.4} %",
            100.0 * worst
        );
        assert!(checked >= 8, "{recording}: {checked} notes");
    }
}

#[test]
fn amplitude_on_speech_is_the_window_s_rms_and_peak_computed_by_hand() {
    let (samples, rate) = read_wav("speech.wav");
    let window = (0.02 * rate).round() as usize;
    let out = analyse("analysis.amplitude", &[("release_s", 0.0)], &samples, rate);
    let mut loud = 0;
    for end in hop_ends(64, samples.len()).filter(|&end| end + 1 >= window) {
        let held = &samples[end + 1 - window..=end];
        let rms = (held.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / window as f64).sqrt();
        let peak = held.iter().fold(0.0_f32, |m, x| m.max(x.abs()));
        assert!(
            (f64::from(out[0][end]) - rms).abs() <= 1e-6 * rms.max(1e-3),
            "rms at {end}"
        );
        assert_eq!(out[1][end], peak, "peak at {end}");
        let db = (20.0 * rms.log10()).max(-120.0);
        assert!((f64::from(out[2][end]) - db).abs() < 1e-3, "db at {end}");
        loud += usize::from(rms > 0.01);
    }
    assert!(loud > 200, "the phrase is heard: {loud} loud hops");
}
