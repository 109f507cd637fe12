//! `sample.play` and `seq.samples` measured from samples, with files made by hand: trigger
//! positions to the sample, rates (length and frequency), reversal against the reversed file,
//! regions and loops in samples, gain and pan law, the declick fades' lengths, pattern words
//! on their onsets identified by correlation, polyphony and stealing; the same bits whatever
//! the blocks, no allocation, state carried across a swap.

use super::super::test_support::{
    Chunks, Run, SR, Segment, beats_at, frequency, params, play, sine_wave,
};
use super::DECLICK_S;
use crate::{KernelInit, build};
use assert_no_alloc::assert_no_alloc;
use patchvm_ir::TextValue;
use patchvm_vm::audio::{AudioData, AudioFiles};
use patchvm_vm::{Kernel, MAX_BLOCK};
use std::sync::Arc;

/// The declick length at [`SR`]: 48 samples.
const D: usize = 48;

#[test]
fn the_declick_is_a_millisecond() {
    assert_eq!((DECLICK_S * SR).round() as usize, D);
}

/// A mono file of `samples` at [`SR`].
fn mono(samples: Vec<f32>) -> Arc<AudioData> {
    Arc::new(AudioData::new(SR, vec![samples]).unwrap())
}

/// A kernel of `name` with its texts, settings and files.
fn kernel_with(
    name: &str,
    texts: &[(&str, &str)],
    settings: &[(&str, f64)],
    audio: &AudioFiles,
) -> Box<dyn Kernel> {
    let (spec, values) = params(name, settings);
    let texts: Vec<TextValue> = texts
        .iter()
        .map(|&(input, text)| TextValue {
            input: spec.input(input).unwrap(),
            text: text.to_owned(),
        })
        .collect();
    let init = KernelInit {
        texts: &texts,
        audio,
        ..KernelInit::new(&values, SR)
    };
    build(&spec, &init).unwrap()
}

/// A `sample.play` of `file` (as `"f.wav"`).
fn player(file: Arc<AudioData>) -> Box<dyn Kernel> {
    let mut audio = AudioFiles::default();
    audio.insert_file("f.wav", file);
    kernel_with("sample.play", &[("file", "f.wav")], &[], &audio)
}

/// `sample.play`'s processed inputs, in order.
const INPUTS: [&str; 9] = [
    "trig", "rate", "pitch", "root", "start", "end", "loop", "gain", "pan",
];

/// Input signals for `sample.play` over `len` samples: the defaults, `set` held, and a trigger
/// of one sample at each of `triggers`.
fn signals(len: usize, triggers: &[usize], set: &[(&str, f32)]) -> Vec<Vec<f32>> {
    let (spec, values) = params("sample.play", &[]);
    INPUTS
        .iter()
        .map(|&name| {
            let default = values[spec.input(name).unwrap()] as f32;
            let value = set
                .iter()
                .find(|(input, _)| *input == name)
                .map_or(default, |&(_, value)| value);
            let mut signal = vec![value; len];
            if name == "trig" {
                for &at in triggers {
                    signal[at] = 1.0;
                }
            }
            signal
        })
        .collect()
}

/// `[out, left, right]` of `file` played over `len` samples, in blocks cut by `chunks`.
fn played(
    file: Arc<AudioData>,
    len: usize,
    triggers: &[usize],
    set: &[(&str, f32)],
    chunks: Chunks,
) -> Vec<Vec<f32>> {
    let signals = signals(len, triggers, set);
    let inputs: Vec<&[f32]> = signals.iter().map(Vec::as_slice).collect();
    Run::new(&inputs, len)
        .chunks(chunks)
        .on_all(player(file).as_mut())
}

/// `out` of `file` played once from sample 0, in full blocks.
fn out(file: Arc<AudioData>, len: usize, set: &[(&str, f32)]) -> Vec<f32> {
    played(file, len, &[0], set, Chunks::Full).swap_remove(0)
}

/// The declick window at frame `k` of a region of `n` frames played at rate ±1.
fn window(k: usize, n: usize) -> f32 {
    let d = D as f64;
    ((k as f64 + 1.0) / d)
        .min((n - k) as f64 / d)
        .clamp(0.0, 1.0) as f32
}

/// The samples where `x` is not 0.
fn sounding(x: &[f32]) -> Vec<usize> {
    (0..x.len()).filter(|&n| x[n] != 0.0).collect()
}

