//! The scenes section: named sets of parameter values and pattern texts a performer recalls
//! at once or on the next bar line.
//!
//! `(scenes (verse (lead.cutoff 800) (drums.pattern "bd ~ sd ~")) (chorus …))`: each scene
//! names inputs of the patch's nodes as `NODE.INPUT` and gives each a number or, for a text
//! input, a text. Node ids and input names may both hold dots (`out.saw`, `notes0.pitch`),
//! so a key is kept as written and split against the patch: at the dot after the longest
//! prefix that is a node's id ([`SceneValue::target`]). Recalling one sets them all on the same sample (the engine's `recall_scene`).
//! Validation checks each value as it checks a node's own (`validate/scenes.rs`).

use crate::patch::{Name, Patch, PortRef, Value};
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
    /// The input, `NODE.INPUT`, as written.
    pub key: Name,
    /// A number, or a text for a text input.
    pub value: Value,
    /// The whole entry.
    pub span: Span,
}

impl SceneValue {
    /// The node and input the key names in `patch`: split at the dot after the longest
    /// prefix that is the id of a node or voice template of `patch`, each part with its span
    /// inside the key's; `None` if no prefix is.
    pub fn target(&self, patch: &Patch) -> Option<PortRef> {
        let text = &self.key.text;
        text.char_indices()
            .rev()
            .filter(|&(_, c)| c == '.')
            .map(|(dot, _)| dot)
            .find(|&dot| {
                let node = &text[..dot];
                patch.node(node).is_some() || patch.voices.iter().any(|t| t.name.text == node)
            })
            .and_then(|dot| split_at(&self.key, dot))
    }
}

/// Whether a written key has the shape `NODE.INPUT`: a dot with text on both sides.
pub fn is_key(key: &str) -> bool {
    key.find('.').is_some_and(|first| first > 0)
        && key.rfind('.').is_some_and(|last| last + 1 < key.len())
}

/// Splits a key at the dot at byte `dot`, giving each part its span inside the key's (past
/// a quote when the key was quoted without escapes; the whole key's otherwise); `None` if a
/// part would be empty.
pub fn split_at(key: &Name, dot: usize) -> Option<PortRef> {
    let (node, port) = (key.text.get(..dot)?, key.text.get(dot + 1..)?);
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
    use crate::patch::PatchBuilder;

    fn value(key: &str, span: Span) -> SceneValue {
        SceneValue {
            key: Name {
                text: key.into(),
                span,
            },
            value: Value {
                kind: crate::patch::ValueKind::Number(1.0),
                span: Span::NONE,
                escapes: Vec::new(),
            },
            span: Span::NONE,
        }
    }

    #[test]
    fn keys_split_after_the_longest_node_id_with_spans_inside_the_key() {
        let patch = PatchBuilder::new()
            .node("out", "output", &[])
            .node("out.saw", "osc.saw", &[])
            .node("slot", "voice.slot", &[])
            .build();
        let parts = |key: &str, span: Span| {
            let end = value(key, span).target(&patch)?;
            Some((
                end.node.text,
                end.port.text,
                end.node.span.range(),
                end.port.span.range(),
            ))
        };
        assert_eq!(
            parts("out.saw.freq", Span::new(10, 22)),
            Some(("out.saw".into(), "freq".into(), 10..17, 18..22))
        );
        // Quoted: the parts' spans start past the quote.
        assert_eq!(
            parts("slot.notes2.pitch", Span::new(0, 19)),
            Some(("slot".into(), "notes2.pitch".into(), 1..5, 6..18))
        );
        assert_eq!(parts("lead.cutoff", Span::NONE), None);
        for (key, shaped) in [
            ("a.b", true),
            ("nodot", false),
            (".freq", false),
            ("lead.", false),
        ] {
            assert_eq!(is_key(key), shaped, "{key}");
        }
    }
}
