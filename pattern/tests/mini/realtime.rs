//! Querying never allocates when the buffer has room for the pattern's bound: checked with
//! `assert_no_alloc` over every pattern of the Strudel fixture, four cycles each.

use assert_no_alloc::assert_no_alloc;
use patchvm_pattern::mini::{Pattern, Rational};

#[test]
fn query_does_not_allocate_within_its_bound() {
    let list = include_str!("../strudel/patterns.txt");
    let mut checked = 0;
    for text in list.lines() {
        let Ok(pattern) = Pattern::parse(text) else {
            continue;
        };
        let cycles = 4;
        let mut out = Vec::with_capacity(pattern.max_events_per_cycle() * cycles);
        for seed in [0, 7] {
            out.clear();
            assert_no_alloc(|| {
                pattern.query(
                    Rational::ZERO..Rational::integer(cycles as i64),
                    seed,
                    &mut out,
                )
            });
        }
        // An offset span touching five cycles (-2 to 2).
        let mut out = Vec::with_capacity(pattern.max_events_per_cycle() * 5);
        let from = Rational::new(-5, 3).unwrap();
        let to = Rational::new(7, 3).unwrap();
        assert_no_alloc(|| pattern.query(from..to, 0, &mut out));
        checked += 1;
    }
    assert!(checked >= 300, "{checked}");
}
