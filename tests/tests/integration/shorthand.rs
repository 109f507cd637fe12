//! The shorthand from outside: resolved against the real catalog, it is the longhand graph
//! (same patch, same samples), whatever reads it; its misuses are `E0115` at the shorthand.

use patchvm::ir::shorthand::resolve;
use patchvm::ir::{Code, Format, Limits, Patch};
use patchvm::modules::catalog;
use patchvm_tests::{diagnose, render};

fn read(text: &str) -> Patch {
    Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .unwrap_or_else(|problems| panic!("{problems:#?}"))
}

fn resolved(text: &str) -> Patch {
    let mut patch = read(text);
    resolve(&mut patch, catalog()).unwrap_or_else(|problems| panic!("{problems:#?}"));
    patch.without_spans()
}

const SHORT: &str = r#"(patch
  (out output)
  (lfo1 lfo.sine (freq 3))
  (-> (osc.saw (freq 110)) (filter.lowpass (cutoff (lfo.sine (freq 0.5))) (q lfo1)) (gain (amp 0.5)) out))
"#;

/// `SHORT` longhand: nodes and connections in the order their text begins (the link out of
/// the low-pass begins where the low-pass does, before the inline node inside it).
const LONG: &str = r#"(patch
  (nodes
    (out (type "output"))
    (lfo1 (type "lfo.sine") (freq 3))
    (out.saw (type "osc.saw") (freq 110))
    (out.lowpass (type "filter.lowpass"))
    (out.lowpass.cutoff (type "lfo.sine") (freq 0.5))
    (out.gain (type "gain") (amp 0.5)))
  (connections
    (out.saw "out" -> out.lowpass "in")
    (out.lowpass "out" -> out.gain "in")
    (out.lowpass.cutoff "out" -> out.lowpass "cutoff")
    (lfo1 "out" -> out.lowpass "q")
    (out.gain "out" -> out "in")))
"#;

#[test]
fn a_resolved_chain_is_the_longhand_graph_and_sounds_the_same() {
    assert_eq!(resolved(SHORT), read(LONG).without_spans());
    let (short, long) = (
        render(&read(SHORT), 4_800, 64),
        render(&read(LONG), 4_800, 64),
    );
    assert_eq!(short.len(), 4_800);
    assert!(
        short
            .iter()
            .zip(&long)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    // The chain's gain is on the path: at amp 1 every sample is exactly twice as loud.
    let loud = render(&read(&LONG.replace("(amp 0.5)", "(amp 1)")), 4_800, 64);
    assert!(
        short
            .iter()
            .zip(&loud)
            .all(|(a, b)| (a * 2.0).to_bits() == b.to_bits())
    );
    assert!(short.iter().any(|&x| x != 0.0));
}

#[test]
fn a_link_enters_by_in_or_else_the_first_input_that_takes_a_signal() {
    // osc.sine has no `in`: its first input is `freq`; a noise's only input is set once.
    let patch = resolved("(patch (lfo1 lfo.sine) (o osc.sine) (out output) (-> lfo1 o out))");
    let ports: Vec<(&str, &str)> = patch
        .connections
        .iter()
        .map(|c| (c.from.port.text.as_str(), c.to.port.text.as_str()))
        .collect();
    assert_eq!(ports, [("out", "freq"), ("out", "in")]);
}

#[test]
fn converting_writes_the_expanded_graph() {
    let dir = std::env::temp_dir().join(format!("patchvm-shorthand-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("short.lisp");
    std::fs::write(&path, SHORT).unwrap();
    let (patch, _) = patchvm::engine::source::load(&path, &Limits::default()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    for format in Format::ALL {
        let written = format.write(&patch);
        let again = format.read(&written, &Limits::default()).unwrap();
        assert_eq!(
            again.without_spans(),
            read(LONG).without_spans(),
            "{format:?}"
        );
    }
}

#[test]
fn links_out_of_a_node_without_outputs_or_into_one_without_inputs_are_refused() {
    for (text, under, message) in [
        (
            "(patch (out output) (-> out (gain)))",
            "out",
            "node `out` (module `output`) has no output to connect from",
        ),
        (
            "(patch (out output) (n noise.white) (-> (osc.sine) n))",
            "n",
            "node `n` (module `noise.white`) has no input a signal can drive",
        ),
    ] {
        let problems = diagnose(text.as_bytes(), Format::Sexpr);
        let problem = problems
            .iter()
            .find(|problem| problem.code == Code::Shorthand)
            .unwrap_or_else(|| panic!("{problems:#?}"));
        assert_eq!(problem.message, message);
        let span = problem.primary.span;
        assert_eq!(&text[span.range()], under, "{text}");
        // Reported once, not again as an unknown port.
        assert!(
            problems.iter().all(|p| p.code != Code::UnknownPort),
            "{problems:#?}"
        );
    }
}

#[test]
fn every_example_patch_reads_the_same_as_before() {
    for entry in std::fs::read_dir(patchvm_tests::patches_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "lisp") {
            let text = std::fs::read_to_string(&path).unwrap();
            let patch = read(&text);
            let mut again = patch.clone();
            resolve(&mut again, catalog()).unwrap();
            if ["four-bars.lisp", "sampler.lisp", "beat-samples.lisp"]
                .iter()
                .any(|name| path.ends_with(name))
            {
                // Written in shorthand: resolving it again changes nothing more.
                let mut twice = again.clone();
                resolve(&mut twice, catalog()).unwrap();
                assert_eq!(twice, again);
                assert_ne!(again, patch);
            } else {
                assert_eq!(again, patch, "{}", path.display());
            }
        }
    }
}

#[test]
fn a_bare_string_after_a_module_sets_its_first_text_input() {
    let short = resolved(
        r#"(patch
  (out output)
  (drums seq.pattern "bd*4" (legato 0.5))
  (k drum.kick (trig (seq.pattern "~ bd")))
  (-> (seq.pattern "c2 ~ c2 eb2") (osc.saw) out))"#,
    );
    let long = resolved(
        r#"(patch
  (nodes
    (out (type "output"))
    (drums (type "seq.pattern") (pattern "bd*4") (legato 0.5))
    (k (type "drum.kick"))
    (k.trig (type "seq.pattern") (pattern "~ bd"))
    (out.pattern (type "seq.pattern") (pattern "c2 ~ c2 eb2"))
    (out.saw (type "osc.saw")))
  (connections
    (k.trig "trig" -> k "trig")
    (out.pattern "trig" -> out.saw "freq")
    (out.saw "out" -> out "in")))"#,
    );
    assert_eq!(short, long);
    // A module without a text input: reported at the string.
    let text = r#"(patch (o osc.sine "x") (out output) (-> o out))"#;
    let problems = diagnose(text.as_bytes(), Format::Sexpr);
    let problem = problems
        .iter()
        .find(|problem| problem.code == Code::Shorthand)
        .unwrap_or_else(|| panic!("{problems:#?}"));
    assert_eq!(
        problem.message,
        "module `osc.sine` of node `o` has no text input for this string"
    );
    assert_eq!(&text[problem.primary.span.range()], r#""x""#);
}
