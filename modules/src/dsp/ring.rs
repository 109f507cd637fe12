//! Ring buffers for delay lines: [`Ring`], the storage with a fractional read that `delay`
//! uses with its separate feed and process positions, and [`Line`], a delay line written and
//! read one sample at a time, which the delay effects, the reverb and the modulation effects
//! use.
//!
//! A fractional delay interpolates linearly between the two nearest samples, so a modulated
//! time glides instead of stepping. The delay is first rounded to 1/1024 sample, far below
//! anything audible, so a time that is a whole number of samples in decimal (0.01 s at 48 kHz)
//! delays by exactly that many samples although the time signal is `f32` (0.01 becomes
//! 0.0099999998).

/// Delays are rounded to `1 / FRACTION_STEPS` sample.
const FRACTION_STEPS: f64 = 1024.0;

/// The most samples [`Line::read_ahead`] reads at once: a block.
const MAX_RUN: usize = patchvm_vm::MAX_BLOCK;

/// A fixed-length ring of samples, allocated when built.
#[derive(Debug)]
pub(crate) struct Ring {
    buf: Box<[f32]>,
}

impl Ring {
    /// A ring of `len` zeros; allocates, and writes every sample so that the memory is
    /// really there: zeroed allocations are mapped lazily, and the first write to each page
    /// would otherwise fault on the audio thread (a 10 s line is 470 pages).
    pub(crate) fn new(len: usize) -> Ring {
        assert!(len >= 2, "a ring holds at least two samples");
        let mut buf = vec![0.0; len].into_boxed_slice();
        // Opaque to the optimiser, which would otherwise drop a fill of memory it knows is
        // zero already.
        buf.fill(std::hint::black_box(0.0));
        Ring { buf }
    }

    /// The index after `index`, wrapping.
    #[inline]
    pub(crate) fn next(&self, index: usize) -> usize {
        if index + 1 == self.buf.len() {
            0
        } else {
            index + 1
        }
    }

    /// The index `back` samples before `index`, for `back <= len`.
    #[inline]
    fn before(&self, index: usize, back: usize) -> usize {
        if index >= back {
            index - back
        } else {
            index + self.buf.len() - back
        }
    }

