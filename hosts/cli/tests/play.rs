//! `patchvm play`, run as a user runs it and measured from the WAV files it writes: the sink
//! keeps real time, `--watch` swaps saves in without a click, keeps playing through a broken
//! save, and Ctrl-C leaves a valid file. The WAV sink is paced at real-time speed, so a
//! sample's position in the file is the time it played: the tests time the file writes they
//! make against the session's start and find in the file when the sound changed.

use patchvm_tests::measure::{frequency, rms};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const RATE: f64 = 48_000.0;

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("patchvm-play-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The toy patch at `freq` Hz, with `extra` more gain stages (each at 0.5) before the output.
fn toy(freq: u32, extra: usize) -> String {
    let mut nodes = format!(
        "(osc1 (type \"osc.sine\") (freq {freq}))\n    (gain1 (type \"gain\") (amp 0.5))\n"
    );
    let mut connections = String::from("(osc1 \"out\" -> gain1 \"in\")\n");
    let mut last = "gain1".to_owned();
    for stage in 2..2 + extra {
        nodes.push_str(&format!("    (gain{stage} (type \"gain\") (amp 0.5))\n"));
        connections.push_str(&format!("    ({last} \"out\" -> gain{stage} \"in\")\n"));
        last = format!("gain{stage}");
    }
    format!(
        "(patch\n  (nodes\n    {nodes}    (out (type \"output\")))\n  (connections\n    {connections}    ({last} \"out\" -> out \"in\")))\n"
    )
}

/// Saves `text` as an editor that writes a new file and renames it over the old one does.
fn save_by_rename(path: &Path, text: &str) {
    let temporary = path.with_extension("lisp.tmp");
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, path).unwrap();
}

/// A `patchvm play` child whose stderr lines arrive, timestamped, on a channel.
struct Playing {
    child: Child,
    lines: Receiver<(Instant, String)>,
    /// Every line so far.
    seen: Vec<String>,
    /// When the session said it started playing: the file's sample 0.
    started: Instant,
}

impl Playing {
    fn spawn(args: &[&str]) -> Playing {
        let mut playing = Playing::start(args);
        playing.started = playing.wait_for("playing ");
        playing
    }

    /// Starts `patchvm play ARGS` without waiting for it to play.
    fn start(args: &[&str]) -> Playing {
        let mut child = Command::new(env!("CARGO_BIN_EXE_patchvm"))
            .arg("play")
            .args(args)
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let stderr = child.stderr.take().unwrap();
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if sender.send((Instant::now(), line)).is_err() {
                    break;
                }
            }
        });
        Playing {
            child,
            lines,
            seen: Vec::new(),
            started: Instant::now(),
        }
    }

    /// Waits for a line starting with `prefix`; returns when it arrived.
    fn wait_for(&mut self, prefix: &str) -> Instant {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((at, line)) => {
                    let found = line.starts_with(prefix);
                    self.seen.push(line);
                    if found {
                        return at;
                    }
                }
                Err(_) => panic!(
                    "no line `{prefix}…`; stderr so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Seconds since the session started playing.
    fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Sleeps until `seconds` after the session started playing.
    fn sleep_until(&self, seconds: f64) {
        let at = self.started + Duration::from_secs_f64(seconds);
        std::thread::sleep(at.saturating_duration_since(Instant::now()));
    }

    /// Waits for the process to end successfully; returns all it printed.
    fn finish(mut self) -> String {
        let status = self.child.wait().unwrap();
        while let Ok((_, line)) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.seen.push(line);
        }
        let text = self.seen.join("\n");
        assert!(status.success(), "{status}: {text}");
        text
    }
}

fn read_wav(path: &Path) -> Vec<f32> {
    let mut reader = hound::WavReader::open(path).expect("a valid WAV file");
    assert_eq!(reader.spec().sample_rate, 48_000);
    assert_eq!(reader.spec().channels, 1);
    reader.samples::<f32>().map(Result::unwrap).collect()
}

