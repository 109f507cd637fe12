//! Timelines from outside: the controller's play, stop and seek and its clip edits (undoable,
//! refused with E0123/E0124 at what does not exist or is malformed), the audio thread
//! allocating nothing through them and through follow actions, and random timelines through
//! every format without loss.

use crate::allocations::{Allocations, counted};
use patchvm::engine::{
    At, ClipHappened, ClipReport, Controller, Engine, EngineError, EngineSettings, Prepared,
    Settings, clip_from_json,
};
use patchvm::ir::timelines::{Clip, Follow, FollowAction, Position, Timeline};
use patchvm::ir::{Format, Limits, Patch};
use patchvm::osc::OscServer;
use patchvm_tests::osc::{Client, s};
use proptest::prelude::*;
use rosc::OscType;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

const PATCH: &str = r#"(patch
  (nodes
    (player (type "timeline") (name "main"))
    (out (type "output")))
  (connections (player "left" -> out "left") (player "right" -> out "right"))
  (timelines
    (main (bpm 120)
      (clip a (file "a.wav") (position 0) (length 0.01) (follow (loop 3)))
      (clip b (file "b.wav") (position 1) (length 0.01) (follow next))
      (clip c (file "c.wav") (position 4) (length 0.01) (follow (choose (1 stop) (1 next)))))
    (other (bpm 90))))"#;

/// A 16-bit PCM WAV, one channel at 48 kHz: frame `i` is `value(i)`.
pub(crate) fn wav(frames: usize) -> Vec<u8> {
    let data = (frames * 2) as u32;
    let mut bytes = b"RIFF".to_vec();
    bytes.extend_from_slice(&(36 + data).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt \x10\0\0\0\x01\0\x01\0");
    bytes.extend_from_slice(&48_000u32.to_le_bytes());
    bytes.extend_from_slice(&96_000u32.to_le_bytes());
    bytes.extend_from_slice(b"\x02\0\x10\0data");
    bytes.extend_from_slice(&data.to_le_bytes());
    for i in 0..frames {
        bytes.extend_from_slice(&value(i).to_le_bytes());
    }
    bytes
}

/// The WAVs' frame `i`: every frame of the first 4 800 a different value.
pub(crate) fn value(i: usize) -> i16 {
    ((i % 4_800) as i16 - 2_400) * 8
}

/// A fresh folder holding `files`, each a 0.1 s WAV (4 800 frames).
pub(crate) fn folder(name: &str, files: &[&str]) -> PathBuf {
    // One folder per call: tests run in parallel, and one emptying a folder another is
    // reading from made loads fail now and then.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let folder = std::env::temp_dir().join(format!(
        "patchvm-timelines-{name}-{}-{call}",
        std::process::id()
    ));
    let _absent = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    for file in files {
        std::fs::write(folder.join(file), wav(4_800)).unwrap();
    }
    folder
}

fn engine() -> (Controller, patchvm::engine::AudioHalf) {
    let (mut controller, audio) = Engine::new(
        EngineSettings {
            channels: 2,
            ..EngineSettings::default()
        },
        Limits::default(),
    );
    controller.set_folder(folder(
        "engine",
        &["a.wav", "b.wav", "c.wav", "d.wav", "x.wav"],
    ));
    controller
        .load_text(PATCH.as_bytes(), Format::Sexpr)
        .unwrap();
    (controller, audio)
}

/// The code of the one diagnostic `result` failed with.
fn code<T: std::fmt::Debug>(result: Result<T, EngineError>) -> &'static str {
    match result {
        Err(EngineError::Invalid(problems)) => problems[0].code.as_str(),
        other => panic!("expected a diagnostic, got {other:?}"),
    }
}

fn clips(controller: &Controller) -> Vec<String> {
    controller.patch().unwrap().timelines[0]
        .clips
        .iter()
        .map(|clip| clip.id.text.clone())
        .collect()
}

