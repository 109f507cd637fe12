//! `pvm_preset_save` and `pvm_preset_load`: a preset written beside the patch file holds the
//! values events set, and loading it brings them back on the output; bad names, missing
//! files and NULLs are status codes with messages.

use patchvm_capi::*;
use patchvm_tests::measure::peak;
use std::ffi::{CStr, CString};
use std::path::PathBuf;
use std::ptr::null;

const TOY: &str = r#"(patch
  (nodes (osc1 (type "osc.sine") (freq 440)) (gain1 (type "gain") (amp 0.5)) (out (type "output")))
  (connections (osc1 "out" -> gain1 "in") (gain1 "out" -> out "in")))"#;

fn folder() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("patchvm-capi-presets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The peak of the next `frames` frames of a mono engine.
fn peak_of(engine: *mut PvmEngine, frames: usize) -> f32 {
    let mut out = vec![0.0; frames];
    // SAFETY: a live engine and a buffer of `frames` mono frames.
    let status = unsafe { pvm_engine_process(engine, null(), out.as_mut_ptr(), frames as u32) };
    assert_eq!(status, PVM_OK);
    peak(&out)
}

fn last_error(engine: *mut PvmEngine) -> String {
    // SAFETY: a live engine; the message lives until the next call.
    unsafe { CStr::from_ptr(pvm_engine_last_error(engine)) }
        .to_string_lossy()
        .into_owned()
}

/// amp 0.5 plays a peak of 0.5; set to 0.2 and saved as `quiet`, the file beside the patch
/// holds 0.2; set back to 0.5 (peak 0.5 again), loading `quiet` brings the peak to 0.2.
#[test]
fn a_saved_preset_brings_back_the_values_events_set() {
    let dir = folder();
    let path = dir.join("toy.lisp");
    std::fs::write(&path, TOY).unwrap();
    let engine = pvm_engine_new(48_000.0, 0, 1);
    assert!(!engine.is_null());
    let path = CString::new(path.to_str().unwrap()).unwrap();
    let set = |value: f32| {
        // SAFETY: a live engine and NUL-terminated names.
        let status =
            unsafe { pvm_engine_set_param(engine, c"gain1".as_ptr(), c"amp".as_ptr(), value) };
        assert_eq!(status, PVM_OK, "{}", last_error(engine));
    };
    // SAFETY: a live engine, NUL-terminated strings.
    unsafe {
        assert_eq!(
            pvm_engine_load_file(engine, path.as_ptr()),
            PVM_OK,
            "{}",
            last_error(engine)
        );
        assert!((peak_of(engine, 4_800) - 0.5).abs() < 1e-3);
        set(0.2);
        // The edit glides over the fade time; 0.1 s later the sine peaks at 0.2.
        peak_of(engine, 4_800);
        assert!((peak_of(engine, 4_800) - 0.2).abs() < 1e-3);
        assert_eq!(
            pvm_preset_save(engine, c"quiet".as_ptr()),
            PVM_OK,
            "{}",
            last_error(engine)
        );
        let saved = std::fs::read_to_string(dir.join("quiet.preset.json")).unwrap();
        // The f32 0.2 the event set, widened to f64.
        assert!(saved.contains("\"value\": 0.20000000298023224"), "{saved}");
        set(0.5);
        peak_of(engine, 4_800);
        assert!((peak_of(engine, 4_800) - 0.5).abs() < 1e-3);
        assert_eq!(
            pvm_preset_load(engine, c"quiet".as_ptr()),
            PVM_OK,
            "{}",
            last_error(engine)
        );
        peak_of(engine, 4_800);
        assert!((peak_of(engine, 4_800) - 0.2).abs() < 1e-3);
        pvm_engine_free(engine);
    }
}

#[test]
fn bad_names_missing_files_and_nulls_are_codes_with_messages() {
    let engine = pvm_engine_new(48_000.0, 0, 1);
    // SAFETY: a live engine, NUL-terminated strings or NULL.
    unsafe {
        assert_eq!(pvm_preset_save(engine, c"x".as_ptr()), PVM_ERR_NO_PATCH);
        assert_eq!(
            pvm_engine_load(engine, TOY.as_ptr().cast(), TOY.len()),
            PVM_OK
        );
        assert_eq!(pvm_preset_save(engine, c"../up".as_ptr()), PVM_ERR_PARAM);
        assert_eq!(
            last_error(engine),
            "`../up` is no preset name; expected letters, digits, `-` and `_` only"
        );
        assert_eq!(
            pvm_preset_load(engine, c"never-saved-0e6dde7".as_ptr()),
            PVM_ERR_IO
        );
        assert!(
            last_error(engine).starts_with("cannot read `never-saved-0e6dde7.preset.json`"),
            "{}",
            last_error(engine)
        );
        assert_eq!(pvm_preset_load(engine, null()), PVM_ERR_NULL);
        assert_eq!(last_error(engine), "`name` is NULL");
        pvm_engine_free(engine);
    }
}
