//! Note streams leaving the engine, measured as event lists: a seeded pattern streamed offline
//! against its notes computed by hand (ticks, notes, velocities, the file's tracks), the live
//! audio half giving the same events and the same file whatever the host's buffers, and a
//! full queue dropping and counting without allocating, its notes all closed.

use crate::allocations::counted;
use patchvm::engine::stream::{Destination, HeldNotes, NoteSender, SenderSettings, offline};
use patchvm::ir::{Format, Limits};
use patchvm::midi::smf_out::{self, SmfRecorder};
use patchvm::vm::live::{AudioHalf, NotesOut};
use patchvm::vm::{Message, SinkEvent};
use patchvm::{Instance, Settings};
use patchvm_tests::live::mono;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const RATE: f64 = 48_000.0;
/// Two bars of 4/4 at 120 BPM.
const TWO_BARS: u64 = 192_000;

/// A pattern on channel 3: c4, then e4 g4 in the second beat, a rest, then a3 or b3 by cycle.
const PATCH: &str = r#"(patch
  (mel seq.pattern "c4 [e4 g4] ~ <a3 b3>" (seed 7))
  (mo midi.out (channel 3))
  (-> mel "notes" mo "notes"))"#;

fn instance() -> Instance {
    let patch = Format::Sexpr
        .read(PATCH.as_bytes(), &Limits::default())
        .unwrap_or_else(|d| panic!("{d:?}"));
    let settings = Settings {
        sample_rate: RATE,
        seed: 7,
        ..Settings::default()
    };
    Instance::new(&patch, &settings, &Limits::default()).unwrap_or_else(|d| panic!("{d:?}"))
}

/// `(tick, on, note, velocity)` for each note event.
fn notes(events: &[SinkEvent]) -> Vec<(u64, bool, u8, u8)> {
    events
        .iter()
        .map(|e| match e.message {
            Message::On { note, velocity } => (smf_out::tick(e.beat), true, note, velocity),
            Message::Off { note } => (smf_out::tick(e.beat), false, note, 0),
            other => panic!("not a note: {other:?}"),
        })
        .collect()
}

/// The pattern's notes by hand: a beat is 960 ticks; c4 = 60 for a beat, e4 = 64 and
/// g4 = 67 for half a beat each, a rest, then a3 = 57 (first cycle) or b3 = 59 (second)
/// for the last beat; every gate fully open (velocity 127); offs before ons at one tick.
fn by_hand() -> Vec<(u64, bool, u8, u8)> {
    let mut expected = Vec::new();
    for (bar, last) in [(0, 57), (1, 59)] {
        let at = bar * 3840;
        expected.extend([
            (at, true, 60, 127),
            (at + 960, false, 60, 0),
            (at + 960, true, 64, 127),
            (at + 1440, false, 64, 0),
            (at + 1440, true, 67, 127),
            (at + 1920, false, 67, 0),
            (at + 2880, true, last, 127),
        ]);
        if bar == 0 {
            expected.push((3840, false, 57, 0));
        }
    }
    expected
}

#[test]
fn a_seeded_pattern_streams_the_notes_computed_by_hand() {
    let events = offline(&mut instance(), TWO_BARS);
    let mut expected = by_hand();
    assert_eq!(notes(&events), expected);
    assert!(events.iter().all(|e| e.channel == 2 && e.sink == 0));
    // The first note on is at sample 0, the e4 at beat 1: sample 24 000.
    assert_eq!((events[0].time, events[2].time), (0, 24_000));

    let bytes = smf_out::write(&events, 1, &instance().program().tempo, 8.0);
    let smf = midly::Smf::parse(&bytes).expect("a valid file");
    assert_eq!(smf.header.format, midly::Format::Parallel);
    assert_eq!(
        smf.header.timing,
        midly::Timing::Metrical(midly::num::u15::new(960))
    );
    assert_eq!(smf.tracks.len(), 2);
    assert!(smf.tracks[0].iter().any(|e| e.kind
        == midly::TrackEventKind::Meta(midly::MetaMessage::Tempo(midly::num::u24::new(500_000)))));
    let mut tick = 0;
    let mut track = Vec::new();
    for event in &smf.tracks[1] {
        tick += u64::from(u32::from(event.delta));
        if let midly::TrackEventKind::Midi { channel, message } = event.kind {
            assert_eq!(u8::from(channel), 2);
            track.push(match message {
                midly::MidiMessage::NoteOn { key, vel } => (tick, true, key.into(), vel.into()),
                midly::MidiMessage::NoteOff { key, .. } => (tick, false, key.into(), 0),
                other => panic!("{other:?}"),
            });
        }
    }
    // The file closes the b3 still held at the end of the second bar, beat 8.
    expected.push((7680, false, 59, 0));
    assert_eq!(track, expected);
}

