//! S-expression errors: codes, spans, hints and limits.

use super::*;

#[test]
fn sexpr_missing_type_is_labelled_at_the_node() {
    let text = "(patch (nodes (osc1 (freq 440))))";
    let problem = sexpr_error(text);
    assert_eq!(problem.code, Code::Shape);
    assert_eq!(problem.message, "node `osc1` has no type");
    assert_eq!(under(text, &problem), "(osc1 (freq 440))");
    assert!(
        problem
            .hint
            .unwrap()
            .contains(r#"(osc1 (type "osc.sine") ...)"#)
    );
}

#[test]
fn sexpr_params_take_exactly_one_value() {
    for (text, culprit) in [
        ("(patch (nodes (a (type t) (freq))))", "(freq)"),
        ("(patch (nodes (a (type t) (freq 1 2))))", "(freq 1 2)"),
    ] {
        let problem = sexpr_error(text);
        assert_eq!(problem.code, Code::Shape);
        assert_eq!(under(text, &problem), culprit);
        assert!(problem.hint.unwrap().contains("`(freq (1 2))`"));
    }
}

#[test]
fn sexpr_sections_are_named_once() {
    let text = "(patch (nodez) (connections) (connections))";
    let problems = sexpr::read(text, &limits()).unwrap_err();
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert_eq!(problems[0].code, Code::Shape);
    assert_eq!(under(text, &problems[0]), "(nodez)");
    let hint = problems[0].hint.as_deref().unwrap();
    assert!(hint.contains("did you mean `nodes`?") && hint.contains("`connections`"));
    assert_eq!(problems[1].message, "duplicate section `connections`");
    assert_eq!(
        &text[problems[1].secondary[0].span.range()],
        "(connections)"
    );
    assert_eq!(problems[1].secondary[0].span.start, 15);
}

#[test]
fn sexpr_shape_errors_are_all_collected() {
    let text = r#"(patch
  (nodes
    (a (freq 1))
    (b (type x) (type y))
    (c (type t) oops)
    7)
  (connections
    (a "out" b "in")
    (a out -> b)
    (a out -> b in))
  (extra))
(more)"#;
    let problems = sexpr::read(text, &limits()).unwrap_err();
    let found: Vec<(Code, &str)> = problems
        .iter()
        .map(|problem| (problem.code, under(text, problem)))
        .collect();
    assert_eq!(
        found,
        [
            (Code::Shape, "(a (freq 1))"),
            (Code::Shape, "(type y)"),
            (Code::Shape, "oops"),
            (Code::Shape, "7"),
            (Code::Shape, r#"(a "out" b "in")"#),
            (Code::Shape, "(a out -> b)"),
            (Code::Shape, "(extra)"),
            (Code::Shape, "(more)"),
        ]
    );
    assert!(
        problems[4]
            .hint
            .as_deref()
            .unwrap()
            .contains(r#"(osc1 "out" -> gain1 "in")"#)
    );
}

#[test]
fn sexpr_top_form_must_be_a_patch() {
    for text in ["(nodes)", "patch", "(\"patc\" (nodes))"] {
        let problem = sexpr_error(text);
        assert_eq!((problem.code, under(text, &problem)), (Code::Shape, text));
    }
}

#[test]
fn sexpr_type_keyword_is_bare_and_names_may_be_strings() {
    let text = r#"(patch (nodes ("my osc" (type "osc.sine") ("type" 3) (mode sine))))"#;
    let patch = sexpr::read(text, &limits()).unwrap();
    let node = &patch.nodes[0];
    assert_eq!(node.id.text, "my osc");
    assert_eq!(node.params[0].name.text, "type");
    assert_eq!(node.params[1].value.kind, ValueKind::Text("sine".into()));
}

#[test]
fn sexpr_readers_keep_duplicates_for_the_validator() {
    let text = "(patch (nodes (a (type x)) (a (type y) (f 1) (f 2))))";
    let patch = sexpr::read(text, &limits()).unwrap();
    assert_eq!(patch.nodes.len(), 2);
    assert_eq!(patch.nodes[1].params.len(), 2);
}

#[test]
fn sexpr_syntax_errors_stop_at_the_first() {
    let text = "(patch (nodes (a (type x)) (b (type y)";
    let problem = sexpr_error(text);
    assert_eq!(problem.code, Code::Syntax);
    assert_eq!(problem.primary.message, "this parenthesis is never closed");
    assert_eq!(under(text, &problem), "(");
    assert_eq!(problem.primary.span, Span::new(27, 28));

    let problem = sexpr_error("(patch (nodes (a (type \"x)))))");
    assert_eq!(problem.code, Code::Syntax);
    assert_eq!(problem.primary.span, Span::new(23, 24));
}

#[test]
fn sexpr_counts_and_lengths_are_limited() {
    let small = Limits {
        max_nodes: 2,
        max_connections: 1,
        // "connections" is 11 bytes, and keywords are symbols too.
        max_string_bytes: 11,
        ..Limits::default()
    };
    let cases = [
        (
            "(patch (nodes (a (type t)) (b (type t)) (c (type t))))",
            "(c (type t))",
            "--max-nodes",
        ),
        (
            "(patch (connections (a o -> b i) (a o -> c i)))",
            "(a o -> c i)",
            "--max-connections",
        ),
        (
            "(patch (nodes (abcdefghijkl (type t))))",
            "abcdefghijkl",
            "--max-string-bytes",
        ),
        (
            "(patch (nodes (a (type \"abcdefghijkl\"))))",
            "\"abcdefghijkl",
            "--max-string-bytes",
        ),
    ];
    for (text, culprit, flag) in cases {
        let problem = one(sexpr::read(text, &small).unwrap_err());
        assert_eq!(problem.code, Code::Limit, "{text}");
        assert_eq!(under(text, &problem), culprit);
        assert!(problem.hint.unwrap().contains(flag));
    }
}

#[test]
fn sexpr_deep_nesting_is_a_limit_not_a_crash() {
    let text = "(".repeat(200_000);
    let problem = sexpr_error(&text);
    assert_eq!(problem.code, Code::Limit);
    assert_eq!(problem.primary.span.start as usize, limits().max_depth);
    assert!(problem.hint.unwrap().contains("`--max-depth`"));

    let limits = Limits {
        max_depth: 5,
        ..Limits::default()
    };
    let ok = "(patch (nodes (a (type t) (v (1))))) ";
    assert!(sexpr::read(ok, &limits).is_ok());
    let deep = "(patch (nodes (a (type t) (v ((1))))))";
    assert_eq!(
        one(sexpr::read(deep, &limits).unwrap_err()).code,
        Code::Limit
    );
}

#[test]
fn sexpr_forms_after_the_patch_are_capped() {
    use patchvm_ir::diagnostic::MAX_DIAGNOSTICS;
    let patch = "(patch (nodes (out (type \"output\"))) (connections))\n";
    // Each extra form is 4 bytes: the k-th (from 0) starts at `patch.len() + 4 * k`.
    let text = format!("{patch}{}", "(x)\n".repeat(20_000));
    let problems = sexpr::read(&text, &limits()).unwrap_err();
    assert_eq!(problems.len(), MAX_DIAGNOSTICS);
    let starts: Vec<usize> = problems
        .iter()
        .map(|problem| problem.primary.span.start as usize)
        .collect();
    let expected: Vec<usize> = (0..MAX_DIAGNOSTICS).map(|k| patch.len() + 4 * k).collect();
    assert_eq!(starts, expected);
    assert!(problems.iter().all(|problem| problem.code == Code::Shape));
}

#[test]
fn sexpr_a_limit_after_a_full_list_is_still_reported_last() {
    use patchvm_ir::diagnostic::MAX_DIAGNOSTICS;
    let small = Limits {
        max_nodes: 150,
        ..Limits::default()
    };
    // 150 nodes with an unknown key each (150 shape problems), then one node too many.
    let nodes: String = (0..151)
        .map(|n| format!("(n{n} (type \"gain\") (\"type\" 1) (type \"gain\"))\n"))
        .collect();
    let text = format!("(patch (nodes {nodes}) (connections))");
    let problems = sexpr::read(&text, &small).unwrap_err();
    assert_eq!(problems.len(), MAX_DIAGNOSTICS);
    assert_eq!(problems[MAX_DIAGNOSTICS - 1].code, Code::Limit);
    assert!(
        problems[..MAX_DIAGNOSTICS - 1]
            .iter()
            .all(|problem| problem.code == Code::Shape)
    );
}
