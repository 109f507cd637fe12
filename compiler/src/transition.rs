//! The transition from one graph to the next, played for the engine's fade time, for a live
//! engine whose successive programs share kernels.
//!
//! When a structural edit reaches a running engine, the old program cannot play beside the new
//! one to crossfade them: a node that survives the edit runs on the very same kernel in both.
//! So the engine plays a *transition* graph for the fade's length instead: the union of the two, in
//! which each node runs once, every input whose connections changed is fed through the
//! catalog's fade ([`Part::Fade`](patchvm_ir::Part::Fade), `edit.fade` in patchvm's catalog)
//! from its old connections to its new ones, and the nodes the edit removes play
//! out as ghosts on their old kernels into those fades. After the fade the new program goes
//! on alone.
//!
//! Joining the two graphs can close a cycle that neither has: reordering `a → b` into
//! `b → a` makes `a` feed `b` through the old connection and `b` feed `a` through the new one.
//! Such survivors are *split*: their new node takes only its new connections, and a ghost on a
//! copy of their old state takes the old ones, as the audio half's crossfade of two whole programs
//! does. Splitting every survivor on a cycle until none is left always ends: once all of them
//! are split, the old and new graphs meet only in the fades.

use crate::ghost::{Carried, ringing};
use patchvm_ir::graph::on_rigid_cycles;
use patchvm_ir::{Catalog, Diagnostic, Edge, Fade, Graph, GraphNode, NodeIdx, NodeName, Role};

/// Where a node of a transition graph comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Node of the new graph (its index there): an added node, or a survivor (same id and
    /// module in both graphs), which keeps running on its old kernel.
    New(NodeIdx),
    /// A node of the old graph (its index there) the new one lacks (removed, its module
    /// changed, or a constant whose values changed: a stateless node with nothing connected):
    /// it plays out on its old kernel into the fades.
    Removed(NodeIdx),
    /// The old version (its index in the old graph) of a survivor that must run beside its new
    /// version because joining the two would close a cycle: it runs on a copy of the old
    /// kernel's state.
    Split(NodeIdx),
    /// A crossfade inserted on an input whose connections changed.
    Fade,
}

/// The graph to play for one block between an old graph and a new one.
#[derive(Clone, Debug)]
pub struct Transition<'c> {
    /// The union of the two graphs joined by fades, checked and ordered.
    pub graph: Graph<'c>,
    /// For each node of `graph` (by [`NodeIdx`]), where it comes from.
    pub origins: Vec<Origin>,
    /// For each node of the old graph, whether its tail rings on after the transition (see
    /// [`ringing`]): all false unless asked for by [`transition_with_tails`].
    pub ring: Vec<bool>,
}

/// The transition from `old` to `new`, both validated against `catalog`; `Ok(None)` when the
/// two are the same — the same nodes (ids and modules), the same values of constants
/// (stateless nodes with nothing connected) and the same connections into each input, in
/// order — or `catalog` has no fade ([`Catalog::fade`]). (A node added without connections gives a
/// transition without fades: the graphs differ.) Deterministic: the same graphs give the same
/// transition.
///
/// The nodes of the transition graph are, in this order: every node of `new`, in its order
/// ([`Origin::New`], each with its id, module, values and span, so `graph.nodes[i]` is
/// `new.nodes[i]`); the nodes of `old` that `new` lacks ([`Origin::Removed`], keeping their
/// ids unless a node of `new` has it, then `ID/edit`); the old versions of split survivors
/// ([`Origin::Split`], `ID/edit`); and the fades ([`Origin::Fade`], `ID/edit.INPUT` for input
/// `INPUT` of node `ID`, `from` holding the input's old value, `to` its new one and the
/// fade's time setting `seconds`).
///
/// An input of a surviving node takes its old connections (from the nodes they came from in
/// the transition: survivors, ghosts) and its new ones; if the two lists differ a fade takes
/// the old ones into `from` and the new ones into `to`. An output node that only `old` has
/// fades its connected inputs out, and one that only `new` has fades them in, so that no
/// connection reaches the host's output unfaded.
///
/// Errs only on a bug: the union it builds always orders.
pub fn transition<'c>(
    old: &Graph<'c>,
    new: &Graph<'c>,
    catalog: &'c Catalog,
    seconds: f64,
) -> Result<Option<Transition<'c>>, Diagnostic> {
    transition_with_tails(old, new, catalog, seconds, None)
}

