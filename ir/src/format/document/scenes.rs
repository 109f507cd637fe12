//! The scenes section in the document shape JSON and MessagePack share:
//!
//! ```text
//! "scenes": { "verse": { "lead.cutoff": 800, "drums.pattern": "bd ~ sd ~" }, ... }
//! ```
//!
//! Scenes and their values keep the order written, like every map of the document.

use super::{Converter, Entry, Item, ItemKind, ValueDocument};
use crate::diagnostic::{Code, Diagnostic, push_capped};
use crate::scenes::{Scene, SceneValue, is_key};
use crate::span::Span;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

const EXAMPLE: &str =
    r#""scenes": { "verse": { "lead.cutoff": 800, "drums.pattern": "bd ~ sd ~" } }"#;

impl Converter<'_> {
    /// The `scenes` section; what is not a map of maps is reported and left out.
    pub(super) fn scenes(&mut self, value: Item) -> Vec<Scene> {
        let ItemKind::Map(entries) = value.kind else {
            let found = self.describe(&value.kind);
            let message = format!("expected `scenes` to be {}, found {found}", self.words.map);
            self.scene_problem(value.span, message, format!("write `{EXAMPLE}`"));
            return Vec::new();
        };
        entries
            .into_iter()
            .filter_map(|Entry { key, value }| self.scene(key, value))
            .collect()
    }

    fn scene(&mut self, name: crate::patch::Name, value: Item) -> Option<Scene> {
        let span = name.span.to(value.span);
        let ItemKind::Map(entries) = value.kind else {
            let found = self.describe(&value.kind);
            let message = format!(
                "expected scene `{}` to be {} of values, found {found}",
                name.text, self.words.map
            );
            self.scene_problem(value.span, message, format!("write `{EXAMPLE}`"));
            return None;
        };
        let mut values = Vec::with_capacity(entries.len());
        for Entry { key, value } in entries {
            let entry_span = key.span.to(value.span);
            if !is_key(&key.text) {
                let message = format!("scene key `{}` names no input", key.text);
                let hint =
                    "write the node and its input as `NODE.INPUT`, e.g. `\"lead.cutoff\": 800`";
                self.scene_problem(key.span, message, hint);
                continue;
            }
            if let Some(value) = self.value(value, &name, &key) {
                values.push(SceneValue {
                    key,
                    value,
                    span: entry_span,
                });
            }
        }
        Some(Scene { name, values, span })
    }

    fn scene_problem(&mut self, span: Span, message: String, hint: impl Into<String>) {
        push_capped(
            &mut self.problems,
            Diagnostic::new(Code::Scene, span, message).with_hint(hint),
        );
    }
}

/// The scenes for any serde serializer: a map of scene names to maps of `NODE.INPUT` keys.
pub(super) struct ScenesDocument<'p>(pub(super) &'p [Scene]);

impl Serialize for ScenesDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for scene in self.0 {
            map.serialize_entry(&scene.name.text, &SceneDocument(scene))?;
        }
        map.end()
    }
}

struct SceneDocument<'p>(&'p Scene);

impl Serialize for SceneDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.values.len()))?;
        for value in &self.0.values {
            map.serialize_entry(&value.key.text, &ValueDocument(&value.value.kind))?;
        }
        map.end()
    }
}
