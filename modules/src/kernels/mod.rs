//! The modules, one file per family, each file holding its modules' catalog entries next to
//! the kernels behind them.
//!
//! | family | modules |
//! |---|---|
//! | [`osc`] | `osc.sine`, `osc.saw`, `osc.square`, `osc.triangle` |
//! | [`noise`] | `noise.white` |
//! | [`math`] | `const`, `gain`, `mul` |
//! | [`filter`] | `filter.lowpass` |
//! | [`delay`] | `delay` |
//! | [`env`](mod@env) | `env.adsr` |
//! | [`output`] | `output` (no kernel: the compiler writes it) |
//!
//! Every kernel keeps these promises, and the tests in each file measure them from samples:
//!
//! - It allocates only when built; `process`, `feed` and `reset` never allocate, lock or block.
//! - Its output for a stream does not depend on how the stream is cut into blocks: state moves
//!   one sample at a time, so a host that splits a block at an event's sample renders the same
//!   bits as one that does not.
//! - Audio-rate inputs are read every sample. Control inputs (frequency, cutoff, q, times,
//!   levels) are limited inside the kernel to a range it can compute with, NaN counting as the
//!   bottom of that range, so no control value makes a kernel unstable or produce NaN. Signals
//!   (`in`, `a`, `b`, `value`) pass through as they are: a NaN signal gives NaN out, which the
//!   VM's output guard silences.

pub mod delay;
pub mod env;
pub mod filter;
pub(crate) mod folds;
pub mod math;
pub mod noise;
pub mod osc;
pub mod output;

#[cfg(test)]
mod test_support;

use crate::KernelInit;
use crate::registry::Entry;
use patchvm_ir::ModuleSpec;

/// Every module, in catalog order.
pub(crate) fn entries() -> Vec<Entry> {
    vec![
        osc::SINE_ENTRY,
        osc::SAW_ENTRY,
        osc::SQUARE_ENTRY,
        osc::TRIANGLE_ENTRY,
        noise::WHITE_ENTRY,
        math::CONST_ENTRY,
        math::GAIN_ENTRY,
        math::MUL_ENTRY,
        filter::LOWPASS_ENTRY,
        delay::DELAY_ENTRY,
        env::ADSR_ENTRY,
        output::OUTPUT_ENTRY,
    ]
}

/// The value `init` gives input `name` of `spec`.
///
/// # Panics
/// If `spec` has no input `name`: kernels ask only for their own inputs, so this is a bug that
/// the test building every module finds.
fn param(spec: &ModuleSpec, init: &KernelInit, name: &str) -> f64 {
    let index = spec
        .input(name)
        .unwrap_or_else(|| panic!("`{}` has no input `{name}`", spec.name));
    init.params[index]
}

/// `x` limited to `lo..=hi`, with NaN read as `lo` (`f64::max` returns the operand that is not
/// NaN), so a kernel never carries a NaN from its inputs into its state.
#[inline]
fn limit(x: f64, lo: f64, hi: f64) -> f64 {
    x.max(lo).min(hi)
}

#[cfg(test)]
mod tests {
    use super::test_support::{Chunks, Run, SR, defaults, kernel};
    use super::*;
    use crate::build;
    use crate::registry::KernelBuilder;
    use assert_no_alloc::assert_no_alloc;
    use patchvm_ir::{InputSpec, Role};
    use patchvm_vm::{KernelShape, MAX_BLOCK};

    fn kernel_entries() -> impl Iterator<Item = (ModuleSpec, KernelBuilder)> {
        entries()
            .into_iter()
            .filter_map(|entry| entry.build.map(|build| (entry.spec, build)))
    }

    #[test]
    fn catalog_lists_every_module_in_order() {
        let names: Vec<&str> = crate::catalog().names().collect();
        assert_eq!(
            names,
            [
                "osc.sine",
                "osc.saw",
                "osc.square",
                "osc.triangle",
                "noise.white",
                "const",
                "gain",
                "mul",
                "filter.lowpass",
                "delay",
                "env.adsr",
                "output"
            ]
        );
    }

