//! The S-expression tokenizer and parser: text to [`Sexp`] trees with byte spans.
//!
//! The parser keeps its own stack instead of recursing, and refuses to open a parenthesis past
//! [`Limits::max_depth`], so no input can overflow the stack while parsing; trees are at most
//! that deep, so dropping them recursively is fine too.

use crate::diagnostic::{Code, Diagnostic};
use crate::format::guard;
use crate::limits::Limits;
use crate::span::Span;

/// One parsed form.
#[derive(Debug)]
pub(super) enum Sexp {
    /// `( … )`; the span covers both parentheses.
    List(Vec<Sexp>, Span),
    /// A symbol, string or number.
    Atom(Atom, Span),
}

/// A token that is not a parenthesis.
#[derive(Debug)]
pub(super) enum Atom {
    /// A bare word such as `osc1`, `->` or `osc.sine`.
    Symbol(String),
    /// A quoted string, escapes resolved.
    Text(String),
    /// A finite number.
    Number(f64),
}

impl Sexp {
    /// Where the form was written.
    pub(super) fn span(&self) -> Span {
        match self {
            Sexp::List(_, span) | Sexp::Atom(_, span) => *span,
        }
    }

    /// What the form is, for messages: "a list", "a symbol" …
    pub(super) fn describe(&self) -> &'static str {
        match self {
            Sexp::List(..) => "a list",
            Sexp::Atom(Atom::Symbol(_), _) => "a symbol",
            Sexp::Atom(Atom::Text(_), _) => "a string",
            Sexp::Atom(Atom::Number(_), _) => "a number",
        }
    }
}

/// Whether a token is read as a number (if it also parses as one): an optional sign, then a
/// digit or a `.` and a digit. `inf` and `NaN` are therefore symbols.
pub(super) fn looks_numeric(token: &str) -> bool {
    let unsigned = token.strip_prefix(['+', '-']).unwrap_or(token);
    let unsigned = unsigned.strip_prefix('.').unwrap_or(unsigned);
    unsigned.starts_with(|c: char| c.is_ascii_digit())
}

/// Whether `c` ends a symbol: whitespace, parentheses, a quote or a comment.
pub(super) fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"' | ';')
}

/// Parses every top-level form in `text`, stopping at the first syntax error or exceeded limit.
pub(super) fn parse(text: &str, limits: &Limits) -> Result<Vec<Sexp>, Diagnostic> {
    let mut lexer = Lexer {
        text,
        at: 0,
        limits,
    };
    // Every form read so far whose list is still open, innermost last, in one stack: a list
    // that closes takes its items off the top into a vector of exactly their number (growing
    // one vector per list while reading it would copy each list several times).
    // Sized for a patch of one node or connection per line (about 40 bytes each), the
    // largest list most files have, so the stack rarely grows while reading.
    let mut items: Vec<Sexp> = Vec::with_capacity(text.len() / 40 + 8);
    // The open lists, innermost last: where each `(` was and where its items start in `items`.
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut unclosed = Unclosed::default();
    while let Some((token, span)) = lexer.next()? {
        unclosed.saw(text, &token, span, &open);
        let form = match token {
            Token::Open => {
                if open.len() >= limits.nesting() {
                    return Err(guard::too_deep(limits, span));
                }
                open.push((span.start as usize, items.len()));
                continue;
            }
            Token::Close => {
                let Some((start, first)) = open.pop() else {
                    return Err(Diagnostic::new(Code::Syntax, span, "unexpected `)`")
                        .with_label("this parenthesis has no matching `(`")
                        .with_hint("remove it, or add the `(` it should close"));
                };
                let list: Vec<Sexp> = items.drain(first..).collect();
                Sexp::List(list, Span::new(start, span.end as usize))
            }
            Token::Atom(atom) => Sexp::Atom(atom, span),
        };
        items.push(form);
    }
    if let Some(&(start, _)) = open.last() {
        let (start, expected) = unclosed.suspect.unwrap_or((start, unclosed.last_end));
        let before = text[..expected]
            .char_indices()
            .next_back()
            .map_or(0, |(at, _)| at);
        return Err(Diagnostic::new(
            Code::Syntax,
            Span::new(start, start + 1),
            "unclosed parenthesis",
        )
        .with_label("this parenthesis is never closed")
        .with_secondary(
            Span::new(before, expected),
            "its `)` was expected after this",
        )
        .with_hint("add a `)` where the list should end"));
    }
    Ok(items)
}

