//! `seq.pattern` and `seq.arp` against the transport: onsets at the samples worked out by
//! hand from the tempo (steady and ramping), each feature of the mini-notation as a list of
//! events written by hand, lanes for stacks and chords, words, swing and humanise in
//! samples, stops and jumps, and the same bits whatever the block sizes, without allocating.

use super::super::test_support::{SR, Segment, beats_at, params, per_sample, play};
use crate::{KernelInit, build};
use assert_no_alloc::assert_no_alloc;
use patchvm_ir::TextValue;
use patchvm_pattern::mini::{Event, Pattern, Rational, Value};
use patchvm_pattern::theory::Humanise;
use patchvm_vm::{Kernel, MAX_BLOCK};

/// A kernel of `name` with its texts and settings.
fn kernel(name: &str, texts: &[(&str, &str)], settings: &[(&str, f64)]) -> Box<dyn Kernel> {
    let (spec, values) = params(name, settings);
    let texts: Vec<TextValue> = texts
        .iter()
        .map(|&(input, text)| TextValue {
            input: spec.input(input).unwrap(),
            text: text.to_owned(),
        })
        .collect();
    let init = KernelInit {
        texts: &texts,
        ..KernelInit::new(&values, SR)
    };
    build(&spec, &init).unwrap()
}

/// Every output of `kernel` over `len` samples, in blocks of the sizes `blocks` gives (in
/// turn, again and again) that also end where a segment of `transport` begins.
fn render(
    kernel: &mut dyn Kernel,
    transport: &[Segment],
    len: usize,
    blocks: &[usize],
) -> Vec<Vec<f32>> {
    let outputs = usize::from(kernel.shape().outputs);
    let mut outs = vec![vec![0.0_f32; len]; outputs];
    assert_no_alloc(|| {
        let mut n = 0;
        let mut turn = 0;
        while n < len {
            let (beats, next) = beats_at(transport, n);
            let block = blocks[turn % blocks.len()];
            turn += 1;
            let end = (n + block).min(next.unwrap_or(usize::MAX)).min(len);
            let mut rest = outs.iter_mut();
            let mut blocks: [&mut [f32]; 32] =
                std::array::from_fn(|_| rest.next().map_or(&mut [][..], |out| &mut out[n..end]));
            kernel.process_at(&beats, &[], &mut blocks[..outputs]);
            n = end;
        }
    });
    outs
}

/// The samples where `signal` is 1.
fn ones(signal: &[f32]) -> Vec<usize> {
    (0..signal.len()).filter(|&n| signal[n] == 1.0).collect()
}

// Output places of `seq.pattern`.
const TRIG: usize = 0;
const GATE: usize = 1;
const FREQ: usize = 2;
const NOTE: usize = 3;
const VEL: usize = 4;
const WORD0: usize = 5;
const LANE0: usize = 13;

/// 120 BPM at 48 kHz: 24 000 samples a beat, 96 000 a bar of 4/4 (one cycle).
const BAR: usize = 96_000;

/// The onsets `(sample, note, vel)` of `pattern` at 120 BPM from beat 0 over `bars` bars.
fn onsets(pattern: &str, texts: &[(&str, &str)], bars: usize) -> Vec<(usize, f32, f32)> {
    let mut texts = texts.to_vec();
    texts.push(("pattern", pattern));
    let mut seq = kernel("seq.pattern", &texts, &[]);
    let out = render(&mut *seq, &[play(0, 0.0, 120.0)], bars * BAR, &[64]);
    ones(&out[TRIG])
        .into_iter()
        .map(|n| (n, out[NOTE][n], out[VEL][n]))
        .collect()
}

/// `(cycle position, note)` pairs at 120 BPM as `(sample, note, 1.0)`.
fn at(events: &[(f64, f32)]) -> Vec<(usize, f32, f32)> {
    events
        .iter()
        .map(|&(cycle, note)| ((cycle * BAR as f64).round() as usize, note, 1.0))
        .collect()
}

