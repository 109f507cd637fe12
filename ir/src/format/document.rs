//! The document shape JSON and MessagePack share, converted to and from a [`Patch`] once for
//! both.
//!
//! ```text
//! { "nodes": { ID: { "type": MODULE, "params": { NAME: VALUE, ... } }, ... },
//!   "connections": [ { "from": [NODE, PORT], "to": [NODE, PORT] }, ... ] }
//! ```
//!
//! Each reader first turns its bytes into an [`Item`] tree (with spans for JSON, without for
//! MessagePack) and checks syntax and limits there; [`to_patch`] then checks the shape. Writing
//! goes the other way through one `Serialize` impl ([`PatchDocument`]), so the two formats
//! cannot drift apart.
//!
//! Maps are ordered lists of entries, not hash maps: file order is the order ties break in
//! later passes, and duplicate node ids or parameters must survive for the validator to report
//! them with both spans.

use crate::diagnostic::{Code, Diagnostic, Diagnostics, push_capped};
use crate::format::guard;
use crate::limits::Limits;
use crate::patch::{Connection, Name, Node, Param, Patch, PortRef, Value, ValueKind};
use crate::span::Span;
use serde::ser::{SerializeMap, SerializeSeq, SerializeTuple};
use serde::{Serialize, Serializer};

/// A decoded JSON or MessagePack value.
#[derive(Debug)]
pub(crate) struct Item {
    /// What it is.
    pub kind: ItemKind,
    /// Where it was written, or [`Span::NONE`] for MessagePack.
    pub span: Span,
}

/// What an [`Item`] can be.
#[derive(Debug)]
pub(crate) enum ItemKind {
    /// A map with string keys, in file order, duplicates kept.
    Map(Vec<Entry>),
    /// An array.
    List(Vec<Item>),
    /// A string.
    Text(String),
    /// A number; not yet checked to be finite.
    Number(f64),
    /// Anything a patch never holds (booleans, null, binary data), described for messages,
    /// e.g. "`null`". Kept rather than refused early so the error can say which parameter.
    Other(&'static str),
}

/// One key and value of a map.
#[derive(Debug)]
pub(crate) struct Entry {
    /// The key, with its span (quotes included).
    pub key: Name,
    /// The value.
    pub value: Item,
}

/// How a format calls its containers, so messages use the reader's own words.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Words {
    /// "an object" or "a map".
    pub map: &'static str,
    /// "an array".
    pub list: &'static str,
}

const TOP_KEYS: [&str; 2] = ["nodes", "connections"];
const NODE_KEYS: [&str; 2] = ["type", "params"];
const CONNECTION_KEYS: [&str; 2] = ["from", "to"];
const NODE_EXAMPLE: &str = r#""osc1": { "type": "osc.sine", "params": { "freq": 440 } }"#;
const CONNECTION_EXAMPLE: &str = r#"{ "from": ["osc1", "out"], "to": ["gain1", "in"] }"#;
const VALUE_HINT: &str = "parameter values are numbers, strings or lists";

/// Checks that `root` has the shape of a patch and converts it, collecting every shape problem.
/// Stops at the first exceeded limit, since the rest may be the same mistake many times over.
pub(crate) fn to_patch(root: Item, limits: &Limits, words: Words) -> Result<Patch, Diagnostics> {
    let mut converter = Converter {
        limits,
        words,
        problems: Vec::new(),
    };
    let mut patch = Patch::default();
    if let Err(limit) = converter.patch(root, &mut patch) {
        converter.problems.push(limit);
    }
    if converter.problems.is_empty() {
        Ok(patch)
    } else {
        Err(converter.problems)
    }
}

/// Walks an [`Item`] tree into a [`Patch`]; shape problems go to `problems`, an exceeded limit
/// is returned as `Err` to stop the walk.
struct Converter<'l> {
    limits: &'l Limits,
    words: Words,
    problems: Diagnostics,
}

