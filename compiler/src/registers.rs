//! Register allocation by liveness: a register is reused as soon as its value's last reader
//! has been emitted, so a chain of 10 000 nodes needs a handful of registers.

use patchvm_vm::Reg;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Hands out registers, lowest free first (so the same patch always gets the same numbers).
#[derive(Debug)]
pub(crate) struct Registers {
    free: BinaryHeap<Reverse<u16>>,
    /// One past the highest register handed out so far; [`Reg::ZERO`] is never handed out.
    high_water: u16,
}

impl Registers {
    pub(crate) fn new() -> Registers {
        Registers {
            free: BinaryHeap::new(),
            high_water: 1,
        }
    }

    /// A register no live value uses, or `None` if all 65 535 are live.
    pub(crate) fn take(&mut self) -> Option<Reg> {
        if let Some(Reverse(index)) = self.free.pop() {
            return Some(Reg(index));
        }
        let reg = Reg(self.high_water);
        self.high_water = self.high_water.checked_add(1)?;
        Some(reg)
    }

    /// Returns `reg` for reuse; the zero register is never returned, since it was never taken.
    pub(crate) fn release(&mut self, reg: Reg) {
        if reg != Reg::ZERO {
            self.free.push(Reverse(reg.0));
        }
    }

    /// How many registers the program needs, including the zero register.
    pub(crate) fn count(&self) -> u16 {
        self.high_water
    }
}
