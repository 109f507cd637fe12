//! The clock follower measured: a synthetic master clock with seeded jitter and drift drives
//! a real [`Transport`] through the follower's commands, and the engine's beat is compared
//! with the master's true beat at every tick.

use super::{ClockFollow, FollowCommand};
use crate::time::clock_message::ClockMessage;
use crate::time::tempo_map::{Segment, TempoMap};
use crate::time::{Transport, TransportCommand};

const RATE: f64 = 48_000.0;
/// Engine seconds before the master's beat 0 (its start message comes 5 ms before).
const OFFSET: f64 = 1.0;

/// SplitMix64: a seeded generator for the jitter, the same on every machine.
struct Jitter(u64);

impl Jitter {
    /// Uniform in `-max..max` seconds.
    fn next(&mut self, max: f64) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) * max
    }
}

/// What a run measured at each tick `k` while locked: the engine's beat minus the master's
/// true beat at the tick's arrival, and the follower's tempo over the master's true tempo.
struct Run {
    phase: Vec<(u64, f64)>,
    tempo: Vec<(u64, f64)>,
    commands: Vec<FollowCommand>,
}

/// Plays `beats` beats of a master whose tempo line is `master` (beat 0 at engine second
/// [`OFFSET`]), each tick late or early by up to `jitter` seconds, into a follower expecting
/// 120 BPM and an engine transport at 120 BPM.
fn run(master: Segment, beats: u64, jitter: f64, seed: u64) -> Run {
    let map = TempoMap::new(120.0, 4.0, &[]).unwrap();
    let mut transport = Transport::new(RATE);
    let mut follower = ClockFollow::new(RATE, 120.0);
    let mut noise = Jitter(seed);
    let mut messages = vec![(OFFSET - 0.005, ClockMessage::Start)];
    for k in 0..beats * 24 {
        let true_seconds = OFFSET + master.seconds_at(k as f64 / 24.0);
        messages.push((true_seconds + noise.next(jitter), ClockMessage::Tick));
    }
    let mut out = Run {
        phase: Vec::new(),
        tempo: Vec::new(),
        commands: Vec::new(),
    };
    let mut tick = 0;
    for (seconds, message) in messages {
        let mut commands = Vec::new();
        follower.message(message, seconds * RATE, 0, &mut commands);
        for command in &commands {
            transport.command(command.at, command.command, &map);
        }
        out.commands.extend(commands);
        if message == ClockMessage::Tick {
            if follower.locked() {
                let at = (seconds * RATE).ceil();
                let engine = transport.position(at as u64, &map);
                let truth = master.beat_at(at / RATE - OFFSET);
                out.phase.push((tick, engine - truth));
                let true_bpm = master.bpm_at(at / RATE - OFFSET);
                out.tempo.push((tick, follower.bpm() / true_bpm - 1.0));
            }
            tick += 1;
        }
    }
    out
}

/// The largest magnitude of the values measured at ticks from `from` on.
fn worst(measured: &[(u64, f64)], from: u64) -> f64 {
    measured
        .iter()
        .filter(|(tick, _)| *tick >= from)
        .map(|(_, value)| value.abs())
        .fold(0.0, f64::max)
}

/// 64 beats of a master 0.5 % faster than expected (120.6 BPM), and of one drifting from
/// 120 BPM to 0.5 % faster over them (32 s), with ±2 ms of jitter.
fn masters() -> [Segment; 2] {
    let fast = Segment::steady(120.6);
    let drifting = Segment {
        slope: 0.6 / 32.0,
        ..Segment::steady(120.0)
    };
    [fast, drifting]
}

#[test]
fn a_jittery_drifting_clock_is_followed_within_a_millisecond() {
    for master in masters() {
        for seed in 1..=8 {
            let run = run(master, 64, 0.002, seed);
            let label = format!("master {master:?}, seed {seed}");
            // Tempo within 0.1 % of the master's from the second beat on (jitter of ±2 ms on
            // ticks 20.7 ms apart is ±10 % per tick).
            assert!(worst(&run.tempo, 2 * 24) < 0.001, "{label}: tempo");
            // The engine's beat within 0.004 beats (2 ms at 120 BPM) of the master's true beat
            // from the first beat on, and 0.002 (1 ms) from the fourth on.
            assert!(worst(&run.phase, 24) < 0.004, "{label}: phase");
            assert!(worst(&run.phase, 4 * 24) < 0.002, "{label}: locked phase");
            assert_eq!(run.phase.len(), 64 * 24, "locked from the first tick");
        }
    }
}

#[test]
fn without_jitter_the_engine_sits_on_the_clock() {
    // A clock exactly 0.5 % fast, no jitter: the tempo is exact (to 1e-9) from the second
    // beat, and the phase error left by the first ticks decays by e each beat: under 1e-5
    // beats from the fourth, 1e-7 from the eighth.
    let run = run(Segment::steady(120.6), 16, 0.0, 0);
    assert!(worst(&run.phase, 4 * 24) < 1e-5);
    assert!(worst(&run.phase, 8 * 24) < 1e-7);
    assert!(worst(&run.tempo, 2 * 24) < 1e-9);
}

