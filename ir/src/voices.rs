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
use crate::notes;
use crate::patch::{Name, Patch, PortRef, TemplatePort, ValueKind, VoiceTemplate};
use crate::span::Span;
use crate::suggest;
use std::borrow::Cow;
use std::collections::HashMap;

mod flat;
mod instruments;
mod streams;

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

/// The template of `patch` named `name`, if there is one (the first, if names repeat).
pub fn template<'p>(patch: &'p Patch, name: &str) -> Option<&'p VoiceTemplate> {
    patch.voices.iter().find(|t| t.name.text == name)
}

/// How many voices `template` has: its own `(voices N)` when valid, else the host's
/// `voices`; at least one, at most [`MAX_VOICES`].
pub fn count(template: &VoiceTemplate, voices: usize) -> usize {
    template
        .voice_count
        .and_then(|n| whole_in(n.value, 1, MAX_VOICES))
        .unwrap_or(voices)
        .clamp(1, MAX_VOICES)
}

/// The MIDI channel (1–16) `template` listens to, or `None` for every channel (also when its
/// `(channel N)` is invalid, which validation reports).
pub fn channel(template: &VoiceTemplate) -> Option<u8> {
    let channel = whole_in(template.channel?.value, 1, 16)?;
    u8::try_from(channel).ok()
}

/// `value` as a whole number in `lo..=hi`, if it is one.
fn whole_in(value: f64, lo: usize, hi: usize) -> Option<usize> {
    let fits = value.fract() == 0.0 && value >= lo as f64 && value <= hi as f64;
    fits.then_some(value as usize)
}

/// The id of the note slot that plays voice `voice` of a template driven by a note stream:
/// `TEMPLATE/notes/VOICE`, which no copy (`TEMPLATE/VOICE/NODE`) or port (`TEMPLATE/PORT`)
/// can be.
pub fn slot_id(template: &str, voice: usize) -> String {
    format!("{template}{SEPARATOR}{}{SEPARATOR}{voice}", notes::STREAM)
}

/// Whether the patch drives `template` with a note stream: connects anything to its `notes`
/// port or to one of its lanes.
pub fn driven(patch: &Patch, template: &VoiceTemplate) -> bool {
    patch
        .connections
        .iter()
        .any(|c| c.to.node.text == template.name.text && notes::is_note_port(&c.to.port.text))
}

/// Whether template input `input` is played by the template's note slots rather than shared
/// by every voice: the template is [`driven`] and the input is one a slot drives.
fn slot_input(driven: bool, input: &str) -> bool {
    driven && notes::SLOT_OUTPUTS.contains(&input)
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
    match (template(patch, node), BusNames::of(catalog)) {
        (Some(template), Some(bus)) if template.inputs.iter().any(|i| i.name.text == port) => {
            (Cow::Owned(port_id(node, port)), Cow::Borrowed(bus.input))
        }
        _ => (Cow::Borrowed(node), Cow::Borrowed(port)),
    }
}

/// The nodes of the expanded patch that events are meant to set: the targets of the MIDI
/// section's bindings and the nodes behind the templates' shared inputs. A compiler keeps
/// them kernels even when stateless and constant, so that their first event needs no
/// recompiling.
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
    let inputs = patch.voices.iter().flat_map(|template| {
        let driven = driven(patch, template);
        template
            .inputs
            .iter()
            .filter(move |input| !slot_input(driven, &input.name.text))
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

/// The patch with each template expanded into its voice count (its own `(voices N)`, else
/// `voices`; see [`count`]), and the problems of the templates and of the names the patch
/// writes. Problems do not stop the expansion: what can be expanded is, so that validating the
/// result reports the rest.
///
/// A patch without a template and without a reserved name comes back as it is, borrowed.
pub fn expand<'p>(
    patch: &'p Patch,
    catalog: &Catalog,
    voices: usize,
) -> (Cow<'p, Patch>, Diagnostics) {
    expand_by(patch, catalog, |template| count(template, voices))
}

/// The patch with every template expanded into one voice, as [`expand`] does: how the
/// validator checks templates once, whatever their voice counts.
pub fn expand_one<'p>(patch: &'p Patch, catalog: &Catalog) -> (Cow<'p, Patch>, Diagnostics) {
    expand_by(patch, catalog, |_| 1)
}

