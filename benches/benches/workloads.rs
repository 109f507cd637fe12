//! Offline render of the four bench-peers workloads (w1 a sine into a gain, w2 64 saws through
//! low-passes, w3 512 sines, w4 a saw through a low-pass, a delay and a reverb): one
//! second of audio each, in 64-frame blocks, through `Instance` (what `patchvm render` runs).
//!
//! The patches are `benches/peers/w1..w4.lisp` when they are there, as `benches/peers/run`
//! renders them beside the peers; otherwise the same workloads built here.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use patchvm::ir::{Format, Limits, Patch, PatchBuilder};
use patchvm::{Instance, Settings};
use std::hint::black_box;
use std::path::Path;

/// Voice `i`'s frequency in w2 and w3: 55·(1 + 0.07 i) Hz.
fn voice_freq(i: usize) -> f64 {
    55.0 * (1.0 + i as f64 * 0.07)
}

/// The workload `name` as the bench-peers README describes it.
fn built(name: &str) -> Patch {
    let mut builder = PatchBuilder::new().node("out", "output", &[]);
    match name {
        "w1" => {
            builder = builder
                .node("osc", "osc.sine", &[("freq", 440.0)])
                .node("level", "gain", &[("amp", 0.5)])
                .connect(("osc", "out"), ("level", "in"))
                .connect(("level", "out"), ("out", "in"));
        }
        "w2" => {
            for i in 0..64 {
                let (saw, lp, level) = (format!("saw{i}"), format!("lp{i}"), format!("level{i}"));
                builder = builder
                    .node(&saw, "osc.saw", &[("freq", voice_freq(i))])
                    .node(&lp, "filter.lowpass", &[("cutoff", 1_200.0), ("q", 2.0)])
                    .node(&level, "gain", &[("amp", 1.0 / 64.0)])
                    .connect((&saw, "out"), (&lp, "in"))
                    .connect((&lp, "out"), (&level, "in"))
                    .connect((&level, "out"), ("out", "in"));
            }
        }
        "w3" => {
            builder = builder
                .node("level", "gain", &[("amp", 1.0 / 512.0)])
                .connect(("level", "out"), ("out", "in"));
            for i in 0..512 {
                let sine = format!("sine{i}");
                builder = builder
                    .node(&sine, "osc.sine", &[("freq", voice_freq(i))])
                    .connect((&sine, "out"), ("level", "in"));
            }
        }
        _ => {
            builder = builder
                .node("saw", "osc.saw", &[("freq", 110.0)])
                .node("lp", "filter.lowpass", &[("cutoff", 1_200.0), ("q", 2.0)])
                .node(
                    "echo",
                    "delay.feedback",
                    &[("time", 0.3), ("feedback", 0.5), ("mix", 1.0)],
                )
                .node(
                    "verb",
                    "reverb.mono",
                    &[("room_size", 0.5), ("damping", 0.5), ("mix", 0.33)],
                )
                .node("level", "gain", &[("amp", 0.25)])
                .connect(("saw", "out"), ("lp", "in"))
                .connect(("lp", "out"), ("echo", "in"))
                .connect(("echo", "out"), ("verb", "in"))
                .connect(("verb", "out"), ("level", "in"))
                .connect(("level", "out"), ("out", "in"));
        }
    }
    builder.build()
}

fn workloads(c: &mut Criterion) {
    let peers = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers");
    let mut group = c.benchmark_group("workload, 1 s");
    group.sample_size(20);
    group.throughput(Throughput::Elements(48_000));
    for name in ["w1", "w2", "w3", "w4"] {
        let patch = match std::fs::read(peers.join(format!("{name}.lisp"))) {
            Ok(text) => Format::Sexpr.read(&text, &Limits::default()).unwrap(),
            Err(_) => built(name),
        };
        let mut instance = Instance::new(&patch, &Settings::default(), &Limits::default()).unwrap();
        let mut samples = vec![0.0_f32; 48_000 * instance.channels()];
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| instance.process_interleaved(black_box(&mut samples), 64))
        });
    }
    group.finish();
}

criterion_group!(benches, workloads);
criterion_main!(benches);
