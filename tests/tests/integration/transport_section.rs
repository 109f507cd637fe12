//! The transport section's rules (`E0114`) at the offending text, and the empty patch: valid,
//! and silent.

use patchvm::ir::{Code, Format, Limits, Patch};
use patchvm_tests::{diagnose, render};

fn problems(text: &str) -> Vec<(Code, String, String)> {
    diagnose(text.as_bytes(), Format::Sexpr)
        .into_iter()
        .map(|problem| {
            let under = text[problem.primary.span.range()].to_owned();
            (problem.code, problem.message, under)
        })
        .collect()
}

#[test]
fn tempi_meters_and_tempo_maps_out_of_range_or_order_are_refused() {
    let text =
        "(patch (transport (bpm 1000) (tempo (step 0 90) (ramp 16 0.5) (step 8 120) (step 8 60))))";
    let found = problems(text);
    let expected = [
        (
            Code::Transport,
            "the transport's tempo is 1000 bpm, outside 1..=999 bpm",
            "(bpm 1000)",
        ),
        (
            Code::Transport,
            "the step at beat 0 does not come after beat 0",
            "(step 0 90)",
        ),
        (
            Code::Transport,
            "the tempo of the ramp at beat 16 is 0.5 bpm, outside 1..=999 bpm",
            "(ramp 16 0.5)",
        ),
        (
            Code::Transport,
            "the step at beat 8 does not come after beat 16",
            "(step 8 120)",
        ),
        (
            Code::Transport,
            "the step at beat 8 does not come after beat 16",
            "(step 8 60)",
        ),
    ];
    let expected: Vec<(Code, String, String)> = expected
        .iter()
        .map(|&(code, message, under)| (code, message.to_owned(), under.to_owned()))
        .collect();
    assert_eq!(found, expected);
    let json = r#"{"transport": {"bpm": 0.5, "meter": [3, 4]}}"#;
    let problems = diagnose(json.as_bytes(), Format::Json);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(&json[problems[0].primary.span.range()], r#""bpm": 0.5"#);
}

#[test]
fn a_valid_section_compiles_beside_the_graph() {
    let text = r#"(patch (transport (bpm 137) (meter 7 8) (tempo (ramp 32 90) (step 64 999)))
                        (o osc.sine) (out output) (-> o out))"#;
    assert_eq!(problems(text), []);
}

#[test]
fn an_empty_patch_is_valid_and_renders_silence() {
    for (text, format) in [
        ("(patch)", Format::Sexpr),
        ("{}", Format::Json),
        ("(patch (transport (bpm 90)))", Format::Sexpr),
    ] {
        assert_eq!(diagnose(text.as_bytes(), format), [], "{text}");
        let patch = format.read(text.as_bytes(), &Limits::default()).unwrap();
        let samples = render(&patch, 256, 64);
        assert_eq!(samples.len(), 256, "one channel");
        assert!(samples.iter().all(|&x| x.to_bits() == 0), "{text}");
    }
    assert_eq!(render(&Patch::default(), 100, 7), vec![0.0; 100]);
}
