//! The timelines section's rules: names and clip ids used once, each timeline's tempo as the
//! transport's (`validate/transport.rs`, code E0114), each clip's numbers in range (E0123),
//! a stretch or a pitch only in a build with time-stretch (E0125), and follow actions naming
//! timelines that exist (E0124), into at most [`FOLLOW_OUTPUTS`] of them per timeline (E0127).

use crate::diagnostic::{Code, Diagnostic, Diagnostics, push_capped};
use crate::not_built::NotBuilt;
use crate::span::Span;
use crate::timelines::follows::{FOLLOW_OUTPUTS, targets};
use crate::timelines::{Clip, Follow, Position, Timeline};
use crate::{suggest, validate::transport};
use std::ops::RangeInclusive;

/// The gains a clip takes, in decibels.
pub const GAIN_DB: RangeInclusive<f64> = -120.0..=24.0;

/// The longest fade, offset, length or position in seconds a clip takes: a day.
pub const MAX_SECONDS: f64 = 86_400.0;

/// The most clips one timeline holds.
pub const MAX_CLIPS: usize = 4096;

/// The stretches a clip takes: its duration over its length in the file.
pub const STRETCH: RangeInclusive<f64> = 0.25..=4.0;

/// The pitch shifts a clip takes, in semitones.
pub const PITCH: RangeInclusive<f64> = -24.0..=24.0;

/// Reports every problem of `timelines`; `no_stretch` says what a build without
/// time-stretch lacks, which a clip with a stretch or a pitch asks for.
pub(crate) fn check(
    timelines: &[Timeline],
    no_stretch: Option<NotBuilt>,
    problems: &mut Diagnostics,
) {
    for (at, timeline) in timelines.iter().enumerate() {
        if let Some(first) = timelines[..at]
            .iter()
            .find(|other| other.name.text == timeline.name.text)
        {
            push_capped(
                problems,
                Diagnostic::new(
                    Code::Timeline,
                    timeline.name.span,
                    format!("duplicate timeline `{}`", timeline.name.text),
                )
                .with_label("defined again here")
                .with_secondary(first.name.span, "first defined here")
                .with_hint("give each timeline its own name"),
            );
        }
        transport::check(&timeline.tempo, problems);
        if let Some(problem) = too_many_targets(timeline) {
            push_capped(problems, problem);
        }
        if timeline.clips.len() > MAX_CLIPS {
            push_capped(
                problems,
                Diagnostic::new(
                    Code::Timeline,
                    timeline.span,
                    format!(
                        "timeline `{}` holds {} clips, more than {MAX_CLIPS}",
                        timeline.name.text,
                        timeline.clips.len()
                    ),
                )
                .with_hint("split the clips over several timelines"),
            );
        }
        for (at, clip) in timeline.clips.iter().enumerate() {
            if let Some(first) = timeline.clips[..at]
                .iter()
                .find(|other| other.id.text == clip.id.text)
            {
                push_capped(
                    problems,
                    Diagnostic::new(
                        Code::Timeline,
                        clip.id.span,
                        format!(
                            "timeline `{}` has two clips `{}`",
                            timeline.name.text, clip.id.text
                        ),
                    )
                    .with_label("defined again here")
                    .with_secondary(first.id.span, "first defined here")
                    .with_hint("give each clip of a timeline its own id"),
                );
            }
            for problem in clip_problems(clip, timelines) {
                push_capped(problems, problem);
            }
            if let Some(not_built) = no_stretch {
                let span = match clip.stretch != 1.0 {
                    true => clip.spans.stretch,
                    false => clip.spans.pitch,
                };
                if clip.stretch != 1.0 || clip.pitch != 0.0 {
                    let offender = format!("clip `{}`", clip.id.text);
                    push_capped(problems, not_built.diagnostic(span, &offender));
                }
            }
        }
    }
}

