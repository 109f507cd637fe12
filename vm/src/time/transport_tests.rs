//! The transport measured: where blocks end, the beat of each sample, commands landing.

use super::{Transport, TransportCommand};
use crate::time::tempo_map::{TempoMap, TempoPoint, TempoShape};
use proptest::prelude::*;

const RATE: f64 = 48_000.0;

fn steady(bpm: f64) -> TempoMap {
    TempoMap::new(bpm, 4.0, &[]).unwrap()
}

/// Steps the transport over `frames` samples from `from` in host buffers of `split`
/// samples, returning each sample's beat position (as `Beats::at` gives it).
fn positions(
    transport: &mut Transport,
    map: &TempoMap,
    from: u64,
    frames: u64,
    split: &[usize],
) -> Vec<f64> {
    let mut out = Vec::new();
    let mut now = from;
    let mut buffers = split.iter().cycle();
    while now < from + frames {
        let buffer = (*buffers.next().unwrap() as u64).min(from + frames - now);
        let end = now + buffer;
        while now < end {
            let (length, beats) = transport.next(now, (end - now).min(64) as usize, map);
            out.extend((0..length).map(|i| beats.at(i)));
            now += length as u64;
        }
    }
    out
}

#[test]
fn a_steady_tempo_plays_from_zero() {
    // 120 BPM at 48 kHz: a beat every 24 000 samples.
    let map = steady(120.0);
    let mut transport = Transport::new(RATE);
    let (length, beats) = transport.next(0, 64, &map);
    assert_eq!(length, 64);
    assert_eq!(beats.position, 0.0);
    assert_eq!(beats.per_sample, 1.0 / 24_000.0);
    assert!(beats.playing && beats.jumped);
    assert_eq!(transport.position(24_000, &map), 1.0);
    let (_, later) = transport.next(64, 64, &map);
    assert!(!later.jumped);
}

#[test]
fn blocks_end_at_a_segment_boundary() {
    // 120 BPM to beat 2 (1 s: sample 48 000), then 60 BPM.
    let step = TempoPoint {
        beat: 2.0,
        bpm: 60.0,
        shape: TempoShape::Step,
    };
    let map = TempoMap::new(120.0, 4.0, &[step]).unwrap();
    let mut transport = Transport::new(RATE);
    assert_eq!(transport.next(47_990, 64, &map).0, 10);
    let (_, beats) = transport.next(48_000, 64, &map);
    assert_eq!(beats.position, 2.0);
    assert_eq!(beats.bpm, 60.0);
    assert_eq!(beats.per_sample, 1.0 / 48_000.0);
    // Beat 3 one second later.
    assert_eq!(transport.position(96_000, &map), 3.0);
}

#[test]
fn a_ramp_follows_the_closed_form_sample_by_sample() {
    // 120 to 180 BPM over beats 0..10 (4 s), then steady.
    let ramp = TempoPoint {
        beat: 10.0,
        bpm: 180.0,
        shape: TempoShape::Ramp,
    };
    let map = TempoMap::new(120.0, 4.0, &[ramp]).unwrap();
    let mut transport = Transport::new(RATE);
    let beats = positions(&mut transport, &map, 0, 5 * 48_000, &[500]);
    for (sample, beat) in beats.iter().enumerate().step_by(997) {
        let expected = map.beat_at(sample as f64 / RATE);
        assert!(
            (beat - expected).abs() < 1e-9,
            "sample {sample}: {beat} against {expected}"
        );
    }
    // 4.5 beats at 2 s (see the tempo map's tests), 10 at 4 s.
    assert!((beats[96_000] - 4.5).abs() < 1e-9);
    assert!((beats[192_000] - 10.0).abs() < 1e-9);
}

#[test]
fn a_loop_wraps_at_its_end_sample() {
    // Loop beats 0..1 at 120 BPM: sample 24 000 is beat 0 again.
    let map = steady(120.0);
    let mut transport = Transport::new(RATE);
    transport.command(
        0,
        TransportCommand::Loop {
            start: 0.0,
            end: 1.0,
        },
        &map,
    );
    assert_eq!(transport.next(23_990, 64, &map).0, 10);
    let (_, beats) = transport.next(24_000, 64, &map);
    assert_eq!(beats.position, 0.0);
    assert!(beats.jumped);
    assert_eq!(transport.position(36_000, &map), 0.5);
    transport.command(36_000, TransportCommand::LoopOff, &map);
    assert_eq!(transport.position(72_000, &map), 2.0);
}

