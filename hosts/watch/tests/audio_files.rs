//! The watch reloads the patch when an audio file it plays is rewritten, decoding only that
//! file, and the program then playing is built with the new file's samples.

use patchvm_engine::ir::Limits;
use patchvm_engine::{AudioHalf, Controller, Engine, EngineSettings};
use patchvm_watch::{FileWatch, WatchEvent, WatchSettings};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A 16-bit PCM WAV of `samples` (one channel) at 48 kHz.
fn wav(samples: &[i16]) -> Vec<u8> {
    let data = u32::try_from(samples.len() * 2).unwrap();
    let mut bytes = b"RIFF".to_vec();
    bytes.extend_from_slice(&(36 + data).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt \x10\0\0\0\x01\0\x01\0");
    bytes.extend_from_slice(&48_000u32.to_le_bytes());
    bytes.extend_from_slice(&96_000u32.to_le_bytes());
    bytes.extend_from_slice(b"\x02\0\x10\0data");
    bytes.extend_from_slice(&data.to_le_bytes());
    for sample in samples {
        bytes.extend_from_slice(&sample.to_le_bytes());
    }
    bytes
}

/// The samples a 16-bit file of `samples` decodes to.
fn decoded(samples: &[i16]) -> Vec<f32> {
    samples.iter().map(|&s| f32::from(s) / 32_768.0).collect()
}

/// Runs the audio half until the watch reports a reload, returning what it reported first.
fn next_reload(watch: &FileWatch, audio: &mut AudioHalf) -> WatchEvent {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        audio.process(&mut [0.0; 128]);
        match watch.try_next() {
            Some(event @ WatchEvent::Reloaded { .. }) => return event,
            Some(WatchEvent::Unreadable(_)) | None => {}
            Some(other) => panic!("unexpected {other:?}"),
        }
        assert!(Instant::now() < deadline, "no reload");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn bd(controller: &Mutex<Controller>) -> Vec<f32> {
    let controller = controller.lock().unwrap();
    controller
        .audio_files()
        .word("bd")
        .unwrap()
        .channel(0)
        .to_vec()
}

#[test]
fn a_rewritten_audio_file_reloads_the_patch_with_its_new_samples() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("patchvm-watch-audio-{}", std::process::id()));
    let _absent = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("kit")).unwrap();
    let kick = dir.join("kit/kick.wav");
    let other = dir.join("kit/other.wav");
    std::fs::write(&kick, wav(&[100, 200, 300])).unwrap();
    let path = dir.join("live.lisp");
    let patch = r#"(patch (nodes (s (type "osc.sine")) (out (type "output")))
  (connections (s "out" -> out "in"))
  (samples (bd "kit/kick.wav")))"#;
    std::fs::write(&path, patch).unwrap();

    let (mut controller, mut audio) = Engine::new(EngineSettings::default(), Limits::default());
    controller.load_file(&path).unwrap();
    let controller = Arc::new(Mutex::new(controller));
    let watch = FileWatch::spawn(
        &path,
        patch.as_bytes(),
        Arc::clone(&controller),
        WatchSettings::default(),
    )
    .unwrap();
    assert_eq!(bd(&controller), decoded(&[100, 200, 300]));
    assert_eq!(controller.lock().unwrap().audio_cache().decodes(), 1);

    // A file beside it that the patch does not read changes nothing; the kick rewritten
    // (another length) reloads the patch, decoding the kick alone.
    std::fs::write(&other, wav(&[1])).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    std::fs::write(&kick, wav(&[-5, 7, -9, 11])).unwrap();
    let WatchEvent::Reloaded { report, .. } = next_reload(&watch, &mut audio) else {
        unreachable!()
    };
    assert_eq!(report.kept, ["s"]);
    assert_eq!(bd(&controller), decoded(&[-5, 7, -9, 11]));
    assert_eq!(controller.lock().unwrap().audio_cache().decodes(), 2);

    // Rewritten again, same length: a change of content all the same.
    std::fs::write(&kick, wav(&[8, 6, 4, 2])).unwrap();
    next_reload(&watch, &mut audio);
    assert_eq!(bd(&controller), decoded(&[8, 6, 4, 2]));
    assert_eq!(controller.lock().unwrap().audio_cache().decodes(), 3);
    watch.stop();
    std::fs::remove_dir_all(&dir).unwrap();
}
