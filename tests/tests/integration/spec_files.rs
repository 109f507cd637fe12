//! `spec/modules.json` and `spec/modules.md` are generated from the catalog; this test fails
//! when they are stale. Regenerate with
//! `UPDATE_GOLDEN=1 cargo test -p patchvm-tests --test integration spec_files`.

use patchvm::engine::reference;
use patchvm::ir::ModuleSpec;
use patchvm::modules::catalog;
use std::path::Path;

fn check(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../spec")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "spec/{name} is stale; regenerate it with UPDATE_GOLDEN=1 cargo test -p patchvm-tests --test integration spec_files"
    );
}

fn modules() -> Vec<&'static ModuleSpec> {
    catalog().modules().iter().collect()
}

#[test]
fn module_json_is_current() {
    check("modules.json", &reference::json(&modules()));
}

#[test]
fn module_markdown_is_current() {
    check("modules.md", &reference::markdown(&modules()));
}
