//! Clips played at a stretch or a pitch (the `stretch` feature): each such clip reads its
//! file through a [`StretchReader`] of its own, built with the player (control side).
//!
//! `stretch` is the clip's duration factor (2: twice as long, same pitch) and `pitch` its
//! shift in semitones (+12: an octave up, same duration); `offset` and `length` stay in the
//! file's seconds, so a pass lasts `length * stretch` on the timeline, and clip sample `t`
//! plays file frame `offset + t / stretch`. A looping clip's reader repeats its frames as one
//! endless stream, so the loop is seamless.
//!
//! The library's output lags its input by its window (16,384 frames at 48 kHz). A reader
//! therefore runs ahead of its clip: it is primed (given the file before the clip's first
//! frame, [`StretchReader::prime`]) its output latency (8,192 samples at 48 kHz) before the
//! clip is due, and what it reads in that lead (a frame a sample, as when playing) is thrown
//! away, so the
//! clip's first frame sounds on the clip's first sample. That priming costs nothing more than
//! a copy of the window's input (nothing is thrown away), so a clip reached by playing starts
//! on its exact sample. A play, seek, replay or edit that lands inside a clip or its lead
//! never primes a whole lead in one block: the reader is primed cheaply for a point
//! `lead / CATCH_UP` samples on and catches up reading [`CATCH_UP`] frames a sample (the
//! cost of four clips playing), silent meanwhile, then fades in over the clips' declick. A
//! seek into a stretched clip is therefore heard after at most 2,048 samples (43 ms at 48 kHz,
//! 46 ms at 44.1 kHz), plus the 2 ms fade. Clips that start within the lead of the timeline's
//! beat 0 are primed whole when the player is built (control side), on their exact sample.
//! Each reader reads its clip's next declick frames ahead, so a clip cut by an edit (a
//! ghost of the new player) fades out over them with its own audio. Everything is decided on
//! timeline samples, so the same commands give the same bits whatever the blocks.

use super::{MAX_TAILS, PlayClip, Stretching};
use crate::dsp::stretch::{CHUNK, StretchReader};
use std::ops::Range;

/// Frames a reader behind its clip reads per timeline sample while it catches up (after a
/// seek, a replay or an edit into its clip): one played and `CATCH_UP - 1` thrown away, so one
/// 64-sample block runs at most `CATCH_UP` of the library's chunks (one more where they
/// straddle, two more in the block that primes it and reads a fade's frames ahead), the cost
/// of playing four stretched clips, instead of a whole prime's 128 at once.
pub(crate) const CATCH_UP: u64 = 4;

/// One clip's reader and where it is.
#[derive(Debug)]
struct ClipReader {
    reader: StretchReader,
    /// The pass (its anchor) and clip sample (negative in the lead) the reader's next frame
    /// is; `None` before it is primed.
    next: Option<(u64, i64)>,
    /// The clip sample a reader that caught up mid-clip fades in from.
    fade_from: Option<i64>,
    /// The frames of the `declick` clip samples from `next` on, read ahead so that a clip
    /// cut by an edit fades out with its own audio: sample `t`'s at `t mod declick`.
    ahead: Box<[[f32; 2]]>,
    /// One read's frames, left and right.
    block: [[f32; CHUNK]; 2],
}

impl ClipReader {
    /// Primes the reader for `clip`'s current pass if it is not on it, at sample `c` (at
    /// least minus the lead) of it: cheaply, with no frames thrown away, so that it plays
    /// its file's frames from `u = max(0, c + lead / CATCH_UP)` on, which it reaches when the
    /// clip does after reading `CATCH_UP` frames a sample (exactly at sample 0 when primed a
    /// whole lead ahead).
    fn sync(&mut self, clip: &PlayClip, stretching: Stretching, c: i64, lead: u64) {
        let catching_up = lead - lead.div_ceil(CATCH_UP);
        if self.next.is_some_and(|(anchor, t)| {
            anchor == clip.anchor && u64::try_from(c - t).is_ok_and(|gap| gap <= catching_up)
        }) {
            return;
        }
        let u = (c + lead.div_ceil(CATCH_UP) as i64).max(0);
        let lead = lead as i64;
        let from = clip.offset as f64 + u as f64 / stretching.factor;
        self.prime(clip, from, lead as usize, u - lead);
    }