#[test]
fn clip_edits_are_undoable_and_mistakes_are_diagnostics() {
    let (mut controller, _audio) = engine();
    let added = clip_from_json(
        r#"{"id": "d", "file": "d.wav", "position": 8, "gain": -6, "pan": 0.25, "loop": false}"#,
    )
    .unwrap();
    assert_eq!(added.gain, -6.0);
    assert_eq!(added.position, Position::Beats(8.0));
    controller.clip_add("main", added.clone()).unwrap();
    assert_eq!(clips(&controller), ["a", "b", "c", "d"]);
    controller
        .clip_update(
            "main",
            Clip {
                position: Position::Seconds(1.0),
                ..added
            },
        )
        .unwrap();
    assert_eq!(
        controller.patch().unwrap().timelines[0].clips[3].position,
        Position::Seconds(1.0)
    );
    controller.clip_remove("main", "a").unwrap();
    assert_eq!(clips(&controller), ["b", "c", "d"]);
    controller.undo().unwrap();
    assert_eq!(clips(&controller), ["a", "b", "c", "d"]);
    controller.undo().unwrap();
    controller.undo().unwrap();
    assert_eq!(clips(&controller), ["a", "b", "c"]);
    assert_eq!(code(controller.clip_remove("main", "zz")), "E0124");
    assert_eq!(code(controller.clip_remove("nope", "a")), "E0124");
    assert_eq!(code(controller.timeline_stop("nope", At::Now)), "E0124");
    // `other` exists but no node plays it.
    assert_eq!(
        code(controller.timeline_play("other", None, At::Now)),
        "E0124"
    );
    // Malformed: a stretch beyond 4 (in every build); an unknown key is named.
    let stretched = clip_from_json(r#"{"id": "s", "file": "s.wav", "stretch": 5}"#).unwrap();
    assert_eq!(code(controller.clip_add("main", stretched)), "E0123");
    assert_eq!(
        code(clip_from_json(r#"{"id": "s", "file": "s.wav", "gian": 2}"#)),
        "E0123"
    );
    // A refused edit changes nothing.
    assert_eq!(clips(&controller), ["a", "b", "c"]);
}

#[test]
fn timeline_commands_clip_edits_and_follow_actions_allocate_nothing_on_the_audio_thread() {
    let (mut controller, mut audio) = engine();
    let mut buffer = vec![0.0_f32; 2 * 1_000];
    let mut total = Allocations::default();
    let mut play = |audio: &mut patchvm::engine::AudioHalf, total: &mut Allocations| {
        for _ in 0..30 {
            let ((), counts) = counted(|| audio.process(&mut buffer));
            total.allocations += counts.allocations;
            total.frees += counts.frees;
        }
    };
    for round in 0..12 {
        let now = controller.time();
        match round % 4 {
            0 => controller
                .timeline_play("main", Some(0.0), At::Sample(now + 100))
                .unwrap(),
            1 => controller
                .timeline_seek("main", 4.0, At::Sample(now + 300))
                .unwrap(),
            2 => controller
                .timeline_stop("main", At::Sample(now + 500))
                .unwrap(),
            _ => controller.timeline_play("main", None, At::Now).unwrap(),
        }
        let id = format!("x{round}");
        let clip = Clip {
            length: Some(0.5),
            follow: FollowAction {
                choices: vec![(1.0, Follow::Next)],
            },
            ..Clip::new(&id, "x.wav", round as f64 * 0.25)
        };
        controller.clip_add("main", clip).unwrap();
        play(&mut audio, &mut total);
        controller.maintain();
        if round % 3 == 2 {
            controller.clip_remove("main", &id).unwrap();
            play(&mut audio, &mut total);
            controller.maintain();
        }
    }
    // The follow actions' clip events reached the control side through the queue.
    assert!(
        controller
            .take_clip_events()
            .iter()
            .any(|report| report.clip == "x0" && report.what == ClipHappened::Started)
    );
    assert!(
        controller.metrics().swaps >= 16,
        "{}",
        controller.metrics().swaps
    );
    assert_eq!((total.allocations, total.frees), (0, 0));
}

/// Clips with follow actions: 120 BPM at 48 kHz, a beat is 24 000 samples; each clip lasts
/// 0.01 s, 480 samples.
const FOLLOWS: &str = r#"(patch
      (nodes
        (player (type "timeline") (name "main"))
        (out (type "output")))
      (connections (player "left" -> out "left") (player "right" -> out "right"))
      (timelines
        (main (bpm 120)
          (clip a (file "a.wav") (position 0) (length 0.01) (follow (loop 1)))
          (clip b (file "b.wav") (position 1) (length 0.01) (follow next))
          (clip c (file "c.wav") (position 4) (length 0.01) (follow stop))
          (clip d (file "d.wav") (position 5) (length 0.01)))))"#;

#[test]
fn a_follow_action_sequence_reaches_the_control_side_on_its_exact_samples() {
    let report = |clip: &str, what, sample| ClipReport {
        timeline: "main".to_owned(),
        clip: clip.to_owned(),
        what,
        sample,
    };
    use ClipHappened::*;
    let expected = [
        report("a", Started, 0),
        report("a", Ended, 480),
        // `loop 1`: once more, from the same sample.
        report("a", Started, 480),
        report("a", Ended, 960),
        report("b", Started, 24_000),
        report("b", Ended, 24_480),
        // `next`: c (placed at beat 4) starts where b ended.
        report("c", Started, 24_480),
        // `stop`: d at beat 5 never starts.
        report("c", Ended, 24_960),
    ];
    for buffer in [64, 256, 1024] {
        let (mut controller, mut audio) = engine();
        controller
            .load_text(FOLLOWS.as_bytes(), Format::Sexpr)
            .unwrap();
        let mut output = vec![0.0_f32; 2 * buffer];
        let mut reports = Vec::new();
        for _ in 0..150_000 / buffer {
            audio.process(&mut output);
            reports.extend(controller.take_clip_events());
        }
        assert_eq!(reports, expected, "buffer {buffer}");
        assert_eq!(controller.clip_events_dropped(), 0);
    }
}

#[test]
fn clip_events_go_as_osc_to_whoever_last_sent_the_server_a_datagram() {
    let (mut controller, mut audio) = engine();
    controller
        .load_text(FOLLOWS.as_bytes(), Format::Sexpr)
        .unwrap();
    let controller = Arc::new(Mutex::new(controller));
    let server = OscServer::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .and_then(|server| server.spawn(Arc::clone(&controller)))
        .unwrap();
    let client = Client::new(server.local_addr());
    assert_eq!(client.sync(1), []);
    let mut output = vec![0.0_f32; 2 * 256];
    for _ in 0..100 {
        audio.process(&mut output);
    }
    let received: Vec<(String, Vec<OscType>)> = (0..8)
        .map(|_| client.receive().expect("a clip event"))
        .map(|message| (message.addr, message.args))
        .collect();
    let event = |addr: &str, clip: &str, sample| {
        (
            addr.to_owned(),
            vec![s("main"), s(clip), OscType::Long(sample)],
        )
    };
    assert_eq!(
        received,
        [
            event("/clip/started", "a", 0),
            event("/clip/ended", "a", 480),
            event("/clip/started", "a", 480),
            event("/clip/ended", "a", 960),
            event("/clip/started", "b", 24_000),
            event("/clip/ended", "b", 24_480),
            event("/clip/started", "c", 24_480),
            event("/clip/ended", "c", 24_960),
        ]
    );
    server.stop();
}

/// Renders `patch` (its files in `folder`) for `frames` stereo frames in blocks of 64.
fn render(patch: &str, folder: &std::path::Path, frames: usize) -> Vec<f32> {
    let patch = Format::Sexpr
        .read(patch.as_bytes(), &Limits::default())
        .unwrap();
    let prepared =
        Prepared::in_folder(patch, &Settings::default(), &Limits::default(), folder).unwrap();
    let mut instance = prepared.instantiate().unwrap();
    assert_eq!(instance.channels(), 2);
    let mut out = vec![0.0; 2 * frames];
    instance.process_interleaved(&mut out, 64);
    out
}

#[test]
fn a_clip_from_a_wav_file_starts_on_its_beat_with_its_offset_length_gain_and_pan() {
    let folder = folder("render", &["hit.wav"]);
    // Beat 4 at 120 BPM is 2 s: sample 96 000 at 48 kHz. Offset 10 ms = 480 frames in,
    // 20 ms = 960 frames long, -6 dB, pan 0.5: left cos(3π/8), right sin(3π/8).
    let patch = r#"(patch
      (nodes (player (type "timeline") (name "song")) (out (type "output")))
      (connections (player "left" -> out "left") (player "right" -> out "right"))
      (timelines (song (bpm 120)
        (clip hit (file "hit.wav") (position 4) (offset 0.01) (length 0.02) (gain -6) (pan 0.5)))))"#;
    let out = render(patch, &folder, 97_200);
    let level = 10f64.powf(-6.0 / 20.0);
    let angle = 1.5 * std::f64::consts::FRAC_PI_4;
    let gains = [(level * angle.cos()) as f32, (level * angle.sin()) as f32];
    let sounding: Vec<usize> = (0..97_200)
        .filter(|&frame| out[2 * frame] != 0.0 || out[2 * frame + 1] != 0.0)
        .collect();
    assert_eq!(sounding.first(), Some(&96_000));
    assert_eq!(sounding.last(), Some(&96_959));
    for t in 0..960 {
        let sample = f32::from(value(480 + t)) / 32_768.0;
        for (channel, gain) in gains.iter().enumerate() {
            let got = out[2 * (96_000 + t) + channel];
            assert!((got - sample * gain).abs() < 1e-6, "frame {t}: {got}");
        }
    }
}

#[test]
fn a_clip_whose_file_is_missing_is_e0120_at_its_file_string() {
    let folder = folder("missing", &[]);
    let patch = r#"(patch
      (nodes (player (type "timeline") (name "song")) (out (type "output")))
      (connections (player "left" -> out "left"))
      (timelines (song (clip hit (file "gone.wav") (position 4)))))"#;
    let parsed = Format::Sexpr
        .read(patch.as_bytes(), &Limits::default())
        .unwrap();
    let problems = Prepared::in_folder(parsed, &Settings::default(), &Limits::default(), &folder)
        .err()
        .unwrap();
    assert_eq!(problems[0].code.as_str(), "E0120");
    let span = problems[0].primary.span;
    assert_eq!(
        &patch[span.start as usize..span.end as usize],
        "\"gone.wav\""
    );
}

