//! Scenes measured from samples: every value of a scene recalled on the bar line lands on
//! the bar line's sample (numbers and a pattern's text alike), a recall at once on the next
//! block, and a scene's mistakes reported at their text.

use patchvm::engine::{AudioHalf, Controller, Engine, EngineError, EngineSettings, RecallAt};
use patchvm::ir::{Code, Diagnostic, Format, Limits, validate};
use patchvm::modules::catalog;
use patchvm::vm::Quantize;

/// `a`'s level (plus the pattern's onsets) on the left, `b`'s on the right, at 120 BPM in
/// 4/4: bar lines every 96 000 samples, the pattern's four steps a bar on every beat.
pub(crate) const PATCH: &str = r#"(patch
  (nodes
    (clk (type "clock"))
    (a (type "gain") (amp 0.25))
    (b (type "gain") (amp 0.5))
    (seq (type "seq.pattern") (pattern "c3*4"))
    (out (type "output")))
  (connections
    (clk "playing" -> a "in") (clk "playing" -> b "in")
    (a "out" -> out "left") (b "out" -> out "right") (seq "trig" -> out "left"))
  (scenes
    (verse (a.amp 0.75) (b.amp 0.125) (seq.pattern "c3*8"))
    (quiet (a.amp 0) (b.amp 0))))"#;

pub(crate) fn stereo() -> (Controller, AudioHalf) {
    Engine::new(
        EngineSettings {
            channels: 2,
            ..EngineSettings::default()
        },
        Limits::default(),
    )
}

/// The next `frames` frames, as left and right, rendered in host calls of `chunk` frames.
pub(crate) fn render_lr(
    audio: &mut AudioHalf,
    frames: usize,
    chunk: usize,
) -> (Vec<f32>, Vec<f32>) {
    let mut out = vec![0.0; 2 * frames];
    for part in out.chunks_mut(2 * chunk) {
        audio.process(part);
    }
    (
        out.iter().step_by(2).copied().collect(),
        out.iter().skip(1).step_by(2).copied().collect(),
    )
}

/// Where the level `amp` plus onsets of 1.0 has its onsets, and whether every other sample
/// is exactly `amp`.
fn onsets(left: &[f32], from: usize, amp: f32) -> Vec<usize> {
    let mut found = Vec::new();
    for (n, &x) in left.iter().enumerate() {
        if x == amp + 1.0 {
            found.push(from + n);
        } else {
            assert_eq!(x, amp, "sample {}", from + n);
        }
    }
    found
}

#[test]
fn a_scene_recalled_for_the_next_bar_lands_every_value_on_the_bar_line() {
    let (mut controller, mut audio) = stereo();
    controller
        .load_text(PATCH.as_bytes(), Format::Sexpr)
        .unwrap();
    let (mut left, mut right) = render_lr(&mut audio, 10_000, 10_000);
    let report = controller
        .recall_scene("verse", RecallAt::Grid(Quantize::Bars(1)))
        .unwrap();
    let (l, r) = render_lr(&mut audio, 190_000, 777);
    left.extend(l);
    right.extend(r);
    // The right: b's amp 0.5 up to the bar line, 0.125 from its very sample.
    assert!(right[..96_000].iter().all(|&x| x == 0.5));
    assert!(right[96_000..].iter().all(|&x| x == 0.125));
    // The left: a's amp 0.25 and four onsets a bar, then 0.75 and eight a bar, both from
    // sample 96 000 (beat 4).
    assert_eq!(
        onsets(&left[..96_000], 0, 0.25),
        [0, 24_000, 48_000, 72_000]
    );
    let eighths: Vec<usize> = (0..9).map(|k| 96_000 + 12_000 * k).collect();
    assert_eq!(onsets(&left[96_000..], 96_000, 0.75), eighths);
    assert_eq!(controller.current_scene(), Some("verse"));
    let taken = controller.take_reports();
    let taken_at = taken.iter().find(|r| r.generation == report.generation);
    assert_eq!(taken_at.and_then(|r| r.taken_at), Some(96_000));
    // The patch playing holds the scene's values: a snapshot's text would.
    let patch = controller.patch().unwrap();
    let seq = patch.node("seq").unwrap();
    assert!(format!("{:?}", seq.params).contains("c3*8"));
}

