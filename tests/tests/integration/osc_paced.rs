//! OSC control while the audio half plays paced in real time, one block every 64 samples'
//! worth of time on its own thread: every `/param/set` is applied, none is dropped, and the
//! values play in the order they were sent, each from a block boundary. How long that takes
//! (the `/ping` round trip, a `/param/set` to the block that plays it) is measured by
//! `cargo bench -p patchvm-benches --bench osc`, where a loaded machine cannot fail a test.

use patchvm::ir::PatchBuilder;
use patchvm::vm::MAX_BLOCK;
use patchvm_tests::osc::{Client, PATIENCE, Rig, s};
use rosc::OscType;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[test]
fn param_sets_sent_while_playing_in_real_time_all_play_in_order() {
    let mut rig = Rig::new(
        PatchBuilder::new()
            .node("g", "gain", &[("in", 1.0), ("amp", 0.0)])
            .node("out", "output", &[])
            .connect(("g", "out"), ("out", "in"))
            .build(),
    );
    let client = Client::new(rig.server.local_addr());
    // The first event for `g` recompiles it unfolded; get that swap done first.
    client.send_message("/param/set", vec![s("g"), s("amp"), OscType::Float(0.0)]);
    client.sync(0);
    rig.render(4 * MAX_BLOCK);
    let applied_before = rig.controller.lock().unwrap().metrics().applied_events;

    // The audio half on its own thread, one block every 64 samples' worth of time, logging
    // each block's samples (an event sent `Now` lands on a block's first sample).
    let stop = Arc::new(AtomicBool::new(false));
    let mut audio = rig.audio;
    let audio_thread = std::thread::spawn({
        let stop = Arc::clone(&stop);
        move || {
            let period = Duration::from_secs_f64(MAX_BLOCK as f64 / 48_000.0);
            let mut log: Vec<[f32; MAX_BLOCK]> = Vec::with_capacity(1 << 16);
            let mut block = [0.0_f32; MAX_BLOCK];
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(period);
                audio.process(&mut block);
                log.push(block);
            }
            log
        }
    });
    let values: Vec<f32> = (1..=200).map(|k| k as f32 / 256.0).collect();
    for (k, &value) in values.iter().enumerate() {
        std::thread::sleep(Duration::from_micros(4_000 + 137 * (k as u64 % 7)));
        client.send_message("/param/set", vec![s("g"), s("amp"), OscType::Float(value)]);
    }
    assert_eq!(client.sync(1).len(), 0, "every /param/set was applied");
    // Until the audio half has played every event (no fixed wait a loaded machine outlasts).
    let started = Instant::now();
    while rig.controller.lock().unwrap().metrics().applied_events
        < applied_before + values.len() as u64
    {
        assert!(started.elapsed() < PATIENCE, "the audio half stalled");
        std::thread::yield_now();
    }
    stop.store(true, Ordering::Relaxed);
    let log = audio_thread.join().unwrap();

    let dropped = rig.controller.lock().unwrap().metrics().dropped_events;
    assert_eq!(dropped, 0, "events dropped");
    // Each block holds one value throughout: events sent `Now` land on a block's first sample.
    for block in &log {
        assert!(
            block.iter().all(|&x| x == block[0]),
            "a value changed mid-block"
        );
    }
    // The values played rise through what was sent, in order, ending at the last; a starved
    // audio thread may take two in one block, so a value may be skipped, never reordered.
    let played: Vec<f32> = log.iter().map(|block| block[0]).collect();
    assert!(
        played.windows(2).all(|pair| pair[0] <= pair[1]),
        "played out of order"
    );
    assert!(played.iter().all(|x| *x == 0.0 || values.contains(x)));
    assert_eq!(played.last(), values.last(), "the last value plays");
}
