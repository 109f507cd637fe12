//! Every example patch converts between the three formats without loss.

use patchvm::ir::{Format, Limits};
use patchvm_tests::patches_dir;

fn example_paths() -> Vec<std::path::PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir(patches_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| Format::from_path(path).is_some())
        .collect();
    paths.sort();
    assert!(paths.len() >= 4, "examples found: {paths:?}");
    paths
}

#[test]
fn every_example_round_trips_through_every_format() {
    let limits = Limits::default();
    for path in example_paths() {
        let format = Format::from_path(&path).unwrap();
        let original = format
            .read(&std::fs::read(&path).unwrap(), &limits)
            .unwrap()
            .without_spans();
        for target in Format::ALL {
            let written = target.write(&original);
            let read_back = target.read(&written, &limits).unwrap().without_spans();
            assert_eq!(read_back, original, "{} via {target:?}", path.display());
            // Writing is deterministic, so converting twice gives the same bytes.
            assert_eq!(target.write(&read_back), written);
        }
    }
}

#[test]
fn the_seed_example_is_the_same_patch_in_both_forms() {
    let limits = Limits::default();
    let read = |name: &str| {
        let path = patches_dir().join(name);
        Format::from_path(&path)
            .unwrap()
            .read(&std::fs::read(&path).unwrap(), &limits)
            .unwrap()
            .without_spans()
    };
    assert_eq!(read("toy.lisp"), read("toy.json"));
}