/// Samples from `from` to `to` seconds.
fn between(samples: &[f32], from: f64, to: f64) -> &[f32] {
    let index = |seconds: f64| ((seconds * RATE) as usize).min(samples.len());
    &samples[index(from)..index(to)]
}

/// The largest difference between neighbouring samples: a click shows as a jump far above
/// what a sine's slope allows (amplitude · 2π · f / rate).
fn max_jump(samples: &[f32]) -> f32 {
    samples
        .windows(2)
        .map(|pair| (pair[1] - pair[0]).abs())
        .fold(0.0, f32::max)
}

/// Upward zero crossings, placed between samples.
fn crossings(samples: &[f32]) -> Vec<f64> {
    samples
        .windows(2)
        .enumerate()
        .filter(|(_, pair)| pair[0] < 0.0 && pair[1] >= 0.0)
        .map(|(index, pair)| {
            let (a, b) = (f64::from(pair[0]), f64::from(pair[1]));
            index as f64 + a / (a - b)
        })
        .collect()
}

/// Seconds into the file of the first period, after `after` seconds, that is closer to
/// `new_hz` than to `old_hz`: where the sound changed (to within a period).
fn frequency_change(samples: &[f32], after: f64, old_hz: f64, new_hz: f64) -> f64 {
    let (old, new) = (RATE / old_hz, RATE / new_hz);
    let marks = crossings(samples);
    let found = marks
        .windows(2)
        .find(|pair| {
            pair[0] >= after * RATE
                && (pair[1] - pair[0] - new).abs() < (pair[1] - pair[0] - old).abs()
        })
        .unwrap_or_else(|| panic!("no change from {old_hz} Hz to {new_hz} Hz after {after} s"));
    found[0] / RATE
}

/// Seconds into the file of the first period, after `after` seconds, whose peak is below
/// `threshold`.
fn level_drop(samples: &[f32], after: f64, threshold: f32) -> f64 {
    let marks = crossings(samples);
    let found = marks
        .windows(2)
        .filter(|pair| pair[0] >= after * RATE)
        .find(|pair| {
            let period = &samples[pair[0] as usize..pair[1] as usize];
            period.iter().fold(0.0_f32, |peak, x| peak.max(x.abs())) < threshold
        })
        .unwrap_or_else(|| panic!("no drop below {threshold} after {after} s"));
    found[0] / RATE
}

fn assert_hz(samples: &[f32], want: f64, what: &str) {
    let measured = frequency(samples, RATE).unwrap_or(0.0);
    assert!(
        (measured - want).abs() < 0.5,
        "{what}: {measured} Hz, not {want} Hz"
    );
}

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

#[test]
fn play_to_a_wav_file_takes_real_time_and_plays_the_patch() {
    let dir = scratch_dir("realtime");
    let wav = dir.join("out.wav");
    let started = Instant::now();
    let playing = Playing::spawn(&[
        "patches/toy.lisp",
        "--to",
        wav.to_str().unwrap(),
        "--seconds",
        "2",
    ]);
    let text = playing.finish();
    let wall = started.elapsed().as_secs_f64();
    let samples = read_wav(&wav);
    assert_eq!(samples.len(), 96_000);
    let measured = frequency(&samples, RATE).unwrap();
    assert!((measured - 440.0).abs() < 0.01, "{measured} Hz");
    assert!((db(rms(&samples)) - db(0.5 / 2f64.sqrt())).abs() < 0.01);
    // The clock paces the buffers: the last one starts 2 s less one buffer after the first.
    assert!(wall >= 2.0 - 256.0 / RATE, "2 s of audio in {wall:.3} s");
    let summary = text.lines().last().unwrap();
    assert!(
        summary.starts_with("played `patches/toy.lisp` for 2.000 s (96000 frames)"),
        "{text}"
    );
    eprintln!("2 s in {wall:.3} s of wall time, process start and exit included; {summary}");
}