#[test]
fn a_patch_with_timelines_and_no_timeline_node_plays_every_timeline_summed_to_the_output() {
    let folder = folder("implicit", &["hit.wav"]);
    // Timeline `a` at 120 BPM puts its clip at 0.5 s (beat 1, sample 24 000); `b` at 60 BPM
    // at 1 s (sample 48 000) and again at 0.5 s from a clip in seconds, overlapping `a`'s.
    let patch = r#"(patch
      (timelines
        (a (bpm 120) (clip x (file "hit.wav") (position 1) (length 0.01)))
        (b (bpm 60) (clip y (file "hit.wav") (position 1) (length 0.01))
                    (clip z (file "hit.wav") (seconds 0.5) (length 0.01) (gain -6)))))"#;
    let out = render(patch, &folder, 49_000);
    let at = |frame: usize| out[2 * frame];
    let center = std::f32::consts::FRAC_1_SQRT_2;
    let half = 10f64.powf(-6.0 / 20.0) as f32;
    for t in 0..480 {
        let sample = f32::from(value(t)) / 32_768.0;
        let both = sample * center + sample * half * center;
        assert!((at(24_000 + t) - both).abs() < 1e-6, "frame {t}");
        assert!((at(48_000 + t) - sample * center).abs() < 1e-6, "frame {t}");
        let right = out[2 * (48_000 + t) + 1];
        assert!((right - sample * center).abs() < 1e-6, "frame {t}");
    }
    assert_eq!(
        (at(23_999), at(24_480), at(47_999), at(48_480)),
        (0.0, 0.0, 0.0, 0.0)
    );
}

