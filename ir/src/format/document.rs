//! The document shape JSON and MessagePack share, converted to and from a [`Patch`] once for
//! both.
//!
//! ```text
//! { "nodes": { ID: { "type": MODULE, "params": { NAME: VALUE, ... } }, ... },
//!   "connections": [ { "from": [NODE, PORT], "to": [NODE, PORT] }, ... ],
//!   "voices": [ { "name": NAME, "channel": N, "voices": N, "nodes": { ... },
//!                 "connections": [ ... ], "inputs": { PORT: [NODE, PORT], ... },
//!                 "outputs": { PORT: [NODE, PORT], ... } }, ... ],
//!   "midi": { "tuning": HZ, "bend_range": SEMITONES,
//!             "bindings": [ { "from": ["cc", N] | ["bend"] | ["note", N],
//!                             "to": [NODE, PORT], "range": [LO, HI] }, ... ] },
//!   "transport": { "bpm": BPM, "meter": [BEATS, UNIT],
//!                  "tempo": [ { "step" | "ramp": BEAT, "bpm": BPM }, ... ] },
//!   "scenes": { NAME: { "NODE.INPUT": VALUE, ... }, ... },
//!   "timelines": { NAME: { "bpm": BPM, "tempo": [ ... ], "clips": [ CLIP, ... ] }, ... },
//!   "samples": [ "FOLDER", { WORD: "PATH", ... }, ... ],
//!   "inputs": { PORT: [NODE, PORT], ... }, "outputs": { ... }, "params": { ... } }
//! ```
//!
//! Every key is optional (`{}` is the empty patch); a sub-patch's `inputs`, `outputs` and
//! `params` (see [`crate::subpatch`]), `voices`, `midi`, `transport`, `scenes`,
//! `timelines` (see `document/timelines.rs`) and a
//! template's `channel` and `voices` are written only when the patch has them (see
//! [`transport`] for its section). Files from before several templates hold one template as
//! `"voice": { ... }`; it still reads, as the first of the templates.
//!
//! Each reader first turns its bytes into an [`Item`] tree (with spans for JSON, without for
//! MessagePack) and checks syntax and limits there; [`to_patch`] then checks the shape. Writing
//! goes the other way through one `Serialize` impl ([`PatchDocument`]), so the two formats
//! cannot drift apart.
//!
//! Maps are ordered lists of entries, not hash maps: file order is the order ties break in
//! later passes, and duplicate node ids or parameters must survive for the validator to report
//! them with both spans.

use crate::diagnostic::{Code, Diagnostic, Diagnostics, push_capped, push_final};
use crate::format::guard;
use crate::limits::Limits;
use crate::patch::{
    Binding, BindingSource, Connection, Midi, Name, Node, Number, Param, Patch, PortRef,
    TemplatePort, Value, ValueKind, VoiceTemplate,
};
use crate::span::Span;
use serde::ser::{SerializeMap, SerializeSeq, SerializeTuple};
use serde::{Serialize, Serializer};

mod samples;
mod scenes;
mod timelines;
mod transport;

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

const TOP_KEYS: [&str; 12] = [
    "nodes",
    "connections",
    "voice",
    "midi",
    "voices",
    "transport",
    "scenes",
    "timelines",
    "samples",
    "inputs",
    "outputs",
    "params",
];
const TEMPLATE_KEYS: [&str; 7] = [
    "name",
    "nodes",
    "connections",
    "inputs",
    "outputs",
    "channel",
    "voices",
];
const MIDI_KEYS: [&str; 3] = ["tuning", "bend_range", "bindings"];
const BINDING_KEYS: [&str; 3] = ["from", "to", "range"];
const TEMPLATE_EXAMPLE: &str =
    r#""voices": [{ "name": "synth", "nodes": { ... }, "outputs": { "out": ["vca", "out"] } }]"#;
