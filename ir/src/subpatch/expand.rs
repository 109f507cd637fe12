//! The expansion of sub-patch instances into the nodes and connections they stand for.

use super::{Interface, Library, SubpatchFile, is_instance};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, MAX_DIAGNOSTICS, push_capped};
use crate::format::guard;
use crate::limits::Limits;
use crate::patch::{Name, Node, Param, Patch, PortRef, TemplatePort};
use crate::suggest;
use crate::voices::SEPARATOR;

/// The deepest sub-patch files may use one another: a bound on the work a hostile set of
/// files can ask for (the node limits bound the rest).
pub const MAX_DEPTH: usize = 16;

/// `patch` with every sub-patch instance replaced by the sub-patch's nodes and connections,
/// named under the instance (`bass1/osc`), its values set on the nodes its parameters name and
/// the connections to and from it rewired to the ports its inputs, parameters and outputs
/// name. `root` is the file `patch` was read from, if the library knows it (so a file using
/// itself is named as such). Instances within sub-patches are expanded first, at most
/// [`MAX_DEPTH`] files deep; every problem is collected.
pub fn expand(
    mut patch: Patch,
    root: Option<(usize, String)>,
    library: &mut dyn Library,
    limits: &Limits,
) -> Result<Patch, Diagnostics> {
    if !patch
        .nodes
        .iter()
        .any(|node| is_instance(&node.module.text))
    {
        return Ok(patch);
    }
    let from = root.as_ref().map(|(id, _)| *id);
    let mut expander = Expander {
        library,
        limits,
        problems: Vec::new(),
        stack: root.into_iter().collect(),
        spliced: 0,
    };
    expander.expand_in(&mut patch, from);
    match expander.problems.is_empty() {
        true => Ok(patch),
        false => Err(expander.problems),
    }
}

struct Expander<'l> {
    library: &'l mut dyn Library,
    limits: &'l Limits,
    problems: Diagnostics,
    /// The files being expanded, outermost first, by id and name.
    stack: Vec<(usize, String)>,
    /// Nodes spliced so far, at every depth: past the node limit, or the diagnostics' cap,
    /// nothing more is opened, so files using one another many times over cannot make the
    /// expansion's work grow past the limit.
    spliced: usize,
}

/// An instance expanded: its id and the sub-patch's ports, their nodes named under it.
struct Expanded {
    id: String,
    path: String,
    interface: Interface,
}

