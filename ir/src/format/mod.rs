//! Reading and writing patches in their three interchangeable forms.
//!
//! | format | extensions | spans |
//! |---|---|---|
//! | S-expression | `.lisp`, `.sexp` | byte spans on every element |
//! | JSON | `.json` | byte spans on every element |
//! | MessagePack | `.msgpack` | none ([`Span::NONE`](crate::Span::NONE)): binary has no lines |
//!
//! All three carry the same data model, so any patch converts between them without loss:
//! `read(write(p)) == p` up to spans. Every reader enforces [`Limits`] before handing text to
//! anything that could recurse, and reports problems as [`Diagnostics`] instead of panicking.

mod document;
pub(crate) mod guard;
pub mod json;
pub mod msgpack;
pub mod sexpr;

use crate::diagnostic::Diagnostics;
use crate::limits::Limits;
use crate::patch::Patch;
use std::path::Path;

/// One of the three patch formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// S-expressions, `.lisp` or `.sexp`.
    Sexpr,
    /// JSON, `.json`.
    Json,
    /// MessagePack, `.msgpack`.
    MessagePack,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 3] = [Format::Sexpr, Format::Json, Format::MessagePack];

    /// The format a path's extension names, if any.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()? {
            "lisp" | "sexp" => Some(Format::Sexpr),
            "json" => Some(Format::Json),
            "msgpack" => Some(Format::MessagePack),
            _ => None,
        }
    }

    /// The extensions that name this format, preferred first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Sexpr => &["lisp", "sexp"],
            Format::Json => &["json"],
            Format::MessagePack => &["msgpack"],
        }
    }

    /// Whether the format is text (and so has lines and columns for spans).
    pub fn is_text(self) -> bool {
        self != Format::MessagePack
    }

    /// Reads a patch.
    pub fn read(self, bytes: &[u8], limits: &Limits) -> Result<Patch, Diagnostics> {
        match self {
            Format::Sexpr => sexpr::read(&text_of(bytes, limits)?, limits),
            Format::Json => json::read(&text_of(bytes, limits)?, limits),
            Format::MessagePack => msgpack::read(bytes, limits),
        }
    }

    /// Writes a patch. Text formats end with a newline.
    pub fn write(self, patch: &Patch) -> Vec<u8> {
        match self {
            Format::Sexpr => sexpr::write(patch).into_bytes(),
            Format::Json => json::write(patch).into_bytes(),
            Format::MessagePack => msgpack::write(patch),
        }
    }
}

/// The bytes as UTF-8 text, or a diagnostic at the first byte that is not.
fn text_of<'b>(bytes: &'b [u8], limits: &Limits) -> Result<std::borrow::Cow<'b, str>, Diagnostics> {
    use crate::diagnostic::{Code, Diagnostic};
    use crate::span::Span;
    guard::check_source_size(bytes.len(), limits)?;
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(std::borrow::Cow::Borrowed(text)),
        Err(error) => {
            let at = error.valid_up_to();
            Err(vec![
                Diagnostic::new(
                    Code::Syntax,
                    Span::new(at, at + 1),
                    "the patch is not UTF-8 text",
                )
                .with_label("this byte is not UTF-8")
                .with_hint("binary patches must be MessagePack files ending in `.msgpack`"),
            ])
        }
    }
}
