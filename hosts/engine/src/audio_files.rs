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
use patchvm_ir::samples::{AUDIO_EXTENSIONS, SampleEntry, is_word};
use patchvm_ir::text::TextSpec;
use patchvm_ir::timelines;
use patchvm_ir::{Code, Diagnostic, Diagnostics, Patch, Span, Unit, ValueKind};
use patchvm_modules::kernels::sampler::bank;
use std::collections::BTreeMap;
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
/// the working directory) unless `takes` has a recording's file under the name, at
/// `sample_rate`, through `cache`.
pub(crate) fn resolve(
    patch: &Patch,
    kernels: &[KernelNode],
    (folder, takes): (&Path, &BTreeMap<String, PathBuf>),
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
        let path = takes
            .get(name)
            .cloned()
            .unwrap_or_else(|| folder.join(name));
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
    bank(
        patch,
        folder,
        sample_rate,
        cache,
        &mut resolved,
        &mut problems,
    );
    // The bank's words are known only now: each `seq.samples` word must be one (E0122).
    problems.extend(bank::check(patch, &resolved.files));
    if problems.is_empty() {
        Ok(resolved)
    } else {
        Err(problems)
    }
}

/// Loads the sample bank of `patch` into `resolved`'s words: each `(WORD "PATH")`, then each
/// folder's audio files under their names without extension, in sorted order. A word given
/// twice (by two entries, or by two files of a folder) and a folder that cannot be listed are
/// E0121; a file that cannot be used is E0120.
fn bank(
    patch: &Patch,
    folder: &Path,
    sample_rate: f64,
    cache: &mut AudioCache,
    resolved: &mut Resolved,
    problems: &mut Diagnostics,
) {
    let mut words: Vec<(String, PathBuf, Span)> = Vec::new();
    for entry in &patch.samples {
        match entry {
            SampleEntry::File { word, path } => {
                words.push((word.text.clone(), folder.join(&path.text), path.span));
            }
            SampleEntry::Folder { path } => match listed(&folder.join(&path.text)) {
                Ok(files) => words.extend(
                    files
                        .into_iter()
                        .map(|(word, file)| (word, file, path.span)),
                ),
                Err(why) => problems.push(
                    Diagnostic::new(
                        Code::SampleBank,
                        path.span,
                        format!(
                            "sample folder `{}` {why}",
                            folder.join(&path.text).display()
                        ),
                    )
                    .with_label("this folder cannot be listed")
                    .with_hint("name a folder of audio files, relative to the patch file's folder"),
                ),
            },
        }
    }
    for (word, path, span) in words {
        if resolved.files.word(&word).is_some() {
            problems.push(
                Diagnostic::new(
                    Code::SampleBank,
                    span,
                    format!("sample word `{word}` is defined twice"),
                )
                .with_label(format!("`{}` defines it again", path.display()))
                .with_hint("give each sample its own word: rename one of the files"),
            );
            continue;
        }
        match cache.load(&path, sample_rate) {
            Ok(data) => {
                resolved.files.insert_word(word, data);
                resolved.paths.push(path);
            }
            Err(error) => problems.push(unusable(&path, &error, span)),
        }
    }
}

/// The audio files of `folder` (by extension, any case) as `(word, path)`, sorted by name;
/// files whose names are not words are left out.
fn listed(folder: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let entries = std::fs::read_dir(folder).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => "does not exist".to_owned(),
        _ if folder.is_file() => "is a file, not a folder".to_owned(),
        _ => format!("cannot be listed: {}", error.to_string().to_lowercase()),
    })?;
    let mut files: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .filter_map(|path| {
            let extension = path.extension()?.to_str()?.to_ascii_lowercase();
            let word = path.file_stem()?.to_str()?.to_owned();
            (AUDIO_EXTENSIONS.contains(&extension.as_str()) && is_word(&word))
                .then_some((word, path))
        })
        .collect();
    files.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(files)
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
