//! `pvm_engine_process` never allocates or frees, whatever the channel counts and frame
//! counts, while the control side loads patches and sets parameters between calls.

use assert_no_alloc::{AllocDisabler, assert_no_alloc};
use patchvm_capi::*;
use std::ptr::null;

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

#[test]
fn the_allocation_detector_fires() {
    patchvm_rtcheck::assert_allocation_detected(module_path!(), "the_allocation_detector_fires");
}

fn patch(freq: u32, extra: bool) -> String {
    let (extra, wire) = if extra {
        (
            r#"(lfo1 (type "osc.triangle") (freq 3)) (mix (type "gain") (amp 0.1))"#,
            r#"(lfo1 "out" -> mix "in") (mix "out" -> out "in")"#,
        )
    } else {
        ("", "")
    };
    format!(
        r#"(patch (nodes (osc1 (type "osc.saw") (freq {freq})) (in1 (type "input"))
                  (gain1 (type "gain") (amp 0.5)) (out (type "output")) {extra})
           (connections (osc1 "out" -> gain1 "in") (in1 "out" -> gain1 "in")
                        (gain1 "out" -> out "in") {wire}))"#
    )
}

#[test]
fn process_does_not_allocate() {
    for (channels_in, channels_out) in [(0, 1), (1, 2), (2, 3), (0, 8)] {
        let engine = pvm_engine_new(48_000.0, channels_in, channels_out);
        assert!(!engine.is_null());
        let input = vec![0.25_f32; 70_000 * channels_in as usize];
        let mut output = vec![0.0_f32; 70_000 * channels_out as usize];
        for (round, frames) in [1_u32, 64, 333, 4_096, 70_000, 7].into_iter().enumerate() {
            let text = patch(100 + 50 * round as u32, round % 2 == 1);
            // SAFETY: a live engine, used by this thread only; buffers as large as said.
            unsafe {
                assert_eq!(
                    pvm_engine_load(engine, text.as_ptr().cast(), text.len()),
                    PVM_OK
                );
                assert_eq!(
                    pvm_engine_set_param(engine, c"gain1".as_ptr(), c"amp".as_ptr(), 0.4),
                    PVM_OK
                );
                let in_ptr = if channels_in == 0 {
                    null()
                } else {
                    input.as_ptr()
                };
                let status = assert_no_alloc(|| {
                    pvm_engine_process(engine, in_ptr, output.as_mut_ptr(), frames)
                });
                assert_eq!(status, PVM_OK);
            }
        }
        assert!(output.iter().all(|x| x.is_finite()));
        assert!(output.iter().any(|&x| x != 0.0));
        // SAFETY: made above, freed once.
        unsafe { pvm_engine_free(engine) };
    }
}

/// The Atome calls between process calls: a timeline playing a clip while clips are added,
/// updated and removed, the tempo changes, the timeline seeks, and parameters and MIDI land
/// on exact samples; every process call runs without allocating, and the clip sounds.
#[test]
fn process_does_not_allocate_through_clip_edits_tempo_and_actions() {
    let engine = pvm_engine_new(48_000.0, 1, 2);
    assert!(!engine.is_null());
    let routing = cr#"{"nodes": {"mic": {"type": "input", "params": {"channel": 0}},
        "level": {"type": "gain", "params": {"amp": 0.5}}, "out": {"type": "output"}},
      "connections": [{"from": ["mic", "out"], "to": ["level", "in"]},
                      {"from": ["level", "out"], "to": ["out", "in"]}],
      "timelines": {"main": {"bpm": 120}}}"#;
    let wav = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/atome-click.wav\0");
    let input = vec![0.25_f32; 4_096];
    let mut output = vec![0.0_f32; 2 * 4_096];
    let mut heard = 0_usize;
    let clip_id = |round: u64| std::ffi::CString::new(format!("c{round}")).unwrap();
    let mut process = |frames: u32| {
        // SAFETY: a live engine, used by this thread only; buffers as large as said.
        let status = assert_no_alloc(|| unsafe {
            pvm_engine_process(engine, input.as_ptr(), output.as_mut_ptr(), frames)
        });
        assert_eq!(status, PVM_OK);
        heard += output[..2 * frames as usize]
            .iter()
            .filter(|&&x| x != 0.0 && x != 0.125)
            .count();
    };
    // SAFETY: a live engine and NUL-terminated texts; the control calls run between process
    // calls on this thread.
    unsafe {
        assert_eq!(pvm_routing_set(engine, routing.as_ptr()), PVM_OK);
        assert_eq!(
            pvm_audio_file_load(engine, c"click".as_ptr(), wav.as_ptr().cast()),
            PVM_OK
        );
        process(64);
        assert_eq!(pvm_timeline_play(engine, c"main".as_ptr(), 0.0), PVM_OK);
        for round in 0..8_u64 {
            let clip = format!(
                r#"{{"id": "c{round}", "file": "click", "position": {}}}"#,
                round as f64 * 0.25
            );
            let clip = std::ffi::CString::new(clip).unwrap();
            assert_eq!(
                pvm_clip_add(engine, c"main".as_ptr(), clip.as_ptr()),
                PVM_OK
            );
            process(333);
            assert_eq!(
                pvm_clip_update(engine, clip_id(round).as_ptr(), cr#"{"gain": -3}"#.as_ptr()),
                PVM_OK
            );
            process(4_096);
            assert_eq!(pvm_engine_set_tempo(engine, 100.0 + round as f64), PVM_OK);
            let at = 48_000 * round;
            assert_eq!(
                pvm_engine_set_param_at(engine, c"level".as_ptr(), c"amp".as_ptr(), 0.5, at),
                PVM_OK
            );
            assert_eq!(
                pvm_engine_midi(engine, [0xB0_u8, 64, 127].as_ptr(), 3, at),
                PVM_OK
            );
            process(1);
            assert_eq!(pvm_timeline_seek(engine, c"main".as_ptr(), 0.0), PVM_OK);
            process(4_096);
            if round % 2 == 1 {
                let id = clip_id(round - 1);
                assert_eq!(
                    pvm_clip_remove(engine, c"main".as_ptr(), id.as_ptr()),
                    PVM_OK
                );
            }
            process(64);
        }
        assert!(heard > 0, "the clips sounded");
        pvm_engine_free(engine);
    }
}

