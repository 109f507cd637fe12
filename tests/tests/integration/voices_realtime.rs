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
