//! The output limiter and the clip counter (issue 23, "Safety"): a sine 12 dB over full
//! scale leaves the audio half under the −0.3 dBFS ceiling, and the samples over 0 dBFS
//! before the limiter are counted exactly, whatever the host's buffer size.

use patchvm::engine::{AudioHalf, Controller};
use patchvm::ir::{Patch, PatchBuilder};
use patchvm::vm::live::{DEFAULT_CEILING_DB, Limiter};
use patchvm_tests::live::mono;

const RATE: f64 = 48_000.0;

/// A 1 kHz sine at +12 dB: 48 samples a period, 7.5° apart.
fn loud_sine() -> Patch {
    PatchBuilder::new()
        .node("osc", "osc.sine", &[("freq", 1_000.0)])
        .node("hot", "gain", &[("amp", 10f64.powf(12.0 / 20.0))])
        .node("out", "output", &[])
        .connect(("osc", "out"), ("hot", "in"))
        .connect(("hot", "out"), ("out", "in"))
        .build()
}

fn engine(limited: bool) -> (Controller, AudioHalf) {
    let (mut controller, mut audio) = mono();
    if limited {
        audio.limit(Some(Limiter::new(DEFAULT_CEILING_DB, RATE)));
    }
    controller.load_patch(loud_sine()).unwrap();
    (controller, audio)
}

/// `frames` samples of `audio`, asked for in host buffers of `buffer` frames.
fn play(audio: &mut AudioHalf, frames: usize, buffer: usize) -> Vec<f32> {
    let mut out = vec![0.0; frames];
    for chunk in out.chunks_mut(buffer) {
        audio.process(chunk);
    }
    out
}

#[test]
fn a_sine_12_db_over_never_passes_the_ceiling_and_its_clipped_samples_are_counted() {
    let ceiling = 10f32.powf(-0.3 / 20.0);
    // |3.981·sin θ| > 1 where |sin θ| > 0.2512, θ past 14.55° from a zero crossing: of the
    // 24 samples of each half period (θ = 0°, 7.5°, …, 172.5°) all but 0°, 7.5° and 172.5°,
    // 21; so 42 of each period of 48, 4 200 in 100 periods. The nearest sample (15°,
    // |sin| = 0.2588) is 3% of the boundary away.
    let frames = 4_800;
    let expected_clipped = 4_200;
    let (controller, mut audio) = engine(true);
    let limited = play(&mut audio, frames, 256);
    let peak = limited.iter().fold(0.0_f32, |peak, s| peak.max(s.abs()));
    assert!(peak <= ceiling, "peak {peak} over the ceiling {ceiling}");
    // The gain drops to exactly ceiling / peak on a peak's sample: the ceiling is reached.
    assert!(peak >= ceiling * (1.0 - 1e-6), "peak {peak}");
    assert_eq!(controller.metrics().clipped_samples, expected_clipped);

    // Without the limiter the same samples are counted, and the raw sine peaks at +12 dB.
    let (raw_controller, mut raw_audio) = engine(false);
    let raw = play(&mut raw_audio, frames, 256);
    assert_eq!(raw_controller.metrics().clipped_samples, expected_clipped);
    let raw_peak = raw.iter().fold(0.0_f32, |peak, s| peak.max(s.abs()));
    assert!((raw_peak - 3.981).abs() < 0.01, "{raw_peak}");
    assert_eq!(
        raw.iter().filter(|s| s.abs() > 1.0).count(),
        expected_clipped as usize
    );

    // Per sample: the same bits in host buffers of any size.
    let (_, mut other) = engine(true);
    let odd = play(&mut other, frames, 37);
    let bits = |s: &[f32]| s.iter().map(|s| s.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&odd), bits(&limited));
}

#[test]
fn the_limiter_leaves_a_signal_under_its_ceiling_untouched() {
    let mut limiter = Limiter::new(DEFAULT_CEILING_DB, RATE);
    let quiet: Vec<f32> = (0..480).map(|n| 0.9 * (n as f32 * 0.05).sin()).collect();
    let mut out = quiet.clone();
    limiter.process(&mut out, 1);
    assert_eq!(out, quiet);
}
