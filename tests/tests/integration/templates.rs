//! Voice templates as a language feature, measured: the expansion is what a hand-written flat
//! patch would be, a template's mistakes are reported once at its own text, every voice keeps
//! its state across edits, and events reach a template's inputs and each voice.

use patchvm::engine::At;
use patchvm::ir::{Code, Edit, Format, Limits, LineIndex, Patch, PatchBuilder};
use patchvm::{Instance, Settings};
use patchvm_tests::live::{fade, mono_with_voices as engine, render};
use patchvm_tests::measure::spectral_peaks;
use patchvm_tests::{diagnose, render_with};

/// A template of sines whose voices differ only by the pitch the host sets, mixed at 0.25.
const SINES: &str = r#"(patch
  (nodes
    (mix (type "gain") (amp 0.25))
    (out (type "output")))
  (connections
    (sines "out" -> mix "in")
    (mix "out" -> out "in"))
  (voice sines
    (nodes
      (note (type "voice"))
      (osc (type "osc.sine") (freq 0))                   ; + pitch + detune
      (vca (type "mul")))
    (connections
      (note "pitch" -> osc "freq")
      (osc "out" -> vca "a")
      (note "gate" -> vca "b"))
    (inputs
      (detune osc "freq"))
    (outputs
      (out vca "out"))))
"#;

fn sines() -> Patch {
    Format::Sexpr
        .read(SINES.as_bytes(), &Limits::default())
        .unwrap()
}

fn settings(voices: usize) -> Settings {
    Settings {
        voices,
        ..Settings::default()
    }
}

#[test]
fn the_expansion_is_the_flat_patch_its_docs_describe() {
    // Three voices written out by hand: the shared input node holding the template's value
    // for `detune` (0, the value the template gives `osc.freq`), the copies node
    // by node, the sum; the patch's connections rewired, the input to every voice, the
    // template's connections voice by voice, every voice into the sum.
    let id = |voice: usize, node: &str| format!("sines/{voice}/{node}");
    let mut flat = PatchBuilder::new()
        .node("mix", "gain", &[("amp", 0.25)])
        .node("out", "output", &[])
        .node("sines/detune", "gain", &[("in", 0.0)]);
    for (node, module, params) in [
        ("note", "voice", &[][..]),
        ("osc", "osc.sine", &[("freq", 0.0)][..]),
        ("vca", "mul", &[][..]),
    ] {
        for voice in 0..3 {
            flat = flat.node(&id(voice, node), module, params);
        }
    }
    flat = flat
        .node("sines/out", "gain", &[])
        .connect(("sines/out", "out"), ("mix", "in"))
        .connect(("mix", "out"), ("out", "in"));
    for voice in 0..3 {
        flat = flat.connect(("sines/detune", "out"), (&id(voice, "osc"), "freq"));
    }
    for (from, to) in [
        (("note", "pitch"), ("osc", "freq")),
        (("osc", "out"), ("vca", "a")),
        (("note", "gate"), ("vca", "b")),
    ] {
        for voice in 0..3 {
            flat = flat.connect((&id(voice, from.0), from.1), (&id(voice, to.0), to.1));
        }
    }
    for voice in 0..3 {
        flat = flat.connect((&id(voice, "vca"), "out"), ("sines/out", "in"));
    }
    let patch = sines();
    let (expanded, problems) = patchvm::ir::voices::expand(&patch, patchvm::modules::catalog(), 3);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(expanded.into_owned().without_spans(), flat.build());
}

#[test]
fn played_voices_sound_their_own_pitches_summed() {
    let (mut controller, mut audio) = engine(3);
    controller.load_patch(sines()).unwrap();
    for note in [57, 64, 69] {
        controller.note_on(note, 127, At::Sample(0)).unwrap();
    }
    assert_eq!(controller.active_voices(), 3);
    let played = render(&mut audio, 4_800);
    assert_eq!(controller.metrics().active_voices, 3);
    let peaks = spectral_peaks(&played[2_400..], 48_000.0, 100.0, 1_000.0, 3);
    let mut found: Vec<f64> = peaks.iter().map(|p| p.0).collect();
    found.sort_by(f64::total_cmp);
    for (found, expected) in found.iter().zip([220.0, 329.63, 440.0]) {
        assert!((found - expected).abs() < 0.5, "{found} for {expected}");
    }
    // Each voice's sine at the mix's 0.25.
    for peak in &peaks {
        assert!((peak.1 - 0.25).abs() < 0.01, "{peaks:?}");
    }
}

