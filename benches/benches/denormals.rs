//! What a decaying tail costs against a steady signal, with and without flush-to-zero
//! (`FlushDenormals`, which every path that runs programs takes). The tail is a signal down
//! in the subnormal range (noise at 1e-39, where a filter's or an effect's tail ends up before
//! it reaches zero); the steady signal is the same noise at full scale. Without the guard
//! the tail costs the FPU a microcode assist per operation; with it, both cost the same.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use patchvm::modules::{KernelInit, build, catalog};
use patchvm::vm::{FlushDenormals, MAX_BLOCK};
use std::hint::black_box;
use std::time::Duration;

/// Blocks per iteration: 0.1 s at 48 kHz, rounded up.
const BLOCKS: usize = 75;

/// White noise in -1..1 from a fixed seed, `scale` times over.
fn noise(scale: f32) -> Vec<[f32; MAX_BLOCK]> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..BLOCKS)
        .map(|_| {
            std::array::from_fn(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                ((state >> 40) as f32 / (1u64 << 23) as f32 - 1.0) * scale
            })
        })
        .collect()
}

fn denormals(c: &mut Criterion) {
    let mut group = c.benchmark_group("denormals 0.1 s");
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
        for (signal, scale) in [("steady", 1.0), ("tail", 1e-39)] {
            let blocks = noise(scale);
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
