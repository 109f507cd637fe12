//! What a render reads frames from, so that offline renderers and the sources they play
//! (an instance, a MIDI song's playback) meet here rather than depend on each other.

use crate::instance::Instance;
use crate::load::BlockLoads;
use patchvm_vm::Program;

/// What a render reads frames from: an [`Instance`], or a patch playing a MIDI song
/// (a MIDI song's playback, in `patchvm-midi`).
pub trait Frames {
    /// Interleaved channels per frame: 1 or 2.
    fn channels(&self) -> usize;

    /// Fills `out` with the next frames, reading the patch's `input` nodes from `input`
    /// (interleaved frames of `input_channels`, one per output frame, silence past its end).
    fn render(&mut self, input: &[f32], input_channels: usize, out: &mut [f32]);

    /// NaN or infinite samples replaced by silence so far.
    fn flushed(&self) -> u64;

    /// From now on, times every block (see [`Instance::time_blocks`]), if the source can.
    fn time_blocks(&mut self) {}

    /// The load of each block since [`time_blocks`](Frames::time_blocks), if timed.
    fn block_loads(&self) -> Option<&BlockLoads> {
        None
    }

    /// The compiled program, if the source runs one it can show.
    fn program(&self) -> Option<&Program> {
        None
    }
}

impl Frames for Instance {
    fn channels(&self) -> usize {
        Instance::channels(self)
    }

    /// In blocks of the largest size; the samples do not depend on it.
    fn render(&mut self, input: &[f32], input_channels: usize, out: &mut [f32]) {
        self.process(input, input_channels, out, patchvm_vm::MAX_BLOCK);
    }

    fn flushed(&self) -> u64 {
        self.flushed_samples()
    }

    fn time_blocks(&mut self) {
        Instance::time_blocks(self);
    }

    fn block_loads(&self) -> Option<&BlockLoads> {
        Instance::block_loads(self)
    }

    fn program(&self) -> Option<&Program> {
        Some(Instance::program(self))
    }
}