#[test]
fn each_feature_of_the_notation_plays_its_events_on_their_samples() {
    let (c, e, g) = (48.0, 52.0, 55.0);
    assert_eq!(
        onsets("c3 [e3 g3]", &[], 1),
        at(&[(0.0, c), (0.5, e), (0.75, g)]),
        "subdivision"
    );
    assert_eq!(
        onsets("<c3 e3 g3>", &[], 3),
        at(&[(0.0, c), (1.0, e), (2.0, g)]),
        "one a cycle"
    );
    assert_eq!(
        onsets("c3*3 e3", &[], 1),
        at(&[(0.0, c), (1.0 / 6.0, c), (2.0 / 6.0, c), (0.5, e)]),
        "faster"
    );
    assert_eq!(
        onsets("c3(3,8)", &[], 1),
        at(&[(0.0, c), (3.0 / 8.0, c), (6.0 / 8.0, c)]),
        "euclid"
    );
    assert_eq!(
        onsets("c3@3 e3", &[], 1),
        at(&[(0.0, c), (0.75, e)]),
        "elongated"
    );
    assert_eq!(
        onsets("c3!2 e3", &[], 1),
        at(&[(0.0, c), (1.0 / 3.0, c), (2.0 / 3.0, e)]),
        "replicated"
    );
    assert_eq!(
        onsets("{c3 e3 g3}%4", &[], 2),
        at(&[
            (0.0, c),
            (0.25, e),
            (0.5, g),
            (0.75, c),
            (1.0, e),
            (1.25, g),
            (1.5, c),
            (1.75, e)
        ]),
        "polymeter"
    );
    assert_eq!(
        onsets("60 62", &[("scale", "")], 1),
        at(&[(0.0, 60.0), (0.5, 62.0)]),
        "numbers are MIDI notes"
    );
    assert_eq!(
        onsets("0 2 4 7", &[("scale", "d dorian")], 1),
        at(&[(0.0, 50.0), (0.25, 53.0), (0.5, 57.0), (0.75, 62.0)]),
        "degrees of D dorian from D3"
    );
    // Velocity: a step's own `:`, else the velocity pattern's step sounding then.
    let vel: Vec<f32> = onsets("c3*4", &[("velocity", "1 0.25")], 1)
        .iter()
        .map(|o| o.2)
        .collect();
    assert_eq!(vel, [1.0, 1.0, 0.25, 0.25]);
    let vel: Vec<f32> = onsets("c3:0.5 e3", &[("velocity", "0.75")], 1)
        .iter()
        .map(|o| o.2)
        .collect();
    assert_eq!(vel, [0.5, 0.75]);
}

/// The events the pattern crate gives for `pattern` over `bars` cycles, at 120 BPM.
fn reference(pattern: &str, bars: i64) -> Vec<(usize, f32, f32)> {
    let mut events: Vec<Event> = Vec::new();
    let pattern = Pattern::parse(pattern).unwrap();
    pattern.query(Rational::ZERO..Rational::integer(bars), 0, &mut events);
    events
        .iter()
        .map(|event| {
            let Value::Note(note) = event.value else {
                panic!("{event:?}")
            };
            let n = (event.begin.to_f64() * BAR as f64).round() as usize;
            (n, note as f32, 1.0)
        })
        .collect()
}

#[test]
fn random_choices_are_the_pattern_crate_s() {
    // `?` and `|` draw from Strudel's generator, which the pattern crate matches event for
    // event; the kernel plays what it answers, on the samples of its onsets.
    let dropped = onsets("c3*8?", &[], 4);
    assert_eq!(dropped, reference("c3*8?", 4));
    assert!(dropped.len() > 4 && dropped.len() < 28, "{}", dropped.len());
    let chosen = onsets("[c3 e3|g3*2]", &[], 8);
    assert_eq!(chosen, reference("[c3 e3|g3*2]", 8));
}

