//! Checks a patch against a module catalog and resolves it into a [`Graph`].
//!
//! Every problem is collected, not only the first, so a live coder sees them all at once.

mod samples;
mod scenes;
pub mod timelines;
pub mod transport;

use crate::catalog::{Catalog, InputSpec, ModuleSpec, Rate, Role, Unit};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, push_capped};
use crate::graph::{self, Edge, Graph, GraphNode, NodeIdx};
use crate::limits::Limits;
use crate::midi;
use crate::patch::{Connection, Node, Param, Patch, PortRef, Value, ValueKind};
use crate::shorthand;
use crate::span::Span;
use crate::suggest;
use crate::text::{TextInfo, TextSpec, TextValue};
use crate::voices;

/// Node ids by name: hashed with foldhash, several times faster than the standard library's
/// SipHash on short ids, and still seeded per process.
type HashMap<K, V> = foldhash::HashMap<K, V>;

/// For each node (by position, ascending) whose module has a group of outputs named by its
/// text, the names its text gives them; `None` when that text is wrong (already reported).
/// Sparse, so that the many patches without such a node allocate nothing for it.
type Named = Vec<(usize, Option<Vec<String>>)>;

/// Checks `patch` against `catalog` and `limits`; on success every name is resolved, every
/// value is in range and the evaluation order is known. A voice template is checked and
/// expanded for one voice (see [`validate_with`]).
pub fn validate<'c>(
    patch: &Patch,
    catalog: &'c Catalog,
    limits: &Limits,
) -> Result<Graph<'c>, Diagnostics> {
    validate_with(patch, catalog, limits, 1)
}

/// Checks `patch` as [`validate`] does, and resolves it with its voice template (if any)
/// expanded into `voices` copies (see [`mod@crate::voices`]).
///
/// Ports the shorthand left empty are resolved first, on a copy (see
/// [`mod@crate::shorthand`]), and the transport section is checked. The template is checked
/// once, on a one-voice expansion: each of its problems is reported once, at the template's
/// own spans, whatever `voices` is. The MIDI section's bindings are checked against the
/// expanded patch.
pub fn validate_with<'c>(
    patch: &Patch,
    catalog: &'c Catalog,
    limits: &Limits,
    voices: usize,
) -> Result<Graph<'c>, Diagnostics> {
    let (resolved, mut early) = shorthand::resolved(patch, catalog);
    if let Some(section) = &patch.transport {
        transport::check(section, &mut early);
    }
    match validate_resolved(&resolved, catalog, limits, voices) {
        Ok(graph) if early.is_empty() => Ok(graph),
        Ok(_) => Err(early),
        Err(problems) => {
            for problem in problems {
                push_capped(&mut early, problem);
            }
            Err(early)
        }
    }
}

/// [`validate_with`] for a patch whose ports are resolved.
fn validate_resolved<'c>(
    patch: &Patch,
    catalog: &'c Catalog,
    limits: &Limits,
    voices: usize,
) -> Result<Graph<'c>, Diagnostics> {
    let (single, mut problems) = voices::expand_one(patch, catalog);
    let graph = match validate_flat(&single, catalog, limits) {
        Ok(graph) => Some(graph),
        Err(more) => {
            for problem in more {
                push_capped(&mut problems, problem);
            }
            None
        }
    };
    midi::check(patch, &single, catalog, &mut problems);
    scenes::check(patch, catalog, &mut problems);
    timelines::check(&patch.timelines, catalog.clips_not_built(), &mut problems);
    samples::check(patch, &mut problems);
    match graph {
        Some(graph) if problems.is_empty() => {
            if patch.voices.iter().any(|t| voices::count(t, voices) > 1) {
                validate_voices(patch, catalog, limits, voices).map(|(graph, _)| graph)
            } else {
                Ok(graph)
            }
        }
        _ => Err(problems),
    }
}

/// The second half of [`validate_with`] for `patch`, which passed it with one voice: its
/// voice template expanded into `voices` copies (at least one, at most
/// [`MAX_VOICES`](voices::MAX_VOICES)) and resolved, with the expanded patch it resolved. A
/// host that keeps the expanded patch (to address events) takes it from here rather than
/// expanding the template again.
pub fn validate_voices<'p, 'c>(
    patch: &'p Patch,
    catalog: &'c Catalog,
    limits: &Limits,
    voices: usize,
) -> Result<(Graph<'c>, std::borrow::Cow<'p, Patch>), Diagnostics> {
    match shorthand::resolved(patch, catalog) {
        (_, problems) if !problems.is_empty() => Err(problems),
        (std::borrow::Cow::Owned(resolved), _) => {
            let (graph, flat) = validate_voices_resolved(&resolved, catalog, limits, voices)?;
            Ok((graph, std::borrow::Cow::Owned(flat.into_owned())))
        }
        (std::borrow::Cow::Borrowed(patch), _) => {
            validate_voices_resolved(patch, catalog, limits, voices)
        }
    }
}

