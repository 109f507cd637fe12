//! MIDI clock out measured: ticks on hand-computed samples, at a steady tempo, over a ramp,
//! after seeks and stops, and the same whatever the host's buffers.

use super::ClockOut;
use crate::time::clock_message::ClockMessage::{self, Continue, SongPosition, Start, Stop, Tick};
use crate::time::tempo_map::{TempoMap, TempoPoint, TempoShape};
use crate::time::{Transport, TransportCommand};
use proptest::prelude::*;

const RATE: f64 = 48_000.0;

/// Plays `frames` samples of a transport over `map` in host buffers of `split` samples
/// (cycled), blocks of at most 64 cut at each command's sample as the audio half cuts them,
/// and returns the clock's messages with their engine samples.
fn clock(
    map: &TempoMap,
    commands: &[(u64, TransportCommand)],
    frames: u64,
    split: &[usize],
) -> Vec<(u64, ClockMessage)> {
    let mut transport = Transport::new(RATE);
    let mut clock = ClockOut::new();
    let mut out = Vec::new();
    let mut now = 0;
    let mut buffers = split.iter().cycle();
    while now < frames {
        let end = (now + *buffers.next().unwrap() as u64).min(frames);
        while now < end {
            for &(_, command) in commands.iter().filter(|(at, _)| *at == now) {
                transport.command(now, command, map);
            }
            let mut length = (end - now).min(64);
            if let Some(&(at, _)) = commands.iter().find(|(at, _)| *at > now) {
                length = length.min(at - now);
            }
            let (length, beats) = transport.next(now, length as usize, map);
            clock.block(&beats, length, |i, message| {
                assert!(i < length);
                out.push((now + i as u64, message));
            });
            now += length as u64;
        }
    }
    out
}

fn ticks(messages: &[(u64, ClockMessage)]) -> Vec<u64> {
    messages
        .iter()
        .filter(|(_, message)| *message == Tick)
        .map(|(at, _)| *at)
        .collect()
}

#[test]
fn at_a_steady_tempo_ticks_fall_every_24th_of_a_beat() {
    // 120 BPM at 48 kHz: a beat is 24 000 samples, a tick 1 000.
    let map = TempoMap::new(120.0, 4.0, &[]).unwrap();
    let messages = clock(&map, &[], 48_000, &[256]);
    assert_eq!(messages[0], (0, Start));
    assert_eq!(messages[1], (0, Tick));
    let expected: Vec<u64> = (0..48).map(|k| k * 1_000).collect();
    assert_eq!(ticks(&messages), expected);
    assert_eq!(messages.len(), 49, "start and 48 ticks, nothing else");
    // 130 BPM: a tick is 48 000 · 60 / 130 / 24 = 923.08 samples; tick k on the first sample
    // at or after k · 923.08.
    let map = TempoMap::new(130.0, 4.0, &[]).unwrap();
    let got = ticks(&clock(&map, &[], 10_000, &[100]));
    let expected: Vec<u64> = (0..11)
        .map(|k| (k as f64 * RATE * 60.0 / 130.0 / 24.0).ceil() as u64)
        .collect();
    assert_eq!(&expected[..4], [0, 924, 1_847, 2_770]);
    assert_eq!(got, expected);
}

#[test]
fn across_a_tempo_ramp_ticks_follow_the_beat_line() {
    // 60 BPM ramping linearly in time to 120 BPM at beat 4: the tempo is 60 + 60·t/T BPM, so
    // beats are t + t²/(2T), and 4 beats take T = 8/3 s. Tick k lies at beat k/24:
    // t = T·(√(1 + k/(12T)) − 1); then 120 BPM, a tick every 1 000 samples.
    let ramp = TempoPoint {
        beat: 4.0,
        bpm: 120.0,
        shape: TempoShape::Ramp,
    };
    let map = TempoMap::new(60.0, 4.0, &[ramp]).unwrap();
    let ramp_seconds = 8.0 / 3.0;
    let end = (ramp_seconds * RATE) as u64; // 128 000: the ramp's last sample + 1
    let mut expected: Vec<u64> = (0..96)
        .map(|k| {
            let t = ramp_seconds * ((1.0 + k as f64 / (12.0 * ramp_seconds)).sqrt() - 1.0);
            (t * RATE).ceil() as u64
        })
        .collect();
    expected.extend((0..20).map(|k| end + k * 1_000));
    // The first ticks are 2 000 samples apart (60 BPM), the last of the ramp about 1 000.
    assert_eq!(&expected[..3], [0, 1_985, 3_940]);
    assert_eq!(expected[95] - expected[94], 1_006);
    assert_eq!(ticks(&clock(&map, &[], end + 20_000, &[64])), expected);
}

