//! `fx.stretch` and stretched clips from outside: with the `stretch` feature a patch shifts a
//! tone by the interval it asks for, and a timeline plays a committed WAV at a stretch and a
//! pitch on its samples, measured from the rendered samples; without it the same patches are
//! refused with E0125 at what asks for the shift or the stretch.

use patchvm::ir::Format;

/// A 330 Hz sine through `fx.stretch` at `semitones` (written as `value`), to the output.
fn patch(value: &str) -> String {
    format!(
        "(patch\n  (nodes\n    (tone (type \"osc.sine\") (freq 330))\n    (shift (type \"fx.stretch\") (semitones {value}))\n    (out (type \"output\")))\n  (connections\n    (tone \"out\" -> shift \"in\")\n    (shift \"out\" -> out \"in\")))\n"
    )
}

/// A timeline at 120 BPM playing `tests/fixtures/tone-441.wav` (one second of 441 Hz at half
/// level) from 0.25 s for 0.5 s of it, at beat 1 (sample 24,000 at 48 kHz), with `fields`.
fn clip_patch(fields: &str) -> String {
    format!(
        r#"(patch
  (nodes (player (type "timeline") (name "song")) (out (type "output")))
  (connections (player "left" -> out "left") (player "right" -> out "right"))
  (timelines (song (bpm 120)
    (clip tone (file "tone-441.wav") (position 1) (offset 0.25) (length 0.5) {fields}))))"#
    )
}

#[cfg(feature = "stretch")]
mod built {
    use super::*;
    use patchvm::engine::{Prepared, Settings};
    use patchvm::ir::Limits;
    use patchvm_tests::measure::{frequency, rms};
    use patchvm_tests::render;

    /// The frequency of the last 1.5 s of 3 s of the patch shifted by `semitones`, rendered
    /// in blocks of `block`.
    fn shifted(semitones: f64, block: usize) -> f64 {
        let text = patch(&semitones.to_string());
        let patch = Format::Sexpr
            .read(text.as_bytes(), &Limits::default())
            .expect("the patch reads");
        let samples = render(&patch, 144_000, block);
        frequency(&samples[72_000..], 48_000.0).expect("a tone")
    }

    fn cents(measured: f64, expected: f64) -> f64 {
        1200.0 * (measured / expected).log2()
    }

    #[test]
    fn up_seven_semitones_is_a_fifth_within_two_cents() {
        let expected = 330.0 * 2f64.powf(7.0 / 12.0);
        let measured = shifted(7.0, 64);
        assert!(
            cents(measured, expected).abs() < 2.0,
            "{measured} Hz, expected {expected} Hz"
        );
    }

    #[test]
    fn down_an_octave_within_two_cents_whatever_the_blocks() {
        let (whole, odd) = (shifted(-12.0, 64), shifted(-12.0, 13));
        assert!(
            cents(whole, 165.0).abs() < 2.0,
            "{whole} Hz, expected 165 Hz"
        );
        assert_eq!(whole.to_bits(), odd.to_bits(), "13-sample blocks");
    }

    /// The patch's clip rendered by the engine from the committed WAV, `frames` stereo
    /// frames in blocks of `block`: the left channel.
    fn clip_left(fields: &str, frames: usize, block: usize) -> Vec<f32> {
        let text = clip_patch(fields);
        let patch = Format::Sexpr
            .read(text.as_bytes(), &Limits::default())
            .expect("the patch reads");
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let prepared =
            Prepared::in_folder(patch, &Settings::default(), &Limits::default(), &folder)
                .expect("the patch builds");
        let mut instance = prepared.instantiate().expect("an instance");
        let mut out = vec![0.0; 2 * frames];
        instance.process_interleaved(&mut out, block);
        out.chunks(2).map(|frame| frame[0]).collect()
    }

    /// Stretch 2 and pitch +12: the half second of the file lasts one second from its beat's
    /// sample (24,000) to sample 72,000, an octave up (882 Hz within 2 cents), at the file's
    /// level from its first block; the same bits in blocks of 64 and of 37.
    #[test]
    fn a_timeline_plays_a_wav_clip_at_a_stretch_and_a_pitch_on_its_samples() {
        let left = clip_left("(stretch 2) (pitch 12)", 80_000, 64);
        assert!(
            left[..24_000]
                .iter()
                .chain(&left[72_000..])
                .all(|&x| x == 0.0)
        );
        let level = 0.5 * std::f64::consts::FRAC_1_SQRT_2;
        for from in [24_000, 72_000 - 64] {
            let measured = rms(&left[from..from + 64]) * std::f64::consts::SQRT_2;
            assert!(
                (measured / level - 1.0).abs() < 0.1,
                "at {from}: {measured}"
            );
        }
        let measured = frequency(&left[36_000..60_000], 48_000.0).expect("a tone");
        assert!(cents(measured, 882.0).abs() < 2.0, "{measured} Hz");
        assert!(left == clip_left("(stretch 2) (pitch 12)", 80_000, 37));
    }
}

#[cfg(not(feature = "stretch"))]
#[test]
fn without_the_feature_a_shift_is_refused_at_its_value() {
    let text = patch("7");
    let problems = patchvm_tests::diagnose(text.as_bytes(), Format::Sexpr);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let problem = &problems[0];
    assert_eq!(problem.code.as_str(), "E0125");
    assert_eq!(
        problem.message,
        "this build has no time-stretch, which node `shift` asks for"
    );
    assert_eq!(&text[problem.primary.span.range()], "7");
    assert_eq!(
        problem.hint.as_deref(),
        Some("build with --features stretch")
    );
}

#[cfg(not(feature = "stretch"))]
#[test]
fn without_the_feature_a_node_without_a_value_is_refused_at_its_module() {
    let text = patch("0").replace(" (semitones 0)", "");
    let problems = patchvm_tests::diagnose(text.as_bytes(), Format::Sexpr);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].code.as_str(), "E0125");
    assert_eq!(&text[problems[0].primary.span.range()], "\"fx.stretch\"");
}

#[cfg(not(feature = "stretch"))]
#[test]
fn without_the_feature_a_stretched_clip_is_refused_at_its_field() {
    for (fields, value) in [("(stretch 2)", "stretch 2"), ("(pitch -7)", "pitch -7")] {
        let text = clip_patch(fields);
        let problems = patchvm_tests::diagnose(text.as_bytes(), Format::Sexpr);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        let problem = &problems[0];
        assert_eq!(problem.code.as_str(), "E0125");
        assert_eq!(
            problem.message,
            "this build has no time-stretch, which clip `tone` asks for"
        );
        assert_eq!(&text[problem.primary.span.range()], value);
        assert_eq!(
            problem.hint.as_deref(),
            Some("build with --features stretch")
        );
    }
}
