//! Running sums: an input that sums many connections (a mix of voices, a bank of oscillators)
//! is added up while its terms are computed, a chunk at a time, rather than all at once when
//! its node runs.
//!
//! Summed at the end, every term stays in its own register until then: 512 oscillators summed
//! into one input kept 512 registers (128 KiB) live, so each block wrote them out to the L2
//! cache and read them back. Summed as they come, a chunk's registers are free again for the
//! next chunk, and the block's working set stays in L1.
//!
//! The additions are the same, in the same order: a chunk's `SUM` starts from the running
//! total, `((total + t[k]) + t[k+1]) + …`, which is exactly how the single `SUM` of all terms
//! goes on from `t[k-1]`. Only terms computed into registers are taken, in connection order,
//! from the first: a sum whose first term is known at compile time (a run of constants at the
//! front is added while compiling), or whose next term is, stops running there and the rest
//! is added when its node runs, as for any other input.

use super::{Lowering, Operand};
use crate::values::{ValueId, ValueMap};
use patchvm_ir::{Diagnostic, Graph, NodeIdx, Role};
use patchvm_vm::Reg;

/// Inputs with at least this many connections run their sums.
const MIN_TERMS: usize = 16;
/// A running sum adds its terms once this many are ready (or when its node runs).
const CHUNK: usize = 8;

/// The running sums of a lowering.
pub(super) struct RunningSums {
    /// Sorted by node and input.
    sums: Vec<Running>,
    /// For each value, the first sum whose next term it is: a list through [`Running::also`].
    waiting: ValueMap<u32>,
    /// Sums whose next term was computed since they last advanced.
    touched: Vec<u32>,
}

/// One input's running sum.
struct Running {
    node: NodeIdx,
    input: usize,
    /// The connections' values, in connection order.
    terms: Vec<ValueId>,
    /// How many terms, from the first, are in registers.
    ready: usize,
    /// How many of those are in `total`.
    added: usize,
    /// The register holding the sum of the first `added` terms, once there is one.
    total: Option<Reg>,
    /// The next sum waiting for the same value.
    also: Option<u32>,
    /// Whether the input's node has taken the sum.
    taken: bool,
}

impl RunningSums {
    /// The inputs of live nodes that sum at least [`MIN_TERMS`] connections and are read the
    /// ordinary way (not a fed input, which a cycle may close), each waiting for its first
    /// term.
    pub(super) fn new(graph: &Graph, live: &[bool]) -> RunningSums {
        let mut running = RunningSums {
            sums: Vec::new(),
            waiting: ValueMap::new(graph),
            touched: Vec::new(),
        };
        for (index, node) in graph.nodes.iter().enumerate() {
            let index = NodeIdx(index as u32);
            if !live[index.index()] || graph.edges_to(index).count() < MIN_TERMS {
                continue;
            }
            let fed = node.spec.fed_input();
            for input in 0..node.spec.inputs.len() {
                let read = match node.spec.role {
                    Role::Kernel => Some(input) != fed,
                    Role::Output | Role::Sink => true,
                    Role::Input => false,
                };
                let terms: Vec<ValueId> = graph
                    .edges_into(index, input)
                    .map(|edge| (edge.from, edge.output))
                    .collect();
                if !read || terms.len() < MIN_TERMS {
                    continue;
                }
                let id = running.sums.len() as u32;
                running.sums.push(Running {
                    node: index,
                    input,
                    terms,
                    ready: 0,
                    added: 0,
                    total: None,
                    also: None,
                    taken: false,
                });
                running.wait(id);
            }
        }
        running
    }

    /// Puts sum `id` on the list of its next term's value, if it has one.
    fn wait(&mut self, id: u32) {
        let sum = &mut self.sums[id as usize];
        if let Some(&value) = sum.terms.get(sum.ready) {
            sum.also = self.waiting.remove(&value);
            self.waiting.insert(value, id);
        }
    }

    /// Notes that `value` is now in a register: the sums waiting for it can advance.
    pub(super) fn computed(&mut self, value: ValueId) {
        let mut next = self.waiting.remove(&value);
        while let Some(id) = next {
            next = self.sums[id as usize].also.take();
            self.touched.push(id);
        }
    }

    /// Takes the running sum of input `input` of `node`: the register of its total and how
    /// many terms, from the first, it holds. `None` if the input has no running sum or the sum
    /// has not started; either way the sum stops running.
    pub(super) fn take(&mut self, node: NodeIdx, input: usize) -> Option<(Reg, usize)> {
        let at = self
            .sums
            .binary_search_by_key(&(node, input), |sum| (sum.node, sum.input))
            .ok()?;
        let sum = &mut self.sums[at];
        sum.taken = true;
        Some((sum.total.take()?, sum.added))
    }
}

impl Lowering<'_, '_> {
    /// Advances the sums whose next terms were computed: adds their ready terms to their
    /// totals in one `SUM` once [`CHUNK`] are ready, freeing the terms' registers.
    pub(super) fn advance_running_sums(&mut self) -> Result<(), Diagnostic> {
        while let Some(id) = self.running.touched.pop() {
            let sum = &mut self.running.sums[id as usize];
            if sum.taken {
                continue;
            }
            while sum
                .terms
                .get(sum.ready)
                .is_some_and(|value| self.value_regs.contains_key(value))
            {
                sum.ready += 1;
            }
            let (ready, added) = (sum.ready, sum.added);
            if ready - added >= CHUNK {
                let span = self.graph.nodes[sum.node.index()].span;
                let total = sum.total.take().map(Operand::Temporary);
                let terms: Vec<Operand> = sum.terms[added..ready]
                    .iter()
                    .map(|&value| Operand::Value(value, self.value_regs[&value]))
                    .collect();
                let total = self.sum(total.into_iter().chain(terms).collect(), span)?;
                let sum = &mut self.running.sums[id as usize];
                sum.total = Some(total.reg());
                sum.added = ready;
            }
            self.running.wait(id);
        }
        Ok(())
    }
}
