//! Sample players from a patch file naming WAV files beside it, rendered through the engine:
//! triggers land on their samples, a voice template plays a note an octave above the root an
//! octave up, and a `seq.samples` word the bank lacks is E0122 at the word.

use patchvm::Settings;
use patchvm::engine::Prepared;
use patchvm::ir::{Format, Limits};
use patchvm_tests::measure;
use std::path::PathBuf;

/// A folder of its own under the system's temporary folder, emptied first.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("patchvm-sampler-{}-{name}", std::process::id()));
    let _absent = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A one-channel 16-bit WAV at 48 kHz of `samples` (each within ±1).
fn wav(samples: impl Iterator<Item = f64>) -> Vec<u8> {
    let samples: Vec<i16> = samples.map(|x| (x * 32_767.0).round() as i16).collect();
    let data = (samples.len() * 2) as u32;
    let mut bytes = b"RIFF".to_vec();
    bytes.extend_from_slice(&(36 + data).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt \x10\0\0\0\x01\0\x01\0");
    bytes.extend_from_slice(&48_000_u32.to_le_bytes());
    bytes.extend_from_slice(&96_000_u32.to_le_bytes());
    bytes.extend_from_slice(b"\x02\0\x10\0data");
    bytes.extend_from_slice(&data.to_le_bytes());
    for sample in samples {
        bytes.extend_from_slice(&sample.to_le_bytes());
    }
    bytes
}

/// `frames` of the patch `text`, written to `patch.lisp` in `dir`, rendered in blocks of
/// `block` (mono).
fn render(dir: &std::path::Path, text: &str, frames: usize, block: usize) -> Vec<f32> {
    let path = dir.join("patch.lisp");
    std::fs::write(&path, text).unwrap();
    let (prepared, _) = Prepared::read(&path, &Settings::default(), &Limits::default())
        .unwrap_or_else(|error| panic!("{error:?}"));
    let mut instance = prepared.instantiate().unwrap();
    let mut out = vec![0.0_f32; frames * instance.channels()];
    instance.process_interleaved(&mut out, block);
    out
}

#[test]
fn a_patch_file_plays_its_wav_on_each_trigger_at_the_exact_sample() {
    let dir = folder("triggers");
    // Half of full scale for 2 400 frames (50 ms).
    std::fs::write(dir.join("half.wav"), wav((0..2_400).map(|_| 0.5))).unwrap();
    // A metronome at 10 Hz ticks at 0, 4 800, 9 600 …
    let text = r#"(patch (tick ctl.metro (freq 10))
        (-> tick (sample.play "half.wav") out) (out output))"#;
    for block in [64, 17] {
        let out = render(&dir, text, 20_000, block);
        let starts: Vec<usize> = (0..out.len())
            .filter(|&n| out[n] != 0.0 && (n == 0 || out[n - 1] == 0.0))
            .collect();
        assert_eq!(
            starts,
            [0, 4_800, 9_600, 14_400, 19_200],
            "blocks of {block}"
        );
        // The decoder reads 16-bit samples as n / 32 768.
        let level = 0.5_f32;
        // The 1 ms declick (48 samples) in, the file, the declick out: 2 400 samples each.
        assert_eq!(out[0], level / 48.0);
        assert_eq!(out[4_800 + 1_000], level);
        assert_eq!(out[4_800 + 2_399], level / 48.0);
        assert_eq!(out[4_800 + 2_400], 0.0);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn in_a_voice_template_a_note_twelve_above_the_root_plays_an_octave_up() {
    let dir = folder("octave");
    let tone =
        (0..48_000).map(|n| 0.5 * (std::f64::consts::TAU * 441.0 * n as f64 / 48_000.0).sin());
    std::fs::write(dir.join("tone.wav"), wav(tone)).unwrap();
    // At 120 BPM a bar is 96 000 samples: C4 (60, the root) from 0, C5 (72) from 48 000.
    let text = r#"(patch
  (melody seq.pattern "c4 c5")
  (-> melody "notes" player "notes")
  (voice player (voices 2)
    (nodes (s sample.play "tone.wav" (root 60)))
    (inputs (freq s "pitch") (trig s "trig"))
    (outputs (out s "out")))
  (-> player out) (out output))"#;
    let out = render(&dir, text, 96_000, 64);
    let root = measure::frequency(&out[1_000..40_000], 48_000.0).unwrap();
    let octave = measure::frequency(&out[49_000..70_000], 48_000.0).unwrap();
    assert!((root - 441.0).abs() < 0.05, "root {root} Hz");
    assert!((octave - 882.0).abs() < 0.05, "octave {octave} Hz");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_pattern_word_missing_from_the_bank_is_e0122_at_the_word() {
    let text = r#"(patch (drums seq.samples "bd ~ [sd bd]") (-> drums out) (out output))"#;
    let patch = Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .unwrap();
    let problems = Prepared::new(patch, &Settings::default(), &Limits::default()).unwrap_err();
    let found: Vec<(&str, &str)> = problems
        .iter()
        .map(|problem| (problem.code.as_str(), &text[problem.primary.span.range()]))
        .collect();
    assert_eq!(found, [("E0122", "bd"), ("E0122", "sd")]);
    assert_eq!(
        text.find("bd").unwrap(),
        problems[0].primary.span.range().start
    );
}

#[test]
fn the_sampler_example_loads_the_kit_beside_it() {
    let path = patchvm_tests::patches_dir().join("sampler.lisp");
    let (prepared, _) = Prepared::read(&path, &Settings::default(), &Limits::default())
        .unwrap_or_else(|error| panic!("{error:?}"));
    // make.sh renders 0.5 s, 0.3 s and 0.4 s at 48 kHz, mono.
    for (file, frames) in [
        ("samples/kick.wav", 24_000),
        ("samples/snare.wav", 14_400),
        ("samples/tom.wav", 19_200),
    ] {
        let audio = prepared.audio().file(file).unwrap();
        assert_eq!((audio.frames(), audio.channels()), (frames, 1), "{file}");
    }
    let mut instance = prepared.instantiate().unwrap();
    let mut out = vec![0.0_f32; 48_000 * instance.channels()];
    instance.process_interleaved(&mut out, 64);
    // The kick and the tom (G2, its root, so the file's own speed, at -3 dB) start at sample
    // 0: the first 48 samples are their files' under the declick, mixed at 0.7.
    let mut cache = patchvm::audio::AudioCache::new(1 << 24);
    let mut load = |name: &str| {
        let path = patchvm_tests::patches_dir().join("samples").join(name);
        cache.load(&path, 48_000.0).unwrap()
    };
    let (kick, tom) = (load("kick.wav"), load("tom.wav"));
    let tom_gain = 10_f32.powf(-3.0 / 20.0);
    for (n, &x) in out[..48].iter().enumerate() {
        let fade = (n + 1) as f32 / 48.0;
        let expected = (kick.channel(0)[n] + tom.channel(0)[n] * tom_gain) * fade * 0.7;
        assert!((x - expected).abs() < 1e-6, "{n}: {x} {expected}");
    }
}