impl Converter<'_> {
    fn patch(&mut self, root: Item, patch: &mut Patch) -> Result<(), Diagnostic> {
        let ItemKind::Map(entries) = root.kind else {
            let found = self.describe(&root.kind);
            self.shape(
                root.span,
                format!(
                    "expected the patch to be {} with `nodes` and `connections`, found {found}",
                    self.words.map
                ),
                r#"the smallest patch is `{ "nodes": {}, "connections": [] }`"#,
            );
            return Ok(());
        };
        let mut seen = [None; 2];
        for Entry { key, value } in entries {
            match key.text.as_str() {
                "nodes" if self.first(&mut seen[0], &key, "the patch") => {
                    self.nodes(value, patch)?;
                }
                "connections" if self.first(&mut seen[1], &key, "the patch") => {
                    self.connections(value, patch)?;
                }
                "nodes" | "connections" => {}
                other => {
                    let message = format!("unknown key `{other}` in the patch");
                    self.shape(key.span, message, guard::choices(other, &TOP_KEYS));
                }
            }
        }
        Ok(())
    }

    fn nodes(&mut self, value: Item, patch: &mut Patch) -> Result<(), Diagnostic> {
        let ItemKind::Map(entries) = value.kind else {
            let found = self.describe(&value.kind);
            let message = format!(
                "expected `nodes` to be {} from node ids to nodes, found {found}",
                self.words.map
            );
            self.shape(
                value.span,
                message,
                format!("write nodes as `{NODE_EXAMPLE}`"),
            );
            return Ok(());
        };
        for entry in entries {
            if patch.nodes.len() == self.limits.max_nodes {
                return Err(guard::too_many_nodes(self.limits, entry.key.span));
            }
            if let Some(node) = self.node(entry) {
                patch.nodes.push(node);
            }
        }
        Ok(())
    }

    fn node(&mut self, Entry { key: id, value }: Entry) -> Option<Node> {
        let span = id.span.to(value.span);
        let ItemKind::Map(entries) = value.kind else {
            let found = self.describe(&value.kind);
            let message = format!(
                "expected node `{}` to be {} with `type` and `params`, found {found}",
                id.text, self.words.map
            );
            self.shape(
                value.span,
                message,
                format!("write a node as `{NODE_EXAMPLE}`"),
            );
            return None;
        };
        let mut seen = [None; 2];
        let mut module = None;
        let mut params = Vec::new();
        let whose = format!("node `{}`", id.text);
        for Entry { key, value } in entries {
            match key.text.as_str() {
                "type" if self.first(&mut seen[0], &key, &whose) => {
                    module = self.module(&id, value);
                }
                "params" if self.first(&mut seen[1], &key, &whose) => {
                    params = self.params(&id, value);
                }
                "type" | "params" => {}
                other => {
                    let message = format!("unknown key `{other}` in node `{}`", id.text);
                    self.shape(key.span, message, guard::choices(other, &NODE_KEYS));
                }
            }
        }
        if module.is_none() && seen[0].is_none() {
            let message = format!("node `{}` has no `type`", id.text);
            self.shape(
                span,
                message,
                format!("give every node a module: `{NODE_EXAMPLE}`"),
            );
        }
        Some(Node {
            id,
            module: module?,
            params,
            span,
        })
    }

    fn module(&mut self, id: &Name, value: Item) -> Option<Name> {
        match value.kind {
            ItemKind::Text(text) => Some(Name {
                text,
                span: value.span,
            }),
            other => {
                let found = self.describe(&other);
                let message = format!(
                    "expected the type of node `{}` to be a string, found {found}",
                    id.text
                );
                self.shape(
                    value.span,
                    message,
                    format!("write a node as `{NODE_EXAMPLE}`"),
                );
                None
            }
        }
    }

    fn params(&mut self, id: &Name, value: Item) -> Vec<Param> {
        let ItemKind::Map(entries) = value.kind else {
            let found = self.describe(&value.kind);
            let message = format!(
                "expected the params of node `{}` to be {} from names to values, found {found}",
                id.text, self.words.map
            );
            self.shape(
                value.span,
                message,
                format!("write a node as `{NODE_EXAMPLE}`"),
            );
            return Vec::new();
        };
        entries
            .into_iter()
            .filter_map(|Entry { key, value }| {
                let value = self.value(value, id, &key)?;
                Some(Param { name: key, value })
            })
            .collect()
    }

    /// Recursion is bounded: every reader refuses nesting past [`Limits::max_depth`] first.
    fn value(&mut self, item: Item, id: &Name, param: &Name) -> Option<Value> {
        let kind = match item.kind {
            ItemKind::Number(number) if number.is_finite() => ValueKind::Number(number),
            ItemKind::Text(text) => ValueKind::Text(text),
            ItemKind::List(items) => {
                let values: Vec<Option<Value>> = items
                    .into_iter()
                    .map(|item| self.value(item, id, param))
                    .collect();
                ValueKind::List(values.into_iter().collect::<Option<_>>()?)
            }
            other => {
                let what = match other {
                    ItemKind::Number(number) => format!("`{number}`"),
                    other => self.describe(&other).to_owned(),
                };
                let message = format!(
                    "unsupported value {what} for parameter `{}` on node `{}`",
                    param.text, id.text
                );
                push_capped(
                    &mut self.problems,
                    Diagnostic::new(Code::WrongType, item.span, message)
                        .with_label("this value")
                        .with_hint(VALUE_HINT),
                );
                return None;
            }
        };
        Some(Value {
            kind,
            span: item.span,
        })
    }

    fn connections(&mut self, value: Item, patch: &mut Patch) -> Result<(), Diagnostic> {
        let ItemKind::List(items) = value.kind else {
            let found = self.describe(&value.kind);
            let message = format!(
                "expected `connections` to be {} of connections, found {found}",
                self.words.list
            );
            let hint = format!("write connections as `[{CONNECTION_EXAMPLE}]`");
            self.shape(value.span, message, hint);
            return Ok(());
        };
        for item in items {
            if patch.connections.len() == self.limits.max_connections {
                return Err(guard::too_many_connections(self.limits, item.span));
            }
            if let Some(connection) = self.connection(item) {
                patch.connections.push(connection);
            }
        }
        Ok(())
    }

    fn connection(&mut self, item: Item) -> Option<Connection> {
        let ItemKind::Map(entries) = item.kind else {
            let found = self.describe(&item.kind);
            let message = format!(
                "expected a connection to be {} with `from` and `to`, found {found}",
                self.words.map
            );
            self.shape(item.span, message, format!("write `{CONNECTION_EXAMPLE}`"));
            return None;
        };
        let mut seen = [None; 2];
        let mut ends = [None, None];
        for Entry { key, value } in entries {
            let slot = match key.text.as_str() {
                "from" => 0,
                "to" => 1,
                other => {
                    let message = format!("unknown key `{other}` in a connection");
                    self.shape(key.span, message, guard::choices(other, &CONNECTION_KEYS));
                    continue;
                }
            };
            if self.first(&mut seen[slot], &key, "a connection") {
                ends[slot] = self.end(&key.text, value);
            }
        }
        for (slot, key) in CONNECTION_KEYS.iter().enumerate() {
            if seen[slot].is_none() {
                let message = format!("a connection has no `{key}`");
                self.shape(item.span, message, format!("write `{CONNECTION_EXAMPLE}`"));
            }
        }
        let [from, to] = ends;
        Some(Connection {
            from: from?,
            to: to?,
            span: item.span,
        })
    }

    /// One end of a connection: `[NODE, PORT]`.
    fn end(&mut self, key: &str, value: Item) -> Option<PortRef> {
        if let ItemKind::List(items) = value.kind
            && let Ok([node, port]) = <[Item; 2]>::try_from(items)
            && let (ItemKind::Text(node_text), ItemKind::Text(port_text)) = (node.kind, port.kind)
        {
            return Some(PortRef {
                node: Name {
                    text: node_text,
                    span: node.span,
                },
                port: Name {
                    text: port_text,
                    span: port.span,
                },
            });
        }
        let message = format!(
            "expected `{key}` to be {} of a node id and a port name",
            self.words.list
        );
        self.shape(value.span, message, format!("write `{CONNECTION_EXAMPLE}`"));
        None
    }

    /// Whether `key` is the first of its kind in `whose` (remembered in `seen`); reports the
    /// second and later ones, since a map with two `type`s or two `nodes` has lost one of them
    /// in the writer's mind.
    fn first(&mut self, seen: &mut Option<Span>, key: &Name, whose: &str) -> bool {
        let Some(first) = *seen else {
            *seen = Some(key.span);
            return true;
        };
        push_capped(
            &mut self.problems,
            Diagnostic::new(
                Code::Shape,
                key.span,
                format!("duplicate key `{}` in {whose}", key.text),
            )
            .with_label("second definition")
            .with_secondary(first, "first defined here")
            .with_hint("keep one of the two"),
        );
        false
    }

    fn shape(&mut self, span: Span, message: String, hint: impl Into<String>) {
        push_capped(
            &mut self.problems,
            Diagnostic::new(Code::Shape, span, message).with_hint(hint),
        );
    }

    fn describe(&self, kind: &ItemKind) -> &'static str {
        match kind {
            ItemKind::Map(_) => self.words.map,
            ItemKind::List(_) => self.words.list,
            ItemKind::Text(_) => "a string",
            ItemKind::Number(_) => "a number",
            ItemKind::Other(what) => what,
        }
    }
}

