//! Mistakes are reported at the exact character, with a message and a hint.

use patchvm_pattern::mini::{MAX_DEPTH, MAX_EVENTS_PER_CYCLE, MAX_TEXT_BYTES, Pattern};

fn error(text: &str) -> (std::ops::Range<usize>, String) {
    let e = Pattern::parse(text).expect_err(text);
    assert!(!e.hint.is_empty(), "{text}: no hint");
    assert!(!e.message.ends_with('.'), "{text}: {}", e.message);
    assert_eq!(e.message, e.message.to_lowercase(), "{text}");
    (e.range, e.message)
}

#[test]
fn an_unclosed_group_points_at_its_bracket() {
    assert_eq!(error("[bd sd"), (0..1, "unclosed `[`".to_owned()));
    assert_eq!(error("bd [sd [hh"), (7..8, "unclosed `[`".to_owned()));
    assert_eq!(error("<a b"), (0..1, "unclosed `<`".to_owned()));
    assert_eq!(error("{a b"), (0..1, "unclosed `{`".to_owned()));
    assert_eq!(error("bd(3,8"), (2..3, "unclosed `(`".to_owned()));
}

#[test]
fn a_stray_character_is_named() {
    assert_eq!(error("bd )"), (3..4, "unexpected `)`".to_owned()));
    assert_eq!(
        error("[bd sd)"),
        (6..7, "unexpected `)` inside `[`".to_owned())
    );
    // Offsets are bytes: the three-byte `∆` spans 3..6.
    assert_eq!(error("bd ∆"), (3..6, "unexpected `∆`".to_owned()));
    assert_eq!(error("a, b | c").0, 5..6);
    assert_eq!(error("").1, "empty pattern");
    assert_eq!(error("[]"), (1..2, "expected a step before `]`".to_owned()));
    assert_eq!(
        error("[a | ]"),
        (5..6, "expected a step before `]`".to_owned())
    );
    assert_eq!(
        error("a |"),
        (3..3, "pattern ends where a step was expected".to_owned())
    );
}

#[test]
fn operator_arguments_must_be_numbers() {
    assert_eq!(
        error("bd*<2 3>"),
        (3..8, "`*` takes a number, not a pattern".to_owned())
    );
    assert_eq!(
        error("bd*x"),
        (3..4, "`*` takes a number, found `x`".to_owned())
    );
    assert_eq!(
        error("bd*0"),
        (3..4, "`*0` is not a positive factor".to_owned())
    );
    assert_eq!(
        error("bd/"),
        (3..3, "`/` needs a number after it".to_owned())
    );
    assert_eq!(
        error("bd:2"),
        (3..4, "velocity `:2` is outside 0 to 1".to_owned())
    );
    assert_eq!(error("bd:0.5:0.2").0, 6..10);
    assert_eq!(
        error("0 .. 3"),
        (2..4, "`..` ranges are not supported".to_owned())
    );
}

#[test]
fn euclidean_rhythms_are_checked() {
    assert_eq!(error("bd(3)").0, 4..5);
    assert_eq!(
        error("bd(9,8)"),
        (2..7, "euclidean rhythm has 9 pulses in 8 steps".to_owned())
    );
    assert_eq!(
        error("bd(3,0)"),
        (2..7, "euclidean rhythm has 0 steps".to_owned())
    );
    assert_eq!(
        error("bd(3.5,8)"),
        (3..6, "euclidean pulses `3.5` is not an integer".to_owned())
    );
}

#[test]
fn limits_stop_hostile_text_at_the_offending_place() {
    let deep = format!(
        "{}a{}",
        "[".repeat(MAX_DEPTH + 5),
        "]".repeat(MAX_DEPTH + 5)
    );
    let (range, message) = error(&deep);
    assert_eq!(range, MAX_DEPTH..MAX_DEPTH + 1);
    assert!(message.contains("deeper than"), "{message}");

    let (range, message) = error("bd [sd hh*5000]");
    assert_eq!(range, 7..14);
    assert!(
        message.contains(&MAX_EVENTS_PER_CYCLE.to_string()),
        "{message}"
    );

    let long = "bd ".repeat(MAX_TEXT_BYTES / 3 + 1);
    assert_eq!(error(&long).0, MAX_TEXT_BYTES..long.len());

    // Rests play nothing, but visiting them is work the bound counts.
    assert!(Pattern::parse("[~ ~ ~ ~]*2048").is_err());
    assert!(Pattern::parse("~(1,4096)*2").is_err());

    let many_ops = format!("bd{}", "*1.1".repeat(400));
    assert!(Pattern::parse(&many_ops).is_err());
}
