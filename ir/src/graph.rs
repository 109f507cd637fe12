//! A validated patch as an indexed graph, and its deterministic evaluation order.

use crate::catalog::ModuleSpec;
use crate::diagnostic::{Code, Diagnostic};
use crate::node_name::NodeName;
use crate::span::Span;
use crate::text::TextValue;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The index of a node in [`Graph::nodes`], which is its position in the patch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeIdx(pub u32);

impl NodeIdx {
    /// As an index into [`Graph::nodes`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A patch checked against a catalog: every name resolved, every value in range, cycles broken.
#[derive(Clone, Debug)]
pub struct Graph<'c> {
    /// The nodes, in patch order.
    pub nodes: Vec<GraphNode<'c>>,
    /// The connections, in patch order.
    pub edges: Vec<Edge>,
    /// Every node once, each after all the nodes it depends on through edges that do not close
    /// a cycle; ties are broken by patch order, so the same patch always gives the same order.
    pub order: Vec<NodeIdx>,
    /// For each node, the indices in `edges` of the edges into it, in patch order: so that
    /// finding a node's inputs costs its own connections, not the whole patch's.
    incoming: Adjacency,
}

/// A node with its module resolved.
#[derive(Clone, Debug)]
pub struct GraphNode<'c> {
    /// The node's id.
    pub id: NodeName,
    /// Its module.
    pub spec: &'c ModuleSpec,
    /// One value per input of the module, in catalog order: the value the patch sets, else the
    /// default. A connected input ignores it when running, but a kernel may still read it when
    /// built (a delay sizes its memory from `time`).
    pub values: Vec<f64>,
    /// One text per text input of the module (see [`mod@crate::text`]), in input order: the
    /// text the patch sets, else the default. Empty for the many modules without one, so it
    /// costs them nothing.
    pub texts: Vec<TextValue>,
    /// Where the node is defined.
    pub span: Span,
}

/// A connection with its ports resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The node the signal comes from.
    pub from: NodeIdx,
    /// The index of the output port in the source module's outputs.
    pub output: usize,
    /// The node the signal goes to.
    pub to: NodeIdx,
    /// The index of the input port in the target module's inputs.
    pub input: usize,
    /// Whether this edge closes a cycle: it goes into an input that breaks cycles, and its
    /// target can reach its source. The target then runs before the source in each block.
    pub closes_cycle: bool,
    /// Where the connection is written.
    pub span: Span,
}

impl<'c> Graph<'c> {
    /// A graph of `nodes` and `edges` in `order` (as [`order`] computes it).
    pub(crate) fn new(
        nodes: Vec<GraphNode<'c>>,
        edges: Vec<Edge>,
        order: Vec<NodeIdx>,
    ) -> Graph<'c> {
        let incoming = Adjacency::new(
            nodes.len(),
            edges
                .iter()
                .enumerate()
                .map(|(index, edge)| (edge.to, index as u32)),
        );
        Graph {
            nodes,
            edges,
            order,
            incoming,
        }
    }

    /// A graph of `nodes` and `edges` built by code rather than read from a patch (the live
    /// engine's transition from one graph to the next): marks the edges that close cycles and
    /// orders the nodes as [`validate`](fn@crate::validate) does, ties broken by position in
    /// `nodes`. Each edge's `closes_cycle` is computed, whatever it held.
    ///
    /// Errs as validation does on a cycle that no cycle-breaking input breaks, and with
    /// [`Code::Internal`] on parts that do not fit together (an edge naming a node or port
    /// that does not exist, a node without one value per input): those are the caller's bug.
    pub fn from_parts(
        nodes: Vec<GraphNode<'c>>,
        mut edges: Vec<Edge>,
    ) -> Result<Graph<'c>, Diagnostic> {
        if let Some(node) = nodes
            .iter()
            .find(|node| node.values.len() != node.spec.inputs.len())
        {
            return Err(Diagnostic::new(
                Code::Internal,
                node.span,
                format!("node `{}` has not one value per input", node.id),
            ));
        }
        let fits = |edge: &Edge| {
            let (from, to) = (nodes.get(edge.from.index()), nodes.get(edge.to.index()));
            from.is_some_and(|from| edge.output < from.spec.outputs.len())
                && to.is_some_and(|to| edge.input < to.spec.inputs.len())
        };
        if let Some(edge) = edges.iter().find(|edge| !fits(edge)) {
            return Err(Diagnostic::new(
                Code::Internal,
                edge.span,
                "a connection names a node or port the graph does not have",
            ));
        }
        let order = order(&nodes, &mut edges)?;
        Ok(Graph::new(nodes, edges, order))
    }

    /// The edges into node `node`, in patch order.
    pub fn edges_to(&self, node: NodeIdx) -> impl Iterator<Item = &Edge> + '_ {
        self.incoming
            .of(node.index())
            .iter()
            .map(|&edge| &self.edges[edge as usize])
    }

    /// The edges into input `input` of node `node`, in patch order.
    pub fn edges_into(&self, node: NodeIdx, input: usize) -> impl Iterator<Item = &Edge> + '_ {
        self.edges_to(node).filter(move |edge| edge.input == input)
    }
}

