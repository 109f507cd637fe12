//! "Did you mean …?" hints: the closest known name by edit distance.

/// The candidate closest to `wanted`, if one is close enough to be a plausible typo
/// (at most a third of the longer name's characters differ).
pub fn closest<'c>(wanted: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(wanted, candidate), candidate))
        .filter(|&(distance, candidate)| {
            distance * 3 <= wanted.chars().count().max(candidate.chars().count())
        })
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

/// `expected one of `a`, `b`, `c``, for hints that list the valid choices.
pub fn one_of<'c>(candidates: impl IntoIterator<Item = &'c str>) -> String {
    let quoted: Vec<String> = candidates.into_iter().map(|c| format!("`{c}`")).collect();
    match quoted.len() {
        0 => "there is nothing to choose from".to_owned(),
        1 => format!("expected {}", quoted[0]),
        _ => format!("expected one of {}", quoted.join(", ")),
    }
}

/// The hint for a misspelt name: the closest candidate if there is one, else the list.
pub fn hint_for<'c>(wanted: &str, candidates: &[&'c str]) -> String {
    match closest(wanted, candidates.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => one_of(candidates.iter().copied()),
    }
}

/// Levenshtein distance over characters, in `O(len(a) * len(b))` time and `O(len(b))` space.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_name() {
        let names = ["osc.sine", "osc.saw", "osc.square", "gain"];
        assert_eq!(closest("osc.sin", names), Some("osc.sine"));
        assert_eq!(closest("gian", names), Some("gain"));
        assert_eq!(closest("reverb", names), None);
    }

    #[test]
    fn distances_count_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
