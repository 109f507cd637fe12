//! The scenes section in S-expression form:
//! `(scenes (verse (lead.cutoff 800) (drums.pattern "bd ~ sd ~")) (chorus …))`.

use super::syntax::Sexp;
use super::{Reader, name, to_value, write_name, write_value};
use crate::diagnostic::{Code, Diagnostic, push_capped};
use crate::scenes::{Scene, SceneValue, is_key};
use crate::span::Span;

const EXAMPLE: &str = r#"(scenes (verse (lead.cutoff 800) (drums.pattern "bd ~ sd ~")))"#;
const VALUE_EXAMPLE: &str = "(lead.cutoff 800)";

impl Reader<'_> {
    /// `(scenes SCENE …)`, its items after `scenes`.
    pub(super) fn scenes(&mut self, items: impl Iterator<Item = Sexp>) -> Vec<Scene> {
        items.filter_map(|form| self.scene(form)).collect()
    }

    /// `(NAME (NODE.INPUT VALUE) …)`.
    fn scene(&mut self, form: Sexp) -> Option<Scene> {
        let span = form.span();
        let Sexp::List(items, _) = form else {
            let message = format!("expected a scene, found {}", form.describe());
            self.scene_problem(span, message, format!("write `{EXAMPLE}`"));
            return None;
        };
        let mut items = items.into_iter();
        let Some(scene_name) = items.next().and_then(name) else {
            let message = "a scene must start with its name".to_owned();
            self.scene_problem(span, message, format!("write `{EXAMPLE}`"));
            return None;
        };
        let values = items.filter_map(|entry| self.scene_value(entry)).collect();
        Some(Scene {
            name: scene_name,
            values,
            span,
        })
    }

    /// `(NODE.INPUT VALUE)`.
    fn scene_value(&mut self, entry: Sexp) -> Option<SceneValue> {
        let span = entry.span();
        if let Sexp::List(parts, _) = entry
            && let Ok([key, value]) = <[Sexp; 2]>::try_from(parts)
            && let Some(key) = name(key)
        {
            if !is_key(&key.text) {
                let message = format!("scene key `{}` names no input", key.text);
                let hint =
                    format!("write the node and its input as `NODE.INPUT`, e.g. `{VALUE_EXAMPLE}`");
                self.scene_problem(key.span, message, hint);
                return None;
            }
            return Some(SceneValue {
                key,
                value: to_value(value),
                span,
            });
        }
        let message = "expected a scene value `(NODE.INPUT VALUE)`".to_owned();
        self.scene_problem(span, message, format!("write e.g. `{VALUE_EXAMPLE}`"));
        None
    }

    fn scene_problem(&mut self, span: Span, message: String, hint: impl Into<String>) {
        push_capped(
            &mut self.problems,
            Diagnostic::new(Code::Scene, span, message).with_hint(hint),
        );
    }
}

/// Writes `(scenes (NAME (NODE.INPUT VALUE) …) …)`, a scene and a value to a line.
pub(super) fn write_scenes(out: &mut String, scenes: &[Scene]) {
    out.push_str("\n  (scenes");
    for scene in scenes {
        out.push_str("\n    (");
        write_name(out, &scene.name.text);
        for value in &scene.values {
            out.push_str("\n      (");
            write_name(out, &value.key.text);
            out.push(' ');
            write_value(out, &value.value.kind);
            out.push(')');
        }
        out.push(')');
    }
    out.push(')');
}
