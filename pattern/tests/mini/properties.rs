//! Properties of any text: parsing never panics, and any pattern answers sorted events
//! within the span, the same whether queried at once or cycle by cycle, within its bound.

use patchvm_pattern::mini::{Pattern, Rational};
use proptest::prelude::*;

/// Text made mostly of the notation's own characters, so that many cases parse.
fn notation() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            8 => proptest::sample::select(vec![
                "bd", "sd", "c4", "eb3", "60", "0.5", "-1", "~", " ", " ", "[", "]", "<", ">", "{",
                "}", "%3", "*2", "*1.5", "/2", "/3", "@3", "@", "!", "!3", "?", "?0.3", ":0.5", "(3,8)",
                "(5,8,2)", "(-3,8)", ",", "|", " . ", "_", "a", "b",
            ])
            .prop_map(String::from),
            1 => any::<char>().prop_map(String::from),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parsing_any_string_never_panics(text in any::<String>()) {
        let _ = Pattern::parse(&text);
    }

    #[test]
    fn queries_are_sorted_bounded_and_split_invariant(text in notation(), seed in 0_u64..4) {
        let Ok(pattern) = Pattern::parse(&text) else { return Ok(()) };
        let cycles = 3;
        let bound = pattern.max_events_per_cycle();
        let mut whole = Vec::with_capacity(bound * cycles);
        let capacity = whole.capacity();
        pattern.query(Rational::ZERO..Rational::integer(cycles as i64), seed, &mut whole);
        prop_assert_eq!(whole.capacity(), capacity, "the query outgrew its bound");
        for pair in whole.windows(2) {
            prop_assert!(pair[0].begin <= pair[1].begin);
        }
        for event in &whole {
            prop_assert!(event.begin >= Rational::ZERO && event.begin < Rational::integer(cycles as i64));
            prop_assert!(event.end > event.begin);
        }
        let mut pieces = Vec::new();
        for c in 0..cycles as i64 {
            let mut one = Vec::with_capacity(bound);
            pattern.query(Rational::integer(c)..Rational::integer(c + 1), seed, &mut one);
            prop_assert!(one.len() <= bound);
            // A cycle split at a third answers the same events too.
            let third = Rational::integer(c) + Rational::new(1, 3).unwrap();
            let mut split = Vec::new();
            pattern.query(Rational::integer(c)..third, seed, &mut split);
            pattern.query(third..Rational::integer(c + 1), seed, &mut split);
            prop_assert_eq!(&split, &one);
            pieces.extend(one);
        }
        prop_assert_eq!(pieces, whole);
    }
}
