//! The live engine's audio half where the proofs did not reach before: host input, notes that
//! arrive while a structural swap waits, and a return queue too full to take the next
//! program — every call under `assert_no_alloc` (and RealtimeSanitizer in CI, through the
//! audio half's marked entry point).

use crate::{AudioHalf, Engine, EngineError, EngineSettings, NoteBinding};
use assert_no_alloc::assert_no_alloc;
use patchvm_ir::{Format, Limits};

/// Host input through a gain of `amp` (and, if `extra`, a second gain of 1), so each version
/// is told by its output level and consecutive versions differ in structure.
fn patch(amp: f32, extra: bool) -> String {
    let (node, wire) = match extra {
        true => (
            r#"(h (type "gain") (amp 1))"#,
            r#"(g "out" -> h "in") (h "out" -> out "in")"#,
        ),
        false => ("", r#"(g "out" -> out "in")"#),
    };
    format!(
        r#"(patch (nodes (in1 (type "input")) (g (type "gain") (amp {amp})) {node}
                         (out (type "output")))
                  (connections (in1 "out" -> g "in") {wire}))"#
    )
}

/// Renders 256 frames of host input at 0.25 without allocating; returns the last sample.
fn play(audio: &mut AudioHalf) -> f32 {
    let input = [0.25_f32; 256];
    let mut output = [0.0_f32; 256];
    assert_no_alloc(|| audio.process_with_input(&input, 1, &mut output));
    output[255]
}

#[test]
fn a_full_return_queue_holds_programs_back_and_notes_sent_during_a_swap_land() {
    let settings = EngineSettings {
        channels: 1,
        swap_capacity: 4,
        // Fades of one block (64 samples), so the swaps counted below fit in the buffers.
        fade_ms: 1000.0 * 64.0 / 48_000.0,
        ..EngineSettings::default()
    };
    let (mut controller, mut audio) = Engine::new(settings, Limits::default());
    let load = |controller: &mut crate::Controller, amp: f32, extra: bool| {
        controller.load_text(patch(amp, extra).as_bytes(), Format::Sexpr)
    };
    load(&mut controller, 0.5, false).unwrap();
    assert_eq!(play(&mut audio), 0.25 * 0.5);

    // Four structural edits wait (the queue's capacity); a fifth is refused.
    for k in 1..=4 {
        load(&mut controller, k as f32 / 8.0, k % 2 == 1).unwrap();
    }
    assert!(matches!(
        load(&mut controller, 0.9, true),
        Err(EngineError::Busy {
            waiting: 4,
            started: true
        })
    ));
    // No control call from here. The return queue holds 2 × 4 + 4 = 12; each structural swap
    // sends back four (its receipt, the program it replaced, the receipt of its transition's
    // end, the transition): three swaps fill it, and the fourth program waits.
    for _ in 0..8 {
        play(&mut audio);
    }
    assert_eq!(controller.metrics().swaps, 1 + 3);
    assert_eq!(play(&mut audio), 0.25 * 3.0 / 8.0);
    // Freeing what came back makes room: the last program plays.
    controller.maintain();
    assert_eq!(play(&mut audio), 0.25 * 4.0 / 8.0);
    assert_eq!(controller.metrics().swaps, 1 + 4);

    // A note sent while a structural swap waits reaches the new program's gain.
    controller.bind_notes(NoteBinding {
        freq: None,
        gate: Some(("g".into(), "amp".into())),
    });
    load(&mut controller, 0.75, true).unwrap();
    controller.note_on(60, 127, crate::At::Now).unwrap();
    assert_eq!(play(&mut audio), 0.25);
    assert_eq!(controller.metrics().swaps, 1 + 5);
}
