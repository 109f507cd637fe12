//! A clip from its fields, for both formats: the S-expression `(clip ID (KEY VALUE) …)` and
//! the document's `{ "id": ID, "KEY": VALUE, … }` both hand their entries here as values, so a
//! clip means the same in each and every mistake is worded once.

use super::{Clip, ClipSpans, Follow, FollowAction, Position};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, push_capped};
use crate::patch::{Name, Value, ValueKind};
use crate::span::Span;
use crate::suggest;

/// The keys a clip takes.
pub const CLIP_KEYS: [&str; 14] = [
    "id", "file", "position", "seconds", "offset", "length", "gain", "pan", "fade_in", "fade_out",
    "loop", "stretch", "pitch", "follow",
];

const FOLLOW_HINT: &str = "write `next`, `stop`, `(loop N)`, `(timeline NAME)` or \
     `(choose (WEIGHT ACTION) …)`; in JSON `\"next\"`, `[\"loop\", 2]`, \
     `[\"choose\", [2, \"next\"], [1, \"stop\"]]`";

/// One field of a clip as written: its key and its value (a JSON boolean arrives as the text
/// `true` or `false`).
#[derive(Clone, Debug, PartialEq)]
pub struct ClipField {
    /// The key, with its span.
    pub key: Name,
    /// The value.
    pub value: Value,
}

/// The clip `fields` describe (`span` the whole clip), or `None` with its problems pushed to
/// `problems` (code E0123). Ranges are validation's; this checks shapes and types.
pub fn clip_from_fields(
    fields: Vec<ClipField>,
    span: Span,
    problems: &mut Diagnostics,
) -> Option<Clip> {
    let mut seen: [Option<Span>; CLIP_KEYS.len()] = [None; CLIP_KEYS.len()];
    let mut clip = Clip::new("", "", 0.0);
    clip.span = span;
    clip.spans = ClipSpans {
        position: span,
        offset: span,
        length: span,
        gain: span,
        pan: span,
        fade_in: span,
        fade_out: span,
        stretch: span,
        pitch: span,
        follow: span,
    };
    let mut ok = true;
    for ClipField { key, value } in fields {
        let Some(slot) = CLIP_KEYS.iter().position(|&k| k == key.text) else {
            let hint = match suggest::closest(&key.text, CLIP_KEYS.iter().copied()) {
                Some(near) => format!("did you mean `{near}`? a clip takes {}", all_keys()),
                None => format!("a clip takes {}", all_keys()),
            };
            let message = format!("unknown clip key `{}`", key.text);
            push_capped(problems, problem(key.span, message, hint));
            ok = false;
            continue;
        };
        let other_position = match slot {
            2 => seen[3],
            3 => seen[2],
            _ => None,
        };
        if let Some(first) = seen[slot].or(other_position) {
            let message = format!("clip sets `{}` twice", key.text);
            push_capped(
                problems,
                problem(
                    key.span,
                    message,
                    "keep one: `position` (beats) or `seconds`, once",
                )
                .with_secondary(first, "first set here"),
            );
            ok = false;
            continue;
        }
        seen[slot] = Some(key.span);
        let whole = key.span.to(value.span);
        let read = match slot {
            0 => text(&value, "id").map(|text| {
                clip.id = Name {
                    text,
                    span: value.span,
                }
            }),
            1 => text(&value, "file").map(|text| {
                clip.file = Name {
                    text,
                    span: value.span,
                }
            }),
            2 => number(&value, "position").map(|beat| {
                clip.position = Position::Beats(beat);
                clip.spans.position = whole;
            }),
            3 => number(&value, "seconds").map(|seconds| {
                clip.position = Position::Seconds(seconds);
                clip.spans.position = whole;
            }),
            4 => number(&value, "offset").map(|n| (clip.offset, clip.spans.offset) = (n, whole)),
            5 => number(&value, "length")
                .map(|n| (clip.length, clip.spans.length) = (Some(n), whole)),
            6 => number(&value, "gain").map(|n| (clip.gain, clip.spans.gain) = (n, whole)),
            7 => number(&value, "pan").map(|n| (clip.pan, clip.spans.pan) = (n, whole)),
            8 => number(&value, "fade_in").map(|n| (clip.fade_in, clip.spans.fade_in) = (n, whole)),
            9 => number(&value, "fade_out")
                .map(|n| (clip.fade_out, clip.spans.fade_out) = (n, whole)),
            10 => boolean(&value).map(|on| clip.looping = on),
            11 => {
                number(&value, "stretch").map(|n| (clip.stretch, clip.spans.stretch) = (n, whole))
            }
            12 => number(&value, "pitch").map(|n| (clip.pitch, clip.spans.pitch) = (n, whole)),
            _ => follow_action(&value).map(|action| {
                clip.follow = action;
                clip.spans.follow = whole;
            }),
        };
        if let Err(problem) = read {
            push_capped(problems, problem);
            ok = false;
        }
    }
    for (slot, what) in [(0, "`id`"), (1, "`file`")] {
        if seen[slot].is_none() {
            let message = format!("a clip needs {what}");
            let hint = r#"write e.g. `(clip c1 (file "kick.wav") (position 4))`, in JSON `{ "id": "c1", "file": "kick.wav", "position": 4 }`"#;
            push_capped(problems, problem(span, message, hint));
            ok = false;
        }
    }
    ok.then_some(clip)
}

