//! Half-written saves: a file read between two writes is not reported broken while the
//! writes settle; a file left broken is, once they have; a reload's warnings follow it.

use patchvm::engine::Engine;
use patchvm::engine::EngineSettings;
use patchvm::ir::{Code, Limits};
use patchvm::watch::{FileWatch, WatchEvent, WatchSettings};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn patch(freq: u32) -> String {
    format!(
        "(patch\n  (nodes\n    (osc (type \"osc.sine\") (freq {freq}))\n    (out (type \"output\")))\n  \
         (connections\n    (osc \"out\" -> out \"in\")))\n"
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("patchvm-half-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("live.lisp")
}

/// Every event of the watch until `done` says the last one ends the wait.
fn events_until(
    watch: &FileWatch,
    audio: &mut patchvm::engine::AudioHalf,
    done: impl Fn(&WatchEvent) -> bool,
) -> Vec<WatchEvent> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    loop {
        audio.process(&mut [0.0; 128]);
        if let Some(event) = watch.try_next() {
            let last = done(&event);
            seen.push(event);
            if last {
                return seen;
            }
        }
        assert!(Instant::now() < deadline, "no end among {seen:?}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn start(path: &PathBuf, settle: Duration) -> (FileWatch, patchvm::engine::AudioHalf) {
    std::fs::write(path, patch(440)).unwrap();
    let (mut controller, audio) = Engine::new(EngineSettings::default(), Limits::default());
    controller.load_file(path).unwrap();
    let watch = FileWatch::spawn(
        path,
        &std::fs::read(path).unwrap(),
        Arc::new(Mutex::new(controller)),
        WatchSettings {
            settle,
            ..WatchSettings::default()
        },
    )
    .unwrap();
    (watch, audio)
}

#[test]
fn a_save_written_in_two_halves_reloads_without_an_error_block() {
    let path = scratch("halves");
    // A settling time no loaded machine reaches between the two writes.
    let (watch, mut audio) = start(&path, Duration::from_secs(20));
    let text = patch(660);
    let (first, second) = text.split_at(text.len() / 2);
    std::fs::write(&path, first).unwrap();
    // Well past the 30 ms debounce: the watch reads the first half, alone.
    std::thread::sleep(Duration::from_millis(150));
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    std::io::Write::write_all(&mut file, second.as_bytes()).unwrap();
    drop(file);
    let events = events_until(&watch, &mut audio, |event| {
        matches!(event, WatchEvent::Reloaded { .. })
    });
    let [WatchEvent::Reloaded { report, .. }] = events.as_slice() else {
        panic!("one reload and nothing else: {events:?}");
    };
    assert_eq!(report.kept, ["osc"]);
    watch.stop();
}

#[test]
fn a_file_left_half_written_is_reported_once_the_writes_settle() {
    let path = scratch("left");
    let (watch, mut audio) = start(&path, Duration::from_millis(100));
    let text = patch(660);
    let saved = Instant::now();
    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    let events = events_until(&watch, &mut audio, |event| {
        matches!(event, WatchEvent::Invalid { .. })
    });
    let [WatchEvent::Invalid { diagnostics, .. }] = events.as_slice() else {
        panic!("one error block: {events:?}");
    };
    assert!(
        saved.elapsed() >= Duration::from_millis(100),
        "held for the settling time"
    );
    assert_eq!(diagnostics[0].code, Code::Syntax);
    assert_eq!(diagnostics[0].message, "unclosed parenthesis");
    watch.stop();
}

#[test]
fn a_reload_with_warnings_is_followed_by_them() {
    let path = scratch("warned");
    let (watch, mut audio) = start(&path, Duration::from_millis(100));
    let text = patch(660).replace(
        "(out (type \"output\"))",
        "(out (type \"output\"))\n    (lfo (type \"osc.sine\"))",
    );
    std::fs::write(&path, &text).unwrap();
    let events = events_until(&watch, &mut audio, |event| {
        matches!(event, WatchEvent::Warned { .. })
    });
    let [
        WatchEvent::Reloaded { report, .. },
        WatchEvent::Warned { warnings, .. },
    ] = events.as_slice()
    else {
        panic!("a reload, then its warnings: {events:?}");
    };
    // Unheard, the new node is compiled away: it runs no kernel, so the swap adds nothing.
    assert_eq!(
        (report.kept.as_slice(), report.added.len()),
        (&["osc".into()][..], 0)
    );
    let start = text.find("(lfo").unwrap() + 1;
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].code, Code::Unheard);
    assert_eq!(warnings[0].primary.span.range(), start..start + 3);
    watch.stop();
}
