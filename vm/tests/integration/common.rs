//! What several subjects build their programs from: one kernel that makes a signal.

use patchvm_vm::{ArgRange, Instr, KernelDecl, KernelIdx, KernelShape, Program, Reg};

/// A kernel with no inputs and one output.
pub const SOURCE: KernelShape = KernelShape {
    inputs: 0,
    outputs: 1,
    takes_feed: false,
};

/// One call of kernel `name` (shaped [`SOURCE`]) into register 1, which channel 0 plays. Tests
/// that need more registers, channels or slots change the fields they need.
pub fn one_kernel(name: &str) -> Program {
    Program {
        instrs: vec![
            Instr::CallOp {
                kernel: KernelIdx(0),
                args: ArgRange {
                    start: 0,
                    inputs: 0,
                    outputs: 1,
                },
            },
            Instr::WriteOutput {
                channel: 0,
                src: Reg(1),
            },
        ],
        args: vec![Reg(1)],
        registers: 2,
        kernels: vec![KernelDecl {
            name: name.into(),
            shape: SOURCE,
        }],
        channels: 1,
        ..Program::default()
    }
}