const BINDING_EXAMPLE: &str =
    r#"{ "from": ["cc", 74], "to": ["lp", "cutoff"], "range": [200, 8000] }"#;
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
        nodes: 0,
        connections: 0,
    };
    let mut patch = Patch::default();
    if let Err(limit) = converter.patch(root, &mut patch) {
        push_final(&mut converter.problems, limit);
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
    /// Nodes read so far, the template's included: the limit counts them all.
    nodes: usize,
    /// Connections read so far, the template's included.
    connections: usize,
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
        let mut seen = [None; TOP_KEYS.len()];
        for Entry { key, value } in entries {
            let Some(slot) = TOP_KEYS.iter().position(|&k| k == key.text) else {
                let message = format!("unknown key `{}` in the patch", key.text);
                self.shape(key.span, message, guard::choices(&key.text, &TOP_KEYS));
                continue;
            };
            if !self.first(&mut seen[slot], &key, "the patch") {
                continue;
            }
            match slot {
                0 => self.nodes(value, &mut patch.nodes)?,
                1 => self.connections(value, &mut patch.connections)?,
                2 => patch.voices.extend(self.template(value)?),
                3 => patch.midi = self.midi(value),
                4 => self.templates(value, &mut patch.voices)?,
                5 => patch.transport = self.transport(value)?,
                6 => patch.scenes = self.scenes(value),
                7 => patch.timelines = self.timelines(value)?,
                8 => patch.samples = self.samples(value),
                9 => patch.interface.inputs = self.ports(value, "inputs"),
                10 => patch.interface.outputs = self.ports(value, "outputs"),
                _ => patch.interface.params = self.ports(value, "params"),
            }
        }
        Ok(())
    }

    /// `"voices": [TEMPLATE, ...]`, appended to `templates`.
    fn templates(
        &mut self,
        value: Item,
        templates: &mut Vec<VoiceTemplate>,
    ) -> Result<(), Diagnostic> {
        let ItemKind::List(items) = value.kind else {
            let found = self.describe(&value.kind);
            let message = format!("expected `voices` to be {}, found {found}", self.words.list);
            self.shape(value.span, message, format!("write `{TEMPLATE_EXAMPLE}`"));
            return Ok(());
        };
        for item in items {
            templates.extend(self.template(item)?);
        }
        Ok(())
    }

    fn template(&mut self, value: Item) -> Result<Option<VoiceTemplate>, Diagnostic> {
        let span = value.span;
        let ItemKind::Map(entries) = value.kind else {
            let found = self.describe(&value.kind);
            let message = format!("expected `voice` to be {}, found {found}", self.words.map);
            self.shape(span, message, format!("write `{TEMPLATE_EXAMPLE}`"));
            return Ok(None);
        };
        let mut template = VoiceTemplate {
            name: Name::default(),
            nodes: Vec::new(),
            connections: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            channel: None,
            voice_count: None,
            span,
        };
        let mut seen = [None; 7];
        for Entry { key, value } in entries {
            let Some(slot) = TEMPLATE_KEYS.iter().position(|&k| k == key.text) else {
                let message = format!("unknown key `{}` in the voice template", key.text);
                self.shape(key.span, message, guard::choices(&key.text, &TEMPLATE_KEYS));
                continue;
            };
            if !self.first(&mut seen[slot], &key, "the voice template") {
                continue;
            }
            match slot {
                0 => match value.kind {
                    ItemKind::Text(text) => {
                        template.name = Name {
                            text,
                            span: value.span,
                        }
                    }
                    other => {
                        let found = self.describe(&other);
                        let message =
                            format!("expected the template's name to be a string, found {found}");
                        self.shape(value.span, message, format!("write `{TEMPLATE_EXAMPLE}`"));
                    }
                },
                1 => self.nodes(value, &mut template.nodes)?,
                2 => self.connections(value, &mut template.connections)?,
                3 => template.inputs = self.ports(value, "inputs"),
                4 => template.outputs = self.ports(value, "outputs"),
                5 => template.channel = self.number(value, "`channel`"),
                _ => template.voice_count = self.number(value, "`voices`"),
            }
        }
        if seen[0].is_none() {
            let message = "the voice template has no `name`".to_owned();
            self.shape(span, message, format!("write `{TEMPLATE_EXAMPLE}`"));
            return Ok(None);
        }
        Ok(Some(template))
    }

    /// `{ PORT: [NODE, PORT], ... }`.
    fn ports(&mut self, value: Item, key: &str) -> Vec<TemplatePort> {
        let ItemKind::Map(entries) = value.kind else {
            let found = self.describe(&value.kind);
            let message = format!(
                "expected `{key}` to be {} from port names to `[NODE, PORT]`, found {found}",
                self.words.map
            );
            self.shape(value.span, message, format!("write `{TEMPLATE_EXAMPLE}`"));
            return Vec::new();
        };
        entries
            .into_iter()
            .filter_map(|Entry { key: name, value }| {
                let span = name.span.to(value.span);
                let target = self.end(&name.text, value)?;
                Some(TemplatePort { name, target, span })
            })
            .collect()
    }

    fn midi(&mut self, value: Item) -> Midi {
        let mut midi = Midi::default();
        let ItemKind::Map(entries) = value.kind else {
            let found = self.describe(&value.kind);
            let message = format!("expected `midi` to be {}, found {found}", self.words.map);
            self.shape(value.span, message, guard::choices("", &MIDI_KEYS));
            return midi;
        };
        let mut seen = [None; 3];
        for Entry { key, value } in entries {
            let Some(slot) = MIDI_KEYS.iter().position(|&k| k == key.text) else {
                let message = format!("unknown key `{}` in the MIDI section", key.text);
                self.shape(key.span, message, guard::choices(&key.text, &MIDI_KEYS));
                continue;
            };
            if !self.first(&mut seen[slot], &key, "the MIDI section") {
                continue;
            }
            match slot {
                0 => midi.tuning = self.number(value, "`tuning`"),
                1 => midi.bend_range = self.number(value, "`bend_range`"),
                _ => midi.bindings = self.bindings(value),
            }
        }
        midi
    }

    /// A finite number, or `None` (reported).
    fn number(&mut self, value: Item, what: &str) -> Option<Number> {
        match value.kind {
            ItemKind::Number(number) if number.is_finite() => Some(Number::at(number, value.span)),
            other => {
                let found = match other {
                    ItemKind::Number(number) => format!("`{number}`"),
                    other => self.describe(&other).to_owned(),
                };
                let message = format!("expected {what} to be a number, found {found}");
                self.shape(value.span, message, "write a finite number");
                None
            }
        }
    }

    fn bindings(&mut self, value: Item) -> Vec<Binding> {
        let ItemKind::List(items) = value.kind else {
            let found = self.describe(&value.kind);
            let message = format!(
                "expected `bindings` to be {} of bindings, found {found}",
                self.words.list
            );
            self.shape(value.span, message, format!("write `[{BINDING_EXAMPLE}]`"));
            return Vec::new();
        };
        items
            .into_iter()
            .filter_map(|item| self.binding(item))
            .collect()
    }

    fn binding(&mut self, item: Item) -> Option<Binding> {
        let span = item.span;
        let ItemKind::Map(entries) = item.kind else {
            let found = self.describe(&item.kind);
            let message = format!("expected a binding to be {}, found {found}", self.words.map);
            self.shape(span, message, format!("write `{BINDING_EXAMPLE}`"));
            return None;
        };
        let mut seen = [None; 3];
        let (mut source, mut target, mut range) = (None, None, None);
        for Entry { key, value } in entries {
            let Some(slot) = BINDING_KEYS.iter().position(|&k| k == key.text) else {
                let message = format!("unknown key `{}` in a binding", key.text);
                self.shape(key.span, message, guard::choices(&key.text, &BINDING_KEYS));
                continue;
            };
            if !self.first(&mut seen[slot], &key, "a binding") {
                continue;
            }
            match slot {
                0 => source = self.source(value),
                1 => target = self.end("to", value),
                _ => range = self.range(value),
            }
        }
        for (slot, key) in BINDING_KEYS.iter().enumerate() {
            if seen[slot].is_none() {
                let message = format!("a binding has no `{key}`");
                self.shape(span, message, format!("write `{BINDING_EXAMPLE}`"));
            }
        }
        Some(Binding {
            source: source?,
            target: target?,
            range: range?,
            span,
        })
    }

    /// `["cc", N]`, `["note", N]` or `["bend"]`.
    fn source(&mut self, value: Item) -> Option<BindingSource> {
        let span = value.span;
        if let ItemKind::List(items) = value.kind {
            let mut items = items.into_iter();
            let kind = items.next().map(|item| item.kind);
            let number = items.next();
            let extra = items.next().is_some();
            match (kind, number, extra) {
                (Some(ItemKind::Text(kind)), None, false) if kind == "bend" => {
                    return Some(BindingSource::Bend);
                }
                (Some(ItemKind::Text(kind)), Some(number), false)
                    if kind == "cc" || kind == "note" =>
                {
                    let number = self.number(number, "the binding's number")?;
                    return Some(if kind == "cc" {
                        BindingSource::Control(number)
                    } else {
                        BindingSource::Note(number)
                    });
                }
                _ => {}
            }
        }
        let message = format!(
            "expected `from` to be {} `[\"cc\", N]`, `[\"note\", N]` or `[\"bend\"]`",
            self.words.list
        );
        self.shape(span, message, format!("write `{BINDING_EXAMPLE}`"));
        None
    }

    /// `[LO, HI]`.
    fn range(&mut self, value: Item) -> Option<[Number; 2]> {
        let span = value.span;
        if let ItemKind::List(items) = value.kind
            && let Ok([lo, hi]) = <[Item; 2]>::try_from(items)
        {
            let lo = self.number(lo, "the range's low end");
            let hi = self.number(hi, "the range's high end");
            return Some([lo?, hi?]);
        }
        let message = format!("expected `range` to be {} of two numbers", self.words.list);
        self.shape(span, message, format!("write `{BINDING_EXAMPLE}`"));
        None
    }

    fn nodes(&mut self, value: Item, nodes: &mut Vec<Node>) -> Result<(), Diagnostic> {
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
            if self.nodes == self.limits.max_nodes {
                return Err(guard::too_many_nodes(self.limits, entry.key.span));
            }
            if let Some(node) = self.node(entry) {
                self.nodes += 1;
                nodes.push(node);
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
            escapes: Vec::new(),
        })
    }

    fn connections(
        &mut self,
        value: Item,
        connections: &mut Vec<Connection>,
    ) -> Result<(), Diagnostic> {
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
            if self.connections == self.limits.max_connections {
                return Err(guard::too_many_connections(self.limits, item.span));
            }
            if let Some(connection) = self.connection(item) {
                self.connections += 1;
                connections.push(connection);
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
        let patch = self.0;
        let len = 2
            + usize::from(!patch.voices.is_empty())
            + usize::from(!patch.midi.is_empty())
            + usize::from(patch.transport.is_some())
            + usize::from(!patch.scenes.is_empty())
            + usize::from(!patch.timelines.is_empty())
            + usize::from(!patch.samples.is_empty())
            + usize::from(!patch.interface.inputs.is_empty())
            + usize::from(!patch.interface.outputs.is_empty())
            + usize::from(!patch.interface.params.is_empty());
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("nodes", &Nodes(&patch.nodes))?;
        map.serialize_entry("connections", &Connections(&patch.connections))?;
        if !patch.voices.is_empty() {
            map.serialize_entry("voices", &Templates(&patch.voices))?;
        }
        if !patch.midi.is_empty() {
            map.serialize_entry("midi", &MidiDocument(&patch.midi))?;
        }
        if let Some(transport) = &patch.transport {
            map.serialize_entry("transport", &transport::TransportDocument(transport))?;
        }
        if !patch.scenes.is_empty() {
            map.serialize_entry("scenes", &scenes::ScenesDocument(&patch.scenes))?;
        }
        if !patch.timelines.is_empty() {
            map.serialize_entry("timelines", &timelines::TimelinesDocument(&patch.timelines))?;
        }
        if !patch.samples.is_empty() {
            map.serialize_entry("samples", &samples::SamplesDocument(&patch.samples))?;
        }
        for (key, ports) in [
            ("inputs", &patch.interface.inputs),
            ("outputs", &patch.interface.outputs),
            ("params", &patch.interface.params),
        ] {
            if !ports.is_empty() {
                map.serialize_entry(key, &Ports(ports))?;
            }
        }
        map.end()
    }
}

