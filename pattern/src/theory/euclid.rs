//! [`euclid`]: Euclidean rhythms, `pulses` onsets spread as evenly as they go over `steps`,
//! exactly as Strudel's `euclid`/`euclidRot` (and Tidal's `euclid`) lay them out: Bjorklund's
//! algorithm as Rohan Drape wrote it in Haskell and both ported.
//!
//! Bjorklund's algorithm pairs groups of steps until at most one group of a kind is left; at
//! every stage the groups of each kind are identical, so two bit strings and two counts carry
//! the whole state, and the rhythm is a bit mask: nothing is allocated.

/// The most steps a rhythm has.
pub const MAX_STEPS: u32 = 128;

/// A Euclidean rhythm: which of its steps are onsets, step 0 first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Euclid {
    /// Bit `i` is set when step `i` is an onset.
    bits: u128,
    /// How many steps it has, at most [`MAX_STEPS`].
    steps: u32,
}

/// The rhythm of `pulses` onsets over `steps` steps, rotated `rotation` steps later (Strudel's
/// `euclidRot(pulses, steps, rotation)`; Tidal's `euclidOff` turns the other way).
///
/// Edge cases: no steps give an empty rhythm; 0 pulses, no onset; more pulses than steps, an
/// onset on every step; negative pulses, the rhythm of as many positive ones inverted (as
/// Strudel does, `x(-3,8)` is `.xx.xx.x`); the rotation counts modulo `steps`, both ways;
/// steps past [`MAX_STEPS`] are [`MAX_STEPS`].
///
/// Real-time safe: does not allocate, lock or block.
pub fn euclid(pulses: i32, steps: u32, rotation: i64) -> Euclid {
    let steps = steps.min(MAX_STEPS);
    let ons = pulses.unsigned_abs().min(steps);
    let mut rhythm = Euclid {
        bits: bjorklund(ons, steps - ons),
        steps,
    };
    if pulses < 0 {
        rhythm.bits = !rhythm.bits & mask(steps);
    }
    if steps > 0 {
        let right = rotation.rem_euclid(i64::from(steps)) as u32;
        if right > 0 {
            rhythm.bits = ((rhythm.bits << right) | (rhythm.bits >> (steps - right))) & mask(steps);
        }
    }
    rhythm
}

impl Euclid {
    /// How many steps the rhythm has.
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// Whether step `step` is an onset, counting steps on past the end (and before 0) as the
    /// rhythm repeats; never in an empty rhythm.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub fn is_onset(&self, step: i64) -> bool {
        self.steps > 0 && self.bits >> step.rem_euclid(i64::from(self.steps)) & 1 == 1
    }

    /// How many onsets it has.
    pub fn onsets(&self) -> u32 {
        self.bits.count_ones()
    }

    /// Each step's onset, step 0 first.
    pub fn iter(&self) -> impl Iterator<Item = bool> + '_ {
        (0..self.steps).map(|step| self.bits >> step & 1 == 1)
    }
}

/// A group of steps: bit `i` is step `i`.
#[derive(Clone, Copy, Debug)]
struct Group {
    bits: u128,
    len: u32,
}

impl Group {
    /// This group followed by `next`.
    fn then(self, next: Group) -> Group {
        Group {
            bits: self.bits | next.bits << self.len,
            len: self.len + next.len,
        }
    }

    /// `count` copies of this group, starting at bit `at` of `into`.
    fn repeat_into(self, count: u32, into: &mut u128, at: &mut u32) {
        for _ in 0..count {
            *into |= self.bits << *at;
            *at += self.len;
        }
    }
}

/// Bjorklund's algorithm over `ons` onsets and `offs` rests (`ons + offs <= 128`), as bits.
fn bjorklund(mut ons: u32, mut offs: u32) -> u128 {
    let mut first = Group { bits: 1, len: 1 };
    let mut second = Group { bits: 0, len: 1 };
    while ons.min(offs) > 1 {
        if ons > offs {
            // `offs` groups of first+second; the `ons - offs` firsts left over come second.
            (first, second) = (first.then(second), first);
            (ons, offs) = (offs, ons - offs);
        } else {
            // `ons` groups of first+second; `offs - ons` seconds left over.
            first = first.then(second);
            offs -= ons;
        }
    }
    let (mut bits, mut at) = (0, 0);
    first.repeat_into(ons, &mut bits, &mut at);
    second.repeat_into(offs, &mut bits, &mut at);
    bits
}

