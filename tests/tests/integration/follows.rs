//! Follow actions that start another timeline, measured on their samples: a clip of timeline
//! A ending at beat 4 (120 BPM, 48 kHz: sample 96 000) starts timeline B from its beat 0 on
//! that sample, B's clips placed from there by B's own tempo; a cycle A → B → A hands over
//! on every end; a seeded choice between two timelines; the same bits whatever the blocks,
//! through the engine and OSC, without allocating. And clip events name their clip by id
//! whatever edits add, remove and reorder the clips around it.

use crate::allocations::{Allocations, counted};
use crate::timelines::{folder, value};
use patchvm::engine::{
    ClipHappened, ClipReport, Controller, Engine, EngineSettings, Prepared, Settings,
};
use patchvm::ir::timelines::Clip;
use patchvm::ir::{Format, Limits};
use patchvm::osc::OscServer;
use patchvm_tests::osc::{Client, s};
use rosc::OscType;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

const CENTRE: f32 = std::f32::consts::FRAC_1_SQRT_2;

/// Renders `patch` (its files in `folder`) with `seed` for `frames` stereo frames in blocks
/// of `block`.
fn render(patch: &str, folder: &Path, seed: u64, frames: usize, block: usize) -> Vec<f32> {
    let patch = Format::Sexpr
        .read(patch.as_bytes(), &Limits::default())
        .unwrap();
    let settings = Settings {
        seed,
        ..Settings::default()
    };
    let prepared = Prepared::in_folder(patch, &settings, &Limits::default(), folder).unwrap();
    let mut instance = prepared.instantiate().unwrap();
    let mut out = vec![0.0; 2 * frames];
    instance.process_interleaved(&mut out, block);
    out
}

/// `hit.wav` (0.1 s, frame `t` is `value(t)`) at frame `t`, centred.
fn hit(t: usize) -> f32 {
    f32::from(value(t)) / 32_768.0 * CENTRE
}

/// Whether `got` is `expected` within the decoder's rounding.
fn close(got: f32, expected: f32) -> bool {
    (got - expected).abs() < 1e-6 && (got == 0.0) == (expected == 0.0)
}

/// Timeline `a`'s clip lasts 2 s, to beat 4 at 120 BPM (sample 96 000), then starts `b`,
/// whose clips lie at its beat 0 and beat 1 at 90 BPM (2/3 s: 32 000 samples later). `a` is
/// heard on the left, `b` on the right; `b` waits, stopped, for the follow action.
const HAND_OVER: &str = r#"(patch
  (nodes
    (NODES)
    (out (type "output")))
  (connections (a "left" -> out "left") (b "right" -> out "right"))
  (timelines
    (a (bpm 120) (clip x (file "hit.wav") (position 0) (length 2) (follow (timeline b))))
    (b (bpm 90)
      (clip z (file "hit.wav") (position 0) (length 0.01))
      (clip y (file "hit.wav") (position 1) (length 0.01)))))"#;

#[test]
fn a_clip_ending_at_beat_4_starts_the_next_timeline_on_sample_96000_whatever_the_blocks() {
    let folder = folder("follow-hand-over", &["hit.wav"]);
    let a = r#"(a (type "timeline") (name "a"))"#;
    let b = r#"(b (type "timeline") (name "b") (play 0))"#;
    let frames = 130_000;
    // Either order of the nodes: the follow edge runs `b` after `a`.
    let runs: Vec<Vec<f32>> = [(a, b, 64), (a, b, 17), (b, a, 64)]
        .iter()
        .map(|(first, second, block)| {
            let patch = HAND_OVER.replace("(NODES)", &format!("{first} {second}"));
            render(&patch, &folder, 0, frames, *block)
        })
        .collect();
    let bits = |out: &[f32]| out.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&runs[1]), bits(&runs[0]));
    assert_eq!(bits(&runs[2]), bits(&runs[0]));
    let out = &runs[0];
    let left = |k: usize| out[2 * k];
    let right = |k: usize| out[2 * k + 1];
    // `a`: its file's 4 800 frames from sample 0, then silence; it stopped at 96 000.
    for t in 0..4_800 {
        assert!(close(left(t), hit(t)), "a at {t}: {}", left(t));
    }
    assert!((4_800..frames).all(|k| left(k) == 0.0));
    // `b`: z from its beat 0 at exactly 96 000, y from its beat 1 at 96 000 + 32 000.
    let mut sounding = Vec::new();
    for k in 0..frames {
        let expected = match k {
            96_000..96_480 => hit(k - 96_000),
            128_000..128_480 => hit(k - 128_000),
            _ => 0.0,
        };
        assert!(close(right(k), expected), "b at {k}: {}", right(k));
        if right(k) != 0.0 {
            sounding.push(k);
        }
    }
    assert_eq!(sounding.first(), Some(&96_000));
    assert_eq!(sounding.last(), Some(&128_479));
}