/// [`transition`], where with `tails` (saying which changed modules carry their state on)
/// the removed nodes and old sides of changed ones that ring (see [`ringing`]) are
/// made ready to ring on after it, in a ghost ([`ghost`](crate::ghost)): each input of theirs
/// fades from its old connections to those from other ringing nodes only, and their
/// connections into an output node that survives are not faded.
pub fn transition_with_tails<'c>(
    old: &Graph<'c>,
    new: &Graph<'c>,
    catalog: &'c Catalog,
    seconds: f64,
    tails: Option<Carried>,
) -> Result<Option<Transition<'c>>, Diagnostic> {
    let Some(fade) = catalog.fade() else {
        return Ok(None);
    };
    let fade = Fading { fade, seconds };
    if written_alike(old, new, catalog) {
        return Ok(None);
    }
    let survivors = Survivors::new(old, new, catalog);
    let ring = match tails {
        Some(carried) => ringing(old, new, catalog, carried),
        None => vec![false; old.nodes.len()],
    };
    let mut split = vec![false; old.nodes.len()];
    let mut union = Union::build(old, new, fade, &survivors, &split, &ring);
    // No ghost means every old node survives, no fade that each keeps its connections.
    let same = survivors.old_of.iter().all(Option::is_some)
        && union
            .origins
            .iter()
            .all(|origin| matches!(origin, Origin::New(_)));
    if same {
        return Ok(None);
    }
    loop {
        let on_cycle = on_rigid_cycles(&union.nodes, &union.edges);
        let mut more = false;
        for (origin, _) in union.origins.iter().zip(&on_cycle).filter(|&(_, &on)| on) {
            if let &Origin::New(node) = origin
                && let Some(was) = survivors.old_of[node.index()]
                && !split[was.index()]
            {
                split[was.index()] = true;
                more = true;
            }
        }
        if !more {
            break;
        }
        union = Union::build(old, new, fade, &survivors, &split, &ring);
    }
    let graph = Graph::from_parts(union.nodes, union.edges)?;
    Ok(Some(Transition {
        graph,
        origins: union.origins,
        ring,
    }))
}

/// Whether `new` is `old` node for node and edge for edge, in the same order (a reload of an
/// unchanged patch, or a value edit): the same ids and modules, the same values of constants
/// and the same edges. Without allocating, so that such a reload costs no union; graphs that
/// are the same in another order are found by building it.
fn written_alike(old: &Graph, new: &Graph, catalog: &Catalog) -> bool {
    old.nodes.len() == new.nodes.len()
        && old.edges.len() == new.edges.len()
        && old
            .edges
            .iter()
            .zip(&new.edges)
            .all(|(a, b)| (a.from, a.output, a.to, a.input) == (b.from, b.output, b.to, b.input))
        && old
            .nodes
            .iter()
            .zip(&new.nodes)
            .enumerate()
            .all(|(index, (was, now))| {
                // Values programs hold as constants: a constant node's, and an output's
                // (compared whole; a connected input's value is unused, and the union
                // finds that out).
                let constant = || {
                    matches!(now.spec.role, Role::Output | Role::Sink)
                        || catalog.fold(now.spec.name).is_some()
                            && new.edges_to(NodeIdx(index as u32)).next().is_none()
                };
                was.id == now.id
                    && was.spec.name == now.spec.name
                    && (!constant()
                        || was
                            .values
                            .iter()
                            .zip(&now.values)
                            .all(|(a, b)| a.to_bits() == b.to_bits()))
            })
}

/// Which nodes survive the edit: same id and module, and for a constant (a stateless node
/// with nothing connected, which folds) the same values, since its output is a function of
/// them (a changed one fades like a new node).
struct Survivors {
    /// For each old node, its new version.
    new_of: Vec<Option<NodeIdx>>,
    /// For each new node, its old version.
    old_of: Vec<Option<NodeIdx>>,
}