#[test]
fn a_clock_far_off_is_caught_by_tempo_alone_and_the_beat_never_jumps() {
    // The follower expects 120 BPM; the master plays 100 (17 % slower). After the start's
    // stop, seek and play, every command is a tempo change: the beat position moves on
    // continuously, and within 8 beats it is on the master's.
    let run = run(Segment::steady(100.0), 32, 0.002, 7);
    let kinds: Vec<TransportCommand> = run.commands.iter().map(|c| c.command).take(4).collect();
    assert_eq!(
        kinds[..2],
        [TransportCommand::Stop, TransportCommand::Seek(0.0)]
    );
    assert!(matches!(kinds[2], TransportCommand::Tempo { .. }));
    assert_eq!(kinds[3], TransportCommand::Play);
    assert!(run.commands[4..].iter().all(|c| matches!(
        c.command,
        TransportCommand::Tempo {
            next_beat: false,
            ..
        }
    )));
    assert!(worst(&run.phase, 8 * 24) < 0.002);
    assert!(worst(&run.tempo, 8 * 24) < 0.001);
}

#[test]
fn stop_song_position_and_continue_move_the_transport() {
    // 120 BPM, exact: start at sample 0, ticks every 1 000 samples from sample 1 000 (beat 0),
    // stop at 49 500 after 48 ticks (beats 0 to 1 + 23/24), pointer to sixteenth 16 (beat 4),
    // continue at 60 000, ticks again from 61 000, which plays beat 4.
    let map = TempoMap::new(120.0, 4.0, &[]).unwrap();
    let mut transport = Transport::new(RATE);
    let mut follower = ClockFollow::new(RATE, 120.0);
    let mut messages = vec![(0.0, ClockMessage::Start)];
    messages.extend((0..48).map(|k| (1_000.0 + 1_000.0 * f64::from(k), ClockMessage::Tick)));
    messages.push((49_500.0, ClockMessage::Stop));
    messages.push((50_000.0, ClockMessage::SongPosition(16)));
    messages.push((60_000.0, ClockMessage::Continue));
    messages.extend((0..24).map(|k| (61_000.0 + 1_000.0 * f64::from(k), ClockMessage::Tick)));
    let mut commands = Vec::new();
    let mut resumed = None;
    for (time, message) in messages {
        let from = commands.len();
        follower.message(message, time, 0, &mut commands);
        for command in &commands[from..] {
            transport.command(command.at, command.command, &map);
        }
        if time == 61_000.0 {
            resumed = Some(transport.position(61_000, &map));
        }
    }
    // Beat 4 at the first tick after continue; 120 BPM from there, exactly.
    assert_eq!(resumed, Some(4.0));
    let last = transport.position(84_000, &map);
    assert!((last - (4.0 + 23.0 / 24.0)).abs() < 1e-12, "{last}");
    let shown: Vec<(u64, TransportCommand)> = commands
        .iter()
        .filter(|c| !matches!(c.command, TransportCommand::Tempo { .. }))
        .map(|c| (c.at, c.command))
        .collect();
    assert_eq!(
        shown,
        [
            (0, TransportCommand::Stop),
            (0, TransportCommand::Seek(0.0)),
            (1_000, TransportCommand::Play),
            (49_500, TransportCommand::Stop),
            (50_000, TransportCommand::Seek(4.0)),
            (60_000, TransportCommand::Stop),
            (60_000, TransportCommand::Seek(4.0)),
            (61_000, TransportCommand::Play),
        ]
    );
    assert_eq!(follower.bpm(), 120.0);
}

#[test]
fn without_a_start_only_the_tempo_follows_once_a_beat() {
    // Ticks of a 90 BPM clock joined mid-song, 48 000 · 60 / 90 / 24 = 1 333.33 samples
    // apart: the engine keeps its position and gets the clock's tempo every 24 ticks.
    let mut follower = ClockFollow::new(RATE, 120.0);
    let period = RATE * 60.0 / 90.0 / 24.0;
    let mut commands = Vec::new();
    for k in 0..72 {
        follower.message(
            ClockMessage::Tick,
            500.0 + period * f64::from(k),
            0,
            &mut commands,
        );
    }
    assert_eq!(commands.len(), 3);
    for (n, command) in commands.iter().enumerate() {
        assert_eq!(
            command.at,
            (500.0 + period * (24 * n + 23) as f64).ceil() as u64
        );
        let TransportCommand::Tempo {
            bpm,
            next_beat: false,
        } = command.command
        else {
            panic!("{command:?}");
        };
        assert!((bpm - 90.0).abs() < 1e-9, "{bpm}");
    }
    assert!(!follower.locked());
}