#[test]
fn a_scene_recalled_at_once_lands_on_the_next_block_and_resets_what_events_moved() {
    let (mut controller, mut audio) = stereo();
    controller
        .load_text(PATCH.as_bytes(), Format::Sexpr)
        .unwrap();
    let (_, mut right) = render_lr(&mut audio, 1_000, 1_000);
    controller
        .set_param("b", "amp", 0.3, patchvm::engine::At::Now)
        .unwrap();
    right.extend(render_lr(&mut audio, 1_000, 1_000).1);
    controller.recall_scene("verse", RecallAt::Now).unwrap();
    right.extend(render_lr(&mut audio, 1_000, 100).1);
    // An event moved b to 0.3; the scene sets 0.125 on the first sample of the next block.
    assert!(right[1_000..2_000].iter().all(|&x| x == 0.3));
    assert!(right[2_000..].iter().all(|&x| x == 0.125));
    // Recalling `quiet` after `verse`, while the patch already holds `verse`: every value.
    controller.recall_scene("quiet", RecallAt::Now).unwrap();
    let (left, right) = render_lr(&mut audio, 64, 64);
    assert!(right.iter().all(|&x| x == 0.0));
    assert!(left.iter().all(|&x| x == 0.0 || x == 1.0));
}

#[test]
fn an_unknown_scene_names_the_scenes_there_are() {
    let (mut controller, _audio) = stereo();
    controller
        .load_text(PATCH.as_bytes(), Format::Sexpr)
        .unwrap();
    let error = controller
        .recall_scene("chorus", RecallAt::Now)
        .unwrap_err();
    assert!(matches!(error, EngineError::Scene(_)));
    assert_eq!(
        error.to_string(),
        "cannot recall the scene: no scene `chorus`; expected one of `verse`, `quiet`"
    );
}

fn problems(scenes: &str) -> Vec<Diagnostic> {
    let text = PATCH.replace(
        r#"(scenes
    (verse (a.amp 0.75) (b.amp 0.125) (seq.pattern "c3*8"))
    (quiet (a.amp 0) (b.amp 0)))"#,
        scenes,
    );
    let patch = Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .unwrap();
    validate(&patch, catalog(), &Limits::default()).unwrap_err()
}

#[test]
fn a_scene_s_mistakes_are_reported_at_their_text() {
    for (scenes, code, under, message) in [
        (
            "(scenes (v (lead.amp 1)))",
            Code::UnknownNode,
            "lead.amp",
            "scene `v` names unknown node in `lead.amp`",
        ),
        (
            "(scenes (v (a.ampp 1)))",
            Code::UnknownPort,
            "ampp",
            "unknown parameter `ampp` on node `a` (module `gain`)",
        ),
        (
            "(scenes (v (seq.cycle 100)))",
            Code::OutOfRange,
            "100",
            "parameter `cycle` of node `seq` is 100, outside its range 0.0625..=64",
        ),
        (
            r#"(scenes (v (seq.pattern "bd [sd")))"#,
            Code::Text,
            "[",
            "",
        ),
        (
            "(scenes (v (a.in 1)))",
            Code::Scene,
            "(a.in 1)",
            "scene `v` cannot set `a.in`: a connection drives it",
        ),
        (
            "(scenes (v (a.amp 1) (a.amp 2)))",
            Code::Scene,
            "(a.amp 2)",
            "scene `v` sets `a.amp` twice",
        ),
        (
            "(scenes (v (a.amp 1)) (v (b.amp 1)))",
            Code::Scene,
            "v",
            "duplicate scene `v`",
        ),
    ] {
        let found = problems(scenes);
        assert_eq!(found.len(), 1, "{scenes}: {found:?}");
        let problem = &found[0];
        let text = PATCH.replace(
            r#"(scenes
    (verse (a.amp 0.75) (b.amp 0.125) (seq.pattern "c3*8"))
    (quiet (a.amp 0) (b.amp 0)))"#,
            scenes,
        );
        assert_eq!(problem.code, code, "{scenes}: {problem:?}");
        assert_eq!(&text[problem.primary.span.range()], under, "{scenes}");
        if !message.is_empty() {
            assert_eq!(problem.message, message, "{scenes}");
        }
        assert!(problem.hint.is_some(), "{scenes}");
    }
    assert_eq!(Code::Scene.as_str(), "E0118");
}

