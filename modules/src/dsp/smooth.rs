//! One-pole smoothers: the exponential lag behind envelope followers, level detectors and
//! gain smoothing.
//!
//! A one-pole `y += (1 - p)·(x - y)` with pole `p = exp(-1 / (time·rate))` covers 63.2 %
//! (`1 - 1/e`) of a step in `time` seconds: that is what every `*_s` time of the kernels built
//! on it means. Times are read every sample, so the pole is recomputed (an `exp`) only in a
//! sample whose time differs from the sample before.

/// A pole for a time constant, recomputed only when the time changes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pole {
    time_s: f32,
    pole: f64,
    sample_rate: f64,
}

impl Pole {
    /// The pole for `time_s` seconds (limited by the caller to 0 or more; 0 means no lag).
    pub(crate) fn new(time_s: f32, sample_rate: f64) -> Pole {
        Pole {
            time_s,
            pole: pole(time_s, sample_rate),
            sample_rate,
        }
    }

    /// The pole for `time_s`, recomputed if it differs from the last call's.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub(crate) fn get(&mut self, time_s: f32) -> f64 {
        if time_s != self.time_s {
            self.time_s = time_s;
            self.pole = pole(time_s, self.sample_rate);
        }
        self.pole
    }
}

/// `exp(-1 / (time_s·sample_rate))`; 0 for a time of 0.
fn pole(time_s: f32, sample_rate: f64) -> f64 {
    // -1/0 is -inf and exp(-inf) is 0: a zero time follows its target at once.
    (-1.0 / (f64::from(time_s) * sample_rate)).exp()
}

/// A value that follows a target through one of two time constants: `attack` while the target
/// is above the value, `release` while it is below.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AttackRelease {
    value: f64,
    start: f64,
    attack: Pole,
    release: Pole,
}

impl AttackRelease {
    /// A follower at `value`, with these times (limited by the caller to 0 or more).
    pub(crate) fn new(value: f64, attack_s: f32, release_s: f32, sample_rate: f64) -> Self {
        AttackRelease {
            value,
            start: value,
            attack: Pole::new(attack_s, sample_rate),
            release: Pole::new(release_s, sample_rate),
        }
    }

    /// Moves toward `target` by one sample and returns the new value. A non-finite target
    /// (from a non-finite input) returns the follower to where it started, so one bad sample
    /// cannot hold it at infinity.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub(crate) fn tick(&mut self, target: f64, attack_s: f32, release_s: f32) -> f64 {
        if !target.is_finite() {
            self.value = self.start;
            return self.value;
        }
        let pole = if target > self.value {
            self.attack.get(attack_s)
        } else {
            self.release.get(release_s)
        };
        self.value = target + (self.value - target) * pole;
        self.value
    }

    /// Returns to the value it was built with.
    pub(crate) fn reset(&mut self) {
        self.value = self.start;
    }

    /// Goes on from `other`'s value, keeping the value this follower was built with (for
    /// [`AttackRelease::reset`]). The poles need no copy: each always matches its last time.
    ///
    /// Real-time safe: copies one number.
    pub(crate) fn take_over(&mut self, other: &AttackRelease) {
        self.value = other.value;
    }
}
