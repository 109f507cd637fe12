//! Voice templates: checked once, then expanded into one copy per voice as ordinary nodes.
//!
//! A patch may declare one voice template, a named sub-patch holding exactly one `voice`
//! node (whose `pitch`, `gate` and `velocity` the host sets for each voice by events). The
//! expansion turns the patch into a flat one that the compiler treats like any other:
//!
//! - each template node `N` becomes one node per voice `V` (from 0), with id
//!   `TEMPLATE/V/N`; each template connection becomes one connection per voice;
//! - each template output `O` becomes a summing node `TEMPLATE/O` (module `gain`, unit
//!   amplitude) into whose `in` every voice's copy of the output is connected, in voice order;
//!   connections from `TEMPLATE "O"` in the rest of the patch come from its `out`;
//! - each template input `I` becomes a node `TEMPLATE/I` (module `gain`) whose `in` takes the
//!   connections into `TEMPLATE "I"`, or else the value the template gives that input, and
//!   whose `out` drives the input in every voice: one value shared by all voices, which one
//!   event can change.
//!
//! `/` is reserved for these ids: the validator refuses it in any id or port name a patch
//! writes, so no expanded id can collide with one of the patch's own. Copies are identical in
//! structure — the same modules, connections and order in every voice — and listed node by
//! node (every voice's copy of the first node, then of the second …), so the compiler's
//! order, which breaks ties by position, runs every voice's copy of a node together.
//!
//! A node id survives a reload when its voice does, so every voice keeps its state (phase,
//! envelope, filter memory) when the patch is edited, as any other node does.
//!
//! ```
//! use patchvm_ir::voices::{copy_id, port_id};
//! assert_eq!(copy_id("synth", 3, "osc"), "synth/3/osc");
//! assert_eq!(port_id("synth", "out"), "synth/out");
//! ```

use crate::catalog::{Catalog, Rate, Role};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, push_capped};
use crate::node_name::NodeName;
use crate::patch::{
    Connection, Name, Node, Param, Patch, PortRef, TemplatePort, Value, ValueKind, VoiceTemplate,
};
use crate::span::Span;
use crate::suggest;
use std::borrow::Cow;
use std::collections::HashMap;

/// The character that joins the parts of an expanded id, reserved in every written name.
pub const SEPARATOR: char = '/';
/// The most voices a host may ask for.
pub const MAX_VOICES: usize = 1024;

/// The names of the catalog's bus ([`Part::Bus`](crate::Part::Bus)): the module that sums a
/// template's outputs and shares its inputs, its input and its output.
#[derive(Clone, Copy)]
struct BusNames {
    module: &'static str,
    input: &'static str,
    output: &'static str,
}

impl BusNames {
    fn of(catalog: &Catalog) -> Option<BusNames> {
        let bus = catalog.bus()?;
        Some(BusNames {
            module: bus.spec.name,
            input: bus.spec.inputs[bus.input].name,
            output: bus.spec.outputs[bus.output].name,
        })
    }
}

/// The id of voice `voice`'s copy of template node `node`: `TEMPLATE/VOICE/NODE`.
pub fn copy_id(template: &str, voice: usize, node: &str) -> String {
    let mut id = String::new();
    write_copy_id(&mut id, template, voice, node);
    id
}

/// [`copy_id`] written over `id`, for a caller that looks up every voice's copy and reuses
/// one buffer rather than allocating an id per voice.
pub fn write_copy_id(id: &mut String, template: &str, voice: usize, node: &str) {
    use std::fmt::Write;
    id.clear();
    // Writing to a `String` cannot fail.
    let _ = write!(id, "{template}{SEPARATOR}{voice}{SEPARATOR}{node}");
}

/// The id of the node behind template port `port`: `TEMPLATE/PORT`.
pub fn port_id(template: &str, port: &str) -> String {
    format!("{template}{SEPARATOR}{port}")
}

/// The node input an event or binding addressed as `(node, port)` reaches in the expanded
/// patch: a template input `(TEMPLATE, INPUT)` is the input of its shared node (the catalog's
/// bus); anything else is itself.
pub fn resolve<'a>(
    patch: &Patch,
    catalog: &Catalog,
    node: &'a str,
    port: &'a str,
) -> (Cow<'a, str>, Cow<'a, str>) {
    match (&patch.voice, BusNames::of(catalog)) {
        (Some(template), Some(bus))
            if template.name.text == node
                && template.inputs.iter().any(|i| i.name.text == port) =>
        {
            (Cow::Owned(port_id(node, port)), Cow::Borrowed(bus.input))
        }
        _ => (Cow::Borrowed(node), Cow::Borrowed(port)),
    }
}

