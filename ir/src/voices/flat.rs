//! A checked template's part of the flat patch: its nodes and its own connections.

use super::{BusNames, Expansion, copy_id, port_id, rename, slot_id, slot_input};
use crate::catalog::NoteSlot;
use crate::midi::DEFAULT_TUNING_HZ;
use crate::patch::{Connection, Name, Node, Param, PortRef, TemplatePort, Value, ValueKind};

impl Expansion<'_, '_> {
    /// The template's nodes in the flat patch: the shared input nodes, the note slots, the
    /// copies node by node, the summing nodes.
    pub(super) fn nodes(&self, bus: BusNames, nodes: &mut Vec<Node>) {
        let template = self.template;
        let name = &template.name.text;
        for port in &self.inputs {
            if slot_input(self.driven, &port.name.text) {
                continue;
            }
            nodes.push(Node {
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
                        kind: ValueKind::Number(self.input_value(port)),
                        span: port.span,
                        escapes: Vec::new(),
                    },
                }],
                span: port.span,
            });
        }
        if let Some(slot) = self.catalog.note_slot().filter(|_| self.driven) {
            let tuning = self
                .patch
                .midi
                .tuning
                .map_or(DEFAULT_TUNING_HZ, |t| t.value);
            for voice in 0..self.voices {
                let settings = [voice as f64, self.voices as f64, tuning];
                let params = NoteSlot::SETTINGS.iter().zip(settings);
                nodes.push(Node {
                    id: Name {
                        text: slot_id(name, voice),
                        span: template.name.span,
                    },
                    module: Name {
                        text: slot.name.to_owned(),
                        span: template.name.span,
                    },
                    params: params
                        .map(|(setting, value)| Param {
                            name: Name::new(*setting),
                            value: Value {
                                kind: ValueKind::Number(value),
                                span: template.name.span,
                                escapes: Vec::new(),
                            },
                        })
                        .collect(),
                    span: template.span,
                });
            }
        }
        for node in &template.nodes {
            for voice in 0..self.voices {
                nodes.push(Node {
                    id: Name {
                        text: copy_id(name, voice, &node.id.text),
                        span: node.id.span,
                    },
                    ..node.clone()
                });
            }
        }
        for port in &self.outputs {
            nodes.push(bus_node(name, port, bus.module));
        }
    }

    /// The template's own connections in the flat patch: its inputs to every voice (from the
    /// shared node, or from each voice's note slot), its connections voice by voice, and every
    /// voice into the sums.
    pub(super) fn connections(&self, bus: BusNames, connections: &mut Vec<Connection>) {
        let template = self.template;
        let name = &template.name.text;
        for port in &self.inputs {
            let slot = slot_input(self.driven, &port.name.text);
            if slot && self.catalog.note_slot().is_none() {
                continue;
            }
            for voice in 0..self.voices {
                let (node, output) = if slot {
                    (slot_id(name, voice), port.name.text.as_str())
                } else {
                    (port_id(name, &port.name.text), bus.output)
                };
                let from = PortRef {
                    node: Name {
                        text: node,
                        span: port.name.span,
                    },
                    port: Name {
                        text: output.to_owned(),
                        span: port.span,
                    },
                };
                let to = rename(
                    &port.target,
                    copy_id(name, voice, &port.target.node.text),
                    &port.target.port.text,
                );
                connections.push(Connection {
                    from,
                    to,
                    span: port.span,
                });
            }
        }
        for connection in &template.connections {
            for voice in 0..self.voices {
                let from = &connection.from;
                let to = &connection.to;
                connections.push(Connection {
                    from: rename(from, copy_id(name, voice, &from.node.text), &from.port.text),
                    to: rename(to, copy_id(name, voice, &to.node.text), &to.port.text),
                    span: connection.span,
                });
            }
        }
        for port in &self.outputs {
            for voice in 0..self.voices {
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
                connections.push(Connection {
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
