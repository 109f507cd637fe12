//! Times each stage of turning patch text into a verified program, for generated patches of
//! 10 to 10 000 nodes, and the whole of it as the live controller does it
//! (`Controller::load_text`: read, validate, compile, build kernels, verify, publish): `load`
//! into an empty engine, `reload` of the patch playing, `edit` of it with a node more (a
//! structural change, so its transition program is compiled and built too).
//!
//!     cargo run --release -p patchvm-benches --example compile_stages            # the table
//!     cargo run --release -p patchvm-benches --example compile_stages -- load 1000 1
//!
//! Each figure is the shortest of several runs. With arguments `STAGE NODES RUNS` it runs one
//! stage only, for profiling under `valgrind --tool=callgrind --toggle-collect='*clocked*'`.

use patchvm::compiler::compile;
use patchvm::engine::{Engine, EngineSettings};
use patchvm::ir::{Format, Limits, validate};
use patchvm::modules::{KernelInit, build, catalog};
use patchvm::vm::verify;
use patchvm_benches::{SIZES, Shape, synth};
use std::hint::black_box;
use std::time::{Duration, Instant};

const STAGES: [&str; 8] = [
    "read", "validate", "compile", "kernels", "verify", "load", "reload", "edit",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [stage, nodes, runs] = args.as_slice() {
        let nodes = nodes.parse().expect("NODES is a number");
        let runs = runs.parse().expect("RUNS is a number");
        let time = stage_time(stage, nodes, runs);
        println!("{stage} {nodes} nodes: {:.3} ms", time.as_secs_f64() * 1e3);
        return;
    }
    print!("| nodes |");
    for stage in STAGES {
        print!(" {stage} ms |");
    }
    println!("\n|---:|{}", "---:|".repeat(STAGES.len()));
    for nodes in SIZES {
        let runs = (20_000 / nodes).clamp(5, 200);
        print!("| {nodes} |");
        for stage in STAGES {
            print!(
                " {:.3} |",
                stage_time(stage, nodes, runs).as_secs_f64() * 1e3
            );
        }
        println!();
    }
}

/// The shortest time of `runs` runs of `stage` on a patch of `nodes` nodes (the least
/// disturbed by other work on the machine); each stage starts from the previous stage's
/// result, made outside the timing.
fn stage_time(stage: &str, nodes: usize, runs: usize) -> Duration {
    let limits = Limits::default();
    let patch = synth(nodes, Shape::default());
    let text = Format::Sexpr.write(&patch);
    let patch = Format::Sexpr
        .read(&text, &limits)
        .expect("the generated patch reads");
    let compiled = compile(&patch, catalog(), &limits).expect("the generated patch compiles");
    let times: Vec<Duration> = (0..runs.max(1))
        .map(|_| match stage {
            "read" => timed(|| Format::Sexpr.read(black_box(&text), &limits)),
            "validate" => timed(|| validate(black_box(&patch), catalog(), &limits)),
            "compile" => timed(|| compile(black_box(&patch), catalog(), &limits)),
            "kernels" => timed(|| {
                compiled
                    .kernels
                    .iter()
                    .map(|node| build(node.spec, &KernelInit::new(&node.values, 48_000.0)))
                    .collect::<Vec<_>>()
            }),
            "verify" => {
                let kernels: Vec<_> = compiled
                    .kernels
                    .iter()
                    .filter_map(|node| build(node.spec, &KernelInit::new(&node.values, 48_000.0)))
                    .collect();
                timed(|| verify(black_box(&compiled.program), &kernels))
            }
            "load" | "reload" | "edit" => {
                let settings = EngineSettings {
                    channels: 1,
                    ..EngineSettings::default()
                };
                let (mut controller, mut audio) = Engine::new(settings, limits.clone());
                if stage != "load" {
                    controller
                        .load_text(&text, Format::Sexpr)
                        .expect("the generated patch loads");
                    audio.process(&mut [0.0; 64]);
                    controller.maintain();
                }
                // An edit adds a node: a structural change, built with its transition.
                let edited = Format::Sexpr.write(&synth(
                    nodes,
                    Shape {
                        marker: true,
                        ..Shape::default()
                    },
                ));
                let next = if stage == "edit" { &edited } else { &text };
                let time = timed(|| controller.load_text(black_box(next), Format::Sexpr));
                audio.process(&mut [0.0; 64]);
                controller.maintain();
                time
            }
            other => panic!("unknown stage `{other}`; one of {STAGES:?}"),
        })
        .collect();
    times.into_iter().min().expect("at least one run")
}

/// How long `work` takes; its result is dropped after the clock stops, outside this function
/// (so that a profiler counting inside `timed` sees the work alone).
fn timed<T>(work: impl FnOnce() -> T) -> Duration {
    let (time, result) = clocked(work);
    drop(result);
    time
}

#[inline(never)]
fn clocked<T>(work: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let result = black_box(work());
    (start.elapsed(), result)
}
