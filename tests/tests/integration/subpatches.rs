//! Reusable sub-patches: an instance plays bit for bit as its nodes written inline, two
//! instances play their own parameters, mistakes are reported in the file that has them (the
//! sub-patch's own line and column, the cycle of files named), and a watched session reloads
//! when a sub-patch file changes, keeping its oscillators' phase.

use patchvm::engine::diagnostics::{Renderer, Style};
use patchvm::engine::source::{self, LoadError};
use patchvm::ir::{Code, Diagnostics, Format, Limits, Patch};
use patchvm::watch::{FileWatch, WatchEvent, WatchSettings};
use patchvm_tests::measure::{channel, frequency, upward_crossings};
use patchvm_tests::{live, render};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A fresh folder holding `files` (paths relative to it, text).
fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("patchvm-subpatch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// The patch file at `path` as it plays, its instances expanded.
fn load(path: &Path) -> Patch {
    match source::load(path, &Limits::default()) {
        Ok((patch, _)) => patch,
        Err(LoadError::Invalid(source, problems)) => {
            panic!(
                "{}",
                Renderer::new(&source, Style::Plain).render_all(&problems)
            )
        }
        Err(error) => panic!("{error}"),
    }
}

/// Why the patch file at `path` does not play, rendered as the command line shows it, and
/// the diagnostics themselves.
fn refused(path: &Path) -> (String, Diagnostics) {
    let limits = Limits::default();
    let (problems, source) = match source::load(path, &limits) {
        Err(LoadError::Invalid(source, problems)) => (problems, source),
        Ok((patch, source)) => {
            let compiled = patchvm::compiler::compile(&patch, patchvm::modules::catalog(), &limits);
            (compiled.expect_err("the patch must be refused"), source)
        }
        Err(error) => panic!("{error}"),
    };
    (
        Renderer::new(&source, Style::Plain).render_all(&problems),
        problems,
    )
}

const FILTERED_SAW: &str = r#"(patch
  (inputs (drive lp "q"))
  (params (freq osc "freq") (cutoff lp "cutoff"))
  (outputs (out lp "out"))
  (nodes
    (osc (type "osc.saw") (freq 220))
    (lp (type "filter.lowpass") (cutoff 1000) (q 0.707)))
  (connections (osc "out" -> lp "in")))
"#;

#[test]
fn an_instance_renders_bit_identical_to_its_nodes_written_inline() {
    let dir = folder(
        "inline",
        &[
            ("lib/voice.lisp", FILTERED_SAW),
            (
                "song.lisp",
                r#"(patch
  (nodes
    (v (type "lib/voice.lisp") (freq 110) (cutoff 800))
    (out (type "output")))
  (connections (v "out" -> out "in")))"#,
            ),
            (
                "inline.lisp",
                r#"(patch
  (nodes
    (osc (type "osc.saw") (freq 110))
    (lp (type "filter.lowpass") (cutoff 800) (q 0.707))
    (out (type "output")))
  (connections (osc "out" -> lp "in") (lp "out" -> out "in")))"#,
            ),
        ],
    );
    let instance = load(&dir.join("song.lisp"));
    let ids: Vec<&str> = instance.nodes.iter().map(|n| n.id.text.as_str()).collect();
    assert_eq!(ids, ["v/osc", "v/lp", "out"]);
    let inline = load(&dir.join("inline.lisp"));
    let frames = 48_000;
    for block in [1, 64] {
        let bits = |patch: &Patch| -> Vec<u32> {
            render(patch, frames, block)
                .iter()
                .map(|s| s.to_bits())
                .collect()
        };
        let (a, b) = (bits(&instance), bits(&inline));
        assert_eq!(a, b, "block {block}");
    }
    // The saw is heard: 110 Hz through the low-pass.
    let samples = render(&instance, frames, 64);
    let measured = frequency(&samples[4800..], 48_000.0).unwrap();
    assert!((measured - 110.0).abs() < 0.05, "{measured} Hz");
}

