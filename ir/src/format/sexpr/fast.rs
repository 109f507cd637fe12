//! The S-expression reader's fast path: a well-formed patch of plain nodes and connections,
//! read straight from the text into a [`Patch`] without building a tree of forms first.
//!
//! Reading a 1 000-node patch through the tree allocates every list and every symbol twice
//! over (the tree, then the patch), which was most of the time a live reload took. This path
//! allocates only what the patch keeps. It accepts a subset of the language — `(patch (nodes
//! ...) (connections ...))` with names, numbers and quoted text values, no escapes, no
//! shorthand, within the limits — and gives up (`None`) on anything else, from the first byte it does not expect:
//! the full reader then reads the file again and reports whatever is wrong with it, so
//! diagnostics come from one place only. What it accepts it reads exactly as the full reader
//! does, spans included; the tests below check that on every seed of the fuzz corpus and on
//! mutations of them.

use super::syntax::looks_numeric;
use crate::limits::Limits;
use crate::patch::{Connection, Name, Node, Param, Patch, PortRef, Value, ValueKind};
use crate::span::Span;

/// The deepest list the fast path reads: a node's entry, in a node, in a section, in the patch.
const DEPTH: usize = 4;

/// What each byte is to the tokenizer: ASCII whitespace (as `char::is_whitespace` has it),
/// a delimiter, or a byte past ASCII (which the fast path leaves to the full reader).
const SPACE: u8 = 1;
const DELIMITER: u8 = 2;
const HIGH: u8 = 4;
const CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        class[byte] = match byte as u8 {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => SPACE,
            b'(' | b')' | b'"' | b';' => DELIMITER,
            0x80..=0xff => HIGH,
            _ => 0,
        };
        byte += 1;
    }
    class
};

/// The patch in `text`, if it lies within the fast path's subset; `None` otherwise.
pub(super) fn read(text: &str, limits: &Limits) -> Option<Patch> {
    if limits.nesting() < DEPTH {
        return None;
    }
    let mut cursor = Cursor {
        text,
        at: 0,
        limits,
    };
    let mut patch = Patch::default();
    cursor.open()?;
    if cursor.name()?.text != "patch" {
        return None;
    }
    let mut seen = [false; 2];
    while !cursor.close() {
        cursor.open()?;
        let section = cursor.name()?;
        let slot = ["nodes", "connections"]
            .iter()
            .position(|&name| name == section.text)?;
        if std::mem::replace(&mut seen[slot], true) {
            return None;
        }
        if slot == 0 {
            while !cursor.close() {
                if patch.nodes.len() == limits.max_nodes {
                    return None;
                }
                patch.nodes.push(cursor.node()?);
            }
        } else {
            while !cursor.close() {
                if patch.connections.len() == limits.max_connections {
                    return None;
                }
                patch.connections.push(cursor.connection()?);
            }
        }
    }
    cursor.skip_space();
    (cursor.at == text.len()).then_some(patch)
}

/// One token of the subset.
enum Token<'t> {
    /// A bare word that is not a number.
    Symbol(&'t str),
    /// A quoted string without escapes, as its contents.
    Text(&'t str),
    Number(f64),
}

struct Cursor<'t> {
    text: &'t str,
    /// The byte offset of the next character.
    at: usize,
    limits: &'t Limits,
}

