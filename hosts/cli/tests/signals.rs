//! `play --to OUT.wav` ended every way a process ends: SIGTERM and SIGHUP finish the file as
//! Ctrl-C does (its header says every frame played), SIGKILL and a second Ctrl-C leave a
//! header at most half a second behind the samples in the file, and a write error (the file
//! size limit standing in for a full disk) stops the session with a file cut to its whole
//! frames, a true header and exit status 1.
//!
//! The waits are for events (a line on stderr, the file's header reaching a length, the
//! process ending), never for a wall-clock time compared against a threshold.

#![cfg(unix)]

use patchvm_tests::measure::frequency;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const RATE: u32 = 48_000;

/// Frames the header may lag the samples by: the writer rewrites it every half second.
const HEADER_LAG: u64 = RATE as u64 / 2;

/// The longest any wait here may take before the test gives up (and fails).
const PATIENCE: Duration = Duration::from_secs(60);

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("patchvm-signals-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("out.wav")
}

/// A `patchvm play patches/toy.lisp --to WAV` child (run through `sh` with `shell` first,
/// when given), its stderr lines arriving on a channel.
struct Playing {
    child: Child,
    wav: PathBuf,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Playing {
    fn spawn(wav: &Path, shell: Option<&str>, extra: &[&str]) -> Playing {
        let binary = env!("CARGO_BIN_EXE_patchvm");
        let mut command = match shell {
            Some(script) => {
                let mut command = Command::new("sh");
                command.args(["-c", &format!("{script} && exec \"$@\""), "sh", binary]);
                command
            }
            None => Command::new(binary),
        };
        let mut child = command
            .args(["play", "patches/toy.lisp", "--to", wav.to_str().unwrap()])
            .args(extra)
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let stderr = child.stderr.take().unwrap();
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut playing = Playing {
            child,
            wav: wav.into(),
            lines,
            seen: Vec::new(),
        };
        playing.wait_for("playing ");
        playing
    }

    /// Waits for a line starting with `prefix`.
    fn wait_for(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.starts_with(prefix) {
                        return line;
                    }
                }
                Err(_) => panic!("no line `{prefix}…`; so far:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// Waits until the file's header says at least `frames` frames: the writer has
    /// rewritten it while playing.
    fn wait_for_header(&self, frames: u32) {
        let deadline = Instant::now() + PATIENCE;
        while header_frames(&self.wav) < frames {
            assert!(
                Instant::now() < deadline,
                "the header never reached {frames}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// Waits for the process to end; returns how, and all it printed.
    fn end(mut self) -> (ExitStatus, String) {
        let status = self.child.wait().unwrap();
        while let Ok(line) = self.lines.recv_timeout(PATIENCE) {
            self.seen.push(line);
        }
        (status, self.seen.join("\n"))
    }
}

/// The frames the header says, 0 while it cannot be read.
fn header_frames(wav: &Path) -> u32 {
    hound::WavReader::open(wav).map_or(0, |reader| reader.duration())
}

/// Whole frames of samples in the file, whatever its header says (the sink's header is 80
/// bytes, WAVE_FORMAT_EXTENSIBLE; a frame 4 bytes per channel).
fn frames_on_disk(wav: &Path, channels: u64) -> u64 {
    (std::fs::metadata(wav).unwrap().len() - 80) / (4 * channels)
}

fn samples(wav: &Path) -> Vec<f32> {
    hound::WavReader::open(wav)
        .unwrap()
        .samples::<f32>()
        .map(Result::unwrap)
        .collect()
}

/// The frames the closing line says were played: "played `…` for 1.234 s (59232 frames) …".
fn frames_played(text: &str) -> u64 {
    let line = text
        .lines()
        .find(|line| line.starts_with("played "))
        .unwrap_or_else(|| panic!("no summary in:\n{text}"));
    let after = &line[line.find(" s (").unwrap() + 4..];
    after[..after.find(" frames").unwrap()].parse().unwrap()
}

fn assert_440(samples: &[f32]) {
    let measured = frequency(samples, f64::from(RATE)).unwrap_or(0.0);
    assert!((measured - 440.0).abs() < 0.5, "{measured} Hz");
}

/// A signal that ends the session as Ctrl-C does: the header says every frame played.
fn finished_by(signal: &str) {
    let wav = scratch(signal);
    let playing = Playing::spawn(&wav, None, &[]);
    playing.wait_for_header(RATE);
    playing.signal(signal);
    let (status, text) = playing.end();
    assert!(status.success(), "{status}: {text}");
    let played = frames_played(&text);
    assert!(played >= u64::from(RATE), "{text}");
    assert_eq!(u64::from(header_frames(&wav)), played, "{text}");
    assert_eq!(frames_on_disk(&wav, 1), played);
    let samples = samples(&wav);
    assert_eq!(samples.len() as u64, played);
    assert_440(&samples);
}

#[test]
fn sigterm_finishes_the_file() {
    finished_by("TERM");
}

#[test]
fn sighup_finishes_the_file() {
    finished_by("HUP");
}

#[test]
fn sigkill_leaves_a_header_at_most_half_a_second_behind() {
    let wav = scratch("KILL");
    let mut playing = Playing::spawn(&wav, None, &[]);
    playing.wait_for_header(RATE);
    playing.child.kill().unwrap();
    let (status, text) = playing.end();
    assert!(!status.success(), "{text}");
    let header = u64::from(header_frames(&wav));
    let on_disk = frames_on_disk(&wav, 1);
    eprintln!("killed: the header says {header} frames, the file holds {on_disk}");
    assert!(header >= u64::from(RATE), "{header}");
    assert!(
        header <= on_disk && on_disk - header < HEADER_LAG,
        "the header says {header} frames, the file holds {on_disk}"
    );
    let samples = samples(&wav);
    assert_eq!(samples.len() as u64, header);
    assert_440(&samples);
}

#[test]
fn a_second_ctrl_c_leaves_a_header_at_most_half_a_second_behind() {
    let wav = scratch("INT");
    let playing = Playing::spawn(&wav, None, &[]);
    playing.wait_for_header(RATE);
    playing.signal("INT");
    playing.signal("INT");
    let (status, text) = playing.end();
    let header = u64::from(header_frames(&wav));
    let on_disk = frames_on_disk(&wav, 1);
    eprintln!("{status}: the header says {header} frames, the file holds {on_disk}");
    match status.code() {
        // The second signal came while the first was being handled: out at once.
        Some(130) => assert!(
            header <= on_disk && on_disk - header < HEADER_LAG,
            "the header says {header} frames, the file holds {on_disk}"
        ),
        // The first had finished the session before the second came.
        Some(0) => assert_eq!(header, frames_played(&text)),
        _ => panic!("{status}: {text}"),
    }
    assert!(header >= u64::from(RATE), "{header}");
    assert_440(&samples(&wav));
}

#[test]
fn a_write_error_stops_the_session_with_the_frames_written_and_a_true_header() {
    let wav = scratch("EFBIG");
    // Stereo: the size limit (512 or 1 024-byte blocks, less the 80-byte header) is whole
    // frames here; a limit in the middle of a frame, which the writer cuts off, is
    // `float_wav`'s full-disk test.
    let playing = Playing::spawn(
        &wav,
        Some("ulimit -f 1000 && trap '' XFSZ"),
        &["--channels", "2"],
    );
    let (status, text) = playing.end();
    assert_eq!(status.code(), Some(1), "{text}");
    let header = u64::from(header_frames(&wav));
    eprintln!("{text}");
    assert!(
        text.contains(&format!(
            "error: cannot write `{}`: File too large (os error 27); the file keeps the \
             {header} frames written before, with a header that says so",
            wav.display()
        )),
        "{text}"
    );
    // 512 000 bytes at least: more than one header rewrite (every 192 000 bytes) came first.
    assert!(header > u64::from(RATE), "{header}");
    assert_eq!(std::fs::metadata(&wav).unwrap().len(), 80 + 8 * header);
    let samples = samples(&wav);
    assert_eq!(samples.len() as u64, 2 * header);
    let left: Vec<f32> = samples.iter().step_by(2).copied().collect();
    assert_440(&left);
}
