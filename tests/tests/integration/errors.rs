//! Every kind of mistake a patch can make is reported with its code, a message naming the
//! offender, a span on the offending text and a hint; none crashes, hangs or exhausts memory.

use patchvm::ir::{Code, Diagnostic, Format, LineIndex};
use patchvm_tests::diagnose;

use crate::allocations::counted;

/// The one diagnostic `text` (an S-expression patch) fails with.
fn only_problem(text: &str, format: Format) -> Diagnostic {
    let mut diagnostics = diagnose(text.as_bytes(), format);
    assert_eq!(
        diagnostics.len(),
        1,
        "expected one problem, got {diagnostics:#?}"
    );
    diagnostics.remove(0)
}

/// `line:column` of the diagnostic's primary span and the text under it.
fn place(text: &str, diagnostic: &Diagnostic) -> (String, String) {
    let span = diagnostic.primary.span;
    let at = LineIndex::new(text).line_column(text, span.start as usize);
    (
        format!("{}:{}", at.line, at.column),
        text[span.range()].to_owned(),
    )
}

/// A patch around `nodes` and `connections`, in S-expression form.
fn sexpr(nodes: &str, connections: &str) -> String {
    format!(
        "(patch\n  (nodes\n{nodes}\n    (out (type \"output\")))\n  (connections\n{connections}))\n"
    )
}

#[test]
fn syntax_error_points_at_the_unclosed_parenthesis() {
    let text = "(patch\n  (nodes\n    (osc1 (type \"osc.sine\")\n";
    let problem = only_problem(text, Format::Sexpr);
    assert_eq!(problem.code, Code::Syntax);
    assert_eq!(place(text, &problem).0, "3:5");
}

#[test]
fn json_syntax_error_points_at_the_bad_token() {
    let text = "{\n  \"nodes\": {\n    \"osc1\": { \"type\": \"osc.sine\" },,\n  }\n}\n";
    let problem = only_problem(text, Format::Json);
    assert_eq!(problem.code, Code::Syntax);
    assert!(
        problem.message.starts_with("invalid JSON"),
        "{}",
        problem.message
    );
    assert!(
        place(text, &problem).0.starts_with("3:"),
        "{:?}",
        place(text, &problem)
    );
}

#[test]
fn unknown_module_suggests_the_nearest_name() {
    let text = sexpr(
        "    (osc1 (type \"osc.sin\") (freq 440))",
        "    (osc1 \"out\" -> out \"in\")",
    );
    let problem = only_problem(&text, Format::Sexpr);
    assert_eq!(problem.code, Code::UnknownModule);
    assert_eq!(problem.message, "unknown module `osc.sin` on node `osc1`");
    assert_eq!(
        place(&text, &problem),
        ("3:17".into(), "\"osc.sin\"".into())
    );
    assert!(
        problem
            .hint
            .unwrap()
            .starts_with("did you mean `osc.sine`?")
    );
}

#[test]
fn unknown_input_port_lists_or_suggests_the_ports() {
    let text = sexpr(
        "    (osc1 (type \"osc.saw\"))\n    (lp1 (type \"filter.lowpass\"))",
        "    (osc1 \"out\" -> lp1 \"cutof\")\n    (lp1 \"out\" -> out \"in\")",
    );
    let problem = only_problem(&text, Format::Sexpr);
    assert_eq!(problem.code, Code::UnknownPort);
    assert_eq!(
        problem.message,
        "unknown input port `cutof` on node `lp1` (module `filter.lowpass`)"
    );
    assert_eq!(place(&text, &problem), ("7:24".into(), "\"cutof\"".into()));
    assert_eq!(problem.hint.as_deref(), Some("did you mean `cutoff`?"));
}