impl<'t> Cursor<'t> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Skips whitespace and comments; gives up (stops) at any byte past ASCII, which the full
    /// reader may or may not count as whitespace.
    fn skip_space(&mut self) {
        let bytes = self.text.as_bytes();
        while let Some(&byte) = bytes.get(self.at) {
            match byte {
                _ if CLASS[usize::from(byte)] == SPACE => self.at += 1,
                b';' => {
                    self.at = bytes[self.at..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(bytes.len(), |newline| self.at + newline);
                }
                _ => return,
            }
        }
    }

    /// Reads a `(`, with the byte offset where it was.
    fn open(&mut self) -> Option<usize> {
        self.skip_space();
        let start = self.at;
        (self.peek()? == b'(').then(|| {
            self.at += 1;
            start
        })
    }

    /// Reads a `)` if one comes next.
    fn close(&mut self) -> bool {
        self.skip_space();
        let closes = self.peek() == Some(b')');
        self.at += usize::from(closes);
        closes
    }

    /// Reads a `)`, or gives up.
    fn expect_close(&mut self) -> Option<()> {
        self.close().then_some(())
    }

    /// The next token and its span; `None` at a parenthesis or anything outside the subset.
    fn token(&mut self) -> Option<(Token<'t>, Span)> {
        self.skip_space();
        let start = self.at;
        let bytes = self.text.as_bytes();
        let token = match *bytes.get(start)? {
            b'(' | b')' => return None,
            b'"' => {
                let length = bytes[start + 1..]
                    .iter()
                    .position(|&b| b == b'"' || b == b'\\')?;
                if bytes[start + 1 + length] != b'"' || length > self.limits.max_string_bytes {
                    return None;
                }
                self.at = start + length + 2;
                Token::Text(&self.text[start + 1..start + 1 + length])
            }
            _ => {
                let length = bytes[start..]
                    .iter()
                    .position(|&b| CLASS[usize::from(b)] != 0)
                    .unwrap_or(bytes.len() - start);
                if bytes
                    .get(start + length)
                    .is_some_and(|&b| CLASS[usize::from(b)] == HIGH)
                    || length > self.limits.max_string_bytes
                {
                    return None;
                }
                self.at = start + length;
                let word = &self.text[start..self.at];
                if looks_numeric(word) {
                    match word.parse::<f64>() {
                        Ok(number) if number.is_finite() => Token::Number(number),
                        Ok(_) => return None,
                        Err(_) => Token::Symbol(word),
                    }
                } else {
                    Token::Symbol(word)
                }
            }
        };
        Some((token, Span::new(start, self.at)))
    }

    /// A symbol or string as a name.
    fn name(&mut self) -> Option<Name> {
        match self.token()? {
            (Token::Symbol(text) | Token::Text(text), span) => Some(Name {
                text: text.to_owned(),
                span,
            }),
            (Token::Number(_), _) => None,
        }
    }

    /// `(ID (type MODULE) (NAME VALUE) ...)`, the type anywhere among the entries, once.
    fn node(&mut self) -> Option<Node> {
        let start = self.open()?;
        let id = self.name()?;
        let mut module = None;
        let mut params = Vec::new();
        while !self.close() {
            self.open()?;
            let (key, span) = self.token()?;
            match key {
                Token::Symbol("type") => {
                    if module.is_some() {
                        return None;
                    }
                    module = Some(self.name()?);
                }
                Token::Symbol(text) | Token::Text(text) => {
                    let name = Name {
                        text: text.to_owned(),
                        span,
                    };
                    let (value, span) = self.token()?;
                    let kind = match value {
                        Token::Number(number) => ValueKind::Number(number),
                        Token::Text(text) => ValueKind::Text(text.to_owned()),
                        // A bare symbol may be shorthand for a connection.
                        Token::Symbol(_) => return None,
                    };
                    params.push(Param {
                        name,
                        value: Value {
                            kind,
                            span,
                            escapes: Vec::new(),
                        },
                    });
                }
                Token::Number(_) => return None,
            }
            self.expect_close()?;
        }
        Some(Node {
            id,
            module: module?,
            params,
            span: Span::new(start, self.at),
        })
    }

    /// `(NODE PORT -> NODE PORT)`.
    fn connection(&mut self) -> Option<Connection> {
        let start = self.open()?;
        let node = self.name()?;
        // `(-> ...)` is a chain, unless the arrow is quoted.
        if node.text == "->" && self.text.as_bytes()[node.span.start as usize] != b'"' {
            return None;
        }
        let from = PortRef {
            node,
            port: self.name()?,
        };
        if !matches!(self.token()?, (Token::Symbol("->"), _)) {
            return None;
        }
        let to = PortRef {
            node: self.name()?,
            port: self.name()?,
        };
        self.expect_close()?;
        Some(Connection {
            from,
            to,
            span: Span::new(start, self.at),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::read_forms;
    use super::*;
    use std::path::Path;

    /// Every patch the fast path reads, the full reader reads the same, spans included.
    fn agrees(text: &str, limits: &Limits) -> bool {
        match read(text, limits) {
            None => true,
            Some(fast) => read_forms(text, limits).ok() == Some(fast),
        }
    }

    fn texts() -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut texts = Vec::new();
        for dir in ["fuzz/seeds/read_sexpr", "patches", "patches/errors"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    texts.push(text);
                }
            }
        }
        texts
    }

    #[test]
    fn the_fast_path_reads_what_the_full_reader_reads() {
        let texts = texts();
        let limits = Limits::default();
        let read_fast = texts
            .iter()
            .filter(|text| read(text, &limits).is_some())
            .count();
        println!("{} texts, {read_fast} within the fast path", texts.len());
        // The corpus has both: patches the fast path takes, and everything else.
        assert!(read_fast >= 10 && read_fast < texts.len());
        for text in &texts {
            assert!(agrees(text, &limits), "disagreement on {text:?}");
        }
    }

    #[test]
    fn mutated_texts_are_read_alike_or_left_to_the_full_reader() {
        const ALPHABET: &[u8] = b"()\" ;\n\\->.1e9aZ\t";
        let limits = Limits::default();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut random = move |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        let mut read_fast = 0;
        for text in texts().iter().filter(|text| text.len() < 4_000) {
            for _ in 0..20 {
                let mut bytes = text.clone().into_bytes();
                for _ in 0..1 + random(3) {
                    let at = random(bytes.len() + 1);
                    let byte = ALPHABET[random(ALPHABET.len())];
                    match random(3) {
                        0 => bytes.insert(at, byte),
                        1 if at < bytes.len() => bytes[at] = byte,
                        _ if at < bytes.len() => {
                            bytes.remove(at);
                        }
                        _ => {}
                    }
                }
                let Ok(mutated) = String::from_utf8(bytes) else {
                    continue;
                };
                read_fast += usize::from(read(&mutated, &limits).is_some());
                assert!(agrees(&mutated, &limits), "disagreement on {mutated:?}");
            }
        }
        assert!(
            read_fast > 100,
            "only {read_fast} mutations within the fast path"
        );
    }

    #[test]
    fn tight_limits_leave_the_patch_to_the_full_reader() {
        let text = r#"(patch (nodes (osc1 (type "osc.sine") (freq 440)) (out (type "output")))
                             (connections (osc1 "out" -> out "in")))"#;
        let limits = Limits::default();
        assert!(read(text, &limits).is_some());
        for tight in [
            Limits {
                max_nodes: 1,
                ..Limits::default()
            },
            Limits {
                max_connections: 0,
                ..Limits::default()
            },
            Limits {
                max_string_bytes: 4,
                ..Limits::default()
            },
            Limits {
                max_depth: 3,
                ..Limits::default()
            },
        ] {
            assert!(read(text, &tight).is_none(), "{tight:?}");
            assert!(agrees(text, &tight));
        }
    }
}