/// The nodes of the expanded patch that events are meant to set: the targets of the MIDI
/// section's bindings and the nodes behind the template's inputs. A compiler keeps them
/// kernels even when stateless and constant, so that their first event needs no recompiling.
pub fn event_targets(patch: &Patch, catalog: &Catalog) -> Vec<NodeName> {
    let bound = patch.midi.bindings.iter().map(|binding| {
        let (node, _) = resolve(
            patch,
            catalog,
            &binding.target.node.text,
            &binding.target.port.text,
        );
        NodeName::from(&*node)
    });
    let inputs = patch.voice.iter().flat_map(|template| {
        template
            .inputs
            .iter()
            .map(|input| NodeName::from(port_id(&template.name.text, &input.name.text)))
    });
    bound.chain(inputs).collect()
}

/// The id of the template's voice node (the catalog's [`Part::Voice`](crate::Part::Voice)), if
/// it has exactly one.
pub fn voice_node<'t>(template: &'t VoiceTemplate, catalog: &Catalog) -> Option<&'t str> {
    let mut found = template
        .nodes
        .iter()
        .filter(|node| catalog.is_voice(&node.module.text));
    match (found.next(), found.next()) {
        (Some(node), None) => Some(&node.id.text),
        _ => None,
    }
}

/// The patch with its template expanded into `voices` copies (at least one), and the
/// problems of the template and of the names the patch writes. Problems do not stop the
/// expansion: what can be expanded is, so that validating the result reports the rest.
///
/// A patch without a template and without a reserved name comes back as it is, borrowed.
pub fn expand<'p>(
    patch: &'p Patch,
    catalog: &Catalog,
    voices: usize,
) -> (Cow<'p, Patch>, Diagnostics) {
    let mut problems = Vec::new();
    check_names(patch, &mut problems);
    let Some(template) = &patch.voice else {
        if problems.is_empty() && patch.midi.is_empty() {
            return (Cow::Borrowed(patch), problems);
        }
        let flat = Patch {
            nodes: patch.nodes.clone(),
            connections: patch.connections.clone(),
            transport: patch.transport.clone(),
            ..Patch::default()
        };
        return (Cow::Owned(flat), problems);
    };
    let mut expansion = Expansion {
        patch,
        template,
        catalog,
        voices: voices.clamp(1, MAX_VOICES),
        problems,
        flat: Patch {
            transport: patch.transport.clone(),
            ..Patch::default()
        },
    };
    expansion.check_template();
    let (inputs, outputs) = expansion.check_ports();
    expansion.build(&inputs, &outputs);
    (Cow::Owned(expansion.flat), expansion.problems)
}

/// Refuses the reserved separator in every id and port name the patch writes.
fn check_names(patch: &Patch, problems: &mut Diagnostics) {
    let mut names: Vec<(&Name, &str)> = patch.nodes.iter().map(|n| (&n.id, "node id")).collect();
    if let Some(template) = &patch.voice {
        names.push((&template.name, "template name"));
        names.extend(template.nodes.iter().map(|n| (&n.id, "node id")));
        let ports = template.inputs.iter().chain(&template.outputs);
        names.extend(ports.map(|port| (&port.name, "template port")));
    }
    for (name, what) in names {
        if name.text.contains(SEPARATOR) {
            push_capped(
                problems,
                Diagnostic::new(
                    Code::Template,
                    name.span,
                    format!("{what} `{}` contains `{SEPARATOR}`", name.text),
                )
                .with_label(format!("`{SEPARATOR}` is reserved"))
                .with_hint(format!(
                    "`{SEPARATOR}` joins the ids of voice copies (`synth/3/osc`); use `_` or `.`"
                )),
            );
        }
    }
}

/// One expansion under way.
struct Expansion<'p, 'c> {
    patch: &'p Patch,
    template: &'p VoiceTemplate,
    catalog: &'c Catalog,
    voices: usize,
    problems: Diagnostics,
    flat: Patch,
}