#[test]
fn each_rising_trigger_starts_the_file_at_its_exact_sample_whatever_the_blocks() {
    let file = mono(vec![1.0; 500]);
    for chunks in [
        Chunks::Full,
        Chunks::Fixed(1),
        Chunks::Fixed(13),
        Chunks::Random(5),
    ] {
        let out = played(Arc::clone(&file), 3_000, &[100, 2_017], &[], chunks).swap_remove(0);
        let starts: Vec<usize> = (1..out.len())
            .filter(|&n| out[n] != 0.0 && out[n - 1] == 0.0)
            .collect();
        assert_eq!(starts, [100, 2_017], "{chunks:?}");
        assert_eq!(out[100], 1.0 / D as f32);
        assert_eq!(sounding(&out).len(), 1_000, "two plays of 500 samples");
    }
    // A trigger held high starts the file once; it must fall to at most 0 to start again.
    let mut held = signals(2_000, &[], &[]);
    held[0][10..1_500].fill(0.7);
    let inputs: Vec<&[f32]> = held.iter().map(Vec::as_slice).collect();
    let out = Run::new(&inputs, 2_000).on(player(Arc::clone(&file)).as_mut());
    assert_eq!(sounding(&out), (10..510).collect::<Vec<_>>());
}

#[test]
fn rate_two_halves_the_length_and_doubles_the_frequency() {
    let constant = mono(vec![1.0; 4_800]);
    for (rate, length) in [(1.0, 4_800), (2.0, 2_400), (0.5, 9_600), (-2.0, 2_400)] {
        let out = out(Arc::clone(&constant), 12_000, &[("rate", rate)]);
        assert_eq!(
            sounding(&out),
            (0..length).collect::<Vec<_>>(),
            "rate {rate}"
        );
    }
    let sine = mono(sine_wave(441.0, 48_000));
    let once = out(Arc::clone(&sine), 48_000, &[]);
    let twice = out(sine, 48_000, &[("rate", 2.0)]);
    let (f1, f2) = (frequency(&once[D..47_000]), frequency(&twice[D..23_000]));
    assert!((f1 - 441.0).abs() < 0.01, "{f1}");
    assert!((f2 - 882.0).abs() < 0.01, "{f2}");
}

#[test]
fn a_fractional_rate_interpolates_between_the_samples() {
    // A line is what cubic Hermite reproduces exactly between inner samples: at rate 0.25
    // the file 0, 1, 2, … reads 0, 0.25, 0.5, ….
    let line = mono((0..400).map(|n| n as f32).collect());
    let out = out(line, 1_600, &[("rate", 0.25)]);
    for (n, &x) in out.iter().enumerate().take(1_000).skip(4 * D) {
        let expected = n as f32 / 4.0;
        assert!((x - expected).abs() < 1e-3, "{n}: {x}");
    }
}

#[test]
fn a_negative_rate_plays_the_file_reversed() {
    let samples: Vec<f32> = (0..1_000)
        .map(|n| ((n * 7_919) % 201) as f32 / 100.0 - 1.0)
        .collect();
    let n = samples.len();
    let out = out(mono(samples.clone()), 1_200, &[("rate", -1.0)]);
    for k in 0..n {
        let expected = samples[n - 1 - k] * window(k, n);
        assert_eq!(out[k], expected, "sample {k}");
    }
    assert!(out[n..].iter().all(|&x| x == 0.0));
    assert_eq!(
        out[D..n - D],
        samples.iter().rev().copied().collect::<Vec<_>>()[D..n - D]
    );
}

#[test]
fn start_end_and_loop_bound_what_plays_in_samples() {
    let second = mono(vec![1.0; 48_000]);
    // 0.25 s to 0.5 s: 12 000 samples.
    let region = out(
        Arc::clone(&second),
        30_000,
        &[("start", 0.25), ("end", 0.5)],
    );
    assert_eq!(sounding(&region), (0..12_000).collect::<Vec<_>>());
    // From 0.9 s to the file's end: 4 800 samples.
    let tail = out(Arc::clone(&second), 30_000, &[("start", 0.9)]);
    assert_eq!(sounding(&tail).len(), 4_800);
    // An end before the start plays nothing.
    let none = out(Arc::clone(&second), 1_000, &[("start", 0.5), ("end", 0.25)]);
    assert!(sounding(&none).is_empty());
    // Looping 0.1 s to 0.2 s: a period of 4 800 samples, each seam a dip of D samples each side.
    let looped = out(
        second,
        30_000,
        &[("start", 0.1), ("end", 0.2), ("loop", 1.0)],
    );
    assert!(looped.iter().all(|&x| x > 0.0));
    for (n, &x) in looped.iter().enumerate() {
        assert_eq!(x, window(n % 4_800, 4_800), "sample {n}");
    }
    let full: Vec<usize> = (0..4_800).filter(|&n| looped[n] == 1.0).collect();
    assert_eq!(full, (D - 1..4_800 - D + 1).collect::<Vec<_>>());
}