/// [`validate_voices`] for a patch whose ports are resolved.
fn validate_voices_resolved<'p, 'c>(
    patch: &'p Patch,
    catalog: &'c Catalog,
    limits: &Limits,
    voices: usize,
) -> Result<(Graph<'c>, std::borrow::Cow<'p, Patch>), Diagnostics> {
    let voices = voices.clamp(1, voices::MAX_VOICES);
    if !patch.voices.is_empty() {
        // The counts are known before expanding: a large template times many voices would
        // otherwise build millions of nodes only for the limit to refuse them. Every port is
        // valid here, so each voice adds one connection per port too, and a note stream's
        // slot one node and a connection per lane signal.
        let (mut nodes, mut connections) = (patch.nodes.len(), patch.connections.len());
        for template in &patch.voices {
            let count = voices::count(template, voices);
            let slot = usize::from(voices::driven(patch, template));
            let per_voice_nodes = template.nodes.len() + slot;
            let per_voice_connections = template.connections.len()
                + template.inputs.len()
                + template.outputs.len()
                + slot * 2 * crate::notes::NOTE_LANES;
            let ports = template.inputs.len() + template.outputs.len();
            nodes = nodes
                .saturating_add(ports)
                .saturating_add(count.saturating_mul(per_voice_nodes));
            connections = connections.saturating_add(count.saturating_mul(per_voice_connections));
        }
        check_counts(nodes, connections, limits, voices)?;
    }
    let (flat, _) = voices::expand(patch, catalog, voices);
    let graph = validate_flat(&flat, catalog, limits)?;
    Ok((graph, flat))
}

/// Checks a patch without a template.
fn validate_flat<'c>(
    patch: &Patch,
    catalog: &'c Catalog,
    limits: &Limits,
) -> Result<Graph<'c>, Diagnostics> {
    check_size(patch, limits)?;
    let mut problems = Vec::new();
    let index = index_nodes(patch, &mut problems);
    let mut named = Named::new();
    let nodes: Vec<Option<GraphNode<'c>>> = patch
        .nodes
        .iter()
        .enumerate()
        .map(|(position, node)| {
            let (resolved, names) = resolve_node(node, catalog, &mut problems)?;
            if let Some(names) = names {
                named.push((position, names));
            }
            Some(resolved)
        })
        .collect();
    let mut edges = Vec::with_capacity(patch.connections.len());
    let resolved = Resolved {
        patch,
        nodes: &nodes,
        index: &index,
        named: &named,
    };
    for connection in &patch.connections {
        if let Some(edge) = resolve_connection(connection, &resolved, &mut problems) {
            edges.push(edge);
        }
    }
    let nodes: Vec<GraphNode<'c>> = nodes.into_iter().flatten().collect();
    // An empty patch is valid, and silent; nodes without an output are a mistake.
    let silent = !nodes
        .iter()
        .any(|node| matches!(node.spec.role, Role::Output | Role::Sink));
    if problems.is_empty() && !patch.nodes.is_empty() && silent {
        push_capped(&mut problems, no_output(patch, catalog));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    edges.extend(crate::timelines::follows::edges(&patch.timelines, &nodes)?);
    let order = graph::order(&nodes, &mut edges).map_err(|cycle| vec![cycle])?;
    Ok(Graph::new(nodes, edges, order))
}

fn check_size(patch: &Patch, limits: &Limits) -> Result<(), Diagnostics> {
    check_counts(patch.nodes.len(), patch.connections.len(), limits, 1)
}

