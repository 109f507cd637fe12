//! The one-block transition between two graphs: its shape, that it always orders, and that it
//! lowers.

use patchvm_compiler::{CompileOptions, Origin, Transition, compile_graph, transition};
use patchvm_ir::{
    Catalog, Feed, Format, Graph, InputSpec, Limits, ModuleSpec, NodeIdx, OutputSpec, Part, Patch,
    Role, Unit, validate,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use crate::common::input;

const OUT: &[OutputSpec] = &[OutputSpec {
    name: "out",
    doc: "",
    unit: Unit::Signal,
}];

const fn kernel(name: &'static str, inputs: &'static [InputSpec]) -> ModuleSpec {
    ModuleSpec {
        name,
        doc: "",
        inputs,
        outputs: OUT,
        role: Role::Kernel,
    }
}

/// Modules shaped like the real ones (which this crate must not depend on): a stateful
/// oscillator and filter, a stateless gain, a delay that breaks cycles, and `edit.fade`.
const SPECS: [ModuleSpec; 6] = [
    kernel("osc.sine", &[input("freq", 440.0, false)]),
    kernel(
        "filter.lowpass",
        &[input("in", 0.0, false), input("cutoff", 1000.0, false)],
    ),
    kernel("gain", &[input("in", 0.0, false), input("amp", 1.0, false)]),
    kernel(
        "delay",
        &[input("in", 0.0, true), input("time", 0.5, false)],
    ),
    kernel(
        "edit.fade",
        &[
            input("from", 0.0, false),
            input("to", 0.0, false),
            input("time", 0.02, false),
        ],
    ),
    ModuleSpec {
        name: "output",
        doc: "",
        inputs: &[
            input("in", 0.0, false),
            input("left", 0.0, false),
            input("right", 0.0, false),
        ],
        outputs: &[],
        role: Role::Output,
    },
];

pub(crate) fn catalog() -> &'static Catalog {
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| {
        let feeds = &[
            Feed {
                port: "in",
                channel: None,
            },
            Feed {
                port: "left",
                channel: Some(0),
            },
            Feed {
                port: "right",
                channel: Some(1),
            },
        ];
        Catalog::new(SPECS.to_vec())
            .with_fold("gain", |inputs, outputs| outputs[0] = inputs[0] * inputs[1])
            .with_part(
                "edit.fade",
                Part::Fade {
                    from: "from",
                    to: "to",
                    time: "time",
                    out: "out",
                },
            )
            .with_part("output", Part::Output(feeds))
    })
}

fn patch(text: &str) -> Patch {
    Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .unwrap_or_else(|d| panic!("{d:#?}"))
}

pub(crate) fn graph(text: &str) -> Graph<'static> {
    validate(&patch(text), catalog(), &Limits::default()).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn between(old: &str, new: &str) -> Option<Transition<'static>> {
    transition(&graph(old), &graph(new), catalog(), 0.02).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn id(transition: &Transition, node: NodeIdx) -> String {
    transition.graph.nodes[node.index()].id.to_string()
}

/// Node `id`'s index in the transition graph.
fn find(transition: &Transition, id: &str) -> NodeIdx {
    let at = transition.graph.nodes.iter().position(|node| node.id == id);
    NodeIdx(at.unwrap_or_else(|| panic!("no node `{id}`")) as u32)
}

/// The ids of the nodes connected into input `input` of node `id`, in order.
fn sources(transition: &Transition, id: &str, input: &str) -> Vec<String> {
    let node = find(transition, id);
    let input = transition.graph.nodes[node.index()]
        .spec
        .input(input)
        .expect("an input of the module");
    transition
        .graph
        .edges_into(node, input)
        .map(|edge| self::id(transition, edge.from))
        .collect()
}

fn count(transition: &Transition, wanted: fn(&Origin) -> bool) -> usize {
    transition.origins.iter().filter(|o| wanted(o)).count()
}

fn fades(transition: &Transition) -> usize {
    count(transition, |origin| *origin == Origin::Fade)
}

/// The index of the transition's first fade.
fn fade_at(transition: &Transition) -> usize {
    let at = transition.origins.iter().position(|o| *o == Origin::Fade);
    at.expect("a fade")
}

