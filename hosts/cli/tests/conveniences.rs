//! The conveniences (issue 23): `patchvm new`, the examples in every command's `--help`,
//! `patchvm modules TEXT` filtering; run as a user runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `patchvm ARGS` from the repository root.
fn patchvm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_patchvm"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .expect("the binary runs")
}

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("patchvm-new-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn each_template_passes_check_and_renders_a_second() {
    let dir = scratch("templates");
    for (template, file) in [
        ("synth", "synth.lisp"),
        ("beat", "beat.lisp"),
        ("effect", "effect.lisp"),
        ("beat", "beat.json"),
        ("synth", "synth.msgpack"),
    ] {
        let path = dir.join(file);
        let path = path.to_str().unwrap();
        let output = patchvm(&["new", template, path]);
        assert!(
            output.status.success(),
            "{template}: {}",
            text(&output.stderr)
        );
        let output = patchvm(&["check", path]);
        assert!(output.status.success(), "{file}: {}", text(&output.stderr));
        assert_eq!(text(&output.stdout).trim(), "ok", "{file}");
        let wav = dir.join(format!("{file}.wav"));
        let output = patchvm(&[
            "render",
            path,
            "-o",
            wav.to_str().unwrap(),
            "--seconds",
            "1",
        ]);
        assert!(output.status.success(), "{file}: {}", text(&output.stderr));
        assert_eq!(hound::WavReader::open(&wav).unwrap().duration(), 48_000);
    }
}

