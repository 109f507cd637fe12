//! `fx.stretch` and the stretch reader the clips call, measured from samples.

use super::super::test_support::{Chunks, Run, SR, constant, frequency, kernel, sine_wave};
use crate::dsp::stretch::{CHUNK, PitchShifter, StretchReader};
use assert_no_alloc::assert_no_alloc;
use patchvm_vm::MAX_BLOCK;
use patchvm_vm::audio::AudioData;

/// The distance from `measured` to `expected`, in cents.
fn cents(measured: f64, expected: f64) -> f64 {
    1200.0 * (measured / expected).log2()
}

/// Three seconds of a 330 Hz sine shifted by `semitones` through `fx.stretch`, in random
/// blocks; the frequency of its last second and a half.
fn shifted(semitones: f64) -> f64 {
    let len = 3 * SR as usize;
    let (input, shift) = (sine_wave(330.0, len), constant(semitones as f32, len));
    let inputs: [&[f32]; 2] = [&input, &shift];
    let mut shifter = kernel("fx.stretch", &[("semitones", semitones)]);
    let out = Run::new(&inputs, len)
        .chunks(Chunks::Random(3))
        .on(shifter.as_mut());
    frequency(&out[len / 2..])
}

#[test]
fn up_seven_semitones_is_a_fifth_within_two_cents() {
    let expected = 330.0 * 2f64.powf(7.0 / 12.0);
    let measured = shifted(7.0);
    assert!(
        cents(measured, expected).abs() < 2.0,
        "{measured} Hz, expected {expected} Hz"
    );
}

#[test]
fn down_twelve_semitones_is_an_octave_within_two_cents() {
    let measured = shifted(-12.0);
    assert!(
        cents(measured, 165.0).abs() < 2.0,
        "{measured} Hz, expected 165 Hz"
    );
}

/// The latency the doc states: a tone starting at sample 2,000 comes out at half its level
/// within one interval between spectra (1,024 samples) of 2,000 + the stated latency.
#[test]
fn the_stated_latency_is_where_a_tone_comes_out() {
    let mut shifter = PitchShifter::new(SR);
    assert_eq!(shifter.latency(), 16_384 + CHUNK);
    let len = 30_000;
    let input: Vec<f32> = (0..len)
        .map(|n| {
            if n < 2_000 {
                0.0
            } else {
                (TAU_F * 440.0 * n as f32 / SR as f32).sin()
            }
        })
        .collect();
    let mut out = vec![0.0; len];
    shifter.process(&input, &constant(0.0, len), &mut out);
    let onset = out
        .iter()
        .position(|v| v.abs() > 0.5)
        .expect("the tone comes out");
    let expected = 2_000 + shifter.latency();
    assert!(
        onset.abs_diff(expected) <= 1_024,
        "onset at {onset}, stated {expected}"
    );
}

const TAU_F: f32 = std::f32::consts::TAU;

/// One second of a 440 Hz sine at 0.5, then silence: a file whose length and pitch a stretch
/// must keep in proportion.
fn tone_file() -> AudioData {
    let mut samples = sine_wave(440.0, SR as usize);
    samples.iter_mut().for_each(|x| *x *= 0.5);
    AudioData::new(SR, vec![samples]).expect("one channel")
}

/// The file read at `stretch` from frame 0, in blocks of 64, for `len` frames.
fn read(stretch: f64, semitones: f64, len: usize) -> Vec<f32> {
    let file = tone_file();
    let mut reader = StretchReader::new(1, SR);
    reader.set_stretch(stretch);
    reader.set_pitch(semitones);
    reader.start(0);
    let mut out = vec![0.0; len];
    for block in out.chunks_mut(MAX_BLOCK) {
        reader.read(&file, &mut [block]);
    }
    out
}

