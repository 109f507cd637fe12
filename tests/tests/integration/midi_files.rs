//! Standard MIDI files read onto a sample timeline: tempo maps to the exact sample, formats 0
//! and 1 alike, running status, SMPTE timing; hostile files are clean errors or bounded, never
//! a panic or a hang.

use patchvm::Settings;
use patchvm::engine::Frames;
use patchvm::ir::Limits;
use patchvm::midi::{MidiFileError, Playback, file};
use patchvm_tests::example;
use patchvm_tests::smf::{Track, file as smf};
use std::time::Instant;

const SR: f64 = 48_000.0;

fn times(song: &file::MidiSong) -> Vec<u64> {
    song.events.iter().map(|event| event.time).collect()
}

#[test]
fn tempo_changes_place_every_later_event_exactly() {
    // 96 ticks a quarter; 0.6 s a quarter, then 0.3 s from tick 96, then 1 s from tick 288.
    let tempo = Track::new()
        .tempo(0, 600_000)
        .tempo(96, 300_000)
        .tempo(192, 1_000_000)
        .end(0);
    let notes = Track::new()
        .note(48, 60, 100, 48)
        .note(48, 62, 100, 96)
        .note(96, 64, 100, 1)
        .end(0);
    let song = file::read(&smf(1, 96, &[tempo, notes]), SR).unwrap();
    // Ticks 48, 96, 144, 240, 336, 337: 0.3 s, 0.6, 0.75, 1.05, 0.6 + 0.3·2 + 1·(48/96)…
    let seconds = [0.3, 0.6, 0.75, 1.05, 1.2 + 48.0 / 96.0, 1.2 + 49.0 / 96.0];
    let expected: Vec<u64> = seconds.iter().map(|s| (s * SR).round() as u64).collect();
    assert_eq!(times(&song), expected);
    assert_eq!(song.events[0].message, [0x90, 60, 100]);
    // The two tracks merged into one format 0 track give the same song.
    let merged = Track::new()
        .tempo(0, 600_000)
        .note(48, 60, 100, 48)
        .tempo(0, 300_000)
        .note(48, 62, 100, 96)
        .tempo(48, 1_000_000)
        .note(48, 64, 100, 1)
        .end(0);
    assert_eq!(file::read(&smf(0, 96, &[merged]), SR).unwrap(), song);
}

#[test]
fn running_status_and_smpte_timing_are_read() {
    // Running status: the second note on and the note offs leave out their status byte.
    let running = Track::new()
        .event(0, &[0x91, 60, 100])
        .event(500, &[64, 100])
        .event(500, &[0x81, 60, 0])
        .event(0, &[64, 0])
        .end(0);
    // 25 frames of 40 ticks: 1000 ticks a second.
    let mut bytes = smf(0, 0, &[running]);
    bytes[12..14].copy_from_slice(&[(-25i8) as u8, 40]);
    let song = file::read(&bytes, SR).unwrap();
    assert_eq!(times(&song), [0, 24_000, 48_000, 48_000]);
    let messages: Vec<[u8; 3]> = song.events.iter().map(|e| e.message).collect();
    assert_eq!(
        messages,
        [
            [0x91, 60, 100],
            [0x91, 64, 100],
            [0x81, 60, 0],
            [0x81, 64, 0]
        ]
    );
}

