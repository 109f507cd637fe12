//! `seq.euclid` against the transport: onsets at the samples worked out by hand from the
//! tempo (steady and ramping), jumps and stops, a kernel built mid-bar, and the same bits
//! whatever the block sizes.

use super::super::test_support::{Segment, beats_at, kernel, per_sample, play};
use assert_no_alloc::assert_no_alloc;
use patchvm_vm::{Beats, Kernel, MAX_BLOCK};

/// The transport stopped at beat `beat` from sample `from`.
fn stop(from: usize, beat: f64) -> Segment {
    Segment {
        from,
        beat,
        per_sample: 0.0,
        accel: 0.0,
        playing: false,
        jumped: false,
    }
}

/// The inputs `[pulses, steps, rotation, step, gate_len]` at a sample.
type Inputs = [f32; 5];

/// Tresillo in sixteenths, the gate half a step.
const TRESILLO: Inputs = [3.0, 8.0, 0.0, 0.25, 0.5];

/// Outputs `[trig, gate, index]` of `kernel` over `len` samples from sample `start`, in
/// blocks of `block` that also end where a segment of `transport` begins, as a host splits
/// them at transport events.
fn render(
    kernel: &mut dyn Kernel,
    transport: &[Segment],
    (start, len): (usize, usize),
    block: usize,
    inputs: impl Fn(usize) -> Inputs,
) -> [Vec<f32>; 3] {
    let mut outs = [vec![0.0; len], vec![0.0; len], vec![0.0; len]];
    let mut n = start;
    while n < start + len {
        let (beats, next) = beats_at(transport, n);
        let end = (n + block).min(next.unwrap_or(usize::MAX)).min(start + len);
        let mut held = [[0.0_f32; MAX_BLOCK]; 5];
        for (i, sample) in (n..end).enumerate() {
            for (port, value) in inputs(sample).into_iter().enumerate() {
                held[port][i] = value;
            }
        }
        let ins: [&[f32]; 5] = std::array::from_fn(|port| &held[port][..end - n]);
        let [trig, gate, index] = &mut outs;
        let range = n - start..end - start;
        let mut outputs: [&mut [f32]; 3] = [
            &mut trig[range.clone()],
            &mut gate[range.clone()],
            &mut index[range],
        ];
        kernel.process_at(&beats, &ins, &mut outputs);
        n = end;
    }
    outs
}

/// The samples where `signal` is 1.
fn ones(signal: &[f32]) -> Vec<usize> {
    (0..signal.len()).filter(|&n| signal[n] == 1.0).collect()
}

#[test]
fn onsets_land_on_the_first_sample_at_their_beat_at_137_bpm_for_eight_bars() {
    // 137 BPM at 48 kHz: 2 880 000 / 137 samples a beat, 720 000 / 137 a sixteenth, so
    // sixteenth k starts at sample ceil(k · 720 000 / 137), worked out in integers.
    let len = 672_701; // 32 beats: sixteenth 128 starts at 672 700.7, past the end
    let mut euclid = kernel("seq.euclid", &[]);
    let [trig, gate, index] = render(&mut *euclid, &[play(0, 0.0, 137.0)], (0, len), 64, |_| {
        TRESILLO
    });
    let steps: Vec<u64> = (0..128).filter(|k| [0, 3, 6].contains(&(k % 8))).collect();
    let expected: Vec<usize> = steps
        .iter()
        .map(|k| (k * 720_000).div_ceil(137) as usize)
        .collect();
    assert_eq!(steps.len(), 48);
    assert_eq!(ones(&trig), expected);
    assert_eq!(&expected[..4], [0, 15_767, 31_533, 42_044]);
    // The gate: from the onset to the first sample at or past half a sixteenth later,
    // ceil((2k + 1) · 360 000 / 137).
    for &k in &steps {
        let (open, close) = (
            (k * 720_000).div_ceil(137) as usize,
            ((2 * k + 1) * 360_000).div_ceil(137) as usize,
        );
        assert!(gate[open..close].iter().all(|&g| g == 1.0), "step {k}");
        assert_eq!(gate[close], 0.0, "step {k}");
        if open > 0 {
            assert_eq!(gate[open - 1], 0.0, "step {k}");
        }
    }
    assert_eq!(
        ones(&gate).len(),
        gate.iter().filter(|&&g| g != 0.0).count()
    );
    // The step playing: the sixteenth's number modulo 8, changing at each sixteenth's start.
    for k in 1..128_u64 {
        let at = (k * 720_000).div_ceil(137) as usize;
        assert_eq!(index[at], (k % 8) as f32);
        assert_eq!(index[at - 1], ((k - 1) % 8) as f32);
    }
}