#[test]
fn unknown_parameter_is_an_unknown_port() {
    let text = sexpr(
        "    (osc1 (type \"osc.sine\") (frq 440))",
        "    (osc1 \"out\" -> out \"in\")",
    );
    let problem = only_problem(&text, Format::Sexpr);
    assert_eq!(problem.code, Code::UnknownPort);
    assert_eq!(
        problem.message,
        "unknown parameter `frq` on node `osc1` (module `osc.sine`)"
    );
    assert_eq!(place(&text, &problem), ("3:30".into(), "frq".into()));
}

#[test]
fn an_input_used_as_an_output_says_so() {
    let text = sexpr(
        "    (osc1 (type \"osc.sine\"))",
        "    (osc1 \"freq\" -> out \"in\")",
    );
    let problem = only_problem(&text, Format::Sexpr);
    assert_eq!(problem.code, Code::UnknownPort);
    assert_eq!(
        problem.hint.as_deref(),
        Some("`freq` is an input; expected `out`")
    );
}

#[test]
fn unknown_node_in_a_connection_suggests_the_nearest_id() {
    let text = sexpr(
        "    (osc1 (type \"osc.sine\"))",
        "    (osc2 \"out\" -> out \"in\")",
    );
    let problem = only_problem(&text, Format::Sexpr);
    assert_eq!(problem.code, Code::UnknownNode);
    assert_eq!(problem.message, "connection names unknown node `osc2`");
    assert_eq!(place(&text, &problem), ("6:6".into(), "osc2".into()));
    assert_eq!(problem.hint.as_deref(), Some("did you mean `osc1`?"));
}

#[test]
fn wrong_value_type_names_the_expected_type() {
    let text = sexpr(
        "    (osc1 (type \"osc.sine\") (freq \"fast\"))",
        "    (osc1 \"out\" -> out \"in\")",
    );
    let problem = only_problem(&text, Format::Sexpr);
    assert_eq!(problem.code, Code::WrongType);
    assert_eq!(
        problem.message,
        "parameter `freq` of node `osc1` takes a number, not a string"
    );
    assert_eq!(place(&text, &problem), ("3:35".into(), "\"fast\"".into()));
}

#[test]
fn out_of_range_value_gives_the_range() {
    let text = sexpr(
        "    (d1 (type \"delay\") (time 1e12))",
        "    (d1 \"out\" -> out \"in\")",
    );
    let (problem, allocated) = counted(|| only_problem(&text, Format::Sexpr));
    assert_eq!(problem.code, Code::OutOfRange);
    assert!(
        problem.message.starts_with(
            "parameter `time` of node `d1` is 1000000000000 s, outside its range 0..="
        ),
        "{}",
        problem.message
    );
    assert_eq!(place(&text, &problem), ("3:30".into(), "1e12".into()));
    // The check happens before any memory is sized from the value.
    assert!(allocated.largest < 1 << 20, "{allocated:?}");
}

#[test]
fn duplicate_node_id_points_at_both_definitions() {
    let text = sexpr(
        "    (osc1 (type \"osc.sine\"))\n    (osc1 (type \"osc.saw\"))",
        "    (osc1 \"out\" -> out \"in\")",
    );
    let problem = only_problem(&text, Format::Sexpr);
    assert_eq!(problem.code, Code::DuplicateNode);
    assert_eq!(problem.message, "duplicate node id `osc1`");
    assert_eq!(place(&text, &problem), ("4:6".into(), "osc1".into()));
    assert_eq!(problem.secondary.len(), 1);
    assert_eq!(&text[problem.secondary[0].span.range()], "osc1");
}

#[test]
fn duplicate_json_keys_are_duplicate_nodes_not_silently_merged() {
    let text = r#"{
  "nodes": {
    "osc1": { "type": "osc.sine" },
    "osc1": { "type": "osc.saw" },
    "out": { "type": "output" }
  },
  "connections": [ { "from": ["osc1", "out"], "to": ["out", "in"] } ]
}
"#;
    let problem = only_problem(text, Format::Json);
    assert_eq!(problem.code, Code::DuplicateNode);
    assert_eq!(place(text, &problem), ("4:5".into(), "\"osc1\"".into()));
}