/// A cycle: `a`'s 1 s clip (48 000 samples) starts `b`, whose 0.5 s clip (24 000) starts
/// `a` again.
const CYCLE: &str = r#"(patch
  (nodes
    (a (type "timeline") (name "a"))
    (b (type "timeline") (name "b") (play 0))
    (out (type "output")))
  (connections (a "left" -> out "left") (b "right" -> out "right"))
  (timelines
    (a (bpm 120) (clip x (file "hit.wav") (position 0) (length 1) (follow (timeline b))))
    (b (bpm 120) (clip y (file "hit.wav") (position 0) (length 0.5) (follow (timeline a))))))"#;

fn engine(patch: &str, name: &str) -> (Controller, patchvm::engine::AudioHalf) {
    let (mut controller, audio) = Engine::new(
        EngineSettings {
            channels: 2,
            ..EngineSettings::default()
        },
        Limits::default(),
    );
    controller.set_folder(folder(name, &["hit.wav"]));
    controller
        .load_text(patch.as_bytes(), Format::Sexpr)
        .unwrap();
    (controller, audio)
}

fn report(timeline: &str, clip: &str, what: ClipHappened, sample: u64) -> ClipReport {
    ClipReport {
        timeline: timeline.to_owned(),
        clip: clip.to_owned(),
        what,
        sample,
    }
}

/// Plays `frames` frames in buffers of `buffer`, taking the clip events after each.
fn play(
    controller: &mut Controller,
    audio: &mut patchvm::engine::AudioHalf,
    frames: usize,
    buffer: usize,
) -> Vec<ClipReport> {
    let mut output = vec![0.0_f32; 2 * buffer];
    let mut reports = Vec::new();
    for _ in 0..frames / buffer {
        audio.process(&mut output);
        reports.extend(controller.take_clip_events());
    }
    reports
}

#[test]
fn a_cycle_of_follow_actions_hands_over_on_every_end_whatever_the_buffers() {
    use ClipHappened::*;
    // Events of one sample come in the order the kernels run: `a`, then `b`.
    let expected = [
        report("a", "x", Started, 0),
        report("a", "x", Ended, 48_000),
        report("b", "y", Started, 48_000),
        report("a", "x", Started, 72_000),
        report("b", "y", Ended, 72_000),
        report("a", "x", Ended, 120_000),
        report("b", "y", Started, 120_000),
        report("a", "x", Started, 144_000),
        report("b", "y", Ended, 144_000),
    ];
    for buffer in [64, 256, 1024] {
        let (mut controller, mut audio) = engine(CYCLE, "follow-cycle");
        let mut reports = play(&mut controller, &mut audio, 150_000, buffer);
        reports.sort_by_key(|report| report.sample);
        assert_eq!(reports, expected, "buffer {buffer}");
    }
}

