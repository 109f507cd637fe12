//! What a decaying tail costs against a steady signal, with and without flush-to-zero
//! (`FlushDenormals`, which every path that runs programs takes). The tail is one block of
//! noise and then silence, long enough (0.8 s) for the kernels' state to decay through the
//! subnormal range, where each operation costs the FPU a microcode assist; the steady signal
//! is noise throughout. With the guard the tail ends in exact zeros instead.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use patchvm::modules::{KernelInit, build, catalog};
use patchvm::vm::{FlushDenormals, MAX_BLOCK};
use std::hint::black_box;
use std::time::Duration;

/// Blocks per iteration: 0.8 s at 48 kHz.
const BLOCKS: usize = 600;

/// White noise in -1..1 from a fixed seed for the first `noisy` blocks, then silence.
fn noise(noisy: usize) -> Vec<[f32; MAX_BLOCK]> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..BLOCKS)
        .map(|block| {
            std::array::from_fn(|_| {
                if block >= noisy {
                    return 0.0;
                }
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
            })
        })
        .collect()
}

fn denormals(c: &mut Criterion) {
    let mut group = c.benchmark_group("denormals 0.8 s");
    group.sample_size(10);
    group.throughput(Throughput::Elements((BLOCKS * MAX_BLOCK) as u64));
    group.measurement_time(Duration::from_secs(2));
    group.warm_up_time(Duration::from_millis(500));
    for module in ["filter.onepole", "fx.phaser"] {
        let spec = catalog().get(module).expect("in the catalog");
        let defaults: Vec<f64> = spec.inputs.iter().map(|input| input.default).collect();
        let mut kernel =
            build(spec, &KernelInit::new(&defaults, 48_000.0)).expect("a kernel module");
        let signal_at = spec.input("in").expect("an `in` input");
        // Each other input holds its default, as an unconnected input would.
        let constants: Vec<[f32; MAX_BLOCK]> = spec
            .processed_inputs()
            .map(|(_, input)| [input.default as f32; MAX_BLOCK])
            .collect();
        for (signal, noisy) in [("steady", BLOCKS), ("tail", 1)] {
            let blocks = noise(noisy);
            let inputs: Vec<Vec<&[f32]>> = blocks
                .iter()
                .map(|block| {
                    spec.processed_inputs()
                        .zip(&constants)
                        .map(|((at, _), constant)| match at == signal_at {
                            true => &block[..],
                            false => &constant[..],
                        })
                        .collect()
                })
                .collect();
            for flushed in [false, true] {
                let name = match flushed {
                    true => format!("{module} {signal}, flushed"),
                    false => format!("{module} {signal}"),
                };
                let mut output = [0.0_f32; MAX_BLOCK];
                group.bench_function(name, |b| {
                    b.iter(|| {
                        let _flush = flushed.then(FlushDenormals::new);
                        for block in &inputs {
                            kernel.process(block, &mut [&mut output[..]]);
                        }
                        black_box(&output);
                    })
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, denormals);
criterion_main!(benches);