#[test]
fn new_writes_the_synth_by_default_and_never_overwrites() {
    let dir = scratch("default");
    let synth = dir.join("first.lisp");
    let synth = synth.to_str().unwrap();
    assert!(patchvm(&["new", synth]).status.success());
    let written = std::fs::read_to_string(synth).unwrap();
    assert!(written.contains("(type \"osc.saw\")"), "{written}");
    let beat = dir.join("beat.lisp");
    assert!(
        patchvm(&["new", "beat", beat.to_str().unwrap()])
            .status
            .success()
    );
    assert!(
        std::fs::read_to_string(&beat)
            .unwrap()
            .contains("seq.pattern")
    );

    // Again onto the same file: refused, the file as it was.
    std::fs::write(synth, "(patch)").unwrap();
    let output = patchvm(&["new", "beat", synth]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("exists already"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(std::fs::read_to_string(synth).unwrap(), "(patch)");

    let output = patchvm(&["new", "drone", dir.join("x.lisp").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr)
            .contains("unknown template `drone`; expected one of `synth`, `beat`, `effect`"),
        "{}",
        text(&output.stderr)
    );
    let output = patchvm(&["new", "synth", dir.join("x.wav").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(!dir.join("x.lisp").exists() && !dir.join("x.wav").exists());
}

#[test]
fn every_command_s_help_shows_an_example_of_it() {
    let help = text(&patchvm(&["--help"]).stdout);
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|&command| command != "help")
        .collect();
    assert_eq!(commands.len(), 9, "{help}");
    for command in commands {
        let output = patchvm(&[command, "--help"]);
        let page = text(&output.stdout);
        let examples = page
            .split_once("Example")
            .map(|(_, examples)| examples)
            .unwrap_or_else(|| panic!("`{command} --help` has no example:\n{page}"));
        assert!(
            examples.contains(&format!("  patchvm {command}")),
            "{command}: {examples}"
        );
    }
}

/// The modules whose pages `patchvm modules QUERY` prints, by their title lines, sorted.
fn pages_of(query: &str) -> Vec<String> {
    let output = patchvm(&["modules", query]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let mut names: Vec<String> = text(&output.stdout)
        .lines()
        .filter_map(|line| line.split_once(" — ").map(|(name, _)| name))
        .filter(|name| !name.contains(' '))
        .map(str::to_owned)
        .collect();
    names.sort();
    names
}

#[test]
fn modules_filters_by_prefix_then_substring() {
    let drums = [
        "drum.clap",
        "drum.hat_closed",
        "drum.hat_open",
        "drum.kick",
        "drum.snare",
        "drum.tom",
    ];
    assert_eq!(pages_of("drum"), drums);
    assert_eq!(pages_of("drum."), drums);
    // No name starts with `hat`: the names containing it.
    assert_eq!(pages_of("hat"), ["drum.hat_closed", "drum.hat_open"]);
    let output = patchvm(&["modules", "zzz"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("no module is named `zzz`, starts with it or contains it")
    );
}

/// `render --limit` holds a sine of amplitude 2 at the limiter's −0.3 dBFS ceiling
/// (`10^(−0.3/20)` = 0.966 05): the first sample over it pins the gain to `ceiling / |peak|`,
/// so the file's peak is the ceiling, to the last bit's rounding; without the flag the render
/// keeps the program's own peak of 2.
#[test]
fn render_limit_holds_the_output_at_the_ceiling_and_is_off_by_default() {
    let dir = scratch("render-limit");
    let patch = dir.join("loud.lisp");
    std::fs::write(
        &patch,
        r#"(patch (nodes (osc (type "osc.sine") (freq 100)) (g (type "gain") (amp 2)) (out (type "output")))
             (connections (osc "out" -> g "in") (g "out" -> out "in")))"#,
    )
    .unwrap();
    let peak_of = |extra: &[&str]| -> f32 {
        let wav = dir.join(format!("loud{}.wav", extra.len()));
        let mut args = vec![
            "render",
            patch.to_str().unwrap(),
            "-o",
            wav.to_str().unwrap(),
            "--seconds",
            "0.5",
        ];
        args.extend_from_slice(extra);
        let output = patchvm(&args);
        assert!(output.status.success(), "{}", text(&output.stderr));
        hound::WavReader::open(&wav)
            .unwrap()
            .samples::<f32>()
            .map(|s| s.unwrap().abs())
            .fold(0.0, f32::max)
    };
    let ceiling = 10f32.powf(-0.3 / 20.0);
    let limited = peak_of(&["--limit"]);
    assert!(limited <= ceiling && limited > ceiling - 1e-6, "{limited}");
    assert!((peak_of(&[]) - 2.0).abs() < 1e-4, "off by default");
    assert!((peak_of(&["--limit", "--no-limit"]) - 2.0).abs() < 1e-4);
}

/// `play --preset quiet` starts from `quiet.preset.json` beside the patch: its amp of 0.125
/// where the patch says 0.5, from the first block on (a 440 Hz sine peaks within its first
/// 28 samples, so the first 64 samples peak at 0.125, not 0.5). A missing preset is an error
/// naming the file, with status 1; a bad name a usage error, status 2.
#[test]
fn play_preset_starts_from_the_preset_s_values() {
    let dir = scratch("play-preset");
    let patch = dir.join("toy.lisp");
    std::fs::write(
        &patch,
        r#"(patch (nodes (osc1 (type "osc.sine") (freq 440)) (gain1 (type "gain") (amp 0.5)) (out (type "output")))
             (connections (osc1 "out" -> gain1 "in") (gain1 "out" -> out "in")))"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("quiet.preset.json"),
        r#"{"format": "patchvm-preset", "version": 1, "values": [
             {"node": "osc1", "input": "freq", "value": 440},
             {"node": "gain1", "input": "amp", "value": 0.125}]}"#,
    )
    .unwrap();
    let wav = dir.join("out.wav");
    let play = |preset: &str| {
        patchvm(&[
            "play",
            patch.to_str().unwrap(),
            "--to",
            wav.to_str().unwrap(),
            "--seconds",
            "0.1",
            "--preset",
            preset,
        ])
    };
    let output = play("quiet");
    assert!(output.status.success(), "{}", text(&output.stderr));
    let samples: Vec<f32> = hound::WavReader::open(&wav)
        .unwrap()
        .samples::<f32>()
        .map(Result::unwrap)
        .collect();
    assert_eq!(samples.len(), 4_800);
    let peak = |s: &[f32]| s.iter().fold(0.0_f32, |m, x| m.max(x.abs()));
    assert!(
        (peak(&samples[..64]) - 0.125).abs() < 1e-3,
        "{}",
        peak(&samples[..64])
    );
    assert!((peak(&samples) - 0.125).abs() < 1e-4, "{}", peak(&samples));

    let output = play("loud");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("loud.preset.json"),
        "{}",
        text(&output.stderr)
    );
    let output = play("../up");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("`../up` is no preset name"),
        "{}",
        text(&output.stderr)
    );
}
