//! Snapshots measured from samples: an engine resumed from a snapshot taken mid-ramp plays
//! on bit for bit where the state lives in the transport and the parameters, and a filter's
//! memory, which no snapshot keeps, settles within milliseconds.

use super::scenes::{render_lr, stereo};
use patchvm::engine::{At, HeldNote, RecallAt, Snapshot, SnapshotError};
use patchvm::ir::Format;

/// Left: the clock's phase through `g` plus the pattern's onsets, a function of the beat line
/// and `g`'s amp alone. Right: the bar's phase through a low-pass, whose memory is state.
/// 137 BPM ramping to 160 by beat 16, so the snapshot falls inside a ramp.
const PATCH: &str = r#"(patch
  (transport (bpm 137) (tempo (ramp 16 160)))
  (nodes
    (clk (type "clock"))
    (g (type "gain") (amp 0.5))
    (seq (type "seq.pattern") (pattern "c3*4 [e3 g3]"))
    (lp (type "filter.lowpass") (cutoff 1000))
    (out (type "output")))
  (connections
    (clk "phase" -> g "in") (g "out" -> out "left") (seq "trig" -> out "left")
    (clk "bar_phase" -> lp "in") (lp "out" -> out "right"))
  (scenes (loud (g.amp 0.9))))"#;

const BEFORE: usize = 100_003;

/// The beat `samples` samples in, on the ramp from 137 BPM at beat 0 to 160 at beat 16,
/// by hand: it lasts T = 16 beats / mean tempo = 16 · 60 / 148.5 s and climbs a = 23 / T
/// BPM per second, so beat(t) = (137 t + a t² / 2) / 60.
fn ramp_beat(samples: f64) -> f64 {
    let t = samples / 48_000.0;
    let a = 23.0 / (16.0 * 60.0 / 148.5);
    (137.0 * t + a * t * t / 2.0) / 60.0
}
const AFTER: usize = 60_000;

#[test]
fn a_resumed_engine_plays_on_bit_for_bit_and_a_filter_settles_within_5_ms() {
    let (mut controller, mut audio) = stereo();
    controller
        .load_text(PATCH.as_bytes(), Format::Sexpr)
        .unwrap();
    controller.recall_scene("loud", RecallAt::Now).unwrap();
    controller
        .set_param("g", "amp", 0.8, At::Sample(30_000))
        .unwrap();
    controller.note_on(60, 100, At::Now).unwrap();
    controller.note_on(64, 90, At::Now).unwrap();
    controller.note_off(60, At::Now).unwrap();
    render_lr(&mut audio, BEFORE, 333);
    let snapshot = controller.snapshot().unwrap();
    let (left, right) = render_lr(&mut audio, AFTER, 333);

    // What it kept: the sample it is at, its beat inside the ramp, the value the event
    // set, the note still held, the scene.
    assert_eq!(snapshot.time, BEFORE as u64);
    let beat = ramp_beat(BEFORE as f64);
    assert!(
        (snapshot.transport.beat - beat).abs() < 1e-9,
        "{}",
        snapshot.transport.beat
    );
    assert!(snapshot.transport.playing);
    assert_eq!(snapshot.params.len(), 1);
    assert_eq!(
        (snapshot.params[0].node.as_str(), snapshot.params[0].value),
        ("g", 0.8)
    );
    let held = HeldNote {
        channel: None,
        note: 64,
        velocity: 90,
    };
    assert_eq!(snapshot.notes, [held]);
    assert_eq!(snapshot.scene.as_deref(), Some("loud"));
    let json = snapshot.to_json();
    let read = Snapshot::from_json(json.as_bytes()).unwrap();
    assert_eq!(read, snapshot);

    // A fresh engine, other host buffers.
    let (mut resumed, mut audio) = stereo();
    resumed.resume(&read).unwrap();
    let (left_again, right_again) = render_lr(&mut audio, AFTER, 4_096);
    assert_eq!(resumed.current_scene(), Some("loud"));
    let differing = left
        .iter()
        .zip(&left_again)
        .filter(|(a, b)| a.to_bits() != b.to_bits())
        .count();
    assert_eq!(differing, 0, "left differs at {differing} samples");
    // The onsets are there: the pattern's steps at 137 BPM ramping.
    assert!(left.iter().any(|&x| x > 1.0));
    // The filter starts from rest: its output differs at first, then by less than 1e-6
    // from the 240th sample (5 ms) on.
    let diff: Vec<f32> = right
        .iter()
        .zip(&right_again)
        .map(|(a, b)| (a - b).abs())
        .collect();
    assert!(diff[0] > 1e-3, "{}", diff[0]);
    let settled = diff.iter().rposition(|&d| d >= 1e-6).map_or(0, |n| n + 1);
    assert!(settled <= 240, "settled after {settled} samples");
}

#[test]
fn a_stopped_transport_with_a_live_tempo_and_a_loop_resumes_as_it_stood() {
    let (mut controller, mut audio) = stereo();
    controller
        .load_text(PATCH.as_bytes(), Format::Sexpr)
        .unwrap();
    use patchvm::vm::TransportCommand::{Loop, Stop, Tempo};
    controller
        .transport(
            Tempo {
                bpm: 90.0,
                next_beat: false,
            },
            At::Sample(1_000),
        )
        .unwrap();
    controller
        .transport(
            Loop {
                start: 2.0,
                end: 6.0,
            },
            At::Now,
        )
        .unwrap();
    controller.transport(Stop, At::Sample(33_000)).unwrap();
    render_lr(&mut audio, 40_000, 1_000);
    let snapshot = controller.snapshot().unwrap();
    // 1 000 samples on the ramp, then 32 000 at 90 BPM.
    let beat = ramp_beat(1_000.0) + 32_000.0 * 90.0 / 2_880_000.0;
    let transport = snapshot.transport;
    assert!((transport.beat - beat).abs() < 1e-9);
    assert_eq!(
        (transport.playing, transport.live_bpm, transport.looping),
        (false, Some(90.0), Some([2.0, 6.0]))
    );
    let (mut resumed, mut audio) = stereo();
    resumed.resume(&snapshot).unwrap();
    render_lr(&mut audio, 64, 64);
    let (_, state) = resumed.transport_position().unwrap();
    assert_eq!(
        (state.beat, state.playing, state.live_bpm, state.looping),
        (transport.beat, false, Some(90.0), Some((2.0, 6.0)))
    );
}

#[test]
fn a_foreign_or_damaged_snapshot_says_which() {
    let read = |text: &str| Snapshot::from_json(text.as_bytes()).unwrap_err();
    assert!(matches!(read("(patch)"), SnapshotError::Foreign(_)));
    assert_eq!(
        read(r#"{ "nodes": {} }"#).to_string(),
        r#"not a patchvm snapshot: it has no `"format": "patchvm-snapshot"`"#
    );
    assert_eq!(
        read(r#"{ "format": "patchvm-snapshot", "version": 2 }"#),
        SnapshotError::Version(2)
    );
    assert!(matches!(
        read(r#"{ "format": "patchvm-snapshot", "version": 1, "patch": 3 }"#),
        SnapshotError::Corrupt(_)
    ));
}
