//! Tails that ring out (issue 23): an edit that removes a reverb lets its tail ring on as a
//! ghost beside the new program, measured against the same reverb left alone; the ghost
//! stops at the end of the first 64-sample block of the engine's clock whose peak is under
//! −90 dBFS, or fades out over the fade time at the tail limit; the same bits at any host
//! buffer, and nothing allocated on the audio thread through the ghost's life.

use patchvm::engine::{AudioHalf, Controller, Engine, EngineSettings};
use patchvm::ir::{Limits, Patch, PatchBuilder};

/// 48 kHz.
const RATE: f64 = 48_000.0;

/// The sample of the edit: 0.3 s, a multiple of 64, after the burst has died away.
const EDIT: usize = 14_400;

/// The default fade, 20 ms: 960 samples, also a multiple of 64, so the ghost starts on a
/// block of the engine's clock.
const FADE: usize = 960;

/// Samples rendered after the edit: 4.5 s, past the default 4 s limit.
const AFTER: usize = 216_000;

/// −90 dBFS: 10^(−90/20).
fn quiet() -> f32 {
    10f32.powf(-4.5)
}

/// A mono engine with the default fade and tail limit.
fn engine() -> (Controller, AudioHalf) {
    let settings = EngineSettings {
        channels: 1,
        ..EngineSettings::default()
    };
    Engine::new(settings, Limits::default())
}

/// White noise shaped by a 100 ms percussive envelope (struck at sample 0), then, with
/// `reverb`, through a fully wet Freeverb into the output; without, straight out.
fn burst(reverb: bool) -> Patch {
    let builder = PatchBuilder::new()
        .node("noise", "noise.white", &[])
        .node(
            "env",
            "env.ar",
            &[("trig", 1.0), ("attack", 0.001), ("release", 0.1)],
        )
        .node("burst", "gain", &[])
        .node("out", "output", &[])
        .connect(("noise", "out"), ("burst", "in"))
        .connect(("env", "out"), ("burst", "amp"));
    match reverb {
        true => builder
            .node("verb", "reverb.stereo", &[("mix", 1.0), ("room_size", 0.5)])
            .connect(("burst", "out"), ("verb", "in"))
            .connect(("verb", "left"), ("out", "in")),
        false => builder.connect(("burst", "out"), ("out", "in")),
    }
    .build()
}

/// The next `frames` samples in host buffers of `buffer` frames, each processed with
/// allocation forbidden.
fn render(audio: &mut AudioHalf, frames: usize, buffer: usize) -> Vec<f32> {
    let mut out = vec![0.0; frames];
    for chunk in out.chunks_mut(buffer) {
        assert_no_alloc::assert_no_alloc(|| audio.process(chunk));
    }
    out
}

/// The burst through the reverb, left alone for `EDIT + AFTER` samples: what the reverb
/// makes of an input that is silent from the edit on.
fn reference() -> Vec<f32> {
    let (mut controller, mut audio) = engine();
    controller.load_patch(burst(true)).unwrap();
    render(&mut audio, EDIT + AFTER, 64)
}

/// The burst through the reverb until the edit removes the reverb, in buffers of `buffer`,
/// with a tail limit of `tail_max` seconds; the samples from the edit on, and the tail's
/// peak as the control side saw it after each second.
fn edited(buffer: usize, tail_max: f64) -> (Vec<f32>, Vec<Option<f32>>) {
    let (mut controller, mut audio) = engine();
    controller.set_tail_max(tail_max).unwrap();
    controller.load_patch(burst(true)).unwrap();
    render(&mut audio, EDIT, buffer);
    let report = controller.load_patch(burst(false)).unwrap();
    assert!(report.crossfade, "removing the reverb is a structural edit");
    let mut after = Vec::with_capacity(AFTER);
    let mut peaks = Vec::new();
    while after.len() < AFTER {
        let frames = 48_000.min(AFTER - after.len());
        after.extend(render(&mut audio, frames, buffer));
        controller.maintain();
        peaks.push(controller.tail_peak());
    }
    (after, peaks)
}

/// RMS of each 10 ms window (480 samples), in dB.
fn envelope(samples: &[f32]) -> Vec<f64> {
    samples
        .chunks_exact(480)
        .map(|w| {
            let power = w.iter().map(|&s| f64::from(s) * f64::from(s)).sum::<f64>() / 480.0;
            10.0 * power.log10()
        })
        .collect()
}

