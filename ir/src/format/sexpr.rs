//! S-expression patches, the form people write by hand, with a byte span on every element.
//!
//! ```lisp
//! (patch
//!   (nodes
//!     (osc1 (type "osc.sine") (freq 440))
//!     (out (type "output")))
//!   (connections
//!     (osc1 "out" -> out "in")))
//! ```
//!
//! Names (node ids, modules, ports, parameters) are symbols or strings. A parameter value is a
//! number, a string or symbol (text, unless it is shorthand, below), or a list
//! `(1 2 "x" (3))`. `type` is a keyword only when bare: a parameter called type is written
//! `("type" 1)`. Likewise the arrow in a connection is the bare symbol `->`; a port called
//! `->` is written `"->"`.
//!
//! A `(transport (bpm 120) (meter 4 4) (tempo (step 32 140) (ramp 64 90)))` section sets the
//! tempo, meter and tempo map (`sexpr/transport.rs`); `(scenes (verse (lead.cutoff 800)))`
//! names sets of values to recall (`sexpr/scenes.rs`); `(timelines (main (bpm 120) (clip c1
//! (file "kick.wav") (position 4))))` places clips on timelines (`sexpr/timelines.rs`).
//! names sets of values to recall (`sexpr/scenes.rs`); `(samples (bd "kit/kick.wav") "drums/")`
//! is the sample bank (`sexpr/samples.rs`). A sub-patch file declares what it offers with
//! `(inputs (NAME NODE PORT) ...)`, `(outputs ...)` and `(params ...)` (see
//! [`crate::subpatch`]).
//!
//! Shorthand, spelt with bare symbols only (a quoted string is never shorthand), expands as the
//! patch is read into the ordinary nodes and connections it stands for (`sexpr/shorthand.rs`
//! has the rules and the generated ids):
//!
//! ```lisp
//! (patch
//!   (lfo1 lfo.sine (freq 2))                          ; a compact node, outside (nodes ...)
//!   (lp1 filter.lowpass (cutoff lfo1)                 ; lfo1's first output into cutoff
//!        (q (lfo.sine (freq 0.1))))                   ; an inline node, `lp1.q`
//!   (out output)
//!   (-> (osc.saw (freq 110)) lp1 (gain (amp 0.5)) out)) ; a chain: `out.saw`, `out.gain`
//! ```
//!
//! Ports the shorthand does not name (first outputs, first inputs) are left empty for
//! [`crate::shorthand::resolve`], which knows the modules.
//!
//! The tokenizer and parser are our own (`sexpr/syntax.rs`) rather than `lexpr`, because `lexpr`'s
//! values carry no source positions and every diagnostic needs a span.

mod fast;
mod midi;
mod samples;
mod scenes;
mod shorthand;
mod syntax;
mod timelines;
mod transport;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, MAX_DIAGNOSTICS, push_capped, push_final};
use crate::format::guard;
use crate::limits::Limits;
use crate::patch::{
    Connection, Name, Node, Number, Param, Patch, PortRef, TemplatePort, Value, ValueKind,
    VoiceTemplate,
};
use crate::span::Span;
use shorthand::Pending;
use syntax::{Atom, Sexp};

const MINIMAL: &str = "(patch (nodes) (connections))";
const SECTIONS: [&str; 11] = [
    "nodes",
    "connections",
    "voice",
    "midi",
    "transport",
    "scenes",
    "timelines",
    "samples",
    "inputs",
    "outputs",
    "params",
];
const SECTIONS_HINT: &str = "the sections are `(nodes ...)`, `(connections ...)`, `(voice ...)`, \
     `(midi ...)`, `(transport ...)`, `(scenes ...)`, `(timelines ...)`, `(samples ...)` and a sub-patch's \
     `(inputs ...)`, `(outputs ...)` and `(params ...)`; nodes and chains `(-> ...)` may stand alone";
const TEMPLATE_SECTIONS: [&str; 6] = [
    "nodes",
    "connections",
    "inputs",
    "outputs",
    "channel",
    "voices",
];
const TEMPLATE_HINT: &str = "a template holds `(nodes ...)`, `(connections ...)`, `(inputs ...)`, \
     `(outputs ...)`, `(channel N)` and `(voices N)`";