#[test]
fn two_instances_play_their_own_parameters() {
    let dir = folder(
        "pair",
        &[
            (
                "tone.lisp",
                r#"(patch (params (pitch osc "freq") (level amp "amp")) (outputs (out amp "out"))
  (nodes (osc (type "osc.sine") (freq 440)) (amp (type "gain") (amp 0.5)))
  (connections (osc "out" -> amp "in")))"#,
            ),
            (
                "pair.lisp",
                r#"(patch
  (nodes
    (a (type "tone.lisp") (pitch 300))
    (b (type "tone.lisp") (pitch 475) (level 0.25))
    (out (type "output")))
  (connections (a "out" -> out "left") (b "out" -> out "right")))"#,
            ),
        ],
    );
    let patch = load(&dir.join("pair.lisp"));
    let samples = render(&patch, 48_000, 64);
    let (left, right) = (channel(&samples, 2, 0), channel(&samples, 2, 1));
    let (a, b) = (
        frequency(&left, 48_000.0).unwrap(),
        frequency(&right, 48_000.0).unwrap(),
    );
    assert!((a - 300.0).abs() < 1e-3, "left {a} Hz");
    assert!((b - 475.0).abs() < 1e-3, "right {b} Hz");
    // Each instance's gain: the default 0.5 on the left, the instance's 0.25 on the right.
    let peak = |s: &[f32]| s.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!((peak(&left) - 0.5).abs() < 1e-3, "{}", peak(&left));
    assert!((peak(&right) - 0.25).abs() < 1e-3, "{}", peak(&right));
}