#[test]
fn onsets_follow_a_tempo_ramp() {
    // 100 BPM ramping linearly in time to 160 BPM over 4 seconds: the beat of sample n is
    // a·n + b·n²/2, so the step starting at beat B plays at n = ceil(2B / (a + √(a² + 2bB))).
    let (len, a) = (192_000, per_sample(100.0));
    let b = (per_sample(160.0) - a) / len as f64;
    let ramp = Segment {
        accel: b,
        ..play(0, 0.0, 100.0)
    };
    let every_step = [8.0, 8.0, 0.0, 0.25, 0.5];
    let mut euclid = kernel("seq.euclid", &[]);
    let [trig, ..] = render(&mut *euclid, &[ramp], (0, len), 64, |_| every_step);
    let last_beat = a * len as f64 + 0.5 * b * (len * len) as f64;
    assert!(
        (last_beat - 8.0 * 13.0 / 12.0).abs() < 1e-9,
        "130 BPM on average"
    );
    let expected: Vec<usize> = (0..)
        .map(|k| 0.25 * f64::from(k))
        .take_while(|&beat| beat < last_beat)
        .map(|beat| {
            let n = 2.0 * beat / (a + (a * a + 2.0 * b * beat).sqrt());
            assert!(
                n.fract() == 0.0 || (n - n.round()).abs() > 1e-6,
                "a close call"
            );
            n.ceil() as usize
        })
        .collect();
    assert_eq!(expected.len(), 35);
    assert_eq!(ones(&trig), expected);
}

/// A session's transport: 137 BPM from 0, a seek to beat 5.3 at sample 42 100 (while a gate
/// is open), a stop at sample 60 000, a start from beat 2 at sample 65 000.
fn session() -> [Segment; 4] {
    [
        play(0, 0.0, 137.0),
        play(42_100, 5.3, 137.0),
        stop(60_000, 5.3 + 17_900.0 * per_sample(137.0)),
        play(65_000, 2.0, 137.0),
    ]
}

/// `x.x.xx.x` (5 over 8 turned 2 later) until sample 80 000, then the tresillo.
fn changing(n: usize) -> Inputs {
    if n < 80_000 {
        [5.0, 8.0, 2.0, 0.25, 0.5]
    } else {
        TRESILLO
    }
}

#[test]
fn a_jump_releases_the_gate_and_a_stop_silences() {
    let mut euclid = kernel("seq.euclid", &[]);
    let [trig, gate, _] = render(&mut *euclid, &session(), (0, 100_000), 64, changing);
    // Step 8 (beat 2, sample 42 044) is step 0 of `x.x.xx.x`: its gate is open when the seek
    // comes, and closes on the seek's sample, which plays no onset (5.3 is no step's start).
    assert_eq!(trig[42_044], 1.0);
    assert_eq!((gate[42_099], gate[42_100], trig[42_100]), (1.0, 0.0, 0.0));
    // After the seek the grid goes on from beat 5.3: step 22 (beat 5.5) is step 6 of the
    // rhythm, a rest; step 23 (beat 5.75) is step 7, an onset, 0.45 beat after the seek.
    let first = ones(&trig).into_iter().find(|&n| n > 42_100).unwrap();
    assert_eq!(
        first,
        42_100 + (0.45 * 2_880_000.0 / 137.0_f64).ceil() as usize
    );
    // Stopped: nothing.
    assert!(
        trig[60_000..65_000]
            .iter()
            .chain(&gate[60_000..65_000])
            .all(|&x| x == 0.0)
    );
    // Started exactly on step 8's start: step 0 plays on the first sample.
    assert_eq!((trig[65_000], gate[65_000]), (1.0, 1.0));
    // From sample 80 000 the tresillo: 15 000 samples after beat 2 is beat 2.713…, within
    // step 10, so the next onset is step 11 (step 3 of the tresillo) at beat 2.75.
    let after = ones(&trig).into_iter().find(|&n| n >= 80_000).unwrap();
    assert_eq!(
        after,
        65_000 + (0.75 * 2_880_000.0 / 137.0_f64).ceil() as usize
    );
}

