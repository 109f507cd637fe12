//! [`Arp`]: an arpeggiator stepping over the notes held, low to high, over one to four
//! octaves, in Tidal's `arp` modes (up, down, updown, downup, converge) or at random.
//!
//! The notes are taken in pitch order (equal pitches in the order held), each octave above
//! the last: with C E G held over two octaves the notes are C E G C' E' G'. Each mode is a
//! walk over that list that repeats: `updown` goes up then down without playing either end
//! twice (C E G E), `downup` the other way (G E C E), `converge` alternates from the outside
//! in (C G E), `random` picks a note for each step from a hash of the seed and the step
//! count, so the same seed always plays the same notes. Where the walk is depends only on how
//! many notes the arpeggiator has played since it last had none, so adding a note goes on
//! from the same step of the longer walk.

use super::hash::hash;

/// How an [`Arp`] walks the notes held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArpMode {
    /// Low to high, then again.
    Up,
    /// High to low, then again.
    Down,
    /// Low to high and back, the ends once each.
    UpDown,
    /// High to low and back, the ends once each.
    DownUp,
    /// Lowest, highest, second lowest, second highest, … to the middle.
    Converge,
    /// A seeded random note each step.
    Random,
}

impl ArpMode {
    /// Every mode, in the order of its index (what a module's integer input selects).
    pub const ALL: [ArpMode; 6] = [
        ArpMode::Up,
        ArpMode::Down,
        ArpMode::UpDown,
        ArpMode::DownUp,
        ArpMode::Converge,
        ArpMode::Random,
    ];

    /// The mode's name, as Tidal spells it.
    pub fn name(self) -> &'static str {
        match self {
            ArpMode::Up => "up",
            ArpMode::Down => "down",
            ArpMode::UpDown => "updown",
            ArpMode::DownUp => "downup",
            ArpMode::Converge => "converge",
            ArpMode::Random => "random",
        }
    }

    /// The mode called `name`, if one is.
    pub fn parse(name: &str) -> Option<ArpMode> {
        ArpMode::ALL.into_iter().find(|mode| mode.name() == name)
    }
}

/// The most octaves an arpeggio spans.
pub const MAX_OCTAVES: u8 = 4;

/// An arpeggiator: a mode, an octave span, a seed, and how far it has walked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arp {
    mode: ArpMode,
    /// `1..=MAX_OCTAVES`.
    octaves: u8,
    seed: u64,
    /// Notes played since the hand was last empty.
    step: u64,
}

impl Arp {
    /// An arpeggiator walking in `mode` over `octaves` octaves (limited to 1–4), drawing
    /// `random`'s notes from `seed`.
    pub fn new(mode: ArpMode, octaves: u8, seed: u64) -> Arp {
        Arp {
            mode,
            octaves: octaves.clamp(1, MAX_OCTAVES),
            seed,
            step: 0,
        }
    }

    /// The next note over the notes `held` (MIDI numbers, in any order), or `None` when none
    /// is held, which also starts the walk again.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn next(&mut self, held: &[f64]) -> Option<f64> {
        let note = self.note_at(held, self.step);
        self.step = if note.is_some() {
            self.step.wrapping_add(1)
        } else {
            0
        };
        note
    }

    /// The note step `step` of the walk plays over the notes `held`, without moving.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn note_at(&self, held: &[f64], step: u64) -> Option<f64> {
        let count = held.len() as u64;
        if count == 0 {
            return None;
        }
        let len = count * u64::from(self.octaves);
        let last = len - 1;
        // Up and down and back: 2·len - 2 steps, or 1 for a single note.
        let bounce = (2 * len - 2).max(1);
        let up_down = |step: u64| {
            let at = step % bounce;
            if at < len { at } else { bounce - at }
        };
        let index = match self.mode {
            ArpMode::Up => step % len,
            ArpMode::Down => last - step % len,
            ArpMode::UpDown => up_down(step),
            ArpMode::DownUp => last - up_down(step),
            ArpMode::Converge => {
                let at = step % len;
                if at.is_multiple_of(2) {
                    at / 2
                } else {
                    last - at / 2
                }
            }
            ArpMode::Random => hash(self.seed, 0, step) % len,
        };
        let octave = index / count;
        Some(lowest(held, (index % count) as usize) + 12.0 * octave as f64)
    }

    /// Back to the start of the walk.
    pub fn reset(&mut self) {
        self.step = 0;
    }
}

/// The `k`-th lowest of `notes` (0 the lowest; equal notes in their order, NaN above every
/// number), found by counting rather than sorting, so nothing is allocated: a hand holds
/// few notes.
fn lowest(notes: &[f64], k: usize) -> f64 {
    let rank = |j: usize| {
        notes
            .iter()
            .enumerate()
            .filter(|&(i, note)| note.total_cmp(&notes[j]).then(i.cmp(&j)).is_lt())
            .count()
    };
    (0..notes.len())
        .find(|&j| rank(j) == k)
        .map_or(f64::NAN, |j| notes[j])
}

#[cfg(test)]
mod tests {
    use super::{Arp, ArpMode, MAX_OCTAVES};
    use proptest::prelude::*;

