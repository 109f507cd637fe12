//! Every module in the catalog, alone: for any parameter values inside their ranges, and
//! signal inputs carrying noise, its kernel's raw output is finite. The VM would silence a NaN;
//! this checks the kernels never produce one in the first place.

use patchvm::ir::{ModuleSpec, Role, Unit};
use patchvm::modules::{KernelInit, build, catalog};
use patchvm::vm::MAX_BLOCK;
use patchvm_tests::strategies::{PatchShape, params_in_range};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

const BLOCKS: usize = 64;

fn kernel_modules() -> Vec<&'static ModuleSpec> {
    catalog()
        .modules()
        .iter()
        .filter(|m| m.role == Role::Kernel && catalog().not_built(m.name).is_none())
        .collect()
}

/// A module and values for its inputs.
fn module_and_params() -> impl Strategy<Value = (&'static ModuleSpec, Vec<f64>)> {
    prop::sample::select(kernel_modules()).prop_flat_map(|spec| {
        let shape = PatchShape {
            max_seconds: 2.0,
            ..PatchShape::default()
        };
        (Just(spec), params_in_range(spec, shape))
    })
}

/// A deterministic noise in -1..1 (xorshift), for the signal inputs.
fn noise(state: &mut u64) -> f32 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
}

proptest! {
    // Failing cases are kept in `modules.regressions` beside this file and replayed first.
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_module_emits_nan_or_infinity_inside_its_ranges(
        (spec, params) in module_and_params(),
        seed in 1..u64::MAX,
        in_feedback_loop in any::<bool>(),
    ) {
        let init = KernelInit { seed, in_feedback_loop, ..KernelInit::new(&params, 48_000.0) };
        let mut kernel = build(spec, &init).expect("kernel modules build");
        let processed: Vec<(usize, Unit)> =
            spec.processed_inputs().map(|(index, input)| (index, input.unit)).collect();
        let mut inputs = vec![[0.0_f32; MAX_BLOCK]; processed.len()];
        let mut outputs = vec![[0.0_f32; MAX_BLOCK]; spec.outputs.len()];
        let mut fed = [0.0_f32; MAX_BLOCK];
        let mut state = seed;
        for _ in 0..BLOCKS {
            for (block, &(index, unit)) in inputs.iter_mut().zip(&processed) {
                for sample in block.iter_mut() {
                    // Signals carry noise; control inputs hold their (in-range) value.
                    *sample = if unit == Unit::Signal { noise(&mut state) } else { params[index] as f32 };
                }
            }
            fed.iter_mut().for_each(|x| *x = noise(&mut state));
            let input_refs: Vec<&[f32]> = inputs.iter().map(|b| &b[..]).collect();
            let mut output_refs: Vec<&mut [f32]> = outputs.iter_mut().map(|b| &mut b[..]).collect();
            if kernel.shape().takes_feed && !in_feedback_loop {
                kernel.feed(&fed);
            }
            kernel.process(&input_refs, &mut output_refs);
            if kernel.shape().takes_feed && in_feedback_loop {
                kernel.feed(&fed);
            }
            for (output, block) in outputs.iter().enumerate() {
                prop_assert!(
                    block.iter().all(|x| x.is_finite()),
                    "`{}` output {} is not finite with {:?}", spec.name, output, params
                );
            }
        }
    }
}
