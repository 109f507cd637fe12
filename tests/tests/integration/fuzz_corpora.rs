//! Replays the fuzz targets' committed corpora (`fuzz/seeds/TARGET/`) and the example patches
//! through the targets' bodies, so every input a fuzzer once found interesting — and every
//! crash it found, kept there under a name saying what it broke — runs in CI on stable Rust.

use patchvm::ir::Format;
use patchvm_tests::{fuzzing, patches_dir};
use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|entry| entry.unwrap().path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn seeds(target: &str) -> Vec<PathBuf> {
    files(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fuzz/seeds")
            .join(target),
    )
}

/// Runs `body` on every seed of `target` (and on `extra` files), naming the file on failure.
fn replay(target: &str, extra: Vec<PathBuf>, body: impl Fn(&[u8])) -> usize {
    let inputs: Vec<PathBuf> = seeds(target).into_iter().chain(extra).collect();
    for path in &inputs {
        let data = std::fs::read(path).unwrap();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&data)));
        assert!(outcome.is_ok(), "{target} panics on {}", path.display());
    }
    inputs.len()
}

fn examples(format: Format) -> Vec<PathBuf> {
    files(&patches_dir())
        .into_iter()
        .filter(|path| Format::from_path(path) == Some(format))
        .collect()
}

#[test]
fn read_sexpr_corpus() {
    assert!(
        replay("read_sexpr", examples(Format::Sexpr), |d| fuzzing::read(
            Format::Sexpr,
            d
        )) > 0
    );
}

#[test]
fn read_json_corpus() {
    assert!(replay("read_json", examples(Format::Json), fuzzing::read_json) > 0);
}

#[test]
fn read_msgpack_corpus() {
    assert!(
        replay("read_msgpack", Vec::new(), |d| fuzzing::read(
            Format::MessagePack,
            d
        )) > 0
    );
}

#[test]
fn compile_arbitrary_corpus() {
    assert!(replay("compile_arbitrary", Vec::new(), fuzzing::compile_arbitrary) > 0);
}

#[test]
fn run_bytecode_corpus() {
    assert!(replay("run_bytecode", Vec::new(), fuzzing::run_bytecode) > 0);
}

#[test]
fn read_midi_corpus() {
    let songs = files(&patches_dir())
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "mid"))
        .collect();
    assert!(replay("read_midi", songs, fuzzing::read_midi) > 2);
}

#[test]
fn engine_edits_corpus() {
    assert!(replay("engine_edits", Vec::new(), fuzzing::engine_edits) > 0);
}

#[test]
fn osc_datagram_corpus() {
    assert!(replay("osc_datagram", Vec::new(), fuzzing::osc_datagram) > 0);
}

#[test]
fn import_audio_corpus() {
    assert!(replay("import_audio", Vec::new(), fuzzing::import_audio) > 5);
}
