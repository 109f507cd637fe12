//! The docs say what the code is, checked against the files at test time rather than a list
//! written here: ARCHITECTURE.md's code map names every workspace crate (by folder and by
//! name), every top-level folder and every folder holding Rust files; and every count the docs
//! state ("89 modules", "8 ops") is the catalog's or the op table's.

use patchvm::modules::catalog;
use std::path::{Path, PathBuf};

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the repository")
        .to_path_buf()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// ARCHITECTURE.md's `## Code map` section.
fn code_map() -> String {
    let text = read(&root().join("ARCHITECTURE.md"));
    let start = text
        .find("\n## Code map")
        .expect("ARCHITECTURE.md has a code map");
    let rest = &text[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |end| end + 3);
    rest[..end].to_owned()
}

/// Every `code span` in `text`.
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// Whether a code span in the map names `path` (a folder, `/`-separated): is it, or starts
/// with it followed by `/`.
fn names(spans: &[&str], path: &str) -> bool {
    spans.iter().any(|span| {
        span.strip_prefix(path)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// The `[workspace] members` of the root Cargo.toml.
fn workspace_members() -> Vec<String> {
    let manifest = read(&root().join("Cargo.toml"));
    let workspace = &manifest[manifest.find("[workspace]").expect("a workspace")..];
    let list = workspace
        .split_once("members")
        .and_then(|(_, rest)| rest.split_once('['))
        .and_then(|(_, rest)| rest.split_once(']'))
        .expect("a members list")
        .0;
    list.split(',')
        .map(|member| member.trim().trim_matches('"').to_owned())
        .filter(|member| !member.is_empty())
        .collect()
}

/// The `name` in the `[package]` table of `folder/Cargo.toml`.
fn package_name(folder: &Path) -> String {
    let manifest = read(&folder.join("Cargo.toml"));
    let package = &manifest[manifest.find("[package]").expect("a package")..];
    package
        .lines()
        .find_map(|line| {
            let (key, value) = line.split_once('=')?;
            (key.trim() == "name").then(|| value.trim().trim_matches('"').to_owned())
        })
        .expect("a package name")
}

/// Folders git ignores at fixed places (the root .gitignore's `/PATH` lines), and hidden ones.
fn ignored(root: &Path, folder: &Path) -> bool {
    let relative = folder.strip_prefix(root).expect("under the root");
    let hidden = relative
        .components()
        .any(|part| part.as_os_str().to_string_lossy().starts_with('.'));
    hidden
        || read(&root.join(".gitignore"))
            .lines()
            .filter_map(|line| line.trim().strip_prefix('/'))
            .any(|pattern| relative == Path::new(pattern.trim_end_matches('/')))
}

/// Every folder under `folder` that holds a `.rs` file, skipping ignored ones.
fn rust_folders(root: &Path, folder: &Path, found: &mut Vec<PathBuf>) {
    let mut holds_rust = false;
    let mut entries: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if !ignored(root, &path) {
                rust_folders(root, &path, found);
            }
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            holds_rust = true;
        }
    }
    if holds_rust {
        found.push(folder.to_path_buf());
    }
}

/// `path` with `/` separators.
fn slashed(path: &Path) -> String {
    path.components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn the_code_map_names_every_crate_by_folder_and_name() {
    let map = code_map();
    let spans = code_spans(&map);
    let mut missing = Vec::new();
    for member in workspace_members() {
        let name = package_name(&root().join(&member));
        if !names(&spans, &member) {
            missing.push(format!("`{member}/`"));
        }
        if !spans.contains(&name.as_str()) {
            missing.push(format!("`{name}`"));
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map does not name {}",
        missing.join(", ")
    );
}

#[test]
fn the_code_map_names_every_top_level_folder() {
    let root = root();
    let map = code_map();
    let spans = code_spans(&map);
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && !ignored(&root, &path) {
            let name = slashed(path.strip_prefix(&root).unwrap());
            if !names(&spans, &name) {
                missing.push(format!("`{name}/`"));
            }
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map does not name {}",
        missing.join(", ")
    );
}

/// A folder of Rust files is named by its path from the repository, from its crate's folder
/// or from its crate's `src/` (`ir/src/format/sexpr` as `format/sexpr/fast.rs`); a crate's
/// own folder and its `src/` are named with the crate.
#[test]
fn the_code_map_names_every_folder_of_rust_files() {
    let root = root();
    let map = code_map();
    let spans = code_spans(&map);
    let mut folders = Vec::new();
    rust_folders(&root, &root, &mut folders);
    let mut missing = Vec::new();
    for folder in folders {
        let krate = folder
            .ancestors()
            .find(|ancestor| ancestor.join("Cargo.toml").is_file())
            .expect("every Rust file is in a crate");
        let in_crate = folder.strip_prefix(krate).unwrap();
        if in_crate.as_os_str().is_empty() || in_crate == Path::new("src") {
            continue;
        }
        let mut ways = vec![
            slashed(folder.strip_prefix(&root).unwrap()),
            slashed(in_crate),
        ];
        if let Ok(in_src) = in_crate.strip_prefix("src") {
            ways.push(slashed(in_src));
        }
        if !ways.iter().any(|way| names(&spans, way)) {
            missing.push(format!("`{}/`", ways[0]));
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map does not name {}",
        missing.join(", ")
    );
}

/// Every number written just before `noun` in `text` ("89 modules"), with its line.
fn stated(text: &str, noun: &str) -> Vec<(usize, String)> {
    let mut counts = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for pair in words.windows(2) {
            let word = pair[1].trim_matches(|c: char| !c.is_alphanumeric());
            if word == noun
                && let Ok(count) = pair[0].trim_start_matches(['(', '*']).parse()
            {
                counts.push((count, line.to_owned()));
            }
        }
    }
    counts
}

/// The variants of `enum Instr` in the op table's source.
fn ops() -> usize {
    let source = read(&root().join("vm/src/op.rs"));
    let start = source.find("pub enum Instr {").expect("the op table");
    let body = &source[start..];
    let body = &body[..body.find("\n}").expect("the end of `Instr`")];
    body.lines()
        .filter(|line| {
            let variant = line.strip_prefix("    ").unwrap_or("");
            variant.starts_with(|c: char| c.is_ascii_uppercase())
                && variant.trim_end().ends_with(['{', ','])
        })
        .count()
}

/// The docs that state counts: README.md's "N modules" (the catalog's) and ARCHITECTURE.md's
/// "N ops" (the `Instr` variants in `vm/src/op.rs`); the crates' docs state none.
#[test]
fn counts_the_docs_state_are_the_catalogs_and_the_op_tables() {
    let modules = catalog().modules().len();
    let ops = ops();
    let mut wrong = Vec::new();
    let mut seen = (0, 0);
    for doc in ["README.md", "ARCHITECTURE.md", "benches/README.md"] {
        let text = read(&root().join(doc));
        for (noun, actual, seen) in [("modules", modules, &mut seen.0), ("ops", ops, &mut seen.1)] {
            for (count, line) in stated(&text, noun) {
                *seen += 1;
                if count != actual {
                    wrong.push(format!(
                        "{doc} says {count} {noun}, there are {actual}: {line}"
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        seen.0 > 0 && seen.1 > 0,
        "the docs state both counts: {seen:?}"
    );
}
