//! Tails that ring out: which removed nodes ring, how the transition readies them, and the
//! ghost graph they ring on in.

use patchvm_compiler::ghost::{ghost, ringing};
use patchvm_compiler::{Origin, transition_with_tails};
use patchvm_ir::{Graph, ModuleSpec, NodeIdx};

use crate::transition::{catalog, graph};

/// Node ids of `graph` that `ring` marks.
fn rung(graph: &Graph, ring: &[bool]) -> Vec<String> {
    graph
        .nodes
        .iter()
        .zip(ring)
        .filter(|&(_, &ring)| ring)
        .map(|(node, _)| node.id.to_string())
        .collect()
}

/// A stand-in for the engine's state families: a filter carries its state into a delay.
fn filter_into_delay(old: &ModuleSpec, new: &ModuleSpec) -> bool {
    (old.name, new.name) == ("filter.lowpass", "delay")
}

/// No module carries another's state.
fn none(_: &ModuleSpec, _: &ModuleSpec) -> bool {
    false
}

fn ring(old: &str, new: &str) -> Vec<String> {
    let old = graph(old);
    rung(&old, &ringing(&old, &graph(new), catalog(), &none))
}

const OSC_LP_OUT: &str = r#"(patch (nodes (osc (type "osc.sine")) (lp (type "filter.lowpass"))
    (out (type "output"))) (connections (osc "out" -> lp "in") (lp "out" -> out "in")))"#;

const OSC_OUT: &str = r#"(patch (nodes (osc (type "osc.sine")) (out (type "output")))
    (connections (osc "out" -> out "in")))"#;

#[test]
fn a_removed_effect_rings_a_source_or_a_lone_stateless_node_does_not() {
    assert_eq!(ring(OSC_LP_OUT, OSC_OUT), ["lp"]);
    // A gain taken out of the path has no tail of its own.
    let through_gain = OSC_LP_OUT.replace("filter.lowpass", "gain");
    assert!(ring(&through_gain, OSC_OUT).is_empty());
    // An oscillator whose frequency a connection moves is still a source.
    let modulated = r#"(patch (nodes (lfo (type "osc.sine")) (osc (type "osc.sine"))
        (out (type "output"))) (connections (lfo "out" -> osc "freq") (osc "out" -> out "in")))"#;
    let lfo_only = r#"(patch (nodes (lfo (type "osc.sine")) (out (type "output")))
        (connections (lfo "out" -> out "in")))"#;
    assert!(ring(modulated, lfo_only).is_empty());
    // A node whose module changed to one that takes its state over does not ring too; to
    // one that does not, its old side rings.
    let delayed = OSC_LP_OUT.replace(r#"(lp (type "filter.lowpass"))"#, r#"(lp (type "delay"))"#);
    assert_eq!(ring(OSC_LP_OUT, &delayed), ["lp"]);
    let (old, new) = (graph(OSC_LP_OUT), graph(&delayed));
    let carried = ringing(&old, &new, catalog(), &filter_into_delay);
    assert!(rung(&old, &carried).is_empty());
}

#[test]
fn a_stateless_node_after_a_ringing_one_carries_its_tail_and_a_survivor_stops_it() {
    let chain = r#"(patch (nodes (osc (type "osc.sine")) (lp (type "filter.lowpass"))
        (g (type "gain")) (out (type "output")))
        (connections (osc "out" -> lp "in") (lp "out" -> g "in") (g "out" -> out "in")))"#;
    assert_eq!(ring(chain, OSC_OUT), ["lp", "g"]);
    // The gain survives: the filter's tail would need it to run twice, so nothing rings.
    let kept_gain = r#"(patch (nodes (osc (type "osc.sine")) (g (type "gain"))
        (out (type "output"))) (connections (osc "out" -> g "in") (g "out" -> out "in")))"#;
    assert!(ring(chain, kept_gain).is_empty());
}

