//! `render --limit`: the render's frames through the same output limiter `play` uses on a
//! sound card. Off by default for a render: a file should hold what the program made, bit
//! for bit, unless asked otherwise.

use patchvm::engine::Frames;
use patchvm::engine::load::BlockLoads;
use patchvm::vm::Program;
use patchvm::vm::live::Limiter;

/// A source of frames whose every block leaves through a limiter.
pub struct Limited {
    frames: Box<dyn Frames>,
    limiter: Limiter,
}

impl Limited {
    /// `frames` held under `limiter`'s ceiling.
    pub fn new(frames: Box<dyn Frames>, limiter: Limiter) -> Limited {
        Limited { frames, limiter }
    }
}

impl Frames for Limited {
    fn channels(&self) -> usize {
        self.frames.channels()
    }

    fn render(&mut self, input: &[f32], input_channels: usize, out: &mut [f32]) {
        self.frames.render(input, input_channels, out);
        self.limiter.process(out, self.frames.channels());
    }

    fn flushed(&self) -> u64 {
        self.frames.flushed()
    }

    fn time_blocks(&mut self) {
        self.frames.time_blocks();
    }

    fn block_loads(&self) -> Option<&BlockLoads> {
        self.frames.block_loads()
    }

    fn program(&self) -> Option<&Program> {
        self.frames.program()
    }
}