    #[test]
    fn every_kernel_has_the_shape_its_spec_declares() {
        for entry in entries() {
            let spec = entry.spec;
            let params = defaults(&spec);
            for in_feedback_loop in [false, true] {
                let init = KernelInit {
                    in_feedback_loop,
                    ..KernelInit::new(&params, SR)
                };
                let Some(kernel) = build(&spec, &init) else {
                    assert_eq!(spec.role, Role::Output, "`{}` has no kernel", spec.name);
                    assert!(entry.build.is_none());
                    continue;
                };
                assert_eq!(spec.role, Role::Kernel);
                let expected = KernelShape {
                    inputs: u8::try_from(spec.processed_inputs().count()).unwrap(),
                    outputs: u8::try_from(spec.outputs.len()).unwrap(),
                    takes_feed: spec.fed_input().is_some(),
                };
                assert_eq!(kernel.shape(), expected, "shape of `{}`", spec.name);
            }
        }
    }

    #[test]
    fn every_port_has_a_one_line_doc_and_a_range() {
        for entry in entries() {
            let spec = entry.spec;
            let one_line = |doc: &str| !doc.is_empty() && !doc.contains('\n');
            assert!(one_line(spec.doc), "{}", spec.name);
            for input in spec.inputs {
                assert!(one_line(input.doc), "{}.{}", spec.name, input.name);
                assert!(input.min < input.max, "{}.{}", spec.name, input.name);
            }
            for output in spec.outputs {
                assert!(one_line(output.doc), "{}.{}", spec.name, output.name);
            }
        }
    }

    /// A signal for `input` that holds its default, then steps to another value in its range,
    /// and back, every 700 samples: enough change to exercise every kernel's state.
    fn stepping(input: &InputSpec, len: usize) -> Vec<f32> {
        let other = if input.default == 0.0 {
            input.max.min(1.0)
        } else {
            input.default * 0.5
        };
        (0..len)
            .map(|n| {
                if (n / 700) % 2 == 0 {
                    input.default as f32
                } else {
                    other as f32
                }
            })
            .collect()
    }

    /// Signals for every processed input of `spec`, and for its fed input if it has one.
    fn drive(spec: &ModuleSpec, len: usize) -> (Vec<Vec<f32>>, Option<Vec<f32>>) {
        let inputs = spec
            .processed_inputs()
            .map(|(_, input)| stepping(input, len))
            .collect();
        let fed = spec.fed_input().map(|_| {
            (0..len)
                .map(|n| ((n * 7919) % 255) as f32 / 128.0 - 1.0)
                .collect()
        });
        (inputs, fed)
    }