/// Sends one OSC message through `dispatcher` and returns the replies.
fn osc(
    dispatcher: &patchvm::osc::Dispatcher,
    controller: &std::sync::Mutex<Controller>,
    address: &str,
    args: Vec<rosc::OscType>,
) -> Vec<rosc::OscMessage> {
    let packet = rosc::OscPacket::Message(rosc::OscMessage {
        addr: address.into(),
        args,
    });
    dispatcher.datagram(&rosc::encoder::encode(&packet).unwrap(), controller)
}

#[test]
fn over_osc_a_scene_lands_on_the_bar_line_and_a_snapshot_is_written_whole() {
    use rosc::OscType::String as S;
    let (controller, mut audio) = stereo();
    let controller = std::sync::Mutex::new(controller);
    controller
        .lock()
        .unwrap()
        .load_text(PATCH.as_bytes(), Format::Sexpr)
        .unwrap();
    let dispatcher = patchvm::osc::Dispatcher::new(&controller.lock().unwrap());
    let (_, mut right) = render_lr(&mut audio, 30_000, 1_000);
    let replies = osc(
        &dispatcher,
        &controller,
        "/scene/recall",
        vec![S("verse".into())],
    );
    assert!(replies.is_empty(), "{replies:?}");
    right.extend(render_lr(&mut audio, 70_000, 1_000).1);
    // The default is the next bar line: 96 000.
    assert_eq!(right.iter().position(|&x| x != 0.5), Some(96_000));
    let replies = osc(
        &dispatcher,
        &controller,
        "/scene/recall",
        vec![S("quiet".into()), S("now".into())],
    );
    assert!(replies.is_empty(), "{replies:?}");
    assert!(render_lr(&mut audio, 64, 64).1.iter().all(|&x| x == 0.0));
    let replies = osc(
        &dispatcher,
        &controller,
        "/scene/recall",
        vec![S("quiet".into()), S("later".into())],
    );
    assert_eq!(
        replies[0].args,
        [S(
            "/scene/recall: `later` is no time to recall a scene; expected `bar` or `now`".into()
        )]
    );
    // A snapshot over OSC: written whole, answered with its path, read back.
    let dir = std::env::temp_dir().join(format!("patchvm-scenes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("live.json");
    let text = path.to_string_lossy().into_owned();
    let replies = osc(
        &dispatcher,
        &controller,
        "/engine/snapshot",
        vec![S(text.clone())],
    );
    assert_eq!(replies[0].addr, "/engine/snapshot");
    assert_eq!(replies[0].args, [S(text)]);
    let read = patchvm::engine::Snapshot::read_file(&path).unwrap();
    assert_eq!(read.time, 100_064);
    assert_eq!(read.scene.as_deref(), Some("quiet"));
    assert!(!dir.join("live.json.tmp").exists());
    let nowhere = dir
        .join("missing")
        .join("x.json")
        .to_string_lossy()
        .into_owned();
    let replies = osc(
        &dispatcher,
        &controller,
        "/engine/snapshot",
        vec![S(nowhere)],
    );
    assert_eq!(replies[0].addr, "/error");
    std::fs::remove_dir_all(&dir).unwrap();
}
