//! Lanes: finds nodes that can run side by side in one `CALL_LANES` and orders the nodes so
//! that each such group runs as one step.
//!
//! Identical work across voices or oscillator banks — 64 voices of the same filter — runs
//! faster in SIMD lanes than one node at a time: a recursive filter's per-sample dependency
//! chain is as long for eight lanes as for one. Two nodes may share a lane call when they
//! run the same module, whose kernel has a lane form ([`Catalog::runs_in_lanes`]), and neither
//! depends on the other. The grouping here takes nodes of one module at the same *height* —
//! the length of the longest path of connections leading to the node — which makes them
//! independent (a path from one to the other would make the second higher), and makes the
//! groups themselves free of cycles: a group depends only on nodes lower than itself. In a
//! patch of voices, a voice's node and its copies in the other voices have the same height,
//! so each module of the voice template becomes `voices / 8` lane calls.
//!
//! The order keeps the graph's evaluation order as far as it can: nodes run in that order,
//! except that a group runs when its first member's turn comes, after everything its other
//! members need (pulled forward, in evaluation order). Lanes never change a sample: the VM
//! runs a lane call as the nodes would run alone ([`patchvm_vm::Kernel::process_lanes`]).

use crate::CompileOptions;
use patchvm_ir::{Catalog, Graph, NodeIdx, Role};
use patchvm_vm::{MAX_LANE_ARGS, MAX_LANES};

/// Hashed with foldhash: every node of the patch looks its module up, and SipHash on module
/// names was a fifth of this pass.
type HashMap<K, V> = foldhash::HashMap<K, V>;

/// One step of the evaluation order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// A node on its own.
    Node(NodeIdx),
    /// Nodes of one module, independent of each other, run side by side (2 or more).
    Lanes(Vec<NodeIdx>),
}

/// The evaluation order of the live nodes other than outputs, with lane groups as single
/// steps. Deterministic: it depends only on the graph.
pub(crate) fn schedule(
    graph: &Graph,
    live: &[bool],
    catalog: &Catalog,
    options: &CompileOptions,
) -> Vec<Step> {
    let groups = groups(graph, live, catalog, &folds(graph, catalog, options));
    let mut group_of: Vec<Option<usize>> = vec![None; graph.nodes.len()];
    for (index, group) in groups.iter().enumerate() {
        for &node in group {
            group_of[node.index()] = Some(index);
        }
    }
    let is_output = |node: NodeIdx| {
        matches!(
            graph.nodes[node.index()].spec.role,
            Role::Output | Role::Sink
        )
    };
    let mut done = vec![false; graph.nodes.len()];
    let mut steps = Vec::new();
    // A depth-first walk over what each step needs, with an explicit stack (a chain of
    // 10 000 nodes must not recurse 10 000 deep). Each frame is a step and how far its
    // members' inputs have been looked at: (member, edge), so no edge is looked at twice.
    let mut stack: Vec<(NodeIdx, usize, usize)> = Vec::new();
    for &start in &graph.order {
        if !live[start.index()] || is_output(start) || done[start.index()] {
            continue;
        }
        stack.push((start, 0, 0));
        while let Some(&mut (node, ref mut member, ref mut edge)) = stack.last_mut() {
            let members: &[NodeIdx] = match group_of[node.index()] {
                Some(group) => &groups[group],
                None => std::slice::from_ref(&node),
            };
            // The first input of a member, from where the last look stopped, that has not run.
            let mut needed = None;
            while needed.is_none() && *member < members.len() {
                for input in graph.edges_to(members[*member]).skip(*edge) {
                    *edge += 1;
                    if !input.closes_cycle && !done[input.from.index()] {
                        needed = Some(input.from);
                        break;
                    }
                }
                if needed.is_none() {
                    *member += 1;
                    *edge = 0;
                }
            }
            match needed {
                Some(from) => stack.push((from, 0, 0)),
                None => {
                    stack.pop();
                    if done[node.index()] {
                        continue;
                    }
                    for &member in members {
                        done[member.index()] = true;
                    }
                    steps.push(match members {
                        [single] => Step::Node(*single),
                        _ => Step::Lanes(members.to_vec()),
                    });
                }
            }
        }
    }
    steps
}