/// Checks the node and connection counts of a patch whose template (if any) is expanded
/// into `voices` voices.
fn check_counts(
    nodes: usize,
    connections: usize,
    limits: &Limits,
    voices: usize,
) -> Result<(), Diagnostics> {
    let over = |what: &str, count: usize, limit: usize, flag: &str| {
        let (expanded, fewer) = if voices > 1 {
            (
                format!(" with its voice template expanded into {voices} voices"),
                " or play fewer voices (`--voices`)",
            )
        } else {
            (String::new(), "")
        };
        Diagnostic::new(
            Code::Limit,
            Span::NONE,
            format!("the patch has {count} {what}{expanded}, over the limit of {limit}"),
        )
        .with_hint(format!("raise the limit with `{flag}`{fewer}"))
    };
    if nodes > limits.max_nodes {
        return Err(vec![over("nodes", nodes, limits.max_nodes, "--max-nodes")]);
    }
    if connections > limits.max_connections {
        return Err(vec![over(
            "connections",
            connections,
            limits.max_connections,
            "--max-connections",
        )]);
    }
    Ok(())
}

/// Maps each node id to its first node, reporting later duplicates.
fn index_nodes<'p>(patch: &'p Patch, problems: &mut Diagnostics) -> HashMap<&'p str, usize> {
    let mut index: HashMap<&str, usize> =
        HashMap::with_capacity_and_hasher(patch.nodes.len(), Default::default());
    for (position, node) in patch.nodes.iter().enumerate() {
        if let Some(&first) = index.get(node.id.text.as_str()) {
            push_capped(
                problems,
                Diagnostic::new(
                    Code::DuplicateNode,
                    node.id.span,
                    format!("duplicate node id `{}`", node.id.text),
                )
                .with_label("defined again here")
                .with_secondary(patch.nodes[first].id.span, "first defined here")
                .with_hint("give each node its own id"),
            );
        } else {
            index.insert(&node.id.text, position);
        }
    }
    index
}

/// Node `node` resolved against its module, with the names its text gives its outputs if
/// its module has such a group (`Some(None)` when that text is wrong); `None` when its
/// module is unknown.
fn resolve_node<'c>(
    node: &Node,
    catalog: &'c Catalog,
    problems: &mut Diagnostics,
) -> Option<(GraphNode<'c>, Option<Option<Vec<String>>>)> {
    let Some(spec) = catalog.get(&node.module.text) else {
        let names: Vec<&str> = catalog.names().collect();
        push_capped(
            problems,
            Diagnostic::new(
                Code::UnknownModule,
                node.module.span,
                format!(
                    "unknown module `{}` on node `{}`",
                    node.module.text, node.id.text
                ),
            )
            .with_label("no module has this name")
            .with_hint(format!(
                "{} (`patchvm modules` lists them all)",
                suggest::hint_for(&node.module.text, &names)
            )),
        );
        return None;
    };
    if let Some(not_built) = catalog.not_built(spec.name) {
        push_capped(problems, not_built.for_node(node));
    }
    let mut values: Vec<f64> = spec.inputs.iter().map(|input| input.default).collect();
    let mut names = None;
    // Which parameter set each input, to report a second one; on the stack for the modules
    // of the catalog (none has more inputs), so resolving a node allocates only its values.
    const ON_STACK: usize = 32;
    let mut stack_set_by: [Option<&Param>; ON_STACK] = [None; ON_STACK];
    let mut heap_set_by: Vec<Option<&Param>> = Vec::new();
    let set_by: &mut [Option<&Param>] = if spec.inputs.len() <= ON_STACK {
        &mut stack_set_by[..spec.inputs.len()]
    } else {
        heap_set_by.resize(spec.inputs.len(), None);
        &mut heap_set_by
    };
    for param in &node.params {
        let Some(input) = spec.input(&param.name.text) else {
            push_capped(problems, unknown_param(node, spec, param));
            continue;
        };
        if let Some(first) = set_by[input] {
            push_capped(
                problems,
                Diagnostic::new(
                    Code::DuplicateParam,
                    param.name.span,
                    format!(
                        "parameter `{}` of node `{}` is set twice",
                        param.name.text, node.id.text
                    ),
                )
                .with_label("set again here")
                .with_secondary(first.name.span, "first set here")
                .with_hint("keep one of the two values"),
            );
            continue;
        }
        set_by[input] = Some(param);
        if let Unit::Text(text) = spec.inputs[input].unit {
            let named = match check_text(node, spec, input, text, &param.value) {
                Ok(info) => Some(info.names),
                Err(problem) => {
                    push_capped(problems, problem);
                    None
                }
            };
            if text.outputs.is_some() {
                names = Some(named);
            }
            continue;
        }
        match check_value(node, &spec.inputs[input], param) {
            Ok(value) => values[input] = value,
            Err(problem) => push_capped(problems, problem),
        }
    }
    let mut texts = Vec::new();
    for (input, text) in (0..spec.inputs.len()).filter_map(|input| Some((input, spec.text(input)?)))
    {
        let written = match set_by[input].map(|param| &param.value.kind) {
            Some(ValueKind::Text(written)) => written.as_str(),
            // Reported above.
            Some(_) => continue,
            None => text.default,
        };
        texts.push(TextValue {
            input,
            text: written.to_owned(),
        });
        if set_by[input].is_none() && text.outputs.is_some() {
            names = Some((text.check)(text.default).ok().map(|info| info.names));
        }
    }
    let resolved = GraphNode {
        id: node.id.text.as_str().into(),
        spec,
        values,
        texts,
        span: node.span,
    };
    Some((resolved, names))
}