    /// The first `n` notes `mode` plays over `held` and `octaves`.
    fn play(mode: ArpMode, octaves: u8, held: &[f64], n: usize) -> Vec<f64> {
        let mut arp = Arp::new(mode, octaves, 9);
        (0..n).map(|_| arp.next(held).unwrap()).collect()
    }

    /// C E G, held out of order.
    const CEG: [f64; 3] = [67.0, 60.0, 64.0];

    #[test]
    fn modes_walk_the_notes_as_tidal_s_arp() {
        assert_eq!(
            play(ArpMode::Up, 1, &CEG, 7),
            [60., 64., 67., 60., 64., 67., 60.]
        );
        assert_eq!(play(ArpMode::Down, 1, &CEG, 4), [67., 64., 60., 67.]);
        assert_eq!(
            play(ArpMode::UpDown, 1, &CEG, 9),
            [60., 64., 67., 64., 60., 64., 67., 64., 60.]
        );
        assert_eq!(play(ArpMode::DownUp, 1, &CEG, 5), [67., 64., 60., 64., 67.]);
        assert_eq!(play(ArpMode::Converge, 1, &CEG, 4), [60., 67., 64., 60.]);
        let four = [60.0, 62.0, 64.0, 65.0];
        assert_eq!(play(ArpMode::Converge, 1, &four, 4), [60., 65., 62., 64.]);
    }

    #[test]
    fn octaves_extend_the_notes_upwards() {
        assert_eq!(
            play(ArpMode::Up, 2, &CEG, 7),
            [60., 64., 67., 72., 76., 79., 60.]
        );
        assert_eq!(
            play(ArpMode::UpDown, 2, &[60.0, 64.0], 7),
            [60., 64., 72., 76., 72., 64., 60.]
        );
        assert_eq!(play(ArpMode::Down, 3, &[50.0], 4), [74., 62., 50., 74.]);
        assert_eq!(
            play(ArpMode::Up, 9, &[50.0], 5),
            [50., 62., 74., 86., 50.],
            "4 at most"
        );
        assert_eq!(play(ArpMode::Up, 0, &[50.0], 2), [50., 50.], "1 at least");
    }

    #[test]
    fn a_single_note_and_an_empty_hand() {
        for mode in ArpMode::ALL {
            assert_eq!(
                play(mode, 1, &[61.0], 3),
                [61.0, 61.0, 61.0],
                "{}",
                mode.name()
            );
            assert_eq!(ArpMode::parse(mode.name()), Some(mode));
        }
        let mut arp = Arp::new(ArpMode::Up, 1, 0);
        assert_eq!(arp.next(&CEG), Some(60.0));
        assert_eq!(arp.next(&CEG), Some(64.0));
        assert_eq!(arp.next(&[]), None);
        assert_eq!(arp.next(&CEG), Some(60.0), "an empty hand starts again");
        assert_eq!(ArpMode::parse("sideways"), None);
    }

    #[test]
    fn a_note_added_goes_on_from_the_same_step() {
        let mut arp = Arp::new(ArpMode::Up, 1, 0);
        assert_eq!(arp.next(&[60.0, 64.0]), Some(60.0));
        assert_eq!(arp.next(&[60.0, 64.0]), Some(64.0));
        assert_eq!(arp.next(&CEG), Some(67.0), "step 2 of the longer walk");
    }

    #[test]
    fn random_is_the_same_for_a_seed_and_covers_every_note() {
        let a = play(ArpMode::Random, 2, &CEG, 600);
        assert_eq!(a, play(ArpMode::Random, 2, &CEG, 600));
        let other_seed: Vec<f64> = {
            let mut arp = Arp::new(ArpMode::Random, 2, 10);
            (0..600).map(|_| arp.next(&CEG).unwrap()).collect()
        };
        assert_ne!(a, other_seed);
        for note in [60., 64., 67., 72., 76., 79.] {
            let count = a.iter().filter(|&&x| x == note).count();
            assert!(
                (60..140).contains(&count),
                "{note} played {count} times of 600"
            );
        }
        // A pure function of the step: note_at agrees with next.
        let arp = Arp::new(ArpMode::Random, 2, 9);
        assert_eq!(arp.note_at(&CEG, 417), Some(a[417]));
    }

    proptest! {
        #[test]
        fn the_arp_never_leaves_the_notes_held_and_their_octaves(
            held in prop::collection::vec(0.0_f64..127.0, 1..8),
            octaves in 1..=MAX_OCTAVES,
            mode in 0..6_usize,
            seed: u64,
            steps in 1..64_usize,
        ) {
            let mut arp = Arp::new(ArpMode::ALL[mode], octaves, seed);
            for _ in 0..steps {
                let note = arp.next(&held).unwrap();
                prop_assert!(
                    (0..octaves).any(|o| held
                        .iter()
                        .any(|&h| (h + 12.0 * f64::from(o) - note).abs() < 1e-9)),
                    "{} is not a held note in {} octaves", note, octaves
                );
            }
        }
    }
}
