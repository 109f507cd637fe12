//! [`ClockOut`]: MIDI clock out of the transport, block by block.

use crate::time::beats::Beats;
use crate::time::clock_message::{ClockMessage, TICKS_PER_BEAT};

/// Sixteenth notes per quarter note: the unit of the song position pointer.
const SIXTEENTHS_PER_BEAT: f64 = 4.0;
/// Ticks per sixteenth note.
const TICKS_PER_SIXTEENTH: i64 = TICKS_PER_BEAT as i64 / 4;
/// How far below a grid line a position may fall and still count as on it, in ticks: the
/// position of a sample is a product of floats (`i · beats per sample`), so a tick that lies
/// exactly on a sample may come out a hair early.
const ON_THE_LINE: f64 = 1e-9;

/// Turns the transport's beat line into MIDI clock: 24 ticks a quarter note, each on the
/// first sample at or after its beat, and start, stop, continue and song position as the
/// transport plays, stops and jumps.
///
/// Ticks are found from each sample's beat position ([`Beats::at`]), never by counting
/// samples between them, so they follow any tempo map or ramp exactly and land on the same
/// samples whatever the host's buffer sizes. A start from beat 0 sends start; a start or jump
/// elsewhere sends (after stop, if the clock ran) the song position of the next sixteenth
/// note at once, then continue with the tick of that sixteenth, so a follower that counts
/// ticks from the pointer is on the beat grid. A seek while stopped sends the pointer alone.
/// Positions past 16383 sixteenths (4096 beats) send the largest pointer.
///
/// Every method is real-time safe: none allocates, locks or blocks.
#[derive(Clone, Debug, Default)]
pub struct ClockOut {
    /// Whether a start or continue was sent with no stop since.
    running: bool,
    /// Whether the transport played in the last block.
    playing: bool,
    /// The tick to send next: tick `k` lies at beat `k / 24`.
    next: i64,
    /// A start or continue that waits to go out with tick `next`.
    resume: Option<ClockMessage>,
}

impl ClockOut {
    /// A clock that has seen no block yet: the first block, playing from beat 0, sends start.
    pub fn new() -> ClockOut {
        ClockOut::default()
    }

    /// The clock messages of a block of `frames` samples lying at `beats`: `emit(offset,
    /// message)` for each, by increasing sample offset (`0..frames`), in the order to send.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn block(
        &mut self,
        beats: &Beats,
        frames: usize,
        mut emit: impl FnMut(usize, ClockMessage),
    ) {
        if beats.jumped || beats.playing != self.playing {
            self.relocate(beats, &mut emit);
        }
        self.playing = beats.playing;
        if !beats.playing {
            return;
        }
        for i in 0..frames {
            let reached = (beats.at(i) * f64::from(TICKS_PER_BEAT) + ON_THE_LINE).floor() as i64;
            while self.next <= reached {
                if let Some(resume) = self.resume.take() {
                    emit(i, resume);
                    self.running = true;
                }
                emit(i, ClockMessage::Tick);
                self.next += 1;
            }
        }
    }

    /// The messages of a start, stop or jump at the block's first sample.
    fn relocate(&mut self, beats: &Beats, emit: &mut impl FnMut(usize, ClockMessage)) {
        if self.running {
            emit(0, ClockMessage::Stop);
            self.running = false;
        }
        self.resume = None;
        let position = beats.position.max(0.0);
        if beats.playing && position == 0.0 {
            self.resume = Some(ClockMessage::Start);
            self.next = 0;
            return;
        }
        if !beats.playing && !beats.jumped {
            return;
        }
        let sixteenth = (position * SIXTEENTHS_PER_BEAT - ON_THE_LINE).ceil();
        let pointer = sixteenth.min(f64::from(ClockMessage::MAX_SONG_POSITION)) as u16;
        emit(0, ClockMessage::SongPosition(pointer));
        if beats.playing {
            self.resume = Some(ClockMessage::Continue);
            self.next = sixteenth as i64 * TICKS_PER_SIXTEENTH;
        }
    }
}

#[cfg(test)]
#[path = "clock_out_tests.rs"]
mod tests;
