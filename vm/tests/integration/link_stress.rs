//! The real-time link under load, in the manner of rtrb's own stress tests: a control thread
//! publishes programs and sends events as fast as the queues take them while an audio thread
//! plays blocks of random lengths, each side on its own thread. No program is taken twice or
//! skipped, none is lost on the way back, events are neither lost nor duplicated nor
//! reordered, and every program the audio half gives back is freed on the control thread,
//! never on the audio thread. Counts are scaled down under Miri.

use crate::common;
use patchvm_vm::live::{Action, Event, LinkSettings, Loaded, ParamKey, Returned, Takeover, link};
use patchvm_vm::{Executable, Instr, Kernel, KernelShape, ParamIdx, Reg};
use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Programs published (every third a structural edit: a transition, then the program).
const PROGRAMS: u64 = if cfg!(miri) { 12 } else { 3_000 };
/// At most this many events follow each program.
const EVENTS_PER_PROGRAM: u64 = if cfg!(miri) { 3 } else { 24 };

thread_local! {
    /// Set on the audio thread, so a kernel dropped there is noticed.
    static ON_AUDIO_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Kernels built, dropped, and dropped on the audio thread: one kernel per executable, so
/// these count programs.
#[derive(Default)]
struct Drops {
    built: AtomicUsize,
    dropped: AtomicUsize,
    on_audio_thread: AtomicUsize,
}

/// Outputs its program's generation, so the output says which program played; counts its
/// drop.
struct Tracked {
    generation: f32,
    drops: Arc<Drops>,
}

impl Kernel for Tracked {
    fn shape(&self) -> KernelShape {
        common::SOURCE
    }

    fn process(&mut self, _: &[&[f32]], outputs: &mut [&mut [f32]]) {
        outputs[0].fill(self.generation);
    }

    fn reset(&mut self) {}
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.drops.dropped.fetch_add(1, Ordering::SeqCst);
        if ON_AUDIO_THREAD.with(Cell::get) {
            self.drops.on_audio_thread.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Program `generation`: channel 0 plays parameter slot 0 (key 0, which events set, carried
/// across every take-over), channel 1 the generation, from its kernel.
fn program(generation: u64, drops: &Arc<Drops>) -> Box<Loaded> {
    let build = |then| {
        // The kernel writes register 2; slot 0 holds register 1. Channel 0 plays the slot,
        // channel 1 the kernel.
        let mut program = common::one_kernel("tracked");
        program.args = vec![Reg(2)];
        program.registers = 3;
        program.instrs.push(Instr::WriteOutput {
            channel: 1,
            src: Reg(2),
        });
        program.channels = 2;
        program.params = vec![0.0];
        program.param_regs = vec![Reg(1)];
        drops.built.fetch_add(1, Ordering::SeqCst);
        let kernel = Tracked {
            generation: generation as f32,
            drops: Arc::clone(drops),
        };
        Box::new(Loaded {
            executable: Executable::new(program, vec![Box::new(kernel)]).unwrap(),
            keys: vec![(ParamKey(0), ParamIdx(0))],
            generation,
            takeover: Takeover::Changed {
                copied: vec![],
                params: vec![(ParamIdx(0), ParamIdx(0))],
                glide: Vec::new(),
            },
            fade: 64,
            then,
            tail: None,
            quantize: None,
            probes: Default::default(),
        })
    };
    let steady = build(None);
    if generation.is_multiple_of(3) {
        build(Some(steady))
    } else {
        steady
    }
}

/// A small, fixed pseudo-random sequence (no dependency, same on every machine).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// What the control thread saw come back.
#[derive(Debug, Default)]
struct Received {
    /// Generations in the order their `Taken` receipts came.
    taken: Vec<u64>,
    /// Generations in the order their `Settled` receipts came.
    settled: Vec<u64>,
    /// Programs retired (and freed here).
    retired: usize,
}

impl Received {
    fn take(&mut self, returned: Returned) {
        match returned {
            Returned::Taken { generation, .. } => self.taken.push(generation),
            Returned::Settled { generation, .. } => self.settled.push(generation),
            Returned::Retired(program) => {
                self.retired += 1;
                drop(program);
            }
        }
    }
}

#[test]
fn programs_and_events_cross_the_link_whole_and_in_order_under_load() {
    let (mut remote, mut audio) = link(LinkSettings {
        channels: 2,
        event_capacity: 16,
        swap_capacity: 4,
        ..LinkSettings::default()
    });
    let drops = Arc::new(Drops::default());
    let stop = Arc::new(AtomicBool::new(false));

    let audio_thread = std::thread::spawn({
        let stop = Arc::clone(&stop);
        move || {
            ON_AUDIO_THREAD.with(|flag| flag.set(true));
            let mut rng = Lcg(3);
            let mut buffer = vec![0.0_f32; 2 * 200];
            let (mut value, mut generation, mut blocks) = (0.0_f32, 0.0_f32, 0u64);
            while !stop.load(Ordering::Acquire) {
                let frames = 1 + rng.below(200) as usize;
                let out = &mut buffer[..2 * frames];
                audio.process(out);
                blocks += 1;
                for frame in out.chunks_exact(2) {
                    assert!(
                        frame[0] >= value,
                        "event values went back: {value} then {}",
                        frame[0]
                    );
                    assert!(
                        frame[1] >= generation,
                        "programs went back: {generation} then {}",
                        frame[1]
                    );
                    (value, generation) = (frame[0], frame[1]);
                }
            }
            (audio, value, blocks)
        }
    });

    let mut rng = Lcg(5);
    let mut received = Received::default();
    let (mut queued, mut refused, mut last_value) = (0u64, 0u64, 0.0_f32);
    for generation in 1..=PROGRAMS {
        let mut next = program(generation, &drops);
        loop {
            match remote.publish(next) {
                Ok(()) => break,
                Err(back) => next = back,
            }
            while let Some(returned) = remote.receive() {
                received.take(returned);
            }
            assert!(!audio_thread.is_finished(), "the audio thread ended");
            std::thread::yield_now();
        }
        for _ in 0..rng.below(EVENTS_PER_PROGRAM + 1) {
            let value = (queued + refused + 1) as f32;
            let event = Event {
                time: 0,
                key: ParamKey(0),
                action: Action::Set(value),
                generation,
            };
            if remote.send(event) {
                queued += 1;
                last_value = value;
            } else {
                refused += 1;
            }
        }
        while let Some(returned) = remote.receive() {
            received.take(returned);
        }
    }
    // Until the last program has settled and every queued event has played.
    let settled = |received: &Received| {
        if PROGRAMS.is_multiple_of(3) {
            received.settled.last() == Some(&PROGRAMS)
        } else {
            received.taken.last() == Some(&PROGRAMS)
        }
    };
    while !settled(&received) || remote.metrics().snapshot().applied_events < queued {
        while let Some(returned) = remote.receive() {
            received.take(returned);
        }
        assert!(!audio_thread.is_finished(), "the audio thread ended");
        std::thread::yield_now();
    }
    stop.store(true, Ordering::Release);
    let (audio, value, blocks) = audio_thread.join().unwrap();
    while let Some(returned) = remote.receive() {
        received.take(returned);
    }

    let metrics = remote.metrics().snapshot();
    println!("{blocks} blocks, {queued} events queued, {refused} refused by a full queue");
    let transitions = PROGRAMS / 3;
    assert!(blocks > 0);
    assert_eq!(
        received.taken,
        (1..=PROGRAMS).collect::<Vec<_>>(),
        "each program taken once, in order"
    );
    assert_eq!(
        received.settled,
        (1..=transitions).map(|k| 3 * k).collect::<Vec<_>>()
    );
    // Every executable but the one playing came back: each program, and each transition.
    assert_eq!(received.retired as u64, PROGRAMS + transitions - 1);
    assert_eq!(metrics.swaps, PROGRAMS);
    assert_eq!(
        (metrics.applied_events, metrics.unrouted_events),
        (queued, 0)
    );
    assert_eq!(metrics.dropped_events, refused);
    assert_eq!(
        value, last_value,
        "the last event queued is the last played"
    );
    drop(audio);
    let built = drops.built.load(Ordering::SeqCst);
    assert_eq!(built as u64, PROGRAMS + transitions);
    assert_eq!(
        drops.dropped.load(Ordering::SeqCst),
        built,
        "every program freed"
    );
    assert_eq!(
        drops.on_audio_thread.load(Ordering::SeqCst),
        0,
        "freed on the audio thread"
    );
}
