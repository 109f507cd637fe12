//! Where each character of a text value was written: a string literal's escape sequences,
//! so a byte range of the decoded text maps back to the exact characters in the source.
//!
//! A text value's span covers its literal, quotes included (or a bare symbol). Without escapes,
//! decoded byte `o` is at `span.start + 1 + o` (`+ 0` for a symbol); each escape sequence
//! (`\"`, `\\`, `\n`, `\u{e9}`, JSON's `\u00e9` and surrogate pairs …) writes fewer decoded
//! bytes than source bytes, and shifts everything after it. The readers record those shifts
//! when they read a literal that has escapes, so a plain string costs nothing.
//!
//! ```
//! use patchvm_ir::{Format, Limits, Span, ValueKind};
//! let text = r#"(patch (nodes (a (type "t") (words "x\"y z"))))"#;
//! let patch = Format::Sexpr.read(text.as_bytes(), &Limits::default()).unwrap();
//! let value = &patch.nodes[0].params[0].value;
//! // `z` is byte 4 of the decoded `x"y z`, after the two-byte escape `\"`.
//! assert_eq!(&text[value.text_span(4..5).range()], "z");
//! ```

use crate::patch::{Node, Patch, Value, ValueKind};
use crate::span::Span;
use std::ops::Range;

/// One escape sequence of a string literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Escape {
    /// The byte offset in the decoded text of the character it writes.
    pub at: u32,
    /// The bytes it writes in the decoded text.
    pub decoded: u32,
    /// The bytes it takes in the source.
    pub written: u32,
}

/// Records the escapes of every text value of `patch` read from `source` (the S-expression
/// and JSON readers call it), wherever a literal is longer than its quotes and its text.
pub(crate) fn locate(patch: &mut Patch, source: &str) {
    let templates = patch
        .voices
        .iter_mut()
        .flat_map(|template| &mut template.nodes);
    for node in patch.nodes.iter_mut().chain(templates) {
        locate_node(node, source);
    }
    for scene in &mut patch.scenes {
        for value in &mut scene.values {
            locate_value(&mut value.value, source);
        }
    }
}

fn locate_node(node: &mut Node, source: &str) {
    for param in &mut node.params {
        locate_value(&mut param.value, source);
    }
}

/// Recursion is bounded: the readers refuse nesting past `Limits::max_depth`.
fn locate_value(value: &mut Value, source: &str) {
    match &value.kind {
        ValueKind::Text(text) if value.span.range().len() > text.len() + 2 => {
            if let Some(literal) = source.get(value.span.range()) {
                value.escapes = escapes(literal, text);
            }
        }
        ValueKind::List(_) => {
            if let ValueKind::List(items) = &mut value.kind {
                for item in items {
                    locate_value(item, source);
                }
            }
        }
        _ => {}
    }
}

/// The escapes of `literal` (quotes included), which decodes to `decoded`: walks both side by
/// side, each backslash taking as many source bytes as its form (`\u{…}` up to its brace,
/// `\uXXXX` six, twelve for a surrogate pair, any other two). Stops quietly where the two
/// disagree, which no reader produces.
fn escapes(literal: &str, decoded: &str) -> Vec<Escape> {
    let raw = literal.as_bytes();
    let mut found = Vec::new();
    let (mut i, mut j) = (1, 0);
    while i + 1 < raw.len() && j < decoded.len() {
        let Some(c) = decoded[j..].chars().next() else {
            break;
        };
        let written = if raw[i] == b'\\' {
            match (raw.get(i + 1), raw.get(i + 2)) {
                (Some(b'u'), Some(b'{')) => match raw[i..].iter().position(|&b| b == b'}') {
                    Some(close) => close + 1,
                    None => break,
                },
                (Some(b'u'), _) if u32::from(c) > 0xFFFF => 12,
                (Some(b'u'), _) => 6,
                _ => 2,
            }
        } else {
            c.len_utf8()
        };
        if raw[i] == b'\\' {
            found.push(Escape {
                at: j as u32,
                decoded: c.len_utf8() as u32,
                written: written as u32,
            });
        }
        i += written;
        j += c.len_utf8();
    }
    found
}