    /// The signal `delay` samples before the sample at `now`, interpolated linearly, for
    /// `0 <= delay <= len - 2`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub(crate) fn read(&self, now: usize, delay: f64) -> f32 {
        // Round to 1/1024 sample (`as` truncates; the value is at least 0.5).
        let steps = (delay * FRACTION_STEPS + 0.5) as usize;
        let whole = steps / FRACTION_STEPS as usize;
        let fraction = (steps % FRACTION_STEPS as usize) as f32 / FRACTION_STEPS as f32;
        let newer = self.buf[self.before(now, whole)];
        let older = self.buf[self.before(now, whole + 1)];
        newer + fraction * (older - newer)
    }

    /// Takes over the most recent samples of `other` — those before its index `other_now`,
    /// as many as both rings hold — and returns the index after the newest of them in this
    /// ring, so that a line rebuilt with a new length (a new maximum delay) keeps its sound.
    ///
    /// Real-time safe: copies into this ring's own memory; does not allocate.
    pub(crate) fn take_over(&mut self, other: &Ring, other_now: usize) -> usize {
        let kept = self.buf.len().min(other.buf.len());
        // The newest `kept` samples of `other`, oldest first, start `kept` before `other_now`
        // and may wrap: at most two contiguous copies.
        let oldest = other.before(other_now, kept);
        let first = kept.min(other.buf.len() - oldest);
        self.buf[..first].copy_from_slice(&other.buf[oldest..oldest + first]);
        self.buf[first..kept].copy_from_slice(&other.buf[..kept - first]);
        self.buf[kept..].fill(0.0);
        kept % self.buf.len()
    }

    /// The sample at `index`.
    #[inline]
    pub(crate) fn get(&self, index: usize) -> f32 {
        self.buf[index]
    }

    /// Stores `value` at `index`.
    #[inline]
    pub(crate) fn set(&mut self, index: usize, value: f32) {
        self.buf[index] = value;
    }

    /// Copies `input` into the ring from index `at` on, wrapping; returns the index after the
    /// last sample written. `input` is at most `len` samples.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn write(&mut self, at: usize, input: &[f32]) -> usize {
        let first = input.len().min(self.buf.len() - at);
        let (head, tail) = input.split_at(first);
        self.buf[at..at + first].copy_from_slice(head);
        self.buf[..tail.len()].copy_from_slice(tail);
        let end = if tail.is_empty() {
            at + first
        } else {
            tail.len()
        };
        if end == self.buf.len() { 0 } else { end }
    }

    /// The `count` samples from index `at` on, wrapping, as the part before the end of the
    /// ring and the part from its start; `count` is at most the ring's length.
    #[inline]
    pub(crate) fn run(&self, at: usize, count: usize) -> (&[f32], &[f32]) {
        let (start, end) = self.buf.split_at(at);
        let first = count.min(end.len());
        (&end[..first], &start[..count - first])
    }

    /// [`run`](Ring::run), to write.
    #[inline]
    pub(crate) fn run_mut(&mut self, at: usize, count: usize) -> (&mut [f32], &mut [f32]) {
        let (start, end) = self.buf.split_at_mut(at);
        let first = count.min(end.len());
        (&mut end[..first], &mut start[..count - first])
    }

    /// Copies the `out.len()` samples from index `at` on, wrapping, into `out` (at most the
    /// ring's length).
    #[inline]
    fn copy_run(&self, at: usize, out: &mut [f32]) {
        let (head, tail) = self.run(at, out.len());
        let (out_head, out_tail) = out.split_at_mut(head.len());
        out_head.copy_from_slice(head);
        out_tail.copy_from_slice(tail);
    }

    /// The ring's length.
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    /// Sets every sample to 0.
    pub(crate) fn clear(&mut self) {
        self.buf.fill(0.0);
    }
}

/// A delay line that takes one sample at a time and reads behind the newest one.
#[derive(Debug)]
pub(crate) struct Line {
    ring: Ring,
    /// Where the newest sample is.
    now: usize,
    /// The longest delay [`Line::read`] accepts, in samples.
    max_delay: f64,
}

impl Line {
    /// A silent line that can delay by up to `max_delay` samples; allocates
    /// [`Line::bytes`]`(max_delay)` bytes.
    pub(crate) fn new(max_delay: f64) -> Line {
        Line {
            ring: Ring::new(Line::samples(max_delay)),
            now: 0,
            max_delay: max_delay.max(0.0),
        }
    }

    /// Samples in the ring of a line built for `max_delay`: one more than the longest delay
    /// for the interpolation's older sample, and one for the newest.
    fn samples(max_delay: f64) -> usize {
        // Saturating, so an absurd length is refused by the host's memory limit instead of
        // wrapping to a small one.
        (max_delay.max(0.0).ceil() as usize).saturating_add(2)
    }

    /// The bytes a line built for `max_delay` samples allocates.
    pub(crate) fn bytes(max_delay: f64) -> usize {
        Line::samples(max_delay).saturating_mul(size_of::<f32>())
    }

    /// The longest delay this line reads, in samples.
    #[inline]
    pub(crate) fn max_delay(&self) -> f64 {
        self.max_delay
    }