/// Recording the input and the output while processing: every process call, from the start
/// through the stop to the take, runs without allocating, and the take holds every frame.
#[test]
fn process_does_not_allocate_while_recording() {
    let engine = pvm_engine_new(48_000.0, 1, 2);
    assert!(!engine.is_null());
    let routing = cr#"{"nodes": {"mic": {"type": "input", "params": {"channel": 0}},
        "out": {"type": "output"}},
      "connections": [{"from": ["mic", "out"], "to": ["out", "in"]}]}"#;
    let dir = std::env::temp_dir().join(format!("pvm-capi-rt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let request = |id: &str, source: &str| {
        let path = dir.join(format!("{id}.wav"));
        std::ffi::CString::new(format!(
            r#"{{"id": "{id}", "source": "{source}", "path": {:?}}}"#,
            path.to_str().unwrap()
        ))
        .unwrap()
    };
    let input = vec![0.25_f32; 256];
    let mut output = vec![0.0_f32; 2 * 256];
    let mut process = |frames: u32| {
        // SAFETY: a live engine, used by this thread only; buffers as large as said.
        let status = assert_no_alloc(|| unsafe {
            pvm_engine_process(engine, input.as_ptr(), output.as_mut_ptr(), frames)
        });
        assert_eq!(status, PVM_OK);
    };
    // SAFETY: a live engine and NUL-terminated texts; the control calls run between process
    // calls on this thread.
    unsafe {
        assert_eq!(pvm_routing_set(engine, routing.as_ptr()), PVM_OK);
        process(64);
        assert_eq!(
            pvm_record_start(engine, request("rt_in", "input").as_ptr()),
            PVM_OK
        );
        assert_eq!(
            pvm_record_start(engine, request("rt_out", "output").as_ptr()),
            PVM_OK
        );
        for round in 0..200_u32 {
            process(1 + round % 256);
        }
        assert_eq!(pvm_record_stop(engine, c"rt_in".as_ptr()), PVM_OK);
        assert_eq!(pvm_record_stop(engine, c"rt_out".as_ptr()), PVM_OK);
        let recorded: u32 = (0..200).map(|round| 1 + round % 256).sum();
        for id in [c"rt_in", c"rt_out"] {
            let mut take = null();
            for _ in 0..5_000 {
                process(64);
                take = pvm_record_take_json(engine, id.as_ptr());
                if !take.is_null() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            assert!(!take.is_null());
            let take: serde_json::Value =
                serde_json::from_str(std::ffi::CStr::from_ptr(take).to_str().unwrap()).unwrap();
            assert_eq!(take["frames"], u64::from(recorded));
            assert_eq!(take["frames_lost"], 0);
        }
        assert_eq!(pvm_engine_free(engine), PVM_OK);
    }
}
