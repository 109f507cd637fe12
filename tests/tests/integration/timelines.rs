//! Timelines from outside: the controller's play, stop and seek and its clip edits (undoable,
//! refused with E0123/E0124 at what does not exist or is malformed), the audio thread
//! allocating nothing through them and through follow actions, and random timelines through
//! every format without loss.

use crate::allocations::{Allocations, counted};
use patchvm::engine::{At, Controller, Engine, EngineError, EngineSettings, clip_from_json};
use patchvm::ir::timelines::{Clip, Follow, FollowAction, Position, Timeline};
use patchvm::ir::{Format, Limits, Patch};
use proptest::prelude::*;

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

fn engine() -> (Controller, patchvm::engine::AudioHalf) {
    let (mut controller, audio) = Engine::new(
        EngineSettings {
            channels: 2,
            ..EngineSettings::default()
        },
        Limits::default(),
    );
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
    // Malformed: stretched clips wait for time-stretch; an unknown key is named.
    let stretched = clip_from_json(r#"{"id": "s", "file": "s.wav", "stretch": 2}"#).unwrap();
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
    assert!(
        controller.metrics().swaps >= 16,
        "{}",
        controller.metrics().swaps
    );
    assert_eq!((total.allocations, total.frees), (0, 0));
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
