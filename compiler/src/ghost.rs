//! Tails that ring out: the nodes a structural edit removes whose sound outlives their input
//! (a reverb, a delay, a long release) play on after the edit's transition as a *ghost*, a
//! program of their own whose output the live engine sums into the new program's, until it
//! falls below −90 dBFS or the engine's tail limit.
//!
//! A removed node *rings* when it is an effect (a kernel with state whose `in` a connection
//! feeds: a delay, a reverb, a filter; a source — an oscillator, even one whose frequency a
//! connection moves — would never fall silent, so it fades out as any removed node does) or
//! a stateless node (a gain, a mix) that a ringing node feeds, which carries the tail on;
//! its id is gone from the new graph, or its module changed to one that does not carry its
//! state on (a reverb made a delay: the old side rings while the new one fades in; a change
//! within a state family — one delay into another — carries the state into the new module,
//! so ringing the old side too would play it twice); and its output reaches an output node
//! through ringing nodes only (a tail that went through a surviving node would need
//! that node to run twice; it fades out as before).
//!
//! Only the ringing nodes' own contribution rings: surviving nodes never run in the ghost,
//! so nothing is doubled. The transition fades each ringing node's connections from nodes
//! that do not ring to what the input holds with nothing connected (its value: silence for a
//! signal), and passes its connections into the output unfaded; the ghost runs the same
//! kernels on from there, those connections left out.

use patchvm_ir::{Catalog, Diagnostic, Edge, Graph, GraphNode, ModuleSpec, NodeIdx, Role};
use std::collections::{BTreeMap, BTreeSet};

/// The input an effect processes, by the catalog's convention: its signal in.
const SIGNAL_IN: &str = "in";

/// Whether a node whose module changed from the first to the second carries its state into
/// the new module (the engine's state families): the compiler does not know kernels' state.
pub type Carried<'a> = &'a dyn Fn(&ModuleSpec, &ModuleSpec) -> bool;

/// For each node of `old`, whether it rings on after the edit to `new` (see the module's
/// rules), by `catalog`'s modules, a changed module's state carried on when `carried` says.
pub fn ringing(old: &Graph, new: &Graph, catalog: &Catalog, carried: Carried) -> Vec<bool> {
    let kept: BTreeMap<&str, &ModuleSpec> = new
        .nodes
        .iter()
        .map(|node| (node.id.as_str(), node.spec))
        .collect();
    let removed = |index: usize| {
        let node = &old.nodes[index];
        node.spec.role == Role::Kernel
            && kept
                .get(node.id.as_str())
                .is_none_or(|&now| now.name != node.spec.name && !carried(node.spec, now))
    };
    let stateless = |index: usize| catalog.fold(old.nodes[index].spec.name).is_some();
    // An effect: a stateful node whose `in` a connection feeds.
    let effect = |index: usize| {
        let spec = old.nodes[index].spec;
        let input = spec.inputs.iter().position(|input| input.name == SIGNAL_IN);
        !stateless(index)
            && input.is_some_and(|input| {
                old.edges_into(NodeIdx(index as u32), input)
                    .next()
                    .is_some()
            })
    };
    let mut ring: Vec<bool> = (0..old.nodes.len())
        .map(|index| removed(index) && (effect(index) || stateless(index)))
        .collect();
    // The largest set in which every node feeds an output or a ringing node, and every
    // stateless one is fed by a ringing node (it carries a tail, it has none of its own).
    loop {
        let mut fewer = false;
        for index in 0..old.nodes.len() {
            if !ring[index] {
                continue;
            }
            let at = NodeIdx(index as u32);
            let feeds = old.edges.iter().filter(|edge| edge.from == at).any(|edge| {
                old.nodes[edge.to.index()].spec.role == Role::Output || ring[edge.to.index()]
            });
            let fed = || old.edges_to(at).any(|edge| ring[edge.from.index()]);
            if !feeds || stateless(index) && !fed() {
                ring[index] = false;
                fewer = true;
            }
        }
        if !fewer {
            return ring;
        }
    }
}

/// The ghost of the nodes of `old` that `ring` marks on the edit to `new`: those nodes
/// (modules and values as in `old`, ids as in the transition — `ID/edit` for the old side
/// of a node whose module changed — so a program built from it shares their kernels with
/// the transition's), the output nodes they feed (their unconnected inputs silent), and the
/// connections among them; `Ok(None)` if none rings. Errs only on a bug.
pub fn ghost<'c>(
    old: &Graph<'c>,
    new: &Graph<'c>,
    ring: &[bool],
) -> Result<Option<Graph<'c>>, Diagnostic> {
    if !ring.iter().any(|&ring| ring) {
        return Ok(None);
    }
    let fed: BTreeSet<usize> = old
        .edges
        .iter()
        .filter(|edge| ring[edge.from.index()])
        .map(|edge| edge.to.index())
        .filter(|&to| old.nodes[to].spec.role == Role::Output)
        .collect();
    let mut at = vec![None; old.nodes.len()];
    let mut nodes: Vec<GraphNode<'c>> = Vec::new();
    for (index, node) in old.nodes.iter().enumerate() {
        let output = fed.contains(&index);
        if ring[index] || output {
            at[index] = Some(NodeIdx(nodes.len() as u32));
            let mut node = node.clone();
            if ring[index] && new.nodes.iter().any(|now| now.id == node.id) {
                node.id = format!("{}/edit", node.id).into();
            }
            if output {
                node.values.iter_mut().for_each(|value| *value = 0.0);
            }
            nodes.push(node);
        }
    }
    let edges = old
        .edges
        .iter()
        .filter(|edge| ring[edge.from.index()])
        .filter_map(|edge| {
            Some(Edge {
                from: at[edge.from.index()]?,
                to: at[edge.to.index()]?,
                ..*edge
            })
        })
        .collect();
    Graph::from_parts(nodes, edges).map(Some)
}
