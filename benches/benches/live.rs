//! The live engine's audio half: what a swap costs the `process` call that takes the new
//! program, by patch size, with and without a long delay line; and event throughput.
//!
//! Compile time, the control side of a swap, is in `compile.rs`.

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use patchvm::engine::{At, AudioHalf, Controller, Engine, EngineSettings};
use patchvm::ir::{Limits, PatchBuilder};
use patchvm_benches::{SIZES, Shape, synth};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// What the controller publishes before the timed call.
#[derive(Clone, Copy)]
enum Change {
    /// Nothing: the call takes no program (the baseline).
    None,
    /// The same patch with one oscillator's frequency moved: a value only, no crossfade.
    Values,
    /// A node more or less: a structural change, so the call plays the transition program
    /// (both graphs joined by fades) for its block.
    Structure,
}

impl Change {
    fn name(self) -> &'static str {
        match self {
            Change::None => "no swap",
            Change::Values => "swap, one value changed",
            Change::Structure => "swap, a node added or removed",
        }
    }
}

fn mono() -> (Controller, AudioHalf) {
    Engine::new(
        EngineSettings {
            channels: 1,
            ..EngineSettings::default()
        },
        Limits::default(),
    )
}

/// The time of the 64-frame `process` call that takes a program, against one that takes
/// none; each load is built (untimed) on the control side first, and the transition of a
/// structural change ends and its programs go back before the next.
fn swap(c: &mut Criterion) {
    let mut group = c.benchmark_group("swap: the audio call");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for delay_seconds in [None, Some(10.0)] {
        for nodes in SIZES {
            let (mut controller, mut audio) = mono();
            let mut shape = Shape {
                delay_seconds,
                ..Shape::default()
            };
            controller.load_patch(synth(nodes, shape)).unwrap();
            let mut buffer = [0.0_f32; 64];
            audio.process(&mut buffer);
            audio.process(&mut buffer);
            controller.take_reports();
            let label = match delay_seconds {
                None => format!("{nodes} nodes"),
                Some(seconds) => format!("{nodes} nodes, {seconds} s delay"),
            };
            for change in [Change::None, Change::Values, Change::Structure] {
                group.bench_function(BenchmarkId::new(change.name(), &label), |b| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            total +=
                                swap_once(&mut controller, &mut audio, nodes, &mut shape, change)
                                    .call;
                        }
                        total
                    })
                });
            }
            // The take-over alone, timed by the audio half around it (the reports carry it).
            for change in [Change::Values, Change::Structure] {
                let name = format!("{}: take-over only", change.name());
                group.bench_function(BenchmarkId::new(name, &label), |b| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            total +=
                                swap_once(&mut controller, &mut audio, nodes, &mut shape, change)
                                    .takeover;
                        }
                        total
                    })
                });
            }
        }
    }
    group.finish();
}

/// What one swap cost the audio half.
struct Cost {
    /// The whole `process` call that took the program.
    call: Duration,
    /// The take-over inside it, by the audio half's clock.
    takeover: Duration,
}

/// Publishes `change` (built untimed), times the 64-frame call that takes it, and lets a
/// transition end and the retired programs go back before returning; the take-over time is
/// both take-overs of a structural change (the transition's and the program's after it).
fn swap_once(
    controller: &mut Controller,
    audio: &mut AudioHalf,
    nodes: usize,
    shape: &mut Shape,
    change: Change,
) -> Cost {
    let mut buffer = [0.0_f32; 64];
    match change {
        Change::None => {}
        Change::Values => shape.retune = 0.5 - shape.retune,
        Change::Structure => shape.marker = !shape.marker,
    }
    if !matches!(change, Change::None) {
        controller.load_patch(synth(nodes, *shape)).unwrap();
    }
    controller.maintain();
    let start = Instant::now();
    audio.process(black_box(&mut buffer));
    let call = start.elapsed();
    audio.process(&mut buffer);
    let takeover = controller
        .take_reports()
        .iter()
        .filter_map(|report| report.takeover_ns)
        .map(Duration::from_nanos)
        .sum();
    Cost { call, takeover }
}

/// Events sent by the controller and applied by the audio half at their exact samples:
/// `per_block` sets spread over each 64-sample block.
fn events(c: &mut Criterion) {
    let (mut controller, mut audio) = mono();
    let patch = PatchBuilder::new()
        .node("osc1", "osc.sine", &[("freq", 440.0)])
        .node("out", "output", &[])
        .connect(("osc1", "out"), ("out", "in"))
        .build();
    controller.load_patch(patch).unwrap();
    let mut buffer = vec![0.0_f32; 64];
    audio.process(&mut buffer);
    let mut group = c.benchmark_group("events sent and applied");
    for per_block in [1_u64, 16, 64, 256] {
        group.throughput(Throughput::Elements(per_block));
        group.bench_function(BenchmarkId::new("per 64-sample block", per_block), |b| {
            b.iter(|| {
                let now = controller.time();
                for n in 0..per_block {
                    let at = At::Sample(now + n * 64 / per_block);
                    controller
                        .set_param("osc1", "freq", 440.0 + n as f32, at)
                        .unwrap();
                }
                audio.process(black_box(&mut buffer));
            })
        });
    }
    group.finish();
}

criterion_group!(benches, swap, events);
criterion_main!(benches);