const TEMPLATE_EXAMPLE: &str =
    r#"(voice synth (nodes ...) (connections ...) (outputs (out vca "out")))"#;
const PORT_EXAMPLE: &str = r#"(out vca "out")"#;
const NODE_EXAMPLE: &str = r#"(osc1 (type "osc.sine") (freq 440))"#;
const CONNECTION_EXAMPLE: &str = r#"(osc1 "out" -> gain1 "in")"#;

/// Reads an S-expression patch, collecting every shape problem; stops at the first syntax error
/// or exceeded limit.
pub fn read(text: &str, limits: &Limits) -> Result<Patch, Diagnostics> {
    guard::check_source_size(text.len(), limits)?;
    if let Some(patch) = fast::read(text, limits) {
        return Ok(patch);
    }
    read_forms(text, limits)
}

/// The full reader: parses the text into forms, then walks them into a patch, reporting
/// every problem. [`fast::read`] reads the common case alike, without the forms.
fn read_forms(text: &str, limits: &Limits) -> Result<Patch, Diagnostics> {
    let mut forms = syntax::parse(text, limits)
        .map_err(|problem| vec![problem])?
        .into_iter();
    let Some(first) = forms.next() else {
        return Err(guard::empty(MINIMAL));
    };
    let mut reader = Reader {
        limits,
        problems: Vec::new(),
        nodes: 0,
        connections: 0,
    };
    let mut patch = Patch::default();
    if let Err(limit) = reader.patch(first, &mut patch) {
        push_final(&mut reader.problems, limit);
        return Err(reader.problems);
    }
    // Past the cap nothing more is reported, so the rest of the forms are not even looked at.
    for extra in forms.take(MAX_DIAGNOSTICS.saturating_sub(reader.problems.len())) {
        reader.problems.push(
            Diagnostic::new(Code::Shape, extra.span(), "unexpected form after the patch")
                .with_label("the patch has already ended")
                .with_hint("a file holds exactly one `(patch ...)` form"),
        );
    }
    if reader.problems.is_empty() {
        crate::literal::locate(&mut patch, text);
        Ok(patch)
    } else {
        Err(reader.problems)
    }
}

/// Writes `patch` as a pretty S-expression, one node or connection per line, ending with a
/// newline.
///
/// Total: any patch can be written, and reads back equal up to spans. As in the seeds' example,
/// module types and port names are quoted strings; node ids and parameter names are bare
/// symbols where that reads back the same, quoted strings otherwise. NaN and infinities, which no reader
/// produces, are written as the symbols `NaN`, `inf` and `-inf` (so they read back as text).
pub fn write(patch: &Patch) -> String {
    let mut out = String::from("(patch\n  (nodes");
    write_nodes(&mut out, &patch.nodes, "\n    ");
    out.push_str(")\n  (connections");
    write_connections(&mut out, &patch.connections, "\n    ");
    out.push(')');
    for (section, ports) in [
        ("inputs", &patch.interface.inputs),
        ("outputs", &patch.interface.outputs),
        ("params", &patch.interface.params),
    ] {
        if !ports.is_empty() {
            out.push_str("\n  (");
            out.push_str(section);
            write_ports(&mut out, ports, "\n    ");
            out.push(')');
        }
    }
    for template in &patch.voices {
        out.push_str("\n  (voice ");
        write_name(&mut out, &template.name.text);
        for (key, number) in [
            ("channel", template.channel),
            ("voices", template.voice_count),
        ] {
            if let Some(number) = number {
                out.push_str("\n    (");
                out.push_str(key);
                out.push(' ');
                write_value(&mut out, &ValueKind::Number(number.value));
                out.push(')');
            }
        }
        out.push_str("\n    (nodes");
        write_nodes(&mut out, &template.nodes, "\n      ");
        out.push_str(")\n    (connections");
        write_connections(&mut out, &template.connections, "\n      ");
        for (section, ports) in [("inputs", &template.inputs), ("outputs", &template.outputs)] {
            out.push_str(")\n    (");
            out.push_str(section);
            write_ports(&mut out, ports, "\n      ");
        }
        out.push_str("))");
    }
    if !patch.midi.is_empty() {
        midi::write_midi(&mut out, &patch.midi);
    }
    if let Some(transport) = &patch.transport {
        transport::write_transport(&mut out, transport);
    }
    if !patch.scenes.is_empty() {
        scenes::write_scenes(&mut out, &patch.scenes);
    }
    if !patch.timelines.is_empty() {
        timelines::write_timelines(&mut out, &patch.timelines);
    }
    if !patch.samples.is_empty() {
        samples::write_samples(&mut out, &patch.samples);
    }
    out.push_str(")\n");
    out
}

