//! What importing a minute of audio costs: decoding a stereo 16-bit WAV at 44.1 kHz, alone
//! and resampled to 48 kHz (each iteration is one minute of audio).

use criterion::{Criterion, criterion_group, criterion_main};
use patchvm_audio::import;
use std::hint::black_box;

/// A minute of stereo 16-bit WAV at 44.1 kHz: two detuned sines.
fn minute_wav() -> Vec<u8> {
    let rate = 44_100u32;
    let frames = rate as usize * 60;
    let data = (frames * 4) as u32;
    let mut bytes = b"RIFF".to_vec();
    bytes.extend_from_slice(&(36 + data).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt \x10\0\0\0\x01\0\x02\0");
    bytes.extend_from_slice(&rate.to_le_bytes());
    bytes.extend_from_slice(&(rate * 4).to_le_bytes());
    bytes.extend_from_slice(b"\x04\0\x10\0data");
    bytes.extend_from_slice(&data.to_le_bytes());
    for frame in 0..frames {
        let t = frame as f64 / f64::from(rate);
        for hz in [220.0, 221.5] {
            let sample = (0.4 * (std::f64::consts::TAU * hz * t).sin() * 32_767.0) as i16;
            bytes.extend_from_slice(&sample.to_le_bytes());
        }
    }
    bytes
}

fn import_minute(c: &mut Criterion) {
    let wav = minute_wav();
    let mut group = c.benchmark_group("import_minute");
    group.sample_size(10);
    group.bench_function("wav_44100_decode", |b| {
        b.iter(|| import(black_box(wav.clone()), None, 44_100.0, 1 << 30).unwrap())
    });
    group.bench_function("wav_44100_to_48000", |b| {
        b.iter(|| import(black_box(wav.clone()), None, 48_000.0, 1 << 30).unwrap())
    });
    group.finish();
}

criterion_group!(benches, import_minute);
criterion_main!(benches);
