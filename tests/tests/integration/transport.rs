//! Musical time measured from samples: the clock on a tempo map with a ramp, transport
//! commands from OSC datagrams landing on their samples, a quantised swap on the bar line,
//! hush, and the clock's bits whatever the host's buffers.

use patchvm::engine::{At, AudioHalf, Controller, Engine, EngineSettings};
use patchvm::ir::transport::{Meter, TempoChange, TempoShape, Transport};
use patchvm::ir::{Limits, Patch, PatchBuilder, Span};
use patchvm::osc::Dispatcher;
use patchvm::vm::{Quantize, TransportCommand};
use patchvm::{Instance, Settings};
use patchvm_tests::live::{fade, mono, render};
use proptest::prelude::*;
use rosc::{OscMessage, OscPacket, OscType, encoder};
use std::sync::Mutex;

const RATE: f64 = 48_000.0;

/// `clock`'s output `port` to the output, over `transport`.
fn clock(port: &str, transport: Option<Transport>) -> Patch {
    Patch {
        transport,
        ..PatchBuilder::new()
            .node("clk", "clock", &[])
            .node("out", "output", &[])
            .connect(("clk", port), ("out", "in"))
            .build()
    }
}

/// The constant `level` to the output, over `transport`.
fn level(level: f64, transport: Option<Transport>) -> Patch {
    Patch {
        transport,
        ..PatchBuilder::new()
            .node("dc", "const", &[("value", level)])
            .node("out", "output", &[])
            .connect(("dc", "out"), ("out", "in"))
            .build()
    }
}

fn section(bpm: f64, meter: Meter, tempo: Vec<TempoChange>) -> Transport {
    Transport {
        bpm,
        meter,
        tempo,
        ..Transport::default()
    }
}

fn four_four() -> Meter {
    Meter { beats: 4, unit: 4 }
}

/// Samples where `phase` falls: where each new cycle starts.
fn wraps(phase: &[f32]) -> Vec<usize> {
    (1..phase.len())
        .filter(|&n| phase[n] < phase[n - 1])
        .collect()
}

#[test]
fn at_137_bpm_with_a_ramp_the_clock_crosses_every_beat_of_8_bars_on_its_sample() {
    // 137 BPM for four bars (beats 0..16, held by a step to the same tempo), then a ramp
    // linear in time to 160 BPM at beat 32.
    let change = |beat: f64, bpm: f64, shape: TempoShape| TempoChange {
        beat,
        bpm,
        shape,
        span: Span::NONE,
    };
    let map = vec![
        change(16.0, 137.0, TempoShape::Step),
        change(32.0, 160.0, TempoShape::Ramp),
    ];
    let patch = clock("phase", Some(section(137.0, four_four(), map)));
    // By hand: beat k ≤ 16 at 60k/137 s. The ramp lasts T = 16 beats / mean tempo
    // = 16 · 120 / (137 + 160) s and climbs a = 23 / T BPM per second, so beat 16 + x is
    // reached τ s after beat 16, where 137τ + aτ²/2 = 60x. Each beat sounds at the first
    // sample at or after its time.
    let t16 = 960.0 / 137.0;
    let ramp_seconds = 16.0 * 120.0 / (137.0 + 160.0);
    let a = 23.0 / ramp_seconds;
    let seconds = |k: f64| match k <= 16.0 {
        true => 60.0 * k / 137.0,
        false => t16 + (-137.0 + (137.0f64 * 137.0 + 120.0 * a * (k - 16.0)).sqrt()) / a,
    };
    let expected: Vec<usize> = (1..=32)
        .map(|k| (seconds(f64::from(k)) * RATE).ceil() as usize)
        .collect();
    assert_eq!(expected[0], 21_022);
    let frames = expected[31] + 1_000;
    let mut instance = Instance::new(&patch, &Settings::default(), &Limits::default()).unwrap();
    let mut phase = vec![0.0; frames];
    instance.process_interleaved(&mut phase, 64);
    assert_eq!(wraps(&phase), expected);
    eprintln!(
        "137 BPM, ramp to 160 over bars 5-8: beat 32 at sample {} ({:.4} s)",
        expected[31],
        seconds(32.0)
    );
}

#[test]
fn a_render_plays_in_the_patch_s_meter() {
    // 90 BPM in 6/8: a bar is 3 quarter notes, 2 s, 96 000 samples.
    let six_eight = section(90.0, Meter { beats: 6, unit: 8 }, vec![]);
    let patch = clock("bar_phase", Some(six_eight));
    let mut instance = Instance::new(&patch, &Settings::default(), &Limits::default()).unwrap();
    let mut bar_phase = vec![0.0; 300_000];
    instance.process_interleaved(&mut bar_phase, 37);
    assert_eq!(wraps(&bar_phase), vec![96_000, 192_000, 288_000]);
}

