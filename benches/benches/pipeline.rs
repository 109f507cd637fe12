//! The pipeline's stages on the example patches: reading, compiling and rendering.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use patchvm::compiler::compile;
use patchvm::ir::{Format, Limits};
use patchvm::modules::catalog;
use patchvm::{Instance, Settings};
use patchvm_tests::{example, patches_dir};
use std::hint::black_box;

fn read(c: &mut Criterion) {
    let text = std::fs::read(patches_dir().join("subtractive.lisp")).unwrap();
    c.bench_function("read subtractive.lisp", |b| {
        b.iter(|| {
            Format::Sexpr
                .read(black_box(&text), &Limits::default())
                .unwrap()
        })
    });
}

fn compile_examples(c: &mut Criterion) {
    let patch = example("subtractive.lisp");
    c.bench_function("compile subtractive.lisp", |b| {
        b.iter(|| compile(black_box(&patch), catalog(), &Limits::default()).unwrap())
    });
}

/// One second of audio per iteration, in 64-sample blocks.
fn render(c: &mut Criterion) {
    let mut group = c.benchmark_group("render 1 s");
    group.throughput(Throughput::Elements(48_000));
    for name in ["toy.lisp", "subtractive.lisp", "stereo-noise.lisp"] {
        let patch = example(name);
        let mut instance = Instance::new(&patch, &Settings::default(), &Limits::default()).unwrap();
        let mut samples = vec![0.0; 48_000 * instance.channels()];
        group.bench_function(name, |b| {
            b.iter(|| instance.process_interleaved(black_box(&mut samples), 64))
        });
    }
    group.finish();
}

criterion_group!(benches, read, compile_examples, render);
criterion_main!(benches);