    fn run<'a>(inputs: &'a [&'a [f32]], fed: Option<&'a [f32]>, len: usize) -> Run<'a> {
        let run = Run::new(inputs, len);
        match fed {
            Some(fed) => run.fed(fed),
            None => run,
        }
    }

    #[test]
    fn every_kernel_renders_the_same_bits_whatever_the_block_sizes() {
        let len = 5_000;
        for (spec, builder) in kernel_entries() {
            let params = defaults(&spec);
            let (inputs, fed) = drive(&spec, len);
            let inputs: Vec<&[f32]> = inputs.iter().map(Vec::as_slice).collect();
            let run = run(&inputs, fed.as_deref(), len);
            let mut kernel = builder(&KernelInit::new(&params, SR));
            let whole = run.on(kernel.as_mut());
            kernel.reset();
            let after_reset = run.on(kernel.as_mut());
            let mut others = vec![("reset", after_reset)];
            for (name, chunks) in [
                ("random", Chunks::Random(7)),
                ("single-sample", Chunks::Fixed(1)),
                ("13-sample", Chunks::Fixed(13)),
            ] {
                let mut kernel = builder(&KernelInit::new(&params, SR));
                others.push((name, run.chunks(chunks).on(kernel.as_mut())));
            }
            for (name, other) in others {
                assert!(
                    whole
                        .iter()
                        .zip(&other)
                        .all(|(a, b)| a.to_bits() == b.to_bits()),
                    "`{}` differs with {name} blocks",
                    spec.name
                );
            }
            assert!(
                whole.iter().all(|x| x.is_finite()),
                "`{}` made a non-finite sample",
                spec.name
            );
        }
    }

    #[test]
    fn no_kernel_allocates_while_processing() {
        for (spec, builder) in kernel_entries() {
            let params = defaults(&spec);
            let (inputs, fed) = drive(&spec, 2 * MAX_BLOCK);
            let inputs: Vec<&[f32]> = inputs.iter().map(Vec::as_slice).collect();
            let run = run(&inputs, fed.as_deref(), 2 * MAX_BLOCK);
            let mut out = [0.0_f32; 2 * MAX_BLOCK];
            let mut kernel = builder(&KernelInit::new(&params, SR));
            assert_no_alloc(|| {
                for range in [0..MAX_BLOCK, MAX_BLOCK..MAX_BLOCK + 1, 100..117] {
                    run.block(kernel.as_mut(), range.clone(), &mut out[range]);
                }
                kernel.reset();
            });
        }
    }

    #[test]
    fn a_kernel_that_copies_another_s_state_goes_on_exactly_as_the_other_does() {
        let len = 3_000;
        for (spec, builder) in kernel_entries() {
            let params = defaults(&spec);
            let (inputs, fed) = drive(&spec, len);
            let inputs: Vec<&[f32]> = inputs.iter().map(Vec::as_slice).collect();
            let run = run(&inputs, fed.as_deref(), len);
            let mut old = builder(&KernelInit::new(&params, SR));
            let mut new = builder(&KernelInit::new(&params, SR));
            let mut before = vec![0.0_f32; 1_000];
            for start in (0..1_000).step_by(40) {
                run.block(
                    old.as_mut(),
                    start..start + 40,
                    &mut before[start..start + 40],
                );
            }
            let copied = assert_no_alloc(|| new.copy_state_from(&*old));
            assert!(copied, "`{}` keeps no state", spec.name);
            let (mut a, mut b) = (vec![0.0_f32; 2_000], vec![0.0_f32; 2_000]);
            for start in (1_000..len).step_by(50) {
                let range = start..start + 50;
                run.block(
                    old.as_mut(),
                    range.clone(),
                    &mut a[start - 1_000..start - 950],
                );
                run.block(new.as_mut(), range, &mut b[start - 1_000..start - 950]);
            }
            assert!(
                a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()),
                "`{}` does not go on from the copied state",
                spec.name
            );
        }
    }

    #[test]
    fn a_delay_keeps_its_line_when_its_ring_grows_or_shrinks() {
        let impulse: Vec<f32> = (0..64).map(|n| if n == 10 { 1.0 } else { 0.0 }).collect();
        for new_time in [0.01, 0.002] {
            let mut old = kernel("delay", &[("time", 0.005)]);
            old.feed(&impulse);
            let mut out = [0.0_f32; 64];
            old.process(&[&[0.001; 64]], &mut [&mut out]);
            let mut new = kernel("delay", &[("time", new_time)]);
            assert!(new.copy_state_from(&*old));
            // The impulse went in at sample 10; delayed by 0.002 s it comes out in the next
            // block, whichever ring holds it now.
            new.feed(&[0.0; 64]);
            new.process(&[&[0.002; 64]], &mut [&mut out]);
            let hit = out.iter().position(|&x| x == 1.0);
            let expected = 10 + (0.002 * SR) as usize - 64;
            assert_eq!(hit, Some(expected), "after resizing for {new_time} s");
        }
    }

    #[test]
    fn limit_reads_nan_as_the_bottom() {
        assert_eq!(limit(f64::NAN, -1.0, 2.0), -1.0);
        assert_eq!(limit(5.0, -1.0, 2.0), 2.0);
        assert_eq!(limit(-5.0, -1.0, 2.0), -1.0);
        assert_eq!(limit(0.5, -1.0, 2.0), 0.5);
    }
}
