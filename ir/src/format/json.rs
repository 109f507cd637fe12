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
//! serde_json reports positions only in its errors, so the text is walked once by our own
//! parser (`json/parse.rs`), which records every element's span and hands strings and numbers
//! to serde_json. Objects are read into ordered lists, not maps, to keep file order and
//! duplicates for the validator. Nesting is counted as the walk descends, so nothing recurses
//! past [`Limits::max_depth`].

mod parse;

use crate::diagnostic::Diagnostics;
use crate::format::document::{self, PatchDocument, Words};
use crate::format::guard;
use crate::limits::Limits;
use crate::patch::Patch;
use serde::Serialize;
use serde_json::ser::Formatter;
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
    let root = parse::parse(text, limits).map_err(|problem| vec![problem])?;
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
