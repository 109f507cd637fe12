//! The instruction set: one table of ops, each with the formula it computes.
//!
//! Naming: an op's mnemonic is its variant name in `SCREAMING_SNAKE_CASE` (`CALL_OP` is the
//! exception, named as in the seeds); operands read `sources -> destinations`, except
//! `LOAD_CONST dst, value`. Parameters need no op: each parameter slot owns a register that
//! holds its value ([`Program::param_regs`](crate::Program::param_regs)). [`Instr::registers`] is the one operand walk that the verifier and
//! the compiler's tests share; [`Instr::write_text`] is the one disassembly.

use crate::index::{ArgRange, KernelIdx, Reg, RegList};
use std::fmt;

/// One instruction. Every op processes a whole block, so dispatch cost is amortised over up to
/// 64 samples; the enum stays small and `Copy` (its size is pinned by a test).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Instr {
    /// `dst[i] = value`
    LoadConst {
        /// Destination register.
        dst: Reg,
        /// The constant.
        value: f32,
    },
    /// `dst[i] = lhs[i] + rhs[i]` — sums the connections into one input.
    Add {
        /// Destination register.
        dst: Reg,
        /// Left operand.
        lhs: Reg,
        /// Right operand.
        rhs: Reg,
    },
    /// `dst[i] = ((terms[0][i] + terms[1][i]) + terms[2][i]) + …`, left to right — sums the
    /// connections into one input when there are more than two: one instruction, the running
    /// sum kept in the CPU's registers, instead of a chain of `ADD`s through memory.
    Sum {
        /// Destination register.
        dst: Reg,
        /// The terms, in the order they are added; at least 2.
        terms: RegList,
    },
    /// `outputs = kernel.process(inputs)` — runs one module instance for the block.
    CallOp {
        /// The kernel instance.
        kernel: KernelIdx,
        /// Its input and output registers.
        args: ArgRange,
    },
    /// `outputs[l] = kernel[l].process(inputs[l])` for each lane `l < lanes` — runs `lanes`
    /// instances of one module, kernels `kernel..kernel + lanes`, side by side in SIMD lanes
    /// ([`Kernel::process_lanes`](crate::Kernel::process_lanes)), or one after the other when
    /// the kernel has no lane form. `args` gives the inputs and outputs of one lane; the pool
    /// holds them port by port: `lanes` registers for each input, then for each output.
    CallLanes {
        /// The first kernel instance.
        kernel: KernelIdx,
        /// How many instances, at least 2.
        lanes: u8,
        /// The counts of one lane's inputs and outputs, and where the registers start.
        args: ArgRange,
    },
    /// `kernel.feed(src)` — hands a cycle-breaking kernel (a delay) its input for the block.
    Feed {
        /// The kernel instance.
        kernel: KernelIdx,
        /// The input register.
        src: Reg,
    },
    /// `dst[i] = in[channel][i]` — the host's audio input.
    ReadInput {
        /// Destination register.
        dst: Reg,
        /// Input channel, from 0.
        channel: u8,
    },
    /// `out[channel][i] += src[i]`
    WriteOutput {
        /// Output channel, from 0.
        channel: u8,
        /// Source register.
        src: Reg,
    },
    /// `sink[signal][i] = src[i]` — hands a sink's signal to the host (see [`crate::sink`]).
    WriteSink {
        /// The sink signal, from 0.
        signal: u16,
        /// Source register.
        src: Reg,
    },
}

/// Whether an operand is read or written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// The instruction reads the register.
    Read,
    /// The instruction writes the register.
    Write,
}

