//! The test binary's one global allocator. It forwards to `assert_no_alloc`'s `AllocDisabler`,
//! so `assert_no_alloc` aborts on any allocation inside its closure, and it counts what the
//! current thread allocates and frees inside `counted`, for tests that report counts (the
//! audio half over thousands of swaps) or bound sizes (a limit refused before allocating).
//! The counts are the thread's own, so tests running side by side in this binary never see
//! each other's allocations.

use assert_no_alloc::AllocDisabler;
use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

/// What one thread allocated and freed inside `counted`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Allocations {
    /// Allocations (a `realloc` counts as one allocation and one free).
    pub allocations: u64,
    /// Frees.
    pub frees: u64,
    /// The largest single allocation, in bytes.
    pub largest: usize,
}

thread_local! {
    /// `Some` while the thread runs inside `counted`: what it has allocated so far.
    static COUNTING: Cell<Option<Allocations>> = const { Cell::new(None) };
}

/// Counts what the current thread allocates and frees while `f` runs.
pub fn counted<R>(f: impl FnOnce() -> R) -> (R, Allocations) {
    let outer = COUNTING.with(|counts| counts.replace(Some(Allocations::default())));
    let result = f();
    let counts = COUNTING.with(|counts| counts.replace(outer));
    (result, counts.expect("set above"))
}

/// Adds to the current thread's counts, if it is counting. A `const` thread-local without a
/// destructor: touching it never allocates, and `try_with` copes with threads being torn down.
fn note(allocations: u64, frees: u64, size: usize) {
    let _ = COUNTING.try_with(|counts| {
        if let Some(mut now) = counts.get() {
            now.allocations += allocations;
            now.frees += frees;
            now.largest = now.largest.max(size);
            counts.set(Some(now));
        }
    });
}

/// Counts, then forwards to `AllocDisabler`.
struct Counting;

// SAFETY: every method forwards to `AllocDisabler` (which forwards to `System`) with the
// caller's arguments unchanged; the counting touches only a `const` thread-local, which does
// not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(1, 0, layout.size());
        // SAFETY: forwarded as is; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { AllocDisabler.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(1, 0, layout.size());
        // SAFETY: as above.
        unsafe { AllocDisabler.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(0, 1, 0);
        // SAFETY: as above; `ptr` came from `AllocDisabler` through this allocator.
        unsafe { AllocDisabler.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(1, 1, new_size);
        // SAFETY: as above.
        unsafe { AllocDisabler.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn the_allocation_detector_fires() {
    patchvm_rtcheck::assert_allocation_detected(module_path!(), "the_allocation_detector_fires");
}

#[test]
fn counted_sees_this_threads_allocations_only() {
    let ((), counts) = counted(|| {
        drop(std::hint::black_box(vec![0u8; 16]));
        std::thread::spawn(|| drop(std::hint::black_box(vec![0u8; 1 << 20])))
            .join()
            .unwrap();
    });
    assert!(counts.allocations >= 1 && counts.frees >= 1);
    assert!(
        counts.largest >= 16 && counts.largest < 1 << 20,
        "{counts:?}"
    );
}
