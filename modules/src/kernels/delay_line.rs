//! Delays: `delay`.
//!
//! A ring buffer, allocated when the node is built, long enough for the `time` parameter's
//! value (the value the patch sets, or the default) plus one block. Input `in` breaks cycles:
//! it arrives through [`Kernel::feed`] and `process` reads only `time`, so a delay can close a
//! feedback loop.
//!
//! The delay in samples is `time · sample_rate`, read every sample and limited to
//! `min..=allocated`: `min` is 0 (time 0 passes the input through) when the compiler feeds
//! before it processes, and [`MAX_BLOCK`] when the node closes a loop and is processed first,
//! because the current block's input does not exist yet. Longer times than the parameter's
//! value (from a connected `time` signal) are cut to it.
//!
//! Fractional delays interpolate linearly between the two nearest samples, rounded to 1/1024
//! sample, as every delay line built on the shared ring buffer does.

use super::{limit, param};
use crate::KernelInit;
use crate::dsp::ring::Ring;
use crate::dsp::state::same;
use crate::module::{Dsp, Module, output, port};
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};
use patchvm_vm::{Kernel, MAX_BLOCK};

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[DELAY];

/// The longest delay, in seconds.
const MAX_TIME_S: f64 = 60.0;

/// `delay`: a delay line.
pub const DELAY: Module = Module::kernel(
    ModuleSpec {
        name: "delay",
        doc: "delays its input by a time that may vary; may close a feedback loop",
        inputs: &[
            InputSpec {
                name: "in",
                doc: "the signal to delay; a connection here may close a feedback loop",
                default: 0.0,
                min: -1e6,
                max: 1e6,
                unit: Unit::Signal,
                rate: Rate::Audio,
                breaks_cycles: true,
            },
            InputSpec {
                name: "time",
                doc: "delay time; the parameter's value is also the longest a signal can ask for",
                default: 0.5,
                min: 0.0,
                max: MAX_TIME_S,
                unit: Unit::Seconds,
                rate: Rate::Audio,
                breaks_cycles: false,
            },
        ],
        outputs: &[OutputSpec {
            name: "out",
            doc: "the input, `time` ago",
            unit: Unit::Signal,
        }],
        role: Role::Kernel,
    },
    |init| init.kernel(Delay::new(init)),
)
.memory(|init| ring_len(init).saturating_mul(size_of::<f32>()));

/// `delay`: a ring buffer with separate write (feed) and read (process) positions.
#[derive(Debug)]
struct Delay {
    /// Longer than `ceil(max_delay) + 1 + MAX_BLOCK` samples, so neither sample a read interpolates
    /// between has been overwritten, whether this block was fed before or after the read.
    ring: Ring,
    /// Where the next fed sample goes.
    write: usize,
    /// Where the input sample with the same time as the next output sample is (or will be)
    /// written: `write` before the block's feed, whichever of feed and process comes first.
    read: usize,
    /// The delay limits, in samples.
    min_delay: f64,
    max_delay: f64,
    sample_rate: f64,
}

/// The shortest and longest delay, in samples, of a delay built with `init`.
fn delay_limits(init: &KernelInit) -> (f64, f64) {
    let min_delay = if init.in_feedback_loop {
        MAX_BLOCK as f64
    } else {
        0.0
    };
    let time = limit(param(&DELAY.spec, init, "time"), 0.0, MAX_TIME_S);
    // Not rounded up: a time signal equal to the parameter (0.3 s, which is 0.30000001 as
    // f32) then delays by exactly the samples the parameter asks for (14 400 at 48 kHz).
    (min_delay, (time * init.sample_rate).max(min_delay))
}

/// Samples in the ring buffer of a delay built with `init`: the longest delay and a block.
fn ring_len(init: &KernelInit) -> usize {
    // `as` saturates, and so does the addition: an absurd time or rate gives a huge length,
    // which the host's memory limit refuses before anything is allocated.
    (delay_limits(init).1.ceil() as usize).saturating_add(MAX_BLOCK + 2)
}

impl Delay {
    fn new(init: &KernelInit) -> Delay {
        let (min_delay, max_delay) = delay_limits(init);
        Delay {
            ring: Ring::new(ring_len(init)),
            write: 0,
            read: 0,
            min_delay,
            max_delay,
            sample_rate: init.sample_rate,
        }
    }
}

// Where `Delay` finds the ports of `delay`.
const DELAY_TIME: usize = port(&DELAY.spec, "time");
const DELAY_OUT: usize = output(&DELAY.spec, "out");