/// The low `steps` bits set.
fn mask(steps: u32) -> u128 {
    if steps >= 128 {
        u128::MAX
    } else {
        (1 << steps) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_STEPS, euclid};
    use proptest::prelude::*;

    /// The rhythm as `x` and `.`.
    fn text(pulses: i32, steps: u32, rotation: i64) -> String {
        euclid(pulses, steps, rotation)
            .iter()
            .map(|onset| if onset { 'x' } else { '.' })
            .collect()
    }

    #[test]
    fn toussaint_s_rhythms_as_strudel_s_tests_correct_them() {
        // Strudel's mini-notation tests (`reproduces Toussaint's example euclidean
        // algorithms`), from Toussaint's paper with its four errors corrected.
        for (pulses, steps, rhythm) in [
            (1, 2, "x."),
            (1, 3, "x.."),
            (1, 4, "x..."),
            (4, 12, "x..x..x..x.."),
            (2, 5, "x.x.."),
            (3, 4, "xxx."),
            (3, 5, "x.x.x"),
            (3, 7, "x.x.x.."),
            (3, 8, "x..x..x."),
            (4, 7, "x.x.x.x"),
            (4, 9, "x.x.x.x.."),
            (4, 11, "x..x..x..x."),
            (5, 6, "xxxxx."),
            (5, 7, "x.xx.xx"),
            (5, 8, "x.xx.xx."),
            (5, 9, "x.x.x.x.x"),
            (5, 11, "x.x.x.x.x.."),
            (5, 12, "x..x.x..x.x."),
            (5, 16, "x..x..x..x..x..."),
            (7, 8, "xxxxxxx."),
            (7, 12, "x.xx.x.xx.x."),
            (7, 16, "x..x.x.x..x.x.x."),
            (9, 16, "x.xx.x.x.xx.x.x."),
            (11, 24, "x..x.x.x.x.x..x.x.x.x.x."),
            (13, 24, "x.xx.x.x.x.x.xx.x.x.x.x."),
        ] {
            assert_eq!(text(pulses, steps, 0), rhythm, "({pulses},{steps})");
        }
    }

    #[test]
    fn rotation_turns_the_rhythm_later_as_strudel_s_euclid_rot() {
        // Strudel rotates with `rotate(pattern, -rotation)`: step i plays step i - rotation.
        assert_eq!(text(3, 8, 2), "x.x..x..");
        assert_eq!(text(3, 8, 1), ".x..x..x");
        assert_eq!(text(3, 8, -1), "..x..x.x");
        assert_eq!(text(3, 8, 10), text(3, 8, 2));
        assert_eq!(text(3, 8, -6), text(3, 8, 2));
        assert_eq!(text(3, 8, 8), text(3, 8, 0));
        assert_eq!(text(3, 5, 2), ".xx.x");
        assert_eq!(text(2, 5, 3), "x..x.");
    }

    #[test]
    fn edge_cases_stay_defined() {
        assert_eq!(text(0, 8, 0), "........");
        assert_eq!(text(0, 8, 3), "........");
        assert_eq!(text(8, 8, 0), "xxxxxxxx");
        assert_eq!(text(11, 8, 5), "xxxxxxxx");
        assert_eq!(text(1, 1, 0), "x");
        assert_eq!(text(3, 0, 2), "");
        assert!(!euclid(3, 0, 0).is_onset(0));
        assert_eq!(text(-3, 8, 0), ".xx.xx.x");
        assert_eq!(text(-3, 8, 1), "x.xx.xx.");
        assert_eq!(euclid(5, 1_000, 0).steps(), MAX_STEPS);
        assert_eq!(euclid(200, 1_000, 0).onsets(), MAX_STEPS);
        // Steps repeat past the end and before 0.
        let tresillo = euclid(3, 8, 0);
        let onsets = |range: std::ops::Range<i64>| -> Vec<i64> {
            range.filter(|&step| tresillo.is_onset(step)).collect()
        };
        assert_eq!(onsets(-8..17), [-8, -5, -2, 0, 3, 6, 8, 11, 14, 16]);
    }

    proptest! {
        #[test]
        fn a_rhythm_has_exactly_its_pulses_spread_evenly(
            steps in 1..=MAX_STEPS, pulses in 0..=MAX_STEPS, rotation in -300_i64..300,
        ) {
            let rhythm = euclid(pulses as i32, steps, rotation);
            let pulses = pulses.min(steps);
            prop_assert_eq!(rhythm.onsets(), pulses);
            prop_assert_eq!(rhythm.iter().count(), steps as usize);
            // Even: the gaps between onsets (around the circle) differ by at most one step.
            let at: Vec<i64> = (0..i64::from(steps)).filter(|&s| rhythm.is_onset(s)).collect();
            if at.len() > 1 {
                let gaps: Vec<i64> = at.windows(2).map(|w| w[1] - w[0])
                    .chain([at[0] + i64::from(steps) - at[at.len() - 1]]).collect();
                let (low, high) = (gaps.iter().min().unwrap(), gaps.iter().max().unwrap());
                prop_assert!(high - low <= 1, "gaps {:?}", gaps);
            }
            // Rotating by one more step moves every onset one step later.
            let next = euclid(pulses as i32, steps, rotation + 1);
            for step in 0..i64::from(steps) {
                prop_assert_eq!(next.is_onset(step + 1), rhythm.is_onset(step));
            }
        }
    }
}