/// The first block of the engine's clock (64 samples, starting at a multiple of 64) from
/// `from` on whose peak in `samples` (which start at the edit) is under −90 dBFS: the
/// sample after it, counted from the edit.
fn first_quiet_block(samples: &[f32], from: usize) -> usize {
    (from..samples.len())
        .step_by(64)
        .find(|&at| samples[at..at + 64].iter().all(|s| s.abs() < quiet()))
        .map(|at| at + 64)
        .expect("the reference falls under −90 dBFS")
}

#[test]
fn a_removed_reverb_rings_out_as_it_would_have_and_stops_once_under_minus_90_dbfs() {
    let reference = reference();
    let tail = &reference[EDIT..];
    let (after, peaks) = edited(256, 4.0);

    // The first second, window by window, within 0.1 dB of the reverb left alone.
    let (want, got) = (envelope(&tail[..48_000]), envelope(&after[..48_000]));
    for (window, (want, got)) in want.iter().zip(&got).enumerate() {
        assert!(
            want.is_finite() && *want > -90.0,
            "window {window}: the tail still sounds"
        );
        assert!(
            (got - want).abs() < 0.1,
            "window {window}: {got:.2} dB, expected {want:.2} dB"
        );
    }
    // The ghost starts after the fade, so it stops at the end of the first quiet block
    // from there: the same samples up to it, silence after.
    let stop = first_quiet_block(tail, FADE);
    assert!(
        stop < 192_000,
        "stopped by the level, not the 4 s limit: {stop}"
    );
    println!(
        "tail: rang {:.3} s after the edit, to sample {}; the reverb left alone peaks at {:.1} dBFS in its last block",
        stop as f64 / RATE,
        EDIT + stop,
        20.0 * f64::from(
            tail[stop - 64..stop]
                .iter()
                .fold(0.0_f32, |m, s| m.max(s.abs()))
        )
        .log10()
    );
    for (k, (&got, &want)) in after.iter().zip(tail).enumerate() {
        let want = if k < stop { want } else { 0.0 };
        assert!(
            (got - want).abs() <= 1e-6,
            "sample {k} after the edit: {got}, expected {want}"
        );
    }
    // The control side saw it ring, then saw none once it had gone back.
    assert!(peaks[0].is_some_and(|peak| peak > quiet()), "{peaks:?}");
    let seconds = stop / 48_000;
    assert!(
        peaks[seconds + 1..].iter().all(Option::is_none),
        "{peaks:?}"
    );
}

#[test]
fn a_tail_limit_of_half_a_second_fades_the_ghost_out_over_the_fade() {
    let reference = reference();
    let tail = &reference[EDIT..];
    let (after, _) = edited(256, 0.5);
    // The ghost rings 24 000 samples from the end of the transition, then fades over 960.
    let cut = FADE + 24_000;
    for (k, (&got, &want)) in after.iter().zip(tail).enumerate() {
        let gain = match k.checked_sub(cut) {
            None => 1.0,
            Some(into) => (1.0 - (into + 1) as f32 / FADE as f32).max(0.0),
        };
        let want = want * gain;
        assert!(
            (got - want).abs() <= 1e-6,
            "sample {k} after the edit: {got}, expected {want}"
        );
    }
    assert!(after[cut + FADE - 1..].iter().all(|&s| s == 0.0));
    assert!(
        tail[cut + FADE..cut + 2 * FADE]
            .iter()
            .any(|s| s.abs() > 1e-3),
        "cut while loud"
    );
}

#[test]
fn a_ghost_rings_the_same_bits_whatever_the_host_buffer() {
    let (at_64, _) = edited(64, 4.0);
    for buffer in [100, 1_024] {
        let (other, _) = edited(buffer, 4.0);
        assert!(at_64 == other, "buffers of {buffer} frames");
    }
}

#[test]
fn with_no_tail_limit_the_removed_reverb_fades_out_over_the_fade_as_before() {
    let reference = reference();
    let tail = &reference[EDIT..];
    let (after, peaks) = edited(256, 0.0);
    // Faded out by the transition: silent from the fade's end, while the reverb rings on.
    assert!(after[FADE..].iter().all(|&s| s == 0.0));
    assert!(tail[FADE..2 * FADE].iter().any(|s| s.abs() > 1e-3));
    assert!(peaks.iter().all(Option::is_none));
}

