//! The expansion's bounds against hostile sets of files, on files held in memory.

use super::{Library, MAX_DEPTH, SubpatchFile, expand};
use crate::diagnostic::Code;
use crate::format::Format;
use crate::limits::Limits;

/// Files by name, counting how often the expansion opens one.
struct Files {
    files: Vec<(String, String)>,
    opened: usize,
}

impl Library for Files {
    fn open(&mut self, _: Option<usize>, path: &str) -> Result<SubpatchFile, String> {
        self.opened += 1;
        let id = self
            .files
            .iter()
            .position(|(name, _)| name == path)
            .ok_or("no such file")?;
        let text = &self.files[id].1;
        Ok(SubpatchFile {
            id,
            name: path.to_owned(),
            patch: Format::Sexpr.read(text.as_bytes(), &Limits::default()),
        })
    }
}

/// `f0.lisp` is one oscillator; each `fK.lisp` holds `fan` instances of `f(K-1).lisp`.
fn tower(levels: usize, fan: usize) -> Files {
    let mut files = vec![(
        "f0.lisp".to_owned(),
        r#"(patch (outputs (out osc "out")) (nodes (osc (type "osc.sine"))))"#.to_owned(),
    )];
    for level in 1..=levels {
        let uses: String = (0..fan)
            .map(|i| format!(r#"(i{i} (type "f{}.lisp"))"#, level - 1))
            .collect();
        let text = format!(r#"(patch (outputs (out i0 "out")) (nodes {uses}))"#);
        files.push((format!("f{level}.lisp"), text));
    }
    Files { files, opened: 0 }
}

fn top(level: usize) -> crate::patch::Patch {
    let text = format!(r#"(patch (nodes (top (type "f{level}.lisp"))))"#);
    Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .unwrap()
}

#[test]
fn files_nested_past_the_depth_are_refused_after_that_many_opens() {
    let mut files = tower(40, 1);
    let problems = expand(top(40), None, &mut files, &Limits::default()).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].code, Code::Limit);
    assert_eq!(
        problems[0].message,
        format!("sub-patch `f23.lisp` is nested more than {MAX_DEPTH} files deep")
    );
    // f40 at depth 0 down to f24 at depth 16: 17 opens, then f23 is refused unopened.
    assert_eq!(files.opened, MAX_DEPTH + 1);
}

#[test]
fn files_using_each_other_many_times_over_stop_at_the_node_limit() {
    // Eight instances a level, sixteen levels: 8^16 oscillators if nothing stopped it.
    let mut files = tower(MAX_DEPTH, 8);
    let limits = Limits {
        max_nodes: 1000,
        ..Limits::default()
    };
    let problems = expand(top(MAX_DEPTH), None, &mut files, &limits).unwrap_err();
    assert!(
        problems.iter().any(|p| p.code == Code::Limit),
        "{problems:#?}"
    );
    // Every open but the refused ones splices at least one node: at most the limit's worth,
    // plus one over it.
    assert!(files.opened <= 1001, "{} opens", files.opened);
}

#[test]
fn within_the_bounds_every_node_is_named_under_its_instances() {
    let mut files = tower(2, 2);
    let patch = expand(top(2), None, &mut files, &Limits::default()).unwrap();
    let ids: Vec<&str> = patch.nodes.iter().map(|n| n.id.text.as_str()).collect();
    assert_eq!(
        ids,
        [
            "top/i0/i0/osc",
            "top/i0/i1/osc",
            "top/i1/i0/osc",
            "top/i1/i1/osc"
        ]
    );
    assert_eq!(
        patch.instances,
        [
            "top/i0/i0",
            "top/i0/i1",
            "top/i0",
            "top/i1/i0",
            "top/i1/i1",
            "top/i1",
            "top"
        ]
    );
}