#[test]
fn gain_is_in_decibels_and_pan_is_equal_power() {
    let constant = mono(vec![1.0; 4_000]);
    let at = 1_000;
    let cases = [
        // (gain dB, pan, out, left, right), worked out by hand.
        (0.0, 0.0, 1.0, 0.707_106_77, 0.707_106_77),
        (-6.0, 0.0, 0.501_187_2, 0.354_392_9, 0.354_392_9),
        (0.0, -1.0, 1.0, 1.0, 0.0),
        (0.0, 1.0, 1.0, 0.0, 1.0),
        (0.0, 0.5, 1.0, 0.382_683_43, 0.923_879_5),
        (-20.0, -0.5, 0.1, 0.092_387_95, 0.038_268_34),
    ];
    for (gain, pan, out, left, right) in cases {
        let set = [("gain", gain), ("pan", pan)];
        let outs = played(Arc::clone(&constant), 2_000, &[0], &set, Chunks::Full);
        for (name, got, expected) in [
            ("out", outs[0][at], out),
            ("left", outs[1][at], left),
            ("right", outs[2][at], right),
        ] {
            assert!(
                (got - expected).abs() < 1e-6,
                "{gain} dB, pan {pan}: {name} {got}"
            );
        }
    }
    // A stereo file keeps its sides; `out` is their mean.
    let stereo = Arc::new(AudioData::new(SR, vec![vec![1.0; 4_000], vec![0.5; 4_000]]).unwrap());
    let outs = played(stereo, 2_000, &[0], &[("pan", -1.0)], Chunks::Full);
    assert_eq!(outs[0][at], 0.75);
    assert_eq!(outs[1][at], 1.0);
    assert!(outs[2][at].abs() < 1e-7);
}

#[test]
fn the_declick_fades_last_48_samples() {
    let n = 2_000;
    let out = out(mono(vec![1.0; n]), 3_000, &[]);
    let ramp: Vec<f32> = (0..D).map(|k| (k + 1) as f32 / D as f32).collect();
    assert_eq!(out[..D], ramp[..], "fade in");
    assert!(out[D..n - D].iter().all(|&x| x == 1.0));
    let fall: Vec<f32> = ramp.iter().rev().copied().collect();
    assert_eq!(out[n - D..n], fall[..], "fade out");
    // A retrigger cuts the voice playing with a fade of D samples while the new one starts:
    // with the file n/48000 (its position), the old voice reads 1000 + k, fading by
    // (D - 1 - k)/D, the new one k, fading in.
    let position = mono((0..48_000).map(|n| n as f32 / 48_000.0).collect());
    let cut = played(position, 3_000, &[0, 1_000], &[], Chunks::Random(3)).swap_remove(0);
    for k in 0..200 {
        let new = k as f32 / 48_000.0 * ((k + 1) as f32 / D as f32).min(1.0);
        let old = if k < D {
            (1_000 + k) as f32 / 48_000.0 * ((D - 1 - k) as f32 / D as f32)
        } else {
            0.0
        };
        assert!(
            (cut[1_000 + k] - (new + old)).abs() < 1e-6,
            "{k}: {}",
            cut[1_000 + k]
        );
    }
}

#[test]
fn a_note_twelve_above_the_root_plays_an_octave_up() {
    let sine = mono(sine_wave(441.0, 48_000));
    let hz = |note: f64| (440.0 * ((note - 69.0) / 12.0).exp2()) as f32;
    for (note, root, expected) in [
        (72.0, 60.0, 882.0),
        (60.0, 60.0, 441.0),
        (55.0, 67.0, 220.5),
    ] {
        let set = [("pitch", hz(note)), ("root", root as f32)];
        let out = out(Arc::clone(&sine), 48_000, &set);
        let measured = frequency(&out[D..20_000]);
        assert!(
            (measured - expected).abs() < 0.01,
            "note {note}: {measured} Hz"
        );
    }
}