#[test]
fn a_template_s_mistakes_are_reported_once_at_the_template_s_text() {
    let cases = [
        (
            SINES.replace("osc.sine", "osc.sin"),
            Code::UnknownModule,
            "\"osc.sin\"",
        ),
        (
            SINES.replace("(osc \"out\" -> vca \"a\")", "(osc \"out\" -> vca \"c\")"),
            Code::UnknownPort,
            "\"c\"",
        ),
        (
            SINES.replace("(out vca \"out\")", "(out vca \"o\")"),
            Code::UnknownPort,
            "\"o\"",
        ),
        (
            SINES.replace("(sines \"out\" -> mix", "(sines \"output\" -> mix"),
            Code::UnknownPort,
            "\"output\"",
        ),
        (
            SINES.replace(
                "(note (type \"voice\"))",
                "(note (type \"voice\")) (n2 (type \"voice\"))",
            ),
            Code::Template,
            "\"voice\"",
        ),
        (
            SINES
                .replace("(note (type \"voice\"))", "")
                .replace("(note \"pitch\" -> osc \"freq\")", "")
                .replace("(note \"gate\" -> vca \"b\")", ""),
            Code::Template,
            "sines",
        ),
        (
            SINES.replace(
                "(vca (type \"mul\"))",
                "(vca (type \"mul\")) (o (type \"output\"))",
            ),
            Code::Template,
            "\"output\"",
        ),
        (
            SINES
                .replace(
                    "(vca (type \"mul\"))",
                    "(vca (type \"mul\")) (c (type \"const\"))",
                )
                .replace(
                    "(osc \"out\" -> vca \"a\")",
                    "(osc \"out\" -> vca \"a\") (c \"out\" -> note \"set_pitch\")",
                ),
            Code::Template,
            "(c \"out\" -> note \"set_pitch\")",
        ),
        (
            SINES.replace("(detune osc \"freq\")", "(detune note \"set_gate\")"),
            Code::Template,
            "(detune note \"set_gate\")",
        ),
        (
            SINES.replace(
                "(vca (type \"mul\"))",
                "(vca (type \"mul\")) (\"a/b\" (type \"mul\"))",
            ),
            Code::Template,
            "\"a/b\"",
        ),
        (
            SINES.replace("(mix (type", "(sines (type \"const\")) (mix (type"),
            Code::DuplicateNode,
            "sines",
        ),
        (
            SINES.replace("(vca \"out\" -> vca \"a\")", "").replace(
                "(note \"gate\" -> vca \"b\")",
                "(note \"gate\" -> vca \"b\") (vca \"out\" -> vca \"a\")",
            ),
            Code::Cycle,
            "",
        ),
    ];
    for (text, code, culprit) in cases {
        let problems = diagnose(text.as_bytes(), Format::Sexpr);
        assert_eq!(problems.len(), 1, "once, not once per voice: {problems:#?}");
        let problem = &problems[0];
        assert_eq!(problem.code, code, "{problem:#?}");
        if !culprit.is_empty() {
            assert_eq!(&text[problem.primary.span.range()], culprit, "{problem:#?}");
        }
        assert!(!problem.primary.span.is_none());
        let line = LineIndex::new(&text)
            .line_column(&text, problem.primary.span.start as usize)
            .line;
        assert!(line > 1, "points into the file");
    }
}

