//! `patchvm stream` and `play --midi-out`, run as a user runs them: the file `play --to`
//! records live is the one `stream` writes offline, byte for byte, whatever the host's
//! buffers; a patch with no note stream is E0119 (exit 1); an unwritable `-o` fails before
//! any work.

use std::path::PathBuf;
use std::process::{Command, Output};

const PATCH: &str = r#"(patch
  (mel seq.pattern "c4 [e4 g4] ~ <a3 b3?>" (seed 7))
  (mo midi.out (channel 3))
  (-> mel "notes" mo "notes")
  (-> mel "freq" (osc.sine) (mul (b (mel "gate"))) out) (out output))
"#;

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("patchvm-stream-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn patchvm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_patchvm"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn play_records_the_file_stream_writes_whatever_the_buffers() {
    let dir = scratch_dir("same");
    let patch = dir.join("p.lisp");
    std::fs::write(&patch, PATCH).unwrap();
    let patch = patch.to_str().unwrap();
    let offline = dir.join("offline.mid");
    let out = patchvm(&[
        "stream",
        patch,
        "-o",
        offline.to_str().unwrap(),
        "--seconds",
        "3",
        "--seed",
        "11",
    ]);
    assert!(out.status.success(), "{out:?}");
    let offline = std::fs::read(&offline).unwrap();
    for buffer in ["97", "256", "1031"] {
        let live = dir.join(format!("live{buffer}.mid"));
        let wav = dir.join("live.wav");
        let out = patchvm(&[
            "play",
            patch,
            "--to",
            wav.to_str().unwrap(),
            "--seconds",
            "3",
            "--seed",
            "11",
            "--buffer",
            buffer,
            "--midi-out",
            live.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(" dropped,"), "{stderr}");
        assert_eq!(std::fs::read(&live).unwrap(), offline, "--buffer {buffer}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_patch_without_a_note_stream_and_an_unwritable_output_are_errors() {
    let dir = scratch_dir("errors");
    let silent = dir.join("silent.lisp");
    std::fs::write(&silent, "(patch (osc osc.sine) (-> osc out) (out output))").unwrap();
    let mid = dir.join("x.mid");
    let out = patchvm(&[
        "stream",
        silent.to_str().unwrap(),
        "-o",
        mid.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("E0119") && stderr.contains("midi.out"),
        "{stderr}"
    );

    let patch = dir.join("p.lisp");
    std::fs::write(&patch, PATCH).unwrap();
    let unwritable = dir.join("no-such-dir").join("x.mid");
    let out = patchvm(&[
        "stream",
        // A patch that does not exist: the output is refused before the patch is read.
        dir.join("missing.lisp").to_str().unwrap(),
        "-o",
        unwritable.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot write") && !stderr.contains("missing.lisp"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
