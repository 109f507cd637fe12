//! MessagePack patches: the JSON document shape (`format/document.rs`) in binary, for tools
//! that generate patches. Maps are real maps with string keys, so any MessagePack library can
//! read and write them without a schema.
//!
//! Binary has no lines, so every span is [`Span::NONE`]. The decoder is rmp-serde, driven by
//! our own visitor so that hostile input cannot make it allocate or recurse much: lengths in
//! headers are never trusted for preallocation (rmp-serde reads a string by growing its buffer
//! as bytes actually arrive, so a header claiming four gigabytes costs only what follows it),
//! and nesting is counted both by us and by rmp-serde's own depth limit.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::format::document::{self, Entry, Item, ItemKind, PatchDocument, Words};
use crate::format::guard;
use crate::limits::Limits;
use crate::patch::{Name, Patch};
use crate::span::Span;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::Cell;
use std::fmt;
use std::io::Cursor;

const WORDS: Words = Words {
    map: "a map",
    list: "an array",
};

/// Reads a MessagePack patch, collecting every shape problem; stops at the first decoding error
/// or exceeded limit.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Patch, Diagnostics> {
    guard::check_source_size(bytes.len(), limits)?;
    if bytes.is_empty() {
        return Err(guard::empty(
            r#"{"nodes": {}, "connections": []} as a MessagePack map"#,
        ));
    }
    let exceeded = Cell::new(None);
    let mut decoder = rmp_serde::Deserializer::new(Cursor::new(bytes));
    // A backstop only: `Seed` counts depth itself, to the same limit (rmp-serde refuses at
    // `depth - 1` containers). rmp-serde caps the limit at `u16::MAX`.
    decoder.set_max_depth(limits.nesting().saturating_add(1));
    let seed = Seed {
        limits,
        exceeded: &exceeded,
        depth: 0,
    };
    let root = match seed.deserialize(&mut decoder) {
        Ok(root) => root,
        Err(error) => {
            let problem = match (exceeded.take(), error) {
                (Some(problem), _) => problem,
                (None, rmp_serde::decode::Error::DepthLimitExceeded) => {
                    guard::too_deep(limits, Span::NONE)
                }
                (None, error) if ends_early(&error) => invalid("the data ends inside a value"),
                (None, error) => invalid(&error.to_string()),
            };
            return Err(vec![problem]);
        }
    };
    let trailing = bytes.len() as u64 - decoder.position().min(bytes.len() as u64);
    if trailing > 0 {
        return Err(vec![invalid(&format!(
            "{trailing} bytes after the end of the patch"
        ))]);
    }
    document::to_patch(root, limits, WORDS)
}

/// Writes `patch` as MessagePack: maps with string keys, numbers as 64-bit floats.
///
/// Total: any patch can be written, and reads back equal up to spans (NaN and infinities, which
/// no reader produces, are written but refused when read).
pub fn write(patch: &Patch) -> Vec<u8> {
    // rmp-serde fails only on I/O errors, and writing to a Vec never fails.
    rmp_serde::to_vec_named(&PatchDocument(patch)).unwrap_or_default()
}

/// Whether decoding failed because the bytes ran out, which rmp-serde words as an I/O error.
fn ends_early(error: &rmp_serde::decode::Error) -> bool {
    use rmp_serde::decode::Error;
    match error {
        Error::InvalidMarkerRead(io) | Error::InvalidDataRead(io) => {
            io.kind() == std::io::ErrorKind::UnexpectedEof
        }
        _ => false,
    }
}

fn invalid(what: &str) -> Diagnostic {
    Diagnostic::new(
        Code::Syntax,
        Span::NONE,
        format!("invalid MessagePack: {what}"),
    )
    .with_hint("MessagePack patches hold a map with `nodes` and `connections`, like the JSON form")
}

/// Decodes one value into an [`Item`], enforcing [`Limits`] as it goes. An exceeded limit is
/// left in `exceeded`, because serde errors can carry only a message and we want its own code.
#[derive(Clone, Copy)]
struct Seed<'a> {
    limits: &'a Limits,
    exceeded: &'a Cell<Option<Diagnostic>>,
    /// How many arrays and maps enclose this value.
    depth: usize,
}

impl Seed<'_> {
    fn exceed<E: de::Error>(&self, problem: Diagnostic) -> E {
        self.exceeded.set(Some(problem));
        E::custom("limit exceeded")
    }

    fn text<E: de::Error>(&self, text: &str) -> Result<String, E> {
        guard::check_string(text.len(), self.limits, Span::NONE)
            .map_err(|problem| self.exceed(problem))?;
        Ok(text.to_owned())
    }

    /// The seed for the members of a container, or an error if that nests too deep.
    fn inner<E: de::Error>(&self) -> Result<Self, E> {
        if self.depth >= self.limits.nesting() {
            return Err(self.exceed(guard::too_deep(self.limits, Span::NONE)));
        }
        Ok(Seed {
            depth: self.depth + 1,
            ..*self
        })
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Item;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Item, D::Error> {
        let kind = deserializer.deserialize_any(self)?;
        Ok(Item {
            kind,
            span: Span::NONE,
        })
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = ItemKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a patch value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<ItemKind, E> {
        Ok(ItemKind::Other(if value { "`true`" } else { "`false`" }))
    }

    fn visit_unit<E: de::Error>(self) -> Result<ItemKind, E> {
        Ok(ItemKind::Other("`nil`"))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<ItemKind, E> {
        Ok(ItemKind::Number(value as f64))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<ItemKind, E> {
        Ok(ItemKind::Number(value as f64))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<ItemKind, E> {
        Ok(ItemKind::Number(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<ItemKind, E> {
        self.text(value).map(ItemKind::Text)
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<ItemKind, E> {
        Ok(ItemKind::Other("binary data"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ItemKind, A::Error> {
        let inner = self.inner()?;
        // No `with_capacity(seq.size_hint())`: the length comes from the input, and a header
        // claiming four billion elements must not allocate for them.
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(ItemKind::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ItemKind, A::Error> {
        let inner = self.inner()?;
        let mut entries = Vec::new();
        while let Some(text) = map.next_key_seed(Key(inner))? {
            let value = map.next_value_seed(inner)?;
            entries.push(Entry {
                key: Name::new(text),
                value,
            });
        }
        Ok(ItemKind::Map(entries))
    }
}

/// Decodes a map key, which must be a string.
struct Key<'a>(Seed<'a>);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string map key")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<String, E> {
        self.0.text(value)
    }
}
