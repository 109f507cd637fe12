//! A `timeline` kernel playing N clips at once (each a second of stereo audio, looping, on
//! one timeline at 120 BPM), the kernel as the VM calls it in 64-sample blocks: the cost per
//! second of audio for 1, 16 and 128 clips sounding together; and a timeline of 100 short
//! clips a second, one after another, each with a follow action deciding ahead of its end
//! whether to start another timeline.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use patchvm::ir::TextValue;
use patchvm::ir::timelines::{Clip, Follow, FollowAction, Timeline};
use patchvm::modules::{KernelInit, build, catalog};
use patchvm::vm::audio::{AudioData, AudioFiles};
use patchvm::vm::{Kernel, MAX_BLOCK};
use std::hint::black_box;
use std::sync::Arc;

/// Blocks per iteration: one second at 48 kHz.
const BLOCKS: usize = 48_000 / MAX_BLOCK;

/// A `timeline` kernel playing `clips` looping clips of one shared file.
fn kernel(clips: usize) -> Box<dyn Kernel> {
    build_timeline(
        (0..clips)
            .map(|at| Clip {
                looping: true,
                gain: -12.0,
                pan: at as f64 / clips as f64 * 2.0 - 1.0,
                ..Clip::new(&format!("c{at}"), "tone.wav", 0.0)
            })
            .collect(),
    )
}

/// A `timeline` kernel playing a second of 100 clips of 10 ms one after another (a beat is
/// 0.5 s: 0.02 beats apart), each choosing to go on or to start timeline `other`.
fn sequence() -> Box<dyn Kernel> {
    build_timeline(
        (0..100)
            .map(|at| Clip {
                length: Some(0.01),
                follow: FollowAction {
                    choices: vec![
                        (1_000.0, Follow::Next),
                        (1.0, Follow::Timeline(patchvm::ir::Name::new("other"))),
                    ],
                },
                ..Clip::new(&format!("c{at}"), "tone.wav", at as f64 * 0.02)
            })
            .collect(),
    )
}

/// A `timeline` kernel playing timeline `main` of `clips` (beside an empty `other`).
fn build_timeline(clips: Vec<Clip>) -> Box<dyn Kernel> {
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
    timeline.clips = clips;
    let timelines = [timeline, Timeline::new("other", 120.0)];
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
    let mut outputs = [[0.0_f32; MAX_BLOCK]; 10];
    for count in [1, 16, 128] {
        let mut kernel = kernel(count);
        group.bench_function(BenchmarkId::new("clips", count), |b| {
            b.iter(|| {
                for _ in 0..BLOCKS {
                    let mut outputs = outputs.each_mut().map(|output| &mut output[..]);
                    kernel.process(&[&play, &still, &still], &mut outputs);
                }
                black_box(outputs[0][0])
            });
        });
    }
    // Each iteration seeks back to beat 0 (a change of `jump`) and plays the second, played
    // again after a one-sample stop in case a follow action stopped it.
    let mut kernel = sequence();
    let mut jump = 0.0_f32;
    let mut replay = [1.0_f32; MAX_BLOCK];
    replay[0] = 0.0;
    group.bench_function("sequence/100 clips per second", |b| {
        b.iter(|| {
            jump += 1.0;
            let jumps = [jump; MAX_BLOCK];
            for block in 0..BLOCKS {
                let mut outputs = outputs.each_mut().map(|output| &mut output[..]);
                let play = if block == 0 { &replay } else { &play };
                kernel.feed(&still);
                kernel.process(&[play, &jumps, &still], &mut outputs);
                kernel.clip_events(0, &mut |event| {
                    black_box(event);
                });
            }
            black_box(outputs[0][0])
        });
    });
    group.finish();
}

criterion_group!(benches, clips);
criterion_main!(benches);