/// Where a missing `)` most likely is, found from the layout while reading: a line that
/// starts at or left of the start of a still open list's line, that list's `(` being the first
/// thing on its line, is a sibling of that list, or its parent's: the list should have closed
/// before that line, after the last form of the line before. Without such a line the `)` was
/// expected at the end of the text, closing the innermost list.
#[derive(Default)]
struct Unclosed {
    /// The first suspect: its `(`, and the end of the last form before the line that gave it
    /// away.
    suspect: Option<(usize, usize)>,
    /// The end of the last token read.
    last_end: usize,
    /// For each open list, innermost last, its `(`'s column when it starts its line.
    columns: Vec<Option<usize>>,
}

impl Unclosed {
    /// Takes `token` at `span` into account; `open` are the lists open before it.
    fn saw(&mut self, text: &str, token: &Token, span: Span, open: &[(usize, usize)]) {
        let start = span.start as usize;
        let gap = &text[self.last_end.min(start)..start];
        let line_start = gap.rfind('\n').map(|at| self.last_end + at + 1);
        let column = line_start
            .or((self.last_end == 0).then_some(0))
            .map(|line| start - line);
        self.columns.truncate(open.len());
        if let (Some(column), false) = (column, matches!(token, Token::Close))
            && self.suspect.is_none()
            && let Some(list) = self
                .columns
                .iter()
                .rposition(|open_at| open_at.is_some_and(|at| at >= column))
        {
            self.suspect = Some((open[list].0, self.last_end));
        }
        if matches!(token, Token::Open) {
            self.columns.push(column);
        }
        self.last_end = span.end as usize;
    }
}

enum Token {
    Open,
    Close,
    Atom(Atom),
}

struct Lexer<'t> {
    text: &'t str,
    /// The byte offset of the next character.
    at: usize,
    limits: &'t Limits,
}

/// Whether the byte is an ASCII whitespace character as [`char::is_whitespace`] has it (which
/// also counts U+000B, the vertical tab, unlike [`u8::is_ascii_whitespace`]).
#[inline]
fn is_ascii_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

impl<'t> Lexer<'t> {
    /// The character at byte offset `at`, which must be on a character boundary.
    fn char_at(&self, at: usize) -> Option<char> {
        self.text.get(at..).and_then(|rest| rest.chars().next())
    }

    fn next(&mut self) -> Result<Option<(Token, Span)>, Diagnostic> {
        self.skip_space_and_comments();
        let start = self.at;
        let Some(&byte) = self.text.as_bytes().get(start) else {
            return Ok(None);
        };
        let token = match byte {
            b'(' | b')' => {
                self.at += 1;
                if byte == b'(' {
                    Token::Open
                } else {
                    Token::Close
                }
            }
            b'"' => Token::Atom(Atom::Text(self.string()?)),
            _ => Token::Atom(self.word()?),
        };
        Ok(Some((token, Span::new(start, self.at))))
    }

    /// Skips whitespace (ASCII byte by byte, anything else by `char::is_whitespace`) and
    /// comments, which run from `;` to the end of the line.
    fn skip_space_and_comments(&mut self) {
        let bytes = self.text.as_bytes();
        while let Some(&byte) = bytes.get(self.at) {
            if is_ascii_space(byte) {
                self.at += 1;
            } else if byte == b';' {
                self.at = bytes[self.at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |newline| self.at + newline);
            } else if byte >= 0x80 {
                match self.char_at(self.at) {
                    Some(c) if c.is_whitespace() => self.at += c.len_utf8(),
                    _ => return,
                }
            } else {
                return;
            }
        }
    }

