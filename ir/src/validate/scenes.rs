//! The scenes section's rules: names and keys used once, each value one the patch could
//! hold for that input, on an input a recall can set.

use super::{check_text, check_value};
use crate::catalog::{Catalog, Role, Unit};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, push_capped};
use crate::patch::{Param, Patch};
use crate::scenes::{Scene, SceneValue};
use crate::suggest;

/// Checks every scene of `patch` (its ports resolved) against its nodes and `catalog`.
pub(crate) fn check(patch: &Patch, catalog: &Catalog, problems: &mut Diagnostics) {
    for (at, scene) in patch.scenes.iter().enumerate() {
        if let Some(first) = patch.scenes[..at]
            .iter()
            .find(|other| other.name.text == scene.name.text)
        {
            push_capped(
                problems,
                Diagnostic::new(
                    Code::Scene,
                    scene.name.span,
                    format!("duplicate scene `{}`", scene.name.text),
                )
                .with_label("defined again here")
                .with_secondary(first.name.span, "first defined here")
                .with_hint("give each scene its own name"),
            );
        }
        for (at, value) in scene.values.iter().enumerate() {
            if let Some(first) = scene.values[..at]
                .iter()
                .find(|other| other.key.text == value.key.text)
            {
                push_capped(
                    problems,
                    Diagnostic::new(
                        Code::Scene,
                        value.span,
                        format!(
                            "scene `{}` sets `{}` twice",
                            scene.name.text, value.key.text
                        ),
                    )
                    .with_label("set again here")
                    .with_secondary(first.span, "first set here")
                    .with_hint("keep one of the two values"),
                );
                continue;
            }
            if let Err(problem) = check_value_of(patch, catalog, scene, value) {
                push_capped(problems, problem);
            }
        }
    }
}

/// Whether `value` names an input of a node of the patch that a recall can set, and is a
/// value that input takes.
fn check_value_of(
    patch: &Patch,
    catalog: &Catalog,
    scene: &Scene,
    value: &SceneValue,
) -> Result<(), Diagnostic> {
    let refuse = |reason: String, hint: &str| {
        Diagnostic::new(
            Code::Scene,
            value.span,
            format!(
                "scene `{}` cannot set `{}`: {reason}",
                scene.name.text, value.key.text
            ),
        )
        .with_label("this value")
        .with_hint(hint.to_owned())
    };
    let Some(target) = value.target(patch) else {
        let written = value.key.text.split('.').next().unwrap_or_default();
        let mut ids: Vec<&str> = patch.nodes.iter().map(|n| n.id.text.as_str()).collect();
        ids.extend(patch.voices.iter().map(|t| t.name.text.as_str()));
        return Err(Diagnostic::new(
            Code::UnknownNode,
            value.key.span,
            format!(
                "scene `{}` names unknown node in `{}`",
                scene.name.text, value.key.text
            ),
        )
        .with_label("no node's id starts this key")
        .with_hint(suggest::hint_for(written, &ids)));
    };
    if patch.voices.iter().any(|t| t.name.text == target.node.text) {
        return Err(refuse(
            format!("`{}` is a voice template", target.node.text),
            "set an input of a node outside the template, e.g. a `const` that drives it",
        ));
    }
    // `target` found the node.
    let Some(node) = patch.node(&target.node.text) else {
        return Ok(());
    };
    // An unknown module is reported on the node.
    let Some(spec) = catalog.get(&node.module.text) else {
        return Ok(());
    };
    let Some(index) = spec.input(&target.port.text) else {
        let names: Vec<&str> = spec.inputs.iter().map(|i| i.name).collect();
        return Err(Diagnostic::new(
            Code::UnknownPort,
            target.port.span,
            format!(
                "unknown parameter `{}` on node `{}` (module `{}`)",
                target.port.text, target.node.text, spec.name
            ),
        )
        .with_label("not a parameter of this module")
        .with_hint(suggest::hint_for(&target.port.text, &names)));
    };
    if spec.role != Role::Kernel {
        return Err(refuse(
            format!("`{}` nodes take no values", spec.name),
            "set a parameter of a module that runs a kernel",
        ));
    }
    if catalog.is_voice(&node.module.text) {
        return Err(refuse(
            format!("the host sets the `{}` node's inputs itself", spec.name),
            "set a parameter the notes do not drive",
        ));
    }
    let connected = patch
        .connections
        .iter()
        .any(|c| c.to.node.text == target.node.text && c.to.port.text == target.port.text);
    if connected {
        return Err(refuse(
            "a connection drives it".to_owned(),
            "set an unconnected parameter, e.g. of a `const` node whose `out` drives this",
        ));
    }
    if let Unit::Text(text) = spec.inputs[index].unit {
        return check_text(node, spec, index, text, &value.value).map(|_| ());
    }
    let param = Param {
        name: target.port.clone(),
        value: value.value.clone(),
    };
    check_value(node, &spec.inputs[index], &param).map(|_| ())
}
