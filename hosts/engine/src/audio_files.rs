//! The audio files a patch names, loaded for its build: every audio-file text of its kernels
//! ([`TextSpec::audio_file`]) and every clip's file of its timelines
//! ([`timelines::files`]), resolved against the patch file's folder, through an
//! [`AudioCache`] into the [`AudioFiles`] each kernel is built with.
//!
//! A file that cannot be used is an E0120 diagnostic at the string that names it, saying
//! which file (as resolved) and why; every such problem is reported, not only the first. A
//! `seq.samples` word the bank lacks is an E0122 at the word ([`bank::check`]).

use patchvm_audio::{AudioCache, AudioFiles, ImportError};
use patchvm_compiler::KernelNode;
use patchvm_ir::text::TextSpec;
use patchvm_ir::timelines;
use patchvm_ir::{Code, Diagnostic, Diagnostics, Patch, Span, Unit, ValueKind};
use patchvm_modules::kernels::sampler::bank;
use std::path::{Path, PathBuf};

/// What a build reads: the decoded files by the names the patch uses, and the files on disk
/// they came from (what a watch watches).
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    pub(crate) files: AudioFiles,
    pub(crate) paths: Vec<PathBuf>,
}

/// Loads every file the audio-file texts of `kernels` and the clips of `patch`'s timelines
/// name, relative to `folder` (empty for
/// the working directory), at `sample_rate`, through `cache`.
pub(crate) fn resolve(
    patch: &Patch,
    kernels: &[KernelNode],
    folder: &Path,
    sample_rate: f64,
    cache: &mut AudioCache,
) -> Result<Resolved, Diagnostics> {
    let mut resolved = Resolved::default();
    let mut problems = Vec::new();
    // Each name once; a file that cannot be used is an E0120 at `span`.
    let mut load = |name: &str,
                    span: &dyn Fn() -> Span,
                    resolved: &mut Resolved,
                    problems: &mut Vec<Diagnostic>| {
        if name.is_empty() || resolved.files.file(name).is_some() {
            return;
        }
        let path = folder.join(name);
        match cache.load(&path, sample_rate) {
            Ok(data) => {
                resolved.files.insert_file(name, data);
                resolved.paths.push(path);
            }
            Err(error) => problems.push(unusable(&path, &error, span())),
        }
    };
    for node in kernels {
        for text in &node.texts {
            let input = &node.spec.inputs[text.input];
            if !matches!(
                input.unit,
                Unit::Text(TextSpec {
                    audio_file: true,
                    ..
                })
            ) {
                continue;
            }
            let name = text.text.as_str();
            let span = || text_span(patch, input.name, name).unwrap_or(node.span);
            load(name, &span, &mut resolved, &mut problems);
        }
    }
    for file in timelines::files(&patch.timelines) {
        load(&file.text, &|| file.span, &mut resolved, &mut problems);
    }
    // The bank's words are known only now: each `seq.samples` word must be one (E0122).
    problems.extend(bank::check(patch, &resolved.files));
    if problems.is_empty() {
        Ok(resolved)
    } else {
        Err(problems)
    }
}

/// Where `patch` writes `text` as the value of a parameter `input`, in its nodes or its voice
/// templates' (the first such place: the same path written twice is one file).
fn text_span(patch: &Patch, input: &str, text: &str) -> Option<Span> {
    let templates = patch.voices.iter().flat_map(|template| &template.nodes);
    patch
        .nodes
        .iter()
        .chain(templates)
        .flat_map(|node| &node.params)
        .find(|param| {
            param.name.text == input
                && matches!(&param.value.kind, ValueKind::Text(value) if value == text)
        })
        .map(|param| param.value.span)
}

/// The E0120 for the file at `path`, named at `span`, that `error` keeps out.
pub(crate) fn unusable(path: &Path, error: &ImportError, span: Span) -> Diagnostic {
    let hint = match error {
        ImportError::Missing => "paths are relative to the patch file's folder; check the name",
        ImportError::Unreadable(_) => "name a regular file that can be read",
        ImportError::NotAudio(_) | ImportError::Truncated(_) => {
            "use a WAV, AIFF, FLAC, MP3 or Ogg Vorbis file that plays in full"
        }
        ImportError::OverBudget { .. } => {
            "use shorter files, or raise the budget with `--max-sample-bytes`"
        }
    };
    Diagnostic::new(
        Code::AudioFile,
        span,
        format!("audio file `{}` {error}", path.display()),
    )
    .with_label("this file cannot be used")
    .with_hint(hint)
}

#[cfg(test)]
#[path = "audio_files_tests.rs"]
mod tests;