#[test]
fn a_seeded_choice_between_two_timelines_starts_one_on_its_sample() {
    let folder = folder("follow-choice", &["hit.wav"]);
    // `a` is heard through the follow edges alone; `b` on the left, `c` on the right.
    let patch = r#"(patch
      (nodes
        (a (type "timeline") (name "a"))
        (b (type "timeline") (name "b") (play 0))
        (c (type "timeline") (name "c") (play 0))
        (out (type "output")))
      (connections (b "left" -> out "left") (c "right" -> out "right"))
      (timelines
        (a (bpm 120) (clip x (file "hit.wav") (position 0) (length 2)
          (follow (choose (1 (timeline b)) (1 (timeline c))))))
        (b (bpm 120) (clip y (file "hit.wav") (position 0) (length 0.01)))
        (c (bpm 120) (clip z (file "hit.wav") (position 0) (length 0.01)))))"#;
    let frames = 97_000;
    let mut chose_b = 0;
    for seed in 0..40 {
        let out = render(patch, &folder, seed, frames, 64);
        let channel = |c: usize| (0..frames).map(|k| out[2 * k + c]).collect::<Vec<_>>();
        let (left, right) = (channel(0), channel(1));
        let (played, silent) = match left[96_000] != 0.0 {
            true => (&left, &right),
            false => (&right, &left),
        };
        chose_b += usize::from(played == &left);
        assert!(silent.iter().all(|&x| x == 0.0), "seed {seed}");
        for (k, &x) in played.iter().enumerate() {
            let expected = match k {
                96_000..96_480 => hit(k - 96_000),
                _ => 0.0,
            };
            assert!(close(x, expected), "seed {seed}, sample {k}: {x}");
        }
        if seed < 3 {
            let again = render(patch, &folder, seed, frames, 17);
            assert_eq!(
                again, out,
                "seed {seed}: the same choice whatever the blocks"
            );
        }
    }
    // Weights 1 and 1: 20 of 40 expected; 3 standard deviations (9.5) either side.
    assert!((11..=29).contains(&chose_b), "{chose_b}");
}

#[test]
fn the_next_timeline_s_clip_start_goes_out_as_osc() {
    let (controller, mut audio) = engine(CYCLE, "follow-osc");
    let controller = Arc::new(Mutex::new(controller));
    let server = OscServer::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .and_then(|server| server.spawn(Arc::clone(&controller)))
        .unwrap();
    let client = Client::new(server.local_addr());
    assert_eq!(client.sync(1), []);
    let mut output = vec![0.0_f32; 2 * 1024];
    for _ in 0..60 {
        audio.process(&mut output);
    }
    let received: Vec<(String, Vec<OscType>)> = (0..3)
        .map(|_| client.receive().expect("a clip event"))
        .map(|message| (message.addr, message.args))
        .collect();
    let event = |addr: &str, timeline: &str, clip: &str, sample| {
        (
            addr.to_owned(),
            vec![s(timeline), s(clip), OscType::Long(sample)],
        )
    };
    assert_eq!(
        received,
        [
            event("/clip/started", "a", "x", 0),
            event("/clip/ended", "a", "x", 48_000),
            event("/clip/started", "b", "y", 48_000),
        ]
    );
    server.stop();
}

#[test]
fn follow_actions_around_a_cycle_and_clip_edits_allocate_nothing_on_the_audio_thread() {
    let (mut controller, mut audio) = engine(CYCLE, "follow-realtime");
    let mut buffer = vec![0.0_f32; 2 * 1_000];
    let mut total = Allocations::default();
    let mut reports = Vec::new();
    for round in 0..8 {
        let id = format!("e{round}");
        let clip = Clip {
            length: Some(0.01),
            ..Clip::new(&id, "hit.wav", 0.25)
        };
        controller.clip_add("b", clip).unwrap();
        for _ in 0..30 {
            let ((), counts) = counted(|| audio.process(&mut buffer));
            total.allocations += counts.allocations;
            total.frees += counts.frees;
        }
        controller.maintain();
        reports.extend(controller.take_clip_events());
    }
    // 240 000 samples: `a` started `b` at 48 000 and 120 000, and `b` started `a` at 72 000
    // and 144 000 (and 216 000).
    let starts = |timeline: &str| {
        reports
            .iter()
            .filter(|r| r.timeline == timeline && r.what == ClipHappened::Started)
            .filter(|r| r.clip == "x" || r.clip == "y")
            .map(|r| r.sample)
            .collect::<Vec<_>>()
    };
    assert_eq!(starts("a"), [0, 72_000, 144_000, 216_000]);
    assert_eq!(starts("b"), [48_000, 120_000, 192_000]);
    assert_eq!((total.allocations, total.frees), (0, 0));
}