fn expand_by<'p>(
    patch: &'p Patch,
    catalog: &Catalog,
    voices: impl Fn(&VoiceTemplate) -> usize,
) -> (Cow<'p, Patch>, Diagnostics) {
    let mut problems = Vec::new();
    check_names(patch, &mut problems);
    instruments::check(patch, &mut problems);
    if patch.voices.is_empty() {
        let spread = streams::streams_into_modules(patch, catalog);
        if problems.is_empty() && patch.midi.is_empty() && !spread {
            return (Cow::Borrowed(patch), problems);
        }
        let mut flat = Patch {
            nodes: patch.nodes.clone(),
            connections: patch.connections.clone(),
            transport: patch.transport.clone(),
            timelines: patch.timelines.clone(),
            ..Patch::default()
        };
        streams::spread_into_modules(&mut flat, catalog);
        return (Cow::Owned(flat), problems);
    }
    let mut flat = Patch {
        transport: patch.transport.clone(),
        timelines: patch.timelines.clone(),
        ..Patch::default()
    };
    let mut checked: Vec<Expansion> = Vec::with_capacity(patch.voices.len());
    for template in &patch.voices {
        // A second template of the same name was reported; expanding it would only repeat
        // the first one's ids.
        if checked
            .iter()
            .any(|e| e.template.name.text == template.name.text)
        {
            continue;
        }
        let mut expansion = Expansion {
            patch,
            template,
            catalog,
            voices: voices(template),
            driven: driven(patch, template),
            problems,
            inputs: Vec::new(),
            outputs: Vec::new(),
        };
        expansion.check_template();
        expansion.check_ports();
        problems = std::mem::take(&mut expansion.problems);
        checked.push(expansion);
    }
    // Without a bus the template check has said why nothing is expanded.
    if let Some(bus) = BusNames::of(catalog) {
        flat.nodes.clone_from(&patch.nodes);
        for expansion in &checked {
            expansion.nodes(bus, &mut flat.nodes);
        }
        for connection in &patch.connections {
            let from = checked.iter().find(|e| e.named(&connection.from));
            let to = checked.iter().find(|e| e.named(&connection.to));
            if let Some(to) = to
                && notes::is_note_port(&connection.to.port.text)
            {
                to.stream(connection, &mut flat.connections, &mut problems);
                continue;
            }
            // A connection to a port that is missing or faulty was reported; leaving it out
            // keeps one mistake from showing up as another.
            if from.is_some_and(|e| !e.has(&connection.from, &e.outputs))
                || to.is_some_and(|e| !e.has(&connection.to, &e.inputs))
            {
                continue;
            }
            let mut connection = connection.clone();
            if from.is_some() {
                let port = port_id(&connection.from.node.text, &connection.from.port.text);
                connection.from = rename(&connection.from, port, bus.output);
            }
            if let Some(to) = to {
                if slot_input(to.driven, &connection.to.port.text) {
                    push_capped(&mut problems, to.played_by_notes(&connection.to));
                    continue;
                }
                let port = port_id(&connection.to.node.text, &connection.to.port.text);
                connection.to = rename(&connection.to, port, bus.input);
            }
            flat.connections.push(connection);
        }
        for expansion in &checked {
            expansion.connections(bus, &mut flat.connections);
        }
        streams::spread_into_modules(&mut flat, catalog);
    }
    (Cow::Owned(flat), problems)
}

/// Refuses the reserved separator in every id and port name the patch writes.
fn check_names(patch: &Patch, problems: &mut Diagnostics) {
    // Nodes of an expanded sub-patch instance are named under it (`bass1/osc`).
    let expanded = |id: &str| {
        patch.instances.iter().any(|instance| {
            id.strip_prefix(instance.as_str())
                .is_some_and(|rest| rest.starts_with(SEPARATOR))
        })
    };
    let written = patch.nodes.iter().filter(|n| !expanded(&n.id.text));
    let mut names: Vec<(&Name, &str)> = written.map(|n| (&n.id, "node id")).collect();
    for template in &patch.voices {
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
    /// Whether a note stream drives the template (see [`driven`]).
    driven: bool,
    problems: Diagnostics,
    /// The template's valid inputs, once checked.
    inputs: Vec<&'p TemplatePort>,
    /// The template's valid outputs, once checked.
    outputs: Vec<&'p TemplatePort>,
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
            // A note stream plays a template without a voice node.
            [] if self.driven => {}
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

    /// Checks the template's ports and the patch's connections to them; keeps the valid
    /// inputs and outputs.
    fn check_ports(&mut self) {
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
                if notes::is_note_port(&port.name.text) {
                    self.problem(
                        Diagnostic::new(
                            Code::Notes,
                            port.name.span,
                            format!(
                                "voice template `{}` declares a port named `{}`",
                                template.name.text, port.name.text
                            ),
                        )
                        .with_label("reserved for note streams")
                        .with_hint(format!(
                            "`{}` and its lanes (`{}` …) take note streams; rename the port",
                            notes::STREAM,
                            notes::lane_port(0, notes::Signal::Pitch)
                        )),
                    );
                    continue;
                }
                if self.check_port(port, side == 0) {
                    valid[side].push(port);
                }
            }
        }
        let [inputs, outputs] = valid;
        self.inputs = inputs;
        self.outputs = outputs;
        for connection in &self.patch.connections {
            for (end, ports, kind) in [
                (&connection.from, &template.outputs, "output"),
                (&connection.to, &template.inputs, "input"),
            ] {
                // A port declared but faulty was reported where it is declared.
                if end.node.text == template.name.text
                    && !(kind == "input" && notes::is_note_port(&end.port.text))
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

    /// Whether `end` names this template.
    fn named(&self, end: &PortRef) -> bool {
        end.node.text == self.template.name.text
    }

    /// Whether `end`'s port is among `ports` (the valid inputs or outputs).
    fn has(&self, end: &PortRef, ports: &[&TemplatePort]) -> bool {
        ports.iter().any(|p| p.name.text == end.port.text)
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
