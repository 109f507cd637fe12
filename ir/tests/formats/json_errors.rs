//! JSON errors: codes, spans, hints and limits.

use super::*;

#[test]
fn json_syntax_errors_point_at_the_byte() {
    let text = "{\n  \"nodes\": {,}\n}";
    let problem = json_error(text);
    assert_eq!(problem.code, Code::Syntax);
    assert!(
        problem.message.starts_with("invalid JSON: "),
        "{}",
        problem.message
    );
    assert_eq!(under(text, &problem), ",");

    let text = "{\"nodes\": {}} x";
    let problem = json_error(text);
    assert_eq!((problem.code, under(text, &problem)), (Code::Syntax, "x"));

    let text = "{\"nodes\": {\"é\": ";
    let problem = json_error(text);
    assert_eq!(problem.code, Code::Syntax);
    assert_eq!(
        problem.message,
        "invalid JSON: end of file while parsing a value"
    );
}

#[test]
fn json_numbers_out_of_range_are_syntax_errors_at_the_number() {
    let text = r#"{"nodes": {"a": {"type": "t", "params": {"f": 1e400}}}}"#;
    let problem = json_error(text);
    assert_eq!(problem.code, Code::Syntax);
    assert_eq!(under(text, &problem), "1e400");
}

#[test]
fn json_unknown_keys_name_the_valid_ones() {
    let text = r#"{"nodez": {}, "nodes": {"a": {"type": "t", "parms": {}}}}"#;
    let problems = json::read(text, &limits()).unwrap_err();
    assert_eq!(problems.len(), 2);
    assert_eq!(under(text, &problems[0]), r#""nodez""#);
    assert_eq!(problems[0].message, "unknown key `nodez` in the patch");
    assert!(
        problems[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("`connections`")
    );
    assert_eq!(under(text, &problems[1]), r#""parms""#);
    assert!(
        problems[1]
            .hint
            .as_deref()
            .unwrap()
            .contains("did you mean `params`?")
    );
}

#[test]
fn json_structural_duplicates_are_shape_errors() {
    let text = r#"{"nodes": {"a": {"type": "t", "type": "u"}}, "nodes": {}}"#;
    let problems = json::read(text, &limits()).unwrap_err();
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems.iter().all(|problem| problem.code == Code::Shape));
    assert_eq!(problems[0].primary.span.start, 30);
    assert_eq!(&text[problems[0].secondary[0].span.range()], r#""type""#);
    assert_eq!(problems[0].secondary[0].message, "first defined here");
    assert_eq!(problems[1].primary.span.start, 45);
    assert_eq!(problems[1].secondary[0].span.start, 1);
}

#[test]
fn json_keeps_duplicate_nodes_and_params_for_the_validator() {
    let text = r#"{"nodes": {"a": {"type": "t", "params": {"f": 1, "f": 2}}, "a": {"type": "u"}}}"#;
    let patch = json::read(text, &limits()).unwrap();
    assert_eq!(patch.nodes.len(), 2);
    assert_eq!(patch.nodes[0].params.len(), 2);
    assert_eq!(&text[patch.nodes[1].id.span.range()], r#""a""#);
    assert_eq!(patch.nodes[1].id.span.start, 59);
}

#[test]
fn json_unsupported_values_are_wrong_types() {
    let text = r#"{"nodes": {"a": {"type": "t", "params": {
        "b": true, "n": null, "o": {"x": 1}, "l": [1, [false]], "ok": [1, "s"]}}}}"#;
    let problems = json::read(text, &limits()).unwrap_err();
    let found: Vec<(Code, &str)> = problems
        .iter()
        .map(|problem| (problem.code, under(text, problem)))
        .collect();
    assert_eq!(
        found,
        [
            (Code::WrongType, "true"),
            (Code::WrongType, "null"),
            (Code::WrongType, r#"{"x": 1}"#),
            (Code::WrongType, "false"),
        ]
    );
    assert_eq!(
        problems[0].message,
        "unsupported value `true` for parameter `b` on node `a`"
    );
    assert_eq!(
        problems[0].hint.as_deref(),
        Some("parameter values are numbers, strings or lists")
    );
}

#[test]
fn json_shape_errors_point_at_the_culprit() {
    let cases = [
        (r#"[]"#, "[]"),
        (r#"{"nodes": []}"#, "[]"),
        (r#"{"nodes": {"a": 1}}"#, "1"),
        (
            r#"{"nodes": {"a": {"params": {}}}}"#,
            r#""a": {"params": {}}"#,
        ),
        (r#"{"nodes": {"a": {"type": 3}}}"#, "3"),
        (r#"{"nodes": {"a": {"type": "t", "params": []}}}"#, "[]"),
        (r#"{"connections": {}}"#, "{}"),
        (r#"{"connections": [1]}"#, "1"),
        (
            r#"{"connections": [{"from": ["a"], "to": ["b", "i"]}]}"#,
            r#"["a"]"#,
        ),
        (
            r#"{"connections": [{"from": ["a", 1], "to": ["b", "i"]}]}"#,
            r#"["a", 1]"#,
        ),
        (
            r#"{"connections": [{"from": ["a", "o"]}]}"#,
            r#"{"from": ["a", "o"]}"#,
        ),
        (
            r#"{"connections": [{"form": 1, "from": ["a", "o"], "to": ["b", "i"]}]}"#,
            r#""form""#,
        ),
    ];
    for (text, culprit) in cases {
        let problem = json_error(text);
        assert_eq!(
            (problem.code, under(text, &problem)),
            (Code::Shape, culprit),
            "{text}"
        );
        assert!(problem.hint.is_some());
    }
}

#[test]
fn json_limits_are_enforced() {
    let small = Limits {
        max_nodes: 1,
        max_connections: 1,
        // Keys are strings too, and "connections" is 11 bytes.
        max_string_bytes: 11,
        ..Limits::default()
    };
    let cases = [
        (
            r#"{"nodes": {"a": {"type": "t"}, "b": {"type": "t"}}}"#,
            r#""b""#,
        ),
        (
            r#"{"connections": [{"from": ["a", "o"], "to": ["b", "i"]}, 2]}"#,
            "2",
        ),
        (
            r#"{"nodes": {"abcdefghijkl": {"type": "t"}}}"#,
            r#""abcdefghijkl""#,
        ),
        (
            r#"{"nodes": {"a": {"type": "abcdefghijkl"}}}"#,
            r#""abcdefghijkl""#,
        ),
    ];
    for (text, culprit) in cases {
        let problem = one(json::read(text, &small).unwrap_err());
        assert_eq!(
            (problem.code, under(text, &problem)),
            (Code::Limit, culprit),
            "{text}"
        );
    }
}

#[test]
fn json_deep_nesting_is_a_limit_at_the_bracket() {
    let text = "[".repeat(200_000);
    let problem = json_error(&text);
    assert_eq!(problem.code, Code::Limit);
    assert_eq!(problem.primary.span, Span::new(64, 65));
    assert!(problem.hint.unwrap().contains("`--max-depth`"));

    let text = format!("{}{}", "{\"a\":".repeat(100), "}".repeat(100));
    assert_eq!(json_error(&text).code, Code::Limit);
}
