//! Parameter slots: the run-time values of unconnected inputs, which events set at an exact
//! sample or ramp over many.

use crate::kernel::MAX_BLOCK;

/// One parameter slot's value and, while a ramp runs, where it is going.
///
/// A ramp's value at each sample is computed from how many of its samples have passed, never
/// by adding a step per sample, so the samples are the same bits however the stream is cut
/// into blocks: a host that splits a block at an event renders what one that does not would.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ParamState {
    /// The value now, or the value the running ramp started from.
    value: f32,
    /// The running ramp, if any.
    ramp: Option<Ramp>,
}

/// A linear ramp from [`ParamState::value`] to `target` over `length` samples.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Ramp {
    target: f32,
    /// Invariant: `length > 0`.
    length: u32,
    /// Samples of the ramp already produced: the next sample is number `elapsed + 1`.
    /// Invariant: `elapsed < length`.
    elapsed: u32,
}

impl ParamState {
    pub(crate) fn new(value: f32) -> ParamState {
        ParamState { value, ramp: None }
    }

    /// Sets the value from the next sample on, ending any ramp. Non-finite values are refused
    /// (the slot keeps its value) so no event can put a NaN into a kernel's control input.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn set(&mut self, value: f32) {
        if value.is_finite() {
            self.value = value;
            self.ramp = None;
        }
    }

    /// Ramps from the current value (mid-ramp if one runs) to `target`, reaching it exactly on
    /// the `samples`-th sample from now; 0 samples is a [`set`](ParamState::set).
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn ramp(&mut self, target: f32, samples: u32) {
        if !target.is_finite() {
            return;
        }
        self.value = self.current();
        self.ramp = (samples > 0).then_some(Ramp {
            target,
            length: samples,
            elapsed: 0,
        });
        if samples == 0 {
            self.value = target;
        }
    }

    /// Whether a ramp is running.
    pub(crate) fn ramping(&self) -> bool {
        self.ramp.is_some()
    }

    /// The value at the last sample produced (the value a ramp has reached).
    pub(crate) fn current(&self) -> f32 {
        match self.ramp {
            None => self.value,
            Some(ramp) if ramp.elapsed == 0 => self.value,
            Some(ramp) => self.at(ramp, ramp.elapsed),
        }
    }

    /// The value at sample `n` of the ramp, `1 <= n <= length`.
    #[inline]
    fn at(&self, ramp: Ramp, n: u32) -> f32 {
        if n >= ramp.length {
            ramp.target
        } else {
            self.value + (ramp.target - self.value) * (n as f32 / ramp.length as f32)
        }
    }

    /// Writes the values of the next `out.len()` samples, without moving on (the VM writes a
    /// slot's register with them before the block, then moves on after it).
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub(crate) fn fill(&self, out: &mut [f32]) {
        debug_assert!(out.len() <= MAX_BLOCK);
        match self.ramp {
            None => out.fill(self.value),
            Some(ramp) => {
                for (i, sample) in out.iter_mut().enumerate() {
                    // Saturating: on the last block of a ramp of nearly `u32::MAX` samples the
                    // sum would overflow; `at` ends the ramp at any `n >= length` anyway.
                    let n = ramp.elapsed.saturating_add(1 + i as u32);
                    *sample = self.at(ramp, n);
                }
            }
        }
    }

    /// Moves on by `frames` samples, ending the ramp once it has reached its target.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub(crate) fn advance(&mut self, frames: u32) {
        if let Some(ramp) = &mut self.ramp {
            ramp.elapsed = ramp.elapsed.saturating_add(frames);
            if ramp.elapsed >= ramp.length {
                self.value = ramp.target;
                self.ramp = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(state: &mut ParamState, chunks: &[usize], total: usize) -> Vec<f32> {
        let mut out = vec![0.0; total];
        let mut done = 0;
        for &chunk in chunks.iter().cycle() {
            if done == total {
                break;
            }
            let n = chunk.min(total - done);
            state.fill(&mut out[done..done + n]);
            state.advance(n as u32);
            done += n;
        }
        out
    }

    #[test]
    fn a_ramp_reaches_its_target_on_its_last_sample_whatever_the_blocks() {
        let mut whole = ParamState::new(1.0);
        whole.ramp(2.0, 100);
        let a = render(&mut whole, &[64], 128);
        let mut cut = ParamState::new(1.0);
        cut.ramp(2.0, 100);
        let b = render(&mut cut, &[1, 37, 5, 63], 128);
        assert_eq!(a, b);
        assert_eq!(a[0], 1.01);
        assert_eq!(a[98], 1.99);
        assert_eq!(a[99], 2.0);
        assert!(a[99..].iter().all(|&x| x == 2.0));
    }

    #[test]
    fn a_ramp_started_mid_ramp_starts_where_the_old_one_is() {
        let mut state = ParamState::new(0.0);
        state.ramp(1.0, 10);
        let first = render(&mut state, &[64], 5);
        state.ramp(0.0, 2);
        let second = render(&mut state, &[64], 3);
        assert_eq!(first[4], 0.5);
        assert_eq!(second, [0.25, 0.0, 0.0]);
    }

    #[test]
    fn non_finite_values_are_refused() {
        let mut state = ParamState::new(3.0);
        state.set(f32::NAN);
        state.ramp(f32::INFINITY, 4);
        assert_eq!(render(&mut state, &[64], 2), [3.0, 3.0]);
    }
}
