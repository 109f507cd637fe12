//! The verifier: the only way to a runnable program.
//!
//! The VM indexes registers, kernels and output channels without further checks, so every
//! program — from our compiler, a file, or a fuzzer — passes through here first.

use crate::index::Reg;
use crate::kernel::{Kernel, KernelShape, MAX_LANE_ARGS, MAX_LANES, MAX_PORTS};
use crate::op::{Access, Instr};
use crate::program::Program;
use std::fmt;

/// Why a program was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    /// The offending instruction, if the problem is in one.
    pub instr: Option<usize>,
    /// What is wrong, in lowercase words.
    pub reason: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.instr {
            Some(index) => write!(f, "instruction {index}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Checks that `program` can run with `kernels` without any index going out of range, any
/// register being both read and written by one call, or any arity disagreeing.
///
/// Establishes these invariants, on which the VM's unchecked accesses rely:
/// - every register operand is `< program.registers`, and [`Reg::ZERO`] is never written;
/// - every `SUM` has at least two terms, all inside `program.args`, none its destination;
/// - every `CALL_OP` argument range lies inside `program.args`, its outputs are pairwise
///   distinct and distinct from its inputs, and its counts match its kernel's shape;
/// - every `CALL_LANES` runs 2 to [`MAX_LANES`] kernels, all in range and of one shape that
///   matches its counts, with at most [`MAX_LANE_ARGS`] registers, all inside `program.args`,
///   its outputs pairwise distinct and distinct from its inputs;
/// - every kernel index is `< kernels.len()`, and `kernels[k].shape() == program.kernels[k].shape`;
/// - `FEED` names only kernels that take a feed; every `WRITE_OUTPUT` channel is
///   `< program.channels`; every `READ_INPUT` channel is `< program.inputs`;
/// - there is one parameter register per parameter slot, each in range, not [`Reg::ZERO`],
///   pairwise distinct, and written by no instruction; every initial parameter value and every
///   constant is finite.
pub fn verify<K>(program: &Program, kernels: &[K]) -> Result<(), VerifyError>
where
    K: std::ops::Deref<Target = dyn Kernel>,
{
    let shapes: Vec<KernelShape> = kernels.iter().map(|kernel| kernel.shape()).collect();
    verify_shapes(program, &shapes)
}

/// [`verify`] against the kernels' shapes, as recorded when they were made (a kernel another
/// program is running must not be asked).
pub(crate) fn verify_shapes(program: &Program, shapes: &[KernelShape]) -> Result<(), VerifyError> {
    let whole = |reason: String| VerifyError {
        instr: None,
        reason,
    };
    if program.registers == 0 {
        return Err(whole("a program needs at least the zero register".into()));
    }
    if !(1..=Program::MAX_CHANNELS).contains(&program.channels) {
        return Err(whole(format!(
            "{} output channels; a program has 1 or {}",
            program.channels,
            Program::MAX_CHANNELS
        )));
    }
    if program.inputs > Program::MAX_INPUTS {
        return Err(whole(format!(
            "{} input channels; a program reads at most {}",
            program.inputs,
            Program::MAX_INPUTS
        )));
    }
    if shapes.len() != program.kernels.len() {
        return Err(whole(format!(
            "the program declares {} kernels but {} were supplied",
            program.kernels.len(),
            shapes.len()
        )));
    }
    for (index, (&shape, decl)) in shapes.iter().zip(&program.kernels).enumerate() {
        if shape != decl.shape {
            return Err(whole(format!(
                "kernel {index} (`{}`) has shape {shape:?}, the program expects {:?}",
                decl.name, decl.shape
            )));
        }
        if usize::from(shape.inputs) > MAX_PORTS || usize::from(shape.outputs) > MAX_PORTS {
            return Err(whole(format!(
                "kernel {index} (`{}`) has more than {MAX_PORTS} inputs or outputs",
                decl.name
            )));
        }
    }
    if program.params.len() > usize::from(u16::MAX) + 1 {
        return Err(whole(format!(
            "{} parameter slots; a program has at most {}",
            program.params.len(),
            usize::from(u16::MAX) + 1
        )));
    }
    if let Some((slot, value)) = program
        .params
        .iter()
        .enumerate()
        .find(|(_, value)| !value.is_finite())
    {
        return Err(whole(format!(
            "parameter p{slot} starts at {value}, not finite"
        )));
    }
    let is_param = param_registers(program).map_err(whole)?;
    // The registers one instruction reads and writes, reused from one instruction to the next.
    let mut operands = Operands::default();
    for (index, instr) in program.instrs.iter().enumerate() {
        verify_instr(program, &is_param, instr, &mut operands).map_err(|reason| VerifyError {
            instr: Some(index),
            reason,
        })?;
    }
    Ok(())
}

/// Checks the parameter registers; returns, for each register, whether it holds a parameter.
fn param_registers(program: &Program) -> Result<Vec<bool>, String> {
    if program.param_regs.len() != program.params.len() {
        return Err(format!(
            "{} parameter registers for {} parameter slots",
            program.param_regs.len(),
            program.params.len()
        ));
    }
    let mut is_param = vec![false; usize::from(program.registers)];
    for (slot, &reg) in program.param_regs.iter().enumerate() {
        match is_param.get_mut(reg.index()) {
            None => {
                return Err(format!(
                    "parameter p{slot}'s register {reg} is out of range (the program has {})",
                    program.registers
                ));
            }
            Some(_) if reg == Reg::ZERO => {
                return Err(format!("parameter p{slot} is in the zero register r0"));
            }
            Some(true) => {
                return Err(format!("parameter p{slot} shares register {reg}"));
            }
            Some(taken) => *taken = true,
        }
    }
    Ok(is_param)
}

/// The registers an instruction writes and reads.
#[derive(Default)]
struct Operands {
    written: Vec<Reg>,
    read: Vec<Reg>,
}

fn verify_instr(
    program: &Program,
    is_param: &[bool],
    instr: &Instr,
    operands: &mut Operands,
) -> Result<(), String> {
    let mut problem = None;
    let mut bad_args = None;
    let Operands { written, read } = operands;
    written.clear();
    read.clear();
    instr.registers(
        &program.args,
        |reg, access| {
            if reg.0 >= program.registers {
                problem.get_or_insert(format!(
                    "register {reg} is out of range (the program has {})",
                    program.registers
                ));
            }
            match access {
                Access::Read => read.push(reg),
                Access::Write => written.push(reg),
            }
        },
        |range| bad_args = Some(range),
    );
    if let Some(range) = bad_args {
        return Err(format!(
            "arguments {range:?} lie outside the argument pool of {}",
            program.args.len()
        ));
    }
    if let Some(problem) = problem {
        return Err(problem);
    }
    for (at, reg) in written.iter().enumerate() {
        if *reg == Reg::ZERO {
            return Err("writes the zero register r0".into());
        }
        if is_param[reg.index()] {
            return Err(format!("writes {reg}, a parameter's register"));
        }
        if written[..at].contains(reg) || read.contains(reg) {
            return Err(format!(
                "register {reg} is both read and written, or written twice"
            ));
        }
    }
    let kernel_decl = |kernel: crate::KernelIdx| {
        program
            .kernels
            .get(kernel.index())
            .ok_or_else(|| format!("kernel {} is out of range", kernel.0))
    };
    match *instr {
        Instr::CallOp { kernel, args } => {
            let decl = kernel_decl(kernel)?;
            if args.inputs != decl.shape.inputs || args.outputs != decl.shape.outputs {
                return Err(format!(
                    "`{}` takes {} inputs and {} outputs, the call passes {} and {}",
                    decl.name, decl.shape.inputs, decl.shape.outputs, args.inputs, args.outputs
                ));
            }
        }
        Instr::CallLanes {
            kernel,
            lanes,
            args,
        } => {
            if !(2..=MAX_LANES).contains(&usize::from(lanes)) {
                return Err(format!("{lanes} lanes; a lane call runs 2 to {MAX_LANES}"));
            }
            let count = usize::from(lanes) * (usize::from(args.inputs) + usize::from(args.outputs));
            if count > MAX_LANE_ARGS {
                return Err(format!(
                    "{count} registers; a lane call passes at most {MAX_LANE_ARGS}"
                ));
            }
            for lane in 0..u16::from(lanes) {
                let index = kernel
                    .0
                    .checked_add(lane)
                    .ok_or_else(|| format!("kernel {} + {lane} is out of range", kernel.0))?;
                let decl = kernel_decl(crate::KernelIdx(index))?;
                if args.inputs != decl.shape.inputs || args.outputs != decl.shape.outputs {
                    return Err(format!(
                        "lane {lane} (`{}`) takes {} inputs and {} outputs, the call passes {} and {}",
                        decl.name, decl.shape.inputs, decl.shape.outputs, args.inputs, args.outputs
                    ));
                }
            }
        }
        Instr::Feed { kernel, .. } => {
            let decl = kernel_decl(kernel)?;
            if !decl.shape.takes_feed {
                return Err(format!("`{}` takes no feed", decl.name));
            }
        }
        Instr::WriteOutput { channel, .. } if channel >= program.channels => {
            return Err(format!(
                "output channel {channel} is out of range (the program has {})",
                program.channels
            ));
        }
        Instr::WriteSink { signal, .. } if usize::from(signal) >= program.sink_signals() => {
            return Err(format!(
                "sink signal {signal} is out of range (the program has {})",
                program.sink_signals()
            ));
        }
        Instr::ReadInput { channel, .. } if channel >= program.inputs => {
            return Err(format!(
                "input channel {channel} is out of range (the program reads {})",
                program.inputs
            ));
        }
        Instr::LoadConst { value, .. } if !value.is_finite() => {
            return Err(format!("constant {value} is not finite"));
        }
        Instr::Sum { terms, .. } if terms.count < 2 => {
            return Err(format!(
                "a sum of {} terms; a sum has at least 2",
                terms.count
            ));
        }
        Instr::LoadConst { .. }
        | Instr::Add { .. }
        | Instr::Sum { .. }
        | Instr::WriteOutput { .. }
        | Instr::WriteSink { .. }
        | Instr::ReadInput { .. } => {}
    }
    Ok(())
}
