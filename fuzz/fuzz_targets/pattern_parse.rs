//! Arbitrary text parsed as a mini-notation pattern; when it parses, four cycles queried
//! into a buffer of the pattern's own bound, which they must neither outgrow nor leave
//! unsorted.
#![no_main]

use patchvm_pattern::mini::{Pattern, Rational};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(pattern) = Pattern::parse(text) else { return };
    let cycles = 4;
    let mut out = Vec::with_capacity(pattern.max_events_per_cycle() * cycles);
    let capacity = out.capacity();
    pattern.query(Rational::ZERO..Rational::integer(cycles as i64), 0, &mut out);
    assert_eq!(out.capacity(), capacity, "{text:?} outgrew its bound");
    assert!(out.windows(2).all(|pair| pair[0].begin <= pair[1].begin), "{text:?} unsorted");
});
