//! Text parameters through validation and lowering, with the test module `words`
//! (`common::words`): mistakes inside a string at their exact line:column in both text forms,
//! outputs named by the text, and what the compiler hands the kernels' builders.

use crate::common::{input, words};
use patchvm_compiler::{compile, transition};
use patchvm_ir::{
    Catalog, Code, Diagnostic, Diagnostics, Edit, Feed, Format, Graph, InputSpec, Limits,
    LineIndex, ModuleSpec, OutputSpec, Part, Patch, Role, Span, TextValue, Unit, validate,
};

const GAIN_INPUTS: &[InputSpec] = &[input("in", 0.0, false), input("amp", 1.0, false)];
const FADE_INPUTS: &[InputSpec] = &[
    input("from", 0.0, false),
    input("to", 0.0, false),
    input("time", 0.02, false),
];
const OUTPUT_INPUTS: &[InputSpec] = &[input("in", 0.0, false)];
const FEEDS: &[Feed] = &[Feed {
    port: "in",
    channel: None,
}];

fn catalog() -> &'static Catalog {
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| {
        let out = &[OutputSpec {
            name: "out",
            doc: "",
            unit: Unit::Signal,
        }];
        Catalog::new(vec![
            words::SPEC,
            ModuleSpec {
                name: "gain",
                doc: "",
                inputs: GAIN_INPUTS,
                outputs: out,
                role: Role::Kernel,
            },
            ModuleSpec {
                name: "edit.fade",
                doc: "",
                inputs: FADE_INPUTS,
                outputs: out,
                role: Role::Kernel,
            },
            ModuleSpec {
                name: "output",
                doc: "",
                inputs: OUTPUT_INPUTS,
                outputs: &[],
                role: Role::Output,
            },
        ])
        .with_part("output", Part::Output(FEEDS))
        .with_part(
            "edit.fade",
            Part::Fade {
                from: "from",
                to: "to",
                time: "time",
                out: "out",
            },
        )
    })
}

/// A patch whose node `w` (module `words`) has the entries `w`, feeding gain `g` by
/// `connection`, which feeds the output.
fn sexpr(w: &str, connection: &str) -> String {
    format!(
        "(patch\n  (nodes\n    (w (type \"words\"){w})\n    (g (type \"gain\"))\n    (out (type \"output\")))\n  (connections\n    {connection}\n    (g \"out\" -> out \"in\")))\n"
    )
}

fn read(text: &str, format: Format) -> Patch {
    format
        .read(text.as_bytes(), &Limits::default())
        .unwrap_or_else(|problems| panic!("{problems:#?}"))
}

fn graph(text: &str) -> Graph<'static> {
    validate(&read(text, Format::Sexpr), catalog(), &Limits::default())
        .unwrap_or_else(|problems| panic!("{problems:#?}"))
}

fn problems(patch: &Patch) -> Diagnostics {
    validate(patch, catalog(), &Limits::default()).expect_err("the patch is wrong")
}

fn only(mut problems: Diagnostics) -> Diagnostic {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    problems.remove(0)
}

/// `line:column` of the diagnostic's primary span and the source under it.
fn place(text: &str, problem: &Diagnostic) -> (String, String) {
    let span = problem.primary.span;
    let at = LineIndex::new(text).line_column(text, span.start as usize);
    (
        format!("{}:{}", at.line, at.column),
        text[span.range()].to_owned(),
    )
}

