//! The C examples in `examples/`, compiled with the system C compiler (`cc`, or `$CC`) against
//! the static and shared libraries cargo built for this test, then run: the render example's
//! WAV must hold a second of the toy patch (440 Hz, peak 0.5) on both channels, and the
//! threads example must finish with every call as expected.
//!
//! There is no skipping: without a C compiler these tests fail.

use patchvm_tests::measure::{channel, frequency, peak};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where cargo put `libpatchvm_capi.a` and `.so` for this test: beside the test executable
/// (`target/<profile>/deps`).
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    for dir in [deps, deps.parent().unwrap()] {
        if dir.join("libpatchvm_capi.a").is_file() {
            return dir.to_path_buf();
        }
    }
    panic!(
        "libpatchvm_capi.a is not in {} or its parent",
        deps.display()
    );
}

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("capi-examples");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// How the example links the library.
#[derive(Clone, Copy, Debug)]
enum Link {
    Static,
    Shared,
}

/// Compiles `examples/NAME.c` into an executable, failing the test on any warning.
fn compile(name: &str, link: Link) -> PathBuf {
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let libraries = library_dir();
    let exe = out_dir().join(format!("{name}-{link:?}").to_lowercase());
    let mut command = Command::new(&compiler);
    command
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-O1",
        ])
        .arg("-I")
        .arg(crate_dir().join("../../spec"))
        .arg(crate_dir().join("examples").join(format!("{name}.c")))
        .arg("-o")
        .arg(&exe);
    match link {
        Link::Static => command.arg(libraries.join("libpatchvm_capi.a")),
        Link::Shared => command
            .arg("-L")
            .arg(&libraries)
            .arg("-lpatchvm_capi")
            .arg(format!("-Wl,-rpath,{}", libraries.display())),
    };
    command.args(["-lpthread", "-ldl", "-lm"]);
    let output = command.output().unwrap_or_else(|error| {
        panic!("cannot run the C compiler `{compiler}` (set CC to choose one): {error}")
    });
    assert!(
        output.status.success(),
        "compiling {name}.c failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    exe
}

fn run(exe: &Path, args: &[&Path]) -> Output {
    let output = Command::new(exe).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{} failed ({}):\n{}\n{}",
        exe.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The value of `name=` in `line`, a line of `key=value` words.
fn count(stdout: &str, name: &str) -> f64 {
    stdout
        .split_whitespace()
        .find_map(|word| word.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no `{name}=` in:\n{stdout}"))
        .parse()
        .unwrap()
}

fn check_render(link: Link) {
    let exe = compile("render", link);
    let wav = out_dir().join(format!("toy-{link:?}.wav"));
    let toy = crate_dir().join("../../patches/toy.lisp");
    let output = run(&exe, &[&toy, &wav]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("rendered 48000 frames of 2 channels"),
        "{stdout}"
    );

    let mut reader = hound::WavReader::open(&wav).unwrap();
    let spec = reader.spec();
    assert_eq!((spec.channels, spec.sample_rate), (2, 48_000));
    assert_eq!(spec.sample_format, hound::SampleFormat::Float);
    let samples: Vec<f32> = reader.samples::<f32>().map(Result::unwrap).collect();
    assert_eq!(samples.len(), 2 * 48_000);
    let left = channel(&samples, 2, 0);
    assert_eq!(
        channel(&samples, 2, 1),
        left,
        "a mono patch on both channels"
    );
    let freq = frequency(&left, 48_000.0).unwrap();
    println!("render.c ({link:?}): {freq:.4} Hz, peak {:.6}", peak(&left));
    assert!((freq - 440.0).abs() < 0.05, "{freq} Hz");
    assert!((peak(&left) - 0.5).abs() < 1e-3, "peak {}", peak(&left));
}

#[test]
fn render_c_writes_a_second_of_the_toy_patch_linked_statically() {
    check_render(Link::Static);
}

#[test]
fn render_c_writes_a_second_of_the_toy_patch_linked_dynamically() {
    check_render(Link::Shared);
}

#[test]
fn threads_c_loads_and_sets_params_while_audio_runs() {
    let exe = compile("threads", Link::Static);
    let output = run(&exe, &[]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    println!("threads.c:\n{stdout}");
    assert!(stdout.lines().last() == Some("ok"), "{stdout}");
    assert_eq!(count(&stdout, "frames"), 96_000.0);
    assert_eq!(count(&stdout, "process_errors"), 0.0);
    assert_eq!(count(&stdout, "not_finite"), 0.0);
    assert_eq!(count(&stdout, "control_errors"), 0.0);
    assert!(count(&stdout, "blocks") >= 96_000.0 / 333.0);
    assert!(count(&stdout, "loads") >= 3.0, "{stdout}");
    assert!(count(&stdout, "rejected") >= 1.0, "{stdout}");
    assert!(count(&stdout, "params") >= 6.0, "{stdout}");
    let peak = count(&stdout, "peak");
    assert!(peak > 0.1 && peak <= 2.0, "{stdout}");
}

#[test]
fn atome_c_walks_the_mvp_milestones_from_samples() {
    let exe = compile("atome", Link::Static);
    let wav = crate_dir().join("examples/atome-click.wav");
    let output = run(&exe, &[&wav]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    println!("atome.c:\n{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    let numbers: Vec<&str> = lines
        .iter()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(
        numbers,
        ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "ok"],
        "{stdout}"
    );
    assert!(stdout.contains("4 file load and clip playback: ok onset=96000"));
    assert!(stdout.contains("5 recording: ok frames=9600 onset=24000 after "));
    assert!(stdout.contains("7 two timelines: ok onsets=48000,96000"));
}

#[test]
fn probe_c_reads_each_block_s_last_output_sample_through_a_probe() {
    let exe = compile("probe", Link::Static);
    let output = run(&exe, &[]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    println!("probe.c:\n{stdout}");
    assert!(stdout.lines().last() == Some("ok"), "{stdout}");
    // Every block from the one that takes the probe's program on: 200 in all.
    let (matched, waiting) = (count(&stdout, "matched"), count(&stdout, "waiting"));
    assert_eq!(matched + waiting, 200.0, "{stdout}");
    assert!(waiting <= 1.0, "{stdout}");
}