#[test]
fn the_transition_fades_a_ringing_node_s_input_and_leaves_its_output_unfaded() {
    let (old, new) = (graph(OSC_LP_OUT), graph(OSC_OUT));
    let joined = transition_with_tails(&old, &new, catalog(), 0.02, Some(&none))
        .unwrap()
        .expect("the graphs differ");
    let g = &joined.graph;
    let at = |id: &str| NodeIdx(g.nodes.iter().position(|n| n.id.as_str() == id).unwrap() as u32);
    let (lp, out) = (at("lp"), at("out"));
    assert_eq!(joined.origins[lp.index()], Origin::Removed(NodeIdx(1)));
    // The filter's `in` is fed by a fade from the oscillator to nothing (its value, 0).
    let into_lp: Vec<_> = g.edges_into(lp, 0).collect();
    assert_eq!(into_lp.len(), 1);
    let fade = into_lp[0].from;
    assert_eq!(g.nodes[fade.index()].id.as_str(), "lp/edit.in");
    assert_eq!(g.edges_into(fade, 1).count(), 0, "faded to nothing");
    assert_eq!(g.nodes[fade.index()].values[1], 0.0);
    // The output takes the filter directly, and fades from nothing else to the oscillator.
    let sources: Vec<String> = g
        .edges_into(out, 0)
        .map(|edge| g.nodes[edge.from.index()].id.to_string())
        .collect();
    let mut sorted = sources.clone();
    sorted.sort();
    assert_eq!(sorted, ["lp", "out/edit.in"], "{sources:?}");

    let ghost = ghost(&old, &new, &joined.ring)
        .unwrap()
        .expect("the filter rings");
    let ids: Vec<&str> = ghost.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["lp", "out"]);
    let edges: Vec<(u32, u32)> = ghost.edges.iter().map(|e| (e.from.0, e.to.0)).collect();
    assert_eq!(
        edges,
        [(0, 1)],
        "the filter into the output, nothing into the filter"
    );
    // Without tails the same edit fades the filter out at the output, as before.
    let plain = transition_with_tails(&old, &new, catalog(), 0.02, None)
        .unwrap()
        .unwrap();
    assert!(plain.ring.iter().all(|&ring| !ring));
    assert_eq!(ghost_of(&old, &new, &plain.ring), None);
}

fn ghost_of(old: &Graph, new: &Graph, ring: &[bool]) -> Option<usize> {
    ghost(old, new, ring)
        .unwrap()
        .map(|graph| graph.nodes.len())
}

#[test]
fn the_old_side_of_a_changed_module_rings_under_its_transition_id_beside_the_new_side() {
    let (old, new) = (
        graph(OSC_LP_OUT),
        graph(&OSC_LP_OUT.replace(r#"(lp (type "filter.lowpass"))"#, r#"(lp (type "delay"))"#)),
    );
    let joined = transition_with_tails(&old, &new, catalog(), 0.02, Some(&none))
        .unwrap()
        .expect("the graphs differ");
    let g = &joined.graph;
    let at = |id: &str| g.nodes.iter().position(|n| n.id.as_str() == id).unwrap();
    assert_eq!(joined.origins[at("lp/edit")], Origin::Removed(NodeIdx(1)));
    assert_eq!(g.nodes[at("lp/edit")].spec.name, "filter.lowpass");
    assert_eq!(g.nodes[at("lp")].spec.name, "delay");
    // The old side feeds the output unfaded; the new side fades in.
    let sources: Vec<&str> = g
        .edges_into(NodeIdx(at("out") as u32), 0)
        .map(|edge| g.nodes[edge.from.index()].id.as_str())
        .collect();
    assert!(sources.contains(&"lp/edit"), "{sources:?}");
    assert!(!sources.contains(&"lp"), "{sources:?}");
    let ghost = ghost(&old, &new, &joined.ring).unwrap().expect("it rings");
    let ids: Vec<&str> = ghost.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(
        ids,
        ["lp/edit", "out"],
        "the transition's kernel, by its id there"
    );
    assert_eq!(ghost.nodes[0].spec.name, "filter.lowpass");
}
