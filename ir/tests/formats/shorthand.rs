//! The S-expression shorthand expands, as it is read, to exactly the graph written longhand,
//! with ports the catalog must name left empty; and misuses are `E0115` at their own text.

use super::*;

fn read(text: &str) -> Patch {
    sexpr::read(text, &limits())
        .unwrap_or_else(|problems| panic!("{problems:#?}"))
        .without_spans()
}

/// The same patch, both read: the shorthand and the longhand (with `""` for ports the
/// catalog names later).
fn same(short: &str, long: &str) {
    assert_eq!(read(short), read(long), "{short}");
}

#[test]
fn compact_and_top_level_nodes_are_ordinary_nodes() {
    same(
        r#"(patch (lfo1 lfo.sine (freq 2)) (out "output") (connections (lfo1 "out" -> out "in")))"#,
        r#"(patch (nodes (lfo1 (type "lfo.sine") (freq 2)) (out (type "output")))
                  (connections (lfo1 "out" -> out "in")))"#,
    );
    same(
        r#"(patch (nodes (osc1 osc.sine)) (gain1 (type "gain") (amp 0.5)))"#,
        r#"(patch (nodes (osc1 (type "osc.sine")) (gain1 (type "gain") (amp 0.5))))"#,
    );
}

#[test]
fn a_value_naming_a_node_is_a_connection_from_its_output() {
    same(
        r#"(patch (lfo1 lfo.sine) (lp1 filter.lowpass (cutoff lfo1) (q 2))
                  (lp2 filter.lowpass (cutoff (lfo1 "out"))))"#,
        r#"(patch (nodes (lfo1 (type "lfo.sine")) (lp1 (type "filter.lowpass") (q 2))
                         (lp2 (type "filter.lowpass")))
                  (connections (lfo1 "" -> lp1 "cutoff") (lfo1 "out" -> lp2 "cutoff")))"#,
    );
    // Quoted, or naming no node, a value stays text.
    let patch = read(r#"(patch (a gain (amp "a")) (b gain (amp nobody)))"#);
    assert!(patch.connections.is_empty());
    assert_eq!(
        patch.nodes[0].params[0].value.kind,
        ValueKind::Text("a".into())
    );
    assert_eq!(
        patch.nodes[1].params[0].value.kind,
        ValueKind::Text("nobody".into())
    );
}

#[test]
fn an_inline_node_is_named_after_the_input_it_drives() {
    same(
        r#"(patch (lp1 filter.lowpass (cutoff (lfo.sine (freq (lfo.sine (freq 0.1)))))) (out output))"#,
        r#"(patch (nodes (lp1 (type "filter.lowpass"))
                         (lp1.cutoff (type "lfo.sine"))
                         (lp1.cutoff.freq (type "lfo.sine") (freq 0.1))
                         (out (type "output")))
                  (connections (lp1.cutoff "" -> lp1 "cutoff")
                               (lp1.cutoff.freq "" -> lp1.cutoff "freq")))"#,
    );
}

#[test]
fn a_chain_links_first_outputs_to_first_inputs() {
    same(
        r#"(patch (osc1 osc.saw) (out output)
                  (-> osc1 (filter.lowpass (cutoff 800)) (gain (amp 0.5)) out))"#,
        r#"(patch (nodes (osc1 (type "osc.saw")) (out (type "output"))
                         (out.lowpass (type "filter.lowpass") (cutoff 800))
                         (out.gain (type "gain") (amp 0.5)))
                  (connections (osc1 "" -> out.lowpass "") (out.lowpass "" -> out.gain "")
                               (out.gain "" -> out "")))"#,
    );
    // Ports written after elements: the first's output, any other's input.
    same(
        r#"(patch (lfo1 lfo.sine) (lp1 filter.lowpass) (out output)
                  (connections (-> lfo1 "out" lp1 "cutoff" out) (-> (lfo1 "out") (lp1 "q"))))"#,
        r#"(patch (nodes (lfo1 (type "lfo.sine")) (lp1 (type "filter.lowpass")) (out (type "output")))
                  (connections (lfo1 "out" -> lp1 "cutoff") (lp1 "" -> out "")
                               (lfo1 "out" -> lp1 "q")))"#,
    );
}

#[test]
fn generated_ids_never_clash_with_written_ones_or_each_other() {
    same(
        r#"(patch (out output) (out.saw gain)
                  (-> (osc.saw) out) (-> (osc.saw) out) (-> (osc.sine) (osc.saw)))"#,
        r#"(patch (nodes (out (type "output")) (out.saw (type "gain"))
                         (out.saw2 (type "osc.saw")) (out.saw3 (type "osc.saw"))
                         (sine (type "osc.sine")) (saw (type "osc.saw")))
                  (connections (out.saw2 "" -> out "") (out.saw3 "" -> out "")
                               (sine "" -> saw "")))"#,
    );
}

#[test]
fn shorthand_works_inside_a_voice_template() {
    same(
        r#"(patch (voice synth (nodes (v voice) (o osc.saw (freq v)))
                               (connections (-> o (gain) out))))"#,
        r#"(patch (voice synth (nodes (v (type "voice")) (o (type "osc.saw")) (out.gain (type "gain")))
                               (connections (v "" -> o "freq") (o "" -> out.gain "")
                                            (out.gain "" -> out ""))))"#,
    );
}

#[test]
fn misuses_are_shorthand_errors_at_the_shorthand() {
    for (text, under_span, message) in [
        (
            "(patch (-> a))",
            "(-> a)",
            "a chain needs at least two nodes, found 1",
        ),
        (
            "(patch (-> a 3 b))",
            "3",
            "expected a node in a chain, found a number",
        ),
        (
            "(patch (a gain) (-> a (gain (type \"x\")) a))",
            "(type \"x\")",
            "node `a.gain` is written inline and has its type already",
        ),
        (
            "(patch (a gain (amp (osc.sine (freq 1 2)))))",
            "(freq 1 2)",
            "parameter `freq` on node `a.amp` takes one value",
        ),
    ] {
        let problem = sexpr_error(text);
        assert_eq!(problem.code, Code::Shorthand, "{text}: {problem:?}");
        assert_eq!(problem.message, message);
        assert_eq!(under(text, &problem), under_span);
    }
    // A misspelt section is still one, not a node.
    let problem = sexpr_error(r#"(patch (conections (a "out" -> b "in")))"#);
    assert_eq!(problem.message, "unknown section `conections`");
}

#[test]
fn written_longhand_the_expansion_reads_back_the_same() {
    let text = r#"(patch (lp1 filter.lowpass (cutoff (lfo.sine (freq 2)))) (out output)
                         (-> lp1 out) (transport (bpm 90)))"#;
    let patch = sexpr::read(text, &limits()).unwrap();
    for format in Format::ALL {
        let again = format.read(&format.write(&patch), &limits()).unwrap();
        assert_same(&again, &patch);
    }
}
