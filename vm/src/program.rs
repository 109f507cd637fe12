//! A program: instructions, their argument pool, and what they need to run.

use crate::index::{KernelIdx, Reg};
use crate::kernel::KernelShape;
use crate::op::Instr;
use crate::sink::SinkDecl;
use crate::time::TempoMap;
use std::fmt;

/// Bytecode for one patch, as the compiler emits it. It runs only after
/// [`Executable::new`](crate::Executable::new) has verified it against its kernels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    /// The instructions, run in order once per block.
    pub instrs: Vec<Instr>,
    /// The registers that [`Instr::CallOp`] arguments point into.
    pub args: Vec<Reg>,
    /// How many registers the program uses, including [`Reg::ZERO`].
    pub registers: u16,
    /// The kernel instances the program calls, by [`KernelIdx`].
    pub kernels: Vec<KernelDecl>,
    /// Output channels: 1 (mono) or 2 (left, right).
    pub channels: u8,
    /// Input channels the program reads; 0 if it reads none.
    pub inputs: u8,
    /// The initial value of each parameter slot, by [`ParamIdx`](crate::ParamIdx), until an
    /// event changes it. Finite.
    pub params: Vec<f32>,
    /// The register of each parameter slot, by [`ParamIdx`](crate::ParamIdx): it holds the
    /// slot's value at each sample of the block (a ramp's values as it runs), written by the
    /// VM before the block when the value changed and by no instruction, so that an unconnected
    /// input costs nothing while it holds still.
    pub param_regs: Vec<Reg>,
    /// The patch's tempo map: the transport follows it while the program plays (see
    /// [`Transport`](crate::Transport)).
    pub tempo: TempoMap,
    /// The sinks whose signals leave as events (see [`crate::sink`]), in patch order; the
    /// program has as many sink signals as their kinds read, numbered from their `first`.
    pub sinks: Vec<SinkDecl>,
}

/// What a program expects of one kernel instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelDecl {
    /// The op name shown in disassembly, e.g. `osc_sine`.
    pub name: String,
    /// The arity every call of it must have.
    pub shape: KernelShape,
}

impl Program {
    /// The most output channels a program may have.
    pub const MAX_CHANNELS: u8 = 2;

    /// The most input channels a program may read.
    pub const MAX_INPUTS: u8 = 32;

    /// How many sink signals the program writes: one block each.
    pub fn sink_signals(&self) -> usize {
        self.sinks
            .iter()
            .map(|sink| usize::from(sink.first) + sink.kind.signals())
            .max()
            .unwrap_or(0)
    }

    /// The name of output channel `channel` in disassembly: none for mono programs.
    pub fn channel_name(&self, channel: u8) -> Option<&'static str> {
        match (self.channels, channel) {
            (1, _) => None,
            (_, 0) => Some("left"),
            (_, 1) => Some("right"),
            _ => Some("?"),
        }
    }

    /// The disassembly of instruction `index`, without a line break.
    pub fn instr_text(&self, index: usize) -> String {
        let mut text = String::new();
        let kernel_name = |kernel: KernelIdx| {
            self.kernels
                .get(kernel.index())
                .map_or_else(|| format!("k{}?", kernel.0), |decl| decl.name.clone())
        };
        let channel_name = |channel| self.channel_name(channel);
        self.instrs[index]
            .write_text(&mut text, &self.args, &kernel_name, &channel_name)
            .expect("writing to a String cannot fail");
        text
    }
}

impl fmt::Display for Program {
    /// One instruction per line, in the text form of the design document.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for index in 0..self.instrs.len() {
            writeln!(f, "{}", self.instr_text(index))?;
        }
        Ok(())
    }
}
