//! [`TheoryError`]: what is wrong with a scale or chord name, where, and what would be right,
//! and the "did you mean" hints it carries.

use std::fmt;
use std::ops::Range;

/// A mistake in a scale or chord name: plain data, for the caller to turn into a diagnostic
/// (it knows where the text sits in the patch and adds the offset to `range`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TheoryError {
    /// The byte offsets of the offending part of the text.
    pub range: Range<usize>,
    /// What is wrong, lowercase, without a final period, naming the offender.
    pub message: String,
    /// What would be right: the closest valid name, or the valid choices.
    pub hint: String,
}

impl TheoryError {
    /// An error at `range` with its message and hint.
    pub(crate) fn new(range: Range<usize>, message: String, hint: String) -> TheoryError {
        TheoryError {
            range,
            message,
            hint,
        }
    }
}

impl fmt::Display for TheoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.hint)
    }
}

impl std::error::Error for TheoryError {}

/// The most choices a hint lists before saying how many more there are.
const MAX_LISTED: usize = 12;

/// The hint for the misspelt `wanted`: the closest of `candidates` if one is a plausible typo
/// (at most a third of the longer name's characters differ), else the choices.
pub(crate) fn hint_for<'c>(
    wanted: &str,
    candidates: impl Iterator<Item = &'c str> + Clone,
) -> String {
    let closest = candidates
        .clone()
        .map(|candidate| (edit_distance(wanted, candidate), candidate))
        .filter(|&(distance, candidate)| {
            distance * 3 <= wanted.chars().count().max(candidate.chars().count())
        })
        .min_by_key(|&(distance, _)| distance);
    match closest {
        Some((_, near)) => format!("did you mean `{near}`?"),
        None => one_of(candidates),
    }
}

/// "expected one of `a`, `b`, …": the first [`MAX_LISTED`] candidates, then how many more.
pub(crate) fn one_of<'c>(candidates: impl Iterator<Item = &'c str>) -> String {
    let all: Vec<&str> = candidates.collect();
    let mut quoted: Vec<String> = all
        .iter()
        .take(MAX_LISTED)
        .map(|c| format!("`{c}`"))
        .collect();
    if all.len() > MAX_LISTED {
        quoted.push(format!("and {} more", all.len() - MAX_LISTED));
    }
    format!("expected one of {}", quoted.join(", "))
}

/// Edit distance over characters, a swap of neighbours counting as one edit (the commonest
/// typo): the optimal-string-alignment distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j - 1] + cost)
                .min(previous[j] + 1)
                .min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{edit_distance, hint_for};

    #[test]
    fn a_typo_finds_its_name_and_nonsense_lists_the_choices() {
        let names = ["dorian", "lydian", "major"];
        assert_eq!(
            hint_for("dorain", names.iter().copied()),
            "did you mean `dorian`?"
        );
        assert_eq!(
            hint_for("zzzzzz", names.iter().copied()),
            "expected one of `dorian`, `lydian`, `major`"
        );
        let many: Vec<String> = (0..15).map(|i| format!("n{i:02}")).collect();
        let hint = hint_for("qqqqqqqq", many.iter().map(String::as_str));
        assert!(hint.ends_with("`n11`, and 3 more"), "{hint}");
    }

    #[test]
    fn edit_distance_counts_a_swap_as_one() {
        assert_eq!(edit_distance("dorian", "dorain"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("minor", "major"), 2);
    }
}
