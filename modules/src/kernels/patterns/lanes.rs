//! The note-stream lanes a pattern plays its notes on (the convention is
//! [`patchvm_ir::notes`]'s): every note that sounds at once takes a lane of its own, the
//! lowest free first, and when all are busy the one whose note started first is stolen.
//!
//! A lane that sounded on the previous sample is taken only when no lane is quiet, and then
//! its gate is one sample of 0 before the new velocity, so every note begins with a rise a
//! `voice.slot` sees.

use patchvm_ir::notes::NOTE_LANES;

/// One lane: the note it holds and whether it sounds.
#[derive(Clone, Copy, Debug, Default)]
struct Lane {
    /// The MIDI note, held after the note ends.
    pitch: f32,
    /// The velocity while it sounds.
    vel: f32,
    /// The beat at which its note ends.
    until: f64,
    /// Whether a note holds it.
    on: bool,
    /// Whether its gate was above 0 on the previous sample.
    was_on: bool,
    /// Whether its gate is 0 this sample although a note holds it (a rise to come).
    rest: bool,
    /// When its note started, counted in notes, for stealing the oldest.
    age: u64,
}

/// The lanes of one stream.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Lanes {
    lanes: [Lane; NOTE_LANES],
    /// Notes started so far.
    count: u64,
}

impl Lanes {
    /// Ends the notes whose end `beat` has reached.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(super) fn release_until(&mut self, beat: f64) {
        for lane in &mut self.lanes {
            if lane.on && beat >= lane.until {
                lane.on = false;
            }
        }
    }

    /// Ends every note (a jump, a stop).
    pub(super) fn release_all(&mut self) {
        for lane in &mut self.lanes {
            lane.on = false;
        }
    }

    /// Starts `pitch` at velocity `vel` until beat `until` on a lane: the lowest quiet one,
    /// else the lowest free one, else the oldest note's.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(super) fn start(&mut self, pitch: f64, vel: f64, until: f64) {
        let quiet = self.lanes.iter().position(|l| !l.on && !l.was_on);
        let free = || self.lanes.iter().position(|l| !l.on);
        let oldest = || {
            (0..NOTE_LANES)
                .min_by_key(|&i| self.lanes[i].age)
                .unwrap_or(0)
        };
        let index = quiet.or_else(free).unwrap_or_else(oldest);
        let lane = &mut self.lanes[index];
        *lane = Lane {
            pitch: pitch as f32,
            vel: vel as f32,
            until,
            on: true,
            was_on: lane.was_on,
            rest: lane.was_on,
            age: self.count,
        };
        self.count += 1;
    }

    /// Writes sample `i` of every lane into `outputs` (`pitch`, `gate` of lane 0, then lane 1,
    /// …) and moves on to the next sample.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(super) fn write(&mut self, outputs: &mut [&mut [f32]], i: usize) {
        for (lane, pair) in self.lanes.iter_mut().zip(outputs.chunks_exact_mut(2)) {
            let gate = if lane.on && !lane.rest { lane.vel } else { 0.0 };
            pair[0][i] = lane.pitch;
            pair[1][i] = gate;
            lane.was_on = gate > 0.0;
            lane.rest = false;
        }
    }
}
