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