impl Survivors {
    fn new(old: &Graph, new: &Graph, catalog: &Catalog) -> Survivors {
        // For lookup only: nothing iterates it, so its order cannot leak into the result.
        let by_id: foldhash::HashMap<&str, NodeIdx> = new
            .nodes
            .iter()
            .enumerate()
            .map(|(index, node)| (node.id.as_str(), NodeIdx(index as u32)))
            .collect();
        let mut survivors = Survivors {
            new_of: vec![None; old.nodes.len()],
            old_of: vec![None; new.nodes.len()],
        };
        for (index, was) in old.nodes.iter().enumerate() {
            let Some(&is) = by_id.get(was.id.as_str()) else {
                continue;
            };
            let now = &new.nodes[is.index()];
            let same_values = || {
                was.values
                    .iter()
                    .zip(&now.values)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            };
            // A stateless node with nothing connected is a constant (it folds): a new value
            // is a new constant, which fades in while the old one plays out. Any other
            // node's values start parameter slots, which a value edit resets.
            let constant = catalog.fold(now.spec.name).is_some()
                && old.edges_to(NodeIdx(index as u32)).next().is_none()
                && new.edges_to(is).next().is_none();
            if was.spec.name == now.spec.name && (!constant || same_values()) {
                survivors.new_of[index] = Some(is);
                survivors.old_of[is.index()] = Some(NodeIdx(index as u32));
            }
        }
        survivors
    }
}

/// The connections into one input on one side of the edit, with the input's value there.
struct Side {
    /// `(source in the union, output port, span)`, in patch order.
    edges: Vec<(NodeIdx, usize, patchvm_ir::Span)>,
    value: f64,
}

impl Side {
    /// Nothing connected and silence: the side of an output node that only one graph has.
    fn silent() -> Side {
        Side {
            edges: Vec::new(),
            value: 0.0,
        }
    }

    /// Whether the two sides hold the same value when nothing is connected: an output node's
    /// unconnected input plays its value, a constant the program writes, not a slot that a
    /// value edit resets, so a new one fades in like a new source.
    fn same_constant(&self, other: &Side) -> bool {
        !self.edges.is_empty()
            || !other.edges.is_empty()
            || self.value.to_bits() == other.value.to_bits()
    }

    fn same_sources(&self, other: &Side) -> bool {
        self.edges.len() == other.edges.len()
            && self
                .edges
                .iter()
                .zip(&other.edges)
                .all(|(a, b)| (a.0, a.1) == (b.0, b.1))
    }
}

/// The catalog's fade and how long it lasts, in seconds.
#[derive(Clone, Copy)]
struct Fading<'c> {
    fade: Fade<'c>,
    seconds: f64,
}

/// A transition graph being built, for one choice of split survivors.
struct Union<'a, 'c> {
    old: &'a Graph<'c>,
    new: &'a Graph<'c>,
    fade: Fading<'c>,
    nodes: Vec<GraphNode<'c>>,
    edges: Vec<Edge>,
    origins: Vec<Origin>,
    /// For each old node, the node that carries its old output in the union: its new version
    /// if it survives unsplit, else its ghost.
    old_source: Vec<NodeIdx>,
    /// For each old node, whether it rings on after the transition.
    ring: &'a [bool],
}

impl<'a, 'c> Union<'a, 'c> {
    fn build(
        old: &'a Graph<'c>,
        new: &'a Graph<'c>,
        fade: Fading<'c>,
        survivors: &Survivors,
        split: &[bool],
        ring: &'a [bool],
    ) -> Union<'a, 'c> {
        let mut union = Union {
            old,
            new,
            fade,
            nodes: new.nodes.clone(),
            edges: Vec::new(),
            origins: (0..new.nodes.len() as u32)
                .map(|index| Origin::New(NodeIdx(index)))
                .collect(),
            old_source: vec![NodeIdx(0); old.nodes.len()],
            ring,
        };
        let new_ids: std::collections::BTreeSet<&str> =
            new.nodes.iter().map(|node| node.id.as_str()).collect();
        for (index, node) in old.nodes.iter().enumerate() {
            union.old_source[index] = match survivors.new_of[index] {
                Some(is) => is,
                None => {
                    let id = if new_ids.contains(node.id.as_str()) {
                        format!("{}/edit", node.id).into()
                    } else {
                        node.id.clone()
                    };
                    union.ghost(index, id, Origin::Removed(NodeIdx(index as u32)))
                }
            };
        }
        for index in (0..old.nodes.len()).filter(|&index| split[index]) {
            let id = format!("{}/edit", old.nodes[index].id).into();
            union.old_source[index] = union.ghost(index, id, Origin::Split(NodeIdx(index as u32)));
        }
        for at in 0..union.origins.len() {
            union.inputs_of(NodeIdx(at as u32), survivors, split);
        }
        union
    }

    /// Adds old node `index` as a ghost; returns its index in the union.
    fn ghost(&mut self, index: usize, id: NodeName, origin: Origin) -> NodeIdx {
        let at = NodeIdx(self.nodes.len() as u32);
        self.nodes.push(GraphNode {
            id,
            ..self.old.nodes[index].clone()
        });
        self.origins.push(origin);
        at
    }