/// Sends one OSC message through `dispatcher`, as a datagram would arrive.
fn send(dispatcher: &Dispatcher, controller: &Mutex<Controller>, addr: &str, args: Vec<OscType>) {
    let packet = OscPacket::Message(OscMessage {
        addr: addr.to_owned(),
        args,
    });
    let replies = dispatcher.datagram(&encoder::encode(&packet).unwrap(), controller);
    assert!(replies.is_empty(), "{addr}: {replies:?}");
}

/// Renders `frames` more samples of the engine behind `controller`.
fn more(audio: &mut AudioHalf, frames: usize) -> Vec<f32> {
    render(audio, frames)
}

#[test]
fn seek_tempo_and_loop_from_osc_land_on_their_samples() {
    // 120 BPM: 24 000 samples a beat. Commands without a time tag take effect at the next
    // block, which here is the sample the render stopped at.
    let (controller, mut audio) = mono();
    let controller = Mutex::new(controller);
    controller
        .lock()
        .unwrap()
        .load_patch(clock("beat", None))
        .unwrap();
    let dispatcher = Dispatcher::new(&controller.lock().unwrap());
    let mut beat = more(&mut audio, 10_000);
    send(
        &dispatcher,
        &controller,
        "/transport/seek",
        vec![OscType::Float(8.0)],
    );
    beat.extend(more(&mut audio, 10_000));
    assert_eq!((beat[9_999], beat[10_000]), (9_999.0 / 24_000.0, 8.0));
    // At sample 20 000 (beat 8 + 10 000/24 000), 60 BPM from the next beat, 9, at sample
    // 34 000; beat 10 is 48 000 samples later.
    send(
        &dispatcher,
        &controller,
        "/transport/tempo",
        vec![OscType::Float(60.0)],
    );
    beat.extend(more(&mut audio, 70_000));
    assert_eq!((beat[34_000], beat[58_000], beat[82_000]), (9.0, 9.5, 10.0));
    // Loop beats 10..11 from sample 90 000 (beat 10 + 8 000/48 000): back to 10 at 130 000.
    send(
        &dispatcher,
        &controller,
        "/transport/loop",
        vec![OscType::Float(10.0), OscType::Float(11.0)],
    );
    beat.extend(more(&mut audio, 50_000));
    assert_eq!(beat[129_999], (10.0 + 47_999.0 / 48_000.0) as f32);
    assert_eq!(beat[130_000], 10.0);
    // Loop off, stop, play.
    send(&dispatcher, &controller, "/transport/loop", vec![]);
    send(&dispatcher, &controller, "/transport/stop", vec![]);
    beat.extend(more(&mut audio, 1_000));
    assert!(beat[140_000..].iter().all(|&x| x == beat[140_000]));
    send(&dispatcher, &controller, "/transport/play", vec![]);
    beat.extend(more(&mut audio, 48_000));
    let held = f64::from(beat[141_000]);
    let moved = f64::from(beat[141_000 + 47_999]) - held;
    assert!((moved - 47_999.0 / 48_000.0).abs() < 1e-5, "{moved}");
    // A tempo out of range is answered with an error and changes nothing.
    let packet = OscPacket::Message(OscMessage {
        addr: "/transport/tempo".into(),
        args: vec![OscType::Float(0.0)],
    });
    let replies = dispatcher.datagram(&encoder::encode(&packet).unwrap(), &controller);
    assert_eq!(replies.len(), 1);
    assert_eq!(
        replies[0].args,
        vec![OscType::String(
            "/transport/tempo: transport command refused: tempo 0 BPM is out of range; expected 1 to 10000".into()
        )]
    );
}

#[test]
fn taps_from_osc_set_the_tempo_at_the_next_beat() {
    // 120 BPM: taps at samples 10 000 and 40 000 are 0.625 s apart, 96 BPM. Sent at sample
    // 40 000 (beat 1 + 2/3), the tempo changes at beat 2 (sample 48 000); at 96 BPM a beat
    // is 30 000 samples, so beat 3 is at 78 000.
    let (controller, mut audio) = mono();
    let controller = Mutex::new(controller);
    controller
        .lock()
        .unwrap()
        .load_patch(clock("beat", None))
        .unwrap();
    let dispatcher = Dispatcher::new(&controller.lock().unwrap());
    let mut beat = more(&mut audio, 10_000);
    send(&dispatcher, &controller, "/transport/tap", vec![]);
    beat.extend(more(&mut audio, 30_000));
    send(&dispatcher, &controller, "/transport/tap", vec![]);
    beat.extend(more(&mut audio, 40_000));
    assert_eq!(
        (beat[47_999], beat[48_000]),
        ((2.0 - 1.0 / 24_000.0) as f32, 2.0)
    );
    assert_eq!((beat[63_000], beat[78_000]), (2.5, 3.0));
}