/// From the first to the last output sample above half the tone's level: the sounding length.
fn sounding(out: &[f32]) -> usize {
    let first = out.iter().position(|v| v.abs() > 0.25).expect("a tone");
    let last = out.iter().rposition(|v| v.abs() > 0.25).expect("a tone");
    last - first
}

#[test]
fn a_stretch_keeps_the_pitch_and_scales_the_length() {
    for stretch in [2.0, 0.5] {
        let out = read(stretch, 0.0, 4 * SR as usize);
        let length = sounding(&out) as f64;
        let expected = SR * stretch;
        assert!(
            (length / expected - 1.0).abs() < 0.01,
            "stretch {stretch}: {length} frames, expected {expected}"
        );
        let first = out.iter().position(|v| v.abs() > 0.25).expect("a tone");
        let middle = &out[first + (expected * 0.25) as usize..first + (expected * 0.75) as usize];
        let measured = frequency(middle);
        assert!(
            cents(measured, 440.0).abs() < 2.0,
            "stretch {stretch}: {measured} Hz"
        );
    }
}

/// At stretch 1 the file's first frame comes out at half its level within one interval between
/// spectra (1,024 frames) of the stated latency.
#[test]
fn a_file_comes_out_after_the_stated_latency() {
    let out = read(1.0, 0.0, 40_000);
    let onset = out.iter().position(|v| v.abs() > 0.25).expect("a tone");
    let latency = StretchReader::new(1, SR).latency();
    assert_eq!(latency, 16_384);
    assert!(
        onset.abs_diff(latency) <= 1_024,
        "onset at {onset}, stated {latency}"
    );
}

#[test]
fn a_stretch_and_a_pitch_together() {
    let out = read(2.0, 7.0, 4 * SR as usize);
    let first = out.iter().position(|v| v.abs() > 0.25).expect("a tone");
    let measured = frequency(&out[first + 24_000..first + 72_000]);
    let expected = 440.0 * 2f64.powf(7.0 / 12.0);
    assert!(
        cents(measured, expected).abs() < 2.0,
        "{measured} Hz, expected {expected}"
    );
}

/// Stretch and pitch change at every block while playing, and a restart at another frame: none
/// of it allocates. The library is C++, whose allocations the counting allocator cannot see:
/// under RealtimeSanitizer (`--cfg rtsan`, in `.ci/run`) the loop runs as real-time code, where
/// any `malloc`, `free` or lock, from Rust or C++, aborts the test.
#[test]
fn changing_stretch_and_pitch_while_playing_does_not_allocate() {
    let file = tone_file();
    let mut reader = StretchReader::new(2, SR);
    let mut shifter = PitchShifter::new(SR);
    let (mut left, mut right) = ([0.0_f32; MAX_BLOCK], [0.0_f32; MAX_BLOCK]);
    let input = sine_wave(330.0, MAX_BLOCK);
    assert_no_alloc(|| {
        patchvm_rtcheck::realtime(|| {
            play(
                &file,
                &mut reader,
                &mut shifter,
                &input,
                [&mut left, &mut right],
            )
        });
    });
    assert!(left.iter().chain(&right).all(|x| x.is_finite()));
}

/// 400 blocks of the reader and the shifter, their stretch and pitch changing every block, the
/// reader restarted half way.
fn play(
    file: &AudioData,
    reader: &mut StretchReader,
    shifter: &mut PitchShifter,
    input: &[f32],
    [left, right]: [&mut [f32; MAX_BLOCK]; 2],
) {
    reader.start(1_000);
    for step in 0..400 {
        let step = f64::from(step);
        reader.set_stretch(0.25 + (step * 0.37) % 3.75);
        reader.set_pitch((step * 1.7) % 48.0 - 24.0);
        reader.read(file, &mut [&mut left[..], &mut right[..]]);
        let shift = [((step * 2.3) % 48.0 - 24.0) as f32; MAX_BLOCK];
        shifter.process(input, &shift, &mut left[..]);
        if step == 200.0 {
            reader.start(30_000);
        }
    }
}