impl Value {
    /// The source span of bytes `range` of this text value (as a check reports them): through
    /// the opening quote and every escape before it, so it covers exactly the characters
    /// written for them; an empty range covers the one character after it (the closing quote
    /// at the end). [`Span::NONE`] for a value without a source (MessagePack, code), and the
    /// whole value's span for one that is not text.
    pub fn text_span(&self, range: Range<usize>) -> Span {
        let ValueKind::Text(text) = &self.kind else {
            return self.span;
        };
        if self.span.is_none() {
            return Span::NONE;
        }
        // A quoted literal is longer than its text; a bare symbol is its text.
        let opening = usize::from(self.span.range().len() != text.len());
        let end = range.end.min(text.len());
        let start = range.start.min(end);
        let from = self.source_offset(start, opening, false);
        let to = if start == end {
            from + 1
        } else {
            self.source_offset(end, opening, true)
        };
        Span::new(from, to.min(self.span.end as usize).max(from))
    }

    /// The source offset of decoded byte `offset`: its own place, past every escape before it;
    /// inside an escape, the escape's start, or (`ending`, for a range's end) its end.
    fn source_offset(&self, offset: usize, opening: usize, ending: bool) -> usize {
        let mut source = self.span.start as usize + opening + offset;
        for escape in &self.escapes {
            let (at, decoded, written) = (
                escape.at as usize,
                escape.decoded as usize,
                escape.written as usize,
            );
            if at + decoded <= offset {
                source += written - decoded;
            } else if at < offset {
                let start = source - (offset - at);
                return if ending { start + written } else { start };
            } else {
                break;
            }
        }
        source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(literal: &str, decoded: &str, start: usize) -> Value {
        Value {
            kind: ValueKind::Text(decoded.to_owned()),
            span: Span::new(start, start + literal.len()),
            escapes: escapes(literal, decoded),
        }
    }

    #[test]
    fn escapes_are_found_in_both_forms() {
        let found = |literal: &str, decoded: &str| -> Vec<(u32, u32, u32)> {
            escapes(literal, decoded)
                .iter()
                .map(|e| (e.at, e.decoded, e.written))
                .collect()
        };
        assert_eq!(
            found(r#""a\"b\\c\n""#, "a\"b\\c\n"),
            [(1, 1, 2), (3, 1, 2), (5, 1, 2)]
        );
        assert_eq!(found(r#""\u00e9x""#, "éx"), [(0, 2, 6)]);
        assert_eq!(found(r#""\ud83c\udfb5!""#, "🎵!"), [(0, 4, 12)]);
        assert_eq!(found(r#""é\u{1F3B5}""#, "é🎵"), [(2, 4, 9)]);
        assert_eq!(found(r#""plain""#, "plain"), []);
    }

    #[test]
    fn ranges_map_through_quotes_and_escapes() {
        // Source offsets from 10: `"` at 10, `a` 11, `\"` 12..14, `b` 14, `\u00e9` 15..21, `c` 21.
        let literal = r#""a\"b\u00e9c""#;
        let value = text(literal, "a\"béc", 10);
        let at = |range: Range<usize>| value.text_span(range).range();
        assert_eq!(at(0..1), 11..12);
        assert_eq!(at(1..2), 12..14);
        assert_eq!(at(2..3), 14..15);
        // `é` is two decoded bytes; each, or both, is the whole escape.
        assert_eq!(at(3..5), 15..21);
        assert_eq!(at(4..5), 15..21);
        assert_eq!(at(5..6), 21..22);
        // Empty: the character after it, here the closing quote.
        assert_eq!(at(6..6), 22..23);
        // A bare symbol has no quote.
        let symbol = text("words", "words", 3);
        assert_eq!(symbol.text_span(1..3).range(), 4..6);
        // Without a source, nowhere.
        let mut unread = text(literal, "a\"béc", 0);
        unread.span = Span::NONE;
        assert!(unread.text_span(0..1).is_none());
    }
}
