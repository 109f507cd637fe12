//! The clock model measured on synthetic hosts: an audio device whose clock drifts from the
//! system's by 30 parts per million, called back late by seeded jitter, or in bursts; the
//! model's map is compared with the device's true one at instants between the calls.

use super::*;

const RATE: f64 = 48_000.0;
/// The device's clock runs this much fast against the system's.
const DRIFT: f64 = 30e-6;

/// SplitMix64, uniform in `0..1`: the same jitter on every machine.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// When the device plays frame `frames`, in seconds from the start.
fn device_seconds(frames: f64) -> f64 {
    frames / (RATE * (1.0 + DRIFT))
}

/// How a host calls back.
#[derive(Clone, Copy, Debug)]
enum Host {
    /// Each call late by up to this many seconds, uniformly.
    Late(f64),
    /// Calls in bursts covering a device period of 1 024 frames (two calls at least), one
    /// every 20 µs from the period's start: a 64-frame callback under a sound server whose
    /// period is 1 024.
    Bursts,
}

/// The instants of calls of `buffer` frames over `seconds`: (frames before the call, its
/// start in seconds).
fn calls(host: Host, buffer: u64, seconds: f64, seed: u64) -> Vec<(u64, f64)> {
    let mut noise = Noise(seed);
    let count = (seconds * RATE / buffer as f64) as u64;
    (0..count)
        .map(|k| {
            let frames = k * buffer;
            let at = match host {
                Host::Late(most) => device_seconds(frames as f64) + most * noise.next(),
                Host::Bursts => {
                    let per_burst = (1_024 / buffer).max(2);
                    let burst = k / per_burst;
                    device_seconds((burst * per_burst * buffer) as f64)
                        + (k % per_burst) as f64 * 20e-6
                }
            };
            (frames, at)
        })
        .collect()
}

/// The spread (largest less smallest) of the model's error against the device at instants
/// between calls after the first second, in seconds; and the same for the mapping a host
/// reading the frames rendered so far would make.
fn spread(host: Host, buffer: u64, seed: u64) -> (f64, f64, f64) {
    let start = Instant::now();
    let at = |seconds: f64| start + Duration::from_secs_f64(seconds);
    let mut model = ClockModel::new(RATE);
    let mut noise = Noise(seed ^ 0x5EED);
    let (mut model_errors, mut inverse_errors, mut naive_errors) = (vec![], vec![], vec![]);
    let calls = calls(host, buffer, 8.0, seed);
    for pair in calls.windows(2) {
        let [(frames, seconds), (_, next)] = [pair[0], pair[1]];
        model.observe(frames, buffer, at(seconds));
        if seconds < 1.0 {
            continue;
        }
        // An instant after this call began and before the next.
        let query = seconds + (next - seconds).max(0.0) * noise.next();
        let truth = query * RATE * (1.0 + DRIFT);
        let mapped = model.sample_at(at(query)).unwrap();
        model_errors.push((mapped - truth) / RATE);
        naive_errors.push(((frames + buffer) as f64 - truth) / RATE);
        let sample = truth.round() as u64;
        let instant = model.instant_at(sample).unwrap();
        let true_instant = device_seconds(sample as f64);
        inverse_errors.push((instant - start).as_secs_f64() - true_instant);
    }
    let width = |errors: &[f64]| {
        let low = errors.iter().copied().fold(f64::INFINITY, f64::min);
        let high = errors.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        high - low
    };
    (
        width(&model_errors),
        width(&inverse_errors),
        width(&naive_errors),
    )
}

#[test]
fn jittery_calls_map_within_a_millisecond_at_any_buffer() {
    for (buffer, seed) in [(64, 1), (256, 2), (1_024, 3)] {
        let (model, inverse, naive) = spread(Host::Late(0.002), buffer, seed);
        assert!(model < 0.001, "{buffer} frames: {:.3} ms", model * 1e3);
        assert!(inverse < 0.001, "{buffer} frames: {:.3} ms", inverse * 1e3);
        // Reading the frame count instead wanders over the buffer and the jitter.
        let buffer_seconds = buffer as f64 / RATE;
        assert!(
            naive > 0.001_f64.max(0.75 * buffer_seconds),
            "{buffer} frames: naive {naive}"
        );
    }
}

