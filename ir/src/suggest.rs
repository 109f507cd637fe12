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

/// The most choices a hint lists; a patch with thousands of nodes would otherwise print them
/// all under every misspelt id.
const MAX_LISTED: usize = 12;

/// `expected one of `a`, `b`, `c``, for hints that list the valid choices (the first
/// twelve of them, then how many more).
pub fn one_of<'c>(candidates: impl IntoIterator<Item = &'c str>) -> String {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let mut quoted: Vec<String> = candidates
        .iter()
        .take(MAX_LISTED)
        .map(|c| format!("`{c}`"))
        .collect();
    if candidates.len() > MAX_LISTED {
        quoted.push(format!("and {} more", candidates.len() - MAX_LISTED));
    }
    match quoted.len() {
        0 => "there is nothing to choose from".to_owned(),
        1 => format!("expected {}", quoted[0]),
        _ => format!("expected one of {}", quoted.join(", ")),
    }
}

/// The hint for a misspelt name: the closest candidate if there is one, else the list.
pub fn hint_for(wanted: &str, candidates: &[&str]) -> String {
    match closest(wanted, candidates.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => one_of(candidates.iter().copied()),
    }
}

/// Edit distance over characters where swapping two neighbours counts as one edit (the
/// optimal-string-alignment distance), since swapped letters are the commonest typo.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Rows i-2, i-1 and i of the dynamic-programming table.
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
        assert_eq!(edit_distance("gian", "gain"), 1);
    }
}