#[test]
fn duplicate_parameter_is_reported() {
    let text = sexpr(
        "    (osc1 (type \"osc.sine\") (freq 1) (freq 2))",
        "    (osc1 \"out\" -> out \"in\")",
    );
    let problem = only_problem(&text, Format::Sexpr);
    assert_eq!(problem.code, Code::DuplicateParam);
    assert_eq!(place(&text, &problem), ("3:39".into(), "freq".into()));
}

#[test]
fn cycle_without_delay_names_its_nodes() {
    let text =
        std::fs::read_to_string(patchvm_tests::patches_dir().join("errors/cycle.lisp")).unwrap();
    let problem = only_problem(&text, Format::Sexpr);
    assert_eq!(problem.code, Code::Cycle);
    assert_eq!(
        problem.message,
        "cycle `a` -> `b` -> `a` is not broken by a delay"
    );
    assert_eq!(problem.secondary.len(), 1);
    let (_, spanned) = place(&text, &problem);
    assert!(
        spanned.contains("->"),
        "the span is a connection: {spanned}"
    );
}

#[test]
fn cycle_through_a_delay_compiles() {
    let text = sexpr(
        "    (osc1 (type \"osc.sine\"))\n    (d1 (type \"delay\") (time 0.1))\n    (fb (type \"gain\") (amp 0.5))",
        "    (osc1 \"out\" -> d1 \"in\")\n    (d1 \"out\" -> fb \"in\")\n    (fb \"out\" -> d1 \"in\")\n    (d1 \"out\" -> out \"in\")",
    );
    assert_eq!(diagnose(text.as_bytes(), Format::Sexpr), Vec::new());
}

#[test]
fn a_patch_without_output_is_refused() {
    let text = "(patch (nodes (osc1 (type \"osc.sine\"))))";
    let problem = only_problem(text, Format::Sexpr);
    assert_eq!(problem.code, Code::NoOutput);
    assert_eq!(problem.message, "the patch has no output");
    assert_eq!(place(text, &problem).1, "(osc1 (type \"osc.sine\"))");
}

#[test]
fn connecting_a_signal_to_a_set_once_parameter_is_refused() {
    let text = sexpr(
        "    (osc1 (type \"osc.sine\"))\n    (n (type \"noise.white\"))",
        "    (osc1 \"out\" -> n \"seed\")\n    (n \"out\" -> out \"in\")",
    );
    let problem = only_problem(&text, Format::Sexpr);
    assert_eq!(problem.code, Code::NotConnectable);
    assert_eq!(place(&text, &problem).1, "\"seed\"");
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let text = sexpr(
        "    (a (type \"osc.sin\"))\n    (b (type \"gain\") (amp \"loud\"))",
        "    (c \"out\" -> out \"in\")",
    );
    let codes: Vec<Code> = diagnose(text.as_bytes(), Format::Sexpr)
        .iter()
        .map(|d| d.code)
        .collect();
    assert_eq!(
        codes,
        [Code::UnknownModule, Code::WrongType, Code::UnknownNode]
    );
}

#[test]
fn empty_input_is_a_syntax_error_in_every_text_format() {
    for format in [Format::Sexpr, Format::Json] {
        for text in ["", "   \n", "; only a comment\n"] {
            if format == Format::Json && text.contains(';') {
                continue;
            }
            let problems = diagnose(text.as_bytes(), format);
            assert_eq!(problems.len(), 1, "{format:?} {text:?}");
            assert_eq!(problems[0].code, Code::Syntax);
        }
    }
    assert!(!diagnose(b"", Format::MessagePack).is_empty());
}

#[test]
fn binary_garbage_is_refused_by_every_reader() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for format in Format::ALL {
        let problems = diagnose(&garbage, format);
        assert!(!problems.is_empty(), "{format:?}");
        assert!(
            matches!(problems[0].code, Code::Syntax | Code::Shape),
            "{format:?}: {:?}",
            problems[0]
        );
    }
}

