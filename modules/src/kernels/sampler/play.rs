//! `sample.play`'s kernel: one file, two voices (the one playing and the one fading out after
//! a retrigger cut it).

use super::voice::{Region, Voice};
use super::{Levels, PLAY, RATE_RANGE, declick, write};
use crate::kernels::limit;
use crate::module::{Build, Dsp, dsp, ports};
use patchvm_vm::Kernel;
use patchvm_vm::audio::AudioData;
use std::sync::Arc;

/// Where `process` finds its inputs.
const PORTS: [usize; 9] = ports(
    &PLAY.spec,
    [
        "trig", "rate", "pitch", "root", "start", "end", "loop", "gain", "pan",
    ],
);

/// `sample.play`'s kernel.
pub(super) struct Player {
    /// The file, if the host loaded it.
    data: Option<Arc<AudioData>>,
    /// The voice that plays and the one that fades out; the newest is `voices[current]`.
    voices: [Voice; 2],
    current: usize,
    /// Whether the trigger was above 0 at the last sample.
    high: bool,
    levels: Levels,
    declick: u32,
}

/// Makes `sample.play`'s kernel with the file its `file` text names.
pub(super) fn build(init: &Build) -> Box<dyn Kernel> {
    init.kernel(Player {
        data: init.audio_file(init.spec(), "file"),
        voices: [Voice::default(); 2],
        current: 0,
        high: false,
        levels: Levels::default(),
        declick: declick(init.sample_rate),
    })
}

/// The rate `rate` times `pitch / mtof(root)` (when `pitch` is above 0), limited to the rate's
/// range.
#[inline]
fn playing_rate(rate: f32, pitch: f32, root: f32) -> f64 {
    let rate = f64::from(rate);
    let pitch = f64::from(pitch);
    let scaled = if pitch > 0.0 {
        let root = limit(f64::from(root), 0.0, 127.0);
        rate * pitch / (440.0 * ((root - 69.0) / 12.0).exp2())
    } else {
        rate
    };
    limit(scaled, RATE_RANGE.0, RATE_RANGE.1)
}

impl Dsp for Player {
    /// Inputs `[trig, rate, pitch, root, start, end, loop, gain, pan]`; outputs `[out, left,
    /// right]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let len = outputs[0].len();
        let Some(data) = self.data.as_deref() else {
            for output in outputs.iter_mut() {
                output.fill(0.0);
            }
            return;
        };
        let [trig, rate, pitch, root, start, end, looping, gain, pan] =
            PORTS.map(|port| inputs[port]);
        for (i, &trig) in trig[..len].iter().enumerate() {
            let rate = playing_rate(rate[i], pitch[i], root[i]);
            let high = trig > 0.0;
            if high && !self.high {
                self.voices[self.current].cut(self.declick);
                self.current ^= 1;
                let region = Region::of(data, f64::from(start[i]), f64::from(end[i]));
                self.voices[self.current].start(0, region, rate, looping[i] > 0.5);
            }
            self.high = high;
            let (mut left, mut right) = (0.0, 0.0);
            for voice in &mut self.voices {
                let (l, r) = voice.tick(data, rate, self.declick);
                left += l;
                right += r;
            }
            let levels = self.levels.get(gain[i], pan[i]);
            write(outputs, i, (left, right), levels);
        }
    }

    fn reset(&mut self) {
        self.voices = [Voice::default(); 2];
        self.current = 0;
        self.high = false;
    }

    /// Keeps the voices playing and the trigger's last level when the file is the same, so a
    /// sample that rings goes on ringing through an edit of its other settings.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        let Some(other) = dsp::<Player>(other) else {
            return false;
        };
        let same = match (&self.data, &other.data) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if same {
            self.voices = other.voices;
            self.current = other.current;
            self.high = other.high;
        }
        same
    }
}