/// Marks the edges that close cycles and computes the evaluation order, or explains the first
/// cycle that no cycle-breaking input breaks: the last step of [`validate`](fn@crate::validate),
/// public so that benchmarks can time it alone.
pub fn order(nodes: &[GraphNode], edges: &mut [Edge]) -> Result<Vec<NodeIdx>, Diagnostic> {
    let breaks = |edge: &Edge| nodes[edge.to.index()].spec.inputs[edge.input].breaks_cycles;

    // A cycle of edges that cannot break cycles is an error, whatever else is in the patch.
    let rigid: Vec<&Edge> = edges.iter().filter(|edge| !breaks(edge)).collect();
    if let Err(stuck) = kahn(nodes.len(), &rigid) {
        return Err(cycle_diagnostic(nodes, &rigid, &stuck));
    }

    // An edge into a cycle-breaking input closes a cycle exactly when both ends lie in one
    // strongly connected component: then, and only then, its target reaches its source.
    let component = strongly_connected_components(nodes.len(), edges);
    for edge in edges.iter_mut() {
        edge.closes_cycle =
            breaks(edge) && component[edge.from.index()] == component[edge.to.index()];
    }
    // Every cycle contains a cycle-closing edge (rigid edges alone are acyclic, and any other
    // breaking edge on a cycle joins one component), so what remains is acyclic.
    let open: Vec<&Edge> = edges.iter().filter(|edge| !edge.closes_cycle).collect();
    Ok(kahn(nodes.len(), &open).expect("edges left after removing cycle-closing ones are acyclic"))
}

/// For each node, whether it lies on a cycle of edges into inputs that do not break cycles
/// (a rigid cycle, which [`order`] refuses): for code that builds graphs and must avoid them.
/// Edges must name nodes of `nodes` and ports of their modules.
pub fn on_rigid_cycles(nodes: &[GraphNode], edges: &[Edge]) -> Vec<bool> {
    let rigid: Vec<Edge> = edges
        .iter()
        .filter(|edge| !nodes[edge.to.index()].spec.inputs[edge.input].breaks_cycles)
        .copied()
        .collect();
    let component = strongly_connected_components(nodes.len(), &rigid);
    let mut size = vec![0usize; nodes.len()];
    for &number in &component {
        size[number] += 1;
    }
    let mut on_cycle: Vec<bool> = component.iter().map(|&number| size[number] > 1).collect();
    for edge in rigid.iter().filter(|edge| edge.from == edge.to) {
        on_cycle[edge.from.index()] = true;
    }
    on_cycle
}