#[test]
fn two_hundred_thousand_nested_brackets_hit_the_depth_limit() {
    for (format, text) in [
        (Format::Sexpr, "(".repeat(200_000)),
        (Format::Json, "[".repeat(200_000)),
        (Format::Json, "{\"a\":".repeat(200_000)),
    ] {
        let problems = diagnose(text.as_bytes(), format);
        assert_eq!(problems.len(), 1, "{format:?}");
        assert_eq!(
            problems[0].code,
            Code::Limit,
            "{format:?}: {:?}",
            problems[0]
        );
        assert!(problems[0].hint.as_deref().unwrap().contains("--max-depth"));
    }
    let mut msgpack = vec![0x91u8; 200_000];
    msgpack.push(0xc0);
    let problems = diagnose(&msgpack, Format::MessagePack);
    assert!(!problems.is_empty());
}

#[test]
fn delay_lines_beyond_the_state_limit_are_refused_before_allocating() {
    use patchvm::ir::{Limits, PatchBuilder};
    use patchvm::{Instance, Settings};
    // Each 60 s delay at 48 kHz holds 2 880 000 + 66 samples of 4 bytes: 11 520 264 bytes, so
    // the 94th (`d93`) is the first to cross the default 1 GiB.
    let mut builder = PatchBuilder::new().node("src", "osc.sine", &[]);
    let mut previous = "src".to_owned();
    for i in 0..100 {
        let id = format!("d{i}");
        builder = builder
            .node(&id, "delay", &[("time", 60.0)])
            .connect((&previous, "out"), (&id, "in"));
        previous = id;
    }
    let patch = builder
        .node("out", "output", &[])
        .connect((&previous, "out"), ("out", "in"))
        .build();
    let (built, allocated) =
        counted(|| Instance::new(&patch, &Settings::default(), &Limits::default()));
    let problems = built.unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, Code::Limit);
    assert_eq!(problems[0].primary.message, "node `d93` crosses the limit");
    assert!(
        problems[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("--max-state-bytes")
    );
    // Refused before a single delay line was allocated.
    assert!(allocated.largest < 11_520_264, "{allocated:?}");
}

#[test]
fn nesting_at_the_ceiling_is_safe_on_a_small_stack_whatever_max_depth_says() {
    use patchvm::ir::Limits;
    // A parameter value nested 1 000 levels deep (the ceiling is 1 024 levels in all), read,
    // validated, converted and dropped on a thread with the default 2 MiB stack.
    let depth = 1_000;
    let lisp = format!(
        "(patch (nodes (a (type \"gain\") (amp {}1{})) (out (type \"output\"))))",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let limits = Limits {
        max_depth: usize::MAX,
        ..Limits::default()
    };
    let worker = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let patch = Format::Sexpr
                .read(lisp.as_bytes(), &limits)
                .expect("within the ceiling");
            for format in Format::ALL {
                let again = format
                    .read(&format.write(&patch), &limits)
                    .expect("round trip");
                assert_eq!(again.clone().without_spans(), patch.clone().without_spans());
                let problems =
                    patchvm::compiler::compile(&again, patchvm::modules::catalog(), &limits)
                        .unwrap_err();
                let codes: Vec<Code> = problems.iter().map(|d| d.code).collect();
                assert_eq!(codes, [Code::WrongType], "{format:?}");
            }
            let too_deep = format!(
                "(patch (nodes (a (type \"gain\") (amp {}1{})))))",
                "(".repeat(1_100),
                ")".repeat(1_100)
            );
            let problems = Format::Sexpr
                .read(too_deep.as_bytes(), &limits)
                .unwrap_err();
            assert_eq!(problems[0].code, Code::Limit);
        })
        .unwrap();
    worker.join().expect("no stack overflow");
}
