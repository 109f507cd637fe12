//! How long OSC control takes: the `/ping`–`/pong` round trip, and the time from sending a
//! `/param/set` to the first block that plays it, with the audio half paced in real time.
//! Figures are printed (`--nocapture`); the bounds are loose enough for a busy machine and
//! still fail if a datagram waits on a poll timeout or a block is skipped.

use patchvm::ir::PatchBuilder;
use patchvm::vm::MAX_BLOCK;
use patchvm_tests::osc::{Client, Rig, s};
use rosc::OscType;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The `q`-quantile of `durations` (sorted in place).
fn quantile(durations: &mut [Duration], q: f64) -> Duration {
    durations.sort();
    durations[((durations.len() - 1) as f64 * q).round() as usize]
}

fn level_rig() -> Rig {
    Rig::new(
        PatchBuilder::new()
            .node("g", "gain", &[("in", 1.0), ("amp", 0.0)])
            .node("out", "output", &[])
            .connect(("g", "out"), ("out", "in"))
            .build(),
    )
}

#[test]
fn ping_round_trips_take_microseconds() {
    let rig = level_rig();
    let client = Client::new(rig.server.local_addr());
    for tag in 0..100 {
        client.sync(tag); // warm up
    }
    let mut trips: Vec<Duration> = (0..1_000)
        .map(|tag| {
            let sent = Instant::now();
            assert!(client.sync(tag).is_empty());
            sent.elapsed()
        })
        .collect();
    let (median, p99) = (quantile(&mut trips, 0.5), quantile(&mut trips, 0.99));
    let max = trips[trips.len() - 1];
    eprintln!("OSC /ping round trip over 1000: median {median:?}, p99 {p99:?}, max {max:?}");
    assert!(median < Duration::from_millis(5), "median {median:?}");
    assert!(p99 < Duration::from_millis(50), "p99 {p99:?}");
}

#[test]
fn a_param_set_plays_from_the_next_block_boundary() {
    let mut rig = level_rig();
    let client = Client::new(rig.server.local_addr());
    // The first event for `g` recompiles it unfolded; get that swap done first.
    client.send_message("/param/set", vec![s("g"), s("amp"), OscType::Float(0.0)]);
    client.sync(0);
    rig.render(4 * MAX_BLOCK);

    // The audio half on its own thread, one block every 64 samples' worth of time, logging
    // when each block started and its first sample (where an event sent `Now` lands).
    let stop = Arc::new(AtomicBool::new(false));
    let mut audio = rig.audio;
    let player = std::thread::spawn({
        let stop = Arc::clone(&stop);
        move || {
            let period = Duration::from_secs_f64(MAX_BLOCK as f64 / 48_000.0);
            let mut log: Vec<(Instant, f32)> = Vec::with_capacity(1 << 16);
            let mut block = [0.0_f32; MAX_BLOCK];
            let mut next = Instant::now();
            while !stop.load(Ordering::Relaxed) {
                next += period;
                if let Some(wait) = next.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                let started = Instant::now();
                audio.process(&mut block);
                log.push((started, block[0]));
            }
            log
        }
    });
    let sends: Vec<(Instant, f32)> = (1..=200)
        .map(|k| {
            let value = k as f32 / 256.0;
            std::thread::sleep(Duration::from_micros(4_000 + 137 * (k % 7)));
            let sent = Instant::now();
            client.send_message("/param/set", vec![s("g"), s("amp"), OscType::Float(value)]);
            (sent, value)
        })
        .collect();
    std::thread::sleep(Duration::from_millis(20));
    stop.store(true, Ordering::Relaxed);
    let log = player.join().unwrap();

    // The block that plays each value, or the next one sent if the audio thread, starved
    // on a busy machine, fell more than a send behind and took both in one block (values
    // rise, so that block's first sample is larger).
    let mut superseded = 0;
    let mut latencies: Vec<Duration> = sends
        .iter()
        .map(|&(sent, value)| {
            let &(started, first) = log
                .iter()
                .find(|&&(started, first)| started >= sent && first >= value)
                .unwrap_or_else(|| panic!("the value {value} never played"));
            if first > value {
                superseded += 1;
            }
            started - sent
        })
        .collect();
    let dropped = rig.controller.lock().unwrap().metrics().dropped_events;
    assert_eq!(dropped, 0, "events dropped");
    let (median, p99) = (
        quantile(&mut latencies, 0.5),
        quantile(&mut latencies, 0.99),
    );
    let max = latencies[latencies.len() - 1];
    let block = Duration::from_secs_f64(MAX_BLOCK as f64 / 48_000.0);
    eprintln!(
        "/param/set datagram to the block that plays it, over 200 (blocks of {block:?}): \
         median {median:?}, p99 {p99:?}, max {max:?}; {superseded} taken in a block with the next"
    );
    assert_eq!(client.sync(1).len(), 0, "every /param/set was applied");
    // A datagram handled at once waits at most one block for the next boundary.
    assert!(median < 2 * block, "median {median:?}");
    assert!(p99 < Duration::from_millis(50), "p99 {p99:?}");
}
