//! The C ABI under misuse: calls on a freed engine, double frees, two `process` calls at once,
//! two control calls at once and a free during a call each return a code and do nothing; and
//! the `capi_calls` fuzz target's corpus replays.

mod calls;

use patchvm_capi::*;
use std::ffi::{CStr, c_char};
use std::ptr::{null, null_mut};
use std::sync::Barrier;
use std::sync::atomic::Ordering::{Acquire, Release};
use std::sync::atomic::{AtomicBool, AtomicU64};

const TOY: &str = r#"(patch (nodes (osc1 (type "osc.sine") (freq 440)) (gain1 (type "gain") (amp 0.5))
                              (out (type "output")))
                       (connections (osc1 "out" -> gain1 "in") (gain1 "out" -> out "in")))"#;

fn text(ptr: *const c_char) -> String {
    assert!(!ptr.is_null());
    // SAFETY: the library returns NUL-terminated strings, valid until the next call.
    unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_owned()
}

/// An engine playing [`TOY`] in mono, as an address any thread may use.
fn engine() -> usize {
    let engine = pvm_engine_new(48_000.0, 0, 1);
    assert!(!engine.is_null());
    // SAFETY: a live engine, the text's length.
    let code = unsafe { pvm_engine_load(engine, TOY.as_ptr().cast(), TOY.len()) };
    assert_eq!(code, PVM_OK);
    engine.expose_provenance()
}

fn pointer(engine: usize) -> *mut PvmEngine {
    std::ptr::with_exposed_provenance_mut(engine)
}

/// The engine's `frames` metric: frames rendered so far.
fn frames_rendered(engine: *mut PvmEngine) -> u64 {
    // SAFETY: a live engine.
    let json = text(unsafe { pvm_engine_metrics_json(engine) });
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["frames"].as_u64().unwrap()
}

#[test]
fn every_call_on_a_freed_engine_is_refused_and_a_second_free_too() {
    let engine = pointer(engine());
    let mut out = [1.0_f32; 64];
    let name = c"gain1".as_ptr();
    // SAFETY: the engine was made by `pvm_engine_new`; once freed, it is among the last
    // `PVM_FREED_ENGINES_KEPT` freed (this test frees one).
    unsafe {
        assert_eq!(pvm_engine_free(engine), PVM_OK);
        assert_eq!(pvm_engine_free(engine), PVM_ERR_INVALID_HANDLE);
        assert_eq!(
            pvm_engine_process(engine, null(), out.as_mut_ptr(), 64),
            PVM_ERR_INVALID_HANDLE
        );
        assert!(out.iter().all(|&x| x == 1.0), "nothing written");
        assert_eq!(
            pvm_engine_load(engine, TOY.as_ptr().cast(), TOY.len()),
            PVM_ERR_INVALID_HANDLE
        );
        assert_eq!(
            pvm_engine_load_file(engine, c"x.lisp".as_ptr()),
            PVM_ERR_INVALID_HANDLE
        );
        assert_eq!(
            pvm_engine_set_param(engine, name, c"amp".as_ptr(), 0.1),
            PVM_ERR_INVALID_HANDLE
        );
        assert_eq!(pvm_engine_note_on(engine, 60, 1.0), PVM_ERR_INVALID_HANDLE);
        assert_eq!(pvm_engine_note_off(engine, 60), PVM_ERR_INVALID_HANDLE);
        assert_eq!(
            pvm_engine_bind_notes(engine, null(), null(), null(), null()),
            PVM_ERR_INVALID_HANDLE
        );
        assert!(pvm_engine_metrics_json(engine).is_null());
        assert_eq!(
            text(pvm_engine_last_error(engine)),
            "the engine was freed (or the handle is not an engine from pvm_engine_new)"
        );
        assert_eq!(pvm_engine_free(null_mut()), PVM_OK);
    }
    assert_eq!(
        text(pvm_status_message(PVM_ERR_INVALID_HANDLE)),
        "the engine was freed or is not an engine"
    );
}

