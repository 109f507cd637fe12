//! Recording from C, measured from the files and the processed samples: a take of the input
//! holds exactly the frames rendered between start and stop, sample for sample; stopping
//! never blocks (the take shows once a block has been processed); a take placed on a playing
//! timeline lands on the beat its first sample was heard at, and plays back from that exact
//! sample; illegal transitions and bad requests are refused with a code naming the field,
//! changing nothing.

use patchvm_capi::*;
use std::ffi::{CStr, CString};
use std::path::PathBuf;

const RATE: f64 = 48_000.0;

/// Input → output, and a timeline `main` at 120 BPM.
const ROUTING: &str = r#"{"nodes": {"mic": {"type": "input", "params": {"channel": 0}},
    "out": {"type": "output"}},
  "connections": [{"from": ["mic", "out"], "to": ["out", "in"]}],
  "timelines": {"main": {"bpm": 120}}}"#;

fn c(text: &str) -> CString {
    CString::new(text).unwrap()
}

/// A fresh path for a take of test `name`.
fn take_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pvm-capi-record-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.wav"))
}

/// The input's value at engine frame `frame` of a recording: a ramp, never 0.
fn ramp(frame: usize) -> f32 {
    ((frame % 100) + 1) as f32 / 256.0
}

struct Engine(*mut PvmEngine);

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: made by `pvm_engine_new`, freed once.
        assert_eq!(unsafe { pvm_engine_free(self.0) }, PVM_OK);
    }
}

impl Engine {
    fn new() -> Engine {
        let raw = pvm_engine_new(RATE, 1, 2);
        assert!(!raw.is_null());
        let engine = Engine(raw);
        // SAFETY: a live engine and a NUL-terminated text.
        let status = unsafe { pvm_routing_set(raw, c(ROUTING).as_ptr()) };
        engine.check(status, PVM_OK);
        engine.process(&[0.0; 64]);
        engine
    }

    fn error(&self) -> String {
        // SAFETY: a live engine; copied before the next call.
        unsafe { CStr::from_ptr(pvm_engine_last_error(self.0)) }
            .to_string_lossy()
            .into_owned()
    }

    fn check(&self, code: i32, expected: i32) {
        assert_eq!(code, expected, "{}", self.error());
    }

    fn start(&self, json: &str) -> i32 {
        // SAFETY: a live engine and a NUL-terminated text.
        unsafe { pvm_record_start(self.0, c(json).as_ptr()) }
    }

    fn stop(&self, id: &str) -> i32 {
        // SAFETY: as above.
        unsafe { pvm_record_stop(self.0, c(id).as_ptr()) }
    }

    /// The take's JSON, or `None` (with the code of the last error) while there is none.
    fn take(&self, id: &str) -> Option<serde_json::Value> {
        // SAFETY: as above; the text is copied before the next call.
        let text = unsafe { pvm_record_take_json(self.0, c(id).as_ptr()) };
        if text.is_null() {
            return None;
        }
        // SAFETY: non-NULL and NUL-terminated.
        let text = unsafe { CStr::from_ptr(text) }.to_str().unwrap();
        Some(serde_json::from_str(text).unwrap())
    }

    fn state(&self) -> serde_json::Value {
        // SAFETY: a live engine.
        let text = unsafe { pvm_engine_state_json(self.0) };
        assert!(!text.is_null(), "{}", self.error());
        // SAFETY: non-NULL and NUL-terminated.
        serde_json::from_str(unsafe { CStr::from_ptr(text) }.to_str().unwrap()).unwrap()
    }

