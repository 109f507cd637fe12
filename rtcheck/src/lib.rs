//! What patchvm's real-time proofs share. A proof that nothing allocates is only as good as
//! the detector behind it: `assert_no_alloc` is a no-op in release builds with its default
//! features, and RealtimeSanitizer sees only what a function marked real-time calls. So each
//! test binary that proves "does not allocate" also proves, in the profile it was built in,
//! that its detector fires ([`assert_allocation_detected`]); and under RealtimeSanitizer
//! (`.ci/run` builds with `-Zsanitizer=realtime --cfg rtsan`), tests prove that a lock or an
//! allocation inside a function marked real-time is caught ([`assert_child_dies`] around
//! [`realtime`] or a marked audio entry point).
//!
//! Both detectors abort the process, so a check runs its probe in a child: this very test
//! binary run again on the one test, which must die with the detector's message.
//!
//! ```no_run
//! #[test]
//! fn the_allocation_detector_fires() {
//!     patchvm_rtcheck::assert_allocation_detected(module_path!(), "the_allocation_detector_fires");
//! }
//! ```
#![deny(missing_docs)]
#![cfg_attr(rtsan, feature(sanitize))]

use std::process::Command;

/// Set in the child to the name of the test whose probe it runs.
const CHILD: &str = "PATCHVM_RTCHECK_CHILD";

/// Runs `f` as real-time code. Built with RealtimeSanitizer (`--cfg rtsan`), any `malloc`,
/// `free`, pthread lock, contended `std::sync::Mutex` (its `futex` system call) or blocking
/// call made inside aborts the process with a report; otherwise it simply calls `f`.
///
/// Real-time safe: adds nothing to `f`.
#[cfg_attr(rtsan, sanitize(realtime = "nonblocking"))]
pub fn realtime<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Asserts that this test binary's global allocator aborts on an allocation inside
/// `assert_no_alloc`, in the profile it was built in (debug or release). Call it from a test
/// named `test` in the module `module_path` (pass `module_path!()`).
///
/// # Panics
///
/// When the child allocated and lived: the proofs of this binary would pass vacuously.
pub fn assert_allocation_detected(module_path: &str, test: &str) {
    let probe = || {
        assert_no_alloc::assert_no_alloc(|| drop(std::hint::black_box(Box::new(0x5eed_u64))));
    };
    assert_child_dies(
        module_path,
        test,
        probe,
        "memory allocation of 8 bytes failed",
    );
}

/// Runs `probe` in a child process (this test binary, run on the test `test` of module
/// `module_path` alone) and asserts that the child died with `message` on its standard error.
/// In the child, runs `probe` and returns: the child then passes, which fails the parent.
///
/// # Panics
///
/// When the child succeeded, or failed without `message`.
pub fn assert_child_dies(module_path: &str, test: &str, probe: impl FnOnce(), message: &str) {
    let name = test_name(module_path, test);
    if std::env::var_os(CHILD).is_some_and(|child| child == name.as_str()) {
        probe();
        return;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let output = Command::new(exe)
        .args([name.as_str(), "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD, &name)
        .output()
        .expect("the test binary runs again");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && stderr.contains(message),
        "the probe in `{name}` should have died with `{message}`, but the child ended with \
         {}:\n{}\n{stderr}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
    );
}

/// The test's name as the test harness knows it: `module_path` without the crate's name,
/// then `test`.
fn test_name(module_path: &str, test: &str) -> String {
    match module_path.split_once("::") {
        Some((_, module)) => format!("{module}::{test}"),
        None => test.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[global_allocator]
    static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

    #[test]
    fn test_names_drop_the_crate() {
        assert_eq!(test_name("patchvm_vm", "x"), "x");
        assert_eq!(test_name("integration::realtime", "x"), "realtime::x");
        assert_eq!(test_name("a::b::c", "x"), "b::c::x");
    }

    #[test]
    fn an_allocation_inside_the_guard_aborts() {
        assert_allocation_detected(module_path!(), "an_allocation_inside_the_guard_aborts");
    }

    #[test]
    fn a_probe_that_lives_fails_the_check() {
        // The child of this test runs `probe` (nothing) and lives: the check must say so.
        let checked = std::panic::catch_unwind(|| {
            assert_child_dies(
                module_path!(),
                "a_probe_that_lives_fails_the_check",
                || {},
                "x",
            )
        });
        if std::env::var_os(CHILD).is_none() {
            assert!(checked.is_err());
        }
    }

    #[cfg(rtsan)]
    #[test]
    fn realtime_sanitizer_sees_malloc_in_a_real_time_function() {
        let probe = || drop(realtime(|| std::hint::black_box(vec![1_u8; 3])));
        assert_child_dies(
            module_path!(),
            "realtime_sanitizer_sees_malloc_in_a_real_time_function",
            probe,
            "real-time unsafe function `malloc`",
        );
    }

    #[cfg(rtsan)]
    #[test]
    fn realtime_sanitizer_sees_a_contended_mutex_in_a_real_time_function() {
        use std::sync::{Arc, Mutex};
        let probe = || {
            let mutex = Arc::new(Mutex::new(0_u32));
            let held = mutex.lock().unwrap();
            let other = Arc::clone(&mutex);
            let audio = std::thread::spawn(move || realtime(|| *other.lock().unwrap()));
            // The audio thread finds the lock held and waits in `futex`, which the sanitizer
            // reports (aborting the process) before this thread lets go.
            std::thread::sleep(std::time::Duration::from_secs(5));
            drop(held);
            audio.join().unwrap();
        };
        assert_child_dies(
            module_path!(),
            "realtime_sanitizer_sees_a_contended_mutex_in_a_real_time_function",
            probe,
            "real-time unsafe function `syscall`",
        );
    }
}