/// The burst into two fully wet reverbs of different rooms, `a` and `b`, each kept if asked,
/// both into the output.
fn two_rooms(a: bool, b: bool) -> Patch {
    let mut builder = PatchBuilder::new()
        .node("noise", "noise.white", &[])
        .node(
            "env",
            "env.ar",
            &[("trig", 1.0), ("attack", 0.001), ("release", 0.1)],
        )
        .node("burst", "gain", &[])
        .node("out", "output", &[])
        .connect(("noise", "out"), ("burst", "in"))
        .connect(("env", "out"), ("burst", "amp"));
    for (id, room, keep) in [("a", 0.5, a), ("b", 0.3, b)] {
        if keep {
            builder = builder
                .node(id, "reverb.stereo", &[("mix", 1.0), ("room_size", room)])
                .connect(("burst", "out"), (id, "in"))
                .connect((id, "left"), ("out", "in"));
        }
    }
    builder.build()
}

/// A second edit while the first one's ghost rings: room `a` removed at 0.3 s rings on;
/// room `b` removed at 0.6 s becomes the ghost when its transition ends, and from that
/// sample `a` fades out over the fade time (gain `1 - (k + 1) / 960`) beside it. Measured
/// against each room left alone.
#[test]
fn a_newer_ghost_fades_the_older_out_over_the_fade() {
    let alone = |a, b| {
        let (mut controller, mut audio) = engine();
        controller.load_patch(two_rooms(a, b)).unwrap();
        render(&mut audio, 96_000, 64)
    };
    let (room_a, room_b) = (alone(true, false), alone(false, true));
    let (mut controller, mut audio) = engine();
    controller.load_patch(two_rooms(true, true)).unwrap();
    let mut out = render(&mut audio, EDIT, 256);
    controller.load_patch(two_rooms(false, true)).unwrap();
    out.extend(render(&mut audio, EDIT, 256));
    controller.load_patch(two_rooms(false, false)).unwrap();
    out.extend(render(&mut audio, 96_000 - 2 * EDIT, 256));
    let newer = 2 * EDIT + FADE;
    // Up to two fades past the older ghost's end: the newer one may fall quiet later on.
    for (n, &got) in out[..newer + 2 * FADE].iter().enumerate() {
        let gain = match n.checked_sub(newer) {
            None => 1.0,
            Some(k) => (1.0 - (k + 1) as f32 / FADE as f32).max(0.0),
        };
        let want = room_a[n] * gain + room_b[n];
        assert!(
            (got - want).abs() <= 1e-6,
            "sample {n}: {got}, expected {want}"
        );
    }
}

/// A 0.5 s burst (still sounding at the edit) into node `fx` of module `module` (its
/// `module_values`, its output `port`) into the output; with `feed` false, `fx` is there
/// but nothing feeds it.
fn burst_into(module: &str, values: &[(&str, f64)], port: &str, feed: bool) -> Patch {
    let builder = PatchBuilder::new()
        .node("noise", "noise.white", &[])
        .node(
            "env",
            "env.ar",
            &[("trig", 1.0), ("attack", 0.001), ("release", 0.5)],
        )
        .node("burst", "gain", &[])
        .node("fx", module, values)
        .node("out", "output", &[])
        .connect(("noise", "out"), ("burst", "in"))
        .connect(("env", "out"), ("burst", "amp"))
        .connect(("fx", port), ("out", "in"));
    match feed {
        true => builder.connect(("burst", "out"), ("fx", "in")),
        false => builder,
    }
    .build()
}

const VERB: (&str, &[(&str, f64)], &str) =
    ("reverb.stereo", &[("mix", 1.0), ("room_size", 0.5)], "left");
const HALF: (&str, &[(&str, f64)], &str) = ("gain", &[("amp", 0.5)], "out");