impl<'p> Expansion<'p, '_> {
    fn problem(&mut self, diagnostic: Diagnostic) {
        push_capped(&mut self.problems, diagnostic);
    }

    /// The rules of templates that the flat patch cannot show: one `voice` node whose inputs
    /// only the host drives, no `output` node, a name of its own.
    fn check_template(&mut self) {
        let template = self.template;
        let name = &template.name;
        let (Some(voice), Some(_)) = (self.catalog.voice(), BusNames::of(self.catalog)) else {
            self.problem(
                Diagnostic::new(
                    Code::Template,
                    name.span,
                    format!("voice template `{}` needs a catalog with voices", name.text),
                )
                .with_label("no module of the catalog plays notes or sums voices")
                .with_hint("expand templates with a catalog that has a voice and a bus module"),
            );
            return;
        };
        if let Some(node) = self.patch.node(&name.text) {
            self.problem(
                Diagnostic::new(
                    Code::DuplicateNode,
                    name.span,
                    format!("voice template `{}` has the id of a node", name.text),
                )
                .with_label("the template's name")
                .with_secondary(node.id.span, "a node with this id")
                .with_hint("the rest of the patch names the template like a node; rename one"),
            );
        }
        let mut voice_nodes = Vec::new();
        for node in &template.nodes {
            match self.catalog.get(&node.module.text) {
                Some(spec) if spec.role == Role::Output => self.problem(
                    Diagnostic::new(
                        Code::Template,
                        node.module.span,
                        format!(
                            "voice template `{}` holds an `{}` node `{}`",
                            name.text, spec.name, node.id.text
                        ),
                    )
                    .with_label("not allowed in a template")
                    .with_hint(format!(
                        "declare a template output, e.g. `(outputs (out {} \"out\"))`, and \
                         connect `{} \"out\"` to the patch's output",
                        node.id.text, name.text
                    )),
                ),
                _ if self.catalog.is_voice(&node.module.text) => voice_nodes.push(node),
                _ => {}
            }
        }
        match voice_nodes.as_slice() {
            [] => self.problem(
                Diagnostic::new(
                    Code::Template,
                    name.span,
                    format!(
                        "voice template `{}` has no `{}` node",
                        name.text, voice.name
                    ),
                )
                .with_label("this template plays no notes")
                .with_hint(format!(
                    "add `(note (type \"{}\"))` and connect its {}",
                    voice.name,
                    listed(voice.outputs.iter().map(|output| output.name))
                )),
            ),
            [_] => {}
            [first, rest @ ..] => {
                for node in rest {
                    self.problem(
                        Diagnostic::new(
                            Code::Template,
                            node.module.span,
                            format!(
                                "voice template `{}` has more than one `{}` node",
                                name.text, voice.name
                            ),
                        )
                        .with_label("a second note source")
                        .with_secondary(first.module.span, "the first")
                        .with_hint("keep one and connect its outputs wherever they are needed"),
                    );
                }
            }
        }
        let voice_ids: Vec<&str> = voice_nodes
            .iter()
            .map(|node| node.id.text.as_str())
            .collect();
        for connection in &template.connections {
            if voice_ids.contains(&connection.to.node.text.as_str()) {
                self.problem(host_driven(&connection.to, connection.span, voice.name));
            }
        }
    }

    /// Checks the template's ports and the patch's connections to them; returns the valid
    /// inputs and outputs.
    fn check_ports(&mut self) -> (Vec<&'p TemplatePort>, Vec<&'p TemplatePort>) {
        let template: &'p VoiceTemplate = self.template;
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut valid = [Vec::new(), Vec::new()];
        for (side, ports) in [&template.inputs, &template.outputs]
            .into_iter()
            .enumerate()
        {
            for port in ports {
                if let Some(&first) = seen.get(port.name.text.as_str()) {
                    self.problem(
                        Diagnostic::new(
                            Code::Template,
                            port.name.span,
                            format!(
                                "voice template `{}` has two ports named `{}`",
                                template.name.text, port.name.text
                            ),
                        )
                        .with_label("declared again here")
                        .with_secondary(first, "first declared here")
                        .with_hint("give each input and output of the template its own name"),
                    );
                    continue;
                }
                seen.insert(&port.name.text, port.name.span);
                if self.check_port(port, side == 0) {
                    valid[side].push(port);
                }
            }
        }
        let [inputs, outputs] = valid;
        for connection in &self.patch.connections {
            for (end, ports, kind) in [
                (&connection.from, &template.outputs, "output"),
                (&connection.to, &template.inputs, "input"),
            ] {
                // A port declared but faulty was reported where it is declared.
                if end.node.text == template.name.text
                    && !ports.iter().any(|p| p.name.text == end.port.text)
                {
                    let names: Vec<&str> = ports.iter().map(|p| p.name.text.as_str()).collect();
                    let hint = if names.is_empty() {
                        format!(
                            "declare one: `({kind}s ({} NODE PORT))` in the template",
                            end.port.text
                        )
                    } else {
                        suggest::hint_for(&end.port.text, &names)
                    };
                    self.problem(
                        Diagnostic::new(
                            Code::UnknownPort,
                            end.port.span,
                            format!(
                                "unknown {kind} port `{}` on voice template `{}`",
                                end.port.text, template.name.text
                            ),
                        )
                        .with_label(format!("the template declares no such {kind}"))
                        .with_hint(hint),
                    );
                }
            }
        }
        (inputs, outputs)
    }

    /// Whether `port` names an existing port of a template node, of the right direction.
    fn check_port(&mut self, port: &TemplatePort, input: bool) -> bool {
        let template = self.template;
        let target = &port.target;
        let Some(node) = template
            .nodes
            .iter()
            .find(|node| node.id.text == target.node.text)
        else {
            let ids: Vec<&str> = template.nodes.iter().map(|n| n.id.text.as_str()).collect();
            self.problem(
                Diagnostic::new(
                    Code::UnknownNode,
                    target.node.span,
                    format!(
                        "template port `{}` names unknown node `{}`",
                        port.name.text, target.node.text
                    ),
                )
                .with_label("no node of the template has this id")
                .with_hint(suggest::hint_for(&target.node.text, &ids)),
            );
            return false;
        };
        // An unknown module is reported on the node itself.
        let Some(spec) = self.catalog.get(&node.module.text) else {
            return false;
        };
        let (found, names, kind): (_, Vec<&str>, _) = if input {
            let names = spec.inputs.iter().map(|i| i.name).collect();
            (spec.input(&target.port.text), names, "input")
        } else {
            let names = spec.outputs.iter().map(|o| o.name).collect();
            (spec.output(&target.port.text), names, "output")
        };
        let Some(index) = found else {
            self.problem(
                Diagnostic::new(
                    Code::UnknownPort,
                    target.port.span,
                    format!(
                        "unknown {kind} port `{}` on node `{}` (module `{}`)",
                        target.port.text, node.id.text, spec.name
                    ),
                )
                .with_label(format!("no {kind} has this name"))
                .with_hint(suggest::hint_for(&target.port.text, &names)),
            );
            return false;
        };
        if !input {
            return true;
        }
        if self.catalog.is_voice(&node.module.text) {
            self.problem(host_driven(target, port.span, &node.module.text));
            return false;
        }
        if spec.inputs[index].rate == Rate::Init {
            self.problem(
                Diagnostic::new(
                    Code::NotConnectable,
                    target.port.span,
                    format!(
                        "input `{}` of node `{}` is read once when the node is built and cannot \
                         be a template input",
                        target.port.text, node.id.text
                    ),
                )
                .with_label("a template input drives this with a signal")
                .with_hint("set it as a parameter of the node in the template"),
            );
            return false;
        }
        true
    }

    /// The flat patch: the patch's own nodes, the shared input nodes, the copies node by node,
    /// the summing nodes; the patch's connections (to the template rewired to those nodes),
    /// the inputs to every voice, the template's connections voice by voice, and every voice
    /// into the sums.
    fn build(&mut self, inputs: &[&TemplatePort], outputs: &[&TemplatePort]) {
        // Without a bus the template check has said why nothing is expanded.
        let Some(bus) = BusNames::of(self.catalog) else {
            return;
        };
        let template = self.template;
        let name = &template.name.text;
        let voices = self.voices;
        let flat = &mut self.flat;
        flat.nodes.clone_from(&self.patch.nodes);
        for port in inputs {
            let value = self.input_value(port);
            self.flat.nodes.push(Node {
                id: Name {
                    text: port_id(name, &port.name.text),
                    span: port.name.span,
                },
                module: Name {
                    text: bus.module.to_owned(),
                    span: port.span,
                },
                params: vec![Param {
                    name: Name::new(bus.input),
                    value: Value {
                        kind: ValueKind::Number(value),
                        span: port.span,
                        escapes: Vec::new(),
                    },
                }],
                span: port.span,
            });
        }
        let flat = &mut self.flat;
        for node in &template.nodes {
            for voice in 0..voices {
                flat.nodes.push(Node {
                    id: Name {
                        text: copy_id(name, voice, &node.id.text),
                        span: node.id.span,
                    },
                    ..node.clone()
                });
            }
        }
        for port in outputs {
            flat.nodes.push(bus_node(name, port, bus.module));
        }

        for connection in &self.patch.connections {
            // A connection to a port that is missing or faulty was reported; leaving it out
            // keeps one mistake from showing up as another.
            let valid = |end: &PortRef, ports: &[&TemplatePort]| {
                end.node.text != *name || ports.iter().any(|p| p.name.text == end.port.text)
            };
            if !valid(&connection.from, outputs) || !valid(&connection.to, inputs) {
                continue;
            }
            let mut connection = connection.clone();
            if connection.from.node.text == *name {
                connection.from = rename(
                    &connection.from,
                    port_id(name, &connection.from.port.text),
                    bus.output,
                );
            }
            if connection.to.node.text == *name {
                connection.to = rename(
                    &connection.to,
                    port_id(name, &connection.to.port.text),
                    bus.input,
                );
            }
            flat.connections.push(connection);
        }
        for port in inputs {
            for voice in 0..voices {
                let from = PortRef {
                    node: Name {
                        text: port_id(name, &port.name.text),
                        span: port.name.span,
                    },
                    port: Name {
                        text: bus.output.to_owned(),
                        span: port.span,
                    },
                };
                let to = rename(
                    &port.target,
                    copy_id(name, voice, &port.target.node.text),
                    &port.target.port.text,
                );
                flat.connections.push(Connection {
                    from,
                    to,
                    span: port.span,
                });
            }
        }
        for connection in &template.connections {
            for voice in 0..voices {
                let from = &connection.from;
                let to = &connection.to;
                flat.connections.push(Connection {
                    from: rename(from, copy_id(name, voice, &from.node.text), &from.port.text),
                    to: rename(to, copy_id(name, voice, &to.node.text), &to.port.text),
                    span: connection.span,
                });
            }
        }
        for port in outputs {
            for voice in 0..voices {
                let target = &port.target;
                let to = PortRef {
                    node: Name {
                        text: port_id(name, &port.name.text),
                        span: port.name.span,
                    },
                    port: Name {
                        text: bus.input.to_owned(),
                        span: port.span,
                    },
                };
                flat.connections.push(Connection {
                    from: rename(
                        target,
                        copy_id(name, voice, &target.node.text),
                        &target.port.text,
                    ),
                    to,
                    span: port.span,
                });
            }
        }
    }

    /// The value a template input holds when nothing drives it: the value the template sets
    /// on the input it stands for, else that input's default.
    fn input_value(&self, port: &TemplatePort) -> f64 {
        let target = &port.target;
        let Some(node) = self
            .template
            .nodes
            .iter()
            .find(|node| node.id.text == target.node.text)
        else {
            return 0.0;
        };
        let set = node.params.iter().find_map(|param| match param.value.kind {
            ValueKind::Number(value) if param.name.text == target.port.text => Some(value),
            _ => None,
        });
        let default = self.catalog.get(&node.module.text).and_then(|spec| {
            spec.input(&target.port.text)
                .map(|i| spec.inputs[i].default)
        });
        set.or(default).unwrap_or(0.0)
    }
}

