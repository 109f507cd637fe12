//! Byte spans into a patch's source text, and the line index that turns them into
//! `line:column` only when a diagnostic is rendered.

use std::fmt;

/// A half-open byte range `start..end` in the source a patch was read from.
///
/// Spans are byte offsets, not line/column pairs, so that every IR element stays small and
/// comparing positions is cheap; [`LineIndex`] converts on demand. A patch built in code or
/// decoded from MessagePack has no text, and its spans are [`Span::NONE`].
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// The span of something that was not read from text.
    pub const NONE: Span = Span { start: 0, end: 0 };

    /// A span covering `start..end`, saturating offsets beyond `u32::MAX` (the readers refuse
    /// sources that large, so saturation never loses a real position).
    pub fn new(start: usize, end: usize) -> Span {
        let clamp = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
        Span {
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }

    /// Whether this span points nowhere (see [`Span::NONE`]).
    pub fn is_none(self) -> bool {
        self == Span::NONE
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        if self.is_none() {
            return other;
        }
        if other.is_none() {
            return self;
        }
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The byte range, for slicing the source.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineColumn {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column number in characters, starting at 1.
    pub column: usize,
}

/// The start offset of every line of a source text, for turning byte offsets into
/// [`LineColumn`]s in `O(log lines)`.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        LineIndex { line_starts }
    }

    /// The line and column of byte `offset` in `text` (the text this index was built from).
    /// Offsets past the end, or inside a character, resolve to the nearest earlier character.
    pub fn line_column(&self, text: &str, offset: usize) -> LineColumn {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts[line];
        let mut end = offset;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let column = text[line_start..end].chars().count() + 1;
        LineColumn {
            line: line + 1,
            column,
        }
    }

    /// The text of line `line` (1-based), without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let start = self.line_starts[line - 1];
        let end = self.line_starts.get(line).map_or(text.len(), |&next| next);
        text[start..end].trim_end_matches(['\n', '\r'])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines_and_character_columns() {
        let text = "ab\ncé d\n";
        let index = LineIndex::new(text);
        assert_eq!(
            index.line_column(text, 0),
            LineColumn { line: 1, column: 1 }
        );
        assert_eq!(
            index.line_column(text, 3),
            LineColumn { line: 2, column: 1 }
        );
        // `d` is after a two-byte `é`: byte 7, character column 4.
        assert_eq!(
            index.line_column(text, 7),
            LineColumn { line: 2, column: 4 }
        );
        assert_eq!(index.line_text(text, 2), "cé d");
    }

    #[test]
    fn joining_spans_ignores_missing_ones() {
        let a = Span::new(4, 8);
        assert_eq!(a.to(Span::NONE), a);
        assert_eq!(Span::NONE.to(a), a);
        assert_eq!(a.to(Span::new(1, 5)), Span::new(1, 8));
    }
}
