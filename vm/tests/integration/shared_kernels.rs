//! Kernels shared by successive programs: building the next program never touches a kernel
//! the playing one is running, and a take-over never hands a shared kernel its own state.
//! Found in review; kept as tests.

use crate::common;
use patchvm_vm::{Executable, Kernel, KernelIdx, KernelShape, SharedKernel};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Notes whether anything asks its shape while it is inside `process`.
struct Spy {
    in_process: Arc<AtomicBool>,
    asked_while_running: Arc<AtomicBool>,
}

impl Kernel for Spy {
    fn shape(&self) -> KernelShape {
        if self.in_process.load(Ordering::SeqCst) {
            self.asked_while_running.store(true, Ordering::SeqCst);
        }
        common::SOURCE
    }

    fn process(&mut self, _: &[&[f32]], outputs: &mut [&mut [f32]]) {
        self.in_process.store(true, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(100));
        outputs[0].fill(0.0);
        self.in_process.store(false, Ordering::SeqCst);
    }

    fn reset(&mut self) {}
}

#[test]
fn building_the_next_program_does_not_touch_a_kernel_the_playing_one_runs() {
    let in_process = Arc::new(AtomicBool::new(false));
    let asked_while_running = Arc::new(AtomicBool::new(false));
    let shared = SharedKernel::new(Box::new(Spy {
        in_process: Arc::clone(&in_process),
        asked_while_running: Arc::clone(&asked_while_running),
    }));
    // SAFETY: only `playing` runs; `next` is built and dropped without running.
    let mut playing =
        unsafe { Executable::with_shared(common::one_kernel("spy"), vec![shared.clone()]) }
            .unwrap();
    let audio = std::thread::spawn(move || {
        playing.run(64);
        playing
    });
    while !in_process.load(Ordering::SeqCst) {
        std::thread::yield_now();
    }
    // SAFETY: as above: `next` never runs.
    let next = unsafe { Executable::with_shared(common::one_kernel("spy"), vec![shared]) }.unwrap();
    let playing = audio.join().unwrap();
    drop((next, playing));
    assert!(
        !asked_while_running.load(Ordering::SeqCst),
        "the shape was asked of a kernel inside `process`"
    );
}

/// Notes whether it was asked to copy its own state.
struct Selfish(Arc<AtomicBool>);

impl Kernel for Selfish {
    fn shape(&self) -> KernelShape {
        common::SOURCE
    }

    fn process(&mut self, _: &[&[f32]], outputs: &mut [&mut [f32]]) {
        outputs[0].fill(0.0);
    }

    fn reset(&mut self) {}

    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        let this = std::ptr::from_ref(self).cast::<u8>();
        let other = std::ptr::from_ref(other).cast::<u8>();
        if this == other {
            self.0.store(true, Ordering::SeqCst);
        }
        true
    }
}

#[test]
fn a_take_over_never_copies_a_shared_kernel_into_itself() {
    let aliased = Arc::new(AtomicBool::new(false));
    let shared = SharedKernel::new(Box::new(Selfish(Arc::clone(&aliased))));
    // SAFETY: one thread, one executable used at a time.
    let mut old =
        unsafe { Executable::with_shared(common::one_kernel("spy"), vec![shared.clone()]) }
            .unwrap();
    // SAFETY: as above.
    let mut new =
        unsafe { Executable::with_shared(common::one_kernel("spy"), vec![shared]) }.unwrap();
    assert!(new.take_over(&mut old, &[KernelIdx(0)], &[]));
    let copied = new.take_over_changed(&old, &[(KernelIdx(0), KernelIdx(0))], &[]);
    assert_eq!(copied, 0);
    assert!(
        !aliased.load(Ordering::SeqCst),
        "copy_state_from got a kernel and itself"
    );
}
