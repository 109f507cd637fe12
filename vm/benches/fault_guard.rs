//! What the per-kernel fault guard (see `fault.rs`) costs: a chain of 32 one-pole filters
//! after a ramp, each a kernel call whose output the guard scans, run in blocks of 64 samples.
//! Kernels this cheap (a multiply-add per sample) are the guard's worst case: real modules
//! spend more per call, so its share is smaller. Written against the API the VM had before
//! the guard too, so the same file builds at the commit before fault isolation (2fda2ef) for
//! the before/after comparison (`benches/README.md`). A second chain, 16 sine oscillators each
//! into a biquad low-pass (32 calls), costs per call about what fundsp's oscillators and filters
//! do: the guard's share of a real module.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use patchvm_vm::{
    ArgRange, Executable, Instr, Kernel, KernelDecl, KernelIdx, KernelShape, Program, Reg,
};

/// Filters in the chain.
const FILTERS: usize = 32;

/// A rising ramp, 0..1, the chain's source.
struct Ramp(f32);

impl Kernel for Ramp {
    fn shape(&self) -> KernelShape {
        KernelShape {
            inputs: 0,
            outputs: 1,
            takes_feed: false,
        }
    }

    fn process(&mut self, _: &[&[f32]], outputs: &mut [&mut [f32]]) {
        for out in outputs[0].iter_mut() {
            self.0 = (self.0 + 1.0 / 480.0).fract();
            *out = self.0;
        }
    }

    fn reset(&mut self) {
        self.0 = 0.0;
    }
}

/// A one-pole low-pass: `y += 0.1 (x - y)`.
struct OnePole(f32);

impl Kernel for OnePole {
    fn shape(&self) -> KernelShape {
        KernelShape {
            inputs: 1,
            outputs: 1,
            takes_feed: false,
        }
    }

    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        for (out, &x) in outputs[0].iter_mut().zip(inputs[0]) {
            self.0 += 0.1 * (x - self.0);
            *out = self.0;
        }
    }

    fn reset(&mut self) {
        self.0 = 0.0;
    }
}

/// A sine oscillator at `self.1` cycles per sample: `sin` per sample, as fundsp's `sine`.
struct Sine(f32, f32);

impl Kernel for Sine {
    fn shape(&self) -> KernelShape {
        KernelShape {
            inputs: 0,
            outputs: 1,
            takes_feed: false,
        }
    }

    fn process(&mut self, _: &[&[f32]], outputs: &mut [&mut [f32]]) {
        for out in outputs[0].iter_mut() {
            self.0 = (self.0 + self.1).fract();
            *out = (self.0 * std::f32::consts::TAU).sin();
        }
    }

    fn reset(&mut self) {
        self.0 = 0.0;
    }
}

/// A biquad low-pass (transposed direct form II, f64 state as fundsp's `lowpass`), cutoff at a
/// tenth of the sample rate, Q 0.707.
struct Biquad([f64; 2]);

impl Biquad {
    /// Feed-forward `b0 b1 b2`, feedback `a1 a2` (RBJ cookbook, w0 = 2π/10, Q = 1/√2).
    const COEFFS: [f64; 5] = [
        0.067_455_273_889_071_9,
        0.134_910_547_778_143_8,
        0.067_455_273_889_071_9,
        -1.142_980_502_539_901,
        0.412_801_598_096_188_6,
    ];
}

impl Kernel for Biquad {
    fn shape(&self) -> KernelShape {
        KernelShape {
            inputs: 1,
            outputs: 1,
            takes_feed: false,
        }
    }

    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [b0, b1, b2, a1, a2] = Biquad::COEFFS;
        for (out, &x) in outputs[0].iter_mut().zip(inputs[0]) {
            let x = f64::from(x);
            let y = b0 * x + self.0[0];
            self.0[0] = b1 * x - a1 * y + self.0[1];
            self.0[1] = b2 * x - a2 * y;
            *out = y as f32;
        }
    }

    fn reset(&mut self) {
        self.0 = [0.0; 2];
    }
}

/// Sine `i` into register `2i + 1`, its biquad from there into `2i + 2`, each biquad played on
/// channel 0.
fn voices() -> Executable {
    const VOICES: usize = 16;
    let (mut instrs, mut args, mut kernels, mut decls) = (vec![], vec![], vec![], vec![]);
    for i in 0..VOICES {
        let (osc, out) = (Reg(2 * i as u16 + 1), Reg(2 * i as u16 + 2));
        let sine: Box<dyn Kernel> = Box::new(Sine(0.0, 0.002 + 0.001 * i as f32));
        let biquad: Box<dyn Kernel> = Box::new(Biquad([0.0; 2]));
        for (kernel, name, regs) in [
            (sine, "sine", vec![osc]),
            (biquad, "biquad", vec![osc, out]),
        ] {
            instrs.push(Instr::CallOp {
                kernel: KernelIdx(kernels.len() as u16),
                args: ArgRange {
                    start: args.len() as u32,
                    inputs: regs.len() as u8 - 1,
                    outputs: 1,
                },
            });
            args.extend(regs);
            decls.push(KernelDecl {
                name: name.into(),
                shape: kernel.shape(),
            });
            kernels.push(kernel);
        }
        instrs.push(Instr::WriteOutput {
            channel: 0,
            src: out,
        });
    }
    let program = Program {
        instrs,
        args,
        registers: 2 * VOICES as u16 + 1,
        kernels: decls,
        channels: 1,
        ..Program::default()
    };
    Executable::new(program, kernels).expect("the voices verify")
}

/// The ramp into register 1, filter `i` from register `i + 1` into `i + 2`, the last one
/// played on channel 0.
fn chain() -> Executable {
    let mut instrs = vec![Instr::CallOp {
        kernel: KernelIdx(0),
        args: ArgRange {
            start: 0,
            inputs: 0,
            outputs: 1,
        },
    }];
    let mut args = vec![Reg(1)];
    let mut kernels: Vec<Box<dyn Kernel>> = vec![Box::new(Ramp(0.0))];
    let mut decls = vec![KernelDecl {
        name: "ramp".into(),
        shape: kernels[0].shape(),
    }];
    for i in 0..FILTERS {
        instrs.push(Instr::CallOp {
            kernel: KernelIdx(i as u16 + 1),
            args: ArgRange {
                start: args.len() as u32,
                inputs: 1,
                outputs: 1,
            },
        });
        args.extend([Reg(i as u16 + 1), Reg(i as u16 + 2)]);
        kernels.push(Box::new(OnePole(0.0)));
        decls.push(KernelDecl {
            name: "one_pole".into(),
            shape: kernels[i + 1].shape(),
        });
    }
    instrs.push(Instr::WriteOutput {
        channel: 0,
        src: Reg(FILTERS as u16 + 1),
    });
    let program = Program {
        instrs,
        args,
        registers: FILTERS as u16 + 2,
        kernels: decls,
        channels: 1,
        ..Program::default()
    };
    Executable::new(program, kernels).expect("the chain verifies")
}

fn fault_guard(c: &mut Criterion) {
    let mut group = c.benchmark_group("fault_guard");
    group.throughput(Throughput::Elements(64));
    let mut executable = chain();
    group.bench_function("33_kernels_block_64", |b| {
        b.iter(|| {
            executable.run(64);
            std::hint::black_box(executable.output(0)[63])
        })
    });
    let mut executable = voices();
    group.bench_function("16_sines_16_biquads_block_64", |b| {
        b.iter(|| {
            executable.run(64);
            std::hint::black_box(executable.output(0)[63])
        })
    });
    group.finish();
}

criterion_group!(benches, fault_guard);
criterion_main!(benches);