impl Dsp for Delay {
    /// Inputs `[time]` (seconds), outputs `[out]`; `in` arrives through `feed`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let mut now = self.read;
        for (out, &time) in outputs[DELAY_OUT].iter_mut().zip(inputs[DELAY_TIME]) {
            let delay = limit(
                f64::from(time) * self.sample_rate,
                self.min_delay,
                self.max_delay,
            );
            *out = self.ring.read(now, delay);
            now = self.ring.next(now);
        }
        self.read = now;
    }

    /// Writes `input` (the `in` signal) into the ring.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn feed(&mut self, input: &[f32]) {
        self.write = self.ring.write(self.write, input);
    }

    fn reset(&mut self) {
        self.ring.clear();
        self.write = 0;
        self.read = 0;
    }

    /// Takes over the other delay's most recent input — as much of it as both rings hold —
    /// so an edit keeps what is in the line, even when the maximum time (and so the ring's
    /// length) changed.
    ///
    /// Real-time safe: copies into this kernel's own ring; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        let Some(other) = same::<Delay>(other) else {
            return false;
        };
        // Between blocks, `read == write` (each block advances both by its length), so the
        // line is the samples before `other.write`.
        self.write = self.ring.take_over(&other.ring, other.write);
        self.read = self.write;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Chunks, Run, SR, constant, params};

    use super::*;
    use crate::build;

    fn delay(time: f64, in_feedback_loop: bool) -> Box<dyn Kernel> {
        let (spec, params) = params("delay", &[("time", time)]);
        let init = KernelInit {
            in_feedback_loop,
            ..KernelInit::new(&params, SR)
        };
        build(&spec, &init).unwrap()
    }

    fn impulse(len: usize) -> Vec<f32> {
        let mut x = vec![0.0; len];
        x[0] = 1.0;
        x
    }

    /// The impulse response's taps as (index, value), for values above 1e-6.
    fn taps(out: &[f32]) -> Vec<(usize, f32)> {
        out.iter()
            .copied()
            .enumerate()
            .filter(|(_, v)| v.abs() > 1e-6)
            .collect()
    }

    #[test]
    fn impulse_comes_out_after_time_times_sample_rate() {
        let len = 2_000;
        let x = impulse(len);
        for (time, expected) in [(0.01, 480), (0.015_625, 750), (0.001, 48), (0.0, 0)] {
            let times = constant(time as f32, len);
            let out = Run::new(&[&times], len)
                .fed(&x)
                .on(delay(time, false).as_mut());
            println!("delay {time} s: impulse at {:?}", taps(&out));
            assert_eq!(taps(&out), [(expected, 1.0)], "time {time}");
        }
    }

    #[test]
    fn in_a_loop_the_delay_is_at_least_one_block() {
        let len = 2_000;
        let x = impulse(len);
        for (time, expected) in [(0.01, 480), (0.0, MAX_BLOCK), (0.001, MAX_BLOCK)] {
            let times = constant(time as f32, len);
            for chunks in [Chunks::Full, Chunks::Random(3), Chunks::Fixed(1)] {
                let out = Run::new(&[&times], len)
                    .fed(&x)
                    .process_first()
                    .chunks(chunks)
                    .on(delay(time, true).as_mut());
                assert_eq!(taps(&out), [(expected, 1.0)], "time {time}, {chunks:?}");
            }
        }
    }

    #[test]
    fn fractional_delay_interpolates_linearly() {
        let len = 200;
        let x = impulse(len);
        // 100.25 samples: a quarter of the way from sample 100 to sample 101
        let time = 100.25 / SR;
        let times = constant(time as f32, len);
        let out = Run::new(&[&times], len)
            .fed(&x)
            .on(delay(0.01, false).as_mut());
        assert_eq!(taps(&out), [(100, 0.75), (101, 0.25)]);
    }

    #[test]
    fn time_is_limited_to_what_was_allocated() {
        let len = 3_000;
        let x = impulse(len);
        for (time, expected) in [(1.0, 480), (f32::NAN, 0), (-1.0, 0), (f32::INFINITY, 480)] {
            let times = constant(time, len);
            let out = Run::new(&[&times], len)
                .fed(&x)
                .on(delay(0.01, false).as_mut());
            assert_eq!(taps(&out), [(expected, 1.0)], "time {time}");
        }
        // 0.3 s as f32 is 0.30000001 s, 14 400.0006 samples: the parameter's 0.3 s caps it
        let len = 15_000;
        let (x, times) = (impulse(len), constant(0.3, len));
        let out = Run::new(&[&times], len)
            .fed(&x)
            .on(delay(0.3, false).as_mut());
        assert_eq!(taps(&out), [(14_400, 1.0)]);
    }

    #[test]
    fn output_does_not_depend_on_block_sizes() {
        let len = 20_000;
        let x: Vec<f32> = (0..len)
            .map(|n| ((n * 37) % 101) as f32 / 50.0 - 1.0)
            .collect();
        // a swept time, 0..10 ms and back, over the ring's wrap many times
        let times: Vec<f32> = (0..len)
            .map(|n| 0.005 * (1.0 - (n as f32 * 0.001).cos()))
            .collect();
        let inputs = [times.as_slice()];
        for in_feedback_loop in [false, true] {
            let run = |chunks| {
                let run = Run::new(&inputs, len).fed(&x).chunks(chunks);
                let run = if in_feedback_loop {
                    run.process_first()
                } else {
                    run
                };
                run.on(delay(0.01, in_feedback_loop).as_mut())
            };
            let whole = run(Chunks::Full);
            assert!(whole.iter().any(|&v| v != 0.0));
            for chunks in [
                Chunks::Random(1),
                Chunks::Random(2),
                Chunks::Fixed(1),
                Chunks::Fixed(63),
            ] {
                let other = run(chunks);
                assert!(
                    whole
                        .iter()
                        .zip(&other)
                        .all(|(a, b)| a.to_bits() == b.to_bits()),
                    "{chunks:?}, loop {in_feedback_loop}"
                );
            }
        }
    }

    #[test]
    fn reset_empties_the_line() {
        let len = 1_000;
        let x = impulse(len);
        let times = constant(0.01, len);
        let mut kernel = delay(0.01, false);
        let first = Run::new(&[&times], len).fed(&x).on(kernel.as_mut());
        kernel.reset();
        assert_eq!(first, Run::new(&[&times], len).fed(&x).on(kernel.as_mut()));
    }
}
