//! Time-stretch and pitch-shift (the `stretch` feature): the cost per channel per second of
//! audio of a live pitch shift (`fx.stretch`'s shifter) and of a file read at a stretch and a
//! pitch (what a clip pays), each in 64-sample blocks at 48 kHz.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use patchvm::modules::{PitchShifter, StretchReader};
use patchvm::vm::MAX_BLOCK;
use patchvm::vm::audio::AudioData;
use std::f64::consts::TAU;
use std::hint::black_box;

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
    group.finish();
}

criterion_group!(benches, shifter);
criterion_main!(benches);