#[test]
fn onsets_land_on_the_first_sample_at_their_beat_at_137_bpm_then_a_ramp() {
    // 137 BPM for four bars: sixteenth k starts at sample ceil(k · 720 000 / 137).
    let steady = 137.0;
    let ramp_from = 16 * 2_880_000 / 137 + 1; // the first sample past beat 16
    let v0 = per_sample(steady);
    // Then a ramp to 160 BPM over the next sixteen beats: v² = v0² + 2·a·beats.
    let accel = (per_sample(160.0).powi(2) - v0.powi(2)) / 32.0;
    let start = ramp_from as f64 * v0;
    let ramp = Segment {
        from: ramp_from,
        beat: start,
        per_sample: v0,
        accel,
        playing: true,
        jumped: false,
    };
    let mut seq = kernel("seq.pattern", &[("pattern", "c3*16")], &[]);
    let len = ramp_from + 360_000;
    let out = render(&mut *seq, &[play(0, 0.0, steady), ramp], len, &[64]);
    let mut expected: Vec<usize> = (0..64_u64)
        .map(|k| (k * 720_000).div_ceil(137) as usize)
        .collect();
    // On the ramp: beat(n) = start + v0·d + a·d²/2 with d = n - ramp_from, so beat b is
    // reached at d = (√(v0² + 2a(b - start)) - v0) / a, its first sample the next integer.
    for k in 64..160 {
        let b = f64::from(k) * 0.25;
        let d = ((v0 * v0 + 2.0 * accel * (b - start)).sqrt() - v0) / accel;
        let n = ramp_from + d.ceil() as usize;
        if n < len {
            expected.push(n);
        }
    }
    assert!(expected.len() > 110, "{}", expected.len());
    assert_eq!(ones(&out[TRIG]), expected);
    // The gate stays open from one sixteenth to the next (legato 1), closed before the first.
    assert!(out[GATE][..len].iter().all(|&g| g == 1.0));
    assert!((out[FREQ][0] - 130.812_78).abs() < 1e-3, "C3 in Hz");
}

#[test]
fn stacks_and_chords_take_a_lane_each_and_the_oldest_is_stolen() {
    let mut seq = kernel("seq.pattern", &[("pattern", "[c4,e4,g4] ~ Am7 ~")], &[]);
    let out = render(&mut *seq, &[play(0, 0.0, 120.0)], BAR, &[64]);
    let lane = |l: usize, n: usize| (out[LANE0 + 2 * l][n], out[LANE0 + 2 * l + 1][n]);
    for n in [0, 23_999] {
        assert_eq!(
            [lane(0, n), lane(1, n), lane(2, n), lane(3, n)],
            [(60.0, 1.0), (64.0, 1.0), (67.0, 1.0), (0.0, 0.0)]
        );
    }
    // The triad ends at beat 1; Am7 at beat 2 takes lanes 0–3 again: A3 C4 E4 G4.
    assert_eq!(lane(0, 24_000), (60.0, 0.0));
    assert_eq!(
        [
            lane(0, 48_000),
            lane(1, 48_000),
            lane(2, 48_000),
            lane(3, 48_000)
        ],
        [(57.0, 1.0), (60.0, 1.0), (64.0, 1.0), (67.0, 1.0)]
    );
    assert_eq!(
        out[NOTE][48_000], 67.0,
        "the mono note is the chord's highest"
    );
    // Nine notes at once: the ninth takes the oldest lane, lane 0.
    let mut nine = kernel(
        "seq.pattern",
        &[("pattern", "[c4,d4,e4,f4,g4,a4,b4,c5,d5]")],
        &[],
    );
    let out = render(&mut *nine, &[play(0, 0.0, 120.0)], 64, &[64]);
    let pitches: Vec<f32> = (0..8).map(|l| out[LANE0 + 2 * l][0]).collect();
    assert_eq!(pitches, [74.0, 62.0, 64.0, 65.0, 67.0, 69.0, 71.0, 72.0]);
}

#[test]
fn a_note_on_a_lane_that_just_sounded_rises_from_one_sample_of_zero() {
    // Legato 1: each eighth ends where the next starts; the next takes lane 1, quiet, and
    // the one after lane 0 again (quiet by then).
    let mut seq = kernel("seq.pattern", &[("pattern", "c4 e4")], &[]);
    let out = render(&mut *seq, &[play(0, 0.0, 120.0)], BAR, &[64]);
    let gate = |l: usize| &out[LANE0 + 2 * l + 1];
    assert_eq!(ones(gate(0)).len(), 48_000);
    assert_eq!(gate(1)[48_000], 1.0);
    assert_eq!(gate(1)[47_999], 0.0);
    // Legato 2 on "c4*4": every lane is busy by the third note only if notes overlap; a
    // fifth note with eight lanes stays on quiet lanes, so no lane ever rises from 1 to 1.
    let mut long = kernel("seq.pattern", &[("pattern", "c4*4")], &[("legato", 4.0)]);
    let out = render(&mut *long, &[play(0, 0.0, 120.0)], 2 * BAR, &[64]);
    let busy: Vec<usize> = (0..8)
        .filter(|&l| out[LANE0 + 2 * l + 1].contains(&1.0))
        .collect();
    assert_eq!(
        busy,
        [0, 1, 2, 3, 4],
        "four notes of four beats overlap, plus one"
    );
}

