//! The disassembler: a program as text, each kernel call annotated with its node.

use crate::Compiled;
use patchvm_vm::Instr;
use std::fmt::Write;

/// Column where the `; node` comments start.
const COMMENT_COLUMN: usize = 40;

/// The program in the text form of the design document, one instruction per line, with the
/// node id after each `CALL_OP` and `FEED` (the ids of every lane after a `CALL_LANES`), and a
/// header comment with the program's size and, one line each, the parameter slots: the node
/// input each holds, its initial value and its register.
pub fn disassemble(compiled: &Compiled) -> String {
    let program = &compiled.program;
    let mut text = format!(
        "; {} registers, {} kernels, {} output channel{}\n",
        program.registers,
        program.kernels.len(),
        program.channels,
        if program.channels == 1 { "" } else { "s" }
    );
    for (slot, (node, reg)) in compiled.params.iter().zip(&program.param_regs).enumerate() {
        let value = program.params[slot];
        let _ = writeln!(
            text,
            "; p{slot} {}.{} = {value} in {reg}",
            node.id, node.port
        );
    }
    for (index, instr) in program.instrs.iter().enumerate() {
        let line = program.instr_text(index);
        match instr {
            Instr::CallOp { kernel, .. } | Instr::Feed { kernel, .. } => {
                let node = &compiled.kernels[kernel.index()].id;
                let _ = writeln!(text, "{line:<COMMENT_COLUMN$} ; {node}");
            }
            Instr::CallLanes { kernel, lanes, .. } => {
                let first = kernel.index();
                let nodes: Vec<&str> = compiled.kernels[first..first + usize::from(*lanes)]
                    .iter()
                    .map(|kernel| kernel.id.as_str())
                    .collect();
                let _ = writeln!(text, "{line:<COMMENT_COLUMN$} ; {}", nodes.join(" "));
            }
            _ => {
                let _ = writeln!(text, "{line}");
            }
        }
    }
    text
}
