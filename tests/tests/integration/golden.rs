//! Golden files beside the example patches: `NAME.disasm` holds the compiled program of
//! `NAME.lisp`, and `errors/NAME.diag` the rendered diagnostics of `errors/NAME.lisp`.
//! Regenerate them with
//! `UPDATE_GOLDEN=1 cargo test -p patchvm-tests --test integration golden`.

use patchvm::compiler::{compile, disassemble};
use patchvm::engine::diagnostics::{Renderer, Style};
use patchvm::engine::source::SourceFile;
use patchvm::ir::Limits;
use patchvm::modules::catalog;
use patchvm_tests::patches_dir;
use std::path::Path;

/// Compares `actual` with the golden file at `path`, or rewrites it when asked to.
fn check_golden(path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path)
        .unwrap_or_else(|_| panic!("{} is missing; run with UPDATE_GOLDEN=1", path.display()));
    assert_eq!(
        actual,
        expected,
        "{} differs; run with UPDATE_GOLDEN=1 if the change is right",
        path.display()
    );
}

fn lisp_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "lisp"))
        .collect();
    paths.sort();
    paths
}

#[test]
fn disassembly_matches_the_golden_files() {
    let limits = Limits::default();
    let paths = lisp_files(&patches_dir());
    assert!(!paths.is_empty());
    for path in paths {
        let mut source = SourceFile::read(&path, &limits).unwrap();
        let patch = source.parse(&limits).unwrap();
        let patch = source.expand(patch, &limits).unwrap();
        let compiled = compile(&patch, catalog(), &limits).unwrap();
        check_golden(&path.with_extension("disasm"), &disassemble(&compiled));
    }
}

#[test]
fn rendered_diagnostics_match_the_golden_files() {
    let limits = Limits::default();
    let paths = lisp_files(&patches_dir().join("errors"));
    assert!(!paths.is_empty());
    for path in paths {
        let mut source = SourceFile::read(&path, &limits).unwrap();
        // Show a path relative to the repository, so the golden files hold wherever it lives.
        source.path = Path::new("patches/errors").join(path.file_name().unwrap());
        let diagnostics = match source.parse(&limits) {
            Err(diagnostics) => diagnostics,
            Ok(patch) => compile(&patch, catalog(), &limits).expect_err("error examples fail"),
        };
        let rendered = Renderer::new(&source, Style::Plain).render_all(&diagnostics);
        check_golden(&path.with_extension("diag"), &rendered);
    }
}
