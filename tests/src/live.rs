//! The live engine as tests drive it: a mono engine, and its audio half rendering a number
//! of frames.

use patchvm::engine::{AudioHalf, Controller, Engine, EngineSettings};
use patchvm::ir::Limits;

/// A live engine with one output channel and the default settings otherwise.
pub fn mono() -> (Controller, AudioHalf) {
    Engine::new(
        EngineSettings {
            channels: 1,
            ..EngineSettings::default()
        },
        Limits::default(),
    )
}

/// The next `frames` frames `audio` plays (one channel), in one host call.
pub fn render(audio: &mut AudioHalf, frames: usize) -> Vec<f32> {
    let mut out = vec![0.0; frames];
    audio.process(&mut out);
    out
}
