//! [`Groove`]: where the events of a straight grid land once swung and humanised, and how
//! loud: a timing map and a velocity map over beat positions.
//!
//! Both are pure functions of an event's position (and the seed): a pattern asks for each
//! event as it comes, in whatever blocks the host plays, and always gets the same answer.
//!
//! **Swing** divides each step of a grid in two and delays the second half by `amount` (0–1)
//! of half a step: at `amount` 1/3 the off-beat sits at 2/3 of the step, a triplet shuffle.
//! Positions between the grid's points move in proportion (the first half of each step
//! stretches, the second shrinks), so the map never reorders events; a step's start stays.
//!
//! **Humanise** moves each event by a random offset within `±timing` beats and its velocity by
//! a random amount within `±velocity`, drawn from a hash of the seed and the event's position.

use super::hash::{hash, signed_unit};

/// Swing: the second half of every `step` beats delayed by `amount` of half a step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Swing {
    /// The grid's step in beats (0.5: eighth notes swung); 0 or less leaves time straight.
    pub step: f64,
    /// The off-beat's delay as a fraction of half a step, `0..=1` (NaN reads as 0).
    pub amount: f64,
}

impl Swing {
    /// Where the event at beat `position` lands.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn apply(&self, position: f64) -> f64 {
        let amount = unit(self.amount);
        if self.step.is_nan() || self.step <= 0.0 || amount == 0.0 || !position.is_finite() {
            return position;
        }
        let start = (position / self.step).floor() * self.step;
        let within = (position - start).max(0.0);
        let half = 0.5 * self.step;
        let moved = if within < half {
            within * (1.0 + amount)
        } else {
            half * (1.0 + amount) + (within - half) * (1.0 - amount)
        };
        start + moved
    }
}

/// Humanise: seeded random timing offsets and velocity changes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Humanise {
    /// The seed every draw comes from.
    pub seed: u64,
    /// The largest timing offset, in beats either way.
    pub timing: f64,
    /// The largest velocity change either way (velocities are `0..=1`).
    pub velocity: f64,
}

/// The hash streams of the two draws, so an event's timing and velocity are independent.
const TIMING: u64 = 0;
const VELOCITY: u64 = 1;

impl Humanise {
    /// The timing offset, in beats within `±timing`, of the event at beat `position`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn offset(&self, position: f64) -> f64 {
        self.timing.abs() * signed_unit(hash(self.seed, TIMING, key(position)))
    }

    /// The event at `position`'s `velocity` moved by up to `±velocity`, kept within `0..=1`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn velocity(&self, position: f64, velocity: f64) -> f64 {
        let jitter = self.velocity.abs() * signed_unit(hash(self.seed, VELOCITY, key(position)));
        unit(velocity + jitter)
    }
}

/// `x` limited to `0..=1`, NaN read as 0.
fn unit(x: f64) -> f64 {
    if x >= 0.0 { x.min(1.0) } else { 0.0 }
}

/// The hash key of a position: its bits, with -0 read as 0 so the same beat is one key.
fn key(position: f64) -> u64 {
    (position + 0.0).to_bits()
}

/// A groove: swing, then humanise, on each event of a pattern.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Groove {
    /// The grid's swing.
    pub swing: Swing,
    /// The random part.
    pub humanise: Humanise,
}

impl Groove {
    /// Where the event at beat `position` plays: swung, then offset.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn time(&self, position: f64) -> f64 {
        self.swing.apply(position) + self.humanise.offset(position)
    }

    /// The velocity the event at beat `position` plays with.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn velocity(&self, position: f64, velocity: f64) -> f64 {
        self.humanise.velocity(position, velocity)
    }
}

#[cfg(test)]
mod tests {
    use super::{Groove, Humanise, Swing};
    use proptest::prelude::*;