fn write_nodes(out: &mut String, nodes: &[Node], indent: &str) {
    for node in nodes {
        out.push_str(indent);
        out.push('(');
        write_name(out, &node.id.text);
        out.push_str(" (type ");
        write_string(out, &node.module.text);
        out.push(')');
        for param in &node.params {
            out.push_str(" (");
            if param.name.text == "type" {
                write_string(out, "type");
            } else {
                write_name(out, &param.name.text);
            }
            out.push(' ');
            write_value(out, &param.value.kind);
            out.push(')');
        }
        out.push(')');
    }
}

fn write_ports(out: &mut String, ports: &[TemplatePort], indent: &str) {
    for port in ports {
        out.push_str(indent);
        out.push('(');
        write_name(out, &port.name.text);
        out.push(' ');
        write_name(out, &port.target.node.text);
        out.push(' ');
        write_string(out, &port.target.port.text);
        out.push(')');
    }
}

fn write_connections(out: &mut String, connections: &[Connection], indent: &str) {
    for connection in connections {
        out.push_str(indent);
        out.push('(');
        write_name(out, &connection.from.node.text);
        out.push(' ');
        write_string(out, &connection.from.port.text);
        out.push_str(" -> ");
        write_name(out, &connection.to.node.text);
        out.push(' ');
        write_string(out, &connection.to.port.text);
        out.push(')');
    }
}

/// A bare symbol if `name` would read back as that symbol, else a quoted string.
fn write_name(out: &mut String, name: &str) {
    let bare = !name.is_empty()
        && name != "->"
        && !syntax::looks_numeric(name)
        && !name.contains(|c: char| syntax::is_delimiter(c) || c.is_control());
    if bare {
        out.push_str(name);
    } else {
        write_string(out, name);
    }
}

fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            other => out.push(other),
        }
    }
    out.push('"');
}

fn write_value(out: &mut String, value: &ValueKind) {
    match value {
        ValueKind::Number(number) => {
            // `{:?}` is the shortest text that reads back bit-identical, with an exponent for
            // very large and small numbers; `440.0` reads better as `440`.
            let text = format!("{number:?}");
            out.push_str(text.strip_suffix(".0").unwrap_or(&text));
        }
        // Always quoted: a bare symbol may be shorthand for a connection or a node.
        ValueKind::Text(text) => write_string(out, text),
        ValueKind::List(items) => {
            out.push('(');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(' ');
                }
                write_value(out, &item.kind);
            }
            out.push(')');
        }
    }
}

/// Walks the parsed forms into a [`Patch`]; shape problems go to `problems`, an exceeded limit
/// is returned as `Err` to stop the walk.
struct Reader<'l> {
    limits: &'l Limits,
    problems: Diagnostics,
    /// Nodes read so far, the template's included: the limit counts them all.
    nodes: usize,
    /// Connections read so far, the template's included.
    connections: usize,
}

