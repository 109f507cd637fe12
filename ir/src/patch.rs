//! The patch data model: nodes, their parameter values and the connections between ports.
//!
//! This is what every reader produces and every writer consumes; it is not yet checked against
//! the module catalog (see [`mod@crate::validate`]). Every element keeps the span it was read from.

use crate::span::Span;

/// A patch: a graph of module instances (nodes) and connections between their ports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Patch {
    /// The nodes, in the order they were written; that order breaks ties in every later
    /// ordering, so the same file always compiles to the same program.
    pub nodes: Vec<Node>,
    /// The connections, in the order they were written.
    pub connections: Vec<Connection>,
}

/// A name as written in the source: a node id, module type, port or parameter name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Name {
    /// The name itself.
    pub text: String,
    /// Where it was written.
    pub span: Span,
}

/// One module instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The node's id, unique in its patch.
    pub id: Name,
    /// The module type, e.g. `osc.sine`.
    pub module: Name,
    /// Parameter values, in the order they were written.
    pub params: Vec<Param>,
    /// The whole node definition.
    pub span: Span,
}

/// A parameter value set on a node: `(freq 440)` or `"freq": 440`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The parameter, which is also the input port of the same name.
    pub name: Name,
    /// Its value.
    pub value: Value,
}

/// A parameter value with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// The value.
    pub kind: ValueKind,
    /// Where it was written.
    pub span: Span,
}

/// What a parameter value can be. The readers accept all of these so that the validator,
/// which knows what each parameter takes, can say "wrong type" with a span.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    /// A number; always finite (the readers refuse NaN and infinities).
    Number(f64),
    /// A string.
    Text(String),
    /// A list of values.
    List(Vec<Value>),
}

impl ValueKind {
    /// What the value is, for messages: "a number", "a string", "a list".
    pub fn describe(&self) -> &'static str {
        match self {
            ValueKind::Number(_) => "a number",
            ValueKind::Text(_) => "a string",
            ValueKind::List(_) => "a list",
        }
    }
}

/// One end of a connection: a node and one of its ports.
#[derive(Clone, Debug, PartialEq)]
pub struct PortRef {
    /// The node's id.
    pub node: Name,
    /// The port's name.
    pub port: Name,
}

/// A connection from an output port to an input port: `(osc1 "out" -> gain1 "in")`.
#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    /// The output port the signal comes from.
    pub from: PortRef,
    /// The input port it drives; several connections into one input are summed.
    pub to: PortRef,
    /// The whole connection.
    pub span: Span,
}

impl Name {
    /// A name with no source position, for patches built in code.
    pub fn new(text: impl Into<String>) -> Name {
        Name {
            text: text.into(),
            span: Span::NONE,
        }
    }
}

impl Patch {
    /// The same patch with every span cleared, so that patches read from different formats can
    /// be compared for equality of content.
    pub fn without_spans(mut self) -> Patch {
        fn clear_value(value: &mut Value) {
            value.span = Span::NONE;
            if let ValueKind::List(items) = &mut value.kind {
                items.iter_mut().for_each(clear_value);
            }
        }
        for node in &mut self.nodes {
            node.span = Span::NONE;
            node.id.span = Span::NONE;
            node.module.span = Span::NONE;
            for param in &mut node.params {
                param.name.span = Span::NONE;
                clear_value(&mut param.value);
            }
        }
        for connection in &mut self.connections {
            connection.span = Span::NONE;
            for end in [&mut connection.from, &mut connection.to] {
                end.node.span = Span::NONE;
                end.port.span = Span::NONE;
            }
        }
        self
    }

    /// The node with id `id`, if there is one (the first, if ids are duplicated).
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|node| node.id.text == id)
    }
}

/// Builds patches in code, e.g. in tests and generators.
///
/// ```
/// use patchvm_ir::patch::PatchBuilder;
/// let patch = PatchBuilder::new()
///     .node("osc1", "osc.sine", &[("freq", 440.0)])
///     .node("out", "output", &[])
///     .connect(("osc1", "out"), ("out", "in"))
///     .build();
/// assert_eq!(patch.nodes.len(), 2);
/// ```
#[derive(Debug, Default)]
pub struct PatchBuilder {
    patch: Patch,
}

impl PatchBuilder {
    /// An empty patch.
    pub fn new() -> PatchBuilder {
        PatchBuilder::default()
    }

    /// Adds a node with numeric parameters.
    pub fn node(mut self, id: &str, module: &str, params: &[(&str, f64)]) -> PatchBuilder {
        self.patch.nodes.push(Node {
            id: Name::new(id),
            module: Name::new(module),
            params: params
                .iter()
                .map(|&(name, value)| Param {
                    name: Name::new(name),
                    value: Value {
                        kind: ValueKind::Number(value),
                        span: Span::NONE,
                    },
                })
                .collect(),
            span: Span::NONE,
        });
        self
    }

    /// Connects output `from = (node, port)` to input `to = (node, port)`.
    pub fn connect(mut self, from: (&str, &str), to: (&str, &str)) -> PatchBuilder {
        let end = |(node, port): (&str, &str)| PortRef {
            node: Name::new(node),
            port: Name::new(port),
        };
        self.patch.connections.push(Connection {
            from: end(from),
            to: end(to),
            span: Span::NONE,
        });
        self
    }

    /// The finished patch.
    pub fn build(self) -> Patch {
        self.patch
    }
}
