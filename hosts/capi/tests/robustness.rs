//! The C functions called directly, with everything a C caller can get wrong: NULL pointers,
//! invalid UTF-8, wrong lengths, calls out of order, huge frame counts, invalid patches and
//! parameters. Each gives a status code and a message, never undefined behaviour.

use patchvm_capi::*;
use patchvm_tests::measure::{channel, frequency, peak};
use std::ffi::{CStr, c_char};
use std::ptr::{null, null_mut};

const RATE: f64 = 48_000.0;

fn toy(freq: u32) -> String {
    format!(
        r#"(patch
  (nodes
    (osc1 (type "osc.sine") (freq {freq}))
    (gain1 (type "gain") (amp 0.5))
    (out (type "output")))
  (connections
    (osc1 "out" -> gain1 "in")
    (gain1 "out" -> out "in")))"#
    )
}

/// An engine for one test, freed when dropped.
struct Engine(*mut PvmEngine);

impl Engine {
    fn new(channels_in: u32, channels_out: u32) -> Engine {
        let engine = pvm_engine_new(RATE, channels_in, channels_out);
        assert!(!engine.is_null(), "{}", text(pvm_engine_new_error()));
        Engine(engine)
    }

    fn load(&self, patch: &str) -> i32 {
        // SAFETY: a live engine and a buffer of `len` bytes.
        unsafe { pvm_engine_load(self.0, patch.as_ptr().cast(), patch.len()) }
    }

    fn last_error(&self) -> String {
        // SAFETY: a live engine.
        text(unsafe { pvm_engine_last_error(self.0) })
    }

    /// Renders `frames` frames of `channels` channels, starting from a buffer of ones so
    /// that anything left unwritten shows.
    fn render(&self, channels: usize, frames: usize) -> Vec<f32> {
        let mut out = vec![1.0_f32; channels * frames];
        // SAFETY: a live engine; `out` holds `frames * channels_out` floats.
        let status = unsafe { pvm_engine_process(self.0, null(), out.as_mut_ptr(), frames as u32) };
        assert_eq!(status, PVM_OK);
        out
    }

    fn set_param(&self, node: &CStr, param: &CStr, value: f32) -> i32 {
        // SAFETY: a live engine and NUL-terminated names.
        unsafe { pvm_engine_set_param(self.0, node.as_ptr(), param.as_ptr(), value) }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: made by `pvm_engine_new`, freed once.
        unsafe { pvm_engine_free(self.0) };
    }
}

fn text(ptr: *const c_char) -> String {
    assert!(!ptr.is_null());
    // SAFETY: the library returns NUL-terminated strings, valid until the next call.
    unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .expect("messages are UTF-8")
        .to_owned()
}

/// Frequency and peak of the first channel of the last half of `samples`.
fn measured(samples: &[f32], channels: usize) -> (f64, f32) {
    let mono = channel(samples, channels, 0);
    let tail = &mono[mono.len() / 2..];
    (frequency(tail, RATE).unwrap_or(0.0), peak(tail))
}

#[test]
fn a_null_engine_gives_a_code_never_a_crash() {
    let name = c"osc1";
    let mut out = [0.0_f32; 8];
    // SAFETY: NULL engines are allowed by every function.
    unsafe {
        assert_eq!(
            pvm_engine_load(null_mut(), c"(patch)".as_ptr(), 7),
            PVM_ERR_NULL
        );
        assert_eq!(
            pvm_engine_load_file(null_mut(), c"x.lisp".as_ptr()),
            PVM_ERR_NULL
        );
        assert_eq!(
            pvm_engine_process(null_mut(), null(), out.as_mut_ptr(), 4),
            PVM_ERR_NULL
        );
        assert_eq!(
            pvm_engine_set_param(null_mut(), name.as_ptr(), name.as_ptr(), 1.0),
            PVM_ERR_NULL
        );
        assert_eq!(pvm_engine_note_on(null_mut(), 60, 1.0), PVM_ERR_NULL);
        assert_eq!(pvm_engine_note_off(null_mut(), 60), PVM_ERR_NULL);
        assert_eq!(
            pvm_engine_bind_notes(null_mut(), null(), null(), null(), null()),
            PVM_ERR_NULL
        );
        assert_eq!(text(pvm_engine_last_error(null())), "the engine is NULL");
        assert!(pvm_engine_metrics_json(null_mut()).is_null());
        pvm_engine_free(null_mut());
    }
    assert_eq!(
        text(pvm_status_message(PVM_ERR_NULL)),
        "a required pointer is NULL"
    );
    assert_eq!(text(pvm_status_message(42)), "unknown status code");
    assert_eq!(text(pvm_version()), env!("CARGO_PKG_VERSION"));
}