#[test]
fn bindings_are_checked_against_what_events_can_set() {
    let with = |midi: &str| SINES.replace("\n  (voice", &format!("\n  (midi {midi})\n  (voice"));
    let cases = [
        ("(cc 128 -> mix \"amp\" 0 1)", Code::OutOfRange, "128"),
        ("(cc 7.5 -> mix \"amp\" 0 1)", Code::WrongType, "7.5"),
        ("(cc 7 -> mux \"amp\" 0 1)", Code::UnknownNode, "mux"),
        ("(cc 7 -> mix \"ampp\" 0 1)", Code::UnknownPort, "\"ampp\""),
        (
            "(cc 7 -> mix \"in\" 0 1)",
            Code::Binding,
            "(cc 7 -> mix \"in\" 0 1)",
        ),
        (
            "(cc 7 -> out \"in\" 0 1)",
            Code::Binding,
            "(cc 7 -> out \"in\" 0 1)",
        ),
        ("(cc 7 -> mix \"amp\" 0 5000)", Code::OutOfRange, "5000"),
        (
            "(note 36 -> sines \"pitch\" 0 1)",
            Code::UnknownPort,
            "\"pitch\"",
        ),
        ("(tuning 0)", Code::OutOfRange, "0"),
        ("(bend-range 100)", Code::OutOfRange, "100"),
    ];
    for (midi, code, culprit) in cases {
        let text = with(midi);
        let problems = diagnose(text.as_bytes(), Format::Sexpr);
        assert_eq!(problems.len(), 1, "{midi}: {problems:#?}");
        assert_eq!(problems[0].code, code, "{midi}: {problems:#?}");
        assert_eq!(&text[problems[0].primary.span.range()], culprit, "{midi}");
    }
    let good = with("(cc 7 -> mix \"amp\" 0 1) (bend -> sines \"detune\" -5 5) (tuning 432)");
    assert!(diagnose(good.as_bytes(), Format::Sexpr).is_empty());
}

#[test]
fn every_voice_keeps_its_state_when_the_patch_is_edited() {
    // Two engines play the same chord; one has its mix level doubled mid-way by an edit
    // outside the template. Once the level's glide ends its samples are exactly twice the
    // other's: every voice's phase went on as if nothing happened (a reset would show).
    let mut played = Vec::new();
    for edit in [false, true] {
        let (mut controller, mut audio) = engine(4);
        controller.load_patch(sines()).unwrap();
        for note in [60, 64, 67] {
            controller.note_on(note, 127, At::Sample(100)).unwrap();
        }
        let mut out = render(&mut audio, 3_000);
        if edit {
            let report = controller
                .apply(&Edit::SetParam {
                    node: "mix".into(),
                    param: "amp".into(),
                    value: 0.5,
                })
                .unwrap();
            assert!(report.kept.iter().any(|id| id == "sines/2/osc"));
            assert!(!report.crossfade);
        }
        out.extend(render(&mut audio, 3_000));
        played.push(out);
    }
    let (plain, edited) = (&played[0], &played[1]);
    assert_eq!(plain[..3_000], edited[..3_000]);
    // The edit lands within a block of the call, and its glide lasts the fade.
    let tail = 3_000 + patchvm::vm::MAX_BLOCK + fade();
    assert!(plain[tail..].iter().any(|&x| x != 0.0));
    for (a, b) in plain[tail..].iter().zip(&edited[tail..]) {
        assert_eq!(2.0 * a, *b);
    }
}

#[test]
fn events_reach_a_template_input_shared_by_every_voice_and_each_voice_by_its_id() {
    let (mut controller, mut audio) = engine(2);
    controller.load_patch(sines()).unwrap();
    controller.note_on(69, 127, At::Sample(0)).unwrap();
    // `detune` adds to every voice's pitch: one event for all of them.
    controller
        .set_param("sines", "detune", 10.0, At::Sample(0))
        .unwrap();
    let out = render(&mut audio, 9_600);
    let (f, _) = spectral_peaks(&out[4_800..], 48_000.0, 300.0, 600.0, 1)[0];
    assert!((f - 450.0).abs() < 0.5, "{f}");
    // A voice's own nodes answer to their expanded ids.
    let start = controller.time();
    controller
        .set_param("sines/1/note", "set_pitch", 550.0, At::Sample(start))
        .unwrap();
    controller
        .set_param("sines/1/note", "set_gate", 1.0, At::Sample(start))
        .unwrap();
    let out = render(&mut audio, 9_600);
    let mut peaks: Vec<f64> = spectral_peaks(&out[4_800..], 48_000.0, 300.0, 700.0, 2)
        .iter()
        .map(|p| p.0)
        .collect();
    peaks.sort_by(f64::total_cmp);
    assert!(
        (peaks[0] - 450.0).abs() < 0.5 && (peaks[1] - 560.0).abs() < 0.5,
        "{peaks:?}"
    );
    let refused = controller
        .set_param("sines", "nope", 1.0, At::Now)
        .unwrap_err();
    assert!(refused.to_string().contains("nope"), "{refused}");
}

