//! The one step of the shorthand that needs the catalog: an empty port name in a connection
//! stands for the node's first output, or its first input that takes a signal (`in` if it
//! has one), and a parameter with an empty name (a bare string after a module,
//! `(seq.pattern "c2 ~")`) for the module's first text input; [`resolve`] writes the name in.
//!
//! The S-expression reader leaves a port empty where the shorthand names none (a chain's
//! links, `(cutoff lfo1)`, an inline node's output); the JSON and MessagePack forms may
//! write `""` for the same meaning. Validation resolves a copy of the patch it checks, and the
//! engine resolves every patch it reads, so that what it keeps, edits and converts names every
//! port.

use crate::catalog::{Catalog, ModuleSpec, Rate, Unit};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, push_capped};
use crate::patch::{Connection, Node, Patch, PortRef, TemplatePort, VoiceTemplate};
use std::borrow::Cow;

/// Names every empty port of `patch`'s connections (the voice template's included) after
/// the port it stands for. A port whose node has no such port stays empty and is reported
/// (`E0115`); one whose node or module is unknown stays empty for validation to report.
pub fn resolve(patch: &mut Patch, catalog: &Catalog) -> Result<(), Diagnostics> {
    let mut problems = Vec::new();
    name_texts(&mut patch.nodes, catalog, &mut problems);
    for template in &mut patch.voices {
        name_texts(&mut template.nodes, catalog, &mut problems);
    }
    let mut connections = std::mem::take(&mut patch.connections);
    let scope = Scope::new(&patch.nodes, &patch.voices, catalog);
    scope.fill(&mut connections, &mut problems);
    patch.connections = connections;
    for template in &mut patch.voices {
        let scope = Scope::new(&template.nodes, &[], catalog);
        let mut connections = std::mem::take(&mut template.connections);
        scope.fill(&mut connections, &mut problems);
        template.connections = connections;
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// `patch` with its empty ports resolved (borrowed when it has none), and the problems
/// [`resolve`] found.
pub fn resolved<'p>(patch: &'p Patch, catalog: &Catalog) -> (Cow<'p, Patch>, Diagnostics) {
    let empty = |connections: &[Connection]| {
        connections
            .iter()
            .any(|c| c.from.port.text.is_empty() || c.to.port.text.is_empty())
    };
    let template = patch.voices.iter().any(|t| empty(&t.connections));
    let unnamed = |nodes: &[Node]| {
        nodes
            .iter()
            .any(|node| node.params.iter().any(|param| param.name.text.is_empty()))
    };
    let texts = unnamed(&patch.nodes) || patch.voices.iter().any(|t| unnamed(&t.nodes));
    if !empty(&patch.connections) && !template && !texts {
        return (Cow::Borrowed(patch), Vec::new());
    }
    let mut patch = patch.clone();
    let problems = resolve(&mut patch, catalog).err().unwrap_or_default();
    (Cow::Owned(patch), problems)
}

/// Names each parameter of `nodes` written as a bare string after the module after the
/// module's first text input; a module without one is reported (`E0115`), an unknown module
/// left for validation to report.
fn name_texts(nodes: &mut [Node], catalog: &Catalog, problems: &mut Diagnostics) {
    for node in nodes {
        let Some(spec) = catalog.get(&node.module.text) else {
            continue;
        };
        let text = spec
            .inputs
            .iter()
            .find(|input| matches!(input.unit, Unit::Text(_)));
        for param in node.params.iter_mut().filter(|p| p.name.text.is_empty()) {
            match text {
                Some(input) => param.name.text = input.name.to_owned(),
                None => push_capped(
                    problems,
                    Diagnostic::new(
                        Code::Shorthand,
                        param.name.span,
                        format!(
                            "module `{}` of node `{}` has no text input for this string",
                            spec.name, node.id.text
                        ),
                    )
                    .with_label("no text input takes this")
                    .with_hint(
                        "a bare string after a module sets its first text input, as in `(seq.pattern \"bd sd\")`; name the parameter instead, as in `(freq 440)`",
                    ),
                ),
            }
        }
    }
}

/// The nodes a connection of one scope may name.
struct Scope<'s> {
    /// The scope's nodes by id (the first of duplicates, as validation has it).
    nodes: foldhash::HashMap<&'s str, &'s Node>,
    /// The voice templates, each seen from the patch as a node.
    templates: &'s [VoiceTemplate],
    catalog: &'s Catalog,
}

/// What a connection's end names.
enum Target<'s> {
    Module(&'s str, &'s ModuleSpec),
    Template(&'s [TemplatePort], &'s [TemplatePort]),
}

impl<'s> Scope<'s> {
    fn new(nodes: &'s [Node], templates: &'s [VoiceTemplate], catalog: &'s Catalog) -> Scope<'s> {
        let mut by_id =
            foldhash::HashMap::with_capacity_and_hasher(nodes.len(), Default::default());
        for node in nodes {
            by_id.entry(node.id.text.as_str()).or_insert(node);
        }
        Scope {
            nodes: by_id,
            templates,
            catalog,
        }
    }

    fn fill(&self, connections: &mut [Connection], problems: &mut Diagnostics) {
        for connection in connections {
            if connection.from.port.text.is_empty() {
                self.end(&mut connection.from, true, problems);
            }
            if connection.to.port.text.is_empty() {
                self.end(&mut connection.to, false, problems);
            }
        }
    }

    fn target(&self, id: &str) -> Option<Target<'_>> {
        if let Some(node) = self.nodes.get(id) {
            let spec = self.catalog.get(&node.module.text)?;
            return Some(Target::Module(&node.module.text, spec));
        }
        let template = self.templates.iter().find(|t| t.name.text == id)?;
        Some(Target::Template(&template.inputs, &template.outputs))
    }

    /// Names `end`'s empty port: the first output if `output`, else the first input.
    fn end(&self, end: &mut PortRef, output: bool, problems: &mut Diagnostics) {
        let Some(target) = self.target(&end.node.text) else {
            return;
        };
        let found = match (&target, output) {
            (Target::Module(_, spec), true) => spec.outputs.first().map(|port| port.name),
            (Target::Module(_, spec), false) => {
                let takes = spec.inputs.iter().filter(|input| input.rate != Rate::Init);
                let mut inputs = takes.clone();
                inputs
                    .find(|input| input.name == "in")
                    .or_else(|| takes.clone().next())
                    .map(|input| input.name)
            }
            (Target::Template(_, outputs), true) => {
                outputs.first().map(|port| port.name.text.as_str())
            }
            (Target::Template(inputs, _), false) => inputs
                .iter()
                .find(|port| port.name.text == "in")
                .or_else(|| inputs.first())
                .map(|port| port.name.text.as_str()),
        };
        if let Some(port) = found {
            end.port.text = port.to_owned();
            return;
        }
        let whose = match target {
            Target::Module(module, _) => format!("node `{}` (module `{module}`)", end.node.text),
            Target::Template(..) => format!("voice template `{}`", end.node.text),
        };
        let (message, label, hint) = if output {
            (
                format!("{whose} has no output to connect from"),
                "nothing comes out of this",
                "a connection leaves a node by its first output when none is named; start from a node with an output",
            )
        } else {
            (
                format!("{whose} has no input a signal can drive"),
                "nothing goes into this",
                "a connection enters a node by `in` or its first input when none is named; end at a node with an input, such as an `output`",
            )
        };
        push_capped(
            problems,
            Diagnostic::new(Code::Shorthand, end.port.span, message)
                .with_label(label)
                .with_hint(hint),
        );
    }
}
