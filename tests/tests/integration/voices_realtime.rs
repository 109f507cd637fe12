//! Many voices on the audio thread allocate nothing: the example poly-synth with 32 voices
//! plays a dense stream of notes (stealing voices), control changes, pitch bend and the
//! sustain pedal, every `process` call under `assert_no_alloc`, whose global allocator aborts
//! the test on any allocation or deallocation inside the checked closure.

use assert_no_alloc::assert_no_alloc;
use patchvm::engine::{At, Engine, EngineSettings};
use patchvm::ir::Limits;
use patchvm_tests::example;

#[test]
fn thirty_two_voices_play_without_allocating() {
    let settings = EngineSettings {
        voices: 32,
        event_capacity: 16_384,
        ..EngineSettings::default()
    };
    let (mut controller, mut audio) = Engine::new(settings, Limits::default());
    controller.load_patch(example("poly-synth.lisp")).unwrap();
    let mut buffer = vec![0.0_f32; 2 * 512];
    let mut state = 1u32;
    let mut next = move |n: u32| {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (state >> 8) % n
    };
    let mut peak_voices = 0;
    for call in 0..2_000u32 {
        let now = controller.time();
        // About six notes a call: more than 32 voices sound within a few calls, so voices
        // are stolen all along.
        for _ in 0..6 {
            let note = 36 + next(48) as u8;
            let at = At::Sample(now + u64::from(next(512)));
            let message = match next(10) {
                0..=4 => [0x90, note, 1 + next(126) as u8],
                5..=7 => [0x80, note, 0],
                8 => [0xB0, [1, 64, 74][next(3) as usize], next(128) as u8],
                _ => [0xE0, next(128) as u8, next(128) as u8],
            };
            controller.midi(&message, at).unwrap();
        }
        peak_voices = peak_voices.max(controller.active_voices());
        let frames = 1 + (call as usize * 37) % 512;
        assert_no_alloc(|| audio.process(&mut buffer[..2 * frames]));
        controller.maintain();
    }
    let metrics = controller.metrics();
    println!(
        "{} frames, {} events applied, {} dropped, up to {peak_voices} voices held",
        metrics.frames, metrics.applied_events, metrics.dropped_events
    );
    assert_eq!(peak_voices, 32);
    assert_eq!(metrics.dropped_events, 0);
    assert!(metrics.applied_events > 20_000);
    assert!(buffer.iter().all(|x| x.is_finite()));
}

/// Eight lanes of notes, each gated by a square LFO of its own rate, into a three-voice
/// template (so voices are stolen all along), beside a MIDI template on channel 2.
fn streams_and_channels() -> String {
    let mut nodes = String::new();
    let mut connections = String::new();
    for lane in 0..8 {
        let rate = 3 + lane;
        nodes.push_str(&format!(
            "(p{lane} (type \"const\") (value {}))
             (g{lane} (type \"lfo.square\") (freq {rate}) (depth 0.5) (offset 0.5))",
            48 + 3 * lane
        ));
        connections.push_str(&format!(
            "(p{lane} \"out\" -> pad \"notes{lane}.pitch\") (g{lane} \"out\" -> pad \"notes{lane}.gate\")"
        ));
    }
    format!(
        r#"(patch
  (nodes {nodes} (mix (type "gain") (amp 0.1)) (out (type "output")))
  (connections {connections}
    (pad "out" -> mix "in") (keys "out" -> mix "in") (mix "out" -> out "in"))
  (voice pad (voices 3)
    (nodes (osc (type "osc.saw")) (env (type "env.adsr")) (vca (type "mul")))
    (connections (osc "out" -> vca "a") (env "out" -> vca "b"))
    (inputs (freq osc "freq") (gate env "gate"))
    (outputs (out vca "out")))
  (voice keys (channel 2)
    (nodes (note (type "voice")) (osc (type "osc.sine")) (vca (type "mul")))
    (connections (note "pitch" -> osc "freq") (osc "out" -> vca "a") (note "gate" -> vca "b"))
    (outputs (out vca "out"))))"#
    )
}

#[test]
fn note_streams_and_channels_play_without_allocating() {
    use patchvm::ir::Format;
    let patch = Format::Sexpr
        .read(streams_and_channels().as_bytes(), &Limits::default())
        .unwrap();
    let settings = EngineSettings {
        voices: 8,
        event_capacity: 4_096,
        ..EngineSettings::default()
    };
    let (mut controller, mut audio) = Engine::new(settings, Limits::default());
    controller.load_patch(patch).unwrap();
    let mut buffer = vec![0.0_f32; 2 * 512];
    let mut peak_voices = 0;
    for call in 0..400u32 {
        let now = controller.time();
        let note = 40 + (call % 24) as u8;
        // Channel 2 plays the keys; channel 1 reaches no template.
        let status = if call % 3 == 0 { 0x90 } else { 0x91 };
        controller
            .midi(&[status, note, 100], At::Sample(now + 10))
            .unwrap();
        controller
            .midi(
                &[status & 0xEF, note.wrapping_sub(5), 0],
                At::Sample(now + 20),
            )
            .unwrap();
        peak_voices = peak_voices.max(controller.active_voices());
        let frames = 1 + (call as usize * 37) % 512;
        assert_no_alloc(|| audio.process(&mut buffer[..2 * frames]));
        controller.maintain();
    }
    assert!(peak_voices >= 2, "{peak_voices}");
    assert_eq!(controller.metrics().dropped_events, 0);
    assert!(buffer.iter().all(|x| x.is_finite()));
}
