//! Sequencing: `ctl.metro`, `ctl.counter` and `ctl.steps`, the clock, counter and step
//! sequencer of the control family (the rest is in [`control`](super::control), including how
//! triggers are read: on rising edges, a trigger high on sample 0 being an edge there).
//!
//! `ctl.metro` emits a one-sample 1.0 every `1/freq` seconds, the first on sample 0. `ctl.counter` counts rising edges of `trig` and wraps to 0 at `max`; a rising edge
//! of `reset` sets it to 0 (and wins over a trigger on the same sample). `ctl.steps` outputs one
//! of its eight step inputs: `step0` until the second trigger, then the next step on each
//! trigger, wrapping after `length` steps. The first trigger *starts* the sequence on `step0`
//! rather than advancing past it, so a clock whose first tick is on sample 0 (a metro) plays
//! `step0` for a whole step. Counts and indices are limited so they stay below `max` and
//! `length` even while those inputs move.

use super::control::{TRIG, integer};
use super::limit;
use super::spec::{out, signal};
use crate::dsp::clock::Clock;
use crate::dsp::edge::RisingEdge;
use crate::dsp::state::copy_whole;
use crate::module::{Dsp, Module, output, port};
use patchvm_ir::{InputSpec, ModuleSpec, Rate, Role, Unit};
use patchvm_vm::Kernel;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[METRO, COUNTER, STEPS_SPEC];

/// The most counts `ctl.counter` wraps at.
const MAX_COUNT: f64 = 65_536.0;
/// The number of steps of `ctl.steps`.
const STEPS: usize = 8;

/// `ctl.metro`: a clock of one-sample impulses.
pub const METRO: Module = Module::kernel(
    ModuleSpec {
        name: "ctl.metro",
        doc: "one-sample impulses of 1.0 at freq per second, the first on sample 0",
        inputs: &[InputSpec {
            name: "freq",
            doc: "impulses per second (0 stops the clock)",
            default: 2.0,
            min: 0.0,
            max: 1000.0,
            unit: Unit::Hz,
            rate: Rate::Audio,
            breaks_cycles: false,
        }],
        outputs: &[out("1.0 on each tick, else 0")],
        role: Role::Kernel,
    },
    |init| init.kernel(Metro(Clock::new(init.sample_rate))),
);

/// `ctl.counter`: counts triggers.
pub const COUNTER: Module = Module::kernel(
    ModuleSpec {
        name: "ctl.counter",
        doc: "counts rising edges of trig, wrapping to 0 at max; a rising edge of reset sets 0",
        inputs: &[
            TRIG,
            signal("reset", "a rising edge sets the count to 0", 0.0),
            integer(
                "max",
                "the count wraps to 0 on reaching this",
                16.0,
                1.0,
                MAX_COUNT,
            ),
        ],
        outputs: &[out("the count, 0..max-1")],
        role: Role::Kernel,
    },
    |init| init.kernel(Counter::default()),
);

const STEP: InputSpec = signal("", "the value of this step", 0.0);

/// `ctl.steps`: an eight-step sequencer.
pub const STEPS_SPEC: Module = Module::kernel(
    ModuleSpec {
        name: "ctl.steps",
        doc: "eight-step sequencer: step0 until the second trigger, then one step per trigger",
        inputs: &[
            TRIG,
            InputSpec {
                name: "step0",
                ..STEP
            },
            InputSpec {
                name: "step1",
                ..STEP
            },
            InputSpec {
                name: "step2",
                ..STEP
            },
            InputSpec {
                name: "step3",
                ..STEP
            },
            InputSpec {
                name: "step4",
                ..STEP
            },
            InputSpec {
                name: "step5",
                ..STEP
            },
            InputSpec {
                name: "step6",
                ..STEP
            },
            InputSpec {
                name: "step7",
                ..STEP
            },
            integer(
                "length",
                "how many steps play before wrapping to step0",
                8.0,
                1.0,
                8.0,
            ),
        ],
        outputs: &[out("the current step's value")],
        role: Role::Kernel,
    },
    |init| init.kernel(Steps::default()),
);

