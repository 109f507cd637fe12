//! Timed OSC bundles on a simulated host: an audio device whose clock drifts 30 ppm from the
//! system's calls the audio half back late by seeded jitter, in buffers of 64, 256 and 1 024
//! frames, while bundles tagged 100 ms ahead arrive at random instants between the calls.
//! Each bundle steps a level; the sample it lands on is read from the rendered output and
//! compared with the sample the device plays at the tag's instant.

use patchvm::engine::{AudioClock, Engine, EngineSettings};
use patchvm::ir::{Limits, Patch, PatchBuilder};
use patchvm::osc::Dispatcher;
use patchvm::osc::schedule::{Now, time_tag_at};
use patchvm_tests::osc::{message, s};
use rosc::{OscBundle, OscPacket, OscType, encoder};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

const RATE: f64 = 48_000.0;
/// The device's clock runs this much fast against the system's.
const DRIFT: f64 = 30e-6;
/// How far ahead of their sending the bundles are tagged.
const AHEAD: f64 = 0.1;

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

/// `in · amp` with both inputs unconnected: a level that events set, visible per sample.
fn level() -> Patch {
    PatchBuilder::new()
        .node("g", "gain", &[("in", 1.0), ("amp", 0.0)])
        .node("out", "output", &[])
        .connect(("g", "out"), ("out", "in"))
        .build()
}

fn set_level(amp: f32) -> OscPacket {
    message("/param/set", vec![s("g"), s("amp"), OscType::Float(amp)])
}

/// For each bundle, the sample it landed on less the sample the device plays at its tag.
fn landings(buffer: usize, seed: u64) -> Vec<f64> {
    let settings = EngineSettings {
        channels: 1,
        ..EngineSettings::default()
    };
    let (mut controller, mut audio) = Engine::new(settings, Limits::default());
    controller.load_patch(level()).unwrap();
    let clock = AudioClock::manual(RATE);
    controller.set_audio_clock(clock.clone());
    let dispatcher = Dispatcher::new(&controller);
    let controller = Mutex::new(controller);
    // The first event for `g` recompiles it unfolded: done before the timeline starts.
    let warm = encoder::encode(&set_level(0.0)).unwrap();
    assert!(dispatcher.datagram(&warm, &controller).is_empty());

    let (wall, start) = (SystemTime::now(), Instant::now());
    let now = |seconds: f64| Now {
        wall: wall + Duration::from_secs_f64(seconds),
        instant: start + Duration::from_secs_f64(seconds),
    };
    let mut noise = Noise(seed);
    let mut output = Vec::new();
    let mut buffer_out = vec![0.0_f32; buffer];
    let mut tags = Vec::new();
    let mut next_send = 1.0;
    let calls = (4.0 * RATE) as usize / buffer;
    let call_at = |k: usize, noise: &mut Noise| {
        (k * buffer) as f64 / (RATE * (1.0 + DRIFT)) + 0.002 * noise.next()
    };
    let mut this_call = call_at(0, &mut noise);
    for k in 0..calls {
        let frames = (k * buffer) as u64;
        clock.observe(frames, buffer as u64, now(this_call).instant);
        audio.process(&mut buffer_out);
        output.extend_from_slice(&buffer_out);
        let next_call = call_at(k + 1, &mut noise).max(this_call);
        // Bundles sent between this call and the next, every 50 ms or so, until 3.5 s.
        while next_send < next_call && next_send < 3.5 {
            let sent = next_send.max(this_call);
            let tag = sent + AHEAD;
            let amp = (tags.len() + 1) as f32;
            let bundle = OscPacket::Bundle(OscBundle {
                timetag: time_tag_at(now(tag).wall),
                content: vec![set_level(amp)],
            });
            let bytes = encoder::encode(&bundle).unwrap();
            assert!(
                dispatcher
                    .datagram_at(&bytes, &controller, now(sent))
                    .is_empty()
            );
            tags.push(tag);
            next_send += 0.04 + 0.02 * noise.next();
        }
        this_call = next_call;
    }
    // Each level first sounds at the sample its bundle landed on.
    let mut from = 0;
    tags.iter()
        .enumerate()
        .map(|(j, tag)| {
            let amp = (j + 1) as f32;
            let landed = from
                + output[from..]
                    .iter()
                    .position(|&x| x == amp)
                    .unwrap_or_else(|| panic!("bundle {j} never landed"));
            from = landed;
            landed as f64 - tag * RATE * (1.0 + DRIFT)
        })
        .collect()
}

#[test]
fn timed_bundles_land_on_their_sample_within_a_millisecond_whatever_the_buffer() {
    let mut all = Vec::new();
    for (buffer, seed) in [(64, 1), (256, 2), (1_024, 3)] {
        let errors = landings(buffer, seed);
        assert!(errors.len() > 40, "{} bundles", errors.len());
        let low = errors.iter().copied().fold(f64::INFINITY, f64::min);
        let high = errors.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        eprintln!(
            "{buffer}-frame buffers: {} bundles landed {:.3}..{:.3} ms from the device's sample",
            errors.len(),
            low / RATE * 1e3,
            high / RATE * 1e3
        );
        all.extend(errors);
    }
    // One constant offset (the calls' mean lateness) for every bundle at every buffer, and
    // around it less than a millisecond: 48 samples.
    let low = all.iter().copied().fold(f64::INFINITY, f64::min);
    let high = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!(
        high - low < 48.0,
        "landings spread over {} samples",
        high - low
    );
}
