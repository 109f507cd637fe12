//! Per-value tables for lowering: what the compiler knows of each node output (its register,
//! its constant, its readers left), in flat vectors indexed by the output's position among all
//! the graph's outputs, since every input of every node looks values up.

use patchvm_ir::{Graph, NodeIdx};

/// A value: output `.1` of node `.0`.
pub(crate) type ValueId = (NodeIdx, usize);

/// Something known of some of a graph's values, with the part of a hash map's interface the
/// lowering uses.
pub(crate) struct ValueMap<T> {
    /// Where each node's outputs start in `entries`; one more at the end.
    first: Vec<u32>,
    entries: Vec<Option<T>>,
}

impl<T: Copy> ValueMap<T> {
    /// An empty table for the values of `graph`.
    pub(crate) fn new(graph: &Graph) -> ValueMap<T> {
        let mut first = Vec::with_capacity(graph.nodes.len() + 1);
        let mut count = 0u32;
        for node in &graph.nodes {
            first.push(count);
            count += node.spec.outputs.len() as u32;
        }
        first.push(count);
        ValueMap {
            first,
            entries: vec![None; count as usize],
        }
    }

    fn slot(&self, &(node, output): &ValueId) -> usize {
        let start = self.first[node.index()] as usize;
        debug_assert!(start + output < self.first[node.index() + 1] as usize);
        start + output
    }

    pub(crate) fn get(&self, value: &ValueId) -> Option<&T> {
        self.entries[self.slot(value)].as_ref()
    }

    pub(crate) fn get_mut(&mut self, value: &ValueId) -> Option<&mut T> {
        let slot = self.slot(value);
        self.entries[slot].as_mut()
    }

    pub(crate) fn contains_key(&self, value: &ValueId) -> bool {
        self.get(value).is_some()
    }

    pub(crate) fn insert(&mut self, value: ValueId, entry: T) {
        let slot = self.slot(&value);
        self.entries[slot] = Some(entry);
    }

    pub(crate) fn remove(&mut self, value: &ValueId) -> Option<T> {
        let slot = self.slot(value);
        self.entries[slot].take()
    }

    /// The entry of `value`, set to `default` first if it has none.
    pub(crate) fn or_insert(&mut self, value: ValueId, default: T) -> &mut T {
        let slot = self.slot(&value);
        self.entries[slot].get_or_insert(default)
    }
}

impl<T: Copy> std::ops::Index<&ValueId> for ValueMap<T> {
    type Output = T;

    /// # Panics
    /// If `value` has no entry: the lowering reads only values it has stored.
    fn index(&self, value: &ValueId) -> &T {
        self.get(value).expect("a value read was stored")
    }
}