struct Templates<'p>(&'p [VoiceTemplate]);

impl Serialize for Templates<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for template in self.0 {
            seq.serialize_element(&TemplateDocument(template))?;
        }
        seq.end()
    }
}

struct TemplateDocument<'p>(&'p VoiceTemplate);

impl Serialize for TemplateDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let template = self.0;
        let len = 5
            + usize::from(template.channel.is_some())
            + usize::from(template.voice_count.is_some());
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("name", &template.name.text)?;
        if let Some(channel) = template.channel {
            map.serialize_entry("channel", &channel.value)?;
        }
        if let Some(count) = template.voice_count {
            map.serialize_entry("voices", &count.value)?;
        }
        map.serialize_entry("nodes", &Nodes(&template.nodes))?;
        map.serialize_entry("connections", &Connections(&template.connections))?;
        map.serialize_entry("inputs", &Ports(&template.inputs))?;
        map.serialize_entry("outputs", &Ports(&template.outputs))?;
        map.end()
    }
}

struct Ports<'p>(&'p [TemplatePort]);

impl Serialize for Ports<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for port in self.0 {
            map.serialize_entry(&port.name.text, &End(&port.target))?;
        }
        map.end()
    }
}

struct MidiDocument<'p>(&'p Midi);

impl Serialize for MidiDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let midi = self.0;
        let len = usize::from(midi.tuning.is_some())
            + usize::from(midi.bend_range.is_some())
            + usize::from(!midi.bindings.is_empty());
        let mut map = serializer.serialize_map(Some(len))?;
        if let Some(tuning) = midi.tuning {
            map.serialize_entry("tuning", &tuning.value)?;
        }
        if let Some(range) = midi.bend_range {
            map.serialize_entry("bend_range", &range.value)?;
        }
        if !midi.bindings.is_empty() {
            map.serialize_entry("bindings", &Bindings(&midi.bindings))?;
        }
        map.end()
    }
}

