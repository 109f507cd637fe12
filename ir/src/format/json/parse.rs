//! JSON text to [`Item`]s in one pass, with exact byte spans.
//!
//! serde_json reports positions only in its errors, so the structure (objects, arrays, commas,
//! colons) is walked here, byte by byte, and each element's span is where the walk found it.
//! Leaves go to serde_json whole: a string's token for its escapes, a number's for its
//! grammar and its exact `f64`, so their meaning and errors are serde_json's. Each byte is
//! looked at a bounded number of times, whatever the nesting, and nesting is counted as the
//! walk descends, so nothing recurses past [`Limits::nesting`].

use crate::diagnostic::{Code, Diagnostic};
use crate::format::document::{Entry, Item, ItemKind};
use crate::format::guard;
use crate::limits::Limits;
use crate::patch::Name;
use crate::span::Span;
use serde::Deserialize;

/// Reads `text`, one JSON value and nothing after it but whitespace, into an [`Item`].
pub(super) fn parse(text: &str, limits: &Limits) -> Result<Item, Diagnostic> {
    let mut parser = Parser {
        text,
        at: 0,
        depth: 0,
        limits,
    };
    let root = parser.value()?;
    parser.skip_space();
    if parser.at < text.len() {
        return Err(parser.error(parser.at, "trailing characters"));
    }
    Ok(root)
}

/// The walk's state: the text and how far it has read.
struct Parser<'t> {
    text: &'t str,
    /// The next byte to read.
    at: usize,
    /// How many objects and arrays enclose the next value.
    depth: usize,
    limits: &'t Limits,
}