#[test]
fn bursty_calls_map_within_a_millisecond_at_any_buffer() {
    for (buffer, seed) in [(64, 4), (256, 5), (1_024, 6)] {
        let (model, inverse, naive) = spread(Host::Bursts, buffer, seed);
        assert!(model < 0.001, "{buffer} frames: {:.3} ms", model * 1e3);
        assert!(inverse < 0.001, "{buffer} frames: {:.3} ms", inverse * 1e3);
        // Bursts of 1 024 frames or more: the frame count jumps by 21.3 ms at once.
        assert!(
            naive > 0.75 * 1_024.0 / RATE,
            "{buffer} frames: naive {naive}"
        );
    }
}

#[test]
fn the_lead_is_a_buffer_and_the_jitter_even_from_a_few_calls_taken() {
    // A thread that looks at the metrics every 10 ms takes one call in eight of 64 frames.
    for (buffer, every) in [(64, 8), (256, 2), (1_024, 1)] {
        let start = Instant::now();
        let mut model = ClockModel::new(RATE);
        let calls = calls(Host::Late(0.002), buffer, 3.0, 7);
        for &(frames, seconds) in calls.iter().step_by(every) {
            model.observe(frames, buffer, start + Duration::from_secs_f64(seconds));
        }
        // A buffer, plus at most the jitter around the line (2 ms, half of it each side).
        let lead = model.lead().unwrap();
        let (low, high) = (buffer as f64, buffer as f64 + 0.002 * RATE);
        assert!((low..high).contains(&lead), "{buffer} frames: lead {lead}");
    }
}

#[test]
fn a_preempted_call_does_not_tilt_the_line() {
    let start = Instant::now();
    let at = |seconds: f64| start + Duration::from_secs_f64(seconds);
    let mut model = ClockModel::new(RATE);
    for k in 0..400_u64 {
        let frames = k * 256;
        // Every 50th call is 30 ms late.
        let late = if k % 50 == 49 { 0.03 } else { 0.0 };
        model.observe(frames, 256, at(frames as f64 / RATE + late));
    }
    // Frame 102 400 (the next call) plays at 2 1/3 s exactly.
    let instant = model.instant_at(102_400).unwrap();
    let error = (instant - start).as_secs_f64() - 102_400.0 / RATE;
    assert!(error.abs() < 0.000_1, "{:.3} ms", error * 1e3);
}

#[test]
fn a_stall_starts_the_model_again_on_the_new_line() {
    let start = Instant::now();
    let at = |seconds: f64| start + Duration::from_secs_f64(seconds);
    let mut model = ClockModel::new(RATE);
    for k in 0..200_u64 {
        model.observe(k * 256, 256, at(k as f64 * 256.0 / RATE));
    }
    // The audio stops for half a second, then goes on from frame 51 200: the model starts
    // again, and answers once it has 50 ms of calls.
    let resumed = 200.0 * 256.0 / RATE + 0.5;
    for k in 0..12_u64 {
        model.observe((200 + k) * 256, 256, at(resumed + k as f64 * 256.0 / RATE));
        let locked = model.sample_at(at(resumed)).is_some();
        assert_eq!(locked, k >= 10, "after {} calls", k + 1);
    }
    let sample = model.sample_at(at(resumed + 0.1)).unwrap();
    assert!((sample - (51_200.0 + 4_800.0)).abs() < 0.01, "{sample}");
    // Before any observation there is no line; frames going back start again.
    assert_eq!(ClockModel::new(RATE).sample_at(start), None);
    model.observe(0, 256, start);
    assert_eq!(model.sample_at(at(0.5)), None);
    // Calls faster than real time never lock: a second rendered in a millisecond.
    let mut offline = ClockModel::new(RATE);
    for k in 0..100_u64 {
        offline.observe(k * 48_000, 48_000, at(k as f64 * 0.001));
    }
    assert_eq!(offline.sample_at(at(0.1)), None);
}