/// The keys, for hints.
fn all_keys() -> String {
    suggest::one_of(CLIP_KEYS.iter().copied())
}

fn problem(span: Span, message: String, hint: impl Into<String>) -> Diagnostic {
    Diagnostic::new(Code::Timeline, span, message).with_hint(hint)
}

fn text(value: &Value, key: &str) -> Result<String, Diagnostic> {
    match &value.kind {
        ValueKind::Text(text) if !text.is_empty() => Ok(text.clone()),
        _ => Err(problem(
            value.span,
            format!("a clip's `{key}` takes a non-empty text"),
            format!("write e.g. `({key} \"kick\")`"),
        )),
    }
}

fn number(value: &Value, key: &str) -> Result<f64, Diagnostic> {
    match value.kind {
        ValueKind::Number(number) if number.is_finite() => Ok(number),
        _ => Err(problem(
            value.span,
            format!("a clip's `{key}` takes a number"),
            format!("write e.g. `({key} 1)`"),
        )),
    }
}

fn boolean(value: &Value) -> Result<bool, Diagnostic> {
    match &value.kind {
        ValueKind::Text(text) if text == "true" => Ok(true),
        ValueKind::Text(text) if text == "false" => Ok(false),
        _ => Err(problem(
            value.span,
            "a clip's `loop` takes `true` or `false`".to_owned(),
            "write `(loop true)` or `(loop false)`",
        )),
    }
}

/// `next`, `stop`, `(loop N)`, `(timeline NAME)`, or `(choose (WEIGHT ACTION) …)`.
fn follow_action(value: &Value) -> Result<FollowAction, Diagnostic> {
    if let ValueKind::List(items) = &value.kind
        && let Some(ValueKind::Text(head)) = items.first().map(|item| &item.kind)
        && head == "choose"
    {
        let mut choices = Vec::with_capacity(items.len() - 1);
        for choice in &items[1..] {
            let ValueKind::List(pair) = &choice.kind else {
                return Err(follow_problem(choice.span, "a choice is `(WEIGHT ACTION)`"));
            };
            let [weight, action] = pair.as_slice() else {
                return Err(follow_problem(choice.span, "a choice is `(WEIGHT ACTION)`"));
            };
            let ValueKind::Number(weight) = weight.kind else {
                return Err(follow_problem(choice.span, "a choice's weight is a number"));
            };
            choices.push((weight, follow(action)?));
        }
        if choices.is_empty() {
            return Err(follow_problem(
                value.span,
                "`choose` needs at least one choice",
            ));
        }
        return Ok(FollowAction { choices });
    }
    Ok(FollowAction {
        choices: vec![(1.0, follow(value)?)],
    })
}