fn unknown_param(node: &Node, spec: &ModuleSpec, param: &Param) -> Diagnostic {
    let inputs: Vec<&str> = spec.inputs.iter().map(|input| input.name).collect();
    Diagnostic::new(
        Code::UnknownPort,
        param.name.span,
        format!(
            "unknown parameter `{}` on node `{}` (module `{}`)",
            param.name.text, node.id.text, spec.name
        ),
    )
    .with_label("not a parameter of this module")
    .with_hint(suggest::hint_for(&param.name.text, &inputs))
}

/// What text input `input` of `node` (declared by `text`) is given, if it is text that passes
/// the module's check and names no more outputs than the module has for it. A mistake inside
/// the string is reported at its exact characters in the source.
fn check_text(
    node: &Node,
    spec: &ModuleSpec,
    input: usize,
    text: &TextSpec,
    value: &Value,
) -> Result<TextInfo, Diagnostic> {
    let name = spec.inputs[input].name;
    let what = format!("parameter `{name}` of node `{}`", node.id.text);
    let ValueKind::Text(written) = &value.kind else {
        return Err(Diagnostic::new(
            Code::Text,
            value.span,
            format!("{what} takes text, not {}", value.kind.describe()),
        )
        .with_label(format!("this is {}", value.kind.describe()))
        .with_hint(format!(
            "write a string, e.g. `({name} {})`",
            quoted(text.default)
        )));
    };
    let info = (text.check)(written).map_err(|problem| {
        let diagnostic = Diagnostic::new(
            Code::Text,
            value.text_span(problem.range),
            format!("{} in the text of {what}", problem.message),
        )
        .with_label("here");
        match problem.hint {
            Some(hint) => diagnostic.with_hint(hint),
            None => diagnostic,
        }
    })?;
    let room = text.group_len(spec.outputs);
    if text.outputs.is_some() && info.names.len() > room {
        return Err(Diagnostic::new(
            Code::Text,
            value.text_span(0..written.len()),
            format!(
                "the text of {what} names {} outputs, more than the {room} of module `{}`",
                info.names.len(),
                spec.name
            ),
        )
        .with_label("too many names")
        .with_hint(format!(
            "use at most {room} different names: {}",
            suggest::one_of(info.names.iter().map(String::as_str))
        )));
    }
    Ok(info)
}

/// `text` as a string literal, for hints.
fn quoted(text: &str) -> String {
    format!("{text:?}")
}

/// The parameter's number, if it has the right type and lies in the input's range.
fn check_value(node: &Node, input: &InputSpec, param: &Param) -> Result<f64, Diagnostic> {
    let what = || format!("parameter `{}` of node `{}`", input.name, node.id.text);
    let ValueKind::Number(value) = param.value.kind else {
        return Err(Diagnostic::new(
            Code::WrongType,
            param.value.span,
            format!(
                "{} takes a number, not {}",
                what(),
                param.value.kind.describe()
            ),
        )
        .with_label(format!("this is {}", param.value.kind.describe()))
        .with_hint(format!(
            "write a number, e.g. `({} {})`",
            input.name, input.default
        )));
    };
    if input.unit == Unit::Integer && value.fract() != 0.0 {
        return Err(Diagnostic::new(
            Code::WrongType,
            param.value.span,
            format!("{} takes a whole number, not {value}", what()),
        )
        .with_label("not a whole number"));
    }
    if !(input.min..=input.max).contains(&value) {
        let unit = match input.unit.symbol() {
            "" => String::new(),
            symbol => format!(" {symbol}"),
        };
        return Err(Diagnostic::new(
            Code::OutOfRange,
            param.value.span,
            format!(
                "{} is {value}{unit}, outside its range {}..={}{unit}",
                what(),
                input.min,
                input.max
            ),
        )
        .with_label("out of range")
        .with_hint(format!(
            "choose a value between {} and {}",
            input.min, input.max
        )));
    }
    Ok(value)
}

