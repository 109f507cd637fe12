//! Flush-to-zero (issue 24, defect 8): a filter's tail, decaying through the subnormal range,
//! holds subnormal samples when its kernel runs with the FPU's default mode, and exact zeros
//! through every path that runs programs (the offline `Instance`, the live audio half, the
//! reference interpreter), which all flush; everything above the subnormal range is the same
//! bits either way.

use patchvm::engine::{Instance, Settings};
use patchvm::ir::{Limits, Patch, PatchBuilder};
use patchvm::modules::{KernelInit, build, catalog};
use patchvm::vm::{FlushDenormals, MAX_BLOCK};
use patchvm_tests::live::{mono, render};

const FRAMES: usize = 2_048;

/// One impulse (a metronome at 0.1 Hz ticks on sample 0 only) into a one-pole low-pass at
/// 1 kHz: its tail shrinks by 0.877 a sample, through f32's subnormals (below 1.18e-38, from
/// about sample 670) to zero (below 1.4e-45, from about sample 790).
fn tail() -> Patch {
    PatchBuilder::new()
        .node("tick", "ctl.metro", &[("freq", 0.1)])
        .node("lp", "filter.onepole", &[("cutoff", 1_000.0)])
        .node("out", "output", &[])
        .connect(("tick", "out"), ("lp", "in"))
        .connect(("lp", "out"), ("out", "in"))
        .build()
}

/// The same filter, run as a kernel on the test's thread in the FPU's default mode, on the
/// same impulse: the samples before flush-to-zero.
fn unflushed() -> Vec<f32> {
    assert!(
        !FlushDenormals::active(),
        "the test thread starts unflushed"
    );
    let spec = catalog().get("filter.onepole").unwrap();
    let values: Vec<f64> = spec
        .inputs
        .iter()
        .map(|input| match input.name {
            "cutoff" => 1_000.0,
            _ => input.default,
        })
        .collect();
    let mut kernel = build(spec, &KernelInit::new(&values, 48_000.0)).unwrap();
    let cutoff = [1_000.0_f32; MAX_BLOCK];
    let mut out = Vec::with_capacity(FRAMES);
    for block in 0..FRAMES / MAX_BLOCK {
        let mut input = [0.0_f32; MAX_BLOCK];
        if block == 0 {
            input[0] = 1.0;
        }
        let mut output = [0.0_f32; MAX_BLOCK];
        kernel.process(&[&input, &cutoff], &mut [&mut output]);
        out.extend_from_slice(&output);
    }
    out
}

fn subnormals(samples: &[f32]) -> usize {
    samples.iter().filter(|x| x.is_subnormal()).count()
}

#[test]
fn a_decaying_tail_reaches_exact_zeros_instead_of_subnormals() {
    let before = unflushed();
    let held = subnormals(&before);
    let first = before.iter().position(|x| x.is_subnormal()).unwrap();
    // By hand: 0.877^n · G falls below 1.18e-38 near n = 670 and below 1.4e-45 near 790.
    assert!((600..720).contains(&first), "first subnormal at {first}");
    assert!((80..160).contains(&held), "{held} subnormal samples");
    eprintln!("unflushed: {held} subnormal samples from sample {first}; flushed: 0");
    // Each path: the same bits wherever the unflushed sample is normal, 0 where it was not.
    let expected: Vec<u32> = before
        .iter()
        .map(|x| match x.is_subnormal() {
            true => 0.0_f32.to_bits(),
            false => x.to_bits(),
        })
        .collect();
    let bits = |samples: &[f32]| samples.iter().map(|x| x.to_bits()).collect::<Vec<u32>>();

    let mut instance = Instance::new(&tail(), &Settings::default(), &Limits::default()).unwrap();
    let mut offline = vec![0.0_f32; FRAMES * instance.channels()];
    instance.process_interleaved(&mut offline, 37);
    let offline: Vec<f32> = offline.chunks(instance.channels()).map(|f| f[0]).collect();
    assert_eq!(subnormals(&offline), 0);
    assert_eq!(bits(&offline), expected, "the offline render");

    let (mut controller, mut audio) = mono();
    controller.load_patch(tail()).unwrap();
    let live = render(&mut audio, FRAMES);
    assert_eq!(bits(&live), expected, "the live engine");

    let reference = patchvm_tests::oracle::render(&tail(), &Settings::default(), FRAMES).unwrap();
    assert_eq!(bits(&reference), expected, "the reference interpreter");

    // Every path gave the test thread its mode back.
    assert!(!FlushDenormals::active());
}
