//! The audio path never allocates or frees: `Instance::process` on random patches from the
//! public strategies, with random block lengths, runs under `assert_no_alloc`, whose global
//! allocator aborts the test on any allocation or deallocation inside the checked closure.

use assert_no_alloc::assert_no_alloc;
use patchvm::ir::Limits;
use patchvm::{Instance, Settings};
use patchvm_tests::strategies::valid_patch;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn processing_never_allocates(
        patch in valid_patch(),
        blocks in prop::collection::vec(1..=64usize, 1..32),
        input_channels in 0..3usize,
    ) {
        let mut instance = Instance::new(&patch, &Settings::default(), &Limits::default()).expect("valid");
        let channels = instance.channels();
        let mut out = vec![0.0_f32; 65 * channels];
        // Input with a partial frame at the end, which `process` must ignore without panicking.
        let input = vec![0.25_f32; 64 * input_channels + 1];
        assert_no_alloc(|| {
            for &frames in &blocks {
                instance.process(&input, input_channels, &mut out[..frames * channels], frames);
                instance.process_interleaved(&mut out[..frames * channels + channels - 1], 64);
            }
        });
        prop_assert!(out.iter().all(|x| x.is_finite()));
    }
}
