//! The files the commands write, as a user meets them: an output that is also an input is
//! refused (whatever name reaches it), a failed render leaves the old file and no half file,
//! and a broken or cut-short input is named as what failed.

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

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("patchvm-files-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A patch that plays its input channel 0 unchanged.
const THROUGH: &str = r#"(patch (nodes (mic (type "input") (channel 0)) (out (type "output")))
       (connections (mic "out" -> out "in")))"#;

/// A mono 32-bit float WAV at 48 kHz holding `samples`, cut to `keep` bytes of samples.
fn float_wav(path: &Path, samples: &[f32], keep: usize) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for &sample in samples {
        writer.write_sample(sample).unwrap();
    }
    writer.finalize().unwrap();
    let header = std::fs::metadata(path).unwrap().len() as usize - 4 * samples.len();
    let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.set_len((header + keep) as u64).unwrap();
}

fn read_samples(path: &Path) -> Vec<f32> {
    hound::WavReader::open(path)
        .unwrap()
        .samples::<f32>()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn an_output_that_is_an_input_is_refused_by_any_name() {
    let dir = scratch("same");
    let patch = dir.join("through.lisp");
    std::fs::write(&patch, THROUGH).unwrap();
    let input = dir.join("in.wav");
    float_wav(&input, &[0.5; 100], 400);
    let hard = dir.join("hard.wav");
    std::fs::hard_link(&input, &hard).unwrap();
    let soft = dir.join("soft.wav");
    std::os::unix::fs::symlink(&input, &soft).unwrap();
    let patch_link = dir.join("patch-link.lisp");
    std::os::unix::fs::symlink(&patch, &patch_link).unwrap();
    let before = std::fs::read(&input).unwrap();
    let render = |output: &Path| {
        patchvm(&[
            "render",
            text(&patch),
            "--input",
            text(&input),
            "-o",
            text(output),
        ])
    };
    for (output, says) in [
        (render(&input), "is the --input file"),
        (render(&hard), "is the --input file"),
        (render(&soft), "is the --input file"),
        (render(&patch_link), "is the patch"),
        (
            patchvm(&["convert", text(&patch), "-o", text(&patch_link)]),
            "is the patch",
        ),
        (
            patchvm(&["play", text(&patch), "--to", text(&patch)]),
            "is the patch",
        ),
    ] {
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{message}");
        assert!(message.contains(says), "{message}");
        assert!(message.contains("name another output file"), "{message}");
    }
    // Nothing was touched, and no temporary file is left.
    assert_eq!(std::fs::read(&input).unwrap(), before);
    assert_eq!(std::fs::read_to_string(&patch).unwrap(), THROUGH);
    assert_eq!(
        names(&dir),
        [
            "hard.wav",
            "in.wav",
            "patch-link.lisp",
            "soft.wav",
            "through.lisp"
        ]
    );
    // The same name spelt another way is the same file too.
    let output = patchvm(&[
        "render",
        text(&patch),
        "--input",
        text(&input),
        "-o",
        &format!("{}/./in.wav", dir.display()),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn a_render_replaces_its_output_only_when_complete() {
    let dir = scratch("replace");
    let out = dir.join("out.wav");
    std::fs::write(&out, b"the old file").unwrap();
    // A render too long for a WAV file fails after the output was reserved: the old file
    // stays, and the temporary file is gone.
    let output = patchvm(&[
        "render",
        "patches/toy.lisp",
        "-o",
        text(&out),
        "--seconds",
        "86400",
        "--channels",
        "2",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(std::fs::read(&out).unwrap(), b"the old file");
    assert_eq!(names(&dir), ["out.wav"]);
    // A good render replaces it, through a symbolic link to it (the link stays a link).
    let link = dir.join("link.wav");
    std::os::unix::fs::symlink(&out, &link).unwrap();
    let output = patchvm(&[
        "render",
        "patches/toy.lisp",
        "-o",
        text(&link),
        "--seconds",
        "0.25",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(read_samples(&out).len(), 12_000);
    assert_eq!(names(&dir), ["link.wav", "out.wav"]);
    // A converted patch replaces its output the same way.
    let json = dir.join("toy.json");
    std::fs::write(&json, "not json yet").unwrap();
    let output = patchvm(&["convert", "patches/toy.lisp", "-o", text(&json)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let fresh = dir.join("fresh.json");
    let output = patchvm(&["convert", "patches/toy.lisp", "-o", text(&fresh)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json_of = |path: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    };
    assert_eq!(json_of(&json), json_of(&fresh));
    assert_eq!(
        names(&dir),
        ["fresh.json", "link.wav", "out.wav", "toy.json"]
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_write_error_mid_render_leaves_the_old_file_and_says_why() {
    let dir = scratch("ulimit");
    let out = dir.join("out.wav");
    std::fs::write(&out, b"the old file").unwrap();
    // The shell limits the size of files the render may write (ignoring the signal that
    // would kill it instead), so the write fails part way: a full disk without root.
    let output = Command::new("sh")
        .args([
            "-c",
            "ulimit -f 64 && trap '' XFSZ && exec \"$@\"",
            "sh",
            env!("CARGO_BIN_EXE_patchvm"),
            "render",
            "patches/toy.lisp",
            "-o",
            text(&out),
            "--seconds",
            "2",
        ])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .unwrap();
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message.contains(&format!("cannot write `{}`: File too large", out.display())),
        "{message}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"the old file");
    assert_eq!(names(&dir), ["out.wav"]);
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_device_is_written_in_place_and_reported() {
    use std::os::unix::fs::FileTypeExt;
    // `/dev/full` is not a regular file: it is written as it is (never renamed over).
    let output = patchvm(&[
        "render",
        "patches/toy.lisp",
        "-o",
        "/dev/full",
        "--seconds",
        "0.1",
    ]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message.contains("cannot write `/dev/full`: No space left on device"),
        "{message}"
    );
    let device = std::fs::symlink_metadata("/dev/full").unwrap();
    assert!(device.file_type().is_char_device());
    // So is `play --to`: the WAV sink cannot write its header.
    let output = patchvm(&["play", "patches/toy.lisp", "--to", "/dev/full"]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message.contains("cannot write `/dev/full`: No space left on device"),
        "{message}"
    );
}

#[test]
fn a_cut_short_input_renders_what_it_holds_with_a_warning() {
    let dir = scratch("cut");
    let patch = dir.join("through.lisp");
    std::fs::write(&patch, THROUGH).unwrap();
    let input = dir.join("in.wav");
    let samples: Vec<f32> = (0..4_800).map(|i| (i as f32 * 0.05).sin() / 2.0).collect();
    // 3 000 frames and half of the next.
    float_wav(&input, &samples, 3_000 * 4 + 2);
    let out = dir.join("out.wav");
    let output = patchvm(&[
        "render",
        text(&patch),
        "--input",
        text(&input),
        "-o",
        text(&out),
    ]);
    let message = stderr(&output);
    assert!(output.status.success(), "{message}");
    assert!(
        message.contains(&format!(
            "warning: `{}` was cut short: it holds 3000 of the 4800 frames its header promises",
            input.display()
        )),
        "{message}"
    );
    // Without --seconds, the render is as long as what the input holds, and is the input.
    assert_eq!(read_samples(&out), samples[..3_000]);
    // Longer, it goes on in silence after the input's end.
    let output = patchvm(&[
        "render",
        text(&patch),
        "--input",
        text(&input),
        "-o",
        text(&out),
        "--seconds",
        "0.1",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let rendered = read_samples(&out);
    assert_eq!(rendered.len(), 4_800);
    assert_eq!(rendered[..3_000], samples[..3_000]);
    assert!(rendered[3_000..].iter().all(|&sample| sample == 0.0));
}

#[test]
fn an_input_that_cannot_be_read_is_named_not_the_output() {
    let dir = scratch("unreadable");
    let patch = dir.join("through.lisp");
    std::fs::write(&patch, THROUGH).unwrap();
    let input = dir.join("in.wav");
    std::fs::write(&input, b"RIFF\x04\0\0\0WAVX").unwrap();
    let out = dir.join("out.wav");
    let output = patchvm(&[
        "render",
        text(&patch),
        "--input",
        text(&input),
        "-o",
        text(&out),
    ]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message.contains(&format!("cannot read `{}`: ", input.display())),
        "{message}"
    );
    assert!(!message.contains("cannot write"), "{message}");
    assert!(!out.exists());
}

#[cfg(target_os = "linux")]
#[test]
fn play_into_a_pipe_streams_a_wav_whose_header_says_its_length() {
    // A pipe cannot seek back to the header: it is written once, with the length asked for.
    let output = patchvm(&[
        "play",
        "patches/toy.lisp",
        "--to",
        "/dev/stdout",
        "--seconds",
        "0.5",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let mut reader = hound::WavReader::new(output.stdout.as_slice()).unwrap();
    assert_eq!(reader.duration(), 24_000);
    let samples: Vec<f32> = reader.samples::<f32>().map(Result::unwrap).collect();
    assert_eq!(samples.len(), 24_000);
    let measured = patchvm_tests::measure::frequency(&samples, 48_000.0).unwrap();
    assert!((measured - 440.0).abs() < 0.5, "{measured} Hz");
}

#[test]
fn a_render_ended_by_a_signal_leaves_no_temporary_file() {
    let dir = scratch("signal");
    let out = dir.join("out.wav");
    std::fs::write(&out, b"the old file").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_patchvm"))
        .args(["render", "patches/toy.lisp", "-o", text(&out)])
        .args(["--seconds", "20000"])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Waits for the temporary file to hold samples: the render is under way.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let temporary = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap())
            .find(|entry| entry.file_name() != "out.wav");
        if temporary.is_some_and(|entry| entry.metadata().unwrap().len() > 80) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no render under way");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    assert_eq!(child.wait().unwrap().code(), Some(130));
    assert_eq!(std::fs::read(&out).unwrap(), b"the old file");
    assert_eq!(names(&dir), ["out.wav"]);
}