    /// Primes the reader so that its next frame is file frame `from` after `skip` frames,
    /// which is clip sample `t` of the current pass, and reads the frames ahead.
    fn prime(&mut self, clip: &PlayClip, from: f64, skip: usize, t: i64) {
        let Some(data) = &clip.data else {
            return;
        };
        self.reader.prime(data, from, skip);
        let ahead = self.ahead.len();
        let mut done = 0;
        while done < ahead {
            let n = (ahead - done).min(CHUNK);
            let [left, right] = &mut self.block;
            self.reader
                .read(data, &mut [&mut left[..n], &mut right[..n]]);
            for k in 0..n {
                let slot = (t + (done + k) as i64).rem_euclid(ahead as i64) as usize;
                self.ahead[slot] = [left[k], right[k]];
            }
            done += n;
        }
        self.next = Some((clip.anchor, t));
        self.fade_from = None;
    }

    /// Puts the next `n` frames (at most [`CHUNK`]) into `block`, reading as many ahead.
    fn read(&mut self, clip: &PlayClip, n: usize) {
        let (Some(data), Some((_, t))) = (&clip.data, &mut self.next) else {
            return;
        };
        let [left, right] = &mut self.block;
        self.reader
            .read(data, &mut [&mut left[..n], &mut right[..n]]);
        let ahead = self.ahead.len() as i64;
        for k in 0..n {
            let slot = (*t + k as i64).rem_euclid(ahead) as usize;
            [left[k], right[k]] = std::mem::replace(&mut self.ahead[slot], [left[k], right[k]]);
        }
        *t += n as i64;
    }

    /// Reads and throws away the next `n` frames.
    fn skip(&mut self, clip: &PlayClip, mut n: u64) {
        while n > 0 {
            let step = n.min(CHUNK as u64);
            self.read(clip, step as usize);
            n -= step;
        }
    }

    /// Catches up with clip sample `c`, the first of `samples` to play, reading at most
    /// [`CATCH_UP`] frames a sample: the samples it stays silent for (all of them if it is
    /// still behind at their end).
    fn catch_up(&mut self, clip: &PlayClip, c: i64, samples: u64) -> u64 {
        let Some((_, r)) = self.next else {
            return samples;
        };
        let Ok(gap) = u64::try_from(c - r) else {
            return 0;
        };
        if gap == 0 {
            return 0;
        }
        let silent = gap.div_ceil(CATCH_UP - 1);
        if silent >= samples {
            self.skip(clip, samples * CATCH_UP);
            return samples;
        }
        self.skip(clip, gap + silent);
        let at = c + silent as i64;
        if at > 0 {
            self.fade_from = Some(at);
        }
        silent
    }
}

/// The readers of one player's clips, by the clip's place in the player's order.
#[derive(Debug)]
pub(super) struct Readers {
    readers: Vec<Option<Box<ClipReader>>>,
    /// Samples a reader is primed before its clip's first sample: the library's output
    /// latency.
    lead: u64,
    /// Samples a reader that caught up mid-clip fades in over: the clips' declick.
    declick: u32,
    /// The fade-outs of the stretched clips an edit cut (the player's ghosts), `declick`
    /// frames a ghost, by its place among them: their readers' frames read ahead.
    ghosts: Box<[[f32; 2]]>,
}

impl Readers {
    /// A reader for each clip of `clips` (in the player's order) that has a stretch or a
    /// pitch and a file, those within the lead of sample 0 primed for a play from there
    /// (control side: allocates).
    pub(super) fn new(clips: &[PlayClip], sample_rate: f64, declick: u32) -> Readers {
        let mut lead = 0;
        let readers = clips
            .iter()
            .map(|clip| {
                let (Some(stretching), Some(data)) = (clip.stretch, &clip.data) else {
                    return None;
                };
                let mut reader = StretchReader::new(data.channels().min(2), sample_rate);
                reader.set_stretch(stretching.factor);
                reader.set_pitch(stretching.semitones);
                reader.repeat(
                    clip.looping
                        .then_some((clip.offset as usize, stretching.source as usize)),
                );
                lead = reader.output_latency() as u64;
                let mut reader = Box::new(ClipReader {
                    reader,
                    next: None,
                    fade_from: None,
                    ahead: vec![[0.0; 2]; declick as usize].into_boxed_slice(),
                    block: [[0.0; CHUNK]; 2],
                });
                if clip.start < lead {
                    let start = clip.start as i64;
                    reader.prime(clip, clip.offset as f64, clip.start as usize, -start);
                }
                Some(reader)
            })
            .collect();
        Readers {
            readers,
            lead,
            declick,
            ghosts: vec![[0.0; 2]; MAX_TAILS * declick as usize].into_boxed_slice(),
        }
    }