    /// Appends `x` as the newest sample.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub(crate) fn push(&mut self, x: f32) {
        self.now = self.ring.next(self.now);
        self.ring.set(self.now, x);
    }

    /// The signal `delay` samples before the newest sample (0 reads the newest), linearly
    /// interpolated; `delay` is limited to `0..=max_delay`, NaN reading as 0. A recursive
    /// structure that needs `y[n - d]` before it pushes `y[n]` reads `d - 1`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub(crate) fn read(&self, delay: f64) -> f32 {
        self.ring.read(self.now, delay.max(0.0).min(self.max_delay))
    }

    /// What [`read`](Line::read)`(delay)` gives at each of the next `out.len()` samples, one
    /// [`push`](Line::push) after each, if every sample read was pushed before the first:
    /// then fills `out` and returns `true`, else returns `false`. A recursive structure with a
    /// delay of a block or more reads a block of its past at once.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn read_ahead(&self, delay: f64, out: &mut [f32]) -> bool {
        let steps = (delay.max(0.0).min(self.max_delay) * FRACTION_STEPS + 0.5) as usize;
        let whole = steps / FRACTION_STEPS as usize;
        let fraction = (steps % FRACTION_STEPS as usize) as f32 / FRACTION_STEPS as f32;
        let n = out.len();
        // Sample `k` reads `whole` and `whole + 1` behind the newest, which is then `k` past
        // today's: all pushed already if `k <= whole`.
        if n > whole + 1 || n > MAX_RUN {
            return false;
        }
        let mut newer = [0.0_f32; MAX_RUN];
        let mut older = [0.0_f32; MAX_RUN];
        self.ring
            .copy_run(self.ring.before(self.now, whole), &mut newer[..n]);
        self.ring
            .copy_run(self.ring.before(self.now, whole + 1), &mut older[..n]);
        for ((out, &newer), &older) in out.iter_mut().zip(&newer).zip(&older) {
            *out = newer + fraction * (older - newer);
        }
        true
    }

    /// [`push`](Line::push)es every sample of `values` in turn.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn push_block(&mut self, values: &[f32]) {
        if !values.is_empty() {
            let end = self.ring.write(self.ring.next(self.now), values);
            self.now = self.ring.before(end, 1);
        }
    }

    /// Empties the line, as built.
    pub(crate) fn clear(&mut self) {
        self.ring.clear();
        self.now = 0;
    }

    /// Takes over the most recent samples of `other`, as many as both lines hold, keeping
    /// this line's length and longest delay, so that a line rebuilt for a new longest delay
    /// keeps its sound (see [`Ring::take_over`]).
    ///
    /// Real-time safe: copies into this line's own ring; does not allocate.
    pub(crate) fn take_over(&mut self, other: &Line) {
        let after = self.ring.take_over(&other.ring, other.ring.next(other.now));
        self.now = self.ring.before(after, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_reads_whole_and_fractional_delays() {
        let mut line = Line::new(10.0);
        for x in [1.0, 0.0, 0.0, 0.0] {
            line.push(x);
        }
        // the 1.0 is now 3 samples old
        assert_eq!(line.read(3.0), 1.0);
        assert_eq!(line.read(2.0), 0.0);
        assert_eq!(line.read(2.75), 0.75);
        assert_eq!(line.read(3.25), 0.75);
        // limited to the longest delay, NaN reading as 0
        assert_eq!(line.read(f64::NAN), 0.0);
        assert_eq!(line.read(1e9), line.read(10.0));
        for _ in 0..20 {
            line.push(0.5);
        }
        assert_eq!(line.read(10.0), 0.5);
        line.clear();
        assert_eq!(line.read(0.0), 0.0);
        assert_eq!(Line::bytes(10.0), 12 * 4);
    }

    #[test]
    fn line_take_over_keeps_the_newest_samples() {
        let mut old = Line::new(6.0);
        for x in 1..=20 {
            old.push(x as f32);
        }
        for max_delay in [3.0, 6.0, 10.0] {
            let mut new = Line::new(max_delay);
            new.take_over(&old);
            for back in 0..=max_delay as usize {
                let expected = if back <= 7 { 20.0 - back as f32 } else { 0.0 };
                assert_eq!(new.read(back as f64), expected, "{max_delay}: {back} back");
            }
            new.push(21.0);
            assert_eq!(new.read(1.0), 20.0);
        }
    }

    #[test]
    fn ring_write_wraps() {
        let mut ring = Ring::new(4);
        assert_eq!(ring.write(3, &[1.0, 2.0, 3.0]), 2);
        assert_eq!(ring.read(1, 0.0), 3.0);
        assert_eq!(ring.read(1, 1.0), 2.0);
        assert_eq!(ring.read(1, 2.0), 1.0);
        assert_eq!(ring.write(0, &[9.0; 4]), 0);
    }
}