/// Every problem of one clip of a patch whose timelines are `timelines`: what a clip edit
/// is checked against before it reaches the playing timeline.
pub fn clip_problems(clip: &Clip, timelines: &[Timeline]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let id = &clip.id.text;
    let spans = &clip.spans;
    let (position, position_key) = match clip.position {
        Position::Beats(beat) => (beat, "position"),
        Position::Seconds(seconds) => (seconds, "seconds"),
    };
    let mut range = |key: &str, value: f64, span: Span, min: f64, max: f64, unit: &str| {
        if !(min..=max).contains(&value) {
            problems.push(
                Diagnostic::new(
                    Code::Timeline,
                    span,
                    format!("clip `{id}` has `{key}` {value}{unit}, outside {min}..={max}{unit}"),
                )
                .with_label("out of range")
                .with_hint(format!("choose a `{key}` from {min} to {max}{unit}")),
            );
        }
    };
    range(position_key, position, spans.position, 0.0, MAX_SECONDS, "");
    range("offset", clip.offset, spans.offset, 0.0, MAX_SECONDS, " s");
    if let Some(length) = clip.length {
        range("length", length, spans.length, 1e-3, MAX_SECONDS, " s");
    }
    range(
        "gain",
        clip.gain,
        spans.gain,
        *GAIN_DB.start(),
        *GAIN_DB.end(),
        " dB",
    );
    range("pan", clip.pan, spans.pan, -1.0, 1.0, "");
    range(
        "fade_in",
        clip.fade_in,
        spans.fade_in,
        0.0,
        MAX_SECONDS,
        " s",
    );
    range(
        "fade_out",
        clip.fade_out,
        spans.fade_out,
        0.0,
        MAX_SECONDS,
        " s",
    );
    range(
        "stretch",
        clip.stretch,
        spans.stretch,
        *STRETCH.start(),
        *STRETCH.end(),
        "",
    );
    range(
        "pitch",
        clip.pitch,
        spans.pitch,
        *PITCH.start(),
        *PITCH.end(),
        " semitones",
    );
    for (weight, follow) in &clip.follow.choices {
        if !(weight.is_finite() && *weight > 0.0) {
            problems.push(
                Diagnostic::new(
                    Code::Timeline,
                    spans.follow,
                    format!("clip `{id}` has a follow choice of weight {weight}"),
                )
                .with_hint("weights are positive numbers, e.g. `(choose (2 next) (1 stop))`"),
            );
        }
        if let Follow::Timeline(name) = follow
            && !timelines.iter().any(|t| t.name.text == name.text)
        {
            let names = timelines.iter().map(|t| t.name.text.as_str());
            let hint = match suggest::closest(&name.text, names.clone()) {
                Some(near) => format!(
                    "did you mean `{near}`? the timelines are {}",
                    suggest::one_of(names)
                ),
                None => format!("the timelines are {}", suggest::one_of(names)),
            };
            problems.push(
                Diagnostic::new(
                    Code::UnknownTimeline,
                    name.span,
                    format!("clip `{id}` follows into unknown timeline `{}`", name.text),
                )
                .with_hint(hint),
            );
        }
    }
    problems
}

/// E0127 at the first follow action naming a timeline past the [`FOLLOW_OUTPUTS`] that
/// `timeline`'s clips may start.
fn too_many_targets(timeline: &Timeline) -> Option<Diagnostic> {
    let targets = targets(timeline);
    let extra = *targets.get(FOLLOW_OUTPUTS)?;
    let span = timeline
        .clips
        .iter()
        .flat_map(|clip| clip.follow.choices.iter())
        .find_map(|(_, follow)| match follow {
            Follow::Timeline(name) if name.text == extra => Some(name.span),
            _ => None,
        })
        .unwrap_or(timeline.span);
    Some(
        Diagnostic::new(
            Code::FollowTargets,
            span,
            format!(
                "timeline `{}` follows into {} timelines, more than {FOLLOW_OUTPUTS}; `{extra}` is one too many",
                timeline.name.text,
                targets.len()
            ),
        )
        .with_label("one timeline too many")
        .with_hint(format!(
            "follow into at most {FOLLOW_OUTPUTS} timelines from one timeline (it already follows into {})",
            targets[..FOLLOW_OUTPUTS]
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    )
}
