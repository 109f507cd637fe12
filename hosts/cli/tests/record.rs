//! `play --record OUT.wav`: the take equals the output the session played into `--to`, and a
//! session killed with SIGKILL leaves a take that reads as a WAV file within a second of the
//! frames played. The waits are for events (a line, a header reaching a length, the process
//! ending), never a wall-clock time compared against a threshold.

#![cfg(unix)]

use patchvm_tests::measure::frequency;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RATE: u64 = 48_000;

/// The longest any wait here may take before the test gives up (and fails).
const PATIENCE: Duration = Duration::from_secs(60);

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("patchvm-record-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `patchvm play patches/toy.lisp --to OUT --record REC` and `extra`.
fn spawn(out: &Path, rec: &Path, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_patchvm"))
        .args(["play", "patches/toy.lisp", "--to", out.to_str().unwrap()])
        .args(["--record", rec.to_str().unwrap()])
        .args(extra)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

fn samples(wav: &Path) -> Vec<f32> {
    hound::WavReader::open(wav)
        .unwrap()
        .samples::<f32>()
        .map(Result::unwrap)
        .collect()
}

/// The frames the header says, 0 while it cannot be read.
fn header_frames(wav: &Path) -> u64 {
    hound::WavReader::open(wav).map_or(0, |reader| u64::from(reader.duration()))
}

#[test]
fn a_take_of_the_output_equals_what_went_to_the_file() {
    let dir = scratch("whole");
    let (out, rec) = (dir.join("out.wav"), dir.join("rec.wav"));
    let child = spawn(&out, &rec, &["--seconds", "1"]);
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{text}");
    let line = text
        .lines()
        .find(|line| line.starts_with("recorded `"))
        .unwrap_or_else(|| panic!("no take in:\n{text}"));
    let played = samples(&out);
    let take = samples(&rec);
    assert!(line.contains(&format!("{} frames", take.len())), "{line}");
    assert!(line.contains(", 0 lost, blake3 "), "{line}");
    // From the first sample to the last: the session's output bit for bit.
    assert_eq!(take.len() as u64, RATE);
    assert_eq!(take, played);
    let hz = frequency(&take, RATE as f64).unwrap();
    assert!((hz - 440.0).abs() < 0.5, "{hz} Hz");
}

#[test]
fn a_take_killed_with_sigkill_reads_within_a_second_of_the_frames_played() {
    let dir = scratch("kill");
    let (out, rec) = (dir.join("out.wav"), dir.join("rec.wav"));
    let mut child = spawn(&out, &rec, &[]);
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || for _ in BufReader::new(stderr).lines() {});
    // Two seconds in the take's header: the writer has rewritten it while playing.
    let deadline = Instant::now() + PATIENCE;
    while header_frames(&rec) < 2 * RATE {
        assert!(
            Instant::now() < deadline,
            "the take's header never reached 2 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The frames the session played: those in its `--to` file (80-byte header, mono).
    let played = (std::fs::metadata(&out).unwrap().len() - 80) / 4;
    let take = samples(&rec);
    let frames = take.len() as u64;
    eprintln!("killed: the take reads {frames} frames, the session played {played}");
    assert!(frames >= 2 * RATE, "{frames}");
    assert!(frames.abs_diff(played) < RATE, "{frames} against {played}");
    let hz = frequency(&take, RATE as f64).unwrap();
    assert!((hz - 440.0).abs() < 0.5, "{hz} Hz");
}
