//! Every kernel in the catalog, built with its defaults, processing 64-sample blocks: the cost
//! per sample of each module, so a slow kernel shows up as soon as it is added.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use patchvm::modules::{KernelInit, build, catalog};
use patchvm::vm::{MAX_BLOCK, MAX_PORTS};
use std::hint::black_box;

/// Blocks per iteration: one second at 48 kHz, rounded up.
const BLOCKS: usize = 750;

fn kernels(c: &mut Criterion) {
    let mut group = c.benchmark_group("kernel 1 s");
    group.throughput(Throughput::Elements((BLOCKS * MAX_BLOCK) as u64));
    for spec in catalog().modules() {
        let defaults: Vec<f64> = spec.inputs.iter().map(|input| input.default).collect();
        let Some(mut kernel) = build(spec, &KernelInit::new(&defaults, 48_000.0)) else {
            continue;
        };
        // Each processed input holds its default, as an unconnected input would; the fed
        // input (a delay's) gets a ramp so the kernel has something to move.
        let inputs: Vec<[f32; MAX_BLOCK]> = spec
            .processed_inputs()
            .map(|(_, input)| [input.default as f32; MAX_BLOCK])
            .collect();
        let fed: [f32; MAX_BLOCK] = std::array::from_fn(|i| i as f32 / MAX_BLOCK as f32);
        let mut outputs = vec![[0.0_f32; MAX_BLOCK]; spec.outputs.len()];
        let takes_feed = kernel.shape().takes_feed;
        let input_refs: Vec<&[f32]> = inputs.iter().map(|block| &block[..]).collect();
        let mut output_refs: Vec<&mut [f32]> =
            outputs.iter_mut().map(|block| &mut block[..]).collect();
        assert!(input_refs.len() <= MAX_PORTS && output_refs.len() <= MAX_PORTS);
        group.bench_function(spec.name, |b| {
            b.iter(|| {
                for _ in 0..BLOCKS {
                    if takes_feed {
                        kernel.feed(&fed);
                    }
                    kernel.process(&input_refs, &mut output_refs);
                }
                black_box(&mut output_refs);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
