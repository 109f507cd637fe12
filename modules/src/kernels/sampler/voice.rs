//! One playing of a sample: where it reads, which way, over which region, and the declick
//! fades that keep its starts, stops and loop seams from clicking.
//!
//! A voice reads its file at a position in frames that moves by the playing rate each sample;
//! a fractional position is read by 4-point cubic Hermite (Catmull-Rom) interpolation, which
//! passes through the samples, so at whole positions (rate ±1 from a whole frame) it gives the
//! file's samples exactly. Frames outside the file read 0.
//!
//! The region is `start..end` in frames. A voice playing forwards starts at `start`, one
//! playing backwards at `end - 1`; it stops (or, looping, wraps by the region's length) when
//! it leaves the region. Its level is `min(1, (pos - start + 1) / w, (end - pos) / w)` with
//! `w` the declick length in samples times the rate's size: a linear fade over the first and
//! last `declick` samples played of the region, at a start, at the end, and on each side of
//! a loop seam. A voice cut by a new start fades out linearly over `declick` samples.

use patchvm_vm::audio::AudioData;

/// The declick fades' length, in seconds (48 samples at 48 kHz).
pub const DECLICK_S: f64 = 0.001;

/// The region of a file a voice plays, in frames: `start..end`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Region {
    pub(super) start: f64,
    pub(super) end: f64,
}

impl Region {
    /// The region from `start_s` to `end_s` seconds of `data` (`end_s` 0: the file's end),
    /// limited to the file; empty if `end_s` is not past `start_s`.
    pub(super) fn of(data: &AudioData, start_s: f64, end_s: f64) -> Region {
        let frames = data.frames() as f64;
        let at = |seconds: f64| (seconds.max(0.0) * data.sample_rate()).round().min(frames);
        let start = at(start_s);
        let end = if end_s > 0.0 { at(end_s) } else { frames };
        Region {
            start,
            end: end.max(start),
        }
    }

    fn len(self) -> f64 {
        self.end - self.start
    }
}

/// A voice's state: plain numbers, copied whole across a swap.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Voice {
    /// Whether it sounds.
    pub(super) active: bool,
    /// The read position, in frames.
    pos: f64,
    region: Region,
    looping: bool,
    /// The level it plays at (a pattern event's velocity).
    amp: f32,
    /// Samples left of the fade-out of a cut voice; 0 while not cut.
    release: u32,
    /// Which of its kernel's files it plays.
    pub(super) sample: usize,
    /// When it started, in samples of its kernel's clock (the oldest is stolen first).
    pub(super) started: u64,
}

impl Voice {
    /// Starts playing `region` of file `sample` at `rate` (negative: backwards from the end).
    pub(super) fn start(&mut self, sample: usize, region: Region, rate: f64, looping: bool) {
        *self = Voice {
            active: region.len() >= 1.0,
            pos: if rate < 0.0 {
                region.end - 1.0
            } else {
                region.start
            },
            region,
            looping,
            amp: 1.0,
            release: 0,
            sample,
            started: self.started,
        };
    }

    /// The same voice, playing its kernel's file `sample` (a swap renumbers the files).
    pub(super) fn playing(self, sample: usize) -> Voice {
        Voice { sample, ..self }
    }

    /// Plays at level `amp` (a velocity).
    pub(super) fn with_amp(&mut self, amp: f32) {
        self.amp = amp;
    }

    /// Starts the fade-out of `declick` samples, if it sounds and is not fading already.
    pub(super) fn cut(&mut self, declick: u32) {
        if self.active && self.release == 0 {
            self.release = declick.max(1);
        }
    }

    /// This sample of `data` (left, right), then moves on by `rate`; `declick` is the fades'
    /// length in samples. (0, 0) when it does not sound.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    pub(super) fn tick(&mut self, data: &AudioData, rate: f64, declick: u32) -> (f32, f32) {
        if !self.active {
            return (0.0, 0.0);
        }
        let Region { start, end } = self.region;
        let width = f64::from(declick.max(1)) * rate.abs().max(1e-9);
        let mut level = ((self.pos - start + 1.0) / width)
            .min((end - self.pos) / width)
            .clamp(0.0, 1.0);
        if self.release > 0 {
            self.release -= 1;
            level *= f64::from(self.release) / f64::from(declick.max(1));
            if self.release == 0 {
                self.active = false;
            }
        }
        let level = (level * f64::from(self.amp)) as f32;
        let left = hermite(data.channel(0), self.pos) * level;
        let right = if data.channels() == 1 {
            left
        } else {
            hermite(data.channel(1), self.pos) * level
        };
        self.pos += rate;
        if !(start..end).contains(&self.pos) {
            if self.looping && self.pos.is_finite() {
                let len = self.region.len();
                self.pos = start + (self.pos - start).rem_euclid(len);
            } else {
                self.active = false;
            }
        }
        (left, right)
    }
}

/// `samples` read at frame position `pos` by 4-point cubic Hermite interpolation; frames
/// outside `samples` are 0. Exactly `samples[pos]` at a whole position.
#[inline]
fn hermite(samples: &[f32], pos: f64) -> f32 {
    let whole = pos.floor();
    let frac = (pos - whole) as f32;
    let at = |offset: f64| {
        let index = whole + offset;
        if index >= 0.0 && index < samples.len() as f64 {
            samples[index as usize]
        } else {
            0.0
        }
    };
    let (before, y0, y1, y2) = (at(-1.0), at(0.0), at(1.0), at(2.0));
    let c1 = 0.5 * (y1 - before);
    let c2 = before - 2.5 * y0 + 2.0 * y1 - 0.5 * y2;
    let c3 = 0.5 * (y2 - before) + 1.5 * (y0 - y1);
    ((c3 * frac + c2) * frac + c1) * frac + y0
}

#[cfg(test)]
mod tests {
    use super::hermite;

    #[test]
    fn hermite_passes_through_the_samples_and_follows_a_line_between_them() {
        let ramp = [0.0, 1.0, 2.0, 3.0, 4.0];
        for (i, &x) in ramp.iter().enumerate() {
            assert_eq!(hermite(&ramp, i as f64), x);
        }
        // Catmull-Rom reproduces a straight line exactly between its inner points.
        assert!((hermite(&ramp, 1.25) - 1.25).abs() < 1e-6);
        assert!((hermite(&ramp, 2.5) - 2.5).abs() < 1e-6);
        // Halfway between 0 and 1 with 0 outside: (-y_-1 + 9 y0 + 9 y1 - y2) / 16.
        let step = [0.0, 1.0, 1.0];
        assert!((hermite(&step, 0.5) - (9.0 - 1.0) / 16.0).abs() < 1e-6);
    }
}