#[test]
fn new_refuses_arguments_out_of_range_and_says_why() {
    for (rate, channels_in, channels_out, why) in [
        (0.0, 0, 2, "sample_rate"),
        (f64::NAN, 0, 2, "sample_rate"),
        (f64::INFINITY, 0, 2, "sample_rate"),
        (1e9, 0, 2, "sample_rate"),
        (999.0, 0, 2, "sample_rate"),
        (768_000.5, 0, 2, "sample_rate"),
        (RATE, 0, 0, "channels_out"),
        (RATE, 0, 65, "channels_out"),
        (RATE, 0, u32::MAX, "channels_out"),
        (RATE, 65, 2, "channels_in"),
    ] {
        assert!(pvm_engine_new(rate, channels_in, channels_out).is_null());
        let message = text(pvm_engine_new_error());
        assert!(message.contains(why), "{message}");
    }
    let engine = Engine::new(0, 2);
    assert!(!engine.0.is_null());
    assert_eq!(text(pvm_engine_new_error()), "");
    // The engine's own range, ends included.
    for rate in [PVM_MIN_SAMPLE_RATE, PVM_MAX_SAMPLE_RATE] {
        assert_eq!(patchvm_engine::sample_rate_problem(rate), None);
        let engine = pvm_engine_new(rate, 0, 2);
        assert!(!engine.is_null());
        // SAFETY: made just above, freed once.
        unsafe { pvm_engine_free(engine) };
    }
}

#[test]
fn load_checks_its_text_before_reading_it() {
    let engine = Engine::new(0, 1);
    // SAFETY: a live engine; every pointer is NULL or valid for `len` bytes, except the one
    // whose `len` is over the limit, which must be refused before it is read.
    unsafe {
        assert_eq!(pvm_engine_load(engine.0, null(), 10), PVM_ERR_NULL);
        assert!(engine.last_error().contains("`text` is NULL"));

        let invalid = b"(patch \xff\xfe)";
        assert_eq!(
            pvm_engine_load(engine.0, invalid.as_ptr().cast(), invalid.len()),
            PVM_ERR_UTF8
        );
        assert!(
            engine.last_error().contains("not UTF-8"),
            "{}",
            engine.last_error()
        );

        let short = b"(patch)";
        for len in [PVM_MAX_SOURCE_BYTES + 1, usize::MAX] {
            assert_eq!(
                pvm_engine_load(engine.0, short.as_ptr().cast(), len),
                PVM_ERR_TOO_LARGE
            );
            assert!(engine.last_error().contains("the limit is 16777216"));
        }
    }
    // A success clears the message.
    assert_eq!(engine.load(&toy(440)), PVM_OK);
    assert_eq!(engine.last_error(), "");
}

#[test]
fn an_invalid_patch_is_reported_with_its_line_and_a_hint() {
    let engine = Engine::new(0, 1);
    let patch = toy(440).replace("osc.sine", "osc.sin");
    assert_eq!(engine.load(&patch), PVM_ERR_INVALID_PATCH);
    let message = engine.last_error();
    assert!(
        message.contains("[E0101] Error: unknown module `osc.sin`"),
        "{message}"
    );
    assert!(message.contains("<text>:3:17"), "{message}");
    assert!(message.contains("did you mean `osc.sine`?"), "{message}");
    assert!(message.ends_with("has 1 problem(s)"), "{message}");
    // Plain style: no colour codes.
    assert!(!message.contains('\x1b'));
}

#[test]
fn json_is_loaded_too() {
    let engine = Engine::new(0, 1);
    let json = r#"  {"nodes": {"osc1": {"type": "osc.sine", "params": {"freq": 330}},
                              "out": {"type": "output"}},
                   "connections": [{"from": ["osc1", "out"], "to": ["out", "in"]}]}"#;
    assert_eq!(engine.load(json), PVM_OK, "{}", engine.last_error());
    let (freq, level) = measured(&engine.render(1, 24_000), 1);
    assert!((freq - 330.0).abs() < 0.5, "{freq}");
    assert!((level - 1.0).abs() < 1e-3, "{level}");
}