/// Random clips (odd names and files included) on random timelines.
fn timelines() -> impl Strategy<Value = Vec<Timeline>> {
    let follow = prop_oneof![
        Just(Follow::Next),
        Just(Follow::Stop),
        (1u32..100).prop_map(Follow::Loop),
        Just(Follow::Timeline(patchvm::ir::Name::new("t0"))),
    ];
    let clip = (
        "[a-z \"\\\\]{1,8}",
        "[a-z/. ]{1,12}",
        (0.0..64.0f64, any::<bool>()),
        (0.0..10.0f64, prop::option::of(0.001..10.0f64)),
        (-120.0..24.0f64, -1.0..1.0f64, 0.0..1.0f64, 0.0..1.0f64),
        any::<bool>(),
        prop::collection::vec((0.1..10.0f64, follow), 0..3),
    )
        .prop_map(
            |(
                id,
                file,
                (at, beats),
                (offset, length),
                (gain, pan, fade_in, fade_out),
                looping,
                choices,
            )| Clip {
                position: if beats {
                    Position::Beats(at)
                } else {
                    Position::Seconds(at)
                },
                offset,
                length,
                gain,
                pan,
                fade_in,
                fade_out,
                looping,
                follow: FollowAction { choices },
                ..Clip::new(&id, &file, 0.0)
            },
        );
    prop::collection::vec((20.0..300.0f64, prop::collection::vec(clip, 0..4)), 1..3).prop_map(
        |timelines| {
            timelines
                .into_iter()
                .enumerate()
                .map(|(at, (bpm, clips))| Timeline {
                    clips,
                    ..Timeline::new(&format!("t{at}"), bpm)
                })
                .collect()
        },
    )
}

proptest! {
    #[test]
    fn timelines_convert_between_every_format_without_loss(timelines in timelines()) {
        let patch = Patch { timelines, ..Patch::default() };
        for from in Format::ALL {
            let read = from.read(&from.write(&patch), &Limits::default()).unwrap();
            for to in Format::ALL {
                let again = to.read(&to.write(&read), &Limits::default()).unwrap();
                prop_assert_eq!(again.without_spans(), patch.clone().without_spans());
            }
        }
    }
}
