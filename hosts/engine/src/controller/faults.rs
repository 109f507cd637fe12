//! Faults by node: the audio half mutes a node whose output turns NaN or infinite and reports
//! the onset by kernel (see [`patchvm_vm::Fault`]); here each report is named by the node
//! that kernel runs and counted, for the API, OSC `/status` and the `play` status line.

use super::Controller;
use crate::build::Published;
use patchvm_ir::NodeName;
use patchvm_vm::live::Remote;
use patchvm_vm::{Fault, KernelId};
use std::collections::BTreeMap;

/// The faults of one node since the engine started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeFaults {
    /// Fault onsets: each time its output turned non-finite after a clean block.
    pub count: u64,
    /// The engine sample at which the block of its last onset began.
    pub last_at: u64,
}

/// The control side's record of faults.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    /// The node each kernel of the last two programs published runs: the program playing,
    /// and the one before it, whose removed nodes may still play out in a transition.
    names: foldhash::HashMap<KernelId, NodeName>,
    /// Faults by node id.
    by_node: BTreeMap<NodeName, NodeFaults>,
    /// Faults of kernels no longer named (a node removed since), counted.
    unnamed: u64,
}

impl Faults {
    /// Names the kernels of `published`, the program just published, keeping the names of
    /// `previous`'s.
    pub(crate) fn remember(&mut self, previous: Option<&Published>, published: &Published) {
        self.names.clear();
        for program in previous.into_iter().chain([published]) {
            for (kernel, name) in program.kernel_names() {
                self.names.insert(kernel, name.clone());
            }
        }
    }

    /// Reads every fault the audio half reported. Call it while the programs it retired in
    /// the same pass are still alive, so no kernel reported can have been freed and its
    /// address reused by a kernel of another node.
    pub(crate) fn collect(&mut self, remote: &mut Remote) {
        while let Some(Fault { kernel, time }) = remote.fault() {
            match self.names.get(&kernel) {
                Some(name) => {
                    let entry = self.by_node.entry(name.clone()).or_insert(NodeFaults {
                        count: 0,
                        last_at: time,
                    });
                    entry.count += 1;
                    entry.last_at = time;
                }
                None => self.unnamed += 1,
            }
        }
    }
}

impl Controller {
    /// The nodes whose output turned NaN or infinite since the engine started, by id, with
    /// how many times and when last. Such a node is muted (its non-finite samples silenced,
    /// its state reset) while every other node plays on; it plays again once its output is
    /// finite.
    pub fn faults(&mut self) -> Vec<(NodeName, NodeFaults)> {
        self.maintain();
        self.faults
            .by_node
            .iter()
            .map(|(name, faults)| (name.clone(), *faults))
            .collect()
    }

    /// Faults reported by kernels of nodes removed since, which can no longer be named.
    pub fn unnamed_faults(&mut self) -> u64 {
        self.maintain();
        self.faults.unnamed
    }
}