fn ghosts(transition: &Transition) -> usize {
    count(transition, |origin| {
        matches!(origin, Origin::Removed(_) | Origin::Split(_))
    })
}

/// Lowers the transition as the engine will: with the new patch's options.
fn lowers(transition: &Transition, new: &str) {
    let compiled = compile_graph(
        &patch(new),
        &transition.graph,
        catalog(),
        &CompileOptions::default(),
    );
    compiled.unwrap_or_else(|d| panic!("{d:#?}"));
}

const OSC_OUT: &str = r#"(patch (nodes (osc (type "osc.sine")) (out (type "output")))
    (connections (osc "out" -> out "in")))"#;
const OSC_LOWPASS_OUT: &str = r#"(patch
    (nodes (osc (type "osc.sine")) (lp (type "filter.lowpass")) (out (type "output")))
    (connections (osc "out" -> lp "in") (lp "out" -> out "in")))"#;

#[test]
fn the_same_graph_or_a_value_edit_of_a_stateful_node_needs_no_transition() {
    assert!(between(OSC_OUT, OSC_OUT).is_none());
    let retuned = OSC_OUT.replace(r#"(type "osc.sine")"#, r#"(type "osc.sine") (freq 220)"#);
    assert!(between(OSC_OUT, &retuned).is_none());
}

#[test]
fn an_inserted_filter_fades_in_on_the_output_s_input() {
    let t = between(OSC_OUT, OSC_LOWPASS_OUT).expect("a structural change");
    assert_eq!(fades(&t), 1);
    assert_eq!(ghosts(&t), 0);
    assert_eq!(sources(&t, "out", "in"), ["out/edit.in"]);
    assert_eq!(sources(&t, "out/edit.in", "from"), ["osc"]);
    assert_eq!(sources(&t, "out/edit.in", "to"), ["lp"]);
    assert_eq!(sources(&t, "lp", "in"), ["osc"]);
    // The fade lasts the time the engine asked for: 0.02 s, its `time` setting (input 2).
    let fade = &t.graph.nodes[find(&t, "out/edit.in").index()];
    assert_eq!(fade.values[2], 0.02);
    let longer = transition(&graph(OSC_OUT), &graph(OSC_LOWPASS_OUT), catalog(), 0.25);
    let longer = longer.unwrap().expect("a structural change");
    assert_eq!(longer.graph.nodes[fade_at(&longer)].values[2], 0.25);
    let oscs = t.graph.nodes.iter().filter(|node| node.id == "osc").count();
    assert_eq!(oscs, 1);
    // The new graph's nodes come first, at their own indices.
    for (index, node) in graph(OSC_LOWPASS_OUT).nodes.iter().enumerate() {
        assert_eq!(t.origins[index], Origin::New(NodeIdx(index as u32)));
        assert_eq!(t.graph.nodes[index].id, node.id);
    }
    lowers(&t, OSC_LOWPASS_OUT);
}

#[test]
fn a_removed_filter_plays_out_as_a_ghost_into_a_fade() {
    let t = between(OSC_LOWPASS_OUT, OSC_OUT).expect("a structural change");
    let ghost = find(&t, "lp");
    assert_eq!(t.origins[ghost.index()], Origin::Removed(NodeIdx(1)));
    assert_eq!(sources(&t, "lp", "in"), ["osc"]);
    assert_eq!(sources(&t, "out", "in"), ["out/edit.in"]);
    assert_eq!(sources(&t, "out/edit.in", "from"), ["lp"]);
    assert_eq!(sources(&t, "out/edit.in", "to"), ["osc"]);
    lowers(&t, OSC_OUT);
}

#[test]
fn a_node_whose_module_changed_leaves_a_renamed_ghost() {
    let swapped = OSC_LOWPASS_OUT.replace("filter.lowpass", "delay");
    let t = between(OSC_LOWPASS_OUT, &swapped).expect("a structural change");
    let ghost = find(&t, "lp/edit");
    assert_eq!(t.origins[ghost.index()], Origin::Removed(NodeIdx(1)));
    assert_eq!(t.graph.nodes[ghost.index()].spec.name, "filter.lowpass");
    assert_eq!(t.graph.nodes[find(&t, "lp").index()].spec.name, "delay");
    assert_eq!(sources(&t, "out/edit.in", "from"), ["lp/edit"]);
    assert_eq!(sources(&t, "out/edit.in", "to"), ["lp"]);
    // The new `lp` is added, not a survivor: its input takes its new connection unfaded.
    assert_eq!(sources(&t, "lp", "in"), ["osc"]);
    assert_eq!(fades(&t), 1);
}

#[test]
fn a_constant_whose_value_changed_fades_from_its_old_output() {
    let text = |amp: f64| {
        format!(
            r#"(patch (nodes (osc (type "osc.sine")) (g (type "gain") (in 1) (amp {amp}))
                (mix (type "gain")) (out (type "output")))
                (connections (osc "out" -> mix "in") (g "out" -> mix "amp")
                (mix "out" -> out "in")))"#
        )
    };
    let t = between(&text(0.5), &text(0.25)).expect("a constant's value changed");
    assert_eq!(
        t.origins[find(&t, "g/edit").index()],
        Origin::Removed(NodeIdx(1))
    );
    assert_eq!(sources(&t, "mix/edit.amp", "from"), ["g/edit"]);
    assert_eq!(sources(&t, "mix/edit.amp", "to"), ["g"]);
}