#[test]
fn a_seek_while_playing_stops_points_and_continues_on_the_next_sixteenth() {
    // 120 BPM: at sample 10 000 (beat 5/12), seek to beat 5.3. The next sixteenth is beat
    // 5.5 = sixteenth 22, reached 0.2 beats = 4 800 samples later; its tick is tick 132.
    let map = TempoMap::new(120.0, 4.0, &[]).unwrap();
    let seek = [(10_000, TransportCommand::Seek(5.3))];
    let messages = clock(&map, &seek, 20_000, &[128]);
    let after: Vec<(u64, ClockMessage)> = messages
        .iter()
        .copied()
        .filter(|(at, _)| *at >= 10_000)
        .collect();
    assert_eq!(
        &after[..6],
        [
            (10_000, Stop),
            (10_000, SongPosition(22)),
            (14_800, Continue),
            (14_800, Tick),
            (15_800, Tick),
            (16_800, Tick),
        ]
    );
    // Before the seek: ticks 0..=9 every 1 000 samples, and none at the seek itself.
    assert_eq!(
        ticks(&messages[..12]),
        (0..10).map(|k| k * 1_000).collect::<Vec<_>>()
    );
}

#[test]
fn stop_holds_and_play_continues_from_the_pointer() {
    // 120 BPM: stop at sample 36 000 (beat 1.5, sixteenth 6), seek to beat 3 while stopped
    // at 40 000, play at 50 000: stop; pointer 12; pointer 12, continue and tick 72 at once.
    let map = TempoMap::new(120.0, 4.0, &[]).unwrap();
    let commands = [
        (36_000, TransportCommand::Stop),
        (40_000, TransportCommand::Seek(3.0)),
        (50_000, TransportCommand::Play),
    ];
    let messages = clock(&map, &commands, 52_000, &[500, 37]);
    let after: Vec<(u64, ClockMessage)> = messages
        .iter()
        .copied()
        .filter(|(at, _)| *at >= 36_000)
        .collect();
    assert_eq!(
        after,
        [
            (36_000, Stop),
            (40_000, SongPosition(12)),
            (50_000, SongPosition(12)),
            (50_000, Continue),
            (50_000, Tick),
            (51_000, Tick),
        ]
    );
    // From beat 0 again: start, not a pointer.
    let commands = [
        (5_500, TransportCommand::Stop),
        (6_000, TransportCommand::Seek(0.0)),
        (7_000, TransportCommand::Play),
    ];
    let messages = clock(&map, &commands, 8_500, &[64]);
    let after: Vec<(u64, ClockMessage)> = messages
        .iter()
        .copied()
        .filter(|(at, _)| *at >= 5_500)
        .collect();
    assert_eq!(
        after,
        [
            (5_500, Stop),
            (6_000, SongPosition(0)),
            (7_000, Start),
            (7_000, Tick),
            (8_000, Tick),
        ]
    );
}

#[test]
fn a_loop_wraps_with_a_pointer_and_the_pointer_saturates() {
    // Loop beats 1 to 2 at 120 BPM: at sample 48 000 the position wraps to beat 1.
    let map = TempoMap::new(120.0, 4.0, &[]).unwrap();
    let looping = [(
        0,
        TransportCommand::Loop {
            start: 1.0,
            end: 2.0,
        },
    )];
    let messages = clock(&map, &looping, 50_000, &[300]);
    let wrap: Vec<(u64, ClockMessage)> = messages
        .iter()
        .copied()
        .filter(|(at, _)| (47_000..=49_000).contains(at))
        .collect();
    assert_eq!(
        wrap,
        [
            (47_000, Tick),
            (48_000, Stop),
            (48_000, SongPosition(4)),
            (48_000, Continue),
            (48_000, Tick),
            (49_000, Tick),
        ]
    );
    let far = [(0, TransportCommand::Seek(5_000.0))];
    let messages = clock(&map, &far, 10, &[10]);
    assert!(messages.contains(&(0, SongPosition(ClockMessage::MAX_SONG_POSITION))));
}

proptest! {
    #[test]
    fn the_same_messages_land_on_the_same_samples_whatever_the_buffers(
        split in prop::collection::vec(1usize..700, 1..8),
    ) {
        let ramp = TempoPoint { beat: 3.0, bpm: 137.0, shape: TempoShape::Ramp };
        let map = TempoMap::new(100.0, 4.0, &[ramp]).unwrap();
        let commands = [
            (0, TransportCommand::Loop { start: 1.0, end: 6.5 }),
            (30_001, TransportCommand::Tempo { bpm: 93.0, next_beat: true }),
            (61_000, TransportCommand::Stop),
            (70_000, TransportCommand::Seek(2.71)),
            (75_013, TransportCommand::Play),
        ];
        let expected = clock(&map, &commands, 150_000, &[64]);
        prop_assert_eq!(clock(&map, &commands, 150_000, &split), expected);
    }
}