    /// Processes one call of `input.len()` frames (mono input); returns the left output.
    fn process(&self, input: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0_f32; 2 * input.len()];
        // SAFETY: buffers of the engine's channel counts for `input.len()` frames.
        let status = unsafe {
            pvm_engine_process(self.0, input.as_ptr(), out.as_mut_ptr(), input.len() as u32)
        };
        assert_eq!(status, PVM_OK);
        out.iter().step_by(2).copied().collect()
    }

    /// Processes silent blocks of 64 until take `id` shows (the writer closes its file on a
    /// thread of its own).
    fn wait_take(&self, id: &str) -> serde_json::Value {
        for _ in 0..5_000 {
            self.process(&[0.0; 64]);
            if let Some(take) = self.take(id) {
                return take;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        panic!("take `{id}` never finished: {}", self.error());
    }
}

#[test]
fn a_take_of_the_input_holds_exactly_the_frames_between_start_and_stop() {
    let engine = Engine::new();
    let path = take_path("input");
    let request = format!(
        r#"{{"id": "take1", "source": "input", "path": {:?}}}"#,
        path.to_str().unwrap()
    );
    engine.check(engine.start(&request), PVM_OK);
    assert_eq!(
        engine.state()["recorder"]["recordings"][0]["state"],
        "arming"
    );
    let input: Vec<f32> = (0..4_800).map(ramp).collect();
    for chunk in input.chunks(100) {
        engine.process(chunk);
    }
    assert_eq!(
        engine.state()["recorder"]["recordings"][0]["state"],
        "recording"
    );
    assert_eq!(engine.state()["recorder"]["recordings"][0]["frames"], 4_800);
    engine.check(engine.stop("take1"), PVM_OK);
    // Stopping returned at once; until a block is processed the take is not there.
    assert!(engine.take("take1").is_none());
    assert!(
        engine.error().contains("`take1` is stopping"),
        "{}",
        engine.error()
    );
    assert_eq!(
        engine.state()["recorder"]["recordings"][0]["state"],
        "stopping"
    );
    let take = engine.wait_take("take1");
    assert_eq!(take["frames"], 4_800);
    assert_eq!(take["frames_lost"], 0);
    assert_eq!(take["seconds"], 0.1);
    assert_eq!(take["start_sample"], 64);
    assert_eq!(take["path"], path.to_str().unwrap());
    assert_eq!(take["hash"].as_str().unwrap().len(), 64);
    let state = engine.state();
    assert_eq!(state["recordings"][0], take);
    assert_eq!(state["recorder"]["recordings"], serde_json::json!([]));
    assert!(
        state["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "take1")
    );
    let mut reader = hound::WavReader::open(&path).unwrap();
    let channels = usize::from(reader.spec().channels);
    let samples: Vec<f32> = reader.samples::<f32>().map(Result::unwrap).collect();
    assert_eq!(samples.len(), 4_800 * channels);
    for (frame, &expected) in input.iter().enumerate() {
        assert_eq!(samples[frame * channels], expected, "frame {frame}");
    }
}

#[test]
fn a_take_placed_on_a_playing_timeline_plays_back_from_its_exact_sample() {
    let engine = Engine::new();
    // SAFETY: a live engine and a NUL-terminated name.
    let status = unsafe { pvm_timeline_play(engine.0, c"main".as_ptr(), 0.0) };
    engine.check(status, PVM_OK);
    engine.process(&[0.0; 24_000 - 64]);
    // Main plays from sample 64; the take starts on sample 24 000: 23 936 samples later, at
    // 120 BPM (2 beats a second) beat 23 936 / 48 000 * 2 = 0.997 33….
    let path = take_path("placed");
    let request = format!(
        r#"{{"id": "take2", "source": "output", "path": {:?}, "timeline": "main"}}"#,
        path.to_str().unwrap()
    );
    engine.check(engine.start(&request), PVM_OK);
    let input: Vec<f32> = (0..960).map(ramp).collect();
    engine.process(&input);
    engine.check(engine.stop("take2"), PVM_OK);
    let take = engine.wait_take("take2");
    assert_eq!(take["start_sample"], 24_000);
    assert_eq!(take["placed_at"], 24_000);
    assert_eq!(take["frames"], 960);
    let clip = &engine.state()["timelines"][0]["clips"][0];
    assert_eq!(clip["id"], "take2");
    assert_eq!(clip["file"], "take2");
    let expected_beat = 23_936.0 / 48_000.0 * 2.0;
    assert!((clip["position"].as_f64().unwrap() - expected_beat).abs() < 1e-9);
    // Play main again from beat 0: the take sounds 23 936 samples later, frame for frame.
    // SAFETY: as above.
    let status = unsafe { pvm_timeline_play(engine.0, c"main".as_ptr(), 0.0) };
    engine.check(status, PVM_OK);
    let left = engine.process(&vec![0.0; 30_000]);
    let onset = left.iter().position(|&x| x != 0.0).unwrap();
    assert_eq!(onset, 23_936);
    // The output recorded was the input at unit gain; the clip plays it at its pan's gain.
    let gain = f64::from(left[onset]) / f64::from(ramp(0));
    assert!(gain > 0.5 && gain <= 1.0, "gain {gain}");
    for frame in 0..960 {
        let expected = f64::from(ramp(frame)) * gain;
        let got = f64::from(left[onset + frame]);
        assert!(
            (got - expected).abs() < 1e-6,
            "frame {frame}: {got} != {expected}"
        );
    }
    assert_eq!(left[onset + 960], 0.0);
}

#[test]
fn illegal_transitions_and_bad_requests_are_refused_and_change_nothing() {
    let engine = Engine::new();
    engine.check(engine.stop("take1"), PVM_ERR_STATE);
    assert!(
        engine.error().contains("no recording `take1` is running"),
        "{}",
        engine.error()
    );
    let path = take_path("illegal");
    let request = format!(
        r#"{{"id": "take1", "source": "output", "path": {:?}}}"#,
        path.to_str().unwrap()
    );
    for (json, code, names) in [
        ("{", PVM_ERR_JSON, "record_json"),
        ("[1]", PVM_ERR_JSON, "not an object"),
        (
            r#"{"id": "a", "source": "mic", "path": "a.wav"}"#,
            PVM_ERR_JSON,
            "`mic`",
        ),
        (r#"{"id": "a", "source": "input"}"#, PVM_ERR_JSON, "`path`"),
        (
            r#"{"id": "a", "source": "input", "path": "a.wav", "gain": 1}"#,
            PVM_ERR_JSON,
            "`gain`",
        ),
        (
            r#"{"id": "", "source": "input", "path": "a.wav"}"#,
            PVM_ERR_JSON,
            "`id`",
        ),
        (
            r#"{"id": 3, "source": "input", "path": "a.wav"}"#,
            PVM_ERR_JSON,
            "`id`",
        ),
        (
            r#"{"id": "a", "source": "input", "path": "a.wav", "timeline": "side"}"#,
            PVM_ERR_NOT_FOUND,
            "`side`",
        ),
        (
            r#"{"id": "a", "source": "input", "path": "/no/such/dir/a.wav"}"#,
            PVM_ERR_IO,
            "/no/such/dir/a.wav",
        ),
    ] {
        engine.check(engine.start(json), code);
        assert!(engine.error().contains(names), "{json}: {}", engine.error());
        assert_eq!(
            engine.state()["recorder"]["recordings"],
            serde_json::json!([])
        );
    }
    // SAFETY: a live engine; NULL arguments are refused.
    unsafe {
        engine.check(pvm_record_start(engine.0, std::ptr::null()), PVM_ERR_NULL);
        engine.check(pvm_record_stop(engine.0, std::ptr::null()), PVM_ERR_NULL);
        assert!(pvm_record_take_json(engine.0, std::ptr::null()).is_null());
        engine.check(
            pvm_record_start(std::ptr::null_mut(), c"{}".as_ptr()),
            PVM_ERR_NULL,
        );
    }
    engine.check(engine.start(&request), PVM_OK);
    engine.check(engine.start(&request), PVM_ERR_STATE);
    assert!(
        engine.error().contains("`take1` is already arming"),
        "{}",
        engine.error()
    );
    engine.process(&[0.5; 64]);
    engine.check(engine.start(&request), PVM_ERR_STATE);
    assert!(
        engine.error().contains("already recording"),
        "{}",
        engine.error()
    );
    assert!(engine.take("take1").is_none());
    assert!(
        engine.error().contains("`take1` is recording"),
        "{}",
        engine.error()
    );
    engine.check(engine.stop("take1"), PVM_OK);
    engine.check(engine.stop("take1"), PVM_ERR_STATE);
    assert!(
        engine.error().contains("already stopping"),
        "{}",
        engine.error()
    );
    engine.check(engine.start(&request), PVM_ERR_STATE);
    assert!(
        engine.error().contains("already stopping"),
        "{}",
        engine.error()
    );
    assert!(engine.take("take9").is_none());
    assert!(
        engine.error().contains("no take `take9`"),
        "{}",
        engine.error()
    );
    let take = engine.wait_take("take1");
    assert_eq!(take["frames"], 64);
    // Idle again: stopping is illegal, starting the same id again is a new take.
    engine.check(engine.stop("take1"), PVM_ERR_STATE);
    engine.check(engine.start(&request), PVM_OK);
    assert!(engine.take("take1").is_none());
    assert_eq!(engine.state()["recordings"], serde_json::json!([]));
    engine.process(&[0.5; 128]);
    engine.check(engine.stop("take1"), PVM_OK);
    let take = engine.wait_take("take1");
    assert_eq!(take["frames"], 128);
}
