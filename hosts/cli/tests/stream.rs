//! `patchvm stream` and `play --midi-out`, run as a user runs them: the file `play --to`
//! records live is the one `stream` writes offline, byte for byte, whatever the host's
//! buffers; a patch with no note stream is E0119 (exit 1); an unwritable `-o` fails before
//! any work; `play --ws-out` serves the same notes to a WebSocket subscriber as JSON.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

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

/// `(tick, on, note)` of every note event in a format-1 file's tracks after the tempo track.
fn file_notes(bytes: &[u8]) -> Vec<(u64, bool, u8)> {
    let smf = midly::Smf::parse(bytes).expect("a valid file");
    let mut notes = Vec::new();
    for track in &smf.tracks[1..] {
        let mut tick = 0;
        for event in track {
            tick += u64::from(u32::from(event.delta));
            if let midly::TrackEventKind::Midi { message, .. } = event.kind {
                match message {
                    midly::MidiMessage::NoteOn { key, vel } if vel > 0 => {
                        notes.push((tick, true, key.into()));
                    }
                    midly::MidiMessage::NoteOn { key, .. }
                    | midly::MidiMessage::NoteOff { key, .. } => {
                        notes.push((tick, false, key.into()));
                    }
                    _ => {}
                }
            }
        }
    }
    notes
}

#[test]
fn a_websocket_subscriber_hears_the_notes_the_file_records() {
    let dir = scratch_dir("ws");
    let patch = dir.join("p.lisp");
    std::fs::write(&patch, PATCH).unwrap();
    let recorded = dir.join("live.mid");
    let mut child = Command::new(env!("CARGO_BIN_EXE_patchvm"))
        .args(["play", patch.to_str().unwrap(), "--to"])
        .arg(dir.join("live.wav"))
        .args([
            "--seconds",
            "3",
            "--seed",
            "5",
            "--ws-out",
            "0",
            "--midi-out",
        ])
        .arg(&recorded)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = stderr.next().expect("the ws line").unwrap();
        if let Some(url) = line.strip_prefix("ws: serving note streams on ") {
            break url.to_owned();
        }
    };
    let (mut client, _) = tungstenite::connect(url.as_str()).unwrap();
    let mut heard = Vec::new();
    let mut metrics = Vec::new();
    loop {
        let text = match client.read().unwrap() {
            tungstenite::Message::Text(text) => text,
            tungstenite::Message::Ping(_) | tungstenite::Message::Pong(_) => continue,
            other => panic!("{other:?} before the stream's end"),
        };
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let tick =
            |json: &serde_json::Value| (json["beat"].as_f64().unwrap() * 960.0).round() as u64;
        let note = |json: &serde_json::Value| json["note"].as_u64().unwrap() as u8;
        match json["type"].as_str().unwrap() {
            "on" => heard.push((tick(&json), true, note(&json))),
            "off" => heard.push((tick(&json), false, note(&json))),
            "metrics" => metrics.push(json["sent"].as_u64().unwrap()),
            "end" => break,
            other => panic!("unexpected {other}: {text}"),
        }
        assert_eq!(json.get("channel").map_or(3, |c| c.as_u64().unwrap()), 3);
    }
    let rest: Vec<String> = stderr.map_while(Result::ok).collect();
    assert!(child.wait().unwrap().success(), "{rest:?}");
    // The subscriber joined after the session started, so it may have missed the first
    // notes: what it heard is the end of what the file records, note for note.
    let recorded = file_notes(&std::fs::read(&recorded).unwrap());
    assert!(
        heard.len() >= recorded.len() / 2,
        "{heard:?} of {recorded:?}"
    );
    assert_eq!(heard[..], recorded[recorded.len() - heard.len()..]);
    // The sender's metrics, once a second while it played, never counting down.
    assert!(!metrics.is_empty());
    assert!(
        metrics.windows(2).all(|pair| pair[0] <= pair[1]),
        "{metrics:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
