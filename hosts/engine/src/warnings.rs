//! Warnings: what a valid patch probably does not mean, said without refusing it.
//!
//! [`warnings`] reads a patch's structure: nodes whose signal is never heard (`W0101`), a value
//! written on an input that a connection drives, which the running kernel ignores (`W0102`),
//! and the same connection written twice (`W0103`). [`listen`] renders a prepared patch's
//! first second and warns when its output peaks above 0 dBFS (`W0104`). Each warning is an
//! ordinary [`Diagnostic`] whose code's severity is a warning, rendered and sent like an error
//! but never stopping a patch from playing.
//!
//! A driven input's value stays ignored rather than becoming the base the signal is added to:
//! that would change the sound of every patch already written, and where a kernel does read a
//! driven input's value (a delay's longest time) it is not ignored, so it is not warned about.

use crate::pipeline::Prepared;
use patchvm_ir::{
    Catalog, Code, Connection, Diagnostic, Diagnostics, Node, Part, Patch, Span, shorthand,
};
use patchvm_modules::{catalog, rebuilt_by};
use std::collections::HashMap;
use std::collections::HashSet;

/// The warnings of `patch`'s structure, in the order of the nodes and connections they name.
/// Made for a patch that validates; names it cannot resolve are passed over, never panicked on.
pub fn warnings(patch: &Patch) -> Diagnostics {
    let catalog = catalog();
    let (patch, _) = shorthand::resolved(patch, catalog);
    let mut found = Diagnostics::new();
    let templates: Vec<Level> = patch
        .voices
        .iter()
        .map(|template| Level {
            nodes: &template.nodes,
            connections: &template.connections,
            heard: template
                .outputs
                .iter()
                .map(|port| port.target.node.text.as_str())
                .collect(),
            templates: HashMap::new(),
        })
        .collect();
    let top = Level {
        nodes: &patch.nodes,
        connections: &patch.connections,
        heard: HashSet::new(),
        templates: patch
            .voices
            .iter()
            .map(|template| (template.name.text.as_str(), template.outputs.is_empty()))
            .collect(),
    };
    for level in std::iter::once(&top).chain(&templates) {
        level.unheard(catalog, &mut found);
        level.driven_values(catalog, &mut found);
        level.duplicates(&mut found);
    }
    found
}

/// The `W0104` warning when `prepared`'s output peaks above 0 dBFS in its first second
/// (rendered at its settings, silent input), at its first output node; `None` when it stays
/// at or below full scale. The errors are those of building its kernels.
pub fn listen(prepared: Prepared) -> Result<Option<Diagnostic>, Diagnostics> {
    let frames = prepared.settings().sample_rate.round() as usize;
    let output = prepared
        .patch()
        .nodes
        .iter()
        .find(|node| matches!(catalog().part(&node.module.text), Some(Part::Output(_))))
        .map_or(Span::NONE, name_span);
    let mut instance = prepared.instantiate()?;
    let channels = instance.channels().max(1);
    let mut buffer = vec![0.0f32; 64 * channels];
    let mut peak = (0.0f32, 0usize);
    let mut done = 0;
    while done < frames {
        let block = (frames - done).min(64);
        let out = &mut buffer[..block * channels];
        instance.process_interleaved(out, 64);
        for (index, sample) in out.iter().enumerate() {
            if sample.abs() > peak.0 || sample.is_nan() {
                peak = (sample.abs(), done + index / channels);
            }
        }
        done += block;
    }
    if peak.0 <= 1.0 && !peak.0.is_nan() {
        return Ok(None);
    }
    let db = 20.0 * f64::from(peak.0).log10();
    Ok(Some(
        Diagnostic::new(
            Code::Clipping,
            output,
            format!(
                "the output peaks at {db:+.1} dBFS (sample {}), above 0 dBFS, in its first second",
                peak.1
            ),
        )
        .with_label("clips here")
        .with_hint(format!(
            "lower the level before the output by at least {:.1} dB, e.g. with a `gain` node",
            db.max(0.0)
        )),
    ))
}

/// One level of a patch: its top level, or one voice template's inside.
struct Level<'p> {
    nodes: &'p [Node],
    connections: &'p [Connection],
    /// Nodes heard from outside the level: a template's nodes that its outputs name.
    heard: HashSet<&'p str>,
    /// The voice templates the top level connects like nodes, each with whether it has no
    /// outputs (then it is heard as a sink is: its own inside is checked on its level).
    templates: HashMap<&'p str, bool>,
}

