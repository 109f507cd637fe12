//! Note streams into a voice template: a connection into its `notes` port or one of its lanes
//! becomes connections into every voice's note slot, and the mistakes only streams can make.

use super::{Expansion, listed, rename, slot_id, template};
use crate::catalog::Catalog;
use crate::diagnostic::{Code, Diagnostic, Diagnostics, push_capped};
use crate::notes;
use crate::patch::{Connection, Node, Patch, PortRef};

impl Expansion<'_, '_> {
    /// A connection of the patch into the template's `notes` port or one of its lanes, as
    /// connections into every voice's note slot: the whole stream lane by lane, or the one
    /// signal. A `notes` port fed by anything but a node's note stream is reported.
    pub(super) fn stream(
        &self,
        connection: &Connection,
        connections: &mut Vec<Connection>,
        problems: &mut Diagnostics,
    ) {
        if self.catalog.note_slot().is_none() {
            push_capped(
                problems,
                Diagnostic::new(
                    Code::Notes,
                    connection.to.port.span,
                    format!(
                        "voice template `{}` takes notes but the catalog has no note slot",
                        self.template.name.text
                    ),
                )
                .with_label("no module of the catalog allocates notes to voices")
                .with_hint("expand templates with a catalog that has a note slot module"),
            );
            return;
        }
        let from = &connection.from;
        let whole = connection.to.port.text == notes::STREAM;
        if whole && !self.emits_notes(from) {
            push_capped(problems, self.not_a_stream(connection));
            return;
        }
        let ports: Vec<&str> = if whole {
            notes::LANE_PORTS.iter().flatten().copied().collect()
        } else {
            vec![connection.to.port.text.as_str()]
        };
        let name = &self.template.name.text;
        for voice in 0..self.voices {
            for &port in &ports {
                let out = if whole { port } else { from.port.text.as_str() };
                connections.push(Connection {
                    from: rename(from, from.node.text.clone(), out),
                    to: rename(&connection.to, slot_id(name, voice), port),
                    span: connection.span,
                });
            }
        }
    }

    /// Whether `from` is a node of the patch whose `notes` output is a note stream: its module
    /// has every lane's output. An unknown node or module is reported by the validator.
    fn emits_notes(&self, from: &PortRef) -> bool {
        if from.port.text != notes::STREAM {
            return false;
        }
        let Some(spec) = self
            .patch
            .node(&from.node.text)
            .and_then(|node| self.catalog.get(&node.module.text))
        else {
            return self.patch.node(&from.node.text).is_some()
                || template(self.patch, &from.node.text).is_none();
        };
        notes::LANE_PORTS
            .iter()
            .flatten()
            .all(|port| spec.output(port).is_some())
    }

    /// A `notes` port fed by something that is not a note stream.
    fn not_a_stream(&self, connection: &Connection) -> Diagnostic {
        let from = &connection.from;
        Diagnostic::new(
            Code::Notes,
            from.port.span,
            format!(
                "output `{}` of `{}` is not a note stream, which the `{}` port of voice \
                 template `{}` takes",
                from.port.text,
                from.node.text,
                notes::STREAM,
                self.template.name.text
            ),
        )
        .with_label("not a note stream")
        .with_secondary(connection.to.port.span, "takes a note stream")
        .with_hint(format!(
            "connect the `{}` output of a module that emits notes, or drive one lane, e.g. \
             `({} \"{}\" -> {} \"{}\")`",
            notes::STREAM,
            from.node.text,
            from.port.text,
            self.template.name.text,
            notes::lane_port(0, notes::Signal::Gate)
        ))
    }

    /// A connection into a template input that the template's note slots play.
    pub(super) fn played_by_notes(&self, to: &PortRef) -> Diagnostic {
        Diagnostic::new(
            Code::Notes,
            to.port.span,
            format!(
                "input `{}` of voice template `{}` is played by its note stream",
                to.port.text, self.template.name.text
            ),
        )
        .with_label("a note stream already drives this input in every voice")
        .with_hint(format!(
            "drive the notes instead, or give the template another input for this signal; \
             the note stream drives {}",
            listed(notes::SLOT_OUTPUTS.iter().copied())
        ))
    }
}

/// Whether `connection` carries a whole note stream into a module (not a template) that
/// takes one lane by lane: from a node's `notes` output whose module emits every lane, into
/// the `notes` port of a node whose module has every lane's input (a sink, `midi.out`).
fn into_module(nodes: &[Node], catalog: &Catalog, connection: &Connection) -> bool {
    let module = |id: &str| {
        let node = nodes.iter().find(|node| node.id.text == id)?;
        catalog.get(&node.module.text)
    };
    let lanes = notes::LANE_PORTS.iter().flatten();
    connection.from.port.text == notes::STREAM
        && connection.to.port.text == notes::STREAM
        && module(&connection.to.node.text).is_some_and(|spec| {
            spec.input(notes::STREAM).is_none() && lanes.clone().all(|p| spec.input(p).is_some())
        })
        && module(&connection.from.node.text)
            .is_some_and(|spec| lanes.clone().all(|p| spec.output(p).is_some()))
}

/// Whether the patch connects a whole note stream into a module (see [`spread_into_modules`]).
pub(super) fn streams_into_modules(patch: &Patch, catalog: &Catalog) -> bool {
    patch
        .connections
        .iter()
        .any(|c| into_module(&patch.nodes, catalog, c))
}

/// Replaces each connection of a whole note stream into a module by one connection per
/// lane signal, `notesL.pitch` to `notesL.pitch` and `notesL.gate` to `notesL.gate`.
pub(super) fn spread_into_modules(patch: &mut Patch, catalog: &Catalog) {
    let connections = std::mem::take(&mut patch.connections);
    for connection in connections {
        if !into_module(&patch.nodes, catalog, &connection) {
            patch.connections.push(connection);
            continue;
        }
        for &port in notes::LANE_PORTS.iter().flatten() {
            patch.connections.push(Connection {
                from: rename(&connection.from, connection.from.node.text.clone(), port),
                to: rename(&connection.to, connection.to.node.text.clone(), port),
                span: connection.span,
            });
        }
    }
}