#[test]
fn without_its_file_a_player_is_silent() {
    let (spec, values) = params("sample.play", &[]);
    let mut kernel = build(&spec, &KernelInit::new(&values, SR)).unwrap();
    let signals = signals(500, &[0, 100], &[]);
    let inputs: Vec<&[f32]> = signals.iter().map(Vec::as_slice).collect();
    let outs = Run::new(&inputs, 500).on_all(kernel.as_mut());
    assert!(outs.iter().flatten().all(|&x| x == 0.0));
}

#[test]
fn playing_a_file_is_the_same_bits_in_any_blocks_allocates_nothing_and_survives_a_swap() {
    let noise: Vec<f32> = (0..3_000)
        .map(|n| ((n * 7_919) % 255) as f32 / 128.0 - 1.0)
        .collect();
    let file = mono(noise);
    let len = 6_000;
    let mut set = signals(
        len,
        &[5, 1_700, 1_703, 4_000],
        &[("loop", 1.0), ("end", 0.05)],
    );
    // A rate that moves, backwards for a while, and a pan sweep.
    set[1] = (0..len).map(|n| 1.5 - (n as f32 / 2_000.0)).collect();
    set[8] = (0..len)
        .map(|n| (n as f32 / len as f32) * 2.0 - 1.0)
        .collect();
    let inputs: Vec<&[f32]> = set.iter().map(Vec::as_slice).collect();
    let whole = Run::new(&inputs, len).on_all(player(Arc::clone(&file)).as_mut());
    for chunks in [Chunks::Fixed(1), Chunks::Fixed(13), Chunks::Random(9)] {
        let other = Run::new(&inputs, len)
            .chunks(chunks)
            .on_all(player(Arc::clone(&file)).as_mut());
        assert_eq!(whole, other, "{chunks:?}");
    }
    assert!(whole.iter().flatten().all(|x| x.is_finite()));
    let run = Run::new(&inputs, len);
    let mut old = player(Arc::clone(&file));
    let mut new = player(Arc::clone(&file));
    let mut scratch = [0.0_f32; MAX_BLOCK];
    for start in (0..2_000).step_by(50) {
        run.block(old.as_mut(), start..start + 50, &mut scratch[..50]);
    }
    assert!(assert_no_alloc(|| new.copy_state_from(&*old)));
    let (mut a, mut b) = (vec![0.0_f32; 4_000], vec![0.0_f32; 4_000]);
    assert_no_alloc(|| {
        for start in (2_000..len).step_by(40) {
            let at = start - 2_000..start - 1_960;
            run.block(old.as_mut(), start..start + 40, &mut a[at.clone()]);
            run.block(new.as_mut(), start..start + 40, &mut b[at]);
        }
    });
    assert_eq!(a, b);
    assert!(a.iter().any(|&x| x != 0.0));
    // Another file's player does not take the voices (they read positions of this one).
    let mut other = player(mono(vec![0.5; 10]));
    assert!(!other.copy_state_from(&*old));
}

/// The bank of the pattern tests: `bd` a 1 kHz sine, `sd` noise (neither ever exactly 0), `oh`
/// long and `hh` short constants, each 0.1 s unless said.
fn bank() -> AudioFiles {
    let mut bank = AudioFiles::default();
    let tone = (0..4_800).map(|n| (1.0 + std::f64::consts::TAU * n as f64 / 48.0).sin() as f32);
    bank.insert_word("bd", mono(tone.collect()));
    let noise = (0..4_800).map(|n| ((n * 7_919) % 255) as f32 / 127.5 - 1.0);
    bank.insert_word("sd", mono(noise.collect()));
    bank.insert_word("oh", mono(vec![0.25; 48_000]));
    bank.insert_word("hh", mono(vec![0.5; 2_400]));
    bank.insert_word("tick", mono(vec![0.1; 96_000]));
    bank
}

/// `[out, left, right]` of `seq.samples` playing `pattern` over `len` samples from beat 0 at
/// `bpm`, in blocks of `block` samples.
fn pattern_out(pattern: &str, bpm: f64, len: usize, block: usize) -> Vec<Vec<f32>> {
    let bank = bank();
    let mut kernel = kernel_with("seq.samples", &[("pattern", pattern)], &[], &bank);
    let transport: [Segment; 1] = [play(0, 0.0, bpm)];
    let (rate, gain, pan) = (vec![1.0; len], vec![0.0; len], vec![-1.0; len]);
    let mut outs = vec![vec![0.0_f32; len]; 3];
    assert_no_alloc(|| {
        let mut n = 0;
        while n < len {
            let (beats, _) = beats_at(&transport, n);
            let end = (n + block).min(len);
            let [out, left, right] = &mut outs[..] else {
                unreachable!()
            };
            let inputs = [&rate[n..end], &gain[n..end], &pan[n..end]];
            kernel.process_at(
                &beats,
                &inputs,
                &mut [&mut out[n..end], &mut left[n..end], &mut right[n..end]],
            );
            n = end;
        }
    });
    outs
}

