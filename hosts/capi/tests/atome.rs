//! The Atome calls from outside, measured from processed samples: a clip at beat 4 at
//! 120 BPM starts on exactly sample 96 000 of its timeline at 48 kHz, tempo segments that
//! step or ramp move it where their closed forms say, clip edits, routing input to output,
//! a parameter and a MIDI note landing on their exact samples, the state JSON, and every
//! hostile argument refused with a code and a message naming it, changing nothing.

use patchvm_capi::*;
use std::ffi::{CStr, CString, c_char};
use std::ptr::{null, null_mut};

const RATE: f64 = 48_000.0;

/// The fixture: 4 800 frames, mono, 16-bit; frame `i` is `((i % 64) + 1) / 128`.
fn fixture() -> CString {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/atome-click.wav");
    CString::new(path).unwrap()
}

fn fixture_value(frame: usize) -> f64 {
    ((frame % 64) + 1) as f64 / 128.0
}

/// Equal-power pan at the centre: each side's gain.
fn centre() -> f64 {
    std::f64::consts::FRAC_PI_4.cos()
}

/// An engine for one test, freed when dropped.
struct Engine {
    raw: *mut PvmEngine,
    channels_in: usize,
}

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: made by `pvm_engine_new`, freed once.
        assert_eq!(unsafe { pvm_engine_free(self.raw) }, PVM_OK);
    }
}

fn c(text: &str) -> CString {
    CString::new(text).unwrap()
}

impl Engine {
    fn new(channels_in: u32) -> Engine {
        let raw = pvm_engine_new(RATE, channels_in, 2);
        assert!(!raw.is_null());
        Engine {
            raw,
            channels_in: channels_in as usize,
        }
    }

    fn error(&self) -> String {
        // SAFETY: a live engine; the message is copied before the next call.
        unsafe { CStr::from_ptr(pvm_engine_last_error(self.raw)) }
            .to_str()
            .unwrap()
            .to_owned()
    }

    /// `code`, with the message in the panic if it is not `expected`.
    fn check(&self, code: i32, expected: i32) {
        assert_eq!(code, expected, "{}", self.error());
    }

    fn routing(&self, json: &str) -> i32 {
        // SAFETY: a live engine and a NUL-terminated text.
        unsafe { pvm_routing_set(self.raw, c(json).as_ptr()) }
    }

    fn update(&self, json: &str) -> i32 {
        // SAFETY: as above.
        unsafe { pvm_routing_update(self.raw, c(json).as_ptr()) }
    }

    fn load_fixture(&self, id: &str) -> i32 {
        // SAFETY: as above.
        unsafe { pvm_audio_file_load(self.raw, c(id).as_ptr(), fixture().as_ptr()) }
    }

    fn clip_add(&self, timeline: &str, json: &str) -> i32 {
        // SAFETY: as above.
        unsafe { pvm_clip_add(self.raw, c(timeline).as_ptr(), c(json).as_ptr()) }
    }

    fn clip_update(&self, id: &str, json: &str) -> i32 {
        // SAFETY: as above.
        unsafe { pvm_clip_update(self.raw, c(id).as_ptr(), c(json).as_ptr()) }
    }

    fn play(&self, timeline: &str, beat: f64) -> i32 {
        // SAFETY: as above.
        unsafe { pvm_timeline_play(self.raw, c(timeline).as_ptr(), beat) }
    }

    fn segments(&self, json: &str) -> i32 {
        // SAFETY: as above.
        unsafe { pvm_engine_set_tempo_segments(self.raw, c(json).as_ptr()) }
    }

    fn state(&self) -> serde_json::Value {
        // SAFETY: a live engine; the text is copied before the next call.
        let text = unsafe { pvm_engine_state_json(self.raw) };
        assert!(!text.is_null(), "{}", self.error());
        // SAFETY: non-NULL, NUL-terminated, owned by the engine until the next call.
        let text = unsafe { CStr::from_ptr(text) }.to_str().unwrap();
        serde_json::from_str(text).unwrap()
    }