impl Parser<'_> {
    /// One value, after any whitespace. Recursion is bounded by [`Parser::open`].
    fn value(&mut self) -> Result<Item, Diagnostic> {
        self.skip_space();
        let start = self.at;
        let kind = match self.peek() {
            None => return Err(self.error(start, "end of file while parsing a value")),
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => {
                let (text, span) = self.string()?;
                guard::check_string(text.len(), self.limits, span)?;
                ItemKind::Text(text)
            }
            Some(b'-' | b'0'..=b'9') => ItemKind::Number(self.number()?),
            Some(b't') => self.literal("true", "`true`")?,
            Some(b'f') => self.literal("false", "`false`")?,
            Some(b'n') => self.literal("null", "`null`")?,
            Some(_) => return Err(self.error(start, "expected value")),
        };
        Ok(Item {
            kind,
            span: Span::new(start, self.at),
        })
    }

    /// An object's members in file order, duplicates kept; `at` is on its `{`.
    fn object(&mut self) -> Result<ItemKind, Diagnostic> {
        self.open()?;
        let mut entries = Vec::new();
        if self.after_space() == Some(b'}') {
            self.at += 1;
            return Ok(self.close(ItemKind::Map(entries)));
        }
        loop {
            match self.after_space() {
                Some(b'"') => {}
                Some(b'}') => return Err(self.error(self.at, "trailing comma")),
                None => return Err(self.end_of_file("an object")),
                Some(_) => return Err(self.error(self.at, "key must be a string")),
            }
            let (text, span) = self.string()?;
            guard::check_string(text.len(), self.limits, span)?;
            match self.after_space() {
                Some(b':') => self.at += 1,
                None => return Err(self.end_of_file("an object")),
                Some(_) => return Err(self.error(self.at, "expected `:`")),
            }
            let value = self.value()?;
            entries.push(Entry {
                key: Name { text, span },
                value,
            });
            match self.after_space() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(self.close(ItemKind::Map(entries)));
                }
                None => return Err(self.end_of_file("an object")),
                Some(_) => return Err(self.error(self.at, "expected `,` or `}`")),
            }
        }
    }

    /// An array's elements; `at` is on its `[`.
    fn array(&mut self) -> Result<ItemKind, Diagnostic> {
        self.open()?;
        let mut items = Vec::new();
        if self.after_space() == Some(b']') {
            self.at += 1;
            return Ok(self.close(ItemKind::List(items)));
        }
        loop {
            if !items.is_empty() && self.after_space() == Some(b']') {
                return Err(self.error(self.at, "trailing comma"));
            }
            items.push(self.value()?);
            match self.after_space() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(self.close(ItemKind::List(items)));
                }
                None => return Err(self.end_of_file("a list")),
                Some(_) => return Err(self.error(self.at, "expected `,` or `]`")),
            }
        }
    }

    /// Steps into the container whose bracket is at `at`, refusing one level too deep there.
    fn open(&mut self) -> Result<(), Diagnostic> {
        self.depth += 1;
        if self.depth > self.limits.nesting() {
            return Err(guard::too_deep(
                self.limits,
                Span::new(self.at, self.at + 1),
            ));
        }
        self.at += 1;
        Ok(())
    }

    /// Steps out of a container just closed, whose contents are `kind`.
    fn close(&mut self, kind: ItemKind) -> ItemKind {
        self.depth -= 1;
        kind
    }

    /// A string token, decoded, and its span, quotes included; `at` is on its `"`.
    fn string(&mut self) -> Result<(String, Span), Diagnostic> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut end = start + 1;
        let mut plain = true;
        loop {
            match bytes.get(end) {
                None => return Err(self.error(bytes.len(), "end of file while parsing a string")),
                Some(b'"') => break,
                Some(b'\\') => {
                    plain = false;
                    end += 2;
                }
                Some(&byte) => {
                    plain &= byte >= 0x20;
                    end += 1;
                }
            }
        }
        self.at = end + 1;
        let token = &self.text[start..self.at];
        let text = if plain {
            token[1..token.len() - 1].to_owned()
        } else {
            self.leaf(token)?
        };
        Ok((text, Span::new(start, self.at)))
    }

    /// A number token as serde_json reads it; an error covers the whole token.
    fn number(&mut self) -> Result<f64, Diagnostic> {
        let start = self.at;
        let length = self.text.as_bytes()[start..]
            .iter()
            .take_while(|byte| matches!(byte, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
            .count();
        self.at += length;
        self.leaf(&self.text[start..self.at])
            .map_err(|mut problem| {
                // serde_json points past the end of a number out of range; show all of it.
                problem.primary.span = Span::new(start, self.at);
                problem
            })
    }

    /// `word` (`true`, `false` or `null`), described as `what`.
    fn literal(&mut self, word: &str, what: &'static str) -> Result<ItemKind, Diagnostic> {
        let rest = &self.text.as_bytes()[self.at..];
        let matching = rest
            .iter()
            .zip(word.as_bytes())
            .take_while(|(a, b)| a == b)
            .count();
        if matching < word.len() {
            let at = self.at + matching;
            return Err(if at == self.text.len() {
                self.error(at, "end of file while parsing a value")
            } else {
                self.error(at, "expected ident")
            });
        }
        self.at += word.len();
        Ok(ItemKind::Other(what))
    }

    /// Decodes `token`, a slice of the text, with serde_json, reporting an error at its place
    /// in the text.
    fn leaf<'a, T: Deserialize<'a>>(&self, token: &'a str) -> Result<T, Diagnostic> {
        serde_json::from_str(token).map_err(|error| {
            let start = token.as_ptr() as usize - self.text.as_ptr() as usize;
            let at = start + offset_of(token, error.line(), error.column());
            let full = error.to_string();
            let what = full
                .rsplit_once(" at line ")
                .map_or(full.as_str(), |(what, _)| what);
            self.error(at, &what.replace("EOF", "end of file"))
        })
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The next byte that is not whitespace, having skipped to it.
    fn after_space(&mut self) -> Option<u8> {
        self.skip_space();
        self.peek()
    }

    fn end_of_file(&self, inside: &str) -> Diagnostic {
        self.error(
            self.text.len(),
            &format!("end of file while parsing {inside}"),
        )
    }

    /// A syntax error at byte `at`, in serde_json's words.
    fn error(&self, at: usize, what: &str) -> Diagnostic {
        Diagnostic::new(
            Code::Syntax,
            guard::char_span(self.text, at),
            format!("invalid JSON: {what}"),
        )
        .with_label("here")
    }
}

/// The byte offset of serde_json's 1-based `line` and `column` (a byte column) in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = match line {
        0 | 1 => 0,
        _ => text
            .match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(at, _)| at + 1),
    };
    (line_start + column.saturating_sub(1)).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error<'t>(text: &'t str, limits: &Limits) -> (String, &'t str) {
        let problem = parse(text, limits).unwrap_err();
        (problem.message, &text[problem.primary.span.range()])
    }

    #[test]
    fn line_and_column_map_back_to_bytes() {
        let text = "ab\ncd\nef";
        assert_eq!(offset_of(text, 1, 1), 0);
        assert_eq!(offset_of(text, 2, 2), 4);
        assert_eq!(offset_of(text, 3, 9), text.len());
        assert_eq!(offset_of(text, 0, 0), 0);
    }

    #[test]
    fn spans_cover_each_value_and_key_exactly() {
        let text = " {\"a\\\"b\" :  1.5e1, \"c\": [2, \"x\\ny\"], \"\": {}} ";
        let root = parse(text, &Limits::default()).unwrap();
        assert_eq!(&text[root.span.range()], &text[1..text.len() - 1]);
        let ItemKind::Map(entries) = root.kind else {
            panic!("an object")
        };
        let keys: Vec<(&str, &str)> = entries
            .iter()
            .map(|entry| (entry.key.text.as_str(), &text[entry.key.span.range()]))
            .collect();
        assert_eq!(keys, [("a\"b", "\"a\\\"b\""), ("c", "\"c\""), ("", "\"\"")]);
        assert!(matches!(entries[0].value.kind, ItemKind::Number(n) if n == 15.0));
        assert_eq!(&text[entries[0].value.span.range()], "1.5e1");
        let ItemKind::List(items) = &entries[1].value.kind else {
            panic!("an array")
        };
        assert_eq!(&text[items[1].span.range()], "\"x\\ny\"");
        assert!(matches!(&items[1].kind, ItemKind::Text(s) if s == "x\ny"));
    }

    #[test]
    fn syntax_errors_are_serde_json_words_at_the_byte() {
        let limits = Limits::default();
        let cases = [
            ("{,}", "invalid JSON: key must be a string", ","),
            ("{\"a\" 1}", "invalid JSON: expected `:`", "1"),
            ("{\"a\": 1 2}", "invalid JSON: expected `,` or `}`", "2"),
            ("[1 2]", "invalid JSON: expected `,` or `]`", "2"),
            ("[1, ]", "invalid JSON: trailing comma", "]"),
            ("{\"a\": 1, }", "invalid JSON: trailing comma", "}"),
            ("[tru]", "invalid JSON: expected ident", "]"),
            ("[?]", "invalid JSON: expected value", "?"),
            ("[1] x", "invalid JSON: trailing characters", "x"),
            ("[\"a\\qb\"]", "invalid JSON: invalid escape", "q"),
            (
                "[\"a\tb\"]",
                "invalid JSON: control character (\\u0000-\\u001F) found while parsing a string",
                "\t",
            ),
            ("[1e400]", "invalid JSON: number out of range", "1e400"),
            (
                "[\"ab",
                "invalid JSON: end of file while parsing a string",
                "",
            ),
            (
                "{\"a\": [1,",
                "invalid JSON: end of file while parsing a value",
                "",
            ),
            (
                "{\"a\": 1",
                "invalid JSON: end of file while parsing an object",
                "",
            ),
        ];
        for (text, message, under) in cases {
            assert_eq!(error(text, &limits), (message.to_owned(), under), "{text}");
        }
    }

    #[test]
    fn nesting_is_refused_at_the_bracket_one_level_too_deep() {
        let limits = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        assert!(parse(r#"[{"[[[": "\"[[["}]"#, &limits).is_ok());
        let problem = parse("[[[1]]]", &limits).unwrap_err();
        assert_eq!(
            (problem.code, problem.primary.span),
            (Code::Limit, Span::new(2, 3))
        );
    }
}