/// The summing node of output `port`, of module `bus`, with no parameters: the bus passes its
/// input on unchanged.
fn bus_node(template: &str, port: &TemplatePort, bus: &str) -> Node {
    Node {
        id: Name {
            text: port_id(template, &port.name.text),
            span: port.name.span,
        },
        module: Name {
            text: bus.to_owned(),
            span: port.span,
        },
        params: Vec::new(),
        span: port.span,
    }
}

/// `end` with its node renamed to `node` and its port to `port`, keeping their spans.
fn rename(end: &PortRef, node: String, port: &str) -> PortRef {
    PortRef {
        node: Name {
            text: node,
            span: end.node.span,
        },
        port: Name {
            text: port.to_owned(),
            span: end.port.span,
        },
    }
}

/// `names` as prose: "`a`, `b` and `c`".
fn listed(names: impl Iterator<Item = &'static str>) -> String {
    let names: Vec<String> = names.map(|name| format!("`{name}`")).collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// A connection or template input into the voice node (of module `voice`), which only the host
/// drives.
fn host_driven(end: &PortRef, span: Span, voice: &str) -> Diagnostic {
    Diagnostic::new(
        Code::Template,
        span,
        format!(
            "input `{}` of the `{voice}` node `{}` is set by the host for each voice",
            end.port.text, end.node.text
        ),
    )
    .with_label("nothing else may drive it")
    .with_hint("process the voice node's outputs instead, e.g. add to `pitch` after it")
}