/// Which nodes lowering will fold into constants: a stateless module's node (one with a
/// [`FoldFn`](patchvm_ir::FoldFn)) not named in `never_fold`, whose inputs are all known —
/// unconnected, or fed only by folded nodes — and whose outputs come out finite. The same
/// rules, in the same order, as lowering's; were they ever to disagree, a node would only run
/// alone instead of in lanes, or in lanes instead of folded, computing the same samples.
fn folds(graph: &Graph, catalog: &Catalog, options: &CompileOptions) -> Vec<bool> {
    let mut folded = vec![false; graph.nodes.len()];
    let mut values: HashMap<(NodeIdx, usize), f32> = HashMap::default();
    for &node in &graph.order {
        let graph_node = &graph.nodes[node.index()];
        let Some(fold) = catalog.fold(graph_node.spec.name) else {
            continue;
        };
        if options.never_fold.contains(&graph_node.id) {
            continue;
        }
        let known = |input: usize| {
            let mut sum: Option<f32> = None;
            for edge in graph.edges_into(node, input) {
                let value = *values.get(&(edge.from, edge.output))?;
                sum = Some(sum.map_or(value, |partial| partial + value));
            }
            Some(sum.unwrap_or(graph_node.values[input] as f32)).filter(|value| value.is_finite())
        };
        let inputs: Option<Vec<f32>> = graph_node
            .spec
            .processed_inputs()
            .map(|(input, _)| known(input))
            .collect();
        let Some(inputs) = inputs else {
            continue;
        };
        let mut outputs = vec![0.0_f32; graph_node.spec.outputs.len()];
        fold(&inputs, &mut outputs);
        if outputs.iter().all(|value| value.is_finite()) {
            folded[node.index()] = true;
            for (output, value) in outputs.into_iter().enumerate() {
                values.insert((node, output), value);
            }
        }
    }
    folded
}

/// The lane groups: live kernel nodes whose module runs in lanes, without a cycle-breaking
/// input and not folded into constants, grouped by module and height, each group up to as
/// many lanes as one call takes, in evaluation order. Groups of one node are left out.
fn groups(graph: &Graph, live: &[bool], catalog: &Catalog, folded: &[bool]) -> Vec<Vec<NodeIdx>> {
    let mut height = vec![0_usize; graph.nodes.len()];
    for &node in &graph.order {
        height[node.index()] = graph
            .edges_to(node)
            .filter(|edge| !edge.closes_cycle)
            .map(|edge| height[edge.from.index()] + 1)
            .max()
            .unwrap_or(0);
    }
    // Whether each module runs in lanes, and how many lanes a call of it takes, looked up once
    // per module rather than once per node.
    let mut widths: HashMap<&str, usize> = HashMap::default();
    let mut classes: HashMap<(&str, usize), Vec<NodeIdx>> = HashMap::default();
    let mut keys: Vec<(&str, usize)> = Vec::new();
    for &node in &graph.order {
        let spec = graph.nodes[node.index()].spec;
        if !live[node.index()]
            || folded[node.index()]
            || spec.role != Role::Kernel
            || spec.fed_input().is_some()
        {
            continue;
        }
        let width = *widths.entry(spec.name).or_insert_with(|| {
            let ports = spec.processed_inputs().count() + spec.outputs.len();
            if catalog.runs_in_lanes(spec.name) {
                MAX_LANES.min(MAX_LANE_ARGS / ports.max(1))
            } else {
                0
            }
        });
        if width < 2 {
            continue;
        }
        let key = (spec.name, height[node.index()]);
        classes
            .entry(key)
            .or_insert_with(|| {
                keys.push(key);
                Vec::new()
            })
            .push(node);
    }
    let mut groups = Vec::new();
    for key in keys {
        let width = widths[key.0];
        groups.extend(
            classes[&key]
                .chunks(width)
                .filter(|chunk| chunk.len() > 1)
                .map(<[NodeIdx]>::to_vec),
        );
    }
    groups
}
