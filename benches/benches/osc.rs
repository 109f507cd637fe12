//! How long OSC control takes, over loopback: the `/ping`–`/pong` round trip, a `/param/set`
//! from its datagram to the block that plays it with the audio half paced in real time on its
//! own thread, and stopping the server (its thread is woken, not left to its 100 ms poll).
//! These were wall-clock bounds in the tests; here a loaded machine only moves a figure.

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use patchvm::ir::{Patch, PatchBuilder};
use patchvm::vm::MAX_BLOCK;
use patchvm_tests::osc::{Client, Rig, s};
use rosc::OscType;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A constant 1 through a gain whose `amp` the benches set.
fn level() -> Patch {
    PatchBuilder::new()
        .node("g", "gain", &[("in", 1.0), ("amp", 0.0)])
        .node("out", "output", &[])
        .connect(("g", "out"), ("out", "in"))
        .build()
}

fn ping(c: &mut Criterion) {
    let rig = Rig::new(level());
    let client = Client::new(rig.server.local_addr());
    let mut tag = 0;
    let mut group = c.benchmark_group("osc");
    group.bench_function("ping round trip", |b| {
        b.iter(|| {
            tag += 1;
            assert!(client.sync(tag).is_empty());
        });
    });
    group.finish();
}

/// What the paced audio thread publishes after each block: its first sample (where an event
/// sent `Now` lands) and when the block started, in nanoseconds since `epoch`.
struct Played {
    epoch: Instant,
    first: AtomicU32,
    started_ns: AtomicU64,
    stop: AtomicBool,
}

fn param_set(c: &mut Criterion) {
    let mut rig = Rig::new(level());
    let client = Client::new(rig.server.local_addr());
    // The first event for `g` recompiles it unfolded; get that swap done first.
    client.send_message("/param/set", vec![s("g"), s("amp"), OscType::Float(0.0)]);
    client.sync(0);
    rig.render(4 * MAX_BLOCK);
    let played = Arc::new(Played {
        epoch: Instant::now(),
        first: AtomicU32::new(0.0_f32.to_bits()),
        started_ns: AtomicU64::new(0),
        stop: AtomicBool::new(false),
    });
    let mut audio = rig.audio;
    let audio_thread = std::thread::spawn({
        let played = Arc::clone(&played);
        move || {
            let period = Duration::from_secs_f64(MAX_BLOCK as f64 / 48_000.0);
            let mut block = [0.0_f32; MAX_BLOCK];
            let mut next = Instant::now();
            while !played.stop.load(Ordering::Relaxed) {
                next += period;
                if let Some(wait) = next.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                let started = played.epoch.elapsed().as_nanos() as u64;
                audio.process(&mut block);
                played.started_ns.store(started, Ordering::Relaxed);
                played.first.store(block[0].to_bits(), Ordering::Release);
            }
        }
    });
    let mut group = c.benchmark_group("osc");
    group
        .sample_size(20)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(3));
    let (mut value, mut phase) = (0.0_f32, 0u64);
    group.bench_function("param-set to the block that plays it", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                value = if value == 0.25 { 0.5 } else { 0.25 };
                // Untimed: send at a different point of the block period each time, as a
                // performer would, not just after the block that played the last value.
                phase = (phase + 577) % 1_333;
                std::thread::sleep(Duration::from_micros(phase));
                let sent = played.epoch.elapsed();
                client.send_message("/param/set", vec![s("g"), s("amp"), OscType::Float(value)]);
                while played.first.load(Ordering::Acquire) != value.to_bits() {
                    std::thread::yield_now();
                }
                let started = Duration::from_nanos(played.started_ns.load(Ordering::Relaxed));
                total += started.saturating_sub(sent);
            }
            total
        });
    });
    group.finish();
    played.stop.store(true, Ordering::Relaxed);
    audio_thread.join().unwrap();
}

fn stop(c: &mut Criterion) {
    let mut group = c.benchmark_group("osc");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(2));
    group.bench_function("stop the server", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let rig = Rig::new(level());
                Client::new(rig.server.local_addr()).sync(1);
                let started = Instant::now();
                rig.server.stop();
                total += started.elapsed();
            }
            total
        });
    });
    group.finish();
}

criterion_group!(benches, ping, param_set, stop);
criterion_main!(benches);
