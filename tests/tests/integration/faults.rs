//! Faults isolated (issue 23): a node whose output turns infinite is muted on its own — its
//! block silenced, its state reset, reported once by node id — while a sine mixed with it
//! plays the very bits it plays without it, and the node plays again as soon as its output
//! is finite.

use patchvm::engine::{At, AudioHalf, Controller, Engine, EngineSettings};
use patchvm::ir::{Limits, Patch, PatchBuilder};

/// Frames rendered before and after the fault is mended.
const FRAMES: usize = 4_800;

/// A 440 Hz sine; with `gain`, mixed on the same output with a 100 Hz sine times `gain` to
/// the 7th power (`math.pow` limits it to ±3.4e38) added to itself. With a gain of 1e6 the
/// sum overflows to infinity wherever the power passes 1.7e38, where |sine| > 0.29: every
/// block has such samples (the finite windows around the zero crossings are 2 × 16.9° of a
/// 480-sample period, 45 samples, shorter than a block).
fn patch(gain: Option<f64>) -> Patch {
    let builder = PatchBuilder::new()
        .node("clean", "osc.sine", &[("freq", 440.0)])
        .node("out", "output", &[])
        .connect(("clean", "out"), ("out", "in"));
    let Some(gain) = gain else {
        return builder.build();
    };
    builder
        .node("lfo", "osc.sine", &[("freq", 100.0)])
        .node("loud", "mul", &[("b", gain)])
        .node("big", "math.pow", &[("exponent", 7.0)])
        .node("boom", "math.add", &[])
        .connect(("lfo", "out"), ("loud", "a"))
        .connect(("loud", "out"), ("big", "base"))
        .connect(("big", "out"), ("boom", "a"))
        .connect(("big", "out"), ("boom", "b"))
        .connect(("boom", "out"), ("out", "in"))
        .build()
}

fn engine(gain: Option<f64>) -> (Controller, AudioHalf) {
    let (mut controller, audio) = Engine::new(
        EngineSettings {
            channels: 1,
            ..EngineSettings::default()
        },
        Limits::default(),
    );
    controller.load_patch(patch(gain)).unwrap();
    (controller, audio)
}

fn play(audio: &mut AudioHalf, frames: usize) -> Vec<u32> {
    let mut out = vec![0.0_f32; frames];
    audio.process(&mut out);
    out.iter().map(|s| s.to_bits()).collect()
}

#[test]
fn an_infinite_node_is_muted_alone_reported_by_id_and_recovers() {
    let (mut controller, mut audio) = engine(Some(1e6));
    let faulty = play(&mut audio, FRAMES);

    // The mix is the sine's bits alone: the faulty node is muted, every block of it.
    let (_, mut alone) = engine(None);
    let alone = play(&mut alone, FRAMES);
    assert_eq!(faulty, alone);

    // One fault, held muted: reported once, by the node's id, from the first block.
    let faults = controller.faults();
    assert_eq!(faults.len(), 1, "{faults:?}");
    assert_eq!(&*faults[0].0, "boom");
    assert_eq!((faults[0].1.count, faults[0].1.last_at), (1, 0));
    assert_eq!(controller.metrics().faults, 1);
    assert_eq!(
        controller.metrics().flushed_samples,
        0,
        "nothing reached the output"
    );

    // Mended: the gain back to 1, |sum| <= 2. From then on the mix is the bits of a patch
    // that never faulted (the sum's nodes are stateless, the lfo was never touched).
    assert!(controller.set_param("loud", "b", 1.0, At::Now).unwrap());
    let mended = play(&mut audio, FRAMES);
    let (_, mut sane) = engine(Some(1.0));
    let sane = play(&mut sane, 2 * FRAMES);
    assert_eq!(mended, sane[FRAMES..]);
    assert_ne!(mended, alone, "the node plays again");
    assert_eq!(controller.faults()[0].1.count, 1, "no new fault");
}

#[test]
fn a_fault_again_after_a_clean_block_is_a_second_onset() {
    let (mut controller, mut audio) = engine(Some(1e6));
    play(&mut audio, 640);
    controller.set_param("loud", "b", 1.0, At::Now).unwrap();
    play(&mut audio, 640);
    controller.set_param("loud", "b", 1e6, At::Now).unwrap();
    play(&mut audio, 640);
    let faults = controller.faults();
    assert_eq!(&*faults[0].0, "boom");
    assert_eq!((faults[0].1.count, faults[0].1.last_at), (2, 1_280));
}