#[test]
fn words_trigger_their_outputs() {
    let mut seq = kernel("seq.pattern", &[("pattern", "bd*2 sd ~ hh")], &[]);
    let out = render(&mut *seq, &[play(0, 0.0, 120.0)], BAR, &[64]);
    assert_eq!(ones(&out[WORD0]), [0, 12_000]);
    assert_eq!(ones(&out[WORD0 + 1]), [24_000]);
    assert_eq!(ones(&out[WORD0 + 2]), [72_000]);
    assert_eq!(ones(&out[TRIG]), [0, 12_000, 24_000, 72_000]);
    assert!(
        out[LANE0 + 1].iter().all(|&g| g == 0.0),
        "a drum word is no note"
    );
    // A chord symbol plays notes and names no output: `sd` is the second word output.
    let mut seq = kernel("seq.pattern", &[("pattern", "bd Am7 sd ~")], &[]);
    let out = render(&mut *seq, &[play(0, 0.0, 120.0)], BAR, &[64]);
    assert_eq!(ones(&out[WORD0]), [0]);
    assert_eq!(ones(&out[WORD0 + 1]), [48_000]);
    assert_eq!(out[LANE0][24_000], 57.0, "Am7's A3 on lane 0");
}

#[test]
fn swing_and_humanise_move_onsets_by_the_samples_they_say() {
    // Sixteenths swung by half on an eighth-note grid: the off-beat sixteenth moves from
    // 0.25 to 0.375 of a beat, 6 000 to 9 000 samples.
    let mut swung = kernel(
        "seq.pattern",
        &[("pattern", "c3*16")],
        &[("swing", 0.5), ("swing_step", 0.5)],
    );
    let out = render(&mut *swung, &[play(0, 0.0, 120.0)], BAR, &[64]);
    let expected: Vec<usize> = (0..16)
        .map(|k| {
            if k % 2 == 0 {
                k * 6_000
            } else {
                (k - 1) * 6_000 + 9_000
            }
        })
        .collect();
    assert_eq!(ones(&out[TRIG]), expected);
    // Humanise: each onset moved by the theory crate's seeded offset, up to 0.01 beat (240
    // samples) either way, earlier than its block too (beats start blocks of 64 here).
    let settings = [("humanise", 0.01), ("seed", 7.0)];
    let human = Humanise {
        seed: 7,
        timing: 0.01,
        velocity: 0.0,
    };
    let mut moved = kernel("seq.pattern", &[("pattern", "c3*4")], &settings);
    let len = 2 * BAR;
    let out = render(&mut *moved, &[play(0, 0.0, 120.0)], len, &[64]);
    // Beat 0 moves before the transport's start and never plays; beat 8 moves into the render.
    let expected: Vec<usize> = (0..=8)
        .map(|k| f64::from(k) + human.offset(f64::from(k)))
        .filter(|&beat| beat >= 0.0)
        .map(|beat| (beat * 24_000.0).ceil() as usize)
        .filter(|&n| n < len)
        .collect();
    assert_eq!(ones(&out[TRIG]), expected);
    let shifts: Vec<i64> = expected
        .iter()
        .zip(1..)
        .map(|(&n, k)| n as i64 - k * 24_000)
        .collect();
    assert!(
        shifts.iter().any(|&s| s < -60) && shifts.iter().any(|&s| s > 60),
        "{shifts:?}"
    );
    let mut again = kernel("seq.pattern", &[("pattern", "c3*4")], &settings);
    let other = render(&mut *again, &[play(0, 0.0, 120.0)], len, &[1, 7, 64, 13]);
    assert_eq!(
        other, out,
        "the same seed plays the same, whatever the blocks"
    );
}