/// `ctl.metro`: a [`Clock`] as impulses.
#[derive(Clone, Debug)]
struct Metro(Clock);

// Where `Metro` finds the ports of `ctl.metro`.
const METRO_FREQ: usize = port(&METRO.spec, "freq");
const METRO_OUT: usize = output(&METRO.spec, "out");

impl Dsp for Metro {
    /// Inputs `[freq]` (Hz), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        for (out, &freq) in outputs[METRO_OUT].iter_mut().zip(inputs[METRO_FREQ]) {
            *out = if self.0.tick(f64::from(freq)) {
                1.0
            } else {
                0.0
            };
        }
    }

    fn reset(&mut self) {
        self.0.reset();
    }

    /// Keeps the clock's phase, so an edit of the rate does not restart the beat.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

/// A whole-number input rounded and limited to `1..=max` (NaN as 1).
#[inline]
fn count_limit(x: f32, max: f64) -> u32 {
    limit(f64::from(x).round(), 1.0, max) as u32
}

/// `ctl.counter`: rising edges of `trig` modulo `max`.
#[derive(Clone, Debug, Default)]
struct Counter {
    trig: RisingEdge,
    reset: RisingEdge,
    count: u32,
}

// Where `Counter` finds the ports of `ctl.counter`.
const COUNTER_TRIG: usize = port(&COUNTER.spec, "trig");
const COUNTER_RESET: usize = port(&COUNTER.spec, "reset");
const COUNTER_MAX: usize = port(&COUNTER.spec, "max");
const COUNTER_OUT: usize = output(&COUNTER.spec, "out");

impl Dsp for Counter {
    /// Inputs `[trig, reset, max]`, outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [trig, reset, max] = [
            inputs[COUNTER_TRIG],
            inputs[COUNTER_RESET],
            inputs[COUNTER_MAX],
        ];
        for (i, out) in outputs[COUNTER_OUT].iter_mut().enumerate() {
            let max = count_limit(max[i], MAX_COUNT);
            // Both detectors see every sample, so an edge hidden by the other is not kept.
            let (reset, trig) = (self.reset.rises(reset[i]), self.trig.rises(trig[i]));
            if reset {
                self.count = 0;
            } else if trig {
                self.count = (self.count % max + 1) % max;
            }
            *out = (self.count % max) as f32;
        }
    }

    fn reset(&mut self) {
        *self = Counter::default();
    }

    /// Keeps the count and both triggers' last levels.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

/// `ctl.steps`: an index into eight step inputs.
#[derive(Clone, Debug, Default)]
struct Steps {
    edge: RisingEdge,
    index: usize,
    /// Whether the first trigger (which starts on step 0 rather than advancing) has come.
    started: bool,
}

// Where `Steps` finds the ports of `ctl.steps`.
const STEPS_SPEC_TRIG: usize = port(&STEPS_SPEC.spec, "trig");
const STEPS_SPEC_STEPS: std::ops::Range<usize> =
    port(&STEPS_SPEC.spec, "step0")..port(&STEPS_SPEC.spec, "step7") + 1;
const STEPS_SPEC_LENGTH: usize = port(&STEPS_SPEC.spec, "length");
const STEPS_SPEC_OUT: usize = output(&STEPS_SPEC.spec, "out");