impl Expander<'_> {
    fn problem(&mut self, diagnostic: Diagnostic) {
        push_capped(&mut self.problems, diagnostic);
    }

    /// Expands every instance among `patch`'s nodes, `patch` being read from file `from`.
    fn expand_in(&mut self, patch: &mut Patch, from: Option<usize>) {
        let nodes = std::mem::take(&mut patch.nodes);
        let ids: Vec<String> = nodes.iter().map(|node| node.id.text.clone()).collect();
        let mut expanded = Vec::new();
        for (index, node) in nodes.into_iter().enumerate() {
            if !is_instance(&node.module.text) {
                patch.nodes.push(node);
                continue;
            }
            if ids[..index].contains(&node.id.text) {
                let message = format!("duplicate node id `{}`", node.id.text);
                self.problem(
                    Diagnostic::new(Code::DuplicateNode, node.id.span, message)
                        .with_label("second definition")
                        .with_hint("rename one of the nodes"),
                );
                continue;
            }
            if node.id.text.contains(SEPARATOR) {
                let message = format!("node id `{}` contains `{SEPARATOR}`", node.id.text);
                self.problem(
                    Diagnostic::new(Code::Template, node.id.span, message)
                        .with_label(format!("`{SEPARATOR}` is reserved"))
                        .with_hint(format!(
                            "`{SEPARATOR}` joins an instance's id to its nodes' (`bass1/osc`); use `_` or `.`"
                        )),
                );
                continue;
            }
            let Some(sub) = self.open(&node, from) else {
                continue;
            };
            if let Some(instance) = self.splice(patch, node, sub) {
                expanded.push(instance);
            }
        }
        if expanded.is_empty() {
            return;
        }
        let mut connections = std::mem::take(&mut patch.connections);
        for connection in &mut connections {
            if let Some(instance) = expanded.iter().find(|e| e.id == connection.from.node.text) {
                let port = self.port(instance, &connection.from, Side::Output);
                connection.from = port.unwrap_or_else(|| connection.from.clone());
            }
            if let Some(instance) = expanded.iter().find(|e| e.id == connection.to.node.text) {
                let port = self.port(instance, &connection.to, Side::Input);
                connection.to = port.unwrap_or_else(|| connection.to.clone());
            }
        }
        patch.connections.extend(connections);
        // A sub-patch's own ports may name its instances' ports.
        let interface = &mut patch.interface;
        let outputs = interface
            .outputs
            .iter_mut()
            .map(|port| (port, Side::Output));
        let inputs = interface.inputs.iter_mut().chain(&mut interface.params);
        for (port, side) in outputs.chain(inputs.map(|port| (port, Side::Input))) {
            if let Some(instance) = expanded.iter().find(|e| e.id == port.target.node.text) {
                let inner = self.port(instance, &port.target, side);
                port.target = inner.unwrap_or_else(|| port.target.clone());
            }
        }
        for binding in &mut patch.midi.bindings {
            if let Some(instance) = expanded.iter().find(|e| e.id == binding.target.node.text) {
                let port = self.port(instance, &binding.target, Side::Input);
                binding.target = port.unwrap_or_else(|| binding.target.clone());
            }
        }
    }

    /// The sub-patch `node` is an instance of, expanded, or `None` (reported).
    fn open(&mut self, node: &Node, from: Option<usize>) -> Option<Patch> {
        if self.spliced > self.limits.max_nodes || self.problems.len() >= MAX_DIAGNOSTICS {
            return None;
        }
        let path = &node.module.text;
        let at = node.module.span;
        let unusable =
            |message: String| Diagnostic::new(Code::Subpatch, at, message).with_label("used here");
        if self.stack.len() > MAX_DEPTH {
            let message = format!("sub-patch `{path}` is nested more than {MAX_DEPTH} files deep");
            self.problem(
                Diagnostic::new(Code::Limit, at, message)
                    .with_label("too deep")
                    .with_hint(format!(
                        "sub-patches may use others at most {MAX_DEPTH} deep"
                    )),
            );
            return None;
        }
        let file = match self.library.open(from, path) {
            Ok(file) => file,
            Err(why) => {
                let message = format!("sub-patch file `{path}` cannot be used: {why}");
                self.problem(unusable(message).with_hint(
                    "the path is relative to the folder of the file that uses it, and ends in \
                     .lisp, .sexp, .json or .msgpack",
                ));
                return None;
            }
        };
        let SubpatchFile { id, name, patch } = file;
        if let Some(start) = self.stack.iter().position(|(open, _)| *open == id) {
            let mut cycle: Vec<&str> = self.stack[start..]
                .iter()
                .map(|(_, n)| n.as_str())
                .collect();
            cycle.push(&name);
            let message = format!(
                "sub-patch files use each other in a cycle: {}",
                cycle.join(" -> ")
            );
            let diagnostic = Diagnostic::new(Code::SubpatchCycle, at, message)
                .with_label("this use closes the cycle")
                .with_hint("a sub-patch cannot use itself, directly or through other files");
            self.problem(diagnostic);
            return None;
        }
        let mut sub = match patch {
            Ok(sub) => sub,
            Err(problems) => {
                let message = format!("sub-patch file `{path}` is not a valid patch");
                self.problem(unusable(message).with_hint("its own problems follow"));
                for problem in problems {
                    self.problem(problem);
                }
                return None;
            }
        };
        if let Some(section) = played_only(&sub) {
            let message = format!(
                "sub-patch file `{path}` has a {section} section, which only a patch that is played may have"
            );
            self.problem(
                unusable(message).with_hint("move the section into the patch that uses it"),
            );
            return None;
        }
        if sub.interface.is_empty() {
            let message = format!("`{path}` declares no inputs, outputs or parameters");
            self.problem(unusable(message).with_hint(
                "a sub-patch file declares what it offers: `(outputs (out NODE PORT))`, `(inputs ...)`, `(params ...)`",
            ));
            return None;
        }
        self.stack.push((id, name));
        let before = self.problems.len();
        self.expand_in(&mut sub, Some(id));
        self.stack.pop();
        // A sub-patch missing an instance of its own would only repeat that problem as ports
        // naming nodes it lacks.
        (self.problems.len() == before).then_some(sub)
    }

    /// Adds `sub`'s nodes and connections to `patch` under `node`'s id, with `node`'s values
    /// set on them; its ports named under the id, or `None` if one names no node (reported).
    fn splice(&mut self, patch: &mut Patch, node: Node, mut sub: Patch) -> Option<Expanded> {
        let id = node.id.text;
        let path = node.module.text;
        let within = |name: &str| format!("{id}{SEPARATOR}{name}");
        let mut broken = false;
        for port in sub.interface.ports() {
            if !sub.nodes.iter().any(|n| n.id.text == port.target.node.text) {
                let message = format!(
                    "port `{}` of sub-patch `{path}` names node `{}`, which it does not have",
                    port.name.text, port.target.node.text
                );
                let nodes: Vec<&str> = sub.nodes.iter().map(|n| n.id.text.as_str()).collect();
                let diagnostic = Diagnostic::new(Code::Subpatch, port.target.node.span, message)
                    .with_label("no such node")
                    .with_hint(suggest::hint_for(&port.target.node.text, &nodes));
                self.problem(diagnostic);
                broken = true;
            }
        }
        if broken {
            return None;
        }
        for port in sub.interface.ports_mut() {
            port.target.node.text = within(&port.target.node.text);
        }
        let first = patch.nodes.len();
        self.spliced = self.spliced.saturating_add(sub.nodes.len());
        if first + sub.nodes.len() > self.limits.max_nodes || self.spliced > self.limits.max_nodes {
            self.problem(guard::too_many_nodes(self.limits, node.module.span));
            return None;
        }
        if patch.connections.len() + sub.connections.len() > self.limits.max_connections {
            self.problem(guard::too_many_connections(self.limits, node.module.span));
            return None;
        }
        for mut inner in sub.nodes {
            inner.id.text = within(&inner.id.text);
            patch.nodes.push(inner);
        }
        for mut connection in sub.connections {
            connection.from.node.text = within(&connection.from.node.text);
            connection.to.node.text = within(&connection.to.node.text);
            patch.connections.push(connection);
        }
        patch
            .instances
            .extend(sub.instances.iter().map(|inner| within(inner)));
        patch.instances.push(id.clone());
        let instance = Expanded {
            id,
            path,
            interface: sub.interface,
        };
        for param in node.params {
            self.set(patch, first, &instance, param);
        }
        Some(instance)
    }

    /// Sets the instance's value `param` on the node its parameter names, among the nodes
    /// from `first` on.
    fn set(&mut self, patch: &mut Patch, first: usize, instance: &Expanded, param: Param) {
        let Some(port) = instance
            .interface
            .params
            .iter()
            .find(|p| p.name.text == param.name.text)
        else {
            let path = &instance.path;
            let name = &param.name.text;
            let (message, hint) = if instance
                .interface
                .inputs
                .iter()
                .any(|p| p.name.text == *name)
            {
                (
                    format!("`{name}` is an input of sub-patch `{path}`, not a parameter"),
                    format!("connect a signal to `{}.{name}` instead", instance.id),
                )
            } else {
                let params: Vec<&str> = instance
                    .interface
                    .params
                    .iter()
                    .map(|p| p.name.text.as_str())
                    .collect();
                let hint = match params.is_empty() {
                    true => format!("`{path}` declares no parameters"),
                    false => suggest::hint_for(name, &params),
                };
                (
                    format!("sub-patch `{path}` has no parameter `{name}`"),
                    hint,
                )
            };
            let diagnostic = Diagnostic::new(Code::SubpatchPort, param.name.span, message)
                .with_label("not a parameter")
                .with_hint(hint);
            self.problem(diagnostic);
            return;
        };
        let Some(target) = patch.nodes[first..]
            .iter_mut()
            .find(|node| node.id.text == port.target.node.text)
        else {
            return;
        };
        let value = Param {
            name: Name {
                text: port.target.port.text.clone(),
                span: param.name.span,
            },
            value: param.value,
        };
        match target
            .params
            .iter_mut()
            .find(|p| p.name.text == value.name.text)
        {
            Some(written) => *written = value,
            None => target.params.push(value),
        }
    }

    /// The port inside the instance that `end` (a connection's end at the instance) reaches:
    /// an output, or an input or parameter; an empty port (shorthand) is the first one.
    fn port(&mut self, instance: &Expanded, end: &PortRef, side: Side) -> Option<PortRef> {
        let ports: Vec<&TemplatePort> = match side {
            Side::Output => instance.interface.outputs.iter().collect(),
            Side::Input => instance
                .interface
                .inputs
                .iter()
                .chain(&instance.interface.params)
                .collect(),
        };
        let wanted = &end.port.text;
        let found = match wanted.is_empty() {
            true => ports.first().copied(),
            false => ports.iter().copied().find(|p| p.name.text == *wanted),
        };
        if let Some(port) = found {
            return Some(port.target.clone());
        }
        let names: Vec<&str> = ports.iter().map(|p| p.name.text.as_str()).collect();
        let what = match side {
            Side::Output => "output",
            Side::Input => "input or parameter",
        };
        let path = &instance.path;
        let message = match wanted.is_empty() {
            true => format!("sub-patch `{path}` has no {what} to connect"),
            false => format!("sub-patch `{path}` has no {what} `{wanted}`"),
        };
        let hint = match names.is_empty() {
            true => format!("`{path}` declares none"),
            false => suggest::hint_for(wanted, &names),
        };
        let span = if end.port.span.is_none() {
            end.node.span
        } else {
            end.port.span
        };
        self.problem(
            Diagnostic::new(Code::SubpatchPort, span, message)
                .with_label(format!("no such {what}"))
                .with_hint(hint),
        );
        None
    }
}

/// Which side of an instance a connection's end is on.
#[derive(Clone, Copy)]
enum Side {
    Input,
    Output,
}

/// The first section `sub` has that only a patch that is played may have.
fn played_only(sub: &Patch) -> Option<&'static str> {
    [
        (!sub.voices.is_empty(), "voice"),
        (!sub.midi.is_empty(), "midi"),
        (sub.transport.is_some(), "transport"),
        (!sub.scenes.is_empty(), "scenes"),
        (!sub.timelines.is_empty(), "timelines"),
        (!sub.samples.is_empty(), "samples"),
    ]
    .into_iter()
    .find_map(|(has, section)| has.then_some(section))
}
