//! patchvm's musical patterns as values.
//!
//! A pattern is a function of musical time: queried over a span of cycles, it answers the
//! events that fall in it, in exact rational time. This crate holds the pattern languages
//! and the musical theory the pattern modules read; it depends on no other patchvm crate and
//! does no I/O. Parsing allocates; querying a parsed pattern into a caller's buffer does not.
//!
//! ```
//! use patchvm_pattern::mini::{Pattern, Rational, Value};
//!
//! let pattern = Pattern::parse("bd*2 [~ sd] c4:0.5").unwrap();
//! assert_eq!(pattern.words(), ["bd", "sd"]);
//! // Reserve once, off the audio thread; querying then never allocates.
//! let mut events = Vec::with_capacity(pattern.max_events_per_cycle());
//! pattern.query(Rational::ZERO..Rational::ONE, 0, &mut events);
//! let onsets: Vec<String> = events.iter().map(|e| e.begin.to_string()).collect();
//! assert_eq!(onsets, ["0", "1/6", "1/2", "2/3"]);
//! assert_eq!(events[3].value, Value::Note(60.0));
//! assert_eq!(events[3].velocity, Some(0.5));
//! ```
#![deny(missing_docs)]

pub mod mini;
pub mod theory;
