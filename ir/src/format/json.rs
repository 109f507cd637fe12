//! JSON patches, with a byte span on every element.
//!
//! ```json
//! {
//!   "nodes": {
//!     "osc1": { "type": "osc.sine", "params": { "freq": 440 } },
//!     "out": { "type": "output" }
//!   },
//!   "connections": [
//!     { "from": ["osc1", "out"], "to": ["out", "in"] }
//!   ]
//! }
//! ```
//!
//! serde_json reports positions only in its errors, so spans come from [`RawValue`]: each object
//! and array is decoded one level at a time into borrowed raw values, whose offset in the source
//! is pointer arithmetic; a key's span is found by scanning back from its value. Objects are
//! decoded into ordered lists, not maps, to keep file order and duplicates for the validator.
//! A byte scan refuses deep nesting before serde_json sees the text, so nothing recurses past
//! [`Limits::max_depth`].

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::format::document::{self, Entry, Item, ItemKind, PatchDocument, Words};
use crate::format::guard;
use crate::limits::Limits;
use crate::patch::{Name, Patch};
use crate::span::Span;
use serde::Serialize;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::ser::Formatter;
use serde_json::value::RawValue;
use std::fmt;
use std::io;

const WORDS: Words = Words {
    map: "an object",
    list: "an array",
};

/// Reads a JSON patch, collecting every shape problem; stops at the first syntax error or
/// exceeded limit.
pub fn read(text: &str, limits: &Limits) -> Result<Patch, Diagnostics> {
    guard::check_source_size(text.len(), limits)?;
    if text.trim_matches(is_json_space).is_empty() {
        return Err(guard::empty(r#"{ "nodes": {}, "connections": [] }"#));
    }
    check_depth(text, limits).map_err(|problem| vec![problem])?;
    let builder = Builder { text, limits };
    let root = builder
        .parse::<&RawValue>(text)
        .and_then(|root| builder.item(root))
        .map_err(|problem| vec![problem])?;
    let mut patch = document::to_patch(root, limits, WORDS)?;
    crate::literal::locate(&mut patch, text);
    Ok(patch)
}

/// Writes `patch` as pretty JSON, one node or connection per line, ending with a newline.
///
/// Total: any patch can be written. Numbers are written so they read back bit-identical,
/// except NaN and infinities (which no reader produces): serde_json writes them as `null`, which
/// the reader then refuses.
pub fn write(patch: &Patch) -> String {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, Layout::default());
    // serde_json fails only on I/O errors and non-string keys; a Vec never fails to grow and
    // every key here is a string, so there is no error to report.
    if PatchDocument(patch).serialize(&mut serializer).is_ok() {
        out.push(b'\n');
    }
    // serde_json writes UTF-8 only, so this never replaces anything.
    String::from_utf8_lossy(&out).into_owned()
}

fn is_json_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Refuses nesting of `[` and `{` (outside strings) deeper than [`Limits::max_depth`], at the
/// bracket that goes too deep.
fn check_depth(text: &str, limits: &Limits) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (at, byte) in text.bytes().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limits.nesting() {
                    return Err(guard::too_deep(limits, Span::new(at, at + 1)));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Turns raw JSON values into [`Item`]s with spans into `text`.
struct Builder<'t> {
    text: &'t str,
    limits: &'t Limits,
}

impl<'t> Builder<'t> {
    /// Recursion is bounded by [`check_depth`].
    fn item(&self, raw: &'t RawValue) -> Result<Item, Diagnostic> {
        let json = raw.get();
        let start = self.offset(json);
        let span = Span::new(start, start + json.len());
        let kind = match json.as_bytes().first() {
            Some(b'{') => {
                let OrderedObject(members) = self.parse(json)?;
                let mut entries = Vec::with_capacity(members.len());
                for (text, value) in members {
                    let key_span = key_span(self.text, self.offset(value.get()));
                    guard::check_string(text.len(), self.limits, key_span)?;
                    entries.push(Entry {
                        key: Name {
                            text,
                            span: key_span,
                        },
                        value: self.item(value)?,
                    });
                }
                ItemKind::Map(entries)
            }
            Some(b'[') => {
                let elements: Vec<&RawValue> = self.parse(json)?;
                let items = elements.into_iter().map(|raw| self.item(raw));
                ItemKind::List(items.collect::<Result<_, _>>()?)
            }
            Some(b'"') => {
                let text: String = self.parse(json)?;
                guard::check_string(text.len(), self.limits, span)?;
                ItemKind::Text(text)
            }
            _ => match json {
                "true" => ItemKind::Other("`true`"),
                "false" => ItemKind::Other("`false`"),
                "null" => ItemKind::Other("`null`"),
                // serde_json points past the end of a number out of range; show all of it.
                _ => ItemKind::Number(self.parse(json).map_err(|mut problem| {
                    problem.primary.span = span;
                    problem
                })?),
            },
        };
        Ok(Item { kind, span })
    }

    /// Decodes `json`, a slice of the source, reporting errors at their place in the source.
    fn parse<T: Deserialize<'t>>(&self, json: &'t str) -> Result<T, Diagnostic> {
        serde_json::from_str(json).map_err(|error| {
            let at = self.offset(json) + offset_of(json, error.line(), error.column());
            let full = error.to_string();
            let what = full
                .rsplit_once(" at line ")
                .map_or(full.as_str(), |(what, _)| what);
            Diagnostic::new(
                Code::Syntax,
                guard::char_span(self.text, at),
                format!("invalid JSON: {}", what.replace("EOF", "end of file")),
            )
            .with_label("here")
        })
    }

    /// The byte offset of `json`, a slice of the source, in the source.
    fn offset(&self, json: &str) -> usize {
        (json.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize)
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

/// The span of the key whose value starts at `value_start`, quotes included: scan back over
/// whitespace, `:` and whitespace to the closing quote, then back to the first `"` that is not
/// escaped (not preceded by an odd number of backslashes).
fn key_span(text: &str, value_start: usize) -> Span {
    let bytes = text.as_bytes();
    let skip_space = |mut at: usize| {
        while at > 0 && matches!(bytes.get(at - 1), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            at -= 1;
        }
        at
    };
    let mut end = skip_space(value_start.min(bytes.len()));
    if end > 0 && bytes.get(end - 1) == Some(&b':') {
        end -= 1;
    }
    let end = skip_space(end);
    if end == 0 || bytes.get(end - 1) != Some(&b'"') {
        return Span::NONE;
    }
    let mut at = end - 1;
    while at > 0 {
        at -= 1;
        if bytes.get(at) == Some(&b'"') {
            let backslashes = bytes
                .get(..at)
                .unwrap_or_default()
                .iter()
                .rev()
                .take_while(|&&byte| byte == b'\\')
                .count();
            if backslashes % 2 == 0 {
                return Span::new(at, end);
            }
        }
    }
    Span::NONE
}

/// A JSON object's members in file order, duplicates kept, values still raw.
struct OrderedObject<'t>(Vec<(String, &'t RawValue)>);