#[test]
fn hostile_files_are_clean_errors_or_bounded() {
    let good = smf(0, 96, &[Track::new().note(0, 60, 100, 96).end(0)]);
    assert!(matches!(
        file::read(b"", SR),
        Err(MidiFileError::Invalid(_))
    ));
    assert!(matches!(
        file::read(b"MThd garbage", SR),
        Err(MidiFileError::Invalid(_))
    ));
    for cut in 0..good.len() {
        // Truncated anywhere: an error saying so, never a shorter song played in silence.
        assert!(
            matches!(file::read(&good[..cut], SR), Err(MidiFileError::Invalid(_))),
            "cut at {cut}"
        );
    }
    let mut sequential = good.clone();
    sequential[9] = 2;
    assert_eq!(file::read(&sequential, SR), Err(MidiFileError::Sequential));
    let no_ticks = smf(0, 0, &[Track::new().note(0, 60, 100, 96).end(0)]);
    assert_eq!(file::read(&no_ticks, SR), Err(MidiFileError::NoTicks));
    // The slowest tempo and the longest deltas: far, but a finite sample.
    let absurd = Track::new()
        .tempo(0, 0xFF_FFFF)
        .note(0x0FFF_FFFF, 60, 100, 0x0FFF_FFFF)
        .tempo(0, 0)
        .note(0x0FFF_FFFF, 61, 100, 0x0FFF_FFFF)
        .end(0);
    let song = file::read(&smf(1, 1, &[absurd]), SR).unwrap();
    assert!(song.events.windows(2).all(|w| w[0].time <= w[1].time));
    assert!(song.length > 1 << 40);
    // Too large to read.
    // A division of -128 frames a second, which midly would negate with overflow; and RMID.
    let mut smpte = good.clone();
    smpte[12] = 0x80;
    assert!(matches!(
        file::read(&smpte, SR),
        Err(MidiFileError::Invalid(_))
    ));
    let mut riff = b"RIFF\0\0\0\0RMIDdata".to_vec();
    riff.extend_from_slice(&good);
    assert!(matches!(
        file::read(&riff, SR),
        Err(MidiFileError::Invalid(_))
    ));
    let huge = vec![0u8; file::MAX_FILE_BYTES + 1];
    assert_eq!(
        file::read(&huge, SR),
        Err(MidiFileError::TooLarge(huge.len()))
    );
}

#[test]
fn corrupt_files_say_what_is_wrong_and_songs_count_their_notes() {
    let good = smf(0, 96, &[Track::new().note(0, 60, 100, 96).end(0)]);
    assert_eq!(file::read(&good, SR).unwrap().note_count(), 1);
    // Format 1 announcing two tracks, holding one.
    let mut missing = smf(1, 96, &[Track::new().note(0, 60, 100, 96).end(0)]);
    missing[11] = 2;
    assert_eq!(
        file::read(&missing, SR),
        Err(MidiFileError::Invalid(
            "the header announces 2 track(s) but the file holds 1".into()
        ))
    );
    // A data byte with its top bit set where the note on's velocity goes.
    let corrupt = smf(0, 96, &[Track::new().event(0, &[0x90, 60, 0xC8]).end(0)]);
    assert!(matches!(
        file::read(&corrupt, SR),
        Err(MidiFileError::Invalid(_))
    ));
    // Only a tempo and note offs: a valid song without a note to play.
    let silent = Track::new()
        .tempo(0, 500_000)
        .event(0, &[0x90, 60, 0])
        .event(0, &[0x80, 60, 0])
        .end(0);
    assert_eq!(
        file::read(&smf(0, 96, &[silent]), SR).unwrap().note_count(),
        0
    );
}

#[test]
fn a_flood_of_notes_on_one_tick_plays_in_bounded_time() {
    // 20 000 note ons at tick 0, then as many offs: more than a batch at one sample.
    let mut track = Track::new();
    for n in 0..20_000u32 {
        track = track.event(0, &[0x90, (n % 128) as u8, 100]);
    }
    for n in 0..20_000u32 {
        track = track.event(u32::from(n == 0), &[0x80, (n % 128) as u8, 0]);
    }
    let song = file::read(&smf(0, 96, &[track.end(0)]), SR).unwrap();
    assert_eq!(song.events.len(), 40_000);
    let settings = Settings {
        voices: 32,
        ..Settings::default()
    };
    let started = Instant::now();
    let mut playback = Playback::new(
        example("poly-synth.lisp"),
        &settings,
        &Limits::default(),
        song,
    )
    .unwrap();
    let mut out = vec![0.0; 4_800];
    playback.render(&[], 0, &mut out);
    println!(
        "40 000 messages at two samples played in {:?}",
        started.elapsed()
    );
    assert!(out.iter().all(|x| x.is_finite()));
    assert_eq!(playback.controller().metrics().dropped_events, 0);
    assert_eq!(playback.refused(), 0);
}

proptest::proptest! {
    /// Mutated MIDI files — bytes overwritten, cut or inserted anywhere, headers included —
    /// through the fuzz target's body: never a panic, never a non-finite sample.
    #[test]
    fn mutated_midi_files_never_panic(
        edits in proptest::collection::vec((proptest::prelude::any::<usize>(), proptest::prelude::any::<u8>(), 0..3u8), 1..8),
    ) {
        let mut bytes = std::fs::read(patchvm_tests::patches_dir().join("poly-synth.mid")).unwrap();
        for (at, byte, kind) in edits {
            let at = at % (bytes.len() + 1);
            match kind {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.truncate(at),
                _ => bytes.insert(at, byte),
            }
        }
        patchvm_tests::fuzzing::read_midi(&bytes);
    }
}

