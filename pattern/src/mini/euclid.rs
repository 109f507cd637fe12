//! Strudel's Bjorklund: which of `steps` steps sound for `pulses` onsets, and its rotation.
//!
//! The distribution is Rohan Drape's formulation of Bjorklund's algorithm, which Strudel
//! ports: pair the remainders with the groups until one kind is down to a single group.
//! Negative pulses invert the pattern; `a(3,8,2)` rotates it right by two steps, the way
//! Strudel's `rotate(b, -rotation)` does (a rotation of at least `steps` leaves it as is).

/// The onsets of a Euclidean rhythm: `pulses` (negative inverts) spread over `steps`.
/// `None` when `|pulses| > steps`.
pub fn bjorklund(pulses: i64, steps: usize) -> Option<Vec<bool>> {
    let ons = usize::try_from(pulses.unsigned_abs()).ok()?;
    let offs = steps.checked_sub(ons)?;
    let mut groups: (Vec<Vec<bool>>, Vec<Vec<bool>>) =
        (vec![vec![true]; ons], vec![vec![false]; offs]);
    let (mut ons, mut offs) = (ons, offs);
    while ons.min(offs) > 1 {
        let (xs, ys) = groups;
        if ons > offs {
            // Left: the first `offs` groups of xs take the ys; the rest of xs remain.
            let (head, tail) = xs.split_at(offs);
            let joined = head
                .iter()
                .zip(&ys)
                .map(|(x, y)| [x.as_slice(), y].concat())
                .collect();
            groups = (joined, tail.to_vec());
            (ons, offs) = (offs, ons - offs);
        } else {
            // Right: every xs takes one of the first `ons` ys; the rest of ys remain.
            let (head, tail) = ys.split_at(ons);
            let joined = xs
                .iter()
                .zip(head)
                .map(|(x, y)| [x.as_slice(), y].concat())
                .collect();
            groups = (joined, tail.to_vec());
            (ons, offs) = (ons, offs - ons);
        }
    }
    let mut flat: Vec<bool> = groups.0.into_iter().chain(groups.1).flatten().collect();
    if pulses < 0 {
        flat.iter_mut().for_each(|b| *b = !*b);
    }
    Some(flat)
}

/// Strudel's `rotate(pattern, -rotation)` with JavaScript's `slice` on negative indices.
pub fn rotate(pattern: &mut [bool], rotation: i64) {
    let len = pattern.len() as i64;
    let n = -rotation;
    // slice(n) ++ slice(0, n): a left rotation by n, where |n| >= len changes nothing.
    if n.unsigned_abs() >= len.unsigned_abs() {
        return;
    }
    let left = if n < 0 { len + n } else { n };
    pattern.rotate_left(left as usize);
}

#[cfg(test)]
mod tests {
    use super::{bjorklund, rotate};

    fn bits(text: &str) -> Vec<bool> {
        text.chars().map(|c| c == 'x').collect()
    }

    #[test]
    fn classic_rhythms() {
        assert_eq!(bjorklund(3, 8), Some(bits("x..x..x.")));
        assert_eq!(bjorklund(5, 8), Some(bits("x.xx.xx.")));
        assert_eq!(bjorklund(2, 5), Some(bits("x.x..")));
        assert_eq!(bjorklund(4, 4), Some(bits("xxxx")));
        assert_eq!(bjorklund(0, 3), Some(bits("...")));
        assert_eq!(bjorklund(-3, 8), Some(bits(".xx.xx.x")));
        assert_eq!(bjorklund(9, 8), None);
    }

    #[test]
    fn rotation_moves_right_and_ignores_full_turns() {
        let mut p = bits("x..x..x.");
        rotate(&mut p, 2);
        assert_eq!(p, bits("x.x..x.."));
        let mut q = bits("x..x..x.");
        rotate(&mut q, -1);
        assert_eq!(q, bits("..x..x.x"));
        let mut r = bits("x..x..x.");
        rotate(&mut r, 9);
        assert_eq!(r, bits("x..x..x."));
    }
}
