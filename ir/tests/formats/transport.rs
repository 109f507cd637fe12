//! The transport section in the three formats: read with spans, written, converted without
//! loss, and refused with `E0114` at the offending text.

use super::*;
use patchvm_ir::transport::{DEFAULT_BPM, DEFAULT_METER, Meter, TempoChange, TempoShape};

const SEXPR: &str =
    "(patch (transport (bpm 137) (meter 6 8) (tempo (step 32 140) (ramp 64 90.5))))";
const JSON: &str = r#"{ "transport": { "bpm": 137, "meter": [6, 8],
  "tempo": [{ "step": 32, "bpm": 140 }, { "ramp": 64, "bpm": 90.5 }] } }"#;

fn expected() -> Transport {
    let change = |beat, bpm, shape| TempoChange {
        beat,
        bpm,
        shape,
        span: Span::NONE,
    };
    Transport {
        bpm: 137.0,
        meter: Meter { beats: 6, unit: 8 },
        tempo: vec![
            change(32.0, 140.0, TempoShape::Step),
            change(64.0, 90.5, TempoShape::Ramp),
        ],
        ..Transport::default()
    }
}

#[test]
fn both_text_forms_read_the_same_section_with_spans() {
    let from_sexpr = sexpr::read(SEXPR, &limits()).unwrap();
    let from_json = json::read(JSON, &limits()).unwrap();
    let section = from_sexpr.transport.as_ref().unwrap();
    assert_eq!(&SEXPR[section.bpm_span.range()], "(bpm 137)");
    assert_eq!(&SEXPR[section.meter_span.range()], "(meter 6 8)");
    assert_eq!(&SEXPR[section.tempo[1].span.range()], "(ramp 64 90.5)");
    assert!(SEXPR[section.span.range()].starts_with("(transport (bpm"));
    let section = from_json.transport.as_ref().unwrap();
    assert_eq!(&JSON[section.meter_span.range()], r#""meter": [6, 8]"#);
    assert_eq!(
        &JSON[section.tempo[0].span.range()],
        r#"{ "step": 32, "bpm": 140 }"#
    );
    for patch in [from_sexpr, from_json] {
        assert_eq!(patch.without_spans().transport, Some(expected()));
    }
}

#[test]
fn every_format_converts_the_section_into_every_other_without_loss() {
    let patch = Patch {
        transport: Some(expected()),
        ..seed()
    };
    for from in Format::ALL {
        let read = from.read(&from.write(&patch), &limits()).unwrap();
        for to in Format::ALL {
            let again = to.read(&to.write(&read), &limits()).unwrap();
            assert_same(&again, &patch);
        }
    }
}

#[test]
fn an_empty_section_takes_the_defaults_and_no_section_stays_none() {
    let patch = sexpr::read("(patch (transport))", &limits()).unwrap();
    let section = patch.transport.unwrap();
    assert_eq!((section.bpm, section.meter), (DEFAULT_BPM, DEFAULT_METER));
    assert_eq!(
        (DEFAULT_BPM, DEFAULT_METER),
        (120.0, Meter { beats: 4, unit: 4 })
    );
    assert!(section.tempo.is_empty());
    assert_eq!(json::read("{}", &limits()).unwrap(), Patch::default());
    assert_eq!(sexpr::read("(patch)", &limits()).unwrap(), Patch::default());
}

#[test]
fn reader_mistakes_are_transport_errors_at_their_entry() {
    for (text, under_span, message) in [
        (
            "(patch (transport (bmp 120)))",
            "(bmp 120)",
            "unknown transport entry `bmp`",
        ),
        (
            "(patch (transport (bpm 120) (bpm 90)))",
            "(bpm 90)",
            "duplicate `bpm` in the transport section",
        ),
        (
            "(patch (transport (meter 4)))",
            "(meter 4)",
            "`meter` takes two numbers, the notes to the bar and their value",
        ),
        (
            "(patch (transport (meter 4 3)))",
            "(meter 4 3)",
            "a meter's note value 3 is not a power of two from 1 to 64",
        ),
        (
            "(patch (transport (meter 65 4)))",
            "(meter 65 4)",
            "a meter of 65 notes to the bar is outside 1..=64",
        ),
        (
            "(patch (transport (tempo (jump 4 90))))",
            "(jump 4 90)",
            "unknown tempo change `jump`",
        ),
    ] {
        let problem = sexpr_error(text);
        assert_eq!(problem.code, Code::Transport, "{text}");
        assert_eq!(problem.message, message);
        assert_eq!(under(text, &problem), under_span);
    }
    let problem = sexpr_error("(patch (transport (bmp 120)))");
    assert!(problem.hint.unwrap().starts_with("did you mean `bpm`?"));
    for (text, under_span, message) in [
        (
            r#"{"transport": {"tempo": [], "bmp": 1}}"#,
            r#""bmp""#,
            "unknown key `bmp` in the transport section",
        ),
        (
            r#"{"transport": {"meter": [7, 12]}}"#,
            r#""meter": [7, 12]"#,
            "a meter's note value 12 is not a power of two from 1 to 64",
        ),
        (
            r#"{"transport": {"tempo": [{"step": 4, "ramp": 8, "bpm": 90}]}}"#,
            r#""ramp""#,
            "a tempo change is either a `step` or a `ramp`, not both",
        ),
        (
            r#"{"transport": {"tempo": [{"step": 4}]}}"#,
            r#"{"step": 4}"#,
            "a tempo change needs `bpm` and one of `step` and `ramp`",
        ),
    ] {
        let problem = json_error(text);
        assert_eq!(problem.code, Code::Transport, "{text}");
        assert_eq!(problem.message, message);
        assert_eq!(under(text, &problem), under_span);
    }
}

#[test]
fn a_huge_tempo_map_hits_its_limit() {
    let small = Limits {
        max_tempo_changes: 3,
        ..Limits::default()
    };
    let changes: String = (1..=5).map(|beat| format!("(step {beat} 100)")).collect();
    let text = format!("(patch (transport (tempo {changes})))");
    let problem = one(sexpr::read(&text, &small).unwrap_err());
    assert_eq!(problem.code, Code::Limit);
    assert_eq!(under(&text, &problem), "(step 4 100)");
    assert!(problem.hint.unwrap().contains("--max-tempo-changes"));
    let changes: Vec<String> = (1..=5)
        .map(|beat| format!(r#"{{"step": {beat}, "bpm": 100}}"#))
        .collect();
    let text = format!(r#"{{"transport": {{"tempo": [{}]}}}}"#, changes.join(", "));
    let problem = one(json::read(&text, &small).unwrap_err());
    assert_eq!(problem.code, Code::Limit);
    assert_eq!(under(&text, &problem), r#"{"step": 4, "bpm": 100}"#);
}