#[test]
fn a_mistake_inside_an_s_expression_string_is_at_its_character_after_escapes() {
    // Line 3 is `    (w (type "words") (words "say \"hi\" \\ x7"))`: the string opens at
    // column 30, `\"`, `\"` and `\\` take two columns each, and `7` is at column 46.
    let text = sexpr(r#" (words "say \"hi\" \\ x7")"#, r#"(w "say" -> g "in")"#);
    let problem = only(problems(&read(&text, Format::Sexpr)));
    assert_eq!(problem.code, Code::Text);
    assert_eq!(
        problem.message,
        "digit `7` in a word in the text of parameter `words` of node `w`"
    );
    assert_eq!(place(&text, &problem), ("3:46".into(), "7".into()));
    assert_eq!(problem.hint.as_deref(), Some("write words without digits"));
    // A bare symbol has no quote before it: `(words x7)` puts `7` at column 31.
    let text = sexpr(" (words x7)", "");
    let problem = only(problems(&read(&text, Format::Sexpr)));
    assert_eq!(place(&text, &problem), ("3:31".into(), "7".into()));
}

#[test]
fn a_mistake_inside_a_json_string_is_at_its_character_after_escapes() {
    // Line 3's string opens at column 50; `\u00e9` takes six columns, `\t` and `\"` two.
    let line = r#"    "w": { "type": "words", "params": { "words": "\u00e9\t\"q\" x7" } },"#;
    let text = format!(
        "{{\n  \"nodes\": {{\n{line}\n    \"out\": {{ \"type\": \"output\" }}\n  }},\n  \"connections\": []\n}}\n"
    );
    let problem = only(problems(&read(&text, Format::Json)));
    assert_eq!(problem.code, Code::Text);
    assert_eq!(place(&text, &problem), ("3:66".into(), "7".into()));
    // A digit written as an escape is the whole escape.
    let line = r#"    "w": { "type": "words", "params": { "words": "bd \u0037" } },"#;
    let text = text.replace(text.lines().nth(2).unwrap(), line);
    let problem = only(problems(&read(&text, Format::Json)));
    assert_eq!(place(&text, &problem), ("3:54".into(), r"\u0037".into()));
}

#[test]
fn a_mistake_in_a_patch_without_source_has_no_span() {
    let patch = read(&sexpr(" (words \"x7\")", ""), Format::Sexpr);
    let bytes = Format::MessagePack.write(&patch);
    let unread = Format::MessagePack
        .read(&bytes, &Limits::default())
        .unwrap();
    let problem = only(problems(&unread));
    assert_eq!(
        (problem.code, problem.primary.span),
        (Code::Text, Span::NONE)
    );
}

#[test]
fn text_and_numbers_each_refuse_the_other() {
    let text = sexpr(" (words 3)", "");
    let problem = only(problems(&read(&text, Format::Sexpr)));
    assert_eq!(problem.code, Code::Text);
    assert_eq!(
        problem.message,
        "parameter `words` of node `w` takes text, not a number"
    );
    assert_eq!(place(&text, &problem).1, "3");
    assert_eq!(
        problem.hint.as_deref(),
        Some("write a string, e.g. `(words \"a\")`")
    );
    // A number input given text keeps the wrong-type code it always had.
    let problem = only(problems(&read(&sexpr(" (level \"x\")", ""), Format::Sexpr)));
    assert_eq!(problem.code, Code::WrongType);
}

#[test]
fn a_text_input_cannot_be_connected() {
    let text = sexpr("", r#"(g "out" -> w "words")"#);
    let problem = only(problems(&read(&text, Format::Sexpr)));
    assert_eq!(problem.code, Code::NotConnectable);
    assert_eq!(
        problem.message,
        "input `words` of node `w` takes text and cannot take a signal"
    );
    assert_eq!(place(&text, &problem), ("7:19".into(), "\"words\"".into()));
    assert_eq!(
        problem.hint.as_deref(),
        Some("set it as a parameter instead, e.g. `(words \"a\")`")
    );
}

#[test]
fn outputs_named_by_the_text_resolve_to_the_group_s_outputs() {
    let spec = &words::SPEC;
    let from = |name: &str| {
        let graph = graph(&sexpr(
            " (words \"bd sd bd hh\")",
            &format!("(w \"{name}\" -> g \"in\")"),
        ));
        graph.edges[0].output
    };
    // `bd sd hh`, each once, in order of first use: `word0`, `word1`, `word2`.
    assert_eq!(from("bd"), spec.output("word0").unwrap());
    assert_eq!(from("sd"), spec.output("word1").unwrap());
    assert_eq!(from("hh"), spec.output("word2").unwrap());
    assert_eq!(from("count"), spec.output("count").unwrap());
    // Without a text, the default `a` names `word0`.
    let graph = graph(&sexpr("", r#"(w "a" -> g "in")"#));
    assert_eq!(graph.edges[0].output, spec.output("word0").unwrap());
    assert_eq!(
        graph.nodes[0].texts,
        [TextValue {
            input: 0,
            text: "a".into()
        }]
    );
}

#[test]
fn an_unknown_name_says_which_names_the_text_gives() {
    let text = sexpr(" (words \"kick snare hat\")", r#"(w "snar" -> g "in")"#);
    let problem = only(problems(&read(&text, Format::Sexpr)));
    assert_eq!(problem.code, Code::Text);
    assert_eq!(
        problem.message,
        "unknown output port `snar` on node `w` (module `words`)"
    );
    assert_eq!(place(&text, &problem), ("7:8".into(), "\"snar\"".into()));
    assert_eq!(problem.hint.as_deref(), Some("did you mean `snare`?"));
    // Nothing close: every name, and the other outputs. The group's own names are not
    // names a patch uses.
    for port in ["cp", "word0"] {
        let text = sexpr(
            " (words \"kick snare hat\")",
            &format!("(w \"{port}\" -> g \"in\")"),
        );
        let problem = only(problems(&read(&text, Format::Sexpr)));
        assert_eq!(
            problem.hint.as_deref(),
            Some("its `words` names `kick`, `snare`, `hat`; its other outputs are `count`"),
            "{port}"
        );
    }
    // A wrong text is reported once, not again for every name it would have given.
    let text = sexpr(" (words \"bd s9\")", r#"(w "sd" -> g "in")"#);
    assert_eq!(only(problems(&read(&text, Format::Sexpr))).code, Code::Text);
}

#[test]
fn a_text_naming_more_outputs_than_the_group_has_is_refused() {
    let text = sexpr(" (words \"a b c d e\")", "");
    let problem = only(problems(&read(&text, Format::Sexpr)));
    assert_eq!(problem.code, Code::Text);
    assert_eq!(
        problem.message,
        "the text of parameter `words` of node `w` names 5 outputs, more than the 4 of module `words`"
    );
    assert_eq!(place(&text, &problem).1, "a b c d e");
}

#[test]
fn kernels_are_built_from_the_node_s_text() {
    let patch = read(
        &sexpr(" (words \"bd sd\")", r#"(w "sd" -> g "in")"#),
        Format::Sexpr,
    );
    let compiled = compile(&patch, catalog(), &Limits::default()).unwrap();
    let node = compiled
        .kernels
        .iter()
        .find(|kernel| kernel.spec.name == "words")
        .unwrap();
    assert_eq!(
        node.texts,
        [TextValue {
            input: 0,
            text: "bd sd".into()
        }]
    );
    // Its five outputs are its kernel's.
    assert_eq!(compiled.program.kernels[0].shape.outputs, 5);
}

#[test]
fn a_text_edit_is_checked_like_a_text_in_a_file() {
    let patch = read(
        &sexpr(" (words \"kick snare\")", r#"(w "snare" -> g "in")"#),
        Format::Sexpr,
    );
    let limits = Limits::default();
    let set = |text: &str| Edit::SetText {
        node: "w".into(),
        param: "words".into(),
        text: text.into(),
    };
    let edited = set("hat snare").apply(&patch, catalog(), &limits).unwrap();
    let graph = validate(&edited, catalog(), &limits).unwrap();
    assert_eq!(graph.nodes[0].texts[0].text, "hat snare");
    assert_eq!(graph.edges[0].output, words::SPEC.output("word1").unwrap());
    // A mistake: no source, so no span, but the message says what.
    let problem = only(
        set("hat 5nare")
            .apply(&patch, catalog(), &limits)
            .unwrap_err(),
    );
    assert_eq!(
        (problem.code, problem.primary.span),
        (Code::Text, Span::NONE)
    );
    assert!(problem.message.starts_with("digit `5` in a word"));
    // The edit drops `snare`, which the connection still uses.
    let problem = only(
        set("kick snares")
            .apply(&patch, catalog(), &limits)
            .unwrap_err(),
    );
    assert_eq!(problem.code, Code::Text);
    assert_eq!(problem.hint.as_deref(), Some("did you mean `snares`?"));
    let number = Edit::SetParam {
        node: "w".into(),
        param: "words".into(),
        value: 1.0,
    };
    assert_eq!(
        only(number.apply(&patch, catalog(), &limits).unwrap_err()).code,
        Code::Text
    );
}

#[test]
fn a_text_edit_that_moves_a_name_fades_its_connection() {
    let before = graph(&sexpr(" (words \"bd sd\")", r#"(w "bd" -> g "in")"#));
    // `bd` moves from word0 to word1: the gain's input is fed from another output.
    let after = graph(&sexpr(" (words \"sd bd\")", r#"(w "bd" -> g "in")"#));
    let joined = transition(&before, &after, catalog(), 0.02)
        .unwrap()
        .unwrap();
    let fades: Vec<&str> = joined
        .graph
        .nodes
        .iter()
        .filter(|node| node.spec.name == "edit.fade")
        .map(|node| node.id.as_str())
        .collect();
    assert_eq!(fades, ["g/edit.in"]);
    // `bd` stays word0: the same edges, nothing to fade; only the kernel is new.
    let kept = graph(&sexpr(" (words \"bd hh\")", r#"(w "bd" -> g "in")"#));
    assert!(
        transition(&before, &kept, catalog(), 0.02)
            .unwrap()
            .is_none()
    );
    assert_ne!(before.nodes[0].texts, kept.nodes[0].texts);
}