#[test]
fn a_mistake_inside_a_subpatch_file_is_shown_at_its_own_line_and_column() {
    let dir = folder(
        "inside",
        &[
            (
                "lib/bad.lisp",
                "(patch\n  (outputs (out osc \"out\"))\n  (nodes\n    (osc (type \"osc.sinus\"))))\n",
            ),
            (
                "song.lisp",
                "(patch (nodes (b (type \"lib/bad.lisp\")) (out (type \"output\")))\n  (connections (b \"out\" -> out \"in\")))\n",
            ),
        ],
    );
    let (rendered, problems) = refused(&dir.join("song.lisp"));
    assert_eq!(problems[0].code, Code::UnknownModule, "{rendered}");
    // `"osc.sinus"` is on line 4 of lib/bad.lisp, after `    (osc (type `: column 16.
    let place = format!("{}:4:16", dir.join("lib/bad.lisp").display());
    assert!(rendered.contains(&place), "{place} not in\n{rendered}");
    assert!(
        rendered.contains(r#"(osc (type "osc.sinus"))))"#),
        "{rendered}"
    );
    assert!(
        rendered.contains("unknown module `osc.sinus`"),
        "{rendered}"
    );
}

#[test]
fn a_file_that_cannot_be_used_is_refused_at_the_type_string() {
    let text = "(patch (nodes (b (type \"lib/none.lisp\")) (out (type \"output\")))\n  (connections (b \"out\" -> out \"in\")))\n";
    let dir = folder(
        "missing",
        &[
            ("song.lisp", text),
            (
                "broken.lisp",
                "(patch (nodes (b (type \"lib/broken.lisp\"))))",
            ),
            ("lib/broken.lisp", "(patch (outputs (out osc \"out\")\n"),
        ],
    );
    let (rendered, problems) = refused(&dir.join("song.lisp"));
    assert_eq!(problems.len(), 1, "{rendered}");
    assert_eq!(problems[0].code, Code::Subpatch);
    assert_eq!(
        problems[0].message,
        "sub-patch file `lib/none.lisp` cannot be used: no such file"
    );
    assert_eq!(&text[problems[0].primary.span.range()], "\"lib/none.lisp\"");
    assert!(rendered.contains("song.lisp:1:24"), "{rendered}");
    // An unparsable file: E0133 at the use, then its own syntax error at its own place.
    let (rendered, problems) = refused(&dir.join("broken.lisp"));
    let codes: Vec<Code> = problems.iter().map(|p| p.code).collect();
    assert_eq!(codes, [Code::Subpatch, Code::Syntax], "{rendered}");
    assert!(rendered.contains("broken.lisp:1:24"), "{rendered}");
    // The innermost list left open is `(outputs`, after `(patch `: column 8.
    let inside = format!("{}:1:8", dir.join("lib/broken.lisp").display());
    assert!(rendered.contains(&inside), "{inside} not in\n{rendered}");
}

#[test]
fn a_cycle_of_files_is_refused_naming_every_file() {
    let uses = |path: &str| {
        format!("(patch (outputs (out inner \"out\"))\n  (nodes (inner (type \"{path}\"))))\n")
    };
    let dir = folder(
        "cycle",
        &[
            (
                "song.lisp",
                "(patch (nodes (a (type \"lib/a.lisp\")) (out (type \"output\")))\n  (-> a out))\n",
            ),
            ("lib/a.lisp", &uses("b.lisp")),
            ("lib/b.lisp", &uses("a.lisp")),
            ("self.lisp", &uses("self.lisp")),
        ],
    );
    let (rendered, problems) = refused(&dir.join("song.lisp"));
    assert_eq!(problems.len(), 1, "{rendered}");
    assert_eq!(problems[0].code, Code::SubpatchCycle);
    let lib = dir.join("lib");
    let (a, b) = (lib.join("a.lisp"), lib.join("b.lisp"));
    assert_eq!(
        problems[0].message,
        format!(
            "sub-patch files use each other in a cycle: {} -> {} -> {}",
            a.display(),
            b.display(),
            a.display()
        )
    );
    // The use that closes it is b.lisp's, on its line 2.
    assert!(
        rendered.contains(&format!("{}:2:23", b.display())),
        "{rendered}"
    );
    let (_, problems) = refused(&dir.join("self.lisp"));
    let me = dir.join("self.lisp");
    assert_eq!(
        problems[0].message,
        format!(
            "sub-patch files use each other in a cycle: {0} -> {0}",
            me.display()
        )
    );
}

#[test]
fn an_instance_given_what_its_subpatch_lacks_is_refused_with_the_choices() {
    let dir = folder(
        "ports",
        &[
            ("lib/voice.lisp", FILTERED_SAW),
            (
                "song.lisp",
                r#"(patch
  (nodes (v (type "lib/voice.lisp") (frq 110) (drive 2)) (out (type "output")))
  (connections (v "output" -> out "in") (out "in" -> v "cutof")))"#,
            ),
        ],
    );
    let (rendered, problems) = refused(&dir.join("song.lisp"));
    let found: Vec<(Code, &str)> = problems
        .iter()
        .map(|p| (p.code, p.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                Code::SubpatchPort,
                "sub-patch `lib/voice.lisp` has no parameter `frq`"
            ),
            (
                Code::SubpatchPort,
                "`drive` is an input of sub-patch `lib/voice.lisp`, not a parameter"
            ),
            (
                Code::SubpatchPort,
                "sub-patch `lib/voice.lisp` has no output `output`"
            ),
            (
                Code::SubpatchPort,
                "sub-patch `lib/voice.lisp` has no input or parameter `cutof`"
            ),
        ],
        "{rendered}"
    );
    let hints: Vec<&str> = problems.iter().filter_map(|p| p.hint.as_deref()).collect();
    assert_eq!(
        hints,
        [
            "did you mean `freq`?",
            "connect a signal to `v.drive` instead",
            "expected `out`",
            "did you mean `cutoff`?"
        ]
    );
}

#[test]
fn convert_keeps_the_instance_and_every_format_reads_the_interface() {
    let dir = folder("convert", &[("lib/voice.lisp", FILTERED_SAW)]);
    let (as_written, _) =
        source::load_as_written(&dir.join("lib/voice.lisp"), &Limits::default()).unwrap();
    let names = |ports: &[patchvm::ir::TemplatePort]| -> Vec<String> {
        ports
            .iter()
            .map(|p| {
                format!(
                    "{}={}.{}",
                    p.name.text, p.target.node.text, p.target.port.text
                )
            })
            .collect()
    };
    assert_eq!(names(&as_written.interface.inputs), ["drive=lp.q"]);
    assert_eq!(
        names(&as_written.interface.params),
        ["freq=osc.freq", "cutoff=lp.cutoff"]
    );
    assert_eq!(names(&as_written.interface.outputs), ["out=lp.out"]);
    let plain = as_written.without_spans();
    for format in Format::ALL {
        let read = format
            .read(&format.write(&plain), &Limits::default())
            .unwrap();
        assert_eq!(read.without_spans(), plain, "via {format:?}");
    }
}