impl Level<'_> {
    /// `W0101`: one warning per chain of nodes whose signal is never heard, at the node the
    /// chain ends in, its other nodes as secondary labels.
    fn unheard(&self, catalog: &Catalog, found: &mut Diagnostics) {
        let position: HashMap<&str, usize> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(index, node)| (node.id.text.as_str(), index))
            .collect();
        let mut heard: Vec<bool> = self
            .nodes
            .iter()
            .map(|node| {
                let module = node.module.text.as_str();
                self.heard.contains(node.id.text.as_str())
                    || catalog.is_voice(module)
                    || catalog
                        .get(module)
                        .is_none_or(|spec| spec.outputs.is_empty())
            })
            .collect();
        let template_heard = |name: &str| self.templates.get(name).copied();
        // Walk back from the heard nodes along connections until nothing changes: a patch is
        // small, and each pass settles at least one node.
        loop {
            let mut changed = false;
            for connection in self.connections {
                let from = position.get(connection.from.node.text.as_str());
                let to_heard = match position.get(connection.to.node.text.as_str()) {
                    Some(&to) => heard[to],
                    None => template_heard(&connection.to.node.text).is_some(),
                };
                if let Some(&from) = from
                    && to_heard
                    && !heard[from]
                {
                    heard[from] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let feeds_unheard = |index: usize| {
            self.connections.iter().any(|connection| {
                connection.from.node.text == self.nodes[index].id.text
                    && position
                        .get(connection.to.node.text.as_str())
                        .is_some_and(|&to| !heard[to] && to != index)
            })
        };
        let mut reported = vec![false; self.nodes.len()];
        let ends: Vec<usize> = (0..self.nodes.len())
            .filter(|&index| !heard[index] && !feeds_unheard(index))
            .collect();
        for end in ends {
            let chain = self.upstream(end, &position, &heard);
            for &index in &chain {
                reported[index] = true;
            }
            found.push(self.unheard_warning(end, &chain));
        }
        // What is left is a closed loop of unheard nodes: each is named on its own.
        for index in 0..self.nodes.len() {
            if !heard[index] && !reported[index] {
                found.push(self.unheard_warning(index, &[index]));
            }
        }
    }

    /// `end` and the unheard nodes feeding it, `end` first, then in patch order.
    fn upstream(&self, end: usize, position: &HashMap<&str, usize>, heard: &[bool]) -> Vec<usize> {
        let mut chain = vec![end];
        let mut next = 0;
        while next < chain.len() {
            let id = &self.nodes[chain[next]].id.text;
            for connection in self.connections.iter().filter(|c| &c.to.node.text == id) {
                if let Some(&from) = position.get(connection.from.node.text.as_str())
                    && !heard[from]
                    && !chain.contains(&from)
                {
                    chain.push(from);
                }
            }
            next += 1;
        }
        chain[1..].sort_unstable();
        chain
    }

    fn unheard_warning(&self, end: usize, chain: &[usize]) -> Diagnostic {
        let id = &self.nodes[end].id.text;
        let message = match chain.len() {
            1 => format!("node `{id}` reaches no output: its signal is never heard"),
            n => format!(
                "node `{id}` and the {} feeding it reach no output: their signal is never heard",
                if n == 2 {
                    "node".to_string()
                } else {
                    format!("{} nodes", n - 1)
                }
            ),
        };
        let mut warning = Diagnostic::new(Code::Unheard, name_span(&self.nodes[end]), message)
            .with_label("leads nowhere")
            .with_hint(format!(
                "connect `{id}` to an `output` node, a sink or a node that is heard, or remove it"
            ));
        for &index in &chain[1..] {
            let node = &self.nodes[index];
            warning = warning.with_secondary(name_span(node), format!("feeds `{id}`"));
        }
        warning
    }

    /// `W0102`: a value written on an input a connection drives, unless its kernel reads the
    /// value when built (a delay's longest time), at the value, the connection as secondary.
    fn driven_values(&self, catalog: &Catalog, found: &mut Diagnostics) {
        for node in self.nodes {
            let Some(spec) = catalog.get(&node.module.text) else {
                continue;
            };
            for param in &node.params {
                let Some(input) = spec.input(&param.name.text) else {
                    continue;
                };
                if rebuilt_by(spec, input) {
                    continue;
                }
                let driving = self.connections.iter().find(|connection| {
                    connection.to.node.text == node.id.text
                        && connection.to.port.text == param.name.text
                });
                if let Some(connection) = driving {
                    let port = format!("{}.{}", node.id.text, param.name.text);
                    found.push(
                        Diagnostic::new(
                            Code::DrivenValue,
                            param.value.span,
                            format!("the value on `{port}` is ignored: a connection drives it"),
                        )
                        .with_label("ignored")
                        .with_secondary(connection.span, format!("drives `{port}`"))
                        .with_hint(format!(
                            "remove the value, or add it to the signal before `{port}` (a \
                             `math.add` node) if it was meant as an offset"
                        )),
                    );
                }
            }
        }
    }

    /// `W0103`: a connection written again, at the second, the first as secondary.
    fn duplicates(&self, found: &mut Diagnostics) {
        let mut seen: HashMap<(&str, &str, &str, &str), Span> = HashMap::new();
        for connection in self.connections {
            let key = (
                connection.from.node.text.as_str(),
                connection.from.port.text.as_str(),
                connection.to.node.text.as_str(),
                connection.to.port.text.as_str(),
            );
            if let Some(&first) = seen.get(&key) {
                let (from, to) = (
                    format!("{}.{}", key.0, key.1),
                    format!("{}.{}", key.2, key.3),
                );
                found.push(
                    Diagnostic::new(
                        Code::DuplicateConnection,
                        connection.span,
                        format!("`{from}` is connected to `{to}` twice"),
                    )
                    .with_label("again")
                    .with_secondary(first, "first here")
                    .with_hint(
                        "remove one: connections into one input are summed, so this doubles \
                         the signal",
                    ),
                );
            } else {
                seen.insert(key, connection.span);
            }
        }
    }
}

/// Where a node is named: its id, else the whole node.
fn name_span(node: &Node) -> Span {
    if node.id.span.is_none() {
        node.span
    } else {
        node.id.span
    }
}

#[cfg(test)]
mod tests;
