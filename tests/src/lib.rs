//! Helpers shared by patchvm's integration tests: rendering a patch to samples, and measuring
//! those samples (frequency, level) the way an engineer would with a scope.
#![deny(missing_docs)]

pub mod fuzzing;
pub mod live;
pub mod measure;
pub mod oracle;
pub mod osc;
pub mod smf;
pub mod strategies;

use patchvm::ir::{Format, Limits, Patch};
use patchvm::{Instance, Settings};
use std::path::{Path, PathBuf};

/// The repository's `patches/` folder.
pub fn patches_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../patches")
}

/// Reads a patch from `patches/`, panicking with the diagnostics if it does not parse.
pub fn example(name: &str) -> Patch {
    let path = patches_dir().join(name);
    let format = Format::from_path(&path).expect("example patches have known extensions");
    let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    format
        .read(&bytes, &Limits::default())
        .unwrap_or_else(|diagnostics| panic!("{}: {diagnostics:?}", path.display()))
}

/// Renders `frames` interleaved frames of `patch` at 48 kHz with seed 0, in blocks of `block`.
pub fn render(patch: &Patch, frames: usize, block: usize) -> Vec<f32> {
    render_with(patch, frames, block, &Settings::default())
}

/// Renders `frames` interleaved frames of `patch` with `settings`, in blocks of `block`.
pub fn render_with(patch: &Patch, frames: usize, block: usize, settings: &Settings) -> Vec<f32> {
    let mut instance = Instance::new(patch, settings, &Limits::default())
        .unwrap_or_else(|diagnostics| panic!("patch does not compile: {diagnostics:?}"));
    let mut samples = vec![0.0; frames * instance.channels()];
    instance.process_interleaved(&mut samples, block);
    samples
}

/// Reads `text` in `format` and compiles it, returning the diagnostics it fails with (empty if
/// it compiles).
pub fn diagnose(text: &[u8], format: Format) -> patchvm::ir::Diagnostics {
    let limits = Limits::default();
    match format.read(text, &limits) {
        Err(diagnostics) => diagnostics,
        Ok(patch) => match patchvm::compiler::compile(&patch, patchvm::modules::catalog(), &limits)
        {
            Ok(_) => Vec::new(),
            Err(diagnostics) => diagnostics,
        },
    }
}