/// Kahn's algorithm, taking the lowest ready index first. `Err` holds the nodes left on cycles.
fn kahn(node_count: usize, edges: &[&Edge]) -> Result<Vec<NodeIdx>, Vec<bool>> {
    let successors = Adjacency::new(node_count, edges.iter().map(|edge| (edge.from, edge.to.0)));
    let mut pending = vec![0usize; node_count];
    for edge in edges {
        pending[edge.to.index()] += 1;
    }
    let mut ready: BinaryHeap<Reverse<u32>> = (0..node_count as u32)
        .filter(|&node| pending[node as usize] == 0)
        .map(Reverse)
        .collect();
    let mut order = Vec::with_capacity(node_count);
    while let Some(Reverse(node)) = ready.pop() {
        order.push(NodeIdx(node));
        for &next in successors.of(node as usize) {
            pending[next as usize] -= 1;
            if pending[next as usize] == 0 {
                ready.push(Reverse(next));
            }
        }
    }
    if order.len() == node_count {
        Ok(order)
    } else {
        Err(pending.iter().map(|&count| count > 0).collect())
    }
}

/// Lists of `u32`s by node, all in one vector (compressed rows): each node's list holds its
/// entries in the order they were given. Two allocations, however many nodes.
#[derive(Clone, Debug)]
struct Adjacency {
    /// Node `n`'s entries are `entries[starts[n]..starts[n + 1]]`.
    starts: Vec<u32>,
    entries: Vec<u32>,
}

impl Adjacency {
    /// The lists of `node_count` nodes from `(node, entry)` pairs.
    fn new(node_count: usize, pairs: impl Iterator<Item = (NodeIdx, u32)> + Clone) -> Adjacency {
        let mut starts = vec![0u32; node_count + 1];
        for (node, _) in pairs.clone() {
            starts[node.index() + 1] += 1;
        }
        for index in 0..node_count {
            starts[index + 1] += starts[index];
        }
        let mut next: Vec<u32> = starts[..node_count].to_vec();
        let mut entries = vec![0u32; starts[node_count] as usize];
        for (node, entry) in pairs {
            let at = &mut next[node.index()];
            entries[*at as usize] = entry;
            *at += 1;
        }
        Adjacency { starts, entries }
    }

    /// The entries of node `node`.
    fn of(&self, node: usize) -> &[u32] {
        &self.entries[self.starts[node] as usize..self.starts[node + 1] as usize]
    }
}

/// Kosaraju's algorithm with explicit stacks (a 10 000-node chain must not recurse 10 000
/// deep): the component number of each node.
fn strongly_connected_components(node_count: usize, edges: &[Edge]) -> Vec<usize> {
    let forward = Adjacency::new(node_count, edges.iter().map(|edge| (edge.from, edge.to.0)));
    let backward = Adjacency::new(node_count, edges.iter().map(|edge| (edge.to, edge.from.0)));

    let mut visited = vec![false; node_count];
    let mut finished = Vec::with_capacity(node_count);
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for root in 0..node_count {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        stack.push((root, 0));
        while let Some((node, next_child)) = stack.last_mut() {
            if let Some(&child) = forward.of(*node).get(*next_child) {
                *next_child += 1;
                if !visited[child as usize] {
                    visited[child as usize] = true;
                    stack.push((child as usize, 0));
                }
            } else {
                finished.push(*node);
                stack.pop();
            }
        }
    }

    let mut component = vec![usize::MAX; node_count];
    let mut stack: Vec<usize> = Vec::new();
    for (number, &root) in finished.iter().rev().enumerate() {
        if component[root] != usize::MAX {
            continue;
        }
        component[root] = number;
        stack.push(root);
        while let Some(node) = stack.pop() {
            for &previous in backward.of(node) {
                if component[previous as usize] == usize::MAX {
                    component[previous as usize] = number;
                    stack.push(previous as usize);
                }
            }
        }
    }
    component
}

/// The most nodes a cycle's diagnostic names (and connections it labels); a longer cycle is
/// named by its first nodes and its length, so a cycle of 100 000 nodes is one short message.
pub const MAX_CYCLE_NAMES: usize = 8;

