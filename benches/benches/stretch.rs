//! Time-stretch and pitch-shift (the `stretch` feature): the cost per channel per second of
//! audio of a live pitch shift (`fx.stretch`'s shifter), of a file read at a stretch and a
//! pitch (what a clip pays), and of a stretched clip played by a `timeline` kernel, each in
//! 64-sample blocks at 48 kHz; and the cost of priming a reader (a seek into a stretched clip,
//! paid in one block).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use patchvm::ir::TextValue;
use patchvm::ir::timelines::{Clip, Timeline};
use patchvm::modules::{KernelInit, PitchShifter, StretchReader, build, catalog};
use patchvm::vm::audio::{AudioData, AudioFiles};
use patchvm::vm::{Kernel, MAX_BLOCK};
use std::f64::consts::TAU;
use std::hint::black_box;
use std::sync::Arc;

/// Blocks per iteration: one second at 48 kHz.
const BLOCKS: usize = 750;
const SR: f64 = 48_000.0;

/// `len` samples of a 330 Hz sine at half level.
fn tone(len: usize) -> Vec<f32> {
    (0..len)
        .map(|n| (0.5 * (TAU * 330.0 * n as f64 / SR).sin()) as f32)
        .collect()
}

fn shifter(c: &mut Criterion) {
    let mut group = c.benchmark_group("stretch per channel per second");
    group.throughput(Throughput::Elements((BLOCKS * MAX_BLOCK) as u64));
    let input = tone(BLOCKS * MAX_BLOCK);
    for semitones in [7.0_f32, -12.0] {
        let mut shifter = PitchShifter::new(SR);
        let shift = [semitones; MAX_BLOCK];
        let mut out = [0.0_f32; MAX_BLOCK];
        group.bench_function(format!("fx.stretch {semitones:+}"), |b| {
            b.iter(|| {
                for block in input.chunks(MAX_BLOCK) {
                    shifter.process(block, &shift, &mut out);
                    black_box(&mut out);
                }
            })
        });
    }
    // A stereo file read at ×2 and +7: one second of output for two channels, counted per
    // channel.
    let file = AudioData::new(SR, vec![tone(4 * SR as usize); 2]).expect("two channels");
    for (stretch, semitones) in [(2.0, 0.0), (0.5, 0.0), (2.0, 7.0)] {
        let mut reader = StretchReader::new(2, SR);
        reader.set_stretch(stretch);
        reader.set_pitch(semitones);
        let (mut left, mut right) = ([0.0_f32; MAX_BLOCK], [0.0_f32; MAX_BLOCK]);
        group.throughput(Throughput::Elements((2 * BLOCKS * MAX_BLOCK) as u64));
        group.bench_function(format!("clip x{stretch} {semitones:+}, 2 channels"), |b| {
            b.iter(|| {
                reader.start(0);
                for _ in 0..BLOCKS {
                    reader.read(&file, &mut [&mut left, &mut right]);
                }
                black_box((&left, &right));
            })
        });
    }
    let mut reader = StretchReader::new(2, SR);
    reader.set_stretch(2.0);
    group.throughput(Throughput::Elements(1));
    group.bench_function("prime a reader at x2, 2 channels", |b| {
        b.iter(|| reader.prime(&file, 48_000.0, 0))
    });
    group.finish();
}

/// A `timeline` kernel playing one looping stereo clip of a 330 Hz tone at `stretch` and
/// `pitch` from beat 0.
fn timeline(stretch: f64, pitch: f64) -> Box<dyn Kernel> {
    let spec = catalog().get("timeline").unwrap();
    let params: Vec<f64> = spec.inputs.iter().map(|input| input.default).collect();
    let texts = [TextValue {
        input: spec.input("name").unwrap(),
        text: "main".to_owned(),
    }];
    let data = Arc::new(AudioData::new(SR, vec![tone(SR as usize); 2]).unwrap());
    let mut audio = AudioFiles::default();
    audio.insert_file("tone.wav", data);
    let mut timeline = Timeline::new("main", 120.0);
    timeline.clips = vec![Clip {
        looping: true,
        stretch,
        pitch,
        ..Clip::new("c", "tone.wav", 0.0)
    }];
    let timelines = [timeline];
    let init = KernelInit {
        texts: &texts,
        audio: &audio,
        timelines: &timelines,
        ..KernelInit::new(&params, SR)
    };
    build(spec, &init).unwrap()
}

fn clips(c: &mut Criterion) {
    let mut group = c.benchmark_group("stretched clip per channel per second");
    // One second of stereo output: two channels, counted per channel.
    group.throughput(Throughput::Elements((2 * BLOCKS * MAX_BLOCK) as u64));
    let play = [1.0_f32; MAX_BLOCK];
    let still = [0.0_f32; MAX_BLOCK];
    for (stretch, pitch) in [(2.0, 0.0), (1.0, 7.0), (0.5, -12.0)] {
        let mut kernel = timeline(stretch, pitch);
        let (mut left, mut right) = ([0.0_f32; MAX_BLOCK], [0.0_f32; MAX_BLOCK]);
        group.bench_function(format!("timeline clip x{stretch} {pitch:+}"), |b| {
            b.iter(|| {
                for _ in 0..BLOCKS {
                    let mut outputs = [&mut left[..], &mut right[..]];
                    kernel.process(&[&play, &still, &still], &mut outputs);
                }
                black_box(left[0])
            })
        });
    }
    group.finish();
}

criterion_group!(benches, shifter, clips);
criterion_main!(benches);