#[test]
fn a_watched_session_reloads_an_edited_subpatch_keeping_its_oscillator_phase() {
    let tone = |amp: &str| {
        format!(
            "(patch (outputs (out amp \"out\"))\n  (nodes (osc (type \"osc.sine\") (freq 441)) (amp (type \"gain\") (amp {amp})))\n  (connections (osc \"out\" -> amp \"in\")))\n"
        )
    };
    let dir = folder(
        "watch",
        &[
            ("lib/tone.lisp", &tone("0.5")),
            (
                "live.lisp",
                "(patch (nodes (t (type \"lib/tone.lisp\")) (out (type \"output\")))\n  (-> t out))\n",
            ),
        ],
    );
    let path = dir.join("live.lisp");
    let (mut controller, mut audio) = live::mono();
    controller.load_file(&path).unwrap();
    let watch = FileWatch::spawn(
        &path,
        &std::fs::read(&path).unwrap(),
        Arc::new(Mutex::new(controller)),
        WatchSettings::default(),
    )
    .unwrap();
    let mut samples = live::render(&mut audio, 4800);
    // Let the watch take its first look before the sub-patch changes.
    std::thread::sleep(Duration::from_millis(200));
    std::fs::write(dir.join("lib/tone.lisp"), tone("0.25")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let report = loop {
        samples.extend(live::render(&mut audio, 64));
        match watch.try_next() {
            Some(WatchEvent::Reloaded { report, .. }) => break report,
            Some(WatchEvent::Invalid {
                source,
                diagnostics,
            }) => panic!(
                "{}",
                Renderer::new(&source, Style::Plain).render_all(&diagnostics)
            ),
            _ => {}
        }
        assert!(Instant::now() < deadline, "no reload");
        std::thread::sleep(Duration::from_millis(2));
    };
    watch.stop();
    let kept: Vec<String> = report.kept.iter().map(|n| n.to_string()).collect();
    assert!(kept.contains(&"t/osc".to_owned()), "kept {kept:?}");
    let swapped_by = samples.len();
    samples.extend(live::render(&mut audio, 4 * live::fade()));
    // After the glide, the new gain: peak 0.25.
    let tail = &samples[samples.len() - 960..];
    let peak = tail.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!((peak - 0.25).abs() < 1e-3, "peak {peak}");
    // The sine goes on where it was: every upward zero crossing, before the reload and
    // after it, falls on the one grid of 441 Hz periods (a phase reset would move them).
    let period = 48_000.0 / 441.0;
    let crossings = upward_crossings(&samples);
    let first = crossings[0];
    let after = crossings
        .iter()
        .filter(|&&at| at > swapped_by as f64)
        .count();
    assert!(after > 20, "{after} crossings after the reload");
    for at in &crossings {
        let periods = (at - first) / period;
        let off = (periods - periods.round()).abs() * period;
        assert!(off < 0.01, "crossing at {at} is {off} samples off the grid");
    }
}

#[test]
fn events_reach_a_node_inside_an_instance_by_its_expanded_id() {
    let dir = folder(
        "events",
        &[
            (
                "tone.lisp",
                r#"(patch (params (pitch osc "freq")) (outputs (out osc "out"))
  (nodes (osc (type "osc.sine") (freq 440))))"#,
            ),
            (
                "song.lisp",
                "(patch (nodes (t (type \"tone.lisp\") (pitch 300)) (out (type \"output\")))\n  (-> t out))\n",
            ),
        ],
    );
    let (mut controller, mut audio) = live::mono();
    controller.load_file(&dir.join("song.lisp")).unwrap();
    let before = live::render(&mut audio, 9600);
    controller
        .set_param("t/osc", "freq", 600.0, patchvm::engine::At::Now)
        .unwrap();
    let after = live::render(&mut audio, 9600);
    let (a, b) = (
        frequency(&before, 48_000.0).unwrap(),
        frequency(&after, 48_000.0).unwrap(),
    );
    assert!((a - 300.0).abs() < 1e-3, "{a} Hz before");
    assert!((b - 600.0).abs() < 1e-3, "{b} Hz after");
}
