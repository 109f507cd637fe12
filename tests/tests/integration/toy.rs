//! The seeds' toy patch sounds as written: a 440 Hz sine at peak 0.5, whatever its form.

use patchvm_tests::measure::{frequency, peak, rms};
use patchvm_tests::{example, render};

const RATE: f64 = 48_000.0;

#[test]
fn toy_patch_is_a_440_hz_sine_at_half_amplitude() {
    let samples = render(&example("toy.lisp"), 2 * 48_000, 64);
    let measured = frequency(&samples, RATE).expect("the toy patch oscillates");
    assert!((measured - 440.0).abs() < 0.01, "measured {measured} Hz");
    let peak = peak(&samples);
    assert!((peak - 0.5).abs() < 1e-4, "peak {peak}");
    let rms = rms(&samples);
    assert!((rms - 0.5 / 2f64.sqrt()).abs() < 1e-4, "rms {rms}");
    assert_eq!(samples[0], 0.0, "oscillators start at phase 0");
}

#[test]
fn lisp_and_json_forms_render_identical_samples() {
    let lisp = render(&example("toy.lisp"), 48_000, 64);
    let json = render(&example("toy.json"), 48_000, 64);
    assert!(
        lisp.iter()
            .zip(&json)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
}

#[test]
fn block_size_does_not_change_a_single_sample() {
    for name in ["toy.lisp", "subtractive.lisp", "stereo-noise.lisp"] {
        let patch = example(name);
        let reference = render(&patch, 20_000, 64);
        for block in [1, 7, 37, 63] {
            let chunked = render(&patch, 20_000, block);
            let first_difference = reference
                .iter()
                .zip(&chunked)
                .position(|(a, b)| a.to_bits() != b.to_bits());
            assert_eq!(first_difference, None, "{name} in blocks of {block}");
        }
    }
}
