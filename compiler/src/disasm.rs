//! The disassembler: a program as text, each kernel call annotated with its node.

use crate::Compiled;
use patchvm_vm::Instr;
use std::fmt::Write;

/// Column where the `; node` comments start.
const COMMENT_COLUMN: usize = 40;

/// The program in the text form of the design document, one instruction per line, with the
/// node id after each `CALL_OP` and `FEED` (the ids of every lane after a `CALL_LANES`), the node input and its initial value after each `LOAD_PARAM`, and a
/// header comment with the program's size.
pub fn disassemble(compiled: &Compiled) -> String {
    let program = &compiled.program;
    let mut text = format!(
        "; {} registers, {} kernels, {} output channel{}\n",
        program.registers,
        program.kernels.len(),
        program.channels,
        if program.channels == 1 { "" } else { "s" }
    );
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
            Instr::LoadParam { param, .. } => {
                let slot = &compiled.params[param.index()];
                let value = program.params[param.index()];
                let _ = writeln!(
                    text,
                    "{line:<COMMENT_COLUMN$} ; {}.{} = {value}",
                    slot.id, slot.port
                );
            }
            _ => {
                let _ = writeln!(text, "{line}");
            }
        }
    }
    text
}
