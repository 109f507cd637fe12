//! `seq.pattern` playing a pattern on the transport at 120 BPM for 16 bars in 64-sample
//! blocks, the kernel as the VM calls it: the cost per block, and against a rest the cost per
//! event of placing events on samples (each cycle queried once, the rest a walk over the
//! events held).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use patchvm::ir::TextValue;
use patchvm::modules::{KernelInit, build, catalog};
use patchvm::vm::{Beats, Kernel, MAX_BLOCK};
use std::hint::black_box;

/// Blocks per iteration: 16 bars of 4/4 at 120 BPM and 48 kHz (32 s).
const BLOCKS: usize = 16 * 96_000 / MAX_BLOCK;

/// Beats per sample at 120 BPM and 48 kHz.
const PER_SAMPLE: f64 = 2.0 / 48_000.0;

/// A `seq.pattern` kernel playing `pattern`, with `settings` by name.
fn kernel(pattern: &str, settings: &[(&str, f64)]) -> Box<dyn Kernel> {
    let spec = catalog().get("seq.pattern").unwrap();
    let mut params: Vec<f64> = spec.inputs.iter().map(|input| input.default).collect();
    for &(name, value) in settings {
        params[spec.input(name).unwrap()] = value;
    }
    let texts = [TextValue {
        input: spec.input("pattern").unwrap(),
        text: pattern.to_owned(),
    }];
    let init = KernelInit {
        texts: &texts,
        ..KernelInit::new(&params, 48_000.0)
    };
    build(spec, &init).unwrap()
}

/// Plays `BLOCKS` blocks from beat 0 into `outputs`; returns the onsets (trigs) played.
fn play(kernel: &mut dyn Kernel, outputs: &mut [[f32; MAX_BLOCK]]) -> usize {
    let mut refs: Vec<&mut [f32]> = outputs.iter_mut().map(|block| &mut block[..]).collect();
    let mut onsets = 0;
    for block in 0..BLOCKS {
        let beats = Beats {
            position: (block * MAX_BLOCK) as f64 * PER_SAMPLE,
            per_sample: PER_SAMPLE,
            playing: true,
            jumped: block == 0,
            since: (block * MAX_BLOCK) as u64,
            origin_per_sample: PER_SAMPLE,
            ..Beats::STILL
        };
        kernel.process_at(&beats, &[], &mut refs);
        onsets += refs[0].iter().filter(|&&trig| trig == 1.0).count();
    }
    onsets
}

/// A case: its name, its pattern, its settings by name.
type Case = (&'static str, &'static str, &'static [(&'static str, f64)]);

fn patterns(c: &mut Criterion) {
    // The rest `~` is the baseline: what a block costs with no event, so a pattern's extra
    // time over it, divided by its events, is the cost of an event.
    let cases: [Case; 4] = [
        ("rest", "~", &[]),
        ("drums", "bd*2 [~ bd] sd? [bd bd], hh*8, ~ cp(3,8,2)", &[]),
        (
            "chords",
            "<[c3,eb3,g3] [f3,ab3,c4] Am7 Dm7>*2 [c4,e4]:0.5",
            &[],
        ),
        (
            "grooved",
            "c3*16",
            &[("swing", 0.3), ("humanise", 0.02), ("humanise_vel", 0.1)],
        ),
    ];
    let outputs = catalog().get("seq.pattern").unwrap().outputs.len();
    let mut blocks = vec![[0.0_f32; MAX_BLOCK]; outputs];
    let mut group = c.benchmark_group("seq.pattern 16 bars");
    group.throughput(Throughput::Elements(BLOCKS as u64));
    for (name, text, settings) in cases {
        // Built once, off the clock; each iteration starts again from beat 0 (a jump).
        let mut seq = kernel(text, settings);
        let events = play(&mut *seq, &mut blocks);
        group.bench_function(format!("{name}, {events} events"), |b| {
            b.iter(|| {
                seq.reset();
                black_box(play(&mut *seq, &mut blocks))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, patterns);
criterion_main!(benches);
