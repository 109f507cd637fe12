//! Faults isolated (issue 23): a node whose output turns infinite is muted on its own — its
//! non-finite samples silenced, its state reset, reported once by node id — while a sine
//! beside it plays the very bits it plays without it, and the node plays again as soon as
//! its output is finite.

use patchvm::engine::{At, AudioHalf, Controller, Engine, EngineSettings};
use patchvm::ir::{Limits, Patch, PatchBuilder};

/// Frames rendered before and after the fault is mended.
const FRAMES: usize = 4_800;

/// A sine on the left; on the right, with `gain`, a 100 Hz sine times `gain` to the 7th
/// power (`math.pow` limits it to ±3.4e38) added to itself: with a gain of 1e6 it overflows
/// to infinity wherever the power passes 1.7e38, wherever |sine| > 0.29.
fn patch(gain: Option<f64>) -> Patch {
    let builder = PatchBuilder::new()
        .node("clean", "osc.sine", &[("freq", 440.0)])
        .node("out", "output", &[])
        .connect(("clean", "out"), ("out", "left"));
    let Some(gain) = gain else {
        return builder.build();
    };
    builder
        .node("lfo", "osc.sine", &[("freq", 100.0)])
        .node("loud", "math.mul", &[("b", gain)])
        .node("big", "math.pow", &[("exponent", 7.0)])
        .node("boom", "math.add", &[])
        .connect(("lfo", "out"), ("loud", "a"))
        .connect(("loud", "out"), ("big", "base"))
        .connect(("big", "out"), ("boom", "a"))
        .connect(("big", "out"), ("boom", "b"))
        .connect(("boom", "out"), ("out", "right"))
        .build()
}

fn stereo() -> (Controller, AudioHalf) {
    Engine::new(EngineSettings::default(), Limits::default())
}

/// `frames` stereo frames of `audio`, split into its left and right channels.
fn play(audio: &mut AudioHalf, frames: usize) -> (Vec<f32>, Vec<f32>) {
    let mut out = vec![0.0; 2 * frames];
    audio.process(&mut out);
    let left = out.iter().step_by(2).copied().collect();
    let right = out.iter().skip(1).step_by(2).copied().collect();
    (left, right)
}

fn bits(samples: &[f32]) -> Vec<u32> {
    samples.iter().map(|s| s.to_bits()).collect()
}

#[test]
fn an_infinite_node_is_muted_alone_reported_by_id_and_recovers() {
    let (mut controller, mut audio) = stereo();
    controller.load_patch(patch(Some(1e6))).unwrap();
    let (left, right) = play(&mut audio, FRAMES);

    // The clean sine is the same bits as in the patch without the faulty nodes.
    let (mut alone, mut alone_audio) = stereo();
    alone.load_patch(patch(None)).unwrap();
    let (alone_left, alone_right) = play(&mut alone_audio, 2 * FRAMES);
    assert_eq!(bits(&left), bits(&alone_left[..FRAMES]));
    assert!(alone_right.iter().all(|&s| s == 0.0));

    // The faulty side is finite, and silent wherever |lfo| > 0.5 (phase 30°–150° and
    // 210°–330° of a 480-sample period, a sample of margin each side), where the sum is
    // certainly infinite.
    assert!(right.iter().all(|s| s.is_finite()));
    let certainly_infinite =
        |n: usize| matches!(n % 240, 41..=199) && n % 480 != 0;
    let silenced = (0..FRAMES).filter(|&n| certainly_infinite(n)).count();
    assert_eq!(silenced, 159 * 20);
    for n in (0..FRAMES).filter(|&n| certainly_infinite(n)) {
        assert_eq!(right[n], 0.0, "sample {n}");
    }

    // Every block has infinite samples (the finite windows around the zero crossings are
    // 2 × 16.9° of 480 samples, 45 samples, shorter than a block): one fault, held muted.
    let faults = controller.faults();
    assert_eq!(faults.len(), 1, "{faults:?}");
    assert_eq!(&*faults[0].0, "boom");
    assert_eq!(faults[0].1.count, 1);
    assert_eq!(faults[0].1.last_at, 0);
    assert_eq!(controller.metrics().faults, 1);

    // Mended: the gain back to 1, |sum| <= 2. From then on the right side is the bits of a
    // patch that never faulted (its nodes are stateless, the lfo was never touched).
    assert!(controller.set_param("loud", "b", 1.0, At::Now).unwrap());
    let (left, right) = play(&mut audio, FRAMES);
    assert_eq!(bits(&left), bits(&alone_left[FRAMES..]));
    let (mut sane, mut sane_audio) = stereo();
    sane.load_patch(patch(Some(1.0))).unwrap();
    let (_, sane_right) = play(&mut sane_audio, 2 * FRAMES);
    assert_eq!(bits(&right), bits(&sane_right[FRAMES..]));
    assert!(right.iter().any(|&s| s != 0.0));
    assert_eq!(controller.faults()[0].1.count, 1, "no new fault");
}