/// Runs `long` on one thread while another makes `short` calls until one of them returns
/// [`PVM_ERR_CONCURRENT`], over rounds until the two overlapped (whichever came second was
/// refused); returns the codes of every call, `long`'s and `short`'s.
fn overlap(long: impl Fn() -> i32 + Sync, short: impl Fn() -> i32 + Sync) -> Vec<i32> {
    let mut codes = Vec::new();
    for _ in 0..200 {
        let busy = AtomicBool::new(true);
        let start = Barrier::new(2);
        std::thread::scope(|scope| {
            let long = scope.spawn(|| {
                start.wait();
                let code = long();
                busy.store(false, Release);
                code
            });
            start.wait();
            while busy.load(Acquire) {
                let code = short();
                codes.push(code);
                if code == PVM_ERR_CONCURRENT {
                    break;
                }
            }
            codes.push(long.join().unwrap());
        });
        if codes.contains(&PVM_ERR_CONCURRENT) {
            break;
        }
    }
    codes
}

#[test]
fn a_second_process_while_one_runs_is_refused_and_renders_nothing() {
    let engine = engine();
    const LONG: u32 = 1 << 18;
    let mut long_out = vec![0.0_f32; LONG as usize];
    let long_out = long_out.as_mut_ptr().expose_provenance();
    let short_frames = AtomicU64::new(0);
    let long_calls = AtomicU64::new(0);
    let codes = overlap(
        || {
            let out = std::ptr::with_exposed_provenance_mut::<f32>(long_out);
            // SAFETY: a live engine; `out` holds `LONG` mono frames, used by this thread only.
            let code = unsafe { pvm_engine_process(pointer(engine), null(), out, LONG) };
            if code == PVM_OK {
                long_calls.fetch_add(1, Release);
            }
            code
        },
        || {
            let mut out = [0.0_f32; 16];
            // SAFETY: a live engine; `out` holds 16 mono frames.
            let code = unsafe { pvm_engine_process(pointer(engine), null(), out.as_mut_ptr(), 16) };
            if code == PVM_OK {
                short_frames.fetch_add(16, Release);
            }
            code
        },
    );
    assert!(codes.contains(&PVM_ERR_CONCURRENT), "{codes:?}");
    assert!(
        codes
            .iter()
            .all(|&c| c == PVM_OK || c == PVM_ERR_CONCURRENT)
    );
    // A refused call rendered nothing: the engine's clock counts the accepted calls alone.
    let rendered = frames_rendered(pointer(engine));
    let accepted = long_calls.load(Acquire) * u64::from(LONG) + short_frames.load(Acquire);
    assert_eq!(rendered, accepted);
    // SAFETY: made above, freed once, no call running.
    assert_eq!(unsafe { pvm_engine_free(pointer(engine)) }, PVM_OK);
}