/// Names the nodes of one cycle among the `stuck` nodes, found deterministically: start at the
/// lowest stuck node and keep stepping to its lowest stuck predecessor until a node repeats.
/// Linear in the edges and the cycle's length.
fn cycle_diagnostic(nodes: &[GraphNode], edges: &[&Edge], stuck: &[bool]) -> Diagnostic {
    // Each stuck node's entering edge from its lowest stuck predecessor (the first such edge
    // in the list when several come from it).
    let mut lowest: Vec<Option<&Edge>> = vec![None; nodes.len()];
    for &edge in edges {
        if !(stuck[edge.to.index()] && stuck[edge.from.index()]) {
            continue;
        }
        let slot = &mut lowest[edge.to.index()];
        if slot.is_none_or(|best| edge.from < best.from) {
            *slot = Some(edge);
        }
    }
    let predecessor = |node: usize| {
        lowest[node].expect("a node left by Kahn's algorithm has a stuck predecessor")
    };
    let start = stuck.iter().position(|&s| s).expect("a cycle was found");
    // Where each node is in `path`, once it is there.
    let mut position: Vec<Option<usize>> = vec![None; nodes.len()];
    position[start] = Some(0);
    let mut path = vec![start];
    let mut via = Vec::new();
    let cycle_start = loop {
        let edge = predecessor(*path.last().expect("path starts non-empty"));
        via.push(edge);
        if let Some(at) = position[edge.from.index()] {
            break at;
        }
        position[edge.from.index()] = Some(path.len());
        path.push(edge.from.index());
    };
    // `path[cycle_start..]` walks the cycle backwards, and `via[m]` enters `path[m]`; the last
    // edge found closes it. Forward, the nodes are `path` reversed and each node's outgoing
    // edge is the one that entered its predecessor in `path`.
    let last = via.len() - 1;
    let mut cycle: Vec<usize> = path[cycle_start..].iter().rev().copied().collect();
    let mut cycle_edges: Vec<&Edge> = via[cycle_start..last].iter().rev().copied().collect();
    cycle_edges.push(via[last]);
    // Start at the node declared first, so the message reads the same however it was found.
    let first = (0..cycle.len())
        .min_by_key(|&i| cycle[i])
        .expect("a cycle has nodes");
    cycle.rotate_left(first);
    cycle_edges.rotate_left(first);

    let name = |node: &usize| format!("`{}`", nodes[*node].id);
    let names = if cycle.len() <= MAX_CYCLE_NAMES {
        let names: Vec<String> = cycle.iter().chain(cycle.first()).map(name).collect();
        names.join(" -> ")
    } else {
        let names: Vec<String> = cycle[..MAX_CYCLE_NAMES].iter().map(name).collect();
        format!("of {} nodes {} -> …", cycle.len(), names.join(" -> "))
    };
    let mut diagnostic = Diagnostic::new(
        Code::Cycle,
        cycle_edges[0].span,
        format!("cycle {names} is not broken by a delay"),
    )
    .with_label("this connection is part of the cycle")
    .with_hint(
        "route the loop through a `delay` node's `in` input; only a delay may close a cycle",
    );
    for edge in cycle_edges.iter().take(MAX_CYCLE_NAMES).skip(1) {
        diagnostic = diagnostic.with_secondary(edge.span, "and this one");
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{InputSpec, OutputSpec, Rate, Role, Unit};

    const fn input(name: &'static str, breaks_cycles: bool) -> InputSpec {
        InputSpec {
            name,
            doc: "",
            default: 0.0,
            min: -1.0,
            max: 1.0,
            unit: Unit::Signal,
            rate: Rate::Audio,
            breaks_cycles,
        }
    }
    const OUT: &[OutputSpec] = &[OutputSpec {
        name: "out",
        doc: "",
        unit: Unit::Signal,
    }];
    /// A module with a rigid input 0 and a cycle-breaking input 1.
    const MIX: ModuleSpec = ModuleSpec {
        name: "mix",
        doc: "",
        inputs: &[input("in", false), input("delayed", true)],
        outputs: OUT,
        role: Role::Kernel,
    };

    fn nodes(count: usize) -> Vec<GraphNode<'static>> {
        (0..count)
            .map(|n| GraphNode {
                id: format!("n{n}").into(),
                spec: &MIX,
                values: vec![0.0; 2],
                texts: Vec::new(),
                span: Span::default(),
            })
            .collect()
    }

    fn edge(from: u32, to: u32, input: usize) -> Edge {
        Edge {
            from: NodeIdx(from),
            output: 0,
            to: NodeIdx(to),
            input,
            closes_cycle: true,
            span: Span::default(),
        }
    }

    #[test]
    fn from_parts_orders_the_nodes_and_marks_the_edges_that_close_cycles() {
        // 2 -> 0 -> 1, and 1 back into 0's cycle-breaking input; 3 alone.
        let edges = vec![edge(2, 0, 0), edge(0, 1, 0), edge(1, 0, 1)];
        let graph = Graph::from_parts(nodes(4), edges).unwrap();
        assert_eq!(graph.order, [2, 0, 1, 3].map(NodeIdx));
        let closing: Vec<bool> = graph.edges.iter().map(|edge| edge.closes_cycle).collect();
        assert_eq!(closing, [false, false, true]);
        assert_eq!(graph.edges_into(NodeIdx(0), 1).count(), 1);
        assert_eq!(on_rigid_cycles(&graph.nodes, &graph.edges), [false; 4]);
    }

    #[test]
    fn from_parts_refuses_a_rigid_cycle_and_on_rigid_cycles_finds_its_nodes() {
        let edges = vec![edge(2, 0, 0), edge(0, 1, 0), edge(1, 0, 0), edge(3, 3, 0)];
        assert_eq!(
            on_rigid_cycles(&nodes(4), &edges),
            [true, true, false, true]
        );
        let error = Graph::from_parts(nodes(4), edges).unwrap_err();
        assert_eq!(error.code, Code::Cycle);
    }

    #[test]
    fn a_long_cycle_is_named_by_its_first_nodes_and_its_length() {
        // n0 -> n1 -> … -> n99989 -> n0, all into rigid inputs.
        let count = 99_990u32;
        let edges: Vec<Edge> = (0..count).map(|n| edge(n, (n + 1) % count, 0)).collect();
        let error = Graph::from_parts(nodes(count as usize), edges).unwrap_err();
        assert_eq!(error.code, Code::Cycle);
        assert_eq!(
            error.message,
            "cycle of 99990 nodes `n0` -> `n1` -> `n2` -> `n3` -> `n4` -> `n5` -> `n6` -> `n7` \
             -> … is not broken by a delay"
        );
        assert_eq!(error.secondary.len(), 7);
    }

    #[test]
    fn a_short_cycle_is_named_in_full() {
        // n0 -> n2 -> n1 -> n0, with n3 feeding the cycle and a second edge n1 -> n0.
        let edges = vec![
            edge(0, 2, 0),
            edge(2, 1, 0),
            edge(1, 0, 0),
            edge(3, 0, 0),
            edge(1, 0, 0),
        ];
        let error = Graph::from_parts(nodes(4), edges).unwrap_err();
        assert_eq!(
            error.message,
            "cycle `n0` -> `n2` -> `n1` -> `n0` is not broken by a delay"
        );
        assert_eq!(error.secondary.len(), 2);
    }

    #[test]
    fn from_parts_refuses_parts_that_do_not_fit() {
        for edges in [vec![edge(0, 5, 0)], vec![edge(0, 1, 2)]] {
            let error = Graph::from_parts(nodes(2), edges).unwrap_err();
            assert_eq!(error.code, Code::Internal);
        }
        let mut short = nodes(2);
        short[1].values.pop();
        let error = Graph::from_parts(short, Vec::new()).unwrap_err();
        assert_eq!(error.code, Code::Internal);
    }
}