    /// Renders `frames` frames in calls of `chunk`, every input channel at `input`; returns
    /// the left channel.
    fn render(&self, frames: usize, chunk: usize, input: f32) -> Vec<f32> {
        let mut left = Vec::with_capacity(frames);
        let mut out = vec![0.0_f32; 2 * chunk];
        let inputs = vec![input; chunk * self.channels_in.max(1)];
        let mut done = 0;
        while done < frames {
            let n = chunk.min(frames - done);
            // SAFETY: buffers of `n` frames of the engine's channel counts.
            let status = unsafe {
                pvm_engine_process(self.raw, inputs.as_ptr(), out.as_mut_ptr(), n as u32)
            };
            assert_eq!(status, PVM_OK);
            left.extend(out[..2 * n].iter().step_by(2));
            done += n;
        }
        left
    }
}

const TIMELINE_ONLY: &str =
    r#"{"nodes": {"out": {"type": "output"}}, "timelines": {"main": {"bpm": 90}}}"#;

/// An engine playing `TIMELINE_ONLY` with the fixture loaded as `click` and a clip of it at
/// beat 4 of `main`, settled (its programs taken) after 4 800 frames.
fn timeline_engine() -> Engine {
    let engine = Engine::new(0);
    engine.check(engine.routing(TIMELINE_ONLY), PVM_OK);
    engine.check(engine.load_fixture("click"), PVM_OK);
    engine.check(
        engine.clip_add("main", r#"{"id": "c1", "file": "click", "position": 4}"#),
        PVM_OK,
    );
    engine
}

/// The first sample of `left` that is not 0.
fn onset(left: &[f32]) -> usize {
    left.iter()
        .position(|&x| x != 0.0)
        .expect("the clip never sounds")
}

/// Plays `main` from beat 0 on sample 4 800 and returns the clip's onset, counted from there,
/// after checking that its first 64 samples are the file's frames at the centre's gain.
fn measured_onset(engine: &Engine, chunk: usize) -> usize {
    engine.render(4_800, 480, 0.0);
    engine.check(engine.play("main", 0.0), PVM_OK);
    let left = engine.render(130_000, chunk, 0.0);
    let start = onset(&left);
    for frame in 0..64 {
        let expected = fixture_value(frame) * centre();
        let got = f64::from(left[start + frame]);
        assert!(
            (got - expected).abs() < 1e-6,
            "frame {frame}: {got} != {expected}"
        );
    }
    start
}

#[test]
fn a_clip_at_beat_4_at_120_bpm_starts_on_sample_96000() {
    for chunk in [64, 333, 4_096] {
        let engine = timeline_engine();
        // The timeline was written at 90 BPM (beat 4 would be 128 000); the master tempo
        // moves it.
        // SAFETY: a live engine.
        engine.check(unsafe { pvm_engine_set_tempo(engine.raw, 120.0) }, PVM_OK);
        assert_eq!(measured_onset(&engine, chunk), 96_000, "chunk {chunk}");
    }
    let engine = timeline_engine();
    assert_eq!(measured_onset(&engine, 333), 128_000, "at 90 BPM");
}

#[test]
fn tempo_segments_step_and_ramp_as_their_closed_forms_say() {
    // Beats 0–2 at 120 (1 s), beats 2–4 at 240 (0.5 s): beat 4 at 1.5 s.
    let engine = timeline_engine();
    engine.check(
        engine.segments(r#"[{"beat": 0, "bpm": 120}, {"beat": 2, "bpm": 240}]"#),
        PVM_OK,
    );
    assert_eq!(measured_onset(&engine, 333), 72_000);
    // A ramp linear in time from 120 to 240 over beats 0–4 averages 180 BPM: 4/3 s.
    let engine = timeline_engine();
    engine.check(
        engine.segments(r#"[{"beat": 0, "bpm": 120}, {"beat": 4, "bpm": 240, "ramp": true}]"#),
        PVM_OK,
    );
    assert_eq!(measured_onset(&engine, 333), 64_000);
    let tempo = &engine.state()["tempo"];
    assert_eq!(tempo["bpm"], 120.0);
    assert_eq!(tempo["segments"][1]["ramp"], true);
}

#[test]
fn clip_updates_move_and_scale_a_clip_and_removal_silences_it() {
    let engine = timeline_engine();
    // SAFETY: a live engine.
    engine.check(unsafe { pvm_engine_set_tempo(engine.raw, 120.0) }, PVM_OK);
    // To beat 1 (24 000), 6 dB down, panned hard left (all of it on the left).
    engine.check(
        engine.clip_update("c1", r#"{"position": 1, "gain": -6, "pan": -1}"#),
        PVM_OK,
    );
    engine.render(4_800, 480, 0.0);
    engine.check(engine.play("main", 0.0), PVM_OK);
    let left = engine.render(30_000, 333, 0.0);
    let start = onset(&left);
    assert_eq!(start, 24_000);
    let level = 10f64.powf(-6.0 / 20.0);
    let got = f64::from(left[start + 10]);
    assert!((got - fixture_value(10) * level).abs() < 1e-6, "{got}");
    let clip = &engine.state()["timelines"][0]["clips"][0];
    assert_eq!(
        (clip["position"].as_f64(), clip["gain"].as_f64()),
        (Some(1.0), Some(-6.0))
    );
    assert_eq!(clip["file"], "click", "named by its id");
    // Removed while sounding: silent once its 2 ms fade (96 samples) is over.
    // SAFETY: a live engine and NUL-terminated names.
    let removed = unsafe { pvm_clip_remove(engine.raw, c"main".as_ptr(), c"c1".as_ptr()) };
    engine.check(removed, PVM_OK);
    let after = engine.render(4_800, 333, 0.0);
    assert!(after[200..].iter().all(|&x| x == 0.0));
    assert_eq!(
        engine.state()["timelines"][0]["clips"],
        serde_json::json!([])
    );
}

const THROUGH: &str = r#"{"nodes": {"mic": {"type": "input", "params": {"channel": 0}},
    "out": {"type": "output"}},
  "connections": [{"from": ["mic", "out"], "to": ["out", "in"]}]}"#;

#[test]
fn routing_plays_the_input_to_the_output_and_edits_land_as_one_swap() {
    let engine = Engine::new(1);
    engine.check(engine.routing(THROUGH), PVM_OK);
    let left = engine.render(4_800, 333, 0.75);
    assert!(
        left[64..].iter().all(|&x| x == 0.75),
        "input comes out as it went in"
    );
    engine.check(
        engine.update(
            r#"[{"op": "add", "id": "level", "module": "gain", "params": {"amp": 0.5}},
                {"op": "disconnect", "from": ["mic", "out"], "to": ["out", "in"]},
                {"op": "connect", "from": ["mic", "out"], "to": ["level", "in"]},
                {"op": "connect", "from": ["level", "out"], "to": ["out", "in"]}]"#,
        ),
        PVM_OK,
    );
    // After the 20 ms crossfade (960 samples), the input at half level.
    let left = engine.render(4_800, 333, 0.75);
    assert!(left[2_000..].iter().all(|&x| x == 0.375), "{}", left[2_000]);
    // A bad edit in the list: none applied, the message names it.
    let bad = r#"[{"op": "remove", "id": "level"}, {"op": "remove", "id": "nothing"}]"#;
    engine.check(engine.update(bad), PVM_ERR_INVALID_PATCH);
    assert!(engine.error().starts_with("edit 1:"), "{}", engine.error());
    let left = engine.render(1_000, 333, 0.75);
    assert!(left.iter().all(|&x| x == 0.375));
}

#[test]
fn a_routing_without_timelines_keeps_the_clips_and_a_timeline_node_routes_them() {
    let engine = timeline_engine();
    // A new routing without a timelines section: the clip stays.
    let routed = r#"{"nodes": {"player": {"type": "timeline", "params": {"name": "main"}},
        "level": {"type": "gain", "params": {"amp": 0.5}}, "out": {"type": "output"}},
      "connections": [{"from": ["player", "left"], "to": ["level", "in"]},
                      {"from": ["level", "out"], "to": ["out", "in"]}]}"#;
    engine.check(engine.routing(routed), PVM_OK);
    let state = engine.state();
    assert_eq!(state["timelines"][0]["clips"][0]["id"], "c1");
    engine.render(4_800, 480, 0.0);
    engine.check(engine.play("main", 0.0), PVM_OK);
    let left = engine.render(130_000, 333, 0.0);
    let start = onset(&left);
    assert_eq!(start, 128_000, "beat 4 at the timeline's 90 BPM");
    let got = f64::from(left[start + 5]);
    assert!(
        (got - fixture_value(5) * centre() * 0.5).abs() < 1e-6,
        "{got}"
    );
}