/// A chain of `nodes` gains: a patch that takes a while to compile.
fn long_chain(nodes: usize) -> String {
    let mut text = String::from(r#"(patch (nodes (osc1 (type "osc.sine") (freq 220))"#);
    for i in 0..nodes {
        text.push_str(&format!(r#" (g{i} (type "gain") (amp 0.999))"#));
    }
    text.push_str(r#" (out (type "output"))) (connections (osc1 "out" -> g0 "in")"#);
    for i in 1..nodes {
        text.push_str(&format!(r#" (g{} "out" -> g{i} "in")"#, i - 1));
    }
    text.push_str(&format!(r#" (g{} "out" -> out "in")))"#, nodes - 1));
    text
}

#[test]
fn a_second_control_call_while_one_runs_is_refused() {
    let engine = engine();
    let chain = long_chain(2_000);
    let codes = overlap(
        // SAFETY: a live engine, the text's length.
        || unsafe { pvm_engine_load(pointer(engine), chain.as_ptr().cast(), chain.len()) },
        // SAFETY: a live engine; NULL pairs bind nothing.
        || unsafe { pvm_engine_bind_notes(pointer(engine), null(), null(), null(), null()) },
    );
    assert!(codes.contains(&PVM_ERR_CONCURRENT), "{codes:?}");
    assert!(
        codes
            .iter()
            .all(|&c| c == PVM_OK || c == PVM_ERR_CONCURRENT)
    );
    // The refused call left the running call's message alone, and the engine works on.
    // SAFETY: a live engine, no call running.
    unsafe {
        assert_eq!(text(pvm_engine_last_error(pointer(engine))), "");
        let mut out = [0.0_f32; 256];
        assert_eq!(
            pvm_engine_process(pointer(engine), null(), out.as_mut_ptr(), 256),
            PVM_OK
        );
        assert!(out.iter().any(|&x| x != 0.0));
        assert_eq!(pvm_engine_free(pointer(engine)), PVM_OK);
    }
}

#[test]
fn a_free_during_a_call_is_refused_and_frees_nothing() {
    const LONG: u32 = 1 << 18;
    let mut long_out = vec![0.0_f32; LONG as usize];
    let long_out = long_out.as_mut_ptr().expose_provenance();
    let mut refused = false;
    for _ in 0..200 {
        let engine = engine();
        let busy = AtomicBool::new(true);
        let start = Barrier::new(2);
        let mut freed = false;
        std::thread::scope(|scope| {
            scope.spawn(|| {
                start.wait();
                let out = std::ptr::with_exposed_provenance_mut::<f32>(long_out);
                // SAFETY: a live engine, not freed while this runs (the guard refuses);
                // `out` holds `LONG` mono frames, used by this thread only.
                let code = unsafe { pvm_engine_process(pointer(engine), null(), out, LONG) };
                busy.store(false, Release);
                // The probe below may have been inside first.
                assert!(code == PVM_OK || code == PVM_ERR_CONCURRENT, "{code}");
            });
            start.wait();
            let mut out = [0.0_f32; 1];
            while busy.load(Acquire) && !refused && !freed {
                // SAFETY: a live engine; `out` holds one mono frame.
                let probe =
                    unsafe { pvm_engine_process(pointer(engine), null(), out.as_mut_ptr(), 1) };
                if probe != PVM_ERR_CONCURRENT {
                    continue;
                }
                // The long call was running a moment ago: the free must wait for it.
                // SAFETY: made by `pvm_engine_new`, not freed yet.
                match unsafe { pvm_engine_free(pointer(engine)) } {
                    PVM_ERR_CONCURRENT => refused = true,
                    // The long call ended in between: freed, legitimately.
                    PVM_OK => freed = true,
                    code => panic!("free returned {code}"),
                }
            }
        });
        if !freed {
            // Nothing was freed: the engine still plays, then frees once.
            // SAFETY: a live engine, no call running.
            unsafe {
                let mut out = [0.0_f32; 64];
                let code = pvm_engine_process(pointer(engine), null(), out.as_mut_ptr(), 64);
                assert_eq!(code, PVM_OK);
                assert!(out.iter().any(|&x| x != 0.0));
                assert_eq!(pvm_engine_free(pointer(engine)), PVM_OK);
            }
        }
        // SAFETY: freed above, among the last freed.
        let second_free = unsafe { pvm_engine_free(pointer(engine)) };
        assert_eq!(second_free, PVM_ERR_INVALID_HANDLE);
        if refused {
            break;
        }
    }
    assert!(refused, "no free ever met a running call");
}

#[test]
fn capi_calls_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/capi_calls");
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty());
    for seed in &seeds {
        let data = std::fs::read(seed).unwrap();
        let replayed = std::panic::catch_unwind(|| calls::capi_calls(&data));
        assert!(replayed.is_ok(), "capi_calls fails on {}", seed.display());
    }
}
