//! The `patchvm` command, run as a user runs it: files in, files and exit statuses out.

use patchvm_tests::measure::{frequency, peak};
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

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("patchvm-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn render_writes_a_float_wav_of_the_toy_patch() {
    let wav = scratch("toy.wav");
    let output = patchvm(&[
        "render",
        "patches/toy.lisp",
        "-o",
        wav.to_str().unwrap(),
        "--seconds",
        "1",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let mut reader = hound::WavReader::open(&wav).unwrap();
    let spec = reader.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (1, 48_000, 32)
    );
    assert_eq!(spec.sample_format, hound::SampleFormat::Float);
    let samples: Vec<f32> = reader.samples::<f32>().map(Result::unwrap).collect();
    assert_eq!(samples.len(), 48_000);
    let measured = frequency(&samples, 48_000.0).unwrap();
    assert!((measured - 440.0).abs() < 0.01, "{measured} Hz");
    assert!((peak(&samples) - 0.5).abs() < 1e-4);
}

#[test]
fn render_honours_rate_bits_and_channels() {
    let wav = scratch("toy16.wav");
    let output = patchvm(&[
        "render",
        "patches/toy.json",
        "-o",
        wav.to_str().unwrap(),
        "--seconds",
        "0.5",
        "--sample-rate",
        "44100",
        "--bits",
        "16",
        "--channels",
        "2",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let mut reader = hound::WavReader::open(&wav).unwrap();
    let spec = reader.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (2, 44_100, 16)
    );
    let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
    assert_eq!(samples.len(), 2 * 22_050);
    assert!(
        samples.chunks(2).all(|frame| frame[0] == frame[1]),
        "mono copied to both channels"
    );
    let left: Vec<f32> = samples
        .iter()
        .step_by(2)
        .map(|&s| f32::from(s) / 32_767.0)
        .collect();
    let measured = frequency(&left, 44_100.0).unwrap();
    assert!((measured - 440.0).abs() < 0.05, "{measured} Hz");
    assert!((peak(&left) - 0.5).abs() < 1e-3);
}

#[test]
fn stereo_patches_render_two_channels_by_default() {
    let wav = scratch("stereo.wav");
    let output = patchvm(&[
        "render",
        "patches/stereo-noise.lisp",
        "-o",
        wav.to_str().unwrap(),
        "--seconds",
        "0.1",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(hound::WavReader::open(&wav).unwrap().spec().channels, 2);
}

#[test]
fn a_stereo_patch_on_one_channel_plays_the_mean_of_its_two_in_render_and_engine() {
    let samples = |channels: &str| -> Vec<f32> {
        let wav = scratch(&format!("stereo-{channels}.wav"));
        let output = patchvm(&[
            "render",
            "patches/stereo-noise.lisp",
            "-o",
            wav.to_str().unwrap(),
            "--seconds",
            "0.1",
            "--channels",
            channels,
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        let mut reader = hound::WavReader::open(&wav).unwrap();
        reader.samples::<f32>().map(Result::unwrap).collect()
    };
    let (stereo, mono) = (samples("2"), samples("1"));
    let mean: Vec<f32> = stereo
        .chunks_exact(2)
        .map(|frame| (frame[0] + frame[1]) / 2.0)
        .collect();
    assert!(stereo.chunks_exact(2).any(|frame| frame[0] != frame[1]));
    assert_eq!(mono, mean, "render --channels 1");
    let (mut controller, mut audio) = patchvm_tests::live::mono();
    controller
        .load_patch(patchvm_tests::example("stereo-noise.lisp"))
        .unwrap();
    let live = patchvm_tests::live::render(&mut audio, mono.len());
    assert_eq!(live, mean, "the live engine on one channel");
}

#[test]
fn check_says_ok_or_shows_the_problem_with_its_place() {
    let output = patchvm(&["check", "patches/toy.lisp"]);
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout), "ok\n");

    let output = patchvm(&["check", "patches/errors/unknown-module.lisp"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains("unknown module `osc.sin` on node `osc1`"),
        "{text}"
    );
    assert!(
        text.contains("patches/errors/unknown-module.lisp:3:17"),
        "{text}"
    );
    assert!(
        text.contains("(osc1 (type \"osc.sin\") (freq 440))"),
        "the source line: {text}"
    );
    assert!(text.contains("did you mean `osc.sine`?"), "{text}");
}

#[test]
fn usage_errors_exit_with_status_two() {
    for args in [
        &["render", "patches/toy.lisp"][..],
        &["render", "patches/toy.lisp", "-o", "x.wav", "--bits", "8"],
        &[
            "render",
            "patches/toy.lisp",
            "-o",
            "x.wav",
            "--seconds",
            "-1",
        ],
        &["check", "patches/toy.txt"],
        &["convert", "patches/toy.lisp", "-o", "toy.yaml"],
        &["frobnicate"],
    ] {
        let output = patchvm(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn negative_numbers_are_values_out_of_range_not_flags() {
    for (flag, said) in [
        ("--seconds", "--seconds -1 is outside 0..=86400"),
        (
            "--sample-rate",
            "invalid value '-1' for '--sample-rate <HZ>'",
        ),
    ] {
        let output = patchvm(&["render", "patches/toy.lisp", "-o", "x.wav", flag, "-1"]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(stderr(&output).contains(said), "{}", stderr(&output));
    }
}

#[test]
fn a_fifo_or_a_directory_as_the_patch_is_refused_before_it_is_opened() {
    let fifo = scratch("pipe.lisp");
    let _ = std::fs::remove_file(&fifo);
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let folder = scratch("folder.lisp");
    std::fs::create_dir_all(&folder).unwrap();
    // Opening the FIFO for reading would block until a writer came: none ever does.
    for (path, what) in [(&fifo, "a named pipe (FIFO)"), (&folder, "a directory")] {
        let output = patchvm(&["check", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        let expected = format!(
            "cannot read `{}`: it is {what}, not a regular file",
            path.display()
        );
        assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
    }
}

/// A 16-bit mono WAV file of `rate` Hz without samples.
fn empty_wav(rate: u32) -> Vec<u8> {
    let mut bytes = b"RIFF".to_vec();
    bytes.extend_from_slice(&36u32.to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&1u16.to_le_bytes()); // one channel
    bytes.extend_from_slice(&rate.to_le_bytes());
    bytes.extend_from_slice(&(rate * 2).to_le_bytes());
    bytes.extend_from_slice(&2u16.to_le_bytes());
    bytes.extend_from_slice(&16u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes
}

#[test]
fn an_inputs_own_rate_is_blamed_on_the_input() {
    let wav = scratch("input-out.wav");
    let run = |input: &Path, rate: &str| {
        patchvm(&[
            "render",
            "patches/toy.lisp",
            "--input",
            input.to_str().unwrap(),
            "--sample-rate",
            rate,
            "-o",
            wav.to_str().unwrap(),
        ])
    };
    // A rate of 0 Hz: no `--sample-rate` can match it, so none is suggested.
    let zero = scratch("zero-rate.wav");
    std::fs::write(&zero, empty_wav(0)).unwrap();
    let output = run(&zero, "48000");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "cannot play `{}`: its sample rate 0 Hz is outside 1000..=768000 Hz",
            zero.display()
        )),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("--sample-rate 0"));
}

#[test]
fn a_file_of_many_mistakes_shows_the_first_hundred() {
    // 20 000 forms after the patch: each one a problem, the first 100 reported.
    let many = scratch("many.lisp");
    let text = format!(
        "(patch (nodes (out (type \"output\"))) (connections))\n{}",
        "(x)\n".repeat(20_000)
    );
    std::fs::write(&many, text).unwrap();
    let output = patchvm(&["check", many.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert_eq!(
        text.matches("Error: unexpected form after the patch")
            .count(),
        100
    );
    // The first at line 2, the last at line 101.
    assert!(text.contains("many.lisp:2:1 ]"), "{text}");
    assert!(text.contains("many.lisp:101:1 ]"), "{text}");
    assert!(!text.contains("many.lisp:102:1 ]"), "{text}");
    assert!(text.contains("has at least 100 problems"), "{text}");
}

#[test]
fn a_missing_file_is_a_file_error_with_status_one() {
    let output = patchvm(&["check", "patches/nonexistent.lisp"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("cannot read `patches/nonexistent.lisp`"));
}

#[test]
fn convert_round_trips_through_every_format() {
    let json = scratch("sub.json");
    let msgpack = scratch("sub.msgpack");
    let lisp = scratch("sub.lisp");
    for (from, to) in [
        ("patches/subtractive.lisp", &json),
        (json.to_str().unwrap(), &msgpack),
        (msgpack.to_str().unwrap(), &lisp),
    ] {
        let output = patchvm(&["convert", from, "-o", to.to_str().unwrap()]);
        assert!(output.status.success(), "{from}: {}", stderr(&output));
    }
    let disasm = |path: &str| patchvm(&["disasm", path]).stdout;
    assert_eq!(
        disasm("patches/subtractive.lisp"),
        disasm(lisp.to_str().unwrap())
    );
    assert_eq!(
        disasm("patches/subtractive.lisp"),
        disasm(msgpack.to_str().unwrap())
    );
}

#[test]
fn disasm_prints_the_design_documents_text_form() {
    let output = patchvm(&["disasm", "patches/toy.lisp"]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    // Unconnected inputs are parameter slots, each in a register of its own; the header
    // gives the input, its value and the register.
    assert!(text.contains("; p0 osc1.freq = 440 in r3"), "{text}");
    let ops: Vec<&str> = text
        .lines()
        .filter(|line| !line.starts_with(';'))
        .map(|line| line.split(" ;").next().unwrap().trim_end())
        .collect();
    assert_eq!(
        ops,
        [
            "CALL_OP      osc_sine, r3 -> r1",
            "CALL_OP      gain, r1, r4 -> r2",
            "WRITE_OUTPUT r2",
        ]
    );
}

#[test]
fn modules_lists_the_catalog_as_text_and_json() {
    let output = patchvm(&["modules", "--json"]);
    assert!(output.status.success());
    let json = String::from_utf8_lossy(&output.stdout);
    // The catalog, every module of it, exactly as the generated reference holds it.
    for name in patchvm::modules::catalog().names() {
        assert!(
            json.contains(&format!("\"name\": \"{name}\"")),
            "{name} missing"
        );
    }
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/modules.json");
    assert_eq!(json, std::fs::read_to_string(reference).unwrap());
    let output = patchvm(&["modules", "filter.lowpass"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("filter.lowpass — "), "{text}");
    assert!(
        text.contains("cutoff") && text.contains("default 1000 Hz"),
        "{text}"
    );
    let output = patchvm(&["modules", "filter.lowpss"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("did you mean `filter.lowpass`?"));
}

#[test]
fn a_delay_over_the_memory_limit_names_the_node_and_the_flag() {
    // The echo's 0.375 s at 48 kHz is 18 000 + 66 samples, 72 264 bytes: over 50 000 bytes.
    let output = patchvm(&[
        "check",
        "patches/subtractive.lisp",
        "--max-delay-bytes",
        "80000",
    ]);
    assert!(output.status.success());
    let output = patchvm(&[
        "check",
        "patches/subtractive.lisp",
        "--max-delay-bytes",
        "50000",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let output = patchvm(&[
        "render",
        "patches/subtractive.lisp",
        "-o",
        scratch("x.wav").to_str().unwrap(),
        "--max-delay-bytes",
        "50000",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains("the delay line of node `echo` needs more than the limit"),
        "{text}"
    );
    assert!(text.contains("--max-delay-bytes"), "{text}");
    assert!(text.contains("patches/subtractive.lisp:"), "{text}");
}

#[test]
fn render_feeds_an_input_file_through_the_patch() {
    // A 440 Hz sine at peak 0.5, through a 2 kHz low-pass (-0.0004 dB at 440 Hz by the RBJ
    // formula) and a gain of 0.5: a 440 Hz sine at peak 0.25, as long as the input.
    let sine = scratch("sine.wav");
    let through = scratch("through.wav");
    let output = patchvm(&[
        "render",
        "patches/toy.lisp",
        "-o",
        sine.to_str().unwrap(),
        "--seconds",
        "0.5",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = patchvm(&[
        "render",
        "patches/through.lisp",
        "--input",
        sine.to_str().unwrap(),
        "-o",
        through.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let samples: Vec<f32> = hound::WavReader::open(&through)
        .unwrap()
        .samples::<f32>()
        .map(Result::unwrap)
        .collect();
    assert_eq!(samples.len(), 24_000);
    let settled = &samples[4_800..];
    let measured = frequency(settled, 48_000.0).unwrap();
    assert!((measured - 440.0).abs() < 0.01, "{measured} Hz");
    assert!(
        (peak(settled) - 0.25).abs() < 1e-3,
        "peak {}",
        peak(settled)
    );

    let output = patchvm(&[
        "render",
        "patches/through.lisp",
        "--input",
        sine.to_str().unwrap(),
        "-o",
        through.to_str().unwrap(),
        "--sample-rate",
        "44100",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("pass `--sample-rate 48000`"));
}

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    // `patchvm modules | head -1`: the pipe closes after the first line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_patchvm"))
        .args(["modules"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"));
}

/// Every word of a line that is a number, in order, with a `(` before it or a `%`, `x`,
/// `,`, `:` or `)` after it taken off (so `p50` is not one).
fn numbers(line: &str) -> Vec<f64> {
    line.split_whitespace()
        .filter_map(|word| {
            word.trim_start_matches('(')
                .trim_end_matches(['%', 'x', ',', ':', ')'])
                .parse()
                .ok()
        })
        .collect()
}

#[test]
fn render_stats_add_up() {
    let wav = scratch("stats.wav");
    let seconds = 2.0;
    let output = patchvm(&[
        "render",
        "patches/subtractive.lisp",
        "-o",
        wav.to_str().unwrap(),
        "--seconds",
        "2",
        "--stats",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stderr(&output);
    let line = |starts: &str| {
        let found = text.lines().find(|line| line.starts_with(starts));
        numbers(found.unwrap_or_else(|| panic!("no `{starts}` line in {text}")))
    };
    // The real-time factor is the audio's length over the wall time, up to the rounding of
    // the three printed figures.
    let [audio, wall, factor] = line("stats: ")[..] else {
        panic!("{text}");
    };
    assert_eq!(audio, seconds);
    let exact = audio / wall;
    let rounding = 0.05 + exact * (0.5e-6 / wall + 0.5e-3 / audio);
    assert!(
        (factor - exact).abs() <= rounding,
        "{factor}x for {audio} s in {wall} s"
    );
    // The load: percentiles in order, within the maximum; the mean is computing time over
    // audio time, one block per 64 frames.
    let [block, mean, p50, p99, max, blocks, busy, computing] = line("stats: DSP load")[..] else {
        panic!("{text}");
    };
    assert_eq!(block, 64.0);
    assert_eq!(blocks, seconds * 48_000.0 / 64.0);
    assert!(0.0 < p50 && p50 <= p99 && p99 <= max, "{p50} {p99} {max}");
    assert!(mean <= max + 0.005);
    assert!(busy <= wall, "{busy} s computing in {wall} s");
    assert!(
        (mean - 100.0 * busy / audio).abs() <= 0.005 + 1e-4,
        "{mean}% for {busy} s"
    );
    let exact = audio / busy;
    assert!((computing - exact).abs() <= 0.05 + exact * 0.5e-6 / busy);
    // The counts are the compiled program's.
    let patch = patchvm_tests::example("subtractive.lisp");
    let compiled = patchvm::compiler::compile(
        &patch,
        patchvm::modules::catalog(),
        &patchvm::ir::Limits::default(),
    )
    .unwrap();
    let program = &compiled.program;
    let sizes = numbers(
        text.lines()
            .find(|line| line.contains(" nodes: "))
            .unwrap_or_else(|| panic!("{text}")),
    );
    assert_eq!(
        sizes,
        [
            patch.nodes.len() as f64,
            program.kernels.len() as f64,
            program.instrs.len() as f64,
            f64::from(program.registers),
            program.params.len() as f64,
        ]
    );
    let [read, compile] = line("stats: read")[..] else {
        panic!("{text}");
    };
    // Both were measured; how long they took depends on the machine, so no bound.
    assert!(read > 0.0 && compile > 0.0, "{read} ms, {compile} ms");
}

#[test]
fn render_play_and_the_engine_refuse_the_same_sample_rates() {
    let wav = scratch("rate.wav");
    for rate in [999.0, 768_001.0] {
        let problem = patchvm::sample_rate_problem(rate).unwrap();
        let flag = format!("{rate}");
        for command in ["render", "play"] {
            let mut args = vec![command, "patches/toy.lisp", "--sample-rate", &flag];
            match command {
                "render" => args.extend(["-o", wav.to_str().unwrap()]),
                _ => args.extend(["--to", wav.to_str().unwrap()]),
            }
            let output = patchvm(&args);
            assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
            assert!(stderr(&output).contains(&problem), "{}", stderr(&output));
        }
        let settings = patchvm::Settings {
            sample_rate: rate,
            ..patchvm::Settings::default()
        };
        let patch = patchvm_tests::example("toy.lisp");
        let refused = patchvm::Instance::new(&patch, &settings, &Default::default()).unwrap_err();
        assert_eq!(refused[0].message, problem);
    }
    assert_eq!(patchvm::sample_rate_problem(1_000.0), None);
    assert_eq!(patchvm::sample_rate_problem(768_000.0), None);
}

#[test]
fn render_stats_count_a_voice_templates_expanded_nodes() {
    let wav = scratch("stats-voices.wav");
    let output = patchvm(&[
        "render",
        "patches/poly-synth.lisp",
        "--voices",
        "8",
        "-o",
        wav.to_str().unwrap(),
        "--seconds",
        "0.1",
        "--stats",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stderr(&output);
    let nodes = numbers(
        text.lines()
            .find(|line| line.contains(" nodes: "))
            .unwrap_or_else(|| panic!("{text}")),
    )[0];
    // Two written nodes, eight copies of the template's seven, and a bus for its one input
    // and its one output (the file alone has two).
    let patch = patchvm_tests::example("poly-synth.lisp");
    let template = patch.voices.first().unwrap();
    let expanded = patch.nodes.len()
        + 8 * template.nodes.len()
        + template.inputs.len()
        + template.outputs.len();
    assert_eq!((nodes, expanded), (60.0, 60));
}

#[test]
fn render_plays_a_midi_file_for_its_length_plus_a_release_tail() {
    let wav = scratch("poly.wav");
    let output = patchvm(&[
        "render",
        "patches/poly-synth.lisp",
        "--midi",
        "patches/poly-synth.mid",
        "--voices",
        "8",
        "-o",
        wav.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let samples: Vec<f32> = hound::WavReader::open(&wav)
        .unwrap()
        .samples::<f32>()
        .map(Result::unwrap)
        .collect();
    // The song ends at 2.8 s (134 400 samples); two seconds of tail follow.
    assert_eq!(samples.len(), 134_400 + 96_000);
    assert!(samples[..24_000].iter().all(|&x| x == 0.0), "a beat's rest");
    // A4 on the fourth beat, measured between its onset's release tail and its end.
    let a4 = frequency(&samples[72_000 + 12_480..96_000], 48_000.0);
    assert!(peak(&samples) > 0.05, "{a4:?}");
    let short = patchvm(&[
        "render",
        "patches/drum-kit.lisp",
        "--midi",
        "patches/drum-kit.mid",
        "--seconds",
        "0.5",
        "-o",
        wav.to_str().unwrap(),
    ]);
    assert!(short.status.success(), "{}", stderr(&short));
    assert_eq!(hound::WavReader::open(&wav).unwrap().duration(), 24_000);
}

#[test]
fn a_broken_midi_file_or_voice_count_is_a_clean_error() {
    let bad = scratch("bad.mid");
    std::fs::write(&bad, b"MThd\0\0\0\x06\0\x02").unwrap();
    let wav = scratch("bad.wav");
    let args = |midi: &str, voices: &str| {
        patchvm(&[
            "render",
            "patches/poly-synth.lisp",
            "--midi",
            midi,
            "--voices",
            voices,
            "-o",
            wav.to_str().unwrap(),
        ])
    };
    let output = args(bad.to_str().unwrap(), "4");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("MIDI"), "{}", stderr(&output));
    let output = args("patches/poly-synth.mid", "0");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn a_corrupt_midi_file_is_an_error_and_one_without_notes_a_warning() {
    use patchvm_tests::smf::{Track, file as smf};
    let wav = scratch("midi-out.wav");
    let render = |midi: &Path| {
        patchvm(&[
            "render",
            "patches/poly-synth.lisp",
            "--midi",
            midi.to_str().unwrap(),
            "--seconds",
            "0.1",
            "-o",
            wav.to_str().unwrap(),
        ])
    };
    // A note on cut short inside its track chunk.
    let mut cut = smf(0, 96, &[Track::new().note(0, 60, 100, 96).end(0)]);
    cut.truncate(cut.len() - 5);
    let corrupt = scratch("cut.mid");
    std::fs::write(&corrupt, &cut).unwrap();
    let output = render(&corrupt);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let said = format!("cannot play `{}`: not a valid MIDI file", corrupt.display());
    assert!(stderr(&output).contains(&said), "{}", stderr(&output));

    let silent = scratch("silent.mid");
    std::fs::write(
        &silent,
        smf(0, 96, &[Track::new().tempo(0, 500_000).end(96)]),
    )
    .unwrap();
    let output = render(&silent);
    assert!(output.status.success(), "{}", stderr(&output));
    let warning = format!(
        "warning: `{}` holds no notes, so it plays none",
        silent.display()
    );
    assert!(stderr(&output).contains(&warning), "{}", stderr(&output));
}

#[test]
fn voice_templates_and_midi_sections_convert_without_loss() {
    for example in ["patches/poly-synth.lisp", "patches/drum-kit.lisp"] {
        let json = scratch("voices.json");
        let msgpack = scratch("voices.msgpack");
        let back = scratch("voices.lisp");
        for (from, to) in [
            (example, json.to_str().unwrap()),
            (json.to_str().unwrap(), msgpack.to_str().unwrap()),
            (msgpack.to_str().unwrap(), back.to_str().unwrap()),
        ] {
            let output = patchvm(&["convert", from, "-o", to]);
            assert!(output.status.success(), "{}", stderr(&output));
        }
        let disasm = |path: &str| patchvm(&["disasm", path, "--voices", "3"]).stdout;
        assert_eq!(disasm(example), disasm(back.to_str().unwrap()));
        let text = std::fs::read_to_string(&back).unwrap();
        assert!(text.contains("(midi"), "{text}");
    }
}

/// A 16-bit WAV's samples as the decoder gives them, `i / 32768`.
fn pcm16(path: &str) -> Vec<f32> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut reader = hound::WavReader::open(root.join(path)).unwrap();
    reader
        .samples::<i16>()
        .map(|sample| f32::from(sample.unwrap()) / 32768.0)
        .collect()
}

#[test]
fn render_reads_a_patchs_samples_beside_it_and_plays_each_word_on_its_onset() {
    // Run from the repository root: the bank's folder is relative to the patch file.
    let wav = scratch("beat-samples.wav");
    let output = patchvm(&[
        "render",
        "patches/beat-samples.lisp",
        "-o",
        wav.to_str().unwrap(),
        "--seconds",
        "1",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let rendered: Vec<f32> = hound::WavReader::open(&wav)
        .unwrap()
        .samples::<f32>()
        .map(Result::unwrap)
        .collect();
    let (kick, hat) = (
        pcm16("patches/samples/kick.wav"),
        pcm16("patches/samples/hat.wav"),
    );
    // 96 BPM, a bar a cycle: `kick hat snare hat` puts the kick at sample 0 and the hat at
    // 30 000 (a beat, 0.625 s), each through the mix's 0.7, past its 1 ms (48-sample) declick.
    assert!(
        kick.len() < 30_000,
        "the kick has ended when the hat starts"
    );
    for (onset, file) in [(0, &kick), (30_000, &hat)] {
        for k in 48..1_000 {
            let expected = 0.7 * file[k];
            let got = rendered[onset + k];
            assert!(
                (got - expected).abs() < 1e-6,
                "sample {} is {got}, the file's {k} times 0.7 is {expected}",
                onset + k
            );
        }
    }
}