struct Bindings<'p>(&'p [Binding]);

impl Serialize for Bindings<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for binding in self.0 {
            seq.serialize_element(&BindingDocument(binding))?;
        }
        seq.end()
    }
}

struct BindingDocument<'p>(&'p Binding);

impl Serialize for BindingDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let binding = self.0;
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("from", &SourceDocument(&binding.source))?;
        map.serialize_entry("to", &End(&binding.target))?;
        map.serialize_entry("range", &[binding.range[0].value, binding.range[1].value])?;
        map.end()
    }
}

/// `["cc", N]`, `["note", N]` or `["bend"]`.
struct SourceDocument<'p>(&'p BindingSource);

impl Serialize for SourceDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            BindingSource::Bend => {
                let mut seq = serializer.serialize_seq(Some(1))?;
                seq.serialize_element("bend")?;
                seq.end()
            }
            BindingSource::Control(number) | BindingSource::Note(number) => {
                let kind = match self.0 {
                    BindingSource::Control(_) => "cc",
                    _ => "note",
                };
                let mut seq = serializer.serialize_seq(Some(2))?;
                seq.serialize_element(kind)?;
                seq.serialize_element(&number.value)?;
                seq.end()
            }
        }
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

pub(super) struct ValueDocument<'p>(pub(super) &'p ValueKind);

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