#[test]
fn a_watched_parameter_change_sounds_without_a_click() {
    let dir = scratch_dir("param");
    let (patch, wav) = (dir.join("live.lisp"), dir.join("out.wav"));
    std::fs::write(&patch, toy(440, 0)).unwrap();
    let mut playing = Playing::spawn(&[
        patch.to_str().unwrap(),
        "--watch",
        "--to",
        wav.to_str().unwrap(),
        "--seconds",
        "2.5",
    ]);
    playing.sleep_until(1.0);
    let written = playing.now();
    std::fs::write(&patch, toy(660, 0)).unwrap();
    playing.wait_for("reloaded");
    let text = playing.finish();
    assert!(text.contains("kept 2; values only"), "{text}");

    let samples = read_wav(&wav);
    assert_eq!(samples.len(), 120_000);
    let changed = frequency_change(&samples, 0.0, 440.0, 660.0);
    let latency = changed - written;
    eprintln!(
        "watch to sound: a parameter change written at {written:.3} s sounds at {changed:.3} s: {:.1} ms",
        latency * 1e3
    );
    assert!(
        latency > 0.0,
        "the change sounds before the save: {latency} s"
    );
    assert_hz(between(&samples, 0.05, written), 440.0, "before the save");
    assert_hz(
        between(&samples, changed + 0.01, 2.5),
        660.0,
        "after the save",
    );
    // A phase-continuous sine of amplitude 0.5 moves at most 0.5 · 2π · 660 / 48 000 = 0.043
    // per sample; a click (a phase jump) would move up to 1.
    let slope = 0.5 * std::f32::consts::TAU * 660.0 / 48_000.0;
    let jump = max_jump(&samples);
    assert!(
        jump <= slope * 1.01,
        "a jump of {jump} (a sine allows {slope})"
    );
}

/// A patch playing the constant `level`.
fn level(level: f64) -> String {
    format!(
        "(patch (nodes (dc (type \"const\") (value {level})) (out (type \"output\")))\n  (connections (dc \"out\" -> out \"in\")))\n"
    )
}

#[test]
fn a_quantised_reload_swaps_on_the_bar_line() {
    // 120 BPM in 4/4 (no transport section): the first bar line after the save at 0.5 s is
    // beat 4, at 2 s: sample 96 000 exactly.
    let dir = scratch_dir("quant");
    let (patch, wav) = (dir.join("live.lisp"), dir.join("out.wav"));
    std::fs::write(&patch, level(0.25)).unwrap();
    let mut playing = Playing::spawn(&[
        patch.to_str().unwrap(),
        "--watch",
        "--quant",
        "bar",
        "--fade",
        "5",
        "--to",
        wav.to_str().unwrap(),
        "--seconds",
        "2.5",
    ]);
    playing.sleep_until(0.5);
    std::fs::write(&patch, level(0.5)).unwrap();
    playing.wait_for("reloaded");
    playing.finish();
    let samples = read_wav(&wav);
    assert_eq!(samples.len(), 120_000);
    let first = samples.iter().position(|&x| x != 0.25);
    assert_eq!(first, Some(96_000), "{:?}", &samples[95_990..96_100]);
    // A folded constant's new value is a structural change: it crossfades over `--fade 5`,
    // 5 ms, 240 samples.
    let fade = &samples[96_000..96_240];
    assert!(fade.windows(2).all(|pair| pair[0] < pair[1]), "{fade:?}");
    assert!(fade[238] < 0.5, "{}", fade[238]);
    assert!(samples[96_239..].iter().all(|&x| x == 0.5));
}

