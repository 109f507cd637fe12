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
//! clip is due, and what it reads before the clip's first sample is thrown away, so the
//! clip's first frame sounds on the clip's first sample. That costs nothing extra when the
//! playhead reaches the clip by playing; a play or seek that lands inside a clip or its lead
//! primes its reader there, reading the skipped part of the lead at once (up to eight of the
//! library's spectra in one block: the cost of a seek). Clips that start within the lead of
//! the timeline's beat 0 are primed when the player is built. Everything is decided on
//! timeline samples, so the same commands give the same bits whatever the blocks.

use super::{PlayClip, Stretching};
use crate::dsp::stretch::{CHUNK, StretchReader};
use std::ops::Range;

/// One clip's reader and where it is.
#[derive(Debug)]
struct ClipReader {
    reader: StretchReader,
    /// The pass (its anchor) and clip sample (negative in the lead) the reader's next frame
    /// is; `None` before it is primed.
    next: Option<(u64, i64)>,
    /// One read's frames, left and right.
    block: [[f32; CHUNK]; 2],
}

impl ClipReader {
    /// Makes the reader's next frame `clip`'s sample `t` of its current pass (`t` at least
    /// minus the lead), priming it unless it is there already.
    fn sync(&mut self, clip: &PlayClip, stretching: Stretching, t: i64) {
        if self.next == Some((clip.anchor, t)) {
            return;
        }
        let Some(data) = &clip.data else {
            return;
        };
        let from = clip.offset as f64 + t.max(0) as f64 / stretching.factor;
        let skip = usize::try_from(-t).unwrap_or(0);
        self.reader.prime(data, from, skip);
        self.next = Some((clip.anchor, t));
    }

    /// Reads the next `n` frames (at most [`CHUNK`]) into `block`.
    fn read(&mut self, clip: &PlayClip, n: usize) {
        let Some(data) = &clip.data else {
            return;
        };
        let [left, right] = &mut self.block;
        self.reader
            .read(data, &mut [&mut left[..n], &mut right[..n]]);
        if let Some((_, t)) = &mut self.next {
            *t += n as i64;
        }
    }
}

/// The readers of one player's clips, by the clip's place in the player's order.
#[derive(Debug)]
pub(super) struct Readers {
    readers: Vec<Option<Box<ClipReader>>>,
    /// Samples a reader is primed before its clip's first sample: the library's output
    /// latency.
    lead: u64,
}

impl Readers {
    /// A reader for each clip of `clips` (in the player's order) that has a stretch or a
    /// pitch and a file, those within the lead of sample 0 primed for a play from there
    /// (control side: allocates).
    pub(super) fn new(clips: &[PlayClip], sample_rate: f64) -> Readers {
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
                    block: [[0.0; CHUNK]; 2],
                });
                if clip.start < lead {
                    reader.sync(clip, stretching, -(clip.start as i64));
                }
                Some(reader)
            })
            .collect();
        Readers { readers, lead }
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
            reader.sync(clip, stretching, first as i64 - clip.anchor as i64);
            let mut at = first;
            while at < last {
                let n = (last - at).min(CHUNK as u64) as usize;
                reader.read(clip, n);
                for (k, sample) in (at..at + n as u64).enumerate() {
                    let Some(t) = sample.checked_sub(clip.anchor) else {
                        continue;
                    };
                    if let Some((_, [l, r])) = clip.levels(t) {
                        let i = block.start + (sample - here) as usize;
                        left[i] += reader.block[0][k] * l;
                        right[i] += reader.block[1][k] * r;
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
}
