//! The three patch formats, measured from outside: the seed examples, spans, round trips,
//! every kind of error, hostile input and random bytes.

mod json_errors;
mod msgpack_input;
mod round_trip;
mod samples;
mod scenes;
mod sexpr_errors;
mod shorthand;
mod templates;
mod timelines;
mod transport;

use patchvm_ir::format::{json, msgpack, sexpr};
use patchvm_ir::*;

const SEED_SEXPR: &str = r#"(patch
  (nodes
    (osc1 (type "osc.sine") (freq 440))
    (gain1 (type "gain") (amp 0.5))
    (out (type "output")))
  (connections
    (osc1 "out" -> gain1 "in")
    (gain1 "out" -> out "in")))
"#;

const SEED_JSON: &str = r#"{
  "nodes": {
    "osc1": { "type": "osc.sine", "params": { "freq": 440 } },
    "gain1": { "type": "gain", "params": { "amp": 0.5 } },
    "out": { "type": "output" }
  },
  "connections": [
    { "from": ["osc1", "out"], "to": ["gain1", "in"] },
    { "from": ["gain1", "out"], "to": ["out", "in"] }
  ]
}
"#;

fn limits() -> Limits {
    Limits::default()
}

fn seed() -> Patch {
    PatchBuilder::new()
        .node("osc1", "osc.sine", &[("freq", 440.0)])
        .node("gain1", "gain", &[("amp", 0.5)])
        .node("out", "output", &[])
        .connect(("osc1", "out"), ("gain1", "in"))
        .connect(("gain1", "out"), ("out", "in"))
        .build()
}

/// Equality that tells `-0.0` from `0.0` and compares every bit of every number.
fn assert_same(a: &Patch, b: &Patch) {
    let a = format!("{:?}", a.clone().without_spans());
    let b = format!("{:?}", b.clone().without_spans());
    assert_eq!(a, b);
}

fn one(problems: Diagnostics) -> Diagnostic {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    problems.into_iter().next().unwrap()
}

fn sexpr_error(text: &str) -> Diagnostic {
    one(sexpr::read(text, &limits()).unwrap_err())
}

fn json_error(text: &str) -> Diagnostic {
    one(json::read(text, &limits()).unwrap_err())
}

/// The source text under a diagnostic's primary span.
fn under<'t>(text: &'t str, problem: &Diagnostic) -> &'t str {
    &text[problem.primary.span.range()]
}

// ---------------------------------------------------------------- the seed examples

#[test]
fn seed_examples_read_to_the_same_patch() {
    let from_sexpr = sexpr::read(SEED_SEXPR, &limits()).unwrap();
    let from_json = json::read(SEED_JSON, &limits()).unwrap();
    assert_same(&from_sexpr, &seed());
    assert_same(&from_json, &seed());
}

