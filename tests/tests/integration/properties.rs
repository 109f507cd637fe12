//! The properties that prove the compiler and VM, over random patches from the public
//! strategies. Each runs 256 cases by default; set `PROPTEST_CASES` to run more.

use patchvm::compiler::compile;
use patchvm::ir::{Format, Limits, Patch};
use patchvm::modules::catalog;
use patchvm::{Instance, Prepared, Settings};
use patchvm_tests::oracle;
use patchvm_tests::strategies::{interface, invalid_patch, sample_bank, valid_patch, voices_patch};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

const FRAMES: usize = 512;
/// Voices of a generated template: enough to show copies stay apart, few enough to keep the
/// reference interpreter quick.
const VOICES: usize = 3;

fn settings(seed: u64) -> Settings {
    Settings {
        seed,
        voices: VOICES,
        ..Settings::default()
    }
}

fn instance(patch: &Patch, seed: u64) -> Instance {
    let settings = settings(seed);
    Instance::new(patch, &settings, &Limits::default()).expect("generated patches are valid")
}

/// Renders `FRAMES` frames, cutting the stream at the given chunk lengths (cycled).
fn render_in_chunks(patch: &Patch, seed: u64, chunks: &[usize]) -> Vec<f32> {
    render_counting_faults(patch, seed, chunks).0
}

/// [`render_in_chunks`], with the number of faults (a node's output turning NaN or
/// infinite, muted by blocks: those samples depend on the blocks, and the reference
/// interpreter has no blocks).
fn render_counting_faults(patch: &Patch, seed: u64, chunks: &[usize]) -> (Vec<f32>, u64) {
    let mut instance = instance(patch, seed);
    let channels = instance.channels();
    let mut out = vec![0.0; FRAMES * channels];
    let mut done = 0;
    for &chunk in chunks.iter().cycle() {
        if done == FRAMES {
            break;
        }
        let frames = chunk.min(FRAMES - done);
        instance.process_interleaved(
            &mut out[done * channels..(done + frames) * channels],
            frames,
        );
        done += frames;
    }
    (out, instance.faults())
}

fn bits(samples: &[f32]) -> Vec<u32> {
    samples.iter().map(|x| x.to_bits()).collect()
}

proptest! {
    // Failing cases are kept in `properties.regressions` beside this file and replayed first.
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    /// 1. The VM computes exactly what the reference interpreter computes.
    #[test]
    fn vm_equals_the_reference_interpreter(patch in valid_patch(), seed in any::<u64>()) {
        let (vm, faults) = render_counting_faults(&patch, seed, &[64]);
        // A faulty node is muted by blocks, which the reference does not have.
        prop_assume!(faults == 0);
        let reference = oracle::render(&patch, &settings(seed), FRAMES).expect("valid");
        prop_assert_eq!(bits(&vm), bits(&reference));
    }

    /// 1b. Voices — copies of one sub-patch, whose identical nodes run side by side in SIMD
    ///     lanes — compute exactly what the reference interpreter computes node by node.
    #[test]
    fn voices_in_lanes_equal_the_reference_interpreter(patch in voices_patch(), seed in any::<u64>()) {
        let (vm, faults) = render_counting_faults(&patch, seed, &[64, 17, 1, 40]);
        // A faulty node is muted by blocks, which the reference does not have.
        prop_assume!(faults == 0);
        let settings = Settings { seed, ..Settings::default() };
        let reference = oracle::render(&patch, &settings, FRAMES).expect("valid");
        prop_assert_eq!(bits(&vm), bits(&reference));
    }

    /// 2. Same patch and seed, same samples and same bytecode; and any chunking of the stream
    ///    into blocks of 1..=64 gives the samples of 64-sample blocks.
    #[test]
    fn rendering_is_deterministic_whatever_the_chunking(
        patch in valid_patch(),
        seed in any::<u64>(),
        chunks in prop::collection::vec(1..=64usize, 1..40),
    ) {
        let (whole, faults) = render_counting_faults(&patch, seed, &[64]);
        prop_assert_eq!(bits(&whole), bits(&render_in_chunks(&patch, seed, &[64])));
        // A faulty node is muted by blocks: which samples depends on them.
        if faults == 0 {
            prop_assert_eq!(bits(&whole), bits(&render_in_chunks(&patch, seed, &chunks)));
        }
        let first = compile(&patch, catalog(), &Limits::default()).expect("valid").program;
        let second = compile(&patch, catalog(), &Limits::default()).expect("valid").program;
        prop_assert_eq!(first, second);
    }

    /// 3. Every format carries the patch without loss.
    #[test]
    fn every_format_round_trips(
        mut patch in valid_patch(),
        bank in sample_bank(),
        offered in interface(),
    ) {
        patch.samples = bank;
        patch.interface = offered;
        for format in Format::ALL {
            let read = format.read(&format.write(&patch), &Limits::default()).map(Patch::without_spans);
            prop_assert_eq!(read, Ok(patch.clone()), "via {:?}", format);
        }
    }

    /// 4. An invalid patch, written out and read back, fails with the expected error, and every
    ///    error points into the text.
    #[test]
    fn invalid_patches_fail_with_their_error_and_a_span((patch, code) in invalid_patch()) {
        let text = Format::Sexpr.write(&patch);
        let read = Format::Sexpr.read(&text, &Limits::default()).expect("mutations keep the syntax");
        let diagnostics = match compile(&read, catalog(), &Limits::default()) {
            Ok(_) => return Err(TestCaseError::fail(format!("{code:?} compiled:\n{}", String::from_utf8_lossy(&text)))),
            Err(diagnostics) => diagnostics,
        };
        prop_assert!(diagnostics.iter().any(|d| d.code == code), "{code:?} not in {diagnostics:#?}");
        for diagnostic in &diagnostics {
            let span = diagnostic.primary.span;
            prop_assert!(!span.is_none() && span.range().end <= text.len(), "{diagnostic:#?}");
        }
    }

    /// 5. Output is always finite.
    #[test]
    fn output_is_always_finite(patch in valid_patch(), seed in any::<u64>()) {
        let samples = render_in_chunks(&patch, seed, &[64]);
        prop_assert!(samples.iter().all(|x| x.is_finite()));
    }
}

/// The generator's templates are there to be tested: a good share of patches has one, and
/// its copies reach the compiled program.
#[test]
fn generated_patches_often_have_voice_templates() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut with_template, mut expanded) = (0, 0);
    for _ in 0..200 {
        let patch = valid_patch().new_tree(&mut runner).unwrap().current();
        if !patch.voices.is_empty() {
            with_template += 1;
            let prepared = Prepared::new(patch, &settings(0), &Limits::default()).expect("valid");
            if prepared.program().kernels.len() >= VOICES {
                expanded += 1;
            }
        }
    }
    assert!(
        (40..=100).contains(&with_template),
        "{with_template} of 200"
    );
    assert!(
        expanded * 2 > with_template,
        "{expanded} of {with_template} expanded"
    );
}
