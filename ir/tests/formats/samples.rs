//! The sample bank section in the three formats: read with spans, converted without loss,
//! and its shape mistakes refused with `E0121` at the offending text.

use super::*;

const SEXPR: &str = r#"(patch (samples (bd "kit/kick.wav") "drums/" (sd "kit/snare.wav")))"#;
const JSON: &str =
    r#"{ "samples": [ { "bd": "kit/kick.wav" }, "drums/", { "sd": "kit/snare.wav" } ] }"#;

fn expected() -> Vec<SampleEntry> {
    vec![
        SampleEntry::File {
            word: Name::new("bd"),
            path: Name::new("kit/kick.wav"),
        },
        SampleEntry::Folder {
            path: Name::new("drums/"),
        },
        SampleEntry::File {
            word: Name::new("sd"),
            path: Name::new("kit/snare.wav"),
        },
    ]
}

#[test]
fn both_text_forms_read_the_same_bank_with_spans() {
    let from_sexpr = sexpr::read(SEXPR, &limits()).unwrap();
    let SampleEntry::File { word, path } = &from_sexpr.samples[0] else {
        panic!("a file entry");
    };
    assert_eq!(&SEXPR[word.span.range()], "bd");
    assert_eq!(&SEXPR[path.span.range()], r#""kit/kick.wav""#);
    assert_eq!(
        &SEXPR[from_sexpr.samples[1].path().span.range()],
        r#""drums/""#
    );
    let from_json = json::read(JSON, &limits()).unwrap();
    assert_eq!(
        &JSON[from_json.samples[1].path().span.range()],
        r#""drums/""#
    );
    assert_eq!(from_sexpr.without_spans().samples, expected());
    assert_eq!(from_json.without_spans().samples, expected());
}

#[test]
fn a_bank_converts_between_every_format_unchanged() {
    let patch = Patch {
        samples: expected(),
        ..Patch::default()
    };
    for format in Format::ALL {
        let read = format.read(&format.write(&patch), &limits()).unwrap();
        assert_eq!(read.without_spans(), patch, "via {format:?}");
    }
    // Words alone are a map in the document form.
    let words = Patch {
        samples: vec![expected().remove(0)],
        ..Patch::default()
    };
    let text = String::from_utf8(Format::Json.write(&words)).unwrap();
    assert!(
        text.contains(r#""samples": {"#) || text.contains(r#""samples":{"#),
        "{text}"
    );
}

#[test]
fn a_bank_entry_of_the_wrong_shape_is_e0121_at_it() {
    let text = r#"(patch (samples (bd 5) "ok/"))"#;
    let problems = sexpr::read(text, &limits()).unwrap_err();
    assert_eq!(problems[0].code, Code::SampleBank);
    assert_eq!(&text[problems[0].primary.span.range()], "(bd 5)");
    let text = r#"{ "samples": [ 5, { "bd": 1 } ] }"#;
    let problems = json::read(text, &limits()).unwrap_err();
    let at: Vec<&str> = problems
        .iter()
        .map(|p| &text[p.primary.span.range()])
        .collect();
    assert_eq!(at, ["5", "1"]);
    assert!(problems.iter().all(|p| p.code == Code::SampleBank));
}