#[test]
fn sexpr_spans_cover_their_text() {
    let patch = sexpr::read(SEED_SEXPR, &limits()).unwrap();
    let at = |span: Span| &SEED_SEXPR[span.range()];
    let osc = &patch.nodes[0];
    assert_eq!(at(osc.id.span), "osc1");
    assert_eq!(at(osc.module.span), r#""osc.sine""#);
    assert_eq!(at(osc.params[0].name.span), "freq");
    assert_eq!(at(osc.params[0].value.span), "440");
    assert_eq!(at(osc.span), r#"(osc1 (type "osc.sine") (freq 440))"#);
    let wire = &patch.connections[0];
    assert_eq!(at(wire.span), r#"(osc1 "out" -> gain1 "in")"#);
    assert_eq!(at(wire.from.node.span), "osc1");
    assert_eq!(at(wire.from.port.span), r#""out""#);
    assert_eq!(at(wire.to.node.span), "gain1");
    assert_eq!(at(wire.to.port.span), r#""in""#);
}

#[test]
fn json_spans_cover_their_text() {
    let patch = json::read(SEED_JSON, &limits()).unwrap();
    let at = |span: Span| &SEED_JSON[span.range()];
    let osc = &patch.nodes[0];
    assert_eq!(at(osc.id.span), r#""osc1""#);
    assert_eq!(at(osc.module.span), r#""osc.sine""#);
    assert_eq!(at(osc.params[0].name.span), r#""freq""#);
    assert_eq!(at(osc.params[0].value.span), "440");
    assert_eq!(
        at(osc.span),
        r#""osc1": { "type": "osc.sine", "params": { "freq": 440 } }"#
    );
    let wire = &patch.connections[1];
    assert_eq!(
        at(wire.span),
        r#"{ "from": ["gain1", "out"], "to": ["out", "in"] }"#
    );
    assert_eq!(at(wire.from.port.span), r#""out""#);
    assert_eq!(at(wire.to.node.span), r#""out""#);
}

#[test]
fn list_values_have_spans_in_both_text_forms() {
    let text = r#"(patch (nodes (a (type t) (steps (1 "x" (2))))))"#;
    let patch = sexpr::read(text, &limits()).unwrap();
    let value = &patch.nodes[0].params[0].value;
    assert_eq!(&text[value.span.range()], r#"(1 "x" (2))"#);
    let ValueKind::List(items) = &value.kind else {
        panic!("expected a list, got {value:?}");
    };
    assert_eq!(&text[items[1].span.range()], r#""x""#);
    assert_eq!(&text[items[2].span.range()], "(2)");

    let text = r#"{"nodes": {"a": {"type": "t", "params": {"steps": [1, "x", [2]]}}}}"#;
    let patch = json::read(text, &limits()).unwrap();
    let value = &patch.nodes[0].params[0].value;
    assert_eq!(&text[value.span.range()], r#"[1, "x", [2]]"#);
}

#[test]
fn writers_are_pretty() {
    // The S-expression writer reproduces the seeds' example exactly.
    assert_eq!(sexpr::write(&seed()), SEED_SEXPR);
    let expected_json = SEED_JSON.replace("440", "440.0");
    assert_eq!(json::write(&seed()), expected_json);
    assert_eq!(
        json::write(&Patch::default()),
        "{\n  \"nodes\": {},\n  \"connections\": []\n}\n"
    );
    assert_eq!(
        sexpr::write(&Patch::default()),
        "(patch\n  (nodes)\n  (connections))\n"
    );
}

// ---------------------------------------------------------------- every format

#[test]
fn empty_sources_say_so() {
    for text in ["", "   \n\t ", "; only a comment\n;; and another"] {
        let problem = sexpr_error(text);
        assert_eq!(
            (problem.code, problem.message.as_str()),
            (Code::Syntax, "the patch is empty")
        );
        assert!(problem.hint.unwrap().contains("(patch"));
    }
    for text in ["", " \n "] {
        let problem = json_error(text);
        assert_eq!(
            (problem.code, problem.message.as_str()),
            (Code::Syntax, "the patch is empty")
        );
    }
    let problem = one(msgpack::read(&[], &limits()).unwrap_err());
    assert_eq!(
        (problem.code, problem.message.as_str()),
        (Code::Syntax, "the patch is empty")
    );
}

#[test]
fn source_size_is_limited() {
    let tiny = Limits {
        max_source_bytes: 10,
        ..Limits::default()
    };
    for format in Format::ALL {
        let bytes = format.write(&seed());
        let problem = one(format.read(&bytes, &tiny).unwrap_err());
        assert_eq!(problem.code, Code::Limit);
        assert!(problem.hint.unwrap().contains("--max-source-bytes"));
    }
    assert_eq!(
        one(sexpr::read(SEED_SEXPR, &tiny).unwrap_err()).code,
        Code::Limit
    );
    assert_eq!(
        one(json::read(SEED_JSON, &tiny).unwrap_err()).code,
        Code::Limit
    );
}
