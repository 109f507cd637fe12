//! VM time per block by patch size: one 64-sample block of generated patches of 10 to
//! 10 000 nodes (voices of saw → low-pass → gain, see `patchvm_benches::synth`).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use patchvm::ir::Limits;
use patchvm::{Instance, Settings};
use patchvm_benches::{SIZES, Shape, synth};
use std::hint::black_box;

fn blocks(c: &mut Criterion) {
    let mut group = c.benchmark_group("one 64-sample block");
    for nodes in SIZES {
        let patch = synth(nodes, Shape::default());
        let mut instance = Instance::new(&patch, &Settings::default(), &Limits::default()).unwrap();
        let mut block = [0.0_f32; 64];
        group.throughput(Throughput::Elements(nodes as u64));
        group.bench_function(BenchmarkId::from_parameter(nodes), |b| {
            b.iter(|| instance.process_interleaved(black_box(&mut block), 64))
        });
    }
    group.finish();
}

criterion_group!(benches, blocks);
criterion_main!(benches);