#[test]
fn nothing_plays_while_stopped_and_a_jump_closes_the_gates() {
    let stopped = Segment {
        from: 0,
        beat: 0.0,
        per_sample: 0.0,
        accel: 0.0,
        playing: false,
        jumped: false,
    };
    let mut seq = kernel("seq.pattern", &[("pattern", "c3 e3")], &[]);
    let out = render(
        &mut *seq,
        &[stopped, play(1_000, 0.5, 120.0), play(13_000, 2.25, 120.0)],
        BAR,
        &[64],
    );
    // Stopped: nothing. Playing from beat 0.5 (mid-note): nothing until beat 2 (sample
    // 1 000 + 36 000); the jump to 2.25 at 13 000 — before that — closes nothing open.
    assert!(out[GATE][..1_000].iter().all(|&g| g == 0.0));
    assert_eq!(ones(&out[TRIG]), [13_000 + 42_000]);
    // A jump into the middle of a sounding note closes its gate.
    let mut seq = kernel("seq.pattern", &[("pattern", "c3")], &[]);
    let out = render(
        &mut *seq,
        &[play(0, 0.0, 120.0), play(500, 1.0, 120.0)],
        1_000,
        &[64],
    );
    assert_eq!(ones(&out[GATE]), (0..500).collect::<Vec<_>>());
}

#[test]
fn the_same_bits_whatever_the_blocks() {
    let texts = [
        ("pattern", "<[c3,e3] g3*3 bd(3,8)>? [a3|Dm7] ~ eb4:0.3"),
        ("velocity", "1 0.5"),
    ];
    let settings = [
        ("swing", 0.3),
        ("humanise", 0.02),
        ("humanise_vel", 0.2),
        ("seed", 3.0),
    ];
    let transport = [play(0, 0.0, 131.0)];
    let whole = {
        let mut seq = kernel("seq.pattern", &texts, &settings);
        render(&mut *seq, &transport, 4 * BAR, &[64])
    };
    for blocks in [&[1][..], &[3, 64, 17], &[MAX_BLOCK, 5, 1, 40]] {
        let mut seq = kernel("seq.pattern", &texts, &settings);
        assert_eq!(render(&mut *seq, &transport, 4 * BAR, blocks), whole);
    }
    assert!(ones(&whole[TRIG]).len() > 12);
}

#[test]
fn the_arp_walks_each_chord_from_its_first_step() {
    // Am7 then Dm7, a bar each, up over two octaves in eighths: eight notes a bar.
    let mut arp = kernel(
        "seq.arp",
        &[("chord", "<Am7 Dm7>"), ("mode", "updown")],
        &[("octaves", 1.0), ("step", 0.5)],
    );
    let out = render(&mut *arp, &[play(0, 0.0, 120.0)], 2 * BAR, &[64]);
    let onsets = ones(&out[TRIG]);
    assert_eq!(onsets, (0..16).map(|k| k * 12_000).collect::<Vec<_>>());
    let notes: Vec<f32> = onsets.iter().map(|&n| out[NOTE][n]).collect();
    // A3 C4 E4 G4 up and down without repeating the ends; D3 F3 A3 C4 from the start.
    assert_eq!(
        notes,
        [
            57., 60., 64., 67., 64., 60., 57., 60., //
            50., 53., 57., 60., 57., 53., 50., 53.
        ]
    );
    // The progression: `G7` and `C` are notes to the mini-notation, read back as
    // chords. Up in quarter notes, a bar each: Am7, Dm7, G7 (G3 B3 D4 F4), C (C3 E3 G3).
    let mut arp = kernel("seq.arp", &[("chord", "<Am7 Dm7 G7 C>")], &[("step", 1.0)]);
    let out = render(&mut *arp, &[play(0, 0.0, 120.0)], 4 * BAR, &[64]);
    let notes: Vec<f32> = ones(&out[TRIG]).iter().map(|&n| out[NOTE][n]).collect();
    assert_eq!(
        notes,
        [
            57., 60., 64., 67., 50., 53., 57., 60., 55., 59., 62., 65., 48., 52., 55., 48.
        ]
    );
    // Legato 1: each note's gate lasts its step, on a lane of its own in turn.
    assert_eq!(out[LANE0 - 8][11_999], 57.0, "notes0.pitch of seq.arp");
}

#[test]
fn just_below_a_beat_stays_below_it_with_subnormals_flushed() {
    use super::player::just_below;
    let _flush = patchvm_vm::FlushDenormals::new();
    for beat in [0.0, 1.0, -1.0, 0.25, 1e-300] {
        let below = std::hint::black_box(just_below(beat));
        assert!(below < beat && below.is_normal(), "{beat}: {below}");
    }
    assert_eq!(just_below(0.0), -f64::MIN_POSITIVE);
    assert_eq!(just_below(1.0), 1.0_f64.next_down());
}