#[test]
fn process_writes_silence_before_any_patch_and_checks_its_buffers() {
    let engine = Engine::new(2, 2);
    assert!(engine.render(2, 1_000).iter().all(|&x| x == 0.0));
    // A failed load is not a load: still silence.
    assert_eq!(
        engine.load("(patch (nodes (x (type \"nope\"))))"),
        PVM_ERR_INVALID_PATCH
    );
    assert!(engine.render(2, 100).iter().all(|&x| x == 0.0));
    let input = [0.5_f32; 2 * 16];
    // SAFETY: a live engine; buffers are NULL or as large as `frames` says.
    unsafe {
        assert_eq!(
            pvm_engine_process(engine.0, input.as_ptr(), null_mut(), 16),
            PVM_ERR_NULL
        );
        assert_eq!(pvm_engine_process(engine.0, null(), null_mut(), 0), PVM_OK);
    }
}

#[test]
fn huge_frame_counts_are_rendered_in_pieces() {
    let frames = (1 << 22) + 333;
    let engine = Engine::new(0, 2);
    assert!(engine.render(2, frames).iter().all(|&x| x == 0.0));
    assert_eq!(engine.load(&toy(440)), PVM_OK);
    let out = engine.render(2, frames);
    let (freq, level) = measured(&out[out.len() - 2 * 96_000..], 2);
    assert!((freq - 440.0).abs() < 0.1, "{freq}");
    assert!((level - 0.5).abs() < 1e-3, "{level}");
    assert_eq!(channel(&out, 2, 0), channel(&out, 2, 1));
    // SAFETY: a live engine.
    let metrics = text(unsafe { pvm_engine_metrics_json(engine.0) });
    let frames_rendered = 2 * frames as u64;
    assert!(
        metrics.contains(&format!("\"frames\":{frames_rendered}")),
        "{metrics}"
    );
}

#[test]
fn a_mono_patch_reaches_every_output_channel() {
    for channels in [1, 2, 3, 8, 64] {
        let engine = Engine::new(0, channels as u32);
        assert_eq!(engine.load(&toy(440)), PVM_OK);
        let out = engine.render(channels, 5_000);
        let first = channel(&out, channels, 0);
        assert!((peak(&first) - 0.5).abs() < 1e-3);
        for c in 1..channels {
            assert_eq!(
                channel(&out, channels, c),
                first,
                "channel {c} of {channels}"
            );
        }
    }
}

#[test]
fn a_stereo_patch_keeps_left_on_the_first_channel_and_right_after() {
    let stereo = r#"(patch
  (nodes (a (type "osc.sine") (freq 440)) (b (type "osc.sine") (freq 660))
         (out (type "output")))
  (connections (a "out" -> out "left") (b "out" -> out "right")))"#;
    let engine = Engine::new(0, 4);
    assert_eq!(engine.load(stereo), PVM_OK, "{}", engine.last_error());
    let out = engine.render(4, 48_000);
    let left = frequency(&channel(&out, 4, 0), RATE).unwrap();
    assert!((left - 440.0).abs() < 0.5, "{left}");
    let right = channel(&out, 4, 1);
    assert!((frequency(&right, RATE).unwrap() - 660.0).abs() < 0.5);
    assert_eq!(channel(&out, 4, 2), right);
    assert_eq!(channel(&out, 4, 3), right);
    // On one channel: (left + right) / 2, as the render and the live engine play it.
    let mono = Engine::new(0, 1);
    assert_eq!(mono.load(stereo), PVM_OK, "{}", mono.last_error());
    let mean: Vec<f32> = out.chunks_exact(4).map(|f| (f[0] + f[1]) / 2.0).collect();
    assert_eq!(mono.render(1, 48_000), mean);
}