/// What connections are resolved against: the patch's nodes, resolved, and their names.
struct Resolved<'r, 'c> {
    patch: &'r Patch,
    nodes: &'r [Option<GraphNode<'c>>],
    index: &'r HashMap<&'r str, usize>,
    named: &'r Named,
}

fn resolve_connection(
    connection: &Connection,
    resolved: &Resolved,
    problems: &mut Diagnostics,
) -> Option<Edge> {
    let (patch, index) = (resolved.patch, resolved.index);
    let from = find_node(&connection.from, index, patch, problems);
    let to = find_node(&connection.to, index, patch, problems);
    let (from, to) = (from?, to?);
    // A node whose module is unknown was already reported; its ports cannot be checked.
    let nodes = resolved.nodes;
    let (from_node, to_node) = (nodes[from].as_ref()?, nodes[to].as_ref()?);
    let output = match from_node.spec.naming_input() {
        Some((_, text)) => {
            let names = resolved
                .named
                .binary_search_by_key(&from, |&(position, _)| position)
                .ok()
                .and_then(|at| resolved.named[at].1.as_deref());
            named_output(&connection.from, from_node, text, names, problems)
        }
        None => find_port(&connection.from, from_node, Direction::Output, problems),
    };
    let input = find_port(&connection.to, to_node, Direction::Input, problems);
    let (output, input) = (output?, input?);
    let target = &to_node.spec.inputs[input];
    if let Unit::Text(text) = target.unit {
        push_capped(
            problems,
            Diagnostic::new(
                Code::NotConnectable,
                connection.to.port.span,
                format!(
                    "input `{}` of node `{}` takes text and cannot take a signal",
                    target.name, to_node.id
                ),
            )
            .with_label("a connection cannot drive this")
            .with_hint(format!(
                "set it as a parameter instead, e.g. `({} {})`",
                target.name,
                quoted(text.default)
            )),
        );
        return None;
    }
    if target.rate == Rate::Init {
        push_capped(problems,
            Diagnostic::new(
                Code::NotConnectable,
                connection.to.port.span,
                format!(
                    "input `{}` of node `{}` is read once when the node is built and cannot take a signal",
                    target.name, to_node.id
                ),
            )
            .with_label("a connection cannot drive this")
            .with_hint(format!("set it as a parameter instead, e.g. `({} {})`", target.name, target.default)),
        );
        return None;
    }
    Some(Edge {
        from: NodeIdx(from as u32),
        output,
        to: NodeIdx(to as u32),
        input,
        closes_cycle: false,
        span: connection.span,
    })
}

fn find_node(
    end: &PortRef,
    index: &HashMap<&str, usize>,
    patch: &Patch,
    problems: &mut Diagnostics,
) -> Option<usize> {
    let found = index.get(end.node.text.as_str()).copied();
    if found.is_none() {
        let ids: Vec<&str> = patch
            .nodes
            .iter()
            .map(|node| node.id.text.as_str())
            .collect();
        push_capped(
            problems,
            Diagnostic::new(
                Code::UnknownNode,
                end.node.span,
                format!("connection names unknown node `{}`", end.node.text),
            )
            .with_label("no node has this id")
            .with_hint(suggest::hint_for(&end.node.text, &ids)),
        );
    }
    found
}