impl<'t> Deserialize<'t> for OrderedObject<'t> {
    fn deserialize<D: Deserializer<'t>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(OrderedObjectVisitor)
    }
}

struct OrderedObjectVisitor;

impl<'t> Visitor<'t> for OrderedObjectVisitor {
    type Value = OrderedObject<'t>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'t>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry()? {
            members.push(member);
        }
        Ok(OrderedObject(members))
    }
}

/// serde_json's pretty layout for the two outer levels (one node or connection per line) and
/// a compact one inside them, like the examples in the docs; inside `voice` and `midi`, one
/// level more (one template node, connection or binding per line).
#[derive(Debug, Default)]
struct Layout {
    /// How many objects and arrays enclose the next token.
    depth: usize,
    /// Whether the innermost open object or array has a member yet.
    has_value: bool,
    /// Whether a key of the patch object is being written, and its text so far.
    in_top_key: bool,
    top_key: Vec<u8>,
    /// Whether the open member of the patch object is `voice` or `midi`.
    in_section: bool,
}

/// Levels laid out one member per line: the patch object, then `nodes` and `connections`.
const PRETTY_LEVELS: usize = 2;
/// Members of the patch object whose own members' members go one per line too.
const SECTIONS: [&[u8]; 2] = [b"voice", b"midi"];

impl Layout {
    fn pretty(&self) -> bool {
        self.depth <= PRETTY_LEVELS || (self.in_section && self.depth == PRETTY_LEVELS + 1)
    }

    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        if self.depth == PRETTY_LEVELS {
            self.in_section = SECTIONS.contains(&self.top_key.as_slice());
        }
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        let pretty = self.pretty();
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            if pretty {
                self.newline(w)?;
            } else if bracket == b"}" {
                w.write_all(b" ")?;
            }
        }
        w.write_all(bracket)
    }

    fn separate<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        if self.pretty() {
            self.newline(w)
        } else if !first {
            w.write_all(b" ")
        } else {
            Ok(())
        }
    }

    fn newline<W: ?Sized + io::Write>(&self, w: &mut W) -> io::Result<()> {
        w.write_all(b"\n")?;
        (0..self.depth).try_for_each(|_| w.write_all(b"  "))
    }
}

impl Formatter for Layout {
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if self.depth == 1 {
            self.in_top_key = true;
            self.top_key.clear();
        }
        self.separate(w, first)?;
        if first && !self.pretty() {
            w.write_all(b" ")?;
        }
        Ok(())
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if self.in_top_key {
            self.top_key.extend_from_slice(fragment.as_bytes());
        }
        w.write_all(fragment.as_bytes())
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.in_top_key = false;
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.separate(w, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_spans_cover_the_quoted_key() {
        let text = r#"{ "a\"b" :  1, "c\\": [2], "": {} }"#;
        let value_at = |needle: &str| text.find(needle).unwrap();
        assert_eq!(&text[key_span(text, value_at("1")).range()], r#""a\"b""#);
        assert_eq!(&text[key_span(text, value_at("[2]")).range()], r#""c\\""#);
        assert_eq!(&text[key_span(text, value_at("{}")).range()], r#""""#);
    }

    #[test]
    fn raw_values_start_after_whitespace() {
        let text = "{\n  \"nodes\" :\n   {\"x\": 1}\n}";
        let builder = Builder {
            text,
            limits: &Limits::default(),
        };
        let OrderedObject(members) = builder.parse(text).unwrap();
        let value = members[0].1.get();
        assert_eq!(value, r#"{"x": 1}"#);
        assert_eq!(&text[builder.offset(value)..][..8], r#"{"x": 1}"#);
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
    fn brackets_inside_strings_do_not_nest() {
        let limits = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        assert!(check_depth(r#"[{"[[[": "\"[[["}]"#, &limits).is_ok());
        let problem = check_depth("[[[1]]]", &limits).unwrap_err();
        assert_eq!(
            (problem.code, problem.primary.span),
            (Code::Limit, Span::new(2, 3))
        );
    }
}