#[test]
fn a_quantised_swap_lands_on_the_bar_line_of_the_patch_s_meter() {
    // 100 BPM in 3/4: a bar is 1.8 s, 86 400 samples; the save comes at sample 10 000.
    let meter = || Some(section(100.0, Meter { beats: 3, unit: 4 }, vec![]));
    let (mut controller, mut audio) = mono();
    controller.load_patch(level(0.25, meter())).unwrap();
    controller.quantize_swaps(Some(Quantize::Bars(1)));
    let mut out = render(&mut audio, 10_000);
    controller.load_patch(level(0.5, meter())).unwrap();
    out.extend(render(&mut audio, 100_000));
    assert_eq!(out.iter().position(|&x| x != 0.25), Some(86_400));
    // A folded constant's new value is a structural change: a crossfade over the fade.
    let fade = &out[86_400..86_400 + fade()];
    assert!(fade.windows(2).all(|pair| pair[0] < pair[1]), "{fade:?}");
    assert!(out[86_400 + fade.len()..].iter().all(|&x| x == 0.5));
    // Back to swaps at the next block.
    controller.quantize_swaps(None);
    controller.load_patch(level(0.75, meter())).unwrap();
    let now = render(&mut audio, 64 + fade.len());
    assert!(
        now[..64].iter().all(|&x| x != 0.5),
        "swapped at the next block"
    );
    assert!(now[fade.len()..].iter().all(|&x| x == 0.75));
}

#[test]
fn a_swap_held_for_two_bars_waits_for_a_multiple_of_two_bars() {
    // 120 BPM in 4/4: bars every 96 000 samples; two-bar lines at 192 000, 384 000.
    let (mut controller, mut audio) = mono();
    controller.load_patch(level(0.25, None)).unwrap();
    controller.quantize_swaps(Some(Quantize::Bars(2)));
    let mut out = render(&mut audio, 100_000);
    controller
        .transport(TransportCommand::Seek(2.0), At::Sample(100_000))
        .unwrap();
    controller.load_patch(level(0.5, None)).unwrap();
    out.extend(render(&mut audio, 200_000));
    // From beat 2 at sample 100 000, beat 8 is 6 · 24 000 samples later.
    assert_eq!(out.iter().position(|&x| x != 0.25), Some(244_000));
}

#[test]
fn hush_fades_to_silence_within_a_block_and_keeps_the_transport() {
    let (mut controller, mut audio) = mono();
    controller.load_patch(clock("beat", None)).unwrap();
    let mut out = render(&mut audio, 24_000);
    assert!(controller.hush());
    out.extend(render(&mut audio, 24_000));
    // The beat (1.0 at sample 24 000) scaled by 1 - (n + 1)/64 for the hush's n-th sample.
    assert_eq!(out[24_000], 1.0 * (1.0 - 1.0 / 64.0));
    assert!(out[24_063..].iter().all(|&x| x == 0.0));
    // The next program sounds again, and the transport has gone on: beat 2 at 48 000.
    controller.load_patch(clock("beat", None)).unwrap();
    let after = render(&mut audio, 64);
    assert_eq!(after[0], 2.0);
}

/// Plays the clock's beat and bar phase (left, right) for `frames` samples through a live
/// engine, transport commands scheduled at fixed samples, in host buffers of the sizes in
/// `buffers` (repeated).
fn clock_bits(buffers: &[usize], frames: usize) -> Vec<u32> {
    let ramp = TempoChange {
        beat: 6.0,
        bpm: 171.0,
        shape: TempoShape::Ramp,
        span: Span::NONE,
    };
    let patch = Patch {
        transport: Some(section(97.0, four_four(), vec![ramp])),
        ..PatchBuilder::new()
            .node("clk", "clock", &[])
            .node("out", "output", &[])
            .connect(("clk", "beat"), ("out", "left"))
            .connect(("clk", "bar_phase"), ("out", "right"))
            .build()
    };
    let (mut controller, mut audio) = Engine::new(EngineSettings::default(), Limits::default());
    controller.load_patch(patch).unwrap();
    let commands = [
        (
            5_003,
            TransportCommand::Loop {
                start: 1.5,
                end: 7.25,
            },
        ),
        (61_111, TransportCommand::Seek(5.0)),
        (
            90_000,
            TransportCommand::Tempo {
                bpm: 131.0,
                next_beat: true,
            },
        ),
        (150_017, TransportCommand::LoopOff),
    ];
    for (at, command) in commands {
        assert!(controller.transport(command, At::Sample(at)).unwrap());
    }
    let mut out = vec![0.0_f32; 2 * frames];
    let mut done = 0;
    for &buffer in buffers.iter().cycle() {
        if done == frames {
            break;
        }
        let length = buffer.min(frames - done);
        audio.process(&mut out[2 * done..2 * (done + length)]);
        done += length;
    }
    out.iter().map(|x| x.to_bits()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn the_clock_has_the_same_bits_whatever_the_host_buffers(
        buffers in prop::collection::vec(1usize..1_500, 1..12),
    ) {
        let frames = 200_000;
        let expected = clock_bits(&[64], frames);
        prop_assert!(expected == clock_bits(&buffers, frames));
    }
}
