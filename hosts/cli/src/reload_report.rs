//! What `play --watch` prints for a reload: one short line (how many nodes kept their state,
//! and the names that came and went), then the reload's warnings, rendered like errors.

use crate::failure::print_diagnostics;
use patchvm::engine::SwapReport;
use patchvm::engine::source::SourceFile;
use patchvm::ir::{Diagnostics, NodeName};

/// The most names listed for nodes added or removed; more are counted.
const MAX_NAMES: usize = 8;

/// `kept 12; added lfo, depth; removed saw; crossfaded`: counts, and the names that changed.
pub fn short(report: &SwapReport) -> String {
    let names = |ids: &[NodeName]| {
        let mut listed: Vec<&str> = ids.iter().take(MAX_NAMES).map(|id| &**id).collect();
        let more = ids.len().saturating_sub(MAX_NAMES);
        let more = format!("{more} more");
        if ids.len() > MAX_NAMES {
            listed.push(&more);
        }
        listed.join(", ")
    };
    let mut parts = vec![format!("kept {}", report.kept.len())];
    if !report.added.is_empty() {
        parts.push(format!("added {}", names(&report.added)));
    }
    if !report.removed.is_empty() {
        parts.push(format!("removed {}", names(&report.removed)));
    }
    parts.push(
        match report.crossfade {
            true => "crossfaded",
            false => "values only",
        }
        .to_owned(),
    );
    parts.join("; ")
}

/// Prints a reload's warnings with their lines, and how many there were.
pub fn print_warnings(source: &SourceFile, warnings: &Diagnostics) {
    print_diagnostics(source, warnings);
    eprintln!(
        "warning: `{}` has {} warning{}; it plays all the same",
        source.path.display(),
        warnings.len(),
        if warnings.len() == 1 { "" } else { "s" }
    );
}

#[cfg(test)]
mod tests {
    use super::short;
    use patchvm::engine::SwapReport;

    #[test]
    fn a_report_counts_what_it_kept_and_names_what_changed() {
        let report = SwapReport {
            kept: (0..40).map(|n| format!("n{n}").as_str().into()).collect(),
            added: (0..10).map(|n| format!("a{n}").as_str().into()).collect(),
            removed: vec!["saw".into()],
            crossfade: true,
            ..SwapReport::default()
        };
        assert_eq!(
            short(&report),
            "kept 40; added a0, a1, a2, a3, a4, a5, a6, a7, 2 more; removed saw; crossfaded"
        );
        let values = SwapReport {
            kept: vec!["osc".into()],
            ..SwapReport::default()
        };
        assert_eq!(short(&values), "kept 1; values only");
    }
}