#[test]
fn a_song_fed_live_never_overflows_the_event_queue() {
    // Eight voices held, then a pitch bend every 10 samples: each bend moves all eight, so a
    // quarter second of the song is ~9 600 events, far more than a 64-event queue holds.
    // The feed sends what fits and the rest as the audio plays; none is dropped.
    use patchvm::engine::{Engine, EngineSettings};
    use patchvm::midi::live::SongFeed;
    use std::sync::{Arc, Mutex};
    let patch = r#"(patch (nodes (out (type "output"))) (connections (s "out" -> out "in"))
        (voice s (nodes (note (type "voice")) (osc (type "osc.sine")) (vca (type "mul")))
          (connections (note "pitch" -> osc "freq") (osc "out" -> vca "a")
                       (note "gate" -> vca "b"))
          (outputs (out vca "out"))))"#;
    let mut events: Vec<file::SongEvent> = (0..8)
        .map(|n| file::SongEvent {
            time: 0,
            message: [0x90, 60 + n, 100],
        })
        .collect();
    for bend in 1..=480u64 {
        let value = (bend * 30) as u16;
        events.push(file::SongEvent {
            time: bend * 10,
            message: [0xE0, (value & 0x7F) as u8, (value >> 7) as u8],
        });
    }
    let length = 4_810;
    let song = file::MidiSong { events, length };
    let settings = EngineSettings {
        channels: 1,
        voices: 8,
        event_capacity: 64,
        ..EngineSettings::default()
    };
    let (mut controller, mut audio) = Engine::new(settings, Limits::default());
    controller
        .load_text(patch.as_bytes(), patchvm::ir::Format::Sexpr)
        .unwrap();
    let controller = Arc::new(Mutex::new(controller));
    let feed = SongFeed::spawn(song, 0, Arc::clone(&controller)).unwrap();
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    let mut block = [0.0_f32; 16];
    // Late or not, every message must arrive: the audio plays on until all are sent.
    while audio.time() < length + 16 || feed.stats().sent < 488 {
        assert!(Instant::now() < deadline, "the feed stalled");
        audio.process(&mut block);
        std::thread::sleep(std::time::Duration::from_micros(300));
    }
    // The last messages, late, are applied at the next blocks.
    for _ in 0..4 {
        audio.process(&mut block);
    }
    let stats = feed.stats();
    feed.stop();
    let metrics = controller.lock().unwrap().metrics();
    assert_eq!(stats.sent, 488, "{stats:?}");
    assert_eq!(metrics.dropped_events, 0, "{metrics:?} {stats:?}");
    assert_eq!(metrics.applied_events, 8 * 3 + 480 * 8, "{metrics:?}");
}

#[test]
fn a_chord_into_many_voice_nodes_outside_a_template_is_never_dropped() {
    // 100 `voice` nodes outside any template all follow the last note: one note on sets
    // each one's pitch and velocity (and the first its gate), 200 events or more. A chord
    // of 64 notes at one sample must reach the engine whole.
    let nodes: String = (0..100)
        .map(|n| format!("(v{n} (type \"voice\"))"))
        .collect();
    let wires: String = (0..100)
        .map(|n| format!("(v{n} \"gate\" -> out \"in\")"))
        .collect();
    let text = format!(r#"(patch (nodes (out (type "output")) {nodes}) (connections {wires}))"#);
    let patch = patchvm::ir::Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .unwrap();
    let events = (0..64)
        .map(|n| file::SongEvent {
            time: 10,
            message: [0x90, 30 + n, 100],
        })
        .collect();
    let song = file::MidiSong { events, length: 20 };
    let mut playback =
        Playback::new(patch, &Settings::default(), &Limits::default(), song).unwrap();
    let mut out = vec![0.0; 64];
    playback.render(&[], 0, &mut out);
    let metrics = playback.controller().metrics();
    assert_eq!(metrics.dropped_events, 0, "{metrics:?}");
    // Every voice node's gate opened at sample 10, once.
    assert!(
        out[..10].iter().all(|&s| s == 0.0) && out[10] > 0.0,
        "{:?}",
        &out[..12]
    );
}
