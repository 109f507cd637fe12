//! A patch with timelines but no `timeline` node plays every timeline to its output: each
//! timeline gets an implicit `timeline` node (id `timeline_NAME`, `_` appended until unused)
//! whose `left` and `right` are connected to the `left` and `right` of the patch's `output`
//! node (one named `out` is added if it has none). Several connections into one input are
//! summed, so the timelines are mixed at unity gain.

use crate::patch::{Connection, Name, Node, Param, Patch, PortRef, Value, ValueKind};
use crate::span::Span;

/// The module that plays one timeline.
const TIMELINE: &str = "timeline";
/// The module of the patch's audio output.
const OUTPUT: &str = "output";

/// Adds the implicit `timeline` nodes to `patch` if it has timelines and no `timeline` node;
/// returns whether it did.
pub fn play_implicitly(patch: &mut Patch) -> bool {
    if patch.timelines.is_empty() || patch.nodes.iter().any(|node| node.module.text == TIMELINE) {
        return false;
    }
    let output = match patch.nodes.iter().find(|node| node.module.text == OUTPUT) {
        Some(node) => node.id.text.clone(),
        None => {
            let id = unused(patch, "out");
            patch.nodes.push(node(&id, OUTPUT, Vec::new()));
            id
        }
    };
    let names: Vec<String> = patch
        .timelines
        .iter()
        .map(|t| t.name.text.clone())
        .collect();
    for name in names {
        let id = unused(patch, &format!("timeline_{name}"));
        let param = Param {
            name: Name::new("name"),
            value: Value {
                kind: ValueKind::Text(name),
                span: Span::NONE,
                escapes: Vec::new(),
            },
        };
        patch.nodes.push(node(&id, TIMELINE, vec![param]));
        for side in ["left", "right"] {
            patch.connections.push(Connection {
                from: port(&id, side),
                to: port(&output, side),
                span: Span::NONE,
            });
        }
    }
    true
}

fn node(id: &str, module: &str, params: Vec<Param>) -> Node {
    Node {
        id: Name::new(id),
        module: Name::new(module),
        params,
        span: Span::NONE,
    }
}

fn port(node: &str, port: &str) -> PortRef {
    PortRef {
        node: Name::new(node),
        port: Name::new(port),
    }
}

/// `id`, with `_` appended until no node of `patch` has it.
fn unused(patch: &Patch, id: &str) -> String {
    let mut id = id.to_owned();
    while patch.nodes.iter().any(|node| node.id.text == id) {
        id.push('_');
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timelines::Timeline;

    fn ids(patch: &Patch) -> Vec<&str> {
        patch
            .nodes
            .iter()
            .map(|node| node.id.text.as_str())
            .collect()
    }

    #[test]
    fn every_timeline_gets_a_node_summed_into_the_output() {
        let mut patch = Patch {
            timelines: vec![Timeline::new("a", 120.0), Timeline::new("b", 90.0)],
            nodes: vec![node("timeline_a", "osc.sine", Vec::new())],
            ..Patch::default()
        };
        assert!(play_implicitly(&mut patch));
        assert_eq!(
            ids(&patch),
            ["timeline_a", "out", "timeline_a_", "timeline_b"]
        );
        let wires: Vec<(&str, &str, &str)> = patch
            .connections
            .iter()
            .map(|c| {
                (
                    c.from.node.text.as_str(),
                    c.from.port.text.as_str(),
                    c.to.node.text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            wires,
            [
                ("timeline_a_", "left", "out"),
                ("timeline_a_", "right", "out"),
                ("timeline_b", "left", "out"),
                ("timeline_b", "right", "out"),
            ]
        );
        // A second time, `timeline` nodes exist: nothing more.
        assert!(!play_implicitly(&mut patch));
        assert_eq!(patch.nodes.len(), 4);
    }

    #[test]
    fn a_patch_without_timelines_or_with_a_timeline_node_is_left_alone() {
        let mut empty = Patch::default();
        assert!(!play_implicitly(&mut empty));
        assert!(empty.nodes.is_empty());
        let mut played = Patch {
            timelines: vec![Timeline::new("a", 120.0)],
            nodes: vec![node("p", TIMELINE, Vec::new())],
            ..Patch::default()
        };
        assert!(!play_implicitly(&mut played));
        assert_eq!(ids(&played), ["p"]);
    }
}
