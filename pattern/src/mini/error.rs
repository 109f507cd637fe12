//! Parse errors and the limits that keep hostile text from hanging or exhausting a parse.

use core::fmt;
use core::ops::Range;

/// The longest pattern text accepted, in bytes.
pub const MAX_TEXT_BYTES: usize = 16 * 1024;
/// The deepest nesting of groups (`[`, `<`, `{`) and stacked operators accepted.
pub const MAX_DEPTH: usize = 48;
/// The most events one cycle may hold (a bound, see `Pattern::max_events_per_cycle`).
pub const MAX_EVENTS_PER_CYCLE: usize = 4096;
/// How finely a pattern may divide time: the product, along any path from the whole
/// pattern to a step, of each time factor's numerator times its denominator. Bounds the
/// numbers exact time arithmetic meets, so that it never overflows.
pub const MAX_TIME_SCALE: u128 = 1 << 24;
/// Queries are clamped to cycles in `-MAX_CYCLE..MAX_CYCLE` (at 2 s a cycle, 136 years).
pub const MAX_CYCLE: i64 = 1 << 31;

/// A mistake in a pattern's text, at the exact character.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offsets into the text: the offending character or token (for a group left
    /// open, its opening bracket).
    pub range: Range<usize>,
    /// What is wrong, lowercase, naming the offender.
    pub message: String,
    /// How to fix it, naming the valid choices.
    pub hint: String,
}

impl ParseError {
    /// An error at `range`.
    pub(crate) fn new(
        range: Range<usize>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        ParseError {
            range,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (at bytes {}..{}); {}",
            self.message, self.range.start, self.range.end, self.hint
        )
    }
}

impl std::error::Error for ParseError {}