/// A destination that logs what it is handed: `(closed by the sender, event)`.
struct Log(Arc<Mutex<Vec<(bool, SinkEvent)>>>);

impl Destination for Log {
    fn name(&self) -> &str {
        "log"
    }

    fn send(&mut self, event: &SinkEvent) -> Result<(), String> {
        self.0.lock().unwrap().push((false, *event));
        Ok(())
    }

    fn close(&mut self, event: &SinkEvent) -> Result<(), String> {
        self.0.lock().unwrap().push((true, *event));
        Ok(())
    }
}

/// A small fixed pseudo-random sequence of host buffer sizes.
fn buffer_sizes(seed: u64) -> impl Iterator<Item = usize> {
    let mut state = seed;
    std::iter::repeat_with(move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        1 + (state >> 33) as usize % 700
    })
}

/// Plays two bars through `audio` in host buffers of the sizes `seed` picks.
fn play_two_bars(audio: &mut AudioHalf, seed: u64) {
    let mut done = 0;
    for size in buffer_sizes(seed) {
        let size = size.min((TWO_BARS - done) as usize);
        audio.process(&mut vec![0.0; size]);
        done += size as u64;
        if done == TWO_BARS {
            break;
        }
    }
}

#[test]
fn live_gives_the_offline_events_and_file_whatever_the_buffers() {
    let expected = offline(&mut instance(), TWO_BARS);
    let tempo = instance().program().tempo.clone();
    let dir = std::env::temp_dir().join(format!("patchvm-notes-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for seed in [1, 2, 3] {
        let (mut controller, mut audio) = mono();
        controller
            .load_text(PATCH.as_bytes(), Format::Sexpr)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let path = dir.join(format!("live{seed}.mid"));
        let recorder = SmfRecorder::create(&path, 1, tempo.clone()).unwrap();
        let (out, sender) = NoteSender::start(
            SenderSettings {
                sample_rate: RATE,
                capacity: 1_024,
                lookahead: Duration::ZERO,
            },
            controller.clock(),
            vec![Box::new(recorder)],
        )
        .unwrap();
        audio.send_notes(out);
        play_two_bars(&mut audio, seed);
        let metrics = sender.metrics();
        assert!(sender.finish(Some(8.0)).is_empty());
        assert_eq!(metrics.dropped, 0);
        let live = std::fs::read(&path).unwrap();
        assert_eq!(
            live,
            smf_out::write(&expected, 1, &tempo, 8.0),
            "seed {seed}"
        );
    }
    // And the events themselves, bit for bit, through the queue.
    let (mut controller, mut audio) = mono();
    controller
        .load_text(PATCH.as_bytes(), Format::Sexpr)
        .unwrap();
    let (out, mut consumer, _) = NotesOut::new(1_024);
    audio.send_notes(out);
    play_two_bars(&mut audio, 9);
    let live: Vec<SinkEvent> = std::iter::from_fn(|| consumer.pop().ok()).collect();
    assert_eq!(live.len(), expected.len());
    for (live, offline) in live.iter().zip(&expected) {
        assert_eq!(live.beat.to_bits(), offline.beat.to_bits());
        assert_eq!((live.time, live.message), (offline.time, offline.message));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_full_queue_drops_and_counts_without_allocating_and_leaves_no_note_stuck() {
    let (mut controller, mut audio) = mono();
    controller
        .load_text(PATCH.as_bytes(), Format::Sexpr)
        .unwrap();
    // Warm up: the program is taken in the first call.
    audio.process(&mut [0.0; 64]);
    let log = Arc::new(Mutex::new(Vec::new()));
    let (out, sender) = NoteSender::start(
        SenderSettings {
            sample_rate: RATE,
            capacity: 3,
            lookahead: Duration::ZERO,
        },
        controller.clock(),
        vec![Box::new(Log(log.clone()))],
    )
    .unwrap();
    audio.send_notes(out);
    // Two bars in one call: 29 events into a queue of 3, which the sender cannot drain in
    // time, so most are dropped, and the call neither allocates nor waits.
    let mut buffer = vec![0.0; TWO_BARS as usize];
    let ((), allocations) = counted(|| audio.process(&mut buffer));
    assert_eq!((allocations.allocations, allocations.frees), (0, 0));
    let metrics = sender.metrics();
    assert!(metrics.dropped > 0, "{metrics:?}");
    assert_eq!(metrics.high_water, 3);
    assert!(sender.finish(None).is_empty());
    let log = log.lock().unwrap();
    let mut held = HeldNotes::default();
    for (_, event) in log.iter() {
        held.track(event);
    }
    assert_eq!(held.held(), 0, "every note on was closed: {log:?}");
    let sent = log.iter().filter(|(closed, _)| !closed).count() as u64;
    assert!(sent + metrics.dropped >= 15, "{sent} + {metrics:?}");
}

#[test]
fn websocket_subscribers_get_the_offline_events_as_json() {
    use patchvm::ws::{WsNotes, WsServer};
    let expected = offline(&mut instance(), TWO_BARS);
    let server = Arc::new(WsServer::bind(([127, 0, 0, 1], 0).into()).unwrap());
    let url = format!("ws://{}", server.local_addr());
    let (mut client, _) = tungstenite::connect(url.as_str()).unwrap();
    assert!(server.wait_for_subscribers(1, Duration::from_secs(20)));

    let (mut controller, mut audio) = mono();
    controller
        .load_text(PATCH.as_bytes(), Format::Sexpr)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let (out, sender) = NoteSender::start(
        SenderSettings {
            sample_rate: RATE,
            capacity: 1_024,
            lookahead: Duration::ZERO,
        },
        controller.clock(),
        vec![Box::new(WsNotes::new(Arc::clone(&server)))],
    )
    .unwrap();
    audio.send_notes(out);
    play_two_bars(&mut audio, 5);
    assert!(sender.finish(Some(8.0)).is_empty());

    // Every message up to the end, parsed as JSON: the offline events, field by field, then
    // the notes the sender closed at the end (the b3 still held), then the end at beat 8.
    let mut received = Vec::new();
    loop {
        let text = client.read().unwrap().into_text().unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        if json["type"] == "end" {
            assert_eq!(json["beat"], 8.0);
            break;
        }
        received.push(json);
    }
    let field = |json: &serde_json::Value, name: &str| json[name].as_u64().unwrap();
    for (event, json) in expected.iter().zip(&received) {
        assert_eq!(field(json, "time"), event.time);
        assert_eq!(
            json["beat"].as_f64().unwrap().to_bits(),
            event.beat.to_bits()
        );
        assert_eq!(field(json, "stream"), u64::from(event.sink));
        assert_eq!(field(json, "channel"), u64::from(event.channel) + 1);
        match event.message {
            Message::On { note, velocity } => {
                assert_eq!(json["type"], "on");
                assert_eq!(field(json, "note"), u64::from(note));
                assert_eq!(field(json, "velocity"), u64::from(velocity));
            }
            Message::Off { note } => {
                assert_eq!(json["type"], "off");
                assert_eq!(field(json, "note"), u64::from(note));
            }
            other => panic!("not a note: {other:?}"),
        }
    }
    assert_eq!(received.len(), expected.len() + 1, "{received:?}");
    let closed = &received[expected.len()];
    assert_eq!(
        (closed["type"].as_str(), field(closed, "note")),
        (Some("off"), 59)
    );
}
