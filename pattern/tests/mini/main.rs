//! The mini-notation from outside: every feature against hand-computed events, error
//! positions, Strudel's own events for 472 patterns, properties of any pattern, and querying
//! without allocating.

mod errors;
mod features;
mod fuzz_seeds;
mod properties;
mod realtime;
mod strudel;

use patchvm_pattern::mini::{Event, Pattern, Rational, Value};

// Any allocation inside `assert_no_alloc` aborts the test binary.
#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

#[test]
fn the_allocation_detector_fires() {
    patchvm_rtcheck::assert_allocation_detected(module_path!(), "the_allocation_detector_fires");
}

/// A rational from text: `"3/8"` or `"2"`.
pub fn r(text: &str) -> Rational {
    match text.split_once('/') {
        Some((n, d)) => Rational::new(n.parse().unwrap(), d.parse().unwrap()).unwrap(),
        None => Rational::integer(text.parse().unwrap()),
    }
}

/// An event's value as text: the word itself, `n60` for a note, `#0.5` for a number, and
/// the velocity after `:`.
pub fn show(pattern: &Pattern, event: &Event) -> String {
    let value = match event.value {
        Value::Word(i) => pattern.words()[i].clone(),
        Value::Note(n) => format!("n{n}"),
        Value::Number(n) => format!("#{n}"),
    };
    match event.velocity {
        Some(v) => format!("{value}:{v}"),
        None => value,
    }
}

/// The events of `text` with an onset in cycles `from..to`, as `(begin, end, value)` text.
pub fn events(text: &str, from: i64, to: i64) -> Vec<(String, String, String)> {
    let pattern = Pattern::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let mut out = Vec::new();
    pattern.query(Rational::integer(from)..Rational::integer(to), 0, &mut out);
    out.iter()
        .map(|e| (e.begin.to_string(), e.end.to_string(), show(&pattern, e)))
        .collect()
}

/// Expected events, written `"begin end value"`.
pub fn expect(list: &[&str]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|line| {
            let mut parts = line.split(' ');
            let (b, e, v) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            (b.to_owned(), e.to_owned(), v.to_owned())
        })
        .collect()
}
