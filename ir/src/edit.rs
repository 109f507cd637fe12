//! Graph edits: the operations a live session applies to a patch, each checked against the
//! catalog before anything downstream sees the result.

use crate::catalog::Catalog;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::limits::Limits;
use crate::patch::{Connection, Name, Node, Param, Patch, PortRef, Value, ValueKind};
use crate::span::Span;
use crate::validate::validate;

/// One change to a patch. Ids and ports are plain strings: edits come from code, a network
/// message or a user interface, not from a file with spans.
#[derive(Clone, Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "an edit is made once per user action and applied at once, never stored in bulk"
)]
pub enum Edit {
    /// Adds node `id` of `module` with numeric parameter values.
    AddNode {
        /// The new node's id; it must not be taken.
        id: String,
        /// Its module type, e.g. `osc.sine`.
        module: String,
        /// Parameter values; unset parameters take their defaults.
        params: Vec<(String, f64)>,
    },
    /// Removes node `id` and every connection from or to it.
    RemoveNode {
        /// The node's id.
        id: String,
    },
    /// Connects output `from = (node, port)` to input `to = (node, port)`.
    Connect {
        /// The source node and output port.
        from: (String, String),
        /// The target node and input port.
        to: (String, String),
    },
    /// Removes the connections from `from` to `to` (all of them, if there are several).
    Disconnect {
        /// The source node and output port.
        from: (String, String),
        /// The target node and input port.
        to: (String, String),
    },
    /// Sets parameter `param` of node `node` to `value`.
    SetParam {
        /// The node's id.
        node: String,
        /// The parameter (input) name.
        param: String,
        /// Its new value.
        value: f64,
    },
    /// Replaces the whole patch, as a reload of its file does.
    ReplacePatch(Patch),
}

impl Edit {
    /// The patch `patch` becomes with this edit, if it is valid: the edit itself must make
    /// sense (the node to remove exists, the connection to remove is there) and the result
    /// must pass [`validate`] against `catalog`. On error `patch` is untouched, and every
    /// problem found is returned.
    ///
    /// ```
    /// use patchvm_ir::{Catalog, Edit, Limits, PatchBuilder};
    /// # use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};
    /// # const fn input(name: &'static str) -> InputSpec {
    /// #     InputSpec { name, doc: "", default: 0.0, min: -1e6, max: 1e6, unit: Unit::Signal,
    /// #                 rate: Rate::Audio, breaks_cycles: false }
    /// # }
    /// # const OUT: &[OutputSpec] = &[OutputSpec { name: "out", doc: "", unit: Unit::Signal }];
    /// # const FREQ: &[InputSpec] = &[input("freq")];
    /// # const SINK: &[InputSpec] = &[input("in"), input("left"), input("right")];
    /// # let catalog = Catalog::new(vec![
    /// #     ModuleSpec { name: "osc.sine", doc: "", inputs: FREQ, outputs: OUT, role: Role::Kernel },
    /// #     ModuleSpec { name: "output", doc: "", inputs: SINK, outputs: &[], role: Role::Output },
    /// # ]);
    /// let patch = PatchBuilder::new().node("out", "output", &[]).build();
    /// let add = Edit::AddNode { id: "osc1".into(), module: "osc.sine".into(), params: vec![("freq".into(), 220.0)] };
    /// let patch = add.apply(&patch, &catalog, &Limits::default()).unwrap();
    /// let wire = Edit::Connect { from: ("osc1".into(), "out".into()), to: ("out".into(), "in".into()) };
    /// let patch = wire.apply(&patch, &catalog, &Limits::default()).unwrap();
    /// assert_eq!(patch.connections.len(), 1);
    /// // Connecting to a port that does not exist changes nothing and says why.
    /// let bad = Edit::Connect { from: ("osc1".into(), "out".into()), to: ("out".into(), "inn".into()) };
    /// assert!(bad.apply(&patch, &catalog, &Limits::default()).is_err());
    /// ```
    pub fn apply(
        &self,
        patch: &Patch,
        catalog: &Catalog,
        limits: &Limits,
    ) -> Result<Patch, Diagnostics> {
        let edited = self.apply_unvalidated(patch.clone())?;
        validate(&edited, catalog, limits)?;
        Ok(edited)
    }

    /// The patch `patch` becomes with this edit, without validating the result: for a caller
    /// that validates it next anyway (compiling does), so that a large patch is neither
    /// copied nor validated twice. Fails only if the edit itself makes no sense (the node or
    /// connection to remove is not there); [`apply`](Edit::apply) is this plus [`validate`].
    pub fn apply_unvalidated(&self, mut patch: Patch) -> Result<Patch, Diagnostics> {
        match self {
            Edit::AddNode { id, module, params } => patch.nodes.push(Node {
                id: Name::new(id.as_str()),
                module: Name::new(module.as_str()),
                params: params
                    .iter()
                    .map(|(name, value)| number(name, *value))
                    .collect(),
                span: Span::NONE,
            }),
            Edit::RemoveNode { id } => {
                let before = patch.nodes.len();
                patch.nodes.retain(|node| node.id.text != *id);
                if patch.nodes.len() == before {
                    return Err(vec![unknown_node(id)]);
                }
                patch
                    .connections
                    .retain(|c| c.from.node.text != *id && c.to.node.text != *id);
            }
            Edit::Connect { from, to } => patch.connections.push(Connection {
                from: port_ref(from),
                to: port_ref(to),
                span: Span::NONE,
            }),
            Edit::Disconnect { from, to } => {
                let before = patch.connections.len();
                patch
                    .connections
                    .retain(|c| !(same(&c.from, from) && same(&c.to, to)));
                if patch.connections.len() == before {
                    return Err(vec![
                        Diagnostic::new(
                            Code::UnknownConnection,
                            Span::NONE,
                            format!(
                                "no connection from `{}` \"{}\" to `{}` \"{}\"",
                                from.0, from.1, to.0, to.1
                            ),
                        )
                        .with_label("nothing to disconnect"),
                    ]);
                }
            }
            Edit::SetParam { node, param, value } => {
                let Some(target) = patch.nodes.iter_mut().find(|n| n.id.text == *node) else {
                    return Err(vec![unknown_node(node)]);
                };
                target.params.retain(|p| p.name.text != *param);
                target.params.push(number(param, *value));
            }
            Edit::ReplacePatch(new) => patch = new.clone(),
        }
        Ok(patch)
    }
}

fn number(name: &str, value: f64) -> Param {
    Param {
        name: Name::new(name),
        value: Value {
            kind: ValueKind::Number(value),
            span: Span::NONE,
        },
    }
}

fn port_ref((node, port): &(String, String)) -> PortRef {
    PortRef {
        node: Name::new(node.as_str()),
        port: Name::new(port.as_str()),
    }
}

fn same(end: &PortRef, (node, port): &(String, String)) -> bool {
    end.node.text == *node && end.port.text == *port
}

fn unknown_node(id: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownNode,
        Span::NONE,
        format!("unknown node `{id}`"),
    )
    .with_label("the patch has no node of this id")
}
