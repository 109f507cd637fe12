//! Voice templates and MIDI sections in every format: round trips, spans and shape errors.

use super::*;

const POLY: &str = r#"(patch
  (nodes
    (verb (type "gain") (amp 0.5))
    (out (type "output")))
  (connections
    (synth "out" -> verb "in")
    (verb "out" -> out "in"))
  (voice synth
    (nodes
      (note (type "voice"))
      (osc (type "osc.saw"))
      (vca (type "mul")))
    (connections
      (note "pitch" -> osc "freq")
      (osc "out" -> vca "a")
      (note "gate" -> vca "b"))
    (inputs
      (level vca "b"))
    (outputs
      (out vca "out")))
  (midi
    (tuning 432)
    (bend-range 12)
    (cc 74 -> verb "amp" 0 1)
    (bend -> synth "level" -0.5 0.5)
    (note 36 -> verb "amp" 0 2)))
"#;

fn poly() -> Patch {
    sexpr::read(POLY, &limits()).unwrap()
}

#[test]
fn a_template_and_midi_section_survive_every_format() {
    let patch = poly();
    let template = patch.voices.first().unwrap();
    assert_eq!(template.name.text, "synth");
    assert_eq!(template.nodes.len(), 3);
    assert_eq!(template.inputs[0].target.port.text, "b");
    assert_eq!(patch.midi.bindings.len(), 3);
    assert_eq!(patch.midi.tuning.map(|t| t.value), Some(432.0));
    for format in Format::ALL {
        let written = format.write(&patch);
        let read = format.read(&written, &limits()).unwrap();
        assert_same(&read, &patch);
    }
    // The writer's S-expression reads back to itself, byte for byte.
    let text = sexpr::write(&patch);
    assert_eq!(sexpr::write(&sexpr::read(&text, &limits()).unwrap()), text);
}

#[test]
fn template_elements_keep_their_spans() {
    let patch = poly();
    let template = patch.voices.first().unwrap();
    let at = |span: Span| &POLY[span.range()];
    assert_eq!(at(template.name.span), "synth");
    assert!(at(template.span).starts_with("(voice synth"));
    assert_eq!(at(template.nodes[1].module.span), "\"osc.saw\"");
    assert_eq!(at(template.outputs[0].span), "(out vca \"out\")");
    assert_eq!(
        at(patch.midi.bindings[0].span),
        "(cc 74 -> verb \"amp\" 0 1)"
    );
    assert_eq!(at(patch.midi.bindings[1].range[0].span), "-0.5");
    let json = json::write(&patch);
    let text = String::from_utf8(json.clone().into_bytes()).unwrap();
    let read = json::read(&text, &limits()).unwrap();
    let template = read.voices.first().unwrap();
    assert_eq!(&text[template.name.span.range()], "\"synth\"");
    assert_eq!(&text[read.midi.bindings[2].range[1].span.range()], "2.0");
}

#[test]
fn malformed_templates_and_bindings_are_shape_errors_at_the_culprit() {
    let cases = [
        ("(patch (voice))", "(voice)"),
        ("(patch (voice s (wires)))", "(wires)"),
        ("(patch (voice s (outputs (out vca))))", "(out vca)"),
        ("(patch (midi (tuning \"a\")))", "(tuning \"a\")"),
        ("(patch (midi (tuning 1) (tuning 2)))", "(tuning 2)"),
        ("(patch (midi (cc -> a \"b\" 0 1)))", "(cc -> a \"b\" 0 1)"),
        ("(patch (midi (bend a \"b\" 0 1)))", "(bend a \"b\" 0 1)"),
        ("(patch (midi (pedal 64)))", "(pedal 64)"),
        ("(patch (voice a (channel)))", "(channel)"),
        ("(patch (voice a (voices 1 2)))", "(voices 1 2)"),
        ("(patch (voice a (voices \"8\")))", "(voices \"8\")"),
    ];
    for (text, culprit) in cases {
        let problem = one(sexpr::read(text, &limits()).unwrap_err());
        assert_eq!(problem.code, Code::Shape, "{text}");
        assert_eq!(&text[problem.primary.span.range()], culprit, "{text}");
    }
    let json_cases = [
        (r#"{"voice": {"nodes": {}}}"#, r#"{"nodes": {}}"#),
        (r#"{"voice": {"name": 3}}"#, "3"),
        (
            r#"{"midi": {"bindings": [{"from": ["cc"], "to": ["a", "b"], "range": [0, 1]}]}}"#,
            r#"["cc"]"#,
        ),
        (
            r#"{"midi": {"bindings": [{"from": ["bend"], "to": ["a", "b"]}]}}"#,
            r#"{"from": ["bend"], "to": ["a", "b"]}"#,
        ),
        (r#"{"midi": {"bend": 2}}"#, r#""bend""#),
        (r#"{"voices": {"name": "a"}}"#, r#"{"name": "a"}"#),
        (r#"{"voices": [{"name": "a", "channel": "1"}]}"#, r#""1""#),
    ];
    for (text, culprit) in json_cases {
        let problem = one(json::read(text, &limits()).unwrap_err());
        assert_eq!(problem.code, Code::Shape, "{text}");
        assert_eq!(&text[problem.primary.span.range()], culprit, "{text}");
    }
}

#[test]
fn template_nodes_count_against_the_node_limit() {
    let limits = Limits {
        max_nodes: 3,
        ..Limits::default()
    };
    let problems = sexpr::read(POLY, &limits).unwrap_err();
    assert_eq!(problems[0].code, Code::Limit);
    assert!(POLY[problems[0].primary.span.range()].starts_with("(osc "));
}
