//! Typed indices into a program's registers, kernels and argument pool.

use std::fmt;

/// A register: one block of [`MAX_BLOCK`](crate::MAX_BLOCK) samples.
///
/// Register 0 is [`Reg::ZERO`]: always silent, never written, so that an input that is not
/// driven and whose value is 0 costs nothing.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reg(pub u16);

impl Reg {
    /// The register that always holds zeros.
    pub const ZERO: Reg = Reg(0);

    /// As an index into the register file.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl fmt::Debug for Reg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "r{}", self.0)
    }
}

impl fmt::Display for Reg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "r{}", self.0)
    }
}

/// A kernel instance: an index into [`Program::kernels`](crate::Program::kernels) and into
/// the kernels the program runs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KernelIdx(pub u16);

impl KernelIdx {
    /// As an index.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// A run of registers in [`Program::args`](crate::Program::args): a call's inputs followed by
/// its outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArgRange {
    /// Index of the first input register in the argument pool.
    pub start: u32,
    /// Number of input registers.
    pub inputs: u8,
    /// Number of output registers, following the inputs.
    pub outputs: u8,
}

impl ArgRange {
    /// The range of input registers in the argument pool.
    pub fn input_range(self) -> std::ops::Range<usize> {
        let start = self.start as usize;
        start..start + usize::from(self.inputs)
    }

    /// The range of output registers in the argument pool.
    pub fn output_range(self) -> std::ops::Range<usize> {
        let start = self.start as usize + usize::from(self.inputs);
        start..start + usize::from(self.outputs)
    }

    /// The inputs and outputs together.
    pub fn whole_range(self) -> std::ops::Range<usize> {
        self.start as usize..self.output_range().end
    }

    /// For a call of `lanes` kernels with these counts each: the input registers of every
    /// lane, port by port.
    pub fn lanes_input_range(self, lanes: u8) -> std::ops::Range<usize> {
        let start = self.start as usize;
        start..start + usize::from(self.inputs) * usize::from(lanes)
    }

    /// For a call of `lanes` kernels: the output registers of every lane, port by port.
    pub fn lanes_output_range(self, lanes: u8) -> std::ops::Range<usize> {
        let start = self.lanes_input_range(lanes).end;
        start..start + usize::from(self.outputs) * usize::from(lanes)
    }

    /// For a call of `lanes` kernels: all their registers.
    pub fn lanes_range(self, lanes: u8) -> std::ops::Range<usize> {
        self.start as usize..self.lanes_output_range(lanes).end
    }
}

/// A run of registers in [`Program::args`](crate::Program::args) that one instruction reads:
/// the terms of a `SUM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RegList {
    /// Index of the first register in the argument pool.
    pub start: u32,
    /// How many registers.
    pub count: u16,
}

impl RegList {
    /// The range of the registers in the argument pool.
    pub fn range(self) -> std::ops::Range<usize> {
        let start = self.start as usize;
        start..start + usize::from(self.count)
    }
}

/// A parameter slot: an index into [`Program::params`](crate::Program::params) and
/// [`Program::param_regs`](crate::Program::param_regs), the values that events set while the
/// program runs and the registers that hold them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamIdx(pub u16);

impl ParamIdx {
    /// As an index.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl fmt::Display for ParamIdx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "p{}", self.0)
    }
}