#[test]
fn the_voice_count_is_the_host_s_and_a_template_without_notes_is_silent() {
    let patch = sines();
    for voices in [1, 32, 1024] {
        let instance = Instance::new(&patch, &settings(voices), &Limits::default()).unwrap();
        assert_eq!(instance.channels(), 1);
    }
    for voices in [0, 1025] {
        let problems = Instance::new(&patch, &settings(voices), &Limits::default()).unwrap_err();
        assert_eq!(problems[0].code, Code::Setting);
    }
    let out = render_with(&patch, 4_800, 64, &settings(8));
    assert!(out.iter().all(|&x| x == 0.0), "no note, no sound");
}

#[test]
fn a_template_too_big_for_its_voices_is_refused_before_it_is_expanded() {
    // 200 nodes per voice: 1024 voices would be 204 800 nodes to build before the limit
    // refused them. The counts are worked out first, exactly: the largest expansion that
    // fits is accepted and the next voice is refused, with the voices named.
    let gains: String = (0..200)
        .map(|n| format!("(g{n} (type \"gain\"))"))
        .collect();
    let chain: String = (1..200)
        .map(|n| format!("(g{} \"out\" -> g{n} \"in\")", n - 1))
        .collect();
    let text = format!(
        r#"(patch (nodes (out (type "output"))) (connections (big "out" -> out "in"))
          (voice big (nodes (note (type "voice")) {gains})
            (connections (note "gate" -> g0 "in") {chain})
            (outputs (out g199 "out"))))"#
    );
    let patch = Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .unwrap();
    let catalog = patchvm::modules::catalog();
    let limits = Limits {
        max_nodes: 10_000,
        ..Limits::default()
    };
    let nodes = |voices| {
        patchvm::ir::voices::expand(&patch, catalog, voices)
            .0
            .nodes
            .len()
    };
    let fits = (1..=1024)
        .take_while(|&v| nodes(v) <= 10_000)
        .last()
        .unwrap();
    assert!(patchvm::ir::validate_with(&patch, catalog, &limits, fits).is_ok());
    for voices in [fits + 1, 1024] {
        let problems = patchvm::ir::validate_with(&patch, catalog, &limits, voices).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, Code::Limit);
        let message = &problems[0].message;
        assert!(
            message.contains(&format!("{} nodes", nodes(voices)))
                && message.contains(&format!("{voices} voices")),
            "{message}"
        );
    }
}

#[test]
fn the_voices_validated_are_the_expansion_events_address() {
    let patch = patchvm_tests::example("poly-synth.lisp");
    let catalog = patchvm::modules::catalog();
    let limits = Limits::default();
    let (graph, expanded) = patchvm::ir::validate_voices(&patch, catalog, &limits, 8).unwrap();
    let (again, _) = patchvm::ir::voices::expand(&patch, catalog, 8);
    assert_eq!(*expanded, *again);
    assert_eq!(graph.nodes.len(), expanded.nodes.len());
    // The engine addresses the last voice's copy in the expansion it validated.
    let (mut controller, mut audio) = engine(8);
    controller.load_patch(patch).unwrap();
    controller
        .set_param("synth/7/lp", "q", 2.0, At::Now)
        .unwrap();
    assert_eq!(render(&mut audio, 64).len(), 64);
    assert!(
        controller
            .set_param("synth/8/lp", "q", 2.0, At::Now)
            .is_err()
    );
}
