//! The analysis modules (`analysis.pitch`, `analysis.onset`, `analysis.amplitude`,
//! `analysis.centroid`) with their default settings, each kernel as the VM calls it in
//! 64-sample blocks: the cost of one second of audio at 48 kHz (a tone with harmonics and a
//! little noise, so every hop has work to do).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use patchvm::modules::{KernelInit, build, catalog};
use patchvm::vm::{Kernel, MAX_BLOCK};
use std::hint::black_box;

/// The sample rate, and one second of it.
const SR: usize = 48_000;

const MODULES: [&str; 4] = [
    "analysis.pitch",
    "analysis.onset",
    "analysis.amplitude",
    "analysis.centroid",
];

fn kernel(name: &str) -> Box<dyn Kernel> {
    let spec = catalog().get(name).unwrap();
    let params: Vec<f64> = spec.inputs.iter().map(|input| input.default).collect();
    build(spec, &KernelInit::new(&params, SR as f64)).unwrap()
}

fn analysis(c: &mut Criterion) {
    let mut group = c.benchmark_group("analysis");
    group.throughput(Throughput::Elements(SR as u64));
    let mut noise = 1_u32;
    let input: Vec<f32> = (0..SR)
        .map(|n| {
            noise = noise.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let t = n as f32 / SR as f32;
            let tone: f32 = (1..6)
                .map(|k| (std::f32::consts::TAU * 220.0 * k as f32 * t).sin() / k as f32)
                .sum();
            0.3 * tone + (noise as f32 / u32::MAX as f32 - 0.5) * 0.01
        })
        .collect();
    for name in MODULES {
        let mut kernel = kernel(name);
        let mut outs = [[0.0_f32; MAX_BLOCK]; 3];
        let outputs = usize::from(kernel.shape().outputs);
        group.bench_function(BenchmarkId::new("second", name), |b| {
            b.iter(|| {
                for block in input.chunks(MAX_BLOCK) {
                    let [a, b, c] = &mut outs;
                    let mut all = [&mut a[..], &mut b[..], &mut c[..]];
                    kernel.process(&[block], &mut all[..outputs]);
                }
                black_box(&outs);
            });
        });
    }
    group.finish();
}

criterion_group!(benches, analysis);
criterion_main!(benches);
