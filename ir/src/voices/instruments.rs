//! The rules of several instruments: each template has a name of its own, and its
//! `(channel N)` and `(voices N)`, when written, are whole numbers in range.

use super::MAX_VOICES;
use crate::diagnostic::{Code, Diagnostic, Diagnostics, push_capped};
use crate::patch::{Number, Patch};
use std::collections::HashMap;

/// The highest MIDI channel, counted from 1.
const CHANNELS: f64 = 16.0;

/// Reports templates that share a name, and channels and voice counts out of range.
pub(super) fn check(patch: &Patch, problems: &mut Diagnostics) {
    let mut seen = HashMap::new();
    for template in &patch.voices {
        let name = &template.name;
        if let Some(&first) = seen.get(name.text.as_str()) {
            push_capped(
                problems,
                Diagnostic::new(
                    Code::Notes,
                    name.span,
                    format!("two voice templates are named `{}`", name.text),
                )
                .with_label("the second")
                .with_secondary(first, "the first")
                .with_hint("each instrument is addressed by its name; rename one"),
            );
        } else {
            seen.insert(name.text.as_str(), name.span);
        }
        if let Some(channel) = template.channel {
            check_whole(channel, 1.0, CHANNELS, &name.text, "channel", problems);
        }
        if let Some(count) = template.voice_count {
            check_whole(
                count,
                1.0,
                MAX_VOICES as f64,
                &name.text,
                "voices",
                problems,
            );
        }
    }
}

/// Reports `number`, the `key` of template `template`, unless it is a whole number in
/// `lo..=hi`.
fn check_whole(
    number: Number,
    lo: f64,
    hi: f64,
    template: &str,
    key: &str,
    problems: &mut Diagnostics,
) {
    let value = number.value;
    if value.fract() == 0.0 && (lo..=hi).contains(&value) {
        return;
    }
    let hint = if key == "channel" {
        "MIDI channels are 1 to 16; leave `channel` out to take every channel".to_owned()
    } else {
        format!("write a whole number of voices from 1 to {MAX_VOICES}, e.g. `(voices 8)`")
    };
    push_capped(
        problems,
        Diagnostic::new(
            Code::Notes,
            number.span,
            format!("`{key}` of voice template `{template}` is {value}, not a whole number from {lo} to {hi}"),
        )
        .with_label(format!("a whole number from {lo} to {hi}"))
        .with_hint(hint),
    );
}