#[test]
fn a_value_change_on_a_stateless_node_with_a_connection_is_a_value_edit() {
    let text = |amp: f64| {
        format!(
            r#"(patch (nodes (osc (type "osc.sine")) (g (type "gain") (amp {amp}))
                (out (type "output")))
                (connections (osc "out" -> g "in") (g "out" -> out "in")))"#
        )
    };
    assert!(
        between(&text(0.5), &text(0.25)).is_none(),
        "its amp is a parameter slot, which the edit resets"
    );
}

const CHAIN_AB: &str = r#"(patch (nodes (osc (type "osc.sine")) (a (type "filter.lowpass"))
    (b (type "filter.lowpass")) (out (type "output")))
    (connections (osc "out" -> a "in") (a "out" -> b "in") (b "out" -> out "in")))"#;
const CHAIN_BA: &str = r#"(patch (nodes (osc (type "osc.sine")) (a (type "filter.lowpass"))
    (b (type "filter.lowpass")) (out (type "output")))
    (connections (osc "out" -> b "in") (b "out" -> a "in") (a "out" -> out "in")))"#;

#[test]
fn reordering_a_chain_splits_the_nodes_that_would_close_a_cycle() {
    let t = between(CHAIN_AB, CHAIN_BA).expect("a structural change");
    let splits: Vec<(String, Origin)> = t
        .origins
        .iter()
        .enumerate()
        .filter(|(_, origin)| matches!(origin, Origin::Split(_)))
        .map(|(at, &origin)| (id(&t, NodeIdx(at as u32)), origin))
        .collect();
    assert_eq!(
        splits,
        [
            ("a/edit".to_owned(), Origin::Split(NodeIdx(1))),
            ("b/edit".to_owned(), Origin::Split(NodeIdx(2)))
        ]
    );
    // The new versions take their new inputs alone; the ghosts play the old chain.
    assert_eq!(sources(&t, "a", "in"), ["b"]);
    assert_eq!(sources(&t, "b", "in"), ["osc"]);
    assert_eq!(sources(&t, "a/edit", "in"), ["osc"]);
    assert_eq!(sources(&t, "b/edit", "in"), ["a/edit"]);
    assert_eq!(sources(&t, "out/edit.in", "from"), ["b/edit"]);
    assert_eq!(sources(&t, "out/edit.in", "to"), ["a"]);
    assert_eq!(fades(&t), 1);
    lowers(&t, CHAIN_BA);
}

