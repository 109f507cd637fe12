//! Replays the `pattern_parse` fuzz target's committed corpus (`fuzz/seeds/pattern_parse/`)
//! through what the target checks, so every input it keeps runs in CI without a fuzzer.

use patchvm_pattern::mini::{Pattern, Rational};

#[test]
#[expect(
    clippy::disallowed_methods,
    reason = "a test reads the committed corpus"
)]
fn the_pattern_parse_corpus_parses_and_queries_within_its_bound() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/pattern_parse");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        replayed += 1;
        let Ok(text) = std::str::from_utf8(&data) else {
            continue;
        };
        let Ok(pattern) = Pattern::parse(text) else {
            continue;
        };
        let mut out = Vec::with_capacity(pattern.max_events_per_cycle() * 4);
        let capacity = out.capacity();
        pattern.query(Rational::ZERO..Rational::integer(4), 0, &mut out);
        assert_eq!(out.capacity(), capacity, "{text:?} outgrew its bound");
        assert!(
            out.windows(2).all(|pair| pair[0].begin <= pair[1].begin),
            "{text:?} unsorted"
        );
    }
    assert!(replayed >= 40, "{replayed} seeds");
}