/// `first` for `EDIT` samples, then `then` (its fade 20 ms, its tail limit `tail_max`), in
/// host buffers of `buffer`: the samples from the edit on, and the tail's peak the control
/// side saw after the first second.
fn swapped(first: Patch, then: Patch, tail_max: f64, buffer: usize) -> (Vec<f32>, Option<f32>) {
    let (mut controller, mut audio) = engine();
    controller.set_tail_max(tail_max).unwrap();
    controller.load_patch(first).unwrap();
    render(&mut audio, EDIT, buffer);
    assert!(controller.load_patch(then).unwrap().crossfade);
    let mut after = render(&mut audio, 48_000, buffer);
    controller.maintain();
    let peak = controller.tail_peak();
    after.extend(render(&mut audio, AFTER - 48_000, buffer));
    (after, peak)
}

/// The reverb node `fx` becomes a gain of 0.5 at the edit, while the burst still sounds:
/// from the edit on the output is the new program's (the burst at half gain, fading in over
/// the fade's linear gain `min(k + 1, 960) / 960`) plus the reverb's tail as it decays with
/// its input faded out over the fade (rendered by keeping the reverb and disconnecting its
/// input at the edit), within 0.1 dB per 10 ms window for the first second; the ghost stops
/// once under −90 dBFS; the same bits at two host buffers.
#[test]
fn a_reverb_whose_module_changes_rings_its_old_tail_beside_the_new_module() {
    let patch = |(module, values, port): (&str, &[(&str, f64)], &str), feed| {
        burst_into(module, values, port, feed)
    };
    // The old reverb's tail, its input faded out at the edit.
    let (old_tail, _) = swapped(patch(VERB, true), patch(VERB, false), 4.0, 64);
    // The new program alone: the gain is stateless, the burst's nodes the same from sample 0.
    let new_alone = {
        let (mut controller, mut audio) = engine();
        controller.load_patch(patch(HALF, true)).unwrap();
        render(&mut audio, EDIT + AFTER, 64).split_off(EDIT)
    };
    let want: Vec<f32> = (0..AFTER)
        .map(|k| old_tail[k] + new_alone[k] * ((k + 1).min(FADE) as f32 / FADE as f32))
        .collect();
    let (after, peak) = swapped(patch(VERB, true), patch(HALF, true), 4.0, 256);
    assert!(peak.is_some_and(|peak| peak > quiet()), "rings: {peak:?}");
    let (want_db, got_db) = (envelope(&want[..48_000]), envelope(&after[..48_000]));
    let mut worst = 0.0_f64;
    for (window, (want, got)) in want_db.iter().zip(&got_db).enumerate() {
        assert!(*want > -90.0, "window {window}: the sum still sounds");
        assert!(
            (got - want).abs() < 0.1,
            "window {window}: {got:.2} dB, expected {want:.2} dB"
        );
        worst = worst.max((got - want).abs());
    }
    // The ghost stops at the end of the first quiet block of the old tail after the fade,
    // then only the new program plays.
    let stop = first_quiet_block(&old_tail, FADE);
    assert!(stop < 192_000, "stopped by the level: {stop}");
    for (k, (&got, &want)) in after.iter().zip(&want).enumerate() {
        let want = if k < stop { want } else { want - old_tail[k] };
        assert!(
            (got - want).abs() <= 1e-5,
            "sample {k} after the edit: {got}, expected {want}"
        );
    }
    println!(
        "changed module: worst window {worst:.4} dB over the first second; the old tail stopped {stop} samples ({:.3} s) after the edit",
        stop as f64 / RATE
    );
    let (at_1024, _) = swapped(patch(VERB, true), patch(HALF, true), 4.0, 1_024);
    let (at_64, _) = swapped(patch(VERB, true), patch(HALF, true), 4.0, 64);
    assert!(
        after == at_1024 && after == at_64,
        "the same bits at any buffer"
    );
}

/// A delay whose module changes within its state family (the comb takes the feedback
/// delay's line over) carries its tail in the new module: nothing rings, and the output is
/// bit for bit the one with tails off.
#[test]
fn a_module_change_that_carries_the_state_on_does_not_ring() {
    let delay = |module| burst_into(module, &[("time", 0.05)], "out", true);
    let (ringing, peak) = swapped(delay("delay.feedback"), delay("delay.comb"), 4.0, 256);
    let (cut, _) = swapped(delay("delay.feedback"), delay("delay.comb"), 0.0, 256);
    assert_eq!(peak, None, "no ghost");
    assert!(ringing == cut, "the same samples as with tails off");
    // And the state did carry: the comb plays the feedback delay's line at the edit.
    assert!(ringing[..FADE].iter().any(|s| s.abs() > 1e-3));
}