/// The normalised correlation of `x` with `y` over their common length.
fn correlation(x: &[f32], y: &[f32]) -> f64 {
    let dot = |a: &[f32], b: &[f32]| -> f64 {
        a.iter()
            .zip(b)
            .map(|(&p, &q)| f64::from(p) * f64::from(q))
            .sum()
    };
    let n = x.len().min(y.len());
    dot(&x[..n], &y[..n]) / (dot(&x[..n], &x[..n]) * dot(&y[..n], &y[..n])).sqrt()
}

#[test]
fn pattern_words_play_their_samples_on_their_onsets() {
    // 240 BPM: a beat is 12 000 samples, a bar (a cycle) 48 000: "bd ~ sd ~" plays bd at 0 and
    // 48 000, sd at 24 000; "[bd sd]*2" at every 12 000.
    let bank = bank();
    let files = [
        ("bd", bank.word("bd").unwrap()),
        ("sd", bank.word("sd").unwrap()),
    ];
    for (pattern, hits) in [
        (
            "bd ~ sd ~",
            vec![(0, "bd"), (24_000, "sd"), (48_000, "bd"), (72_000, "sd")],
        ),
        (
            "[bd sd]*2",
            (0..8)
                .map(|k| (k * 12_000, if k % 2 == 0 { "bd" } else { "sd" }))
                .collect(),
        ),
    ] {
        for block in [MAX_BLOCK, 7, 1] {
            let out = pattern_out(pattern, 240.0, 96_000, block).swap_remove(0);
            let starts: Vec<usize> = (0..out.len())
                .filter(|&n| out[n] != 0.0 && (n == 0 || out[n - 1] == 0.0))
                .collect();
            let expected: Vec<usize> = hits.iter().map(|&(at, _)| at).collect();
            assert_eq!(starts, expected, "{pattern} in blocks of {block}");
            for &(at, word) in &hits {
                let heard = &out[at + D..at + 4_800 - D];
                let (best, _) = files
                    .iter()
                    .map(|(name, file)| (name, correlation(heard, &file.channel(0)[D..4_800 - D])))
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .unwrap();
                assert_eq!(*best, word, "{pattern}: the hit at {at}");
                let (_, file) = files.iter().find(|(name, _)| *name == word).unwrap();
                assert!(correlation(heard, &file.channel(0)[D..4_800 - D]) > 0.999_999);
            }
        }
    }
}

#[test]
fn hits_ring_on_under_the_next_and_the_ninth_steals_the_oldest() {
    // "oh hh": the open hat (0.25 for 1 s) rings under the closed one (0.5 for 0.05 s) that
    // starts half a bar later, at 240 BPM 24 000 samples.
    let out = pattern_out("oh hh", 240.0, 30_000, MAX_BLOCK).swap_remove(0);
    assert_eq!(out[20_000], 0.25);
    assert_eq!(out[24_000 + D], 0.75);
    assert_eq!(out[24_000 + 2_400 + 10], 0.25);
    // "tick*16" (0.1 for 2 s each) at 60 BPM: a tick every 12 000 samples; each adds 0.1 until
    // all 8 voices play, then each new one takes the oldest's place.
    let out = pattern_out("tick*16", 60.0, 16 * 12_000, MAX_BLOCK).swap_remove(0);
    for hit in 1..16 {
        let level = out[hit * 12_000 - 100];
        let voices = hit.min(8) as f32;
        assert!(
            (level - 0.1 * voices).abs() < 1e-5,
            "before hit {hit}: {level}"
        );
    }
}

#[test]
fn with_the_transport_stopped_nothing_starts() {
    let bank = bank();
    let mut kernel = kernel_with("seq.samples", &[("pattern", "bd*4")], &[], &bank);
    let len = 20_000;
    let inputs = [vec![1.0; len], vec![0.0; len], vec![0.0; len]];
    let inputs: Vec<&[f32]> = inputs.iter().map(Vec::as_slice).collect();
    let outs = Run::new(&inputs, len).on_all(kernel.as_mut());
    assert!(outs.iter().flatten().all(|&x| x == 0.0));
}