/// A patch in the shared document shape, for any serde serializer. Maps are written in patch
/// order with `serialize_map`, never as structs, so MessagePack gets real string-keyed maps.
#[derive(Debug)]
pub(crate) struct PatchDocument<'p>(pub &'p Patch);

impl Serialize for PatchDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("nodes", &Nodes(&self.0.nodes))?;
        map.serialize_entry("connections", &Connections(&self.0.connections))?;
        map.end()
    }
}

struct Nodes<'p>(&'p [Node]);

impl Serialize for Nodes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for node in self.0 {
            map.serialize_entry(&node.id.text, &NodeBody(node))?;
        }
        map.end()
    }
}

/// A node's `type` and, if it has any, `params`: a node without parameters reads best without
/// an empty `"params": {}`.
struct NodeBody<'p>(&'p Node);

impl Serialize for NodeBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let node = self.0;
        let len = if node.params.is_empty() { 1 } else { 2 };
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("type", &node.module.text)?;
        if !node.params.is_empty() {
            map.serialize_entry("params", &Params(&node.params))?;
        }
        map.end()
    }
}

struct Params<'p>(&'p [Param]);

impl Serialize for Params<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for param in self.0 {
            map.serialize_entry(&param.name.text, &ValueDocument(&param.value.kind))?;
        }
        map.end()
    }
}

struct ValueDocument<'p>(&'p ValueKind);

impl Serialize for ValueDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            ValueKind::Number(number) => serializer.serialize_f64(*number),
            ValueKind::Text(text) => serializer.serialize_str(text),
            ValueKind::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&ValueDocument(&item.kind))?;
                }
                seq.end()
            }
        }
    }
}

struct Connections<'p>(&'p [Connection]);

impl Serialize for Connections<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for connection in self.0 {
            seq.serialize_element(&ConnectionBody(connection))?;
        }
        seq.end()
    }
}

struct ConnectionBody<'p>(&'p Connection);

impl Serialize for ConnectionBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("from", &End(&self.0.from))?;
        map.serialize_entry("to", &End(&self.0.to))?;
        map.end()
    }
}

/// `[NODE, PORT]`.
struct End<'p>(&'p PortRef);

impl Serialize for End<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut tuple = serializer.serialize_tuple(2)?;
        tuple.serialize_element(&self.0.node.text)?;
        tuple.serialize_element(&self.0.port.text)?;
        tuple.end()
    }
}
