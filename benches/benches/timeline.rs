//! A `timeline` kernel playing N clips at once (each a second of stereo audio, looping, on
//! one timeline at 120 BPM), the kernel as the VM calls it in 64-sample blocks: the cost per
//! second of audio for 1, 16 and 128 clips sounding together.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use patchvm::ir::TextValue;
use patchvm::ir::timelines::{Clip, Timeline};
use patchvm::modules::{KernelInit, build, catalog};
use patchvm::vm::audio::{AudioData, AudioFiles};
use patchvm::vm::{Kernel, MAX_BLOCK};
use std::hint::black_box;
use std::sync::Arc;

/// Blocks per iteration: one second at 48 kHz.
const BLOCKS: usize = 48_000 / MAX_BLOCK;

/// A `timeline` kernel playing `clips` looping clips of one shared file.
fn kernel(clips: usize) -> Box<dyn Kernel> {
    let spec = catalog().get("timeline").unwrap();
    let params: Vec<f64> = spec.inputs.iter().map(|input| input.default).collect();
    let texts = [TextValue {
        input: spec.input("name").unwrap(),
        text: "main".to_owned(),
    }];
    let tone: Vec<f32> = (0..48_000).map(|k| (k as f32 * 0.05).sin()).collect();
    let data = Arc::new(AudioData::new(48_000.0, vec![tone.clone(), tone]).unwrap());
    let mut audio = AudioFiles::default();
    audio.insert_file("tone.wav", data);
    let mut timeline = Timeline::new("main", 120.0);
    timeline.clips = (0..clips)
        .map(|at| Clip {
            looping: true,
            gain: -12.0,
            pan: at as f64 / clips as f64 * 2.0 - 1.0,
            ..Clip::new(&format!("c{at}"), "tone.wav", 0.0)
        })
        .collect();
    let timelines = [timeline];
    let init = KernelInit {
        texts: &texts,
        audio: &audio,
        timelines: &timelines,
        ..KernelInit::new(&params, 48_000.0)
    };
    build(spec, &init).unwrap()
}

fn clips(c: &mut Criterion) {
    let mut group = c.benchmark_group("timeline");
    group.throughput(Throughput::Elements((BLOCKS * MAX_BLOCK) as u64));
    let play = [1.0_f32; MAX_BLOCK];
    let still = [0.0_f32; MAX_BLOCK];
    for count in [1, 16, 128] {
        let mut kernel = kernel(count);
        let mut left = [0.0_f32; MAX_BLOCK];
        let mut right = [0.0_f32; MAX_BLOCK];
        group.bench_function(BenchmarkId::new("clips", count), |b| {
            b.iter(|| {
                for _ in 0..BLOCKS {
                    let mut outputs = [&mut left[..], &mut right[..]];
                    kernel.process(&[&play, &still, &still], &mut outputs);
                }
                black_box(left[0])
            });
        });
    }
    group.finish();
}

criterion_group!(benches, clips);
criterion_main!(benches);