/// The output `end` names on `node`, whose module has a group of outputs named by its text
/// (declared by `text`), which gives them `names` (`None`: the text is wrong, and reported):
/// one of its other outputs, else the group's output at the name's place among `names`.
fn named_output(
    end: &PortRef,
    node: &GraphNode,
    text: &TextSpec,
    names: Option<&[String]>,
    problems: &mut Diagnostics,
) -> Option<usize> {
    let spec = node.spec;
    let wanted = end.port.text.as_str();
    if let Some(output) = spec
        .output(wanted)
        .filter(|&output| !text.in_group(spec.outputs[output].name))
    {
        return Some(output);
    }
    // A wrong text was reported; its names are unknown, so this is not another mistake.
    let names = names?;
    if let Some(output) = names
        .iter()
        .position(|name| name == wanted)
        .and_then(|name| text.output_of(spec.outputs, name))
    {
        return Some(output);
    }
    let fixed: Vec<&str> = spec
        .outputs
        .iter()
        .map(|output| output.name)
        .filter(|&name| !text.in_group(name))
        .collect();
    let candidates: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .chain(fixed.iter().copied())
        .collect();
    let input = spec
        .naming_input()
        .map_or("", |(input, _)| spec.inputs[input].name);
    let hint = match suggest::closest(wanted, candidates.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None if names.is_empty() => format!(
            "its `{input}` names no outputs; its other outputs are {}",
            listed(&fixed)
        ),
        None => format!(
            "its `{input}` names {}; its other outputs are {}",
            listed(&names.iter().map(String::as_str).collect::<Vec<_>>()),
            listed(&fixed)
        ),
    };
    push_capped(
        problems,
        Diagnostic::new(
            Code::Text,
            end.port.span,
            format!(
                "unknown output port `{wanted}` on node `{}` (module `{}`)",
                node.id, spec.name
            ),
        )
        .with_label(format!("neither an output nor a name its `{input}` gives"))
        .with_hint(hint),
    );
    None
}

/// `` `a`, `b` `` (at most twelve, then how many more), or "none".
fn listed(names: &[&str]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(12)
        .map(|name| format!("`{name}`"))
        .collect();
    match (shown.is_empty(), names.len().saturating_sub(12)) {
        (true, _) => "none".to_owned(),
        (false, 0) => shown.join(", "),
        (false, more) => format!("{} and {more} more", shown.join(", ")),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Input,
    Output,
}

fn find_port(
    end: &PortRef,
    node: &GraphNode,
    direction: Direction,
    problems: &mut Diagnostics,
) -> Option<usize> {
    let found = match direction {
        Direction::Output => node.spec.output(&end.port.text),
        Direction::Input => node.spec.input(&end.port.text),
    };
    // A port still empty is one `shorthand::resolve` could not name, and reported.
    if found.is_none() && !end.port.text.is_empty() {
        unknown_port(end, node, direction, problems);
    }
    found
}

/// Reports a port that `node`'s module does not have in `direction`.
fn unknown_port(end: &PortRef, node: &GraphNode, direction: Direction, problems: &mut Diagnostics) {
    let (names, kind, other_kind, other): (Vec<&str>, _, _, bool) = match direction {
        Direction::Output => (
            node.spec.outputs.iter().map(|port| port.name).collect(),
            "output",
            "input",
            node.spec.input(&end.port.text).is_some(),
        ),
        Direction::Input => (
            node.spec.inputs.iter().map(|port| port.name).collect(),
            "input",
            "output",
            node.spec.output(&end.port.text).is_some(),
        ),
    };
    let hint = if names.is_empty() {
        format!("module `{}` has no {kind} ports", node.spec.name)
    } else if other {
        format!(
            "`{}` is an {other_kind}; {}",
            end.port.text,
            suggest::one_of(names.iter().copied())
        )
    } else {
        suggest::hint_for(&end.port.text, &names)
    };
    push_capped(
        problems,
        Diagnostic::new(
            Code::UnknownPort,
            end.port.span,
            format!(
                "unknown {kind} port `{}` on node `{}` (module `{}`)",
                end.port.text, node.id, node.spec.name
            ),
        )
        .with_label(format!("no {kind} has this name"))
        .with_hint(hint),
    );
}

/// The patch has no node of an output module: the hint names the catalog's output module and
/// its input that feeds every channel.
fn no_output(patch: &Patch, catalog: &Catalog) -> Diagnostic {
    let span = match (patch.nodes.first(), patch.nodes.last()) {
        (Some(first), Some(last)) => first.span.to(last.span),
        _ => Span::NONE,
    };
    let output = catalog
        .modules()
        .iter()
        .find(|spec| spec.role == Role::Output);
    let diagnostic = Diagnostic::new(Code::NoOutput, span, "the patch has no output");
    let Some(output) = output else {
        return diagnostic
            .with_label("none of these nodes is an output")
            .with_hint("this catalog has no output module to add");
    };
    let every_channel = catalog
        .feeds(output.name)
        .find(|&(_, channel)| channel.is_none())
        .map_or_else(
            || "to it".to_owned(),
            |(input, _)| format!("to its `{}`", output.inputs[input].name),
        );
    diagnostic
        .with_label(format!("none of these nodes is an `{}`", output.name))
        .with_hint(format!(
            "add a node `(out (type \"{}\"))` and connect a signal {every_channel}",
            output.name
        ))
}