impl Instr {
    /// Calls `visit` with every register operand and whether it is read or written, reads
    /// first. Argument-pool operands are looked up in `args`; indices out of range are passed
    /// to `bad_range` instead (only the verifier sees such programs).
    pub fn registers(
        &self,
        args: &[Reg],
        mut visit: impl FnMut(Reg, Access),
        mut bad_range: impl FnMut(std::ops::Range<usize>),
    ) {
        match *self {
            Instr::LoadConst { dst, .. } | Instr::ReadInput { dst, .. } => {
                visit(dst, Access::Write)
            }
            Instr::Add { dst, lhs, rhs } => {
                visit(lhs, Access::Read);
                visit(rhs, Access::Read);
                visit(dst, Access::Write);
            }
            Instr::Sum { dst, terms } => match args.get(terms.range()) {
                Some(terms) => {
                    terms.iter().for_each(|&reg| visit(reg, Access::Read));
                    visit(dst, Access::Write);
                }
                None => bad_range(terms.range()),
            },
            Instr::CallOp { args: range, .. } => match args.get(range.whole_range()) {
                Some(_) => {
                    args[range.input_range()]
                        .iter()
                        .for_each(|&reg| visit(reg, Access::Read));
                    args[range.output_range()]
                        .iter()
                        .for_each(|&reg| visit(reg, Access::Write));
                }
                None => bad_range(range.whole_range()),
            },
            Instr::CallLanes {
                args: range, lanes, ..
            } => match args.get(range.lanes_range(lanes)) {
                Some(_) => {
                    args[range.lanes_input_range(lanes)]
                        .iter()
                        .for_each(|&reg| visit(reg, Access::Read));
                    args[range.lanes_output_range(lanes)]
                        .iter()
                        .for_each(|&reg| visit(reg, Access::Write));
                }
                None => bad_range(range.lanes_range(lanes)),
            },
            Instr::Feed { src, .. }
            | Instr::WriteOutput { src, .. }
            | Instr::WriteSink { src, .. } => visit(src, Access::Read),
        }
    }

    /// Writes the instruction as disassembly text, e.g. `CALL_OP      osc_sine, r1 -> r2`.
    /// `kernel_name` names kernel instances; `channel_name` names output channels.
    pub fn write_text(
        &self,
        f: &mut dyn fmt::Write,
        args: &[Reg],
        kernel_name: &dyn Fn(KernelIdx) -> String,
        channel_name: &dyn Fn(u8) -> Option<&'static str>,
    ) -> fmt::Result {
        let list = |regs: &[Reg]| {
            regs.iter()
                .map(Reg::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match *self {
            Instr::LoadConst { dst, value } => write!(f, "{:<12} {dst}, {value}", "LOAD_CONST"),
            Instr::Add { dst, lhs, rhs } => write!(f, "{:<12} {lhs}, {rhs} -> {dst}", "ADD"),
            Instr::Sum { dst, terms } => match args.get(terms.range()) {
                Some(terms) => write!(f, "{:<12} {} -> {dst}", "SUM", list(terms)),
                None => write!(f, "{:<12} ? -> {dst}", "SUM"),
            },
            Instr::CallOp {
                kernel,
                args: range,
            } => {
                let (inputs, outputs) = match args.get(range.whole_range()) {
                    Some(_) => (
                        list(&args[range.input_range()]),
                        list(&args[range.output_range()]),
                    ),
                    None => ("?".to_owned(), "?".to_owned()),
                };
                let name = kernel_name(kernel);
                match (inputs.is_empty(), outputs.is_empty()) {
                    (true, _) => write!(f, "{:<12} {name} -> {outputs}", "CALL_OP"),
                    (false, true) => write!(f, "{:<12} {name}, {inputs}", "CALL_OP"),
                    (false, false) => {
                        write!(f, "{:<12} {name}, {inputs} -> {outputs}", "CALL_OP")
                    }
                }
            }
            Instr::CallLanes {
                kernel,
                lanes,
                args: range,
            } => {
                let name = kernel_name(kernel);
                write!(f, "{:<12} {name} x{lanes}", "CALL_LANES")?;
                let Some(pool) = args.get(range.lanes_range(lanes)) else {
                    return write!(f, ", ?");
                };
                // One group per port, its lanes separated by spaces.
                let ports: Vec<String> = pool
                    .chunks(usize::from(lanes.max(1)))
                    .map(|lanes| {
                        lanes
                            .iter()
                            .map(Reg::to_string)
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .collect();
                let (inputs, outputs) = ports.split_at(usize::from(range.inputs).min(ports.len()));
                if !inputs.is_empty() {
                    write!(f, ", {}", inputs.join(", "))?;
                }
                write!(f, " -> {}", outputs.join(", "))
            }
            Instr::Feed { kernel, src } => {
                write!(f, "{:<12} {}, {src}", "FEED", kernel_name(kernel))
            }
            Instr::ReadInput { dst, channel } => {
                write!(f, "{:<12} in{channel} -> {dst}", "READ_INPUT")
            }
            Instr::WriteOutput { channel, src } => match channel_name(channel) {
                Some(name) => write!(f, "{:<12} {name}, {src}", "WRITE_OUTPUT"),
                None => write!(f, "{:<12} {src}", "WRITE_OUTPUT"),
            },
            Instr::WriteSink { signal, src } => {
                write!(f, "{:<12} {src} -> sink{signal}", "WRITE_SINK")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_stay_twelve_bytes() {
        assert_eq!(size_of::<Instr>(), 12);
    }
}
