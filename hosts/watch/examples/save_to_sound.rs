//! Save to sound, measured: 50 saves of a playing patch written in place (truncate, write,
//! close, as most editors and `std::fs::write` do) and 50 written as a copy renamed over the
//! file, each timed from the start of the save until the audio half has taken the new
//! program. The audio half runs on a thread of its own at real-time pace, 256 frames a call.
//!
//!     cargo run --release -p patchvm-watch --example save_to_sound

use patchvm_engine::ir::Limits;
use patchvm_engine::{Engine, EngineSettings};
use patchvm_watch::{FileWatch, WatchSettings};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SAVES: usize = 50;
const BUFFER: usize = 256;

fn patch(freq: usize) -> String {
    format!(
        "(patch (nodes (osc1 (type \"osc.sine\") (freq {freq})) (out (type \"output\")))\n\
         (connections (osc1 \"out\" -> out \"in\")))\n"
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("patchvm-save-to-sound-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("live.lisp");
    std::fs::write(&path, patch(100))?;

    let settings = EngineSettings {
        channels: 1,
        ..EngineSettings::default()
    };
    let (mut controller, mut audio) = Engine::new(settings, Limits::default());
    controller.load_file(&path)?;
    let metrics = controller.clock();
    let controller = Arc::new(Mutex::new(controller));
    let stop = Arc::new(AtomicBool::new(false));
    let audio_thread = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let period = Duration::from_secs_f64(BUFFER as f64 / 48_000.0);
            let mut next = Instant::now();
            let mut buffer = [0.0_f32; BUFFER];
            while !stop.load(Ordering::Relaxed) {
                audio.process(&mut buffer);
                next += period;
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            }
        })
    };
    let loaded = std::fs::read(&path)?;
    let watch = FileWatch::spawn(
        &path,
        &loaded,
        Arc::clone(&controller),
        WatchSettings::default(),
    )?;
    std::thread::sleep(Duration::from_millis(100));

    let mut freq = 100;
    for (style, save) in [
        (
            "in place",
            save_in_place as fn(&Path, &str) -> std::io::Result<()>,
        ),
        ("renamed over", save_renamed),
    ] {
        let mut times = Vec::with_capacity(SAVES);
        for _ in 0..SAVES {
            freq += 1;
            let swaps = metrics.snapshot().swaps;
            let started = Instant::now();
            save(&path, &patch(freq))?;
            while metrics.snapshot().swaps == swaps {
                assert!(started.elapsed() < Duration::from_secs(5), "no reload");
                std::thread::sleep(Duration::from_micros(100));
            }
            times.push(started.elapsed());
            std::thread::sleep(Duration::from_millis(60));
            while watch.try_next().is_some() {}
        }
        times.sort();
        println!(
            "{style}: {SAVES} saves, save to sound median {:.2} ms, worst {:.2} ms",
            times[SAVES / 2].as_secs_f64() * 1e3,
            times[SAVES - 1].as_secs_f64() * 1e3
        );
    }
    watch.stop();
    stop.store(true, Ordering::Relaxed);
    let _ = audio_thread.join();
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn save_in_place(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

fn save_renamed(path: &Path, text: &str) -> std::io::Result<()> {
    let copy = path.with_file_name(".live.lisp.tmp");
    std::fs::write(&copy, text)?;
    std::fs::rename(&copy, path)
}