#[test]
fn a_feedback_loop_through_a_delay_is_not_split_when_something_else_changes() {
    let looped = |tail: &str| {
        format!(
            r#"(patch (nodes (osc (type "osc.sine")) (mix (type "filter.lowpass"))
                (echo (type "delay") (time 0.1)) (lp (type "filter.lowpass"))
                (out (type "output")))
                (connections (osc "out" -> mix "in") (echo "out" -> mix "in")
                    (mix "out" -> echo "in") {tail}))"#
        )
    };
    let old = looped(r#"(mix "out" -> out "in")"#);
    let new = looped(r#"(mix "out" -> lp "in") (lp "out" -> out "in")"#);
    let t = between(&old, &new).expect("a structural change");
    assert_eq!(ghosts(&t), 0);
    // `lp` was there, unconnected: it survives and fades its new input in, as `out` does.
    assert_eq!(fades(&t), 2);
    assert_eq!(sources(&t, "lp/edit.in", "to"), ["mix"]);
    assert_eq!(sources(&t, "out/edit.in", "from"), ["mix"]);
    assert_eq!(sources(&t, "out/edit.in", "to"), ["lp"]);
    assert_eq!(sources(&t, "mix", "in"), ["osc", "echo"]);
    assert_eq!(sources(&t, "echo", "in"), ["mix"]);
    let closing: Vec<_> = t
        .graph
        .edges
        .iter()
        .filter(|edge| edge.closes_cycle)
        .collect();
    assert_eq!(closing.len(), 1);
    assert_eq!(id(&t, closing[0].to), "echo");
    lowers(&t, &new);
}

#[test]
fn a_renamed_output_fades_out_while_the_new_one_fades_in() {
    let renamed = OSC_OUT
        .replace("(out ", "(main ")
        .replace("-> out", "-> main");
    let t = between(OSC_OUT, &renamed).expect("a structural change");
    assert_eq!(
        t.origins[find(&t, "out").index()],
        Origin::Removed(NodeIdx(1))
    );
    assert_eq!(sources(&t, "out", "in"), ["out/edit.in"]);
    assert_eq!(sources(&t, "out/edit.in", "from"), ["osc"]);
    assert!(sources(&t, "out/edit.in", "to").is_empty());
    assert_eq!(sources(&t, "main", "in"), ["main/edit.in"]);
    assert!(sources(&t, "main/edit.in", "from").is_empty());
    assert_eq!(sources(&t, "main/edit.in", "to"), ["osc"]);
    lowers(&t, &renamed);
}

/// Everything the transition holds, to compare two of them.
fn shape(t: &Transition) -> String {
    let nodes: Vec<_> = t
        .graph
        .nodes
        .iter()
        .map(|node| (&node.id, node.spec.name, &node.values, node.span))
        .collect();
    format!(
        "{nodes:?} {:?} {:?} {:?}",
        t.graph.edges, t.graph.order, t.origins
    )
}

#[test]
fn the_same_graphs_give_the_same_transition() {
    let first = between(CHAIN_AB, CHAIN_BA).expect("a structural change");
    let second = between(CHAIN_AB, CHAIN_BA).expect("a structural change");
    assert_eq!(shape(&first), shape(&second));
}

/// A random small patch: node `i` is `n{i}` (from a pool shared by old and new, so ids
/// survive) of one of the modules, connected only to later nodes, so it is acyclic apart from
/// loops through a delay's `in`.
#[derive(Clone, Debug)]
struct Random {
    nodes: Vec<(usize, u8, u8)>,
    edges: Vec<(usize, usize, usize)>,
}

const MODULES: [&str; 4] = ["osc.sine", "filter.lowpass", "gain", "delay"];

impl Random {
    fn text(&self) -> String {
        let mut text = String::from("(patch (nodes ");
        let ids: Vec<String> = self
            .nodes
            .iter()
            .map(|&(n, _, _)| format!("n{n}"))
            .collect();
        for (id, &(_, module, value)) in ids.iter().zip(&self.nodes) {
            let module = MODULES[usize::from(module)];
            let param = catalog()
                .get(module)
                .expect("module")
                .inputs
                .last()
                .expect("input");
            text += &format!(r#"({id} (type "{module}") ({} {value})) "#, param.name);
        }
        text += r#"(out (type "output"))) (connections "#;
        for &(from, to, input) in &self.edges {
            let (from, to) = (from % ids.len(), to % (ids.len() + 1));
            // Forward edges, the output last; a backward edge only into a delay's `in`.
            let target = ids.get(to).map_or("out", String::as_str);
            let module = ids.get(to).map(|_| MODULES[usize::from(self.nodes[to].1)]);
            let input = match module {
                None => "in",
                Some(module) => {
                    let inputs = catalog().get(module).expect("module").inputs;
                    inputs[input % inputs.len()].name
                }
            };
            let forward = to > from;
            let into_delay = module == Some("delay") && input == "in";
            if (forward || into_delay) && module != Some("osc.sine") {
                text += &format!(r#"({} "out" -> {target} "{input}") "#, ids[from]);
            }
        }
        text + "))"
    }
}

fn random() -> impl Strategy<Value = Random> {
    // Mostly filters, which chain, so that chains reorder.
    let module = prop::sample::select(vec![0u8, 1, 1, 1, 2, 3]);
    let node = (0..6usize, module, 1..3u8);
    (
        prop::collection::vec(node, 1..6),
        prop::collection::vec((0..6usize, 0..7usize, 0..2usize), 0..10),
    )
        .prop_map(|(mut nodes, edges)| {
            // One node per id.
            let mut seen = std::collections::BTreeSet::new();
            nodes.retain(|&(n, _, _)| seen.insert(n));
            Random { nodes, edges }
        })
}

/// Whether `old` and `new` are the same for a transition: the same ids with the same modules,
/// the same values of constants (stateless, nothing connected), and the same connections into each input
/// (by source id and port, in order).
fn same(old: &Graph, new: &Graph) -> bool {
    let described = |graph: &Graph| {
        let mut nodes: Vec<_> = graph
            .nodes
            .iter()
            .enumerate()
            .map(|(index, node)| {
                let node_index = NodeIdx(index as u32);
                let constant = catalog().fold(node.spec.name).is_some()
                    && graph.edges_to(node_index).next().is_none();
                // An output plays the values of its unconnected inputs.
                let values: Vec<Option<u64>> = (0..node.spec.inputs.len())
                    .map(|input| {
                        let unconnected = graph.edges_into(node_index, input).next().is_none();
                        let held = constant || node.spec.role == Role::Output && unconnected;
                        held.then(|| node.values[input].to_bits())
                    })
                    .collect();
                let inputs: Vec<Vec<(String, usize)>> = (0..node.spec.inputs.len())
                    .map(|input| {
                        graph
                            .edges_into(NodeIdx(index as u32), input)
                            .map(|edge| {
                                (graph.nodes[edge.from.index()].id.to_string(), edge.output)
                            })
                            .collect()
                    })
                    .collect();
                (
                    node.id.clone(),
                    node.spec.name,
                    format!("{values:?}"),
                    inputs,
                )
            })
            .collect();
        nodes.sort();
        nodes
    };
    described(old) == described(new)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1000,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_transition_orders_and_keeps_each_new_node_once(
        old in random(),
        new in random(),
        how in 0..3u8,
    ) {
        // The same patch; another; or the same nodes in reverse order with the same
        // connections between positions, so chains run the other way round (splits).
        let new = match how {
            0 => old.clone(),
            1 => new,
            _ => Random {
                nodes: old.nodes.iter().rev().copied().collect(),
                edges: old.edges.clone(),
            },
        };
        let new_text = new.text();
        let (old, new) = (graph(&old.text()), graph(&new_text));
        let built = transition(&old, &new, catalog(), 0.02);
        let built = built.map_err(|d| TestCaseError::fail(format!("{d:#?}")))?;
        prop_assert_eq!(built.is_none(), same(&old, &new));
        if let Some(t) = built {
            prop_assert_eq!(t.origins.len(), t.graph.nodes.len());
            for index in 0..new.nodes.len() {
                let at: Vec<usize> = (0..t.origins.len())
                    .filter(|&at| t.origins[at] == Origin::New(NodeIdx(index as u32)))
                    .collect();
                prop_assert_eq!(at, vec![index]);
            }
            prop_assert_eq!(t.graph.order.len(), t.graph.nodes.len());
            let options = CompileOptions::default();
            let lowered = compile_graph(&patch(&new_text), &t.graph, catalog(), &options);
            prop_assert!(lowered.is_ok(), "{:?}", lowered.err());
        }
    }
}