#[test]
fn seek_stop_and_play_land_at_their_sample() {
    let map = steady(120.0);
    let mut transport = Transport::new(RATE);
    transport.command(100, TransportCommand::Seek(4.0), &map);
    let (_, beats) = transport.next(100, 64, &map);
    assert_eq!(beats.position, 4.0);
    assert!(beats.jumped);
    assert_eq!(transport.position(24_100, &map), 5.0);
    transport.command(24_100, TransportCommand::Stop, &map);
    let (_, stopped) = transport.next(30_000, 64, &map);
    assert_eq!(
        (stopped.position, stopped.per_sample, stopped.playing),
        (5.0, 0.0, false)
    );
    transport.command(50_000, TransportCommand::Play, &map);
    let (_, playing) = transport.next(50_000, 64, &map);
    assert!(playing.jumped && playing.playing);
    assert_eq!(transport.position(74_000, &map), 6.0);
}

#[test]
fn a_tempo_change_waits_for_the_next_beat() {
    // At sample 1000 (beat 1/24), 60 BPM from beat 1 (sample 24 000) on: beat 2 at 72 000.
    let map = steady(120.0);
    let mut transport = Transport::new(RATE);
    transport.command(
        1_000,
        TransportCommand::Tempo {
            bpm: 60.0,
            next_beat: true,
        },
        &map,
    );
    assert_eq!(transport.next(23_990, 64, &map).0, 10);
    let (_, beats) = transport.next(24_000, 64, &map);
    assert_eq!((beats.position, beats.bpm), (1.0, 60.0));
    assert_eq!(transport.position(72_000, &map), 2.0);
    // At once when no beat is awaited.
    transport.command(
        72_000,
        TransportCommand::Tempo {
            bpm: 240.0,
            next_beat: false,
        },
        &map,
    );
    assert_eq!(transport.position(84_000, &map), 3.0);
}

#[test]
fn a_new_map_keeps_the_position() {
    let old = steady(120.0);
    let new = steady(60.0);
    let mut transport = Transport::new(RATE);
    transport.adopt(48_000, &old);
    assert_eq!(transport.position(48_000, &new), 2.0);
    assert_eq!(transport.position(96_000, &new), 3.0);
}

#[test]
fn commands_out_of_range_change_nothing() {
    let map = steady(120.0);
    let mut transport = Transport::new(RATE);
    transport.command(
        0,
        TransportCommand::Loop {
            start: 2.0,
            end: 1.0,
        },
        &map,
    );
    transport.command(
        0,
        TransportCommand::Tempo {
            bpm: f64::NAN,
            next_beat: false,
        },
        &map,
    );
    transport.command(0, TransportCommand::Seek(f64::INFINITY), &map);
    assert_eq!(transport.looping(), None);
    assert_eq!(transport.position(24_000, &map), 1.0);
}

proptest! {
    #[test]
    fn positions_have_the_same_bits_whatever_the_buffers(
        split in prop::collection::vec(1usize..300, 1..8),
    ) {
        let ramp = TempoPoint { beat: 3.0, bpm: 137.0, shape: TempoShape::Ramp };
        let map = TempoMap::new(100.0, 4.0, &[ramp]).unwrap();
        let frames = 2 * 48_000;
        let mut whole = Transport::new(RATE);
        whole.command(0, TransportCommand::Loop { start: 1.0, end: 5.0 }, &map);
        let mut split_up = whole.clone();
        let expected = positions(&mut whole, &map, 0, frames, &[64]);
        let got = positions(&mut split_up, &map, 0, frames, &split);
        prop_assert!(expected.iter().zip(&got).all(|(a, b)| a.to_bits() == b.to_bits()));
        prop_assert_eq!(expected.len(), got.len());
    }
}
