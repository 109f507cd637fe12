//! Each warning on a patch written for it, at the exact bytes it names.

use super::{listen, warnings};
use crate::{Prepared, Settings};
use patchvm_ir::{Code, Diagnostic, Format, Limits, Severity, Span};

fn read(text: &str) -> patchvm_ir::Patch {
    Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .expect("the test patch reads")
}

/// The span of the `nth` (from 0) occurrence of `needle` in `text`.
fn at(text: &str, needle: &str, nth: usize) -> Span {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .expect("the needle is in the text")
        .0;
    Span::new(start, start + needle.len())
}

/// The span of node `name`'s id where it is defined, `(name (type …`.
fn id(text: &str, name: &str) -> Span {
    let start = at(text, &format!("({name} (type"), 0).start as usize + 1;
    Span::new(start, start + name.len())
}

fn codes(found: &[Diagnostic]) -> Vec<&'static str> {
    found.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn a_heard_patch_has_no_warning() {
    let text = r#"(patch (nodes (osc (type "osc.sine") (freq 440)) (amp (type "gain") (amp 0.5))
        (out (type "output"))) (connections (osc "out" -> amp "in") (amp "out" -> out "in")))"#;
    let patch = read(text);
    assert!(crate::ir::validate(&patch, patchvm_modules::catalog(), &Limits::default()).is_ok());
    assert_eq!(warnings(&patch), Vec::new());
}

#[test]
fn a_chain_reaching_no_output_is_one_warning_at_its_end() {
    let text = r#"(patch (nodes (osc (type "osc.sine")) (out (type "output"))
        (lfo (type "osc.sine") (freq 2)) (depth (type "gain") (amp 0.3)) (lone (type "osc.saw")))
        (connections (osc "out" -> out "in") (lfo "out" -> depth "in")))"#;
    let found = warnings(&read(text));
    assert_eq!(codes(&found), ["W0101", "W0101"]);
    assert_eq!(found[0].code.severity(), Severity::Warning);
    assert_eq!(found[0].primary.span, at(text, "depth", 0));
    assert_eq!(
        found[0].message,
        "node `depth` and the node feeding it reach no output: their signal is never heard"
    );
    assert_eq!(found[0].secondary.len(), 1);
    assert_eq!(found[0].secondary[0].span, at(text, "lfo", 0));
    assert_eq!(found[0].secondary[0].message, "feeds `depth`");
    assert_eq!(found[1].primary.span, at(text, "lone", 0));
    assert_eq!(
        found[1].message,
        "node `lone` reaches no output: its signal is never heard"
    );
    assert!(found[1].hint.as_deref().unwrap().contains("connect `lone`"));
    assert_eq!(
        found[0].to_string(),
        "warning[W0101]: node `depth` and the node feeding it reach no output: their signal is \
         never heard"
    );
}

#[test]
fn a_node_feeding_a_sink_or_a_modulated_input_is_heard() {
    let text = r#"(patch (nodes (osc (type "osc.sine")) (lfo (type "osc.sine") (freq 2))
        (out (type "output"))) (connections (lfo "out" -> osc "freq") (osc "out" -> out "in")))"#;
    assert_eq!(warnings(&read(text)), Vec::new());
}

#[test]
fn a_closed_loop_of_unheard_nodes_names_each_node() {
    let text = r#"(patch (nodes (osc (type "osc.sine")) (out (type "output"))
        (d (type "delay") (time 0.1)) (g (type "gain")))
        (connections (osc "out" -> out "in") (d "out" -> g "in") (g "out" -> d "in")))"#;
    let found = warnings(&read(text));
    assert_eq!(codes(&found), ["W0101", "W0101"]);
    assert_eq!(found[0].primary.span, id(text, "d"));
    assert_eq!(found[1].primary.span, id(text, "g"));
    assert_eq!(
        found[1].message,
        "node `g` reaches no output: its signal is never heard"
    );
}

#[test]
fn a_value_on_a_driven_input_is_named_at_the_value() {
    let text = r#"(patch (nodes (lfo (type "osc.sine") (freq 2)) (osc (type "osc.sine") (freq 440))
        (out (type "output"))) (connections (lfo "out" -> osc "freq") (osc "out" -> out "in")))"#;
    let found = warnings(&read(text));
    assert_eq!(codes(&found), ["W0102"]);
    assert_eq!(found[0].primary.span, at(text, "440", 0));
    assert_eq!(
        found[0].message,
        "the value on `osc.freq` is ignored: a connection drives it"
    );
    assert_eq!(
        found[0].secondary[0].span,
        at(text, r#"(lfo "out" -> osc "freq")"#, 0)
    );
}

#[test]
fn a_delay_time_read_when_built_is_not_warned_about() {
    let text = r#"(patch (nodes (osc (type "osc.sine")) (lfo (type "osc.sine") (freq 1))
        (d (type "delay") (time 0.5)) (out (type "output")))
        (connections (osc "out" -> d "in") (lfo "out" -> d "time") (d "out" -> out "in")))"#;
    assert_eq!(warnings(&read(text)), Vec::new());
}

#[test]
fn a_connection_written_twice_is_named_at_the_second() {
    let text = r#"(patch (nodes (osc (type "osc.sine")) (out (type "output")))
        (connections (osc "out" -> out "in") (osc "out" -> out "in")))"#;
    let found = warnings(&read(text));
    assert_eq!(codes(&found), ["W0103"]);
    assert_eq!(
        found[0].primary.span,
        at(text, r#"(osc "out" -> out "in")"#, 1)
    );
    assert_eq!(
        found[0].secondary[0].span,
        at(text, r#"(osc "out" -> out "in")"#, 0)
    );
    assert_eq!(found[0].message, "`osc.out` is connected to `out.in` twice");
}

fn prepared(text: &str) -> Prepared {
    Prepared::new(read(text), &Settings::default(), &Limits::default()).expect("valid")
}

#[test]
fn listening_warns_of_a_peak_above_full_scale_with_its_level() {
    // A sine of amplitude 1.5 peaks at 20·log10(1.5) = +3.5 dBFS, first at a quarter period:
    // 750 Hz at 48 kHz is 64 samples a period (a phase step exact in binary), so sample 16.
    let text = r#"(patch (nodes (osc (type "osc.sine") (freq 750)) (amp (type "gain") (amp 1.5))
        (out (type "output"))) (connections (osc "out" -> amp "in") (amp "out" -> out "in")))"#;
    let warning = listen(prepared(text)).expect("builds").expect("clips");
    assert_eq!(warning.code, Code::Clipping);
    assert_eq!(warning.primary.span, id(text, "out"));
    assert_eq!(
        warning.message,
        "the output peaks at +3.5 dBFS (sample 16), above 0 dBFS, in its first second"
    );
}

#[test]
fn listening_to_a_patch_at_full_scale_or_below_is_quiet() {
    let text = r#"(patch (nodes (osc (type "osc.sine") (freq 1000)) (amp (type "gain") (amp 1))
        (out (type "output"))) (connections (osc "out" -> amp "in") (amp "out" -> out "in")))"#;
    assert_eq!(listen(prepared(text)).expect("builds"), None);
}