#[test]
fn a_failed_load_leaves_the_playing_patch_alone() {
    let engine = Engine::new(0, 2);
    assert_eq!(engine.load(&toy(440)), PVM_OK);
    let (before, level) = measured(&engine.render(2, 24_000), 2);
    assert!((before - 440.0).abs() < 0.5 && (level - 0.5).abs() < 1e-3);

    let broken = toy(440).replace(
        "(gain1 \"out\" -> out \"in\")",
        "(gain1 \"out\" -> out \"inn\")",
    );
    assert_eq!(engine.load(&broken), PVM_ERR_INVALID_PATCH);
    assert!(
        engine.last_error().contains("inn"),
        "{}",
        engine.last_error()
    );
    let (after, level) = measured(&engine.render(2, 24_000), 2);
    assert!((after - 440.0).abs() < 0.5, "{after}");
    assert!((level - 0.5).abs() < 1e-3);

    // And a good one after it plays.
    assert_eq!(engine.load(&toy(660)), PVM_OK);
    let (next, _) = measured(&engine.render(2, 24_000), 2);
    assert!((next - 660.0).abs() < 0.5, "{next}");
}

#[test]
fn load_file_reads_the_file_and_reports_what_it_cannot() {
    let engine = Engine::new(0, 1);
    let toy = concat!(env!("CARGO_MANIFEST_DIR"), "/../../patches/toy.lisp\0");
    let missing = c"/nonexistent/patch.lisp";
    let unknown = c"patch.txt";
    // SAFETY: a live engine and NUL-terminated paths.
    unsafe {
        assert_eq!(pvm_engine_load_file(engine.0, toy.as_ptr().cast()), PVM_OK);
        assert_eq!(pvm_engine_load_file(engine.0, missing.as_ptr()), PVM_ERR_IO);
        assert!(engine.last_error().contains("cannot read"));
        assert_eq!(pvm_engine_load_file(engine.0, unknown.as_ptr()), PVM_ERR_IO);
        assert!(engine.last_error().contains("extension"));
        assert_eq!(pvm_engine_load_file(engine.0, null()), PVM_ERR_NULL);
        let error = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../patches/errors/unknown-module.lisp\0"
        );
        assert_eq!(
            pvm_engine_load_file(engine.0, error.as_ptr().cast()),
            PVM_ERR_INVALID_PATCH
        );
        assert!(
            engine.last_error().contains("unknown-module.lisp:3:17"),
            "{}",
            engine.last_error()
        );
    }
    let (freq, level) = measured(&engine.render(1, 24_000), 1);
    assert!((freq - 440.0).abs() < 0.5 && (level - 0.5).abs() < 1e-3);
}

#[test]
fn set_param_changes_the_sound_or_says_why_not() {
    let engine = Engine::new(0, 1);
    assert_eq!(engine.set_param(c"osc1", c"freq", 880.0), PVM_ERR_NO_PATCH);
    assert_eq!(engine.last_error(), "no patch is loaded");
    assert_eq!(engine.load(&toy(440)), PVM_OK);

    assert_eq!(engine.set_param(c"osc9", c"freq", 880.0), PVM_ERR_PARAM);
    assert!(
        engine.last_error().contains("node `osc9`: no such node"),
        "{}",
        engine.last_error()
    );
    assert_eq!(engine.set_param(c"osc1", c"frq", 880.0), PVM_ERR_PARAM);
    assert!(
        engine.last_error().contains("expected one of `freq`"),
        "{}",
        engine.last_error()
    );
    assert_eq!(engine.set_param(c"osc1", c"freq", f32::NAN), PVM_ERR_RANGE);
    assert_eq!(
        engine.last_error(),
        "cannot set `freq` of node `osc1` to NaN: not a finite number; expected 0..=20000 Hz"
    );
    assert_eq!(
        engine.set_param(c"osc1", c"freq", f32::INFINITY),
        PVM_ERR_RANGE
    );
    // The engine's rule, the catalog's range (osc.sine's freq: 0..=20000 Hz), as OSC and
    // the Rust API get it; the sound is unchanged (measured below, at 880 Hz).
    assert_eq!(engine.set_param(c"osc1", c"freq", 20_000.5), PVM_ERR_RANGE);
    assert_eq!(
        engine.last_error(),
        "cannot set `freq` of node `osc1` to 20000.5 Hz: outside its range 0..=20000 Hz"
    );
    assert_eq!(engine.set_param(c"gain1", c"amp", 1_000.5), PVM_ERR_RANGE);
    assert_eq!(
        engine.last_error(),
        "cannot set `amp` of node `gain1` to 1000.5: outside its range -1000..=1000"
    );
    // SAFETY: a live engine; names NULL or NUL-terminated (one not UTF-8).
    unsafe {
        assert_eq!(
            pvm_engine_set_param(engine.0, null(), c"freq".as_ptr(), 1.0),
            PVM_ERR_NULL
        );
        assert!(engine.last_error().contains("`node` is NULL"));
        let bad = b"osc\xff\0";
        assert_eq!(
            pvm_engine_set_param(engine.0, bad.as_ptr().cast(), c"freq".as_ptr(), 1.0),
            PVM_ERR_UTF8
        );
    }

    assert_eq!(engine.set_param(c"osc1", c"freq", 880.0), PVM_OK);
    assert_eq!(engine.last_error(), "");
    let (freq, _) = measured(&engine.render(1, 24_000), 1);
    assert!((freq - 880.0).abs() < 0.5, "{freq}");
}