#[test]
fn clip_events_name_their_clip_by_id_after_edits_add_remove_and_reorder_clips() {
    // 120 BPM: a beat is 24 000 samples. `p` plays 0..48 000 through every edit.
    let patch = r#"(patch
      (nodes (player (type "timeline") (name "main")) (out (type "output")))
      (connections (player "left" -> out "left") (player "right" -> out "right"))
      (timelines
        (main (bpm 120)
          (clip p (file "hit.wav") (position 0) (length 1))
          (clip q (file "hit.wav") (position 4) (length 0.01))
          (clip t (file "hit.wav") (position 3) (length 1)))))"#;
    let (mut controller, mut audio) = engine(patch, "follow-ids");
    let short = |id: &str, beat: f64| Clip {
        length: Some(0.01),
        ..Clip::new(id, "hit.wav", beat)
    };
    let mut reports = play(&mut controller, &mut audio, 10_000, 250);
    // Added behind the others: r at beat 0.5.
    controller.clip_add("main", short("r", 0.5)).unwrap();
    reports.extend(play(&mut controller, &mut audio, 10_000, 250));
    // Reordered: q removed and added again, now after r; s added at beat 1.5, and r moved
    // to beat 1.25 by an update.
    controller.clip_remove("main", "q").unwrap();
    controller.clip_add("main", short("q", 4.0)).unwrap();
    controller.clip_add("main", short("s", 1.5)).unwrap();
    controller.clip_update("main", short("r", 1.25)).unwrap();
    reports.extend(play(&mut controller, &mut audio, 60_000, 250));
    // At 80 000 `t` (from 72 000) is removed while it plays: cut there.
    controller.clip_remove("main", "t").unwrap();
    reports.extend(play(&mut controller, &mut audio, 20_000, 250));
    use ClipHappened::*;
    let main = |clip: &str, what, sample| report("main", clip, what, sample);
    assert_eq!(
        reports,
        [
            main("p", Started, 0),
            main("r", Started, 12_000),
            main("r", Ended, 12_480),
            main("r", Started, 30_000),
            main("r", Ended, 30_480),
            main("s", Started, 36_000),
            main("s", Ended, 36_480),
            main("p", Ended, 48_000),
            main("t", Started, 72_000),
            main("t", Ended, 80_000),
            main("q", Started, 96_000),
            main("q", Ended, 96_480),
        ]
    );
    let order: Vec<String> = controller.patch().unwrap().timelines[0]
        .clips
        .iter()
        .map(|clip| clip.id.text.clone())
        .collect();
    assert_eq!(order, ["p", "r", "q", "s"]);
}

#[test]
fn a_follow_into_a_timeline_no_node_plays_is_e0124_and_into_nine_is_e0127() {
    let check = |patch: &str| {
        let parsed = Format::Sexpr
            .read(patch.as_bytes(), &Limits::default())
            .unwrap();
        let Err(problems) = Prepared::new(parsed, &Settings::default(), &Limits::default()) else {
            panic!("expected the patch refused");
        };
        let span = problems[0].primary.span;
        (
            problems[0].code.as_str(),
            patch[span.start as usize..span.end as usize].to_owned(),
            problems[0].message.clone(),
        )
    };
    let unplayed = r#"(patch
      (nodes (a (type "timeline") (name "a")) (out (type "output")))
      (connections (a "left" -> out "left"))
      (timelines
        (a (bpm 120) (clip x (file "hit.wav") (position 0) (length 1) (follow (timeline b))))
        (b (bpm 120))))"#;
    assert_eq!(
        check(unplayed),
        (
            "E0124",
            "b".to_owned(),
            "timeline `a` follows into timeline `b`, which no `timeline` node plays".to_owned()
        )
    );
    let names: Vec<String> = (0..9).map(|k| format!("t{k}")).collect();
    let choices: String = names
        .iter()
        .map(|n| format!("(1 (timeline {n}))"))
        .collect();
    let sections: String = names.iter().map(|n| format!("({n} (bpm 120))")).collect();
    let players: String = names
        .iter()
        .map(|n| format!(r#"(p{n} (type "timeline") (name "{n}"))"#))
        .collect();
    let nine = format!(
        r#"(patch
      (nodes (a (type "timeline") (name "a")) {players} (out (type "output")))
      (connections (a "left" -> out "left"))
      (timelines
        (a (bpm 120) (clip x (file "hit.wav") (position 0) (length 1) (follow (choose {choices}))))
        {sections}))"#
    );
    let (code, at, message) = check(&nine);
    assert_eq!((code, at.as_str()), ("E0127", "t8"));
    assert_eq!(
        message,
        "timeline `a` follows into 9 timelines, more than 8; `t8` is one too many"
    );
}