/// A gain driven by the input at 1.0: its `amp` is what comes out.
const AMP: &str = r#"{"nodes": {"mic": {"type": "input", "params": {"channel": 0}},
    "level": {"type": "gain", "params": {"amp": 0}}, "out": {"type": "output"}},
  "connections": [{"from": ["mic", "out"], "to": ["level", "in"]},
                  {"from": ["level", "out"], "to": ["out", "in"]}]}"#;

#[test]
fn a_parameter_and_a_midi_note_land_on_their_exact_samples() {
    for chunk in [64, 333, 4_096] {
        let engine = Engine::new(1);
        engine.check(engine.routing(AMP), PVM_OK);
        engine.render(4_800, 480, 1.0);
        // SAFETY: a live engine and NUL-terminated names.
        let set = unsafe {
            pvm_engine_set_param_at(engine.raw, c"level".as_ptr(), c"amp".as_ptr(), 0.25, 10_007)
        };
        engine.check(set, PVM_OK);
        // SAFETY: as above; the freq pair NULL drives nothing.
        let bound = unsafe {
            pvm_engine_bind_notes(
                engine.raw,
                null(),
                null(),
                c"level".as_ptr(),
                c"amp".as_ptr(),
            )
        };
        engine.check(bound, PVM_OK);
        let note_on = [0x90_u8, 60, 127];
        // SAFETY: three readable bytes.
        let midi = unsafe { pvm_engine_midi(engine.raw, note_on.as_ptr(), 3, 20_011) };
        engine.check(midi, PVM_OK);
        let left = engine.render(20_000, chunk, 1.0);
        let at = |sample: usize| left[sample - 4_800];
        assert_eq!((at(10_006), at(10_007)), (0.0, 0.25), "chunk {chunk}");
        assert_eq!((at(20_010), at(20_011)), (0.25, 1.0), "chunk {chunk}");
    }
}