    /// A quoted string starting at `self.at`, escapes resolved.
    fn string(&mut self) -> Result<String, Diagnostic> {
        let start = self.at;
        let bytes = self.text.as_bytes();
        let limit = self.limits.max_string_bytes;
        let mut text = String::new();
        // After the opening quote.
        let mut at = start + 1;
        // Most strings have no escape: one exact allocation.
        if let Some(length) = bytes[at..].iter().position(|&b| b == b'"' || b == b'\\')
            && bytes[at + length] == b'"'
            && length <= limit
        {
            self.at = at + length + 1;
            return Ok(self.text[at..at + length].to_owned());
        }
        loop {
            // A run of plain characters, up to the next quote or backslash (both ASCII, so
            // the run ends on a character boundary).
            let end = bytes[at..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\')
                .map_or(bytes.len(), |offset| at + offset);
            let run = &self.text[at..end];
            if text.len() + run.len() > limit {
                // Up to the character that went over, never into the middle of one.
                let room = limit - text.len();
                let over = run
                    .char_indices()
                    .map(|(offset, c)| offset + c.len_utf8())
                    .find(|&after| after > room)
                    .unwrap_or(run.len());
                guard::check_string(text.len() + over, self.limits, Span::new(start, at + over))?;
            }
            text.push_str(run);
            at = end;
            match bytes.get(at) {
                Some(b'"') => {
                    self.at = at + 1;
                    return Ok(text);
                }
                Some(_) => {
                    let escaped = match self.char_at(at + 1) {
                        Some('"') => '"',
                        Some('\\') => '\\',
                        Some('n') => '\n',
                        Some('t') => '\t',
                        Some(other) => {
                            let span = Span::new(at, at + 1 + other.len_utf8());
                            return Err(Diagnostic::new(
                                Code::Syntax,
                                span,
                                format!("unknown escape `\\{other}` in a string"),
                            )
                            .with_label("this escape")
                            .with_hint(r#"expected one of `\"`, `\\`, `\n`, `\t`"#));
                        }
                        None => break,
                    };
                    text.push(escaped);
                    at += 2;
                    guard::check_string(text.len(), self.limits, Span::new(start, at))?;
                }
                None => break,
            }
        }
        Err(Diagnostic::new(
            Code::Syntax,
            Span::new(start, start + 1),
            "unterminated string",
        )
        .with_label("this string is never closed")
        .with_hint("add a `\"` where the string should end"))
    }

    /// A symbol or number starting at `self.at`.
    fn word(&mut self) -> Result<Atom, Diagnostic> {
        let start = self.at;
        let bytes = self.text.as_bytes();
        let mut end = start;
        while let Some(&byte) = bytes.get(end) {
            if byte < 0x80 {
                if is_ascii_space(byte) || matches!(byte, b'(' | b')' | b'"' | b';') {
                    break;
                }
                end += 1;
            } else {
                match self.char_at(end) {
                    Some(c) if !c.is_whitespace() => end += c.len_utf8(),
                    _ => break,
                }
            }
        }
        let word = &self.text[start..end];
        let span = Span::new(start, end);
        guard::check_string(word.len(), self.limits, span)?;
        self.at = end;
        if !looks_numeric(word) {
            return Ok(Atom::Symbol(word.to_owned()));
        }
        match word.parse::<f64>() {
            Ok(number) if number.is_finite() => Ok(Atom::Number(number)),
            Ok(_) => Err(Diagnostic::new(
                Code::Syntax,
                span,
                format!("the number `{word}` is too large"),
            )
            .with_label("this number")
            .with_hint("numbers are 64-bit floats, at most about `1.8e308`")),
            Err(_) => Ok(Atom::Symbol(word.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atoms(text: &str) -> Vec<String> {
        let forms = parse(text, &Limits::default()).unwrap();
        forms.iter().map(|form| format!("{form:?}")).collect()
    }

    #[test]
    fn tokens_are_classified() {
        let forms = atoms(r#"osc1 -> 440 -1.5e3 .5 +2 inf -inf NaN 1abc "a\"b\\c\n" x;comment"#);
        let expected = [
            "Atom(Symbol(\"osc1\"), 0..4)",
            "Atom(Symbol(\"->\"), 5..7)",
            "Atom(Number(440.0), 8..11)",
            "Atom(Number(-1500.0), 12..18)",
            "Atom(Number(0.5), 19..21)",
            "Atom(Number(2.0), 22..24)",
            "Atom(Symbol(\"inf\"), 25..28)",
            "Atom(Symbol(\"-inf\"), 29..33)",
            "Atom(Symbol(\"NaN\"), 34..37)",
            "Atom(Symbol(\"1abc\"), 38..42)",
            "Atom(Text(\"a\\\"b\\\\c\\n\"), 43..54)",
            "Atom(Symbol(\"x\"), 55..56)",
        ];
        assert_eq!(forms, expected);
    }

    #[test]
    fn lists_nest_with_spans() {
        let forms = parse("; note\n (a (b) ())", &Limits::default()).unwrap();
        let [Sexp::List(items, span)] = forms.as_slice() else {
            panic!("expected one list, got {forms:?}");
        };
        assert_eq!(*span, Span::new(8, 18));
        assert_eq!(items[1].span(), Span::new(11, 14));
        assert_eq!(items[2].describe(), "a list");
    }

    #[test]
    fn syntax_errors_point_at_the_culprit() {
        let cases = [
            (
                "(a (b)",
                Code::Syntax,
                0..1,
                "this parenthesis is never closed",
            ),
            (
                "(a))",
                Code::Syntax,
                3..4,
                "this parenthesis has no matching `(`",
            ),
            ("(a \"bc", Code::Syntax, 3..4, "this string is never closed"),
            ("\"a\\qb\"", Code::Syntax, 2..4, "this escape"),
            ("(x 1e999)", Code::Syntax, 3..8, "this number"),
        ];
        for (text, code, range, label) in cases {
            let problem = parse(text, &Limits::default()).unwrap_err();
            assert_eq!(problem.code, code, "{text}");
            assert_eq!(problem.primary.span.range(), range, "{text}");
            assert_eq!(problem.primary.message, label, "{text}");
        }
    }

    /// The line:column (from 1) of the primary and secondary labels of `text`'s error.
    fn paren_places(text: &str) -> ((usize, usize), (usize, usize)) {
        let problem = parse(text, &Limits::default()).unwrap_err();
        let lines = crate::LineIndex::new(text);
        let place = |span: Span| {
            let at = lines.line_column(text, span.start as usize);
            (at.line, at.column)
        };
        assert_eq!(problem.message, "unclosed parenthesis");
        assert_eq!(
            problem.secondary[0].message,
            "its `)` was expected after this"
        );
        (
            place(problem.primary.span),
            place(problem.secondary[0].span),
        )
    }

    #[test]
    fn an_unclosed_paren_is_found_by_the_line_that_starts_beside_it() {
        // `(osc` lacks its `)`: `(out` starts at its column, so it should have closed after
        // `(freq 440)`, whose `)` is at 3:37.
        let text = "(patch\n  (nodes\n    (osc (type \"osc.sine\") (freq 440)\n    \
                    (out (type \"output\")))\n  (connections (osc \"out\" -> out \"in\")))\n";
        assert_eq!(paren_places(text), ((3, 5), (3, 37)));
        // A section missing its `)`: the next section starts at its column.
        let text = "(patch\n  (nodes\n    (osc (type \"osc.sine\"))\n    (out (type \"output\"))\n  \
                    (connections\n    (osc \"out\" -> out \"in\")))\n";
        assert_eq!(paren_places(text), ((2, 3), (4, 25)));
        // Comments and blank lines between are not forms: the `)` goes after the last form.
        let text = "(a\n  (b 1\n  ; why\n\n  (c 2))\n";
        assert_eq!(paren_places(text), ((2, 3), (2, 6)));
    }

    #[test]
    fn without_a_layout_clue_the_innermost_paren_closes_at_the_end() {
        assert_eq!(paren_places("(a (b)"), ((1, 1), (1, 6)));
        // Lists opened mid-line give no clue: `(b` is on the line of `(a`.
        assert_eq!(paren_places("(a (b\n  c)\n d"), ((1, 1), (3, 2)));
        // A closing parenthesis starting a line is no sibling.
        assert_eq!(paren_places("(a\n  (b\n  )\n"), ((1, 1), (3, 3)));
    }

    #[test]
    fn long_words_and_strings_hit_the_limit() {
        let limits = Limits {
            max_string_bytes: 4,
            ..Limits::default()
        };
        let cases = [
            ("abcde", Some("abcde")),
            ("\"abcde\"", Some("\"abcde")),
            ("\"abcdé\"", Some("\"abcdé")),
            ("\"ab\\n\"", None),
            ("\"abcd\"x", None),
        ];
        for (text, culprit) in cases {
            let problem = parse(text, &limits).err();
            assert!(problem.iter().all(|problem| problem.code == Code::Limit));
            assert_eq!(
                problem.map(|problem| &text[problem.primary.span.range()]),
                culprit
            );
        }
    }
}
