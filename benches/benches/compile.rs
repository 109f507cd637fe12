//! Compile time by patch size (10 to 10 000 nodes): the whole of what
//! `Controller::load_text` does before the audio half takes the program (read, validate,
//! compile, build kernels, verify, diff against the program playing, publish), and each
//! stage alone. And how fast hostile input is refused: 200 000 nested brackets (or
//! MessagePack arrays) stop at the depth limit in time linear in what was read; and a 1 MB
//! patch read at nesting depths 1 to 1 000 in each format, which takes the same time at every
//! depth when the readers are linear.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use patchvm::compiler::{CompileOptions, compile_graph};
use patchvm::engine::{Engine, EngineSettings};
use patchvm::ir::graph::order;
use patchvm::ir::{Format, Limits, validate};
use patchvm::modules::{KernelInit, build, catalog};
use patchvm::vm::verify;
use patchvm_benches::{SIZES, Shape, synth};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn stages(c: &mut Criterion) {
    let limits = Limits::default();
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    for nodes in SIZES {
        let text = Format::Sexpr.write(&synth(nodes, Shape::default()));
        let patch = Format::Sexpr.read(&text, &limits).unwrap();
        let graph = validate(&patch, catalog(), &limits).unwrap();
        let options = CompileOptions::default();
        let compiled = compile_graph(&patch, &graph, catalog(), &options).unwrap();
        let kernels = || -> Vec<_> {
            compiled
                .kernels
                .iter()
                .filter_map(|node| build(node.spec, &KernelInit::new(&node.values, 48_000.0)))
                .collect()
        };
        let built = kernels();

        group.bench_function(BenchmarkId::new("read", nodes), |b| {
            b.iter(|| Format::Sexpr.read(black_box(&text), &limits).unwrap())
        });
        group.bench_function(BenchmarkId::new("validate (with order)", nodes), |b| {
            b.iter(|| validate(black_box(&patch), catalog(), &limits).unwrap())
        });
        group.bench_function(BenchmarkId::new("order", nodes), |b| {
            b.iter_batched_ref(
                || graph.edges.clone(),
                |edges| order(black_box(&graph.nodes), edges).unwrap(),
                criterion::BatchSize::LargeInput,
            )
        });
        group.bench_function(BenchmarkId::new("lower", nodes), |b| {
            b.iter(|| compile_graph(&patch, black_box(&graph), catalog(), &options).unwrap())
        });
        group.bench_function(BenchmarkId::new("kernel build", nodes), |b| b.iter(kernels));
        group.bench_function(BenchmarkId::new("verify", nodes), |b| {
            b.iter(|| verify(black_box(&compiled.program), &built).unwrap())
        });
        group.bench_function(BenchmarkId::new("load_text", nodes), |b| {
            let (mut controller, mut audio) = Engine::new(
                EngineSettings {
                    channels: 1,
                    ..EngineSettings::default()
                },
                limits.clone(),
            );
            let mut buffer = [0.0_f32; 64];
            // Each load replaces the same patch, as a save of an unchanged file does; the
            // audio half takes it between loads (untimed), so the queue never fills.
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    black_box(controller.load_text(black_box(&text), Format::Sexpr)).unwrap();
                    total += start.elapsed();
                    audio.process(&mut buffer);
                    controller.maintain();
                }
                total
            })
        });
    }
    group.finish();
}

fn nesting(c: &mut Criterion) {
    let mut group = c.benchmark_group("refused: 200 000 nested");
    let limits = Limits::default();
    let mut msgpack = vec![0x91u8; 200_000];
    msgpack.push(0xc0);
    for (name, format, bytes) in [
        (
            "s-expression",
            Format::Sexpr,
            "(".repeat(200_000).into_bytes(),
        ),
        (
            "JSON arrays",
            Format::Json,
            "[".repeat(200_000).into_bytes(),
        ),
        (
            "JSON objects",
            Format::Json,
            "{\"a\":".repeat(200_000).into_bytes(),
        ),
        ("MessagePack arrays", Format::MessagePack, msgpack),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| black_box(format.read(black_box(&bytes), &limits)).unwrap_err());
        });
    }
    group.finish();
}

/// A patch of about 1 MB whose one parameter is a list nested `depth` deep around 500 000
/// numbers, in `format`.
fn deep_patch(format: Format, depth: usize) -> Vec<u8> {
    let numbers = vec!["1"; 500_000];
    let (open, close, separator) = match format {
        Format::Sexpr => ("(", ")", " "),
        _ => ("[", "]", ","),
    };
    let value = format!(
        "{}{}{}",
        open.repeat(depth),
        numbers.join(separator),
        close.repeat(depth)
    );
    let json = format!(
        r#"{{"nodes": {{"a": {{"type": "gain", "params": {{"v": {value}}}}}}}, "connections": []}}"#
    );
    let sexpr = format!(r#"(patch (nodes (a (type "gain") (v {value}))) (connections))"#);
    match format {
        Format::Sexpr => sexpr.into_bytes(),
        Format::Json => json.into_bytes(),
        Format::MessagePack => {
            let limits = deep_limits();
            let patch = Format::Json.read(json.as_bytes(), &limits).unwrap();
            Format::MessagePack.write(&patch)
        }
    }
}

fn deep_limits() -> Limits {
    Limits {
        max_depth: Limits::MAX_NESTING,
        ..Limits::default()
    }
}

fn depth(c: &mut Criterion) {
    let mut group = c.benchmark_group("read 1 MB by depth");
    group.sample_size(10);
    let limits = deep_limits();
    for format in Format::ALL {
        for depth in [1, 10, 100, 1_000] {
            let bytes = deep_patch(format, depth);
            let id = BenchmarkId::new(format!("{format:?}"), depth);
            group.bench_with_input(id, &bytes, |b, bytes| {
                b.iter(|| black_box(format.read(black_box(bytes), &limits)).unwrap());
            });
        }
    }
    group.finish();
}

criterion_group!(benches, stages, nesting, depth);
criterion_main!(benches);