#[test]
fn notes_drive_the_bound_inputs() {
    let engine = Engine::new(0, 1);
    assert_eq!(engine.load(&toy(440)), PVM_OK);
    // SAFETY: a live engine and NUL-terminated names.
    unsafe {
        // Unbound: notes drive nothing.
        assert_eq!(pvm_engine_note_on(engine.0, 81, 1.0), PVM_OK);
        assert_eq!(
            pvm_engine_bind_notes(engine.0, c"osc1".as_ptr(), null(), null(), null()),
            PVM_ERR_NULL
        );
        assert_eq!(
            pvm_engine_bind_notes(
                engine.0,
                c"osc1".as_ptr(),
                c"freq".as_ptr(),
                c"gain1".as_ptr(),
                c"amp".as_ptr()
            ),
            PVM_OK
        );
        assert_eq!(pvm_engine_note_on(engine.0, 128, 1.0), PVM_ERR_RANGE);
        assert_eq!(pvm_engine_note_on(engine.0, -1, 1.0), PVM_ERR_RANGE);
        assert_eq!(pvm_engine_note_on(engine.0, 60, 1.5), PVM_ERR_RANGE);
        assert_eq!(pvm_engine_note_on(engine.0, 60, f32::NAN), PVM_ERR_RANGE);
        assert!(engine.last_error().contains("velocity"));
        assert_eq!(pvm_engine_note_off(engine.0, 300), PVM_ERR_RANGE);

        assert_eq!(pvm_engine_note_on(engine.0, 81, 0.5), PVM_OK);
    }
    let (freq, level) = measured(&engine.render(1, 24_000), 1);
    assert!((freq - 880.0).abs() < 0.5, "{freq}");
    assert!((level - 64.0 / 127.0).abs() < 1e-3, "{level}");
    // SAFETY: a live engine.
    assert_eq!(unsafe { pvm_engine_note_off(engine.0, 81) }, PVM_OK);
    let (_, level) = measured(&engine.render(1, 24_000), 1);
    assert_eq!(level, 0.0);
}

#[test]
fn metrics_are_json_owned_by_the_engine() {
    let engine = Engine::new(0, 2);
    assert_eq!(engine.load(&toy(440)), PVM_OK);
    engine.render(2, 1_000);
    // SAFETY: a live engine.
    let metrics = text(unsafe { pvm_engine_metrics_json(engine.0) });
    assert!(
        metrics.starts_with('{') && metrics.ends_with('}'),
        "{metrics}"
    );
    assert!(metrics.contains("\"frames\":1000"), "{metrics}");
    assert!(metrics.contains("\"swaps\":1"), "{metrics}");
    assert!(metrics.contains("\"calls\":1"), "{metrics}");
}

/// The audio side flushes subnormals to zero while it works and gives the caller's thread
/// its floating-point mode back, whatever that was.
#[test]
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn process_gives_the_caller_s_floating_point_mode_back() {
    use patchvm_engine::vm::FlushDenormals;
    let engine = Engine::new(0, 1);
    assert_eq!(engine.load(&toy(440)), PVM_OK);
    let tiny = || std::hint::black_box(1e-10_f32) * std::hint::black_box(1e-30_f32);
    assert!(tiny().is_subnormal());
    engine.render(1, 256);
    assert!(!FlushDenormals::active());
    assert!(tiny().is_subnormal(), "the caller's mode is back");
    // A caller that flushes already keeps flushing.
    let _own = FlushDenormals::new();
    engine.render(1, 256);
    assert!(FlushDenormals::active());
}