fn follow(value: &Value) -> Result<Follow, Diagnostic> {
    match &value.kind {
        ValueKind::Text(word) if word == "next" => Ok(Follow::Next),
        ValueKind::Text(word) if word == "stop" => Ok(Follow::Stop),
        ValueKind::List(items) => match items.as_slice() {
            [head, count] if matches!(&head.kind, ValueKind::Text(h) if h == "loop") => {
                match count.kind {
                    ValueKind::Number(n)
                        if n.fract() == 0.0 && (1.0..=1_000_000.0).contains(&n) =>
                    {
                        // A whole number within range: the cast is exact.
                        Ok(Follow::Loop(n as u32))
                    }
                    _ => Err(follow_problem(
                        count.span,
                        "`loop` takes a whole number of times from 1 to 1000000",
                    )),
                }
            }
            [head, name] if matches!(&head.kind, ValueKind::Text(h) if h == "timeline") => {
                match &name.kind {
                    ValueKind::Text(text) => Ok(Follow::Timeline(Name {
                        text: text.clone(),
                        span: name.span,
                    })),
                    _ => Err(follow_problem(
                        name.span,
                        "`timeline` takes a timeline's name",
                    )),
                }
            }
            _ => Err(follow_problem(value.span, "unknown follow action")),
        },
        _ => Err(follow_problem(value.span, "unknown follow action")),
    }
}

fn follow_problem(span: Span, message: &str) -> Diagnostic {
    problem(span, message.to_owned(), FOLLOW_HINT)
}

/// A follow action as the value both formats write (`None` for no action): the inverse of
/// what [`clip_from_fields`] reads.
pub(crate) fn follow_value(action: &FollowAction) -> Option<ValueKind> {
    let one = |follow: &Follow| match follow {
        Follow::Next => ValueKind::Text("next".into()),
        Follow::Stop => ValueKind::Text("stop".into()),
        Follow::Loop(n) => list(vec![text_kind("loop"), ValueKind::Number(f64::from(*n))]),
        Follow::Timeline(name) => list(vec![text_kind("timeline"), text_kind(&name.text)]),
    };
    match action.choices.as_slice() {
        [] => None,
        [(weight, follow)] if *weight == 1.0 => Some(one(follow)),
        choices => {
            let mut items = vec![text_kind("choose")];
            items.extend(
                choices
                    .iter()
                    .map(|(weight, follow)| list(vec![ValueKind::Number(*weight), one(follow)])),
            );
            Some(list(items))
        }
    }
}

fn text_kind(text: &str) -> ValueKind {
    ValueKind::Text(text.to_owned())
}

fn list(kinds: Vec<ValueKind>) -> ValueKind {
    ValueKind::List(
        kinds
            .into_iter()
            .map(|kind| Value {
                kind,
                span: Span::NONE,
                escapes: Vec::new(),
            })
            .collect(),
    )
}

/// A clip's fields as written, defaults left out (the id and file
/// always): what both writers write.
pub(crate) fn clip_fields(clip: &Clip) -> Vec<(&'static str, ValueKind)> {
    let mut fields = vec![
        ("id", text_kind(&clip.id.text)),
        ("file", text_kind(&clip.file.text)),
    ];
    fields.push(match clip.position {
        Position::Beats(beat) => ("position", ValueKind::Number(beat)),
        Position::Seconds(seconds) => ("seconds", ValueKind::Number(seconds)),
    });
    let numbers = [
        ("offset", clip.offset, 0.0),
        ("gain", clip.gain, 0.0),
        ("pan", clip.pan, 0.0),
        ("fade_in", clip.fade_in, 0.0),
        ("fade_out", clip.fade_out, 0.0),
    ];
    for (key, value, default) in numbers {
        if value != default {
            fields.push((key, ValueKind::Number(value)));
        }
    }
    if let Some(length) = clip.length {
        fields.push(("length", ValueKind::Number(length)));
    }
    if clip.looping {
        fields.push(("loop", text_kind("true")));
    }
    for (key, value, default) in [("stretch", clip.stretch, 1.0), ("pitch", clip.pitch, 0.0)] {
        if value != default {
            fields.push((key, ValueKind::Number(value)));
        }
    }
    if let Some(follow) = follow_value(&clip.follow) {
        fields.push(("follow", follow));
    }
    fields
}