    #[test]
    fn swing_delays_every_second_half_step() {
        // Eighths swung by a third: the off-beat eighth moves from 0.5 to 2/3 of the beat.
        let eighths = Swing {
            step: 1.0,
            amount: 1.0 / 3.0,
        };
        let grid: Vec<f64> = (0..6).map(|k| eighths.apply(0.5 * f64::from(k))).collect();
        let third = 1.0 / 3.0;
        let expected = [
            0.0,
            0.5 + 0.5 * third,
            1.0,
            1.5 + 0.5 * third,
            2.0,
            2.5 + 0.5 * third,
        ];
        for (got, want) in grid.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{grid:?}");
        }
        // Sixteenths at full swing: the off-beat reaches the next step.
        let full = Swing {
            step: 0.5,
            amount: 1.0,
        };
        assert_eq!(full.apply(0.25), 0.5);
        assert_eq!(full.apply(3.75), 4.0);
        assert_eq!(full.apply(3.5), 3.5);
        // Between grid points: the first half stretches, the second shrinks.
        let half = Swing {
            step: 1.0,
            amount: 0.5,
        };
        assert_eq!(half.apply(0.25), 0.375);
        assert_eq!(half.apply(0.75), 0.75 + 0.125);
        assert_eq!(half.apply(-0.5), -0.25, "before the transport's zero too");
        // No swing, no grid, or a position that is no number: unchanged.
        for swing in [
            Swing {
                step: 1.0,
                amount: 0.0,
            },
            Swing {
                step: 0.0,
                amount: 0.5,
            },
            Swing {
                step: 1.0,
                amount: f64::NAN,
            },
        ] {
            assert_eq!(swing.apply(1.5), 1.5);
        }
        assert!(half.apply(f64::INFINITY).is_infinite());
        assert_eq!(
            Swing {
                step: 1.0,
                amount: 7.0
            }
            .apply(0.5),
            1.0,
            "amount at most 1"
        );
    }

    #[test]
    fn humanise_is_a_function_of_seed_and_position() {
        let human = Humanise {
            seed: 3,
            timing: 0.02,
            velocity: 0.1,
        };
        let forward: Vec<f64> = (0..64).map(|k| human.offset(f64::from(k) * 0.25)).collect();
        let backward: Vec<f64> = (0..64)
            .rev()
            .map(|k| human.offset(f64::from(k) * 0.25))
            .collect();
        assert!(
            forward.iter().eq(backward.iter().rev()),
            "order of asking does not matter"
        );
        assert_eq!(human.offset(0.0), human.offset(-0.0));
        assert!(forward.iter().any(|&x| x > 0.01) && forward.iter().any(|&x| x < -0.01));
        let reseeded = Humanise { seed: 4, ..human };
        assert_ne!(human.offset(1.0), reseeded.offset(1.0));
        let unit_velocity = (human.velocity(1.0, 0.5) - 0.5) / 0.1;
        assert!(
            (human.offset(1.0) / 0.02 - unit_velocity).abs() > 1e-6,
            "own streams"
        );
        assert_eq!(
            (human.velocity(2.0, 1.5), human.velocity(2.0, -0.5)),
            (1.0, 0.0)
        );
        let still = Humanise {
            timing: 0.0,
            velocity: 0.0,
            ..human
        };
        assert_eq!((still.offset(1.25), still.velocity(1.25, 0.7)), (0.0, 0.7));
    }

    #[test]
    fn a_groove_swings_then_offsets() {
        let groove = Groove {
            swing: Swing {
                step: 1.0,
                amount: 0.5,
            },
            humanise: Humanise {
                seed: 1,
                timing: 0.01,
                velocity: 0.0,
            },
        };
        let offset = groove.humanise.offset(0.5);
        assert_eq!(groove.time(0.5), 0.75 + offset);
        assert_eq!(groove.velocity(0.5, 0.8), 0.8);
    }

    proptest! {
        #[test]
        fn offsets_stay_within_their_bounds_and_swing_keeps_order(
            seed: u64, timing in 0.0..1.0_f64, velocity in 0.0..1.0_f64,
            position in -1e4..1e4_f64, later in 0.0..4.0_f64,
            step in 0.01..4.0_f64, amount in 0.0..=1.0_f64, vel in 0.0..=1.0_f64,
        ) {
            let human = Humanise { seed, timing, velocity };
            prop_assert!(human.offset(position).abs() <= timing);
            let moved = human.velocity(position, vel);
            prop_assert!((0.0..=1.0).contains(&moved) && (moved - vel).abs() <= velocity + 1e-12);
            let swing = Swing { step, amount };
            let (a, b) = (swing.apply(position), swing.apply(position + later));
            prop_assert!(a <= b + 1e-9, "{} then {}", a, b);
            prop_assert!(a >= position - 1e-9 && a - position <= amount * step / 2.0 + 1e-9);
        }
    }
}
