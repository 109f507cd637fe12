//! The diagnostics every reader gives for an exceeded [`Limits`] bound or an empty source.
//!
//! They live in one place so that the three formats word them alike and always name the
//! command-line flag that raises the limit: a user who hits a limit on purpose needs the flag,
//! one who hits it by mistake needs the number.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::limits::Limits;
use crate::span::Span;
use crate::suggest;

/// Refuses a source over [`Limits::max_source_bytes`] before anything reads it.
pub(crate) fn check_source_size(bytes: usize, limits: &Limits) -> Result<(), Diagnostics> {
    if bytes <= limits.max_source_bytes {
        return Ok(());
    }
    Err(vec![
        Diagnostic::new(
            Code::Limit,
            Span::NONE,
            format!(
                "the patch is {bytes} bytes, over the limit of {} bytes",
                limits.max_source_bytes
            ),
        )
        .with_hint("raise the limit with `--max-source-bytes`"),
    ])
}

/// Refuses a name or string over [`Limits::max_string_bytes`].
pub(crate) fn check_string(bytes: usize, limits: &Limits, span: Span) -> Result<(), Diagnostic> {
    if bytes <= limits.max_string_bytes {
        return Ok(());
    }
    Err(Diagnostic::new(
        Code::Limit,
        span,
        format!(
            "a name or string is {bytes} bytes, over the limit of {} bytes",
            limits.max_string_bytes
        ),
    )
    .with_label("this is too long")
    .with_hint("raise the limit with `--max-string-bytes`"))
}

/// Nesting past [`Limits::max_depth`]; `span` is the bracket that went one level too deep.
pub(crate) fn too_deep(limits: &Limits, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::Limit,
        span,
        format!(
            "the patch nests deeper than the limit of {} levels",
            limits.nesting()
        ),
    )
    .with_label("this is nested too deeply")
    .with_hint(if limits.nesting() < Limits::MAX_NESTING {
        format!(
            "raise the limit with `--max-depth` (at most {})",
            Limits::MAX_NESTING
        )
    } else {
        format!(
            "no patch may nest deeper than {} levels",
            Limits::MAX_NESTING
        )
    })
}

/// More nodes than [`Limits::max_nodes`]; `span` is the first node over the limit.
pub(crate) fn too_many_nodes(limits: &Limits, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::Limit,
        span,
        format!("the patch has more than {} nodes", limits.max_nodes),
    )
    .with_label("this node is over the limit")
    .with_hint("raise the limit with `--max-nodes`")
}

/// More connections than [`Limits::max_connections`]; `span` is the first one over.
pub(crate) fn too_many_connections(limits: &Limits, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::Limit,
        span,
        format!(
            "the patch has more than {} connections",
            limits.max_connections
        ),
    )
    .with_label("this connection is over the limit")
    .with_hint("raise the limit with `--max-connections`")
}

/// More tempo changes than [`Limits::max_tempo_changes`]; `span` is the first one over.
pub(crate) fn too_many_tempo_changes(limits: &Limits, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::Limit,
        span,
        format!(
            "the tempo map has more than {} changes",
            limits.max_tempo_changes
        ),
    )
    .with_label("this change is over the limit")
    .with_hint("raise the limit with `--max-tempo-changes`")
}

/// A source with nothing in it; `minimal` is the smallest patch in the reader's format, shown
/// because someone starting from an empty file needs to see the shape more than anything.
pub(crate) fn empty(minimal: &str) -> Diagnostics {
    vec![
        Diagnostic::new(Code::Syntax, Span::NONE, "the patch is empty")
            .with_hint(format!("the smallest patch is `{minimal}`")),
    ]
}

/// The hint for an unknown key or section: the likely typo if there is one, and always the
/// valid choices, since there are only ever two or three.
pub(crate) fn choices(wanted: &str, candidates: &[&str]) -> String {
    let all = suggest::one_of(candidates.iter().copied());
    match suggest::closest(wanted, candidates.iter().copied()) {
        Some(near) => format!("did you mean `{near}`? {all}"),
        None => all,
    }
}

/// A one-character span at byte `at` of `text`, widened to a whole character so that slicing
/// the source with it never splits one; empty at the end of the text.
pub(crate) fn char_span(text: &str, at: usize) -> Span {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let width = text
        .get(at..)
        .and_then(|rest| rest.chars().next())
        .map_or(0, char::len_utf8);
    Span::new(at, at + width)
}