#[test]
fn the_state_follows_the_playhead_files_and_clips() {
    let engine = timeline_engine();
    // SAFETY: a live engine.
    engine.check(unsafe { pvm_engine_set_tempo(engine.raw, 120.0) }, PVM_OK);
    engine.render(4_800, 480, 0.0);
    engine.check(engine.play("main", 2.0), PVM_OK);
    engine.render(12_000, 333, 0.0);
    let state = engine.state();
    assert_eq!(state["time"], 16_800);
    let main = &state["timelines"][0];
    assert_eq!(
        (main["name"].as_str(), main["playing"].as_bool()),
        (Some("main"), Some(true))
    );
    // 12 000 samples at 120 BPM are half a beat.
    assert_eq!(main["position"], 2.5);
    let file = &state["files"][0];
    assert_eq!(
        (file["id"].as_str(), file["frames"].as_u64()),
        (Some("click"), Some(4_800))
    );
    assert_eq!(file["seconds"], 0.1);
    // Nothing recorded, nothing running.
    assert_eq!(state["recordings"], serde_json::json!([]));
    assert_eq!(
        state["recorder"],
        serde_json::json!({"recordings": [], "errors": []})
    );
    // SAFETY: a live engine.
    engine.check(
        unsafe { pvm_timeline_stop(engine.raw, c"main".as_ptr()) },
        PVM_OK,
    );
    engine.render(24_000, 333, 0.0);
    let main = &engine.state()["timelines"][0];
    assert_eq!(
        (main["playing"].as_bool(), main["position"].as_f64()),
        (Some(false), Some(2.5))
    );
}

/// Every call with `engine` refuses NULL arguments with `PVM_ERR_NULL`.
#[test]
fn null_arguments_are_refused() {
    let engine = timeline_engine();
    let e = engine.raw;
    // SAFETY: NULLs and live pointers, as each call's contract allows.
    let codes = unsafe {
        [
            pvm_engine_set_tempo(null_mut(), 120.0),
            pvm_engine_set_tempo_segments(e, null()),
            pvm_timeline_play(e, null(), 0.0),
            pvm_timeline_stop(e, null()),
            pvm_timeline_seek(e, null(), 0.0),
            pvm_audio_file_load(e, null(), c"x".as_ptr()),
            pvm_audio_file_load(e, c"x".as_ptr(), null()),
            pvm_clip_add(e, c"main".as_ptr(), null()),
            pvm_clip_add(e, null(), c"{}".as_ptr()),
            pvm_clip_update(e, null(), c"{}".as_ptr()),
            pvm_clip_remove(e, c"main".as_ptr(), null()),
            pvm_routing_set(e, null()),
            pvm_routing_update(e, null()),
            pvm_engine_set_param_at(e, null(), c"amp".as_ptr(), 1.0, 0),
            pvm_engine_midi(e, null(), 3, 0),
        ]
    };
    for (index, code) in codes.into_iter().enumerate() {
        assert_eq!(code, PVM_ERR_NULL, "call {index}");
    }
    // SAFETY: NULL engine.
    assert!(unsafe { pvm_engine_state_json(null_mut()) }.is_null());
}