impl Dsp for Steps {
    /// Inputs `[trig, step0, .., step7, length]`, outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let (trig, length) = (inputs[STEPS_SPEC_TRIG], inputs[STEPS_SPEC_LENGTH]);
        let steps = &inputs[STEPS_SPEC_STEPS];
        for (i, out) in outputs[STEPS_SPEC_OUT].iter_mut().enumerate() {
            let length = count_limit(length[i], STEPS as f64) as usize;
            if self.edge.rises(trig[i]) {
                if self.started {
                    self.index = (self.index % length + 1) % length;
                } else {
                    self.started = true;
                }
            }
            *out = steps[self.index % length][i];
        }
    }

    fn reset(&mut self) {
        *self = Steps::default();
    }

    /// Keeps the step, whether it has started, and the trigger's last level.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Run, SR, constant, kernel, run};

    #[test]
    fn metro_ticks_every_period_from_sample_zero() {
        for (freq, len) in [(1000.0_f32, 4_800), (7.0, 96_000), (440.0, 48_000)] {
            let out = run("ctl.metro", &[&constant(freq, len)]);
            assert!(out.iter().all(|&v| v == 0.0 || v == 1.0));
            let ticks: Vec<usize> = (0..len).filter(|&n| out[n] == 1.0).collect();
            let period = SR / f64::from(freq);
            let worst = ticks
                .iter()
                .enumerate()
                .map(|(k, &n)| (n as f64 - k as f64 * period).abs())
                .fold(0.0, f64::max);
            println!(
                "metro {freq} Hz: {} ticks, each within {worst:.3} samples of k·{period:.3}",
                ticks.len()
            );
            assert_eq!(ticks[0], 0);
            assert_eq!(ticks.len(), (len as f64 / period).ceil() as usize);
            assert!(worst < 1.0);
        }
        // Exact periods stay exact: 1000 Hz is every 48 samples.
        let out = run("ctl.metro", &[&constant(1000.0, 4_800)]);
        assert!((0..4_800).all(|n| (out[n] == 1.0) == (n % 48 == 0)));
        // 0 Hz: only the first tick.
        let stopped = run("ctl.metro", &[&constant(0.0, 1_000)]);
        assert_eq!(stopped.iter().sum::<f32>(), 1.0);
    }

    #[test]
    fn counter_counts_edges_wraps_and_resets() {
        let len = 48_000;
        let clock = run("ctl.metro", &[&constant(100.0, len)]);
        let mut reset = vec![0.0; len];
        reset[30_000..30_010].fill(1.0);
        let out = run("ctl.counter", &[&clock, &reset, &constant(16.0, len)]);
        // Ticks at 0, 480, ...: after tick k (from 0) the count is (k + 1) mod 16.
        for n in (0..30_000).step_by(97) {
            assert_eq!(out[n], ((n / 480 + 1) % 16) as f32, "sample {n}");
        }
        // The reset at 30 000 zeroes it; the next tick (30 240) counts 1.
        assert_eq!(out[30_000], 0.0);
        assert_eq!(out[30_239], 0.0);
        assert_eq!(out[30_240], 1.0);
        let top = out.iter().fold(0.0_f32, |m, &v| m.max(v));
        assert_eq!(top, 15.0, "wraps before reaching max");
        // Shrinking max keeps the count below it.
        let small = run(
            "ctl.counter",
            &[&clock, &constant(0.0, len), &constant(3.0, len)],
        );
        assert!(small.iter().all(|&v| v < 3.0));
        assert_eq!(small[480 * 5], 0.0, "six ticks: 6 mod 3");
    }

    #[test]
    fn steps_play_from_step0_and_advance_on_each_later_trigger() {
        let len = 48_000;
        let clock = run("ctl.metro", &[&constant(10.0, len)]);
        let values: Vec<Vec<f32>> = (0..8).map(|k| constant(100.0 + k as f32, len)).collect();
        let sequence = |length: f32| {
            let length = constant(length, len);
            let mut inputs: Vec<&[f32]> = vec![&clock];
            inputs.extend(values.iter().map(Vec::as_slice));
            inputs.push(&length);
            Run::new(&inputs, len).on(kernel("ctl.steps", &[]).as_mut())
        };
        // Ticks every 4 800 samples, the first on sample 0: step k plays during tick k.
        let eight = sequence(8.0);
        let three = sequence(3.0);
        for n in (0..len).step_by(211) {
            let tick = n / 4_800;
            assert_eq!(eight[n], 100.0 + (tick % 8) as f32, "sample {n}");
            assert_eq!(three[n], 100.0 + (tick % 3) as f32, "sample {n}");
        }
        // Before any trigger: step0.
        let silent = constant(0.0, len);
        let mut inputs: Vec<&[f32]> = vec![&silent];
        inputs.extend(values.iter().map(Vec::as_slice));
        let length = constant(8.0, len);
        inputs.push(&length);
        let idle = Run::new(&inputs, 100).on(kernel("ctl.steps", &[]).as_mut());
        assert_eq!(idle, constant(100.0, 100));
    }
}
