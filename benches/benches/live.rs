//! The live engine: compiling a 1 000-node patch, the cost of a swap, event throughput.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use patchvm::compiler::compile;
use patchvm::engine::{At, Engine, EngineSettings};
use patchvm::ir::{Limits, Patch, PatchBuilder};
use patchvm::modules::catalog;
use std::hint::black_box;

/// 1 000 nodes: 333 voices of saw → low-pass → gain, mixed into one output.
fn big_patch(detune: f64) -> Patch {
    let mut builder = PatchBuilder::new().node("out", "output", &[]);
    for voice in 0..333 {
        let (osc, lp, amp) = (
            format!("osc{voice}"),
            format!("lp{voice}"),
            format!("amp{voice}"),
        );
        builder = builder
            .node(&osc, "osc.saw", &[("freq", 55.0 + voice as f64 + detune)])
            .node(&lp, "filter.lowpass", &[("cutoff", 2_000.0)])
            .node(&amp, "gain", &[("amp", 0.003)])
            .connect((&osc, "out"), (&lp, "in"))
            .connect((&lp, "out"), (&amp, "in"))
            .connect((&amp, "out"), ("out", "in"));
    }
    builder.build()
}

fn compile_1000_nodes(c: &mut Criterion) {
    let patch = big_patch(0.0);
    assert!(patch.nodes.len() >= 1_000);
    c.bench_function("compile 1 000-node patch", |b| {
        b.iter(|| compile(black_box(&patch), catalog(), &Limits::default()).unwrap())
    });
}

/// The control side (compile, build kernels, diff, publish) and the audio side (the block
/// that takes the program and copies the state of 1 000 nodes) of one reload.
fn swap(c: &mut Criterion) {
    let settings = EngineSettings {
        channels: 1,
        ..EngineSettings::default()
    };
    let (mut controller, mut audio) = Engine::new(settings, Limits::default());
    let mut buffer = vec![0.0_f32; 64];
    controller.load_patch(big_patch(0.0)).unwrap();
    audio.process(&mut buffer);
    let mut detune = 0.0;
    c.bench_function("swap 1 000-node patch: control side", |b| {
        b.iter(|| {
            detune += 0.001;
            controller.load_patch(big_patch(detune)).unwrap();
            audio.process(&mut buffer);
        })
    });
    c.bench_function("swap 1 000-node patch: audio block taking it", |b| {
        b.iter_batched(
            || {
                detune += 0.001;
                controller.load_patch(big_patch(detune)).unwrap();
                controller.maintain();
            },
            |()| audio.process(black_box(&mut buffer)),
            BatchSize::PerIteration,
        )
    });
    c.bench_function("1 000-node patch: audio block, no swap", |b| {
        b.iter(|| audio.process(black_box(&mut buffer)))
    });
}

/// Events sent and applied: 64 sets per 64-sample block, one per sample.
fn events(c: &mut Criterion) {
    let settings = EngineSettings {
        channels: 1,
        ..EngineSettings::default()
    };
    let (mut controller, mut audio) = Engine::new(settings, Limits::default());
    let patch = PatchBuilder::new()
        .node("osc1", "osc.sine", &[("freq", 440.0)])
        .node("out", "output", &[])
        .connect(("osc1", "out"), ("out", "in"))
        .build();
    controller.load_patch(patch).unwrap();
    let mut buffer = vec![0.0_f32; 64];
    audio.process(&mut buffer);
    let mut group = c.benchmark_group("events");
    group.throughput(Throughput::Elements(64));
    group.bench_function("64 per-sample sets, sent and applied", |b| {
        b.iter(|| {
            let now = controller.time();
            for n in 0..64 {
                controller
                    .set_param("osc1", "freq", 440.0 + n as f32, At::Sample(now + n))
                    .unwrap();
            }
            audio.process(black_box(&mut buffer));
        })
    });
    group.finish();
}

criterion_group!(benches, compile_1000_nodes, swap, events);
criterion_main!(benches);
