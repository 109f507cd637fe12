//! The MIDI section's rules: numbers in range, and bindings that reach an input events can
//! set.

use crate::catalog::{Catalog, Rate, Role, Unit};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, push_capped};
use crate::patch::{Binding, BindingSource, Number, Patch};
use crate::suggest;
use crate::voices;
use std::ops::RangeInclusive;

/// A4's frequency when the patch gives no `tuning`.
pub const DEFAULT_TUNING_HZ: f64 = 440.0;
/// The tunings a patch may give, in Hz.
pub const TUNING_HZ: RangeInclusive<f64> = 1.0..=20_000.0;
/// How far pitch bend moves voice pitch, either way, when the patch gives no `bend-range`.
pub const DEFAULT_BEND_SEMITONES: f64 = 2.0;
/// The bend ranges a patch may give, in semitones.
pub const BEND_SEMITONES: RangeInclusive<f64> = 0.0..=96.0;

/// Checks `patch`'s MIDI section; `flat` is the patch expanded (for one voice), where the
/// bindings' targets live.
pub(crate) fn check(patch: &Patch, flat: &Patch, catalog: &Catalog, problems: &mut Diagnostics) {
    let midi = &patch.midi;
    if let Some(tuning) = midi.tuning {
        in_range(tuning, "the tuning (A4)", &TUNING_HZ, " Hz", problems);
    }
    if let Some(range) = midi.bend_range {
        in_range(
            range,
            "the bend range",
            &BEND_SEMITONES,
            " semitones",
            problems,
        );
    }
    for binding in &midi.bindings {
        if let BindingSource::Control(number) | BindingSource::Note(number) = binding.source {
            let what = match binding.source {
                BindingSource::Control(_) => "a control change number",
                _ => "a note number",
            };
            if number.value.fract() != 0.0 {
                push_capped(
                    problems,
                    Diagnostic::new(
                        Code::WrongType,
                        number.span,
                        format!("{what} is a whole number, not {}", number.value),
                    )
                    .with_label("not a whole number"),
                );
            } else {
                in_range(number, what, &(0.0..=127.0), "", problems);
            }
        }
        check_target(patch, flat, catalog, binding, problems);
    }
}

fn in_range(
    number: Number,
    what: &str,
    range: &RangeInclusive<f64>,
    unit: &str,
    problems: &mut Diagnostics,
) {
    if range.contains(&number.value) {
        return;
    }
    push_capped(
        problems,
        Diagnostic::new(
            Code::OutOfRange,
            number.span,
            format!(
                "{what} is {}{unit}, outside {}..={}{unit}",
                number.value,
                range.start(),
                range.end()
            ),
        )
        .with_label("out of range")
        .with_hint(format!(
            "choose a value between {} and {}",
            range.start(),
            range.end()
        )),
    );
}

/// Whether the binding's target is an input an event can set: an unconnected, audio-rate
/// input of a kernel node, or an input of the voice template; and its range lies in the
/// input's.
fn check_target(
    patch: &Patch,
    flat: &Patch,
    catalog: &Catalog,
    binding: &Binding,
    problems: &mut Diagnostics,
) {
    let target = &binding.target;
    if let Some(template) = voices::template(patch, &target.node.text)
        && !template
            .inputs
            .iter()
            .any(|i| i.name.text == target.port.text)
    {
        let names: Vec<&str> = template
            .inputs
            .iter()
            .map(|i| i.name.text.as_str())
            .collect();
        push_capped(
            problems,
            Diagnostic::new(
                Code::UnknownPort,
                target.port.span,
                format!(
                    "unknown input port `{}` on voice template `{}`",
                    target.port.text, target.node.text
                ),
            )
            .with_label("the template declares no such input")
            .with_hint(suggest::hint_for(&target.port.text, &names)),
        );
        return;
    }
    let (node_id, port) = voices::resolve(patch, catalog, &target.node.text, &target.port.text);
    let Some(node) = flat.node(&node_id) else {
        let mut ids: Vec<&str> = patch.nodes.iter().map(|n| n.id.text.as_str()).collect();
        ids.extend(patch.voices.iter().map(|t| t.name.text.as_str()));
        push_capped(
            problems,
            Diagnostic::new(
                Code::UnknownNode,
                target.node.span,
                format!("binding names unknown node `{}`", target.node.text),
            )
            .with_label("no node has this id")
            .with_hint(suggest::hint_for(&target.node.text, &ids)),
        );
        return;
    };
    // An unknown module is reported on the node.
    let Some(spec) = catalog.get(&node.module.text) else {
        return;
    };
    let Some(index) = spec.input(&port) else {
        let names: Vec<&str> = spec.inputs.iter().map(|i| i.name).collect();
        push_capped(
            problems,
            Diagnostic::new(
                Code::UnknownPort,
                target.port.span,
                format!(
                    "unknown parameter `{}` on node `{}` (module `{}`)",
                    target.port.text, target.node.text, spec.name
                ),
            )
            .with_label("not a parameter of this module")
            .with_hint(suggest::hint_for(&target.port.text, &names)),
        );
        return;
    };
    let input = &spec.inputs[index];
    let connected = flat
        .connections
        .iter()
        .any(|c| c.to.node.text == node_id && c.to.port.text == port);
    let refusal = if spec.role != Role::Kernel {
        Some(format!("`{}` nodes take no events", spec.name))
    } else if catalog.is_voice(&node.module.text) {
        Some(format!(
            "the host sets the `{}` node's inputs itself",
            spec.name
        ))
    } else if input.rate == Rate::Init {
        Some("it is read once, when the node is built".to_owned())
    } else if connected {
        Some("a connection drives it".to_owned())
    } else {
        None
    };
    if let Some(reason) = refusal {
        push_capped(
            problems,
            Diagnostic::new(
                Code::Binding,
                binding.span,
                format!(
                    "a binding cannot set `{}` of node `{}`: {reason}",
                    target.port.text, target.node.text
                ),
            )
            .with_label("this binding")
            .with_hint(
                "bind an unconnected parameter, e.g. of a `const` node whose `out` drives this",
            ),
        );
        return;
    }
    let unit = match input.unit.symbol() {
        "" => String::new(),
        symbol => format!(" {symbol}"),
    };
    let what = format!("the bound range of `{}`", target.port.text);
    for &end in &binding.range {
        if input.unit == Unit::Integer && end.value.fract() != 0.0 {
            push_capped(
                problems,
                Diagnostic::new(
                    Code::WrongType,
                    end.span,
                    format!("{what} takes whole numbers, not {}", end.value),
                )
                .with_label("not a whole number"),
            );
        } else {
            in_range(end, &what, &(input.min..=input.max), &unit, problems);
        }
    }
}
