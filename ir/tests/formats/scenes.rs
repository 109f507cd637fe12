//! The scenes section in the three formats: read with spans (keys split into node and input),
//! written, converted without loss, and refused with `E0118` at the offending text.

use super::*;

const SEXPR: &str = r#"(patch (scenes
  (verse (lead.cutoff 800) (drums.pattern "bd ~ sd ~"))
  ("the chorus" ("out.saw.freq" 220.5))))"#;
const JSON: &str = r#"{ "scenes": {
  "verse": { "lead.cutoff": 800, "drums.pattern": "bd ~ sd ~" },
  "the chorus": { "out.saw.freq": 220.5 } } }"#;

fn value(node: &str, port: &str, kind: ValueKind) -> SceneValue {
    SceneValue {
        key: Name::new(format!("{node}.{port}")),
        value: Value {
            kind,
            span: Span::NONE,
            escapes: Vec::new(),
        },
        span: Span::NONE,
    }
}

fn expected() -> Vec<Scene> {
    vec![
        Scene {
            name: Name::new("verse"),
            values: vec![
                value("lead", "cutoff", ValueKind::Number(800.0)),
                value("drums", "pattern", ValueKind::Text("bd ~ sd ~".into())),
            ],
            span: Span::NONE,
        },
        Scene {
            name: Name::new("the chorus"),
            values: vec![value("out.saw", "freq", ValueKind::Number(220.5))],
            span: Span::NONE,
        },
    ]
}

#[test]
fn both_text_forms_read_the_same_scenes_with_spans() {
    let from_sexpr = sexpr::read(SEXPR, &limits()).unwrap();
    let from_json = json::read(JSON, &limits()).unwrap();
    let verse = &from_sexpr.scenes[0];
    assert_eq!(&SEXPR[verse.name.span.range()], "verse");
    assert_eq!(&SEXPR[verse.values[0].span.range()], "(lead.cutoff 800)");
    assert_eq!(&SEXPR[verse.values[0].key.span.range()], "lead.cutoff");
    assert_eq!(&SEXPR[verse.values[1].value.span.range()], r#""bd ~ sd ~""#);
    let chorus = &from_sexpr.scenes[1].values[0].key;
    assert_eq!(&SEXPR[chorus.span.range()], r#""out.saw.freq""#);
    let verse = &from_json.scenes[0];
    assert_eq!(
        &JSON[verse.values[1].span.range()],
        r#""drums.pattern": "bd ~ sd ~""#
    );
    assert_eq!(
        &JSON[verse.values[1].key.span.range()],
        r#""drums.pattern""#
    );
    for patch in [from_sexpr, from_json] {
        assert_eq!(patch.without_spans().scenes, expected());
    }
}

#[test]
fn every_format_converts_the_scenes_into_every_other_without_loss() {
    let patch = Patch {
        scenes: expected(),
        ..seed()
    };
    for from in Format::ALL {
        let read = from.read(&from.write(&patch), &limits()).unwrap();
        for to in Format::ALL {
            let again = to.read(&to.write(&read), &limits()).unwrap();
            assert_same(&again, &patch);
        }
    }
    let written = sexpr::write(&patch);
    assert!(
        written.contains("\n  (scenes\n    (verse\n      (lead.cutoff 800)"),
        "{written}"
    );
}

#[test]
fn reader_mistakes_are_scene_errors_at_their_text() {
    for (text, under_span, message) in [
        (
            "(patch (scenes (verse (cutoff 800))))",
            "cutoff",
            "scene key `cutoff` names no input",
        ),
        (
            "(patch (scenes (verse (lead.cutoff))))",
            "(lead.cutoff)",
            "expected a scene value `(NODE.INPUT VALUE)`",
        ),
        (
            "(patch (scenes verse))",
            "verse",
            "expected a scene, found a symbol",
        ),
        (
            "(patch (scenes ((verse))))",
            "((verse))",
            "a scene must start with its name",
        ),
    ] {
        let problem = sexpr_error(text);
        assert_eq!(problem.code, Code::Scene, "{text}");
        assert_eq!(problem.code.as_str(), "E0118");
        assert_eq!(problem.message, message, "{text}");
        assert_eq!(under(text, &problem), under_span, "{text}");
    }
    for (text, under_span, message) in [
        (
            r#"{ "scenes": { "verse": { "lead.": 1 } } }"#,
            r#""lead.""#,
            "scene key `lead.` names no input",
        ),
        (
            r#"{ "scenes": { "verse": [] } }"#,
            "[]",
            "expected scene `verse` to be an object of values, found an array",
        ),
        (
            r#"{ "scenes": [] }"#,
            "[]",
            "expected `scenes` to be an object, found an array",
        ),
    ] {
        let problem = json_error(text);
        assert_eq!(problem.code, Code::Scene, "{text}");
        assert_eq!(problem.message, message, "{text}");
        assert_eq!(under(text, &problem), under_span, "{text}");
    }
}

#[test]
fn a_text_value_with_escapes_maps_its_characters_back() {
    let text = r#"(patch (scenes (a (d.pattern "x\"y z"))))"#;
    let patch = sexpr::read(text, &limits()).unwrap();
    let value = &patch.scenes[0].values[0].value;
    assert_eq!(&text[value.text_span(4..5).range()], "z");
}