#[test]
fn the_same_bits_whatever_the_block_sizes() {
    let mut renders = [1, 7, 64].map(|block| {
        let mut euclid = kernel("seq.euclid", &[]);
        render(&mut *euclid, &session(), (0, 100_000), block, changing)
    });
    let [one, seven, full] = &mut renders;
    assert!(ones(&full[0]).len() > 10);
    for (other, block) in [(one, 1), (seven, 7)] {
        for (port, name) in ["trig", "gate", "index"].iter().enumerate() {
            let same = other[port]
                .iter()
                .zip(&full[port])
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(
                same,
                "`{name}` in blocks of {block} differs from blocks of 64"
            );
        }
    }
}

#[test]
fn a_kernel_built_mid_bar_plays_on_the_grid_of_one_built_before() {
    let transport = [play(0, 0.0, 137.0)];
    let mut early = kernel("seq.euclid", &[]);
    let [trig, gate, _] = render(&mut *early, &transport, (0, 100_000), 64, |_| TRESILLO);
    // Built at sample 30 001 (beat 1.427…, mid-step), in a block the transport did not jump.
    let mut late = kernel("seq.euclid", &[]);
    let start = 30_001;
    let [late_trig, late_gate, _] =
        render(&mut *late, &transport, (start, 100_000 - start), 64, |_| {
            TRESILLO
        });
    assert_eq!(
        ones(&late_trig)
            .into_iter()
            .map(|n| n + start)
            .collect::<Vec<_>>(),
        ones(&trig[start..])
            .into_iter()
            .map(|n| n + start)
            .collect::<Vec<_>>()
    );
    let first = start + ones(&late_trig)[0];
    assert_eq!(first, 31_533, "step 6, beat 1.5");
    assert_eq!(&late_gate[first - start..], &gate[first..]);
}

#[test]
fn playing_along_the_transport_allocates_nothing() {
    let mut euclid = kernel("seq.euclid", &[]);
    let inputs = TRESILLO.map(|value| [value; MAX_BLOCK]);
    let ins: [&[f32]; 5] = std::array::from_fn(|port| &inputs[port][..]);
    let mut outs = [[0.0_f32; MAX_BLOCK]; 3];
    let mut beats = Beats {
        per_sample: per_sample(137.0),
        playing: true,
        jumped: true,
        ..Beats::STILL
    };
    let mut onsets = 0.0;
    assert_no_alloc(|| {
        for block in 0..4_000 {
            let [trig, gate, index] = &mut outs;
            euclid.process_at(
                &beats,
                &ins,
                &mut [&mut trig[..], &mut gate[..], &mut index[..]],
            );
            onsets += trig.iter().sum::<f32>();
            beats.position += MAX_BLOCK as f64 * beats.per_sample;
            beats.jumped = block == 2_000;
            beats.playing = block % 700 != 0;
        }
    });
    assert!(onsets > 10.0);
    // Without a transport: standing still at beat 0, so step 0 and no onset.
    let [trig, gate, index] = &mut outs;
    euclid.process(&ins, &mut [&mut trig[..], &mut gate[..], &mut index[..]]);
    assert!(
        trig.iter()
            .chain(gate.iter())
            .chain(index.iter())
            .all(|&x| x == 0.0)
    );
}