    /// Connects every input of union node `at`, with fades where its connections change.
    fn inputs_of(&mut self, at: NodeIdx, survivors: &Survivors, split: &[bool]) {
        let node = &self.nodes[at.index()];
        let output = matches!(node.spec.role, Role::Output | Role::Sink);
        for input in 0..node.spec.inputs.len() {
            let (before, after) = match self.origins[at.index()] {
                Origin::New(is) => {
                    let after = self.new_side(is, input);
                    let before = match survivors.old_of[is.index()] {
                        Some(was) if !split[was.index()] => Some(self.old_side(was, input)),
                        Some(_) => None,
                        None if output => Some(Side::silent()),
                        None => None,
                    };
                    (before, Some(after))
                }
                Origin::Removed(was) if output => {
                    (Some(self.old_side(was, input)), Some(Side::silent()))
                }
                Origin::Removed(was) if self.ring[was.index()] => {
                    let before = self.old_side(was, input);
                    let after = Side {
                        edges: before
                            .edges
                            .iter()
                            .copied()
                            .filter(|&(from, ..)| self.rings(from))
                            .collect(),
                        value: before.value,
                    };
                    (Some(before), Some(after))
                }
                Origin::Removed(was) | Origin::Split(was) => {
                    (Some(self.old_side(was, input)), None)
                }
                Origin::Fade => return,
            };
            // A ringing node's tail reaches the output unfaded, to go on in the ghost.
            let before = before.map(|mut side| {
                if output {
                    let (ringing, rest) =
                        side.edges.iter().partition(|&&(from, ..)| self.rings(from));
                    self.connect(
                        &Side {
                            edges: ringing,
                            value: 0.0,
                        },
                        at,
                        input,
                    );
                    side.edges = rest;
                }
                side
            });
            match (before, after) {
                (Some(before), Some(after))
                    if !before.same_sources(&after) || output && !before.same_constant(&after) =>
                {
                    self.add_fade(at, input, before, after);
                }
                (_, Some(side)) | (Some(side), None) => self.connect(&side, at, input),
                (None, None) => {}
            }
        }
    }

    /// Whether union node `at` is a removed node that rings on after the transition.
    fn rings(&self, at: NodeIdx) -> bool {
        matches!(self.origins[at.index()], Origin::Removed(was) if self.ring[was.index()])
    }

    /// The connections into input `input` of old node `was`, from where the union carries
    /// their sources' old outputs.
    fn old_side(&self, was: NodeIdx, input: usize) -> Side {
        Side {
            edges: self
                .old
                .edges_into(was, input)
                .map(|edge| (self.old_source[edge.from.index()], edge.output, edge.span))
                .collect(),
            value: self.old.nodes[was.index()].values[input],
        }
    }

    /// The connections into input `input` of new node `is`: new nodes keep their indices.
    fn new_side(&self, is: NodeIdx, input: usize) -> Side {
        Side {
            edges: self
                .new
                .edges_into(is, input)
                .map(|edge| (edge.from, edge.output, edge.span))
                .collect(),
            value: self.new.nodes[is.index()].values[input],
        }
    }

    fn connect(&mut self, side: &Side, to: NodeIdx, input: usize) {
        self.edges
            .extend(side.edges.iter().map(|&(from, output, span)| Edge {
                from,
                output,
                to,
                input,
                closes_cycle: false,
                span,
            }));
    }

    /// Feeds input `input` of union node `to` through a new fade from `before` to `after`.
    fn add_fade(&mut self, to: NodeIdx, input: usize, before: Side, after: Side) {
        let target = &self.nodes[to.index()];
        let span = target.span;
        let Fade {
            spec,
            from,
            to: into,
            time,
            out,
        } = self.fade.fade;
        let mut values: Vec<f64> = spec.inputs.iter().map(|input| input.default).collect();
        values[from] = before.value;
        values[into] = after.value;
        values[time] = self.fade.seconds;
        let fade = NodeIdx(self.nodes.len() as u32);
        self.nodes.push(GraphNode {
            id: format!("{}/edit.{}", target.id, target.spec.inputs[input].name).into(),
            spec,
            values,
            texts: Vec::new(),
            span,
        });
        self.origins.push(Origin::Fade);
        self.connect(&before, fade, from);
        self.connect(&after, fade, into);
        self.edges.push(Edge {
            from: fade,
            output: out,
            to,
            input,
            closes_cycle: false,
            span,
        });
    }
}