/// The samples of the ticks after the last start in a clock log.
fn ticks_after_start(log: &Path) -> Vec<u64> {
    let text = std::fs::read_to_string(log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .rposition(|line| line.ends_with("start fa"))
        .unwrap();
    lines[start..]
        .iter()
        .filter(|line| line.ends_with("tick f8"))
        .map(|line| line.split(' ').next().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn clock_out_and_a_follower_on_clock_in_tick_together() {
    // A 130 BPM master writes 3 s of clock (6.5 beats): start, then tick k on the first
    // sample at or after k · 48 000 · 60 / 130 / 24 = k · 923.08, for k < 156. A follower at 120 BPM replays that log on
    // --clock-in and writes its own clock: from beat 3 its ticks are within 8 samples of the
    // master's (its tempo is learnt from two ticks, its phase caught up through tempo).
    let dir = scratch_dir("clock");
    let master = dir.join("master.lisp");
    let text = toy(440, 0).replacen("(patch", "(patch (transport (bpm 130))", 1);
    std::fs::write(&master, text).unwrap();
    let (master_log, follower_log) = (dir.join("master.log"), dir.join("follower.log"));
    let wav = dir.join("out.wav");
    let args = |patch: &Path, more: &[&Path]| {
        let mut args: Vec<String> = [patch, Path::new("--to"), &wav, Path::new("--seconds")]
            .iter()
            .map(|p| p.to_str().unwrap().to_owned())
            .collect();
        args.push("3".into());
        args.extend(more.iter().map(|p| p.to_str().unwrap().to_owned()));
        args
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Playing::spawn(&args).finish()
    };
    let clock_out = Path::new("--clock-out");
    let text = run(args(&master, &[clock_out, &master_log]));
    assert!(text.contains("clock out: 157 messages sent"), "{text}");
    let ticks = ticks_after_start(&master_log);
    let expected: Vec<u64> = (0..156)
        .map(|k| (k as f64 * RATE * 60.0 / 130.0 / 24.0).ceil() as u64)
        .collect();
    assert_eq!(ticks, expected);
    let follower = Path::new("patches/toy.lisp");
    let clock_in = Path::new("--clock-in");
    let text = run(args(
        follower,
        &[clock_in, &master_log, clock_out, &follower_log],
    ));
    assert!(text.contains("clock in: 157 messages followed"), "{text}");
    assert!(text.contains("clock in: 130.000 BPM, locked"), "{text}");
    let followed = ticks_after_start(&follower_log);
    for (k, (&got, &want)) in followed.iter().zip(&ticks).enumerate().skip(72) {
        assert!(got.abs_diff(want) <= 8, "tick {k}: {got} against {want}");
    }
    assert!(followed.len() >= 150, "{}", followed.len());
}

#[test]
fn a_broken_save_keeps_the_last_good_patch_playing() {
    let dir = scratch_dir("broken");
    let (patch, wav) = (dir.join("live.lisp"), dir.join("out.wav"));
    std::fs::write(&patch, toy(440, 0)).unwrap();
    let mut playing = Playing::spawn(&[
        patch.to_str().unwrap(),
        "--watch",
        "--to",
        wav.to_str().unwrap(),
        "--seconds",
        "3",
    ]);
    playing.sleep_until(0.8);
    let broken = playing.now();
    // A module name with a typo, on line 3.
    std::fs::write(&patch, toy(440, 0).replace("osc.sine", "osc.sin")).unwrap();
    playing.wait_for("error: ");
    playing.sleep_until(1.8);
    let fixed = playing.now();
    std::fs::write(&patch, toy(550, 0)).unwrap();
    playing.wait_for("reloaded");
    let text = playing.finish();
    let place = format!("{}:3:17", patch.display());
    assert!(text.contains(&place), "the error's place `{place}`: {text}");
    assert!(text.contains("unknown module `osc.sin`"), "{text}");
    assert!(
        text.contains("the last good version keeps playing"),
        "{text}"
    );

    let samples = read_wav(&wav);
    let changed = frequency_change(&samples, 0.0, 440.0, 550.0);
    assert!(
        changed > fixed,
        "the fix sounds at {changed} s, before it was written at {fixed} s"
    );
    // From the start through the broken save to the fix: 440 Hz at full level in every
    // 50 ms window — no gap, no change.
    let level = db(0.5 / 2f64.sqrt());
    let mut at = 0.05;
    while at + 0.05 < changed {
        let window = between(&samples, at, at + 0.05);
        assert_hz(
            window,
            440.0,
            &format!("at {at:.2} s (broken save at {broken:.2} s)"),
        );
        assert!(
            (db(rms(window)) - level).abs() < 0.1,
            "level at {at:.2} s: {} dB",
            db(rms(window))
        );
        at += 0.05;
    }
    assert_hz(
        between(&samples, changed + 0.01, 3.0),
        550.0,
        "after the fix",
    );
}

#[test]
fn a_watched_structural_change_swaps_in_with_a_crossfade() {
    let dir = scratch_dir("structure");
    let (patch, wav) = (dir.join("live.lisp"), dir.join("out.wav"));
    std::fs::write(&patch, toy(440, 0)).unwrap();
    let mut playing = Playing::spawn(&[
        patch.to_str().unwrap(),
        "--watch",
        "--to",
        wav.to_str().unwrap(),
        "--seconds",
        "2.5",
    ]);
    playing.sleep_until(1.0);
    let written = playing.now();
    // A second gain stage at 0.5, saved the way many editors save: a new file renamed over.
    save_by_rename(&patch, &toy(440, 1));
    playing.wait_for("reloaded");
    let text = playing.finish();
    assert!(text.contains("added gain2"), "{text}");
    assert!(text.contains("crossfaded"), "{text}");

    let samples = read_wav(&wav);
    let changed = level_drop(&samples, 0.0, 0.375);
    let latency = changed - written;
    eprintln!(
        "watch to sound: a structural change written at {written:.3} s sounds at {changed:.3} s: {:.1} ms",
        latency * 1e3
    );
    assert!(
        latency > 0.0,
        "the change sounds before the save: {latency} s"
    );
    let before = between(&samples, 0.05, written);
    let after = between(&samples, changed + 0.01, 2.5);
    assert_hz(before, 440.0, "before");
    assert_hz(after, 440.0, "after");
    let drop = db(rms(before)) - db(rms(after));
    assert!(
        (drop - 6.02).abs() < 0.05,
        "the new stage takes {drop} dB off"
    );
    // The sine's slope at 0.5, plus the 64-sample crossfade's 0.25 / 64 per sample.
    let slope = 0.5 * std::f32::consts::TAU * 440.0 / 48_000.0 + 0.25 / 64.0;
    let jump = max_jump(&samples);
    assert!(
        jump <= slope * 1.01,
        "a jump of {jump} (the fade allows {slope})"
    );
}

#[test]
fn ctrl_c_leaves_a_valid_file_as_long_as_the_session() {
    let dir = scratch_dir("interrupt");
    let wav = dir.join("out.wav");
    let playing = Playing::spawn(&["patches/toy.lisp", "--to", wav.to_str().unwrap()]);
    playing.sleep_until(1.5);
    let interrupted = playing.now();
    let killed = Command::new("kill")
        .args(["-INT", &playing.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let text = playing.finish();
    let samples = read_wav(&wav);
    let seconds = samples.len() as f64 / RATE;
    eprintln!("interrupted at {interrupted:.3} s: {seconds:.3} s in the file");
    // The file ends at the control loop's next look (every 20 ms) after the signal.
    assert!(
        (seconds - interrupted).abs() < 0.2,
        "{seconds} s in the file, interrupted at {interrupted} s: {text}"
    );
    assert_hz(&samples, 440.0, "the whole file");
}

#[test]
fn flags_that_do_not_go_together_are_usage_errors() {
    for args in [
        &["patches/toy.lisp", "--to", "x.wav", "--device", "hw:0"][..],
        &["patches/toy.lisp", "--to", "x.wav", "--input", "hw:0"],
        &["patches/toy.lisp", "--channels", "2"],
        &["patches/toy.lisp", "--to", "x.wav", "--seconds", "-1"],
        &["patches/toy.lisp", "--to", "x.wav", "--buffer", "4"],
        &["patches/toy.lisp", "--to", "x.wav", "--quant", "0"],
        &["patches/toy.lisp", "--to", "x.wav", "--quant", "bars"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_patchvm"))
            .arg("play")
            .args(args)
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn a_broken_patch_does_not_start() {
    let output = Command::new(env!("CARGO_BIN_EXE_patchvm"))
        .args([
            "play",
            "patches/errors/unknown-module.lisp",
            "--to",
            "target/never.wav",
            "--seconds",
            "1",
        ])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(
        text.contains("patches/errors/unknown-module.lisp:3:17"),
        "{text}"
    );
}

fn patchvm(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_patchvm"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .unwrap()
}

#[cfg(not(feature = "cpal"))]
#[test]
fn without_the_cpal_feature_play_and_devices_say_how_to_get_sound_cards() {
    for args in [&["play", "patches/toy.lisp"][..], &["devices"]] {
        let output = patchvm(args);
        let text = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {text}");
        assert!(text.contains("built without sound-card support"), "{text}");
        assert!(text.contains("--features cpal"), "{text}");
        assert!(text.contains("--to OUT.wav"), "{text}");
    }
}

/// ALSA's `null` device (in alsa-lib's own configuration, so on every Linux machine with the
/// library, sound card or not) takes and gives samples like a card, without pacing them.
#[cfg(all(feature = "cpal", target_os = "linux"))]
#[test]
fn the_sound_card_path_plays_through_alsas_null_device() {
    let output = patchvm(&["devices"]);
    let listed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(
        listed.lines().any(|line| line.starts_with("null ")),
        "{listed}"
    );

    for (patch, input) in [
        ("patches/toy.lisp", None),
        ("patches/through.lisp", Some("null")),
    ] {
        let mut args = vec![
            "play",
            patch,
            "--device",
            "null",
            "--seconds",
            "0.3",
            "--buffer",
            "128",
        ];
        args.extend(input.map(|input| ["--input", input]).into_iter().flatten());
        let output = patchvm(&args);
        let text = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{args:?}: {text}");
        assert!(text.contains("latency: buffers of 128 frames"), "{text}");
        let summary = text.lines().last().unwrap();
        let played: f64 = summary
            .split(" for ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|seconds| seconds.parse().ok())
            .unwrap_or_else(|| panic!("{summary}"));
        assert!(played >= 0.3, "{summary}");
    }
}

#[cfg(feature = "cpal")]
#[test]
fn a_missing_sound_card_is_explained() {
    let output = patchvm(&["play", "patches/toy.lisp", "--device", "no-such-card"]);
    let text = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("no output device is called `no-such-card`"),
        "{text}"
    );
    assert!(text.contains("--to OUT.wav"), "{text}");
    // The default device: on a machine without a sound card (CI) it cannot be opened, and
    // the message says what to do; with one, it plays.
    let output = patchvm(&["play", "patches/toy.lisp", "--seconds", "0.2"]);
    let text = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => assert!(text.contains("played `patches/toy.lisp`"), "{text}"),
        Some(1) => assert!(text.contains("--to OUT.wav"), "{text}"),
        other => panic!("{other:?}: {text}"),
    }
}

/// The OSC server of a playing session, driven by Debian's `oscsend` (liblo-tools, which
/// `.ci/run` installs; rosc's encoder where it is absent): a `/param/set` changes the
/// frequency heard in the file.
#[test]
fn osc_from_a_real_client_changes_what_plays() {
    let dir = scratch_dir("osc");
    let wav = dir.join("out.wav");
    let playing = Playing::spawn(&[
        "patches/toy.lisp",
        "--to",
        wav.to_str().unwrap(),
        "--seconds",
        "2.5",
        "--osc",
        "0",
    ]);
    let listening = playing
        .seen
        .iter()
        .find_map(|line| line.strip_prefix("osc: listening on "))
        .unwrap_or_else(|| panic!("no OSC address; stderr: {:?}", playing.seen))
        .to_owned();
    let port = listening.rsplit(':').next().unwrap().to_owned();
    playing.sleep_until(1.0);
    let sent = playing.now();
    patchvm_tests::osc::oscsend(
        port.parse().expect("a port number"),
        "/param/set",
        "ssf",
        &["osc1", "freq", "660"],
    );
    let text = playing.finish();
    assert!(
        text.contains("osc: 1 datagrams, 1 messages applied"),
        "{text}"
    );
    let samples = read_wav(&wav);
    assert_hz(between(&samples, 0.1, sent), 440.0, "before the message");
    let changed = frequency_change(&samples, sent - 0.05, 440.0, 660.0);
    assert_hz(between(&samples, changed + 0.05, 2.45), 660.0, "after it");
    eprintln!(
        "sent at {sent:.3} s, 660 Hz from {changed:.3} s: {:.1} ms, the client's start-up included",
        (changed - sent) * 1e3
    );
}

/// `play --midi` feeds the song ahead of the audio at its exact samples, so the real-time
/// session records exactly what the offline `render --midi` writes.
#[test]
fn a_midi_file_plays_live_exactly_as_it_renders() {
    let dir = scratch_dir("midi");
    let (played, rendered) = (dir.join("played.wav"), dir.join("rendered.wav"));
    let song = [
        "patches/poly-synth.lisp",
        "--midi",
        "patches/poly-synth.mid",
    ];
    let output = patchvm(
        &[
            &["render"][..],
            &song,
            &["-o", rendered.to_str().unwrap(), "--seconds", "3"],
        ]
        .concat(),
    );
    assert!(output.status.success(), "{output:?}");
    let playing = Playing::spawn(
        &[
            &song[..],
            &["--to", played.to_str().unwrap(), "--seconds", "3"],
        ]
        .concat(),
    );
    let text = playing.finish();
    assert!(text.contains(" late, 0 refused"), "{text}");
    let (played, rendered) = (read_wav(&played), read_wav(&rendered));
    assert_eq!(played.len(), 144_000);
    let differing = played.iter().zip(&rendered).filter(|(a, b)| a != b).count();
    assert_eq!(differing, 0, "samples differ from the offline render");
    // The song's first note, C4, alone from 0.5 s.
    assert_hz(between(&played, 0.6, 0.95), 261.626, "the first note");
}

#[test]
fn play_resumes_from_its_snapshot_on_the_same_sample_of_the_beat_line() {
    let dir = scratch_dir("snapshot");
    let patch = dir.join("clock.lisp");
    // The beat's phase at 137 BPM through a gain: a function of the beat line alone.
    std::fs::write(
        &patch,
        r#"(patch (transport (bpm 137))
  (nodes (clk (type "clock")) (g (type "gain") (amp 0.5)) (out (type "output")))
  (connections (clk "phase" -> g "in") (g "out" -> out "in")))"#,
    )
    .unwrap();
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let play = |extra: &[&str]| {
        let mut args = vec!["play", patch.to_str().unwrap()];
        args.extend(extra);
        patchvm(&args)
    };
    let first = play(&[
        "--to",
        &path("a.wav"),
        "--seconds",
        "1",
        "--snapshot",
        &path("s.json"),
    ]);
    assert!(first.status.success(), "{first:?}");
    let reference = play(&["--to", &path("b.wav"), "--seconds", "2"]);
    assert!(reference.status.success(), "{reference:?}");
    let snapshot = patchvm::engine::Snapshot::read_file(&dir.join("s.json")).unwrap();
    // Saved at the end, once the second of audio had been rendered (whole buffers of 256).
    let at = snapshot.time as usize;
    assert!((48_000..48_256).contains(&at), "{at}");
    let resumed = play(&[
        "--resume",
        &path("s.json"),
        "--to",
        &path("c.wav"),
        "--seconds",
        "0.5",
    ]);
    assert!(resumed.status.success(), "{resumed:?}");
    let (whole, again) = (read_wav(&dir.join("b.wav")), read_wav(&dir.join("c.wav")));
    assert_eq!(again.len(), 24_000);
    let differing = (0..24_000)
        .filter(|&n| again[n].to_bits() != whole[at + n].to_bits())
        .count();
    assert_eq!(differing, 0);
    // A file that is no snapshot stops play before it starts.
    let refused = play(&["--resume", patch.to_str().unwrap(), "--to", &path("x.wav")]);
    assert_eq!(refused.status.code(), Some(1));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("cannot resume from") && said.contains("not a patchvm snapshot"),
        "{said}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Tap tempo from the terminal: each line on stdin is a tap, answered on stderr; from the
/// second tap the tempo of the taps, applied from the next beat.
#[test]
fn lines_on_stdin_are_taps() {
    use std::io::Write;
    let dir = scratch_dir("tap");
    let mut child = Command::new(env!("CARGO_BIN_EXE_patchvm"))
        .args([
            "play",
            "patches/toy.lisp",
            "--tap",
            "--seconds",
            "30",
            "--to",
        ])
        .arg(dir.join("out.wav"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut wait_for = |prefix: &str| loop {
        let line = lines.next().expect("more output").unwrap();
        if let Some(rest) = line.strip_prefix(prefix) {
            return rest.to_owned();
        }
    };
    wait_for("playing ");
    stdin.write_all(b"\n").unwrap();
    wait_for("tap: tap again");
    std::thread::sleep(Duration::from_millis(500));
    stdin.write_all(b"\n").unwrap();
    let bpm: f64 = wait_for("tap: ")
        .strip_suffix(" BPM from the next beat")
        .expect("a tempo")
        .parse()
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        (patchvm::vm::TempoMap::MIN_BPM..=patchvm::vm::TempoMap::MAX_BPM).contains(&bpm),
        "{bpm}"
    );
}

#[test]
fn watching_a_broken_file_waits_for_a_good_save_and_the_session_is_saved_on_exit() {
    let dir = scratch_dir("broken-start");
    let (patch, wav) = (dir.join("live.lisp"), dir.join("out.wav"));
    let saved = dir.join("saved.json");
    let good = toy(440, 0);
    std::fs::write(&patch, &good[..good.len() / 2]).unwrap();
    let mut playing = Playing::start(&[
        patch.to_str().unwrap(),
        "--watch",
        "--to",
        wav.to_str().unwrap(),
        "--seconds",
        "0.5",
        "--save-on-exit",
        saved.to_str().unwrap(),
    ]);
    playing.wait_for("error: ");
    let waiting = playing.seen.last().unwrap().clone();
    assert!(
        waiting.ends_with("has 1 problem; waiting for a save that plays"),
        "{waiting}"
    );
    assert!(
        playing.child.try_wait().unwrap().is_none(),
        "still running, silent"
    );
    save_by_rename(&patch, &good);
    playing.started = playing.wait_for("playing ");
    let text = playing.finish();
    assert!(
        text.contains(&format!(
            "saved the patch as played to `{}`",
            saved.display()
        )),
        "{text}"
    );
    let samples = read_wav(&wav);
    assert_eq!(samples.len(), 24_000);
    assert_hz(&samples, 440.0, "the good save");
    // The saved session compiles to the program of the file it played.
    let program = |path: &Path| {
        let output = patchvm(&["disasm", path.to_str().unwrap()]);
        assert!(output.status.success());
        output.stdout
    };
    assert_eq!(program(&saved), program(&patch));
}