impl Reader<'_> {
    fn patch(&mut self, form: Sexp, patch: &mut Patch) -> Result<(), Diagnostic> {
        let span = form.span();
        let sections = match form {
            Sexp::List(items, _) if head_is(&items, "patch") => items.into_iter().skip(1),
            other => {
                let message = format!("expected `(patch ...)`, found {}", other.describe());
                self.shape(span, message, format!("the smallest patch is `{MINIMAL}`"));
                return Ok(());
            }
        };
        let mut seen = [None; SECTIONS.len()];
        let mut pending = Pending::default();
        for section in sections {
            if is_chain(&section) {
                self.connections(
                    std::iter::once(section),
                    &mut patch.connections,
                    &mut pending,
                )?;
                continue;
            }
            if is_node(&section) {
                self.nodes(std::iter::once(section), &mut patch.nodes, &mut pending)?;
                continue;
            }
            let Some((slot, mut items)) =
                self.section(section, &SECTIONS, SECTIONS_HINT, &mut seen)
            else {
                continue;
            };
            match slot {
                0 => self.nodes(&mut items, &mut patch.nodes, &mut pending)?,
                1 => self.connections(&mut items, &mut patch.connections, &mut pending)?,
                2 => {
                    // Each template is a section of its own: `voice` may repeat.
                    let span = seen[2].take().unwrap_or(Span::NONE);
                    patch.voices.extend(self.template(items, span)?);
                }
                3 => patch.midi = self.midi(items),
                4 => {
                    let span = seen[4].unwrap_or(Span::NONE);
                    patch.transport = Some(self.transport(items, span)?);
                }
                5 => patch.scenes = self.scenes(items),
                6 => patch.timelines = self.timelines(items)?,
                7 => patch.samples = self.samples(items),
                8 => patch.interface.inputs = items.filter_map(|form| self.port(form)).collect(),
                9 => patch.interface.outputs = items.filter_map(|form| self.port(form)).collect(),
                _ => patch.interface.params = items.filter_map(|form| self.port(form)).collect(),
            }
        }
        let template: Vec<&str> = patch.voices.iter().map(|t| t.name.text.as_str()).collect();
        self.expand(pending, &mut patch.nodes, &mut patch.connections, &template)
    }

    /// One `(NAME ...)` section among `names`: its index and its items after the name, or
    /// `None` (reported) if it is not a section, is unknown, or repeats one in `seen`.
    fn section(
        &mut self,
        section: Sexp,
        names: &[&str],
        hint: &str,
        seen: &mut [Option<Span>],
    ) -> Option<(usize, std::vec::IntoIter<Sexp>)> {
        let span = section.span();
        let mut items = match section {
            Sexp::List(items, _) => items.into_iter(),
            other => {
                let message = format!("expected a section, found {}", other.describe());
                self.shape(span, message, hint);
                return None;
            }
        };
        let head = items.next();
        let Some(name) = head.as_ref().and_then(name_text) else {
            self.shape(span, "a section must start with its name".to_owned(), hint);
            return None;
        };
        let Some(slot) = names.iter().position(|&section| section == name) else {
            let message = format!("unknown section `{name}`");
            self.shape(span, message, guard::choices(name, names));
            return None;
        };
        if let Some(first) = seen[slot] {
            push_capped(
                &mut self.problems,
                Diagnostic::new(Code::Shape, span, format!("duplicate section `{name}`"))
                    .with_label("second definition")
                    .with_secondary(first, "first defined here")
                    .with_hint("merge the two sections into one"),
            );
            return None;
        }
        seen[slot] = Some(span);
        Some((slot, items))
    }

    /// `(voice NAME (nodes ...) (connections ...) (inputs ...) (outputs ...))`, its items after
    /// `voice`; `span` is the whole form.
    fn template(
        &mut self,
        mut items: std::vec::IntoIter<Sexp>,
        span: Span,
    ) -> Result<Option<VoiceTemplate>, Diagnostic> {
        let Some(name) = items.next().and_then(name) else {
            let message = "a voice template must start with its name".to_owned();
            self.shape(span, message, format!("write `{TEMPLATE_EXAMPLE}`"));
            return Ok(None);
        };
        let mut template = VoiceTemplate {
            name,
            nodes: Vec::new(),
            connections: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            channel: None,
            voice_count: None,
            span,
        };
        let mut seen = [None; 6];
        let mut pending = Pending::default();
        for section in items {
            let Some((slot, mut items)) =
                self.section(section, &TEMPLATE_SECTIONS, TEMPLATE_HINT, &mut seen)
            else {
                continue;
            };
            match slot {
                0 => self.nodes(&mut items, &mut template.nodes, &mut pending)?,
                1 => self.connections(&mut items, &mut template.connections, &mut pending)?,
                2 => template.inputs = items.filter_map(|form| self.port(form)).collect(),
                3 => template.outputs = items.filter_map(|form| self.port(form)).collect(),
                4 => template.channel = self.count(items, seen[4], "channel", "(channel 1)"),
                _ => template.voice_count = self.count(items, seen[5], "voices", "(voices 8)"),
            }
        }
        self.expand(pending, &mut template.nodes, &mut template.connections, &[])?;
        Ok(Some(template))
    }

    /// The one number of a template's `(channel N)` or `(voices N)`, its items after the key;
    /// `span` is the whole form. Its range is the validator's to check.
    fn count(
        &mut self,
        items: std::vec::IntoIter<Sexp>,
        span: Option<Span>,
        key: &str,
        example: &str,
    ) -> Option<Number> {
        match <[Sexp; 1]>::try_from(items.collect::<Vec<_>>()) {
            Ok([Sexp::Atom(Atom::Number(value), span)]) => Some(Number { value, span }),
            _ => {
                let message = format!("`{key}` takes one number");
                self.shape(
                    span.unwrap_or(Span::NONE),
                    message,
                    format!("write `{example}`"),
                );
                None
            }
        }
    }

    /// A template port, `(NAME NODE PORT)`.
    fn port(&mut self, form: Sexp) -> Option<TemplatePort> {
        let span = form.span();
        if let Sexp::List(items, _) = form
            && let Ok([a, b, c]) = <[Sexp; 3]>::try_from(items)
            && let (Some(name), Some(node), Some(port)) = (name(a), name(b), name(c))
        {
            return Some(TemplatePort {
                name,
                target: PortRef { node, port },
                span,
            });
        }
        let message = "expected a template port `(NAME NODE PORT)`".to_owned();
        self.shape(span, message, format!("write a port as `{PORT_EXAMPLE}`"));
        None
    }

    fn nodes(
        &mut self,
        forms: impl Iterator<Item = Sexp>,
        nodes: &mut Vec<Node>,
        pending: &mut Pending,
    ) -> Result<(), Diagnostic> {
        // One allocation for the section (within the limit), not one per doubling.
        nodes.reserve(forms.size_hint().0.min(self.limits.max_nodes));
        for form in forms {
            if self.nodes == self.limits.max_nodes {
                return Err(guard::too_many_nodes(self.limits, form.span()));
            }
            if let Some((node, values)) = self.node(form) {
                self.nodes += 1;
                for (param, value) in values {
                    pending.value(nodes.len(), param, value);
                }
                nodes.push(node);
            }
        }
        Ok(())
    }

    /// A node, and the values of its parameters that may be shorthand (each with the
    /// parameter's index), set aside.
    fn node(&mut self, form: Sexp) -> Option<(Node, Vec<(usize, Sexp)>)> {
        let span = form.span();
        let Sexp::List(items, _) = form else {
            let message = format!("expected a node, found {}", form.describe());
            self.shape(span, message, format!("write a node as `{NODE_EXAMPLE}`"));
            return None;
        };
        let mut items = items.into_iter();
        let Some(id) = items.next().and_then(name) else {
            let message = "a node must start with its id".to_owned();
            self.shape(span, message, format!("write a node as `{NODE_EXAMPLE}`"));
            return None;
        };
        let mut module: Option<Name> = None;
        let mut type_span = None;
        let mut params = Vec::new();
        let mut pending = Vec::new();
        let mut items = items.peekable();
        // The compact form: `(lfo1 lfo.sine (freq 2))`.
        if let Some(Sexp::Atom(Atom::Symbol(_) | Atom::Text(_), module_span)) = items.peek() {
            type_span = Some(*module_span);
            module = items.next().and_then(name);
        }
        for entry in items {
            let entry_span = entry.span();
            if let Some(param) = positional(&entry) {
                params.push(Param {
                    name: param,
                    value: to_value(entry),
                });
                continue;
            }
            let Some((key, values)) = self.entry(entry, &id) else {
                continue;
            };
            if let Key::Param(param) = key {
                match <[Sexp; 1]>::try_from(values) {
                    Ok([value]) if Pending::may_hold(&value) => {
                        pending.push((params.len(), value));
                        let span = Span::NONE;
                        let kind = ValueKind::List(Vec::new());
                        let value = Value {
                            kind,
                            span,
                            escapes: Vec::new(),
                        };
                        params.push(Param { name: param, value });
                    }
                    Ok(values) => params.extend(self.param(param, values.into(), &id, entry_span)),
                    Err(values) => params.extend(self.param(param, values, &id, entry_span)),
                }
                continue;
            }
            if let Some(first) = type_span {
                let message = format!("node `{}` has more than one type", id.text);
                push_capped(
                    &mut self.problems,
                    Diagnostic::new(Code::Shape, entry_span, message)
                        .with_label("second type")
                        .with_secondary(first, "first type")
                        .with_hint("keep one of the two"),
                );
                continue;
            }
            type_span = Some(entry_span);
            module = self.module(values, &id, entry_span);
        }
        if type_span.is_none() {
            let message = format!("node `{}` has no type", id.text);
            let mut example = String::from("write `(");
            write_name(&mut example, &id.text);
            example.push_str(r#" (type "osc.sine") ...)`"#);
            self.shape(span, message, example);
        }
        let node = Node {
            id,
            module: module?,
            params,
            span,
        };
        Some((node, pending))
    }

    /// One `(key value ...)` entry of a node; the key is `type` only when written bare.
    fn entry(&mut self, entry: Sexp, id: &Name) -> Option<(Key, Vec<Sexp>)> {
        let span = entry.span();
        if let Sexp::List(items, _) = entry {
            let mut items = items.into_iter();
            let key = match items.next() {
                Some(Sexp::Atom(Atom::Symbol(text), _)) if text == "type" => Some(Key::Type),
                head => head.and_then(name).map(Key::Param),
            };
            if let Some(key) = key {
                return Some((key, items.collect()));
            }
        }
        let message = format!("expected a parameter of node `{}`", id.text);
        self.shape(span, message, "write a parameter as `(freq 440)`");
        None
    }

    fn module(&mut self, values: Vec<Sexp>, id: &Name, span: Span) -> Option<Name> {
        if let Ok([value]) = <[Sexp; 1]>::try_from(values)
            && let Some(module) = name(value)
        {
            return Some(module);
        }
        let message = format!("the type of node `{}` must be one module name", id.text);
        self.shape(span, message, r#"write the type as `(type "osc.sine")`"#);
        None
    }

    fn param(&mut self, name: Name, values: Vec<Sexp>, id: &Name, span: Span) -> Option<Param> {
        match <[Sexp; 1]>::try_from(values) {
            Ok([value]) => Some(Param {
                name,
                value: to_value(value),
            }),
            Err(values) => {
                let message = format!(
                    "parameter `{}` on node `{}` has {} values, expected one",
                    name.text,
                    id.text,
                    values.len()
                );
                let mut example = String::from("write a list as `(");
                write_name(&mut example, &name.text);
                example.push_str(" (1 2))`");
                self.shape(span, message, example);
                None
            }
        }
    }

    fn connections(
        &mut self,
        forms: impl Iterator<Item = Sexp>,
        connections: &mut Vec<Connection>,
        pending: &mut Pending,
    ) -> Result<(), Diagnostic> {
        connections.reserve(forms.size_hint().0.min(self.limits.max_connections));
        for form in forms {
            if is_chain(&form) {
                let span = form.span();
                if let Sexp::List(items, _) = form {
                    pending.chain(items.into_iter().skip(1).collect(), span);
                }
                continue;
            }
            if self.connections == self.limits.max_connections {
                return Err(guard::too_many_connections(self.limits, form.span()));
            }
            if let Some(connection) = self.connection(form) {
                self.connections += 1;
                connections.push(connection);
            }
        }
        Ok(())
    }

    /// `(NODE PORT -> NODE PORT)`.
    fn connection(&mut self, form: Sexp) -> Option<Connection> {
        let span = form.span();
        if let Sexp::List(items, _) = form
            && let Ok([a, b, arrow, c, d]) = <[Sexp; 5]>::try_from(items)
        {
            let is_arrow = matches!(&arrow, Sexp::Atom(Atom::Symbol(text), _) if text == "->");
            if let (true, Some(a), Some(b), Some(c), Some(d)) =
                (is_arrow, name(a), name(b), name(c), name(d))
            {
                return Some(Connection {
                    from: PortRef { node: a, port: b },
                    to: PortRef { node: c, port: d },
                    span,
                });
            }
        }
        self.shape(
            span,
            "expected a connection `(NODE PORT -> NODE PORT)`".to_owned(),
            format!("write a connection as `{CONNECTION_EXAMPLE}`"),
        );
        None
    }

    fn shape(&mut self, span: Span, message: String, hint: impl Into<String>) {
        push_capped(
            &mut self.problems,
            Diagnostic::new(Code::Shape, span, message).with_hint(hint),
        );
    }
}

/// What a node entry sets.
enum Key {
    /// `(type MODULE)`.
    Type,
    /// `(NAME VALUE)`.
    Param(Name),
}

/// Whether `form` is a chain, `(-> ...)`.
fn is_chain(form: &Sexp) -> bool {
    matches!(form, Sexp::List(items, _)
        if matches!(items.first(), Some(Sexp::Atom(Atom::Symbol(arrow), _)) if arrow == "->"))
}

/// The parameter a bare string among a node's entries sets, `(seq.pattern "c2 ~")`: its
/// name left empty for [`crate::shorthand::resolve`] to fill with the module's first text
/// input.
fn positional(entry: &Sexp) -> Option<Name> {
    match entry {
        Sexp::Atom(Atom::Text(_), span) => Some(Name {
            text: String::new(),
            span: *span,
        }),
        _ => None,
    }
}

/// Whether `form`, standing among the patch's sections, is a node: a name that is no section's,
/// then a module (the compact form) or a `(type ...)` entry.
fn is_node(form: &Sexp) -> bool {
    let Sexp::List(items, _) = form else {
        return false;
    };
    let (Some(id), Some(second)) = (items.first().and_then(name_text), items.get(1)) else {
        return false;
    };
    if SECTIONS.contains(&id) {
        return false;
    }
    items[1..].iter().any(
        |item| matches!(item, Sexp::List(entry, _) if matches!(entry.first(), Some(Sexp::Atom(Atom::Symbol(key), _)) if key == "type")),
    ) || matches!(second, Sexp::Atom(Atom::Symbol(_) | Atom::Text(_), _))
}

/// Whether a list starts with the name `head`.
fn head_is(items: &[Sexp], head: &str) -> bool {
    items.first().and_then(name_text) == Some(head)
}

/// The text of a symbol or string.
fn name_text(form: &Sexp) -> Option<&str> {
    match form {
        Sexp::Atom(Atom::Symbol(text) | Atom::Text(text), _) => Some(text),
        _ => None,
    }
}

/// A symbol or string as a name, with its span (quotes included).
fn name(form: Sexp) -> Option<Name> {
    match form {
        Sexp::Atom(Atom::Symbol(text) | Atom::Text(text), span) => Some(Name { text, span }),
        _ => None,
    }
}

/// Recursion is bounded: the parser refuses nesting past [`Limits::max_depth`].
fn to_value(form: Sexp) -> Value {
    let (kind, span) = match form {
        Sexp::Atom(Atom::Number(number), span) => (ValueKind::Number(number), span),
        Sexp::Atom(Atom::Symbol(text) | Atom::Text(text), span) => (ValueKind::Text(text), span),
        Sexp::List(items, span) => (
            ValueKind::List(items.into_iter().map(to_value).collect()),
            span,
        ),
    };
    Value {
        kind,
        span,
        escapes: Vec::new(),
    }
}