    /// The chunks all the readers have run so far (their library's work).
    #[cfg(test)]
    pub(super) fn chunks(&self) -> u64 {
        self.readers
            .iter()
            .flatten()
            .map(|r| r.reader.chunks())
            .sum()
    }

    /// Forgets where every reader is (a reset): each is primed again when its clip is due.
    pub(super) fn forget(&mut self) {
        for reader in self.readers.iter_mut().flatten() {
            reader.next = None;
        }
    }

    /// Adds the stretched clips of `clips` sounding at timeline samples `here..` into block
    /// samples `block` of `left` and `right`, running the readers of clips whose lead it
    /// crosses.
    ///
    /// Real-time safe: a prime and a read do not allocate, lock or block.
    pub(super) fn render(
        &mut self,
        clips: &[PlayClip],
        here: u64,
        block: Range<usize>,
        left: &mut [f32],
        right: &mut [f32],
    ) {
        let count = block.len() as u64;
        for (clip, reader) in clips.iter().zip(&mut self.readers) {
            let (Some(reader), Some(stretching)) = (reader.as_deref_mut(), clip.stretch) else {
                continue;
            };
            let due = clip.anchor.saturating_sub(self.lead);
            let (first, last) = (due.max(here), clip.end().min(here + count));
            if first >= last {
                continue;
            }
            let c = first as i64 - clip.anchor as i64;
            reader.sync(clip, stretching, c, self.lead);
            let mut at = first + reader.catch_up(clip, c, last - first);
            while at < last {
                let n = (last - at).min(CHUNK as u64) as usize;
                reader.read(clip, n);
                for (k, sample) in (at..at + n as u64).enumerate() {
                    let Some(t) = sample.checked_sub(clip.anchor) else {
                        continue;
                    };
                    if let Some((_, [l, r])) = clip.levels(t) {
                        let fade = reader.fade_from.map_or(1.0, |from| {
                            ((t as i64 - from + 1) as f32 / self.declick as f32).min(1.0)
                        });
                        let i = block.start + (sample - here) as usize;
                        left[i] += reader.block[0][k] * l * fade;
                        right[i] += reader.block[1][k] * r * fade;
                    }
                }
                at += n as u64;
            }
        }
    }

    /// The frame of a cut stretched clip (at `at` in the player's order) `t` samples into
    /// its pass, for its fade-out: read on from its reader if it is there (silence if a seek
    /// has moved it on).
    ///
    /// Real-time safe: a read does not allocate, lock or block.
    pub(super) fn tail(&mut self, at: usize, clip: &PlayClip, t: u64) -> (f32, f32) {
        let Some(reader) = self.readers.get_mut(at).and_then(|r| r.as_deref_mut()) else {
            return (0.0, 0.0);
        };
        if reader.next.map(|(_, next)| next) != Some(t as i64) {
            return (0.0, 0.0);
        }
        reader.read(clip, 1);
        match clip.levels(t) {
            Some((_, [l, r])) => (reader.block[0][0] * l, reader.block[1][0] * r),
            None => (0.0, 0.0),
        }
    }

    /// Keeps the fade-out of `clip`, cut by an edit at sample `t` of its pass while it
    /// played through `old`'s reader at `at`, as the player's ghost `ghost`: the frames that
    /// reader read ahead (silence if it had not caught up).
    ///
    /// Real-time safe: copies into memory reserved when built.
    pub(super) fn keep_ghost(
        &mut self,
        ghost: usize,
        old: &Readers,
        at: usize,
        clip: &PlayClip,
        t: u64,
    ) {
        let declick = self.declick as usize;
        let Some(frames) = self.ghosts.get_mut(ghost * declick..(ghost + 1) * declick) else {
            return;
        };
        let reader = old.readers.get(at).and_then(|r| r.as_deref());
        match reader {
            Some(reader)
                if reader.next == Some((clip.anchor, t as i64))
                    && reader.ahead.len() == declick =>
            {
                for (k, frame) in frames.iter_mut().enumerate() {
                    *frame = reader.ahead[(t as usize + k) % declick];
                }
            }
            _ => frames.fill([0.0; 2]),
        }
    }

    /// Frame `t` of ghost `ghost` (the clip `clip`) with `left` samples of its fade left.
    pub(super) fn ghost(&self, ghost: usize, clip: &PlayClip, t: u64, left: u32) -> (f32, f32) {
        let declick = self.declick as usize;
        let k = declick.saturating_sub(left as usize);
        match (self.ghosts.get(ghost * declick + k), clip.levels(t)) {
            (Some([l, r]), Some((_, [gain_l, gain_r]))) => (l * gain_l, r * gain_r),
            _ => (0.0, 0.0),
        }
    }
}
