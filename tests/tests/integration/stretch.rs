//! `fx.stretch` from outside: with the `stretch` feature a patch shifts a tone by the interval
//! it asks for, measured from the rendered samples; without it the same patch is refused with
//! E0125 at the value that asks for the shift.

use patchvm::ir::Format;

/// A 330 Hz sine through `fx.stretch` at `semitones` (written as `value`), to the output.
fn patch(value: &str) -> String {
    format!(
        "(patch\n  (nodes\n    (tone (type \"osc.sine\") (freq 330))\n    (shift (type \"fx.stretch\") (semitones {value}))\n    (out (type \"output\")))\n  (connections\n    (tone \"out\" -> shift \"in\")\n    (shift \"out\" -> out \"in\")))\n"
    )
}

#[cfg(feature = "stretch")]
mod built {
    use super::*;
    use patchvm::ir::Limits;
    use patchvm_tests::measure::frequency;
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
