//! The scenes section: named sets of parameter values and pattern texts a performer recalls
//! at once or on the next bar line.
//!
//! `(scenes (verse (lead.cutoff 800) (drums.pattern "bd ~ sd ~")) (chorus …))`: each scene
//! names inputs of the patch's nodes as `NODE.INPUT` (split at the last dot, so a node whose
//! id has dots of its own is named whole) and gives each a number or, for a text input, a
//! text. Recalling one sets them all on the same sample (the engine's `recall_scene`).
//! Validation checks each value as it checks a node's own (`validate/scenes.rs`).

use crate::patch::{Name, PortRef, Value};
use crate::span::Span;

/// One scene: `(NAME (NODE.INPUT VALUE) …)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    /// The name a recall gives.
    pub name: Name,
    /// The values it sets, in the order written.
    pub values: Vec<SceneValue>,
    /// The whole scene.
    pub span: Span,
}

/// One value of a scene: the input it sets and what to.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneValue {
    /// The node and input, each with its part of the written key's span.
    pub target: PortRef,
    /// A number, or a text for a text input.
    pub value: Value,
    /// The whole entry.
    pub span: Span,
}

impl SceneValue {
    /// The key as written: `NODE.INPUT`.
    pub fn key(&self) -> String {
        format!("{}.{}", self.target.node.text, self.target.port.text)
    }
}

/// Splits a written key `NODE.INPUT` at its last dot, giving each part its span inside the
/// key's (past a quote, when the key was quoted without escapes; the whole key's otherwise);
/// `None` for a key without a dot or with an empty part.
pub fn split_key(key: &Name) -> Option<PortRef> {
    let dot = key.text.rfind('.')?;
    let (node, port) = (&key.text[..dot], &key.text[dot + 1..]);
    if node.is_empty() || port.is_empty() {
        return None;
    }
    let written = key.span.range().len();
    let opening = match written {
        _ if key.span.is_none() => None,
        n if n == key.text.len() => Some(0),
        n if n == key.text.len() + 2 => Some(1),
        _ => None,
    };
    let (node_span, port_span) = match opening {
        Some(opening) => {
            let start = key.span.start as usize + opening;
            (
                Span::new(start, start + dot),
                Span::new(start + dot + 1, start + key.text.len()),
            )
        }
        None => (key.span, key.span),
    };
    Some(PortRef {
        node: Name {
            text: node.to_owned(),
            span: node_span,
        },
        port: Name {
            text: port.to_owned(),
            span: port_span,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_at_the_last_dot_with_spans_inside_the_key() {
        let bare = Name {
            text: "out.saw.freq".into(),
            span: Span::new(10, 22),
        };
        let end = split_key(&bare).unwrap();
        assert_eq!(
            (end.node.text.as_str(), end.port.text.as_str()),
            ("out.saw", "freq")
        );
        assert_eq!(
            (end.node.span.range(), end.port.span.range()),
            (10..17, 18..22)
        );
        let quoted = Name {
            text: "a.b".into(),
            span: Span::new(0, 5),
        };
        let end = split_key(&quoted).unwrap();
        assert_eq!((end.node.span.range(), end.port.span.range()), (1..2, 3..4));
        for bad in ["nodot", ".freq", "lead."] {
            assert_eq!(split_key(&Name::new(bad)), None, "{bad}");
        }
    }
}
