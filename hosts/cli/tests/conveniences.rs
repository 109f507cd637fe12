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