/// Each refusal's code and the words its message must hold; the state is the same after.
#[test]
fn hostile_arguments_are_refused_with_a_code_and_change_nothing() {
    let engine = timeline_engine();
    let before = engine.state();
    let invalid_utf8 = b"ma\xffin\0";
    let utf8 = invalid_utf8.as_ptr().cast::<c_char>();
    let huge = format!("[{}]", "1,".repeat(PVM_MAX_JSON_BYTES / 2) + "1");
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let deep_object = "{\"a\":".repeat(50_000) + "1" + &"}".repeat(50_000);
    let e = engine.raw;
    let expect = |code: i32, expected: i32, words: &str| {
        let message = engine.error();
        assert_eq!(code, expected, "`{words}`: {message}");
        assert!(message.contains(words), "`{message}` lacks `{words}`");
    };
    // SAFETY: a live engine and NUL-terminated texts, in every call below.
    unsafe {
        expect(
            pvm_timeline_play(e, utf8, 0.0),
            PVM_ERR_UTF8,
            "`timeline` is not UTF-8",
        );
        expect(
            pvm_timeline_play(e, c"mian".as_ptr(), 0.0),
            PVM_ERR_NOT_FOUND,
            "no timeline `mian`",
        );
        expect(
            pvm_timeline_play(e, c"main".as_ptr(), -1.0),
            PVM_ERR_RANGE,
            "`beat` -1",
        );
        expect(
            pvm_timeline_seek(e, c"main".as_ptr(), f64::INFINITY),
            PVM_ERR_RANGE,
            "`beat` inf",
        );
        expect(
            pvm_engine_set_tempo(e, 0.0),
            PVM_ERR_RANGE,
            "`bpm` 0 is out of range",
        );
        expect(
            pvm_engine_set_tempo(e, f64::NAN),
            PVM_ERR_RANGE,
            "`bpm` NaN",
        );
        expect(
            engine.segments(&huge),
            PVM_ERR_TOO_LARGE,
            "the limit is 1048576",
        );
        expect(
            engine.segments(&deep),
            PVM_ERR_JSON,
            "recursion limit exceeded",
        );
        expect(
            engine.segments("[{\"beat\": 0, \"bpm\": 120},"),
            PVM_ERR_JSON,
            "is not valid JSON",
        );
        expect(
            engine.segments(r#"[{"beat": 0, "bpm": 2000}]"#),
            PVM_ERR_RANGE,
            "`bpm` of segment 0",
        );
        expect(
            engine.clip_add("main", &deep_object),
            PVM_ERR_JSON,
            "recursion limit exceeded",
        );
        expect(
            engine.clip_add("main", r#"{"id": "c2", "file": "snare"}"#),
            PVM_ERR_NOT_FOUND,
            "no audio file `snare`; expected `click`",
        );
        expect(
            engine.clip_add("side", r#"{"id": "c2", "file": "click"}"#),
            PVM_ERR_NOT_FOUND,
            "no timeline `side`",
        );
        expect(
            engine.clip_add("main", r#"{"id": "c2"}"#),
            PVM_ERR_JSON,
            "the clip needs `file`",
        );
        expect(
            engine.clip_add("main", r#"{"id": "c2", "file": "click", "gain": 50}"#),
            PVM_ERR_RANGE,
            "gain",
        );
        expect(
            engine.clip_add(
                "main",
                r#"{"id": "c2", "file": "click", "position": "four"}"#,
            ),
            PVM_ERR_JSON,
            "`position` takes a number",
        );
        expect(
            engine.clip_add("main", r#"{"id": "c2", "file": "click", "stretch": 2}"#),
            PVM_ERR_INVALID_PATCH,
            "this build has no time-stretch",
        );
        expect(
            engine.clip_add("main", r#"{"id": "c2", "file": "click", "stretch": 5}"#),
            PVM_ERR_RANGE,
            "stretch",
        );
        expect(
            engine.clip_add("main", r#"{"id": "c1", "file": "click"}"#),
            PVM_ERR_RANGE,
            "two clips `c1`",
        );
        expect(
            engine.clip_update("c9", r#"{"gain": -3}"#),
            PVM_ERR_NOT_FOUND,
            "no clip `c9` on any timeline; expected `c1`",
        );
        expect(
            engine.clip_update("c1", r#"{"id": "c2"}"#),
            PVM_ERR_JSON,
            "cannot rename",
        );
        expect(
            engine.clip_update("c1", r#"{"pan": 3}"#),
            PVM_ERR_RANGE,
            "pan",
        );
        expect(
            pvm_clip_remove(e, c"main".as_ptr(), c"c9".as_ptr()),
            PVM_ERR_NOT_FOUND,
            "no clip of timeline `main` `c9`",
        );
        expect(
            pvm_audio_file_load(e, c"gone".as_ptr(), c"/nonexistent/gone.wav".as_ptr()),
            PVM_ERR_IO,
            "/nonexistent/gone.wav",
        );
        expect(
            pvm_audio_file_load(e, c"".as_ptr(), fixture().as_ptr()),
            PVM_ERR_JSON,
            "`file_id` is empty",
        );
        expect(engine.routing(&deep_object), PVM_ERR_INVALID_PATCH, "nest");
        expect(
            engine.routing("{\"nodes\": {\"o\": {\"type\": \"outptu\"}}}"),
            PVM_ERR_INVALID_PATCH,
            "outptu",
        );
        expect(
            engine.update(r#"[{"op": "remove", "id": "nothing"}]"#),
            PVM_ERR_INVALID_PATCH,
            "nothing",
        );
        expect(
            pvm_engine_set_param_at(e, c"nothing".as_ptr(), c"amp".as_ptr(), 1.0, 0),
            PVM_ERR_PARAM,
            "no such node",
        );
    }
    assert_eq!(engine.state(), before, "nothing changed");
    // Garbage MIDI is ignored, not an error.
    let sysex = [0xF0_u8, 1, 2, 3, 0xF7];
    // SAFETY: five readable bytes.
    engine.check(
        unsafe { pvm_engine_midi(e, sysex.as_ptr(), sysex.len(), 0) },
        PVM_OK,
    );
}

/// A mono 16-bit WAV at 48 kHz of `frames` frames, every one `value / 32768`.
fn constant_wav(name: &str, frames: u32, value: i16) -> CString {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let data = frames * 2;
    let mut bytes = b"RIFF".to_vec();
    bytes.extend_from_slice(&(36 + data).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt \x10\0\0\0\x01\0\x01\0");
    bytes.extend_from_slice(&48_000u32.to_le_bytes());
    bytes.extend_from_slice(&96_000u32.to_le_bytes());
    bytes.extend_from_slice(b"\x02\0\x10\0data");
    bytes.extend_from_slice(&data.to_le_bytes());
    for _ in 0..frames {
        bytes.extend_from_slice(&value.to_le_bytes());
    }
    std::fs::write(&path, bytes).unwrap();
    CString::new(path.to_str().unwrap()).unwrap()
}

#[test]
fn loading_a_file_id_again_plays_the_new_file_in_its_clips() {
    let engine = timeline_engine();
    // SAFETY: a live engine.
    engine.check(unsafe { pvm_engine_set_tempo(engine.raw, 120.0) }, PVM_OK);
    let quarter = constant_wav("atome-quarter.wav", 2_400, 8_192);
    // SAFETY: a live engine and NUL-terminated texts.
    let reloaded = unsafe { pvm_audio_file_load(engine.raw, c"click".as_ptr(), quarter.as_ptr()) };
    engine.check(reloaded, PVM_OK);
    let file = &engine.state()["files"][0];
    assert_eq!(
        (file["frames"].as_u64(), file["seconds"].as_f64()),
        (Some(2_400), Some(0.05))
    );
    assert_eq!(engine.state()["timelines"][0]["clips"][0]["file"], "click");
    engine.render(4_800, 480, 0.0);
    engine.check(engine.play("main", 0.0), PVM_OK);
    let left = engine.render(100_000, 333, 0.0);
    assert_eq!(onset(&left), 96_000);
    let expected = 0.25 * centre();
    let sounding = &left[96_000..98_400];
    assert!(
        sounding
            .iter()
            .all(|&x| (f64::from(x) - expected).abs() < 1e-6)
    );
    assert!(
        left[98_400..].iter().all(|&x| x == 0.0),
        "the new file's 2 400 frames only"
    );
}
