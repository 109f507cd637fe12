//! The live engine as tests drive it: a mono engine, and its audio half rendering a number
//! of frames.

use patchvm::engine::{AudioHalf, Controller, DEFAULT_FADE_MS, Engine, EngineSettings};
use patchvm::ir::Limits;

/// Samples an edit fades over on an engine of the default settings (48 kHz, 20 ms): 960.
pub fn fade() -> usize {
    patchvm::vm::live::fade_samples(DEFAULT_FADE_MS / 1e3, 48_000.0) as usize
}

/// A live engine with one output channel and the default settings otherwise.
pub fn mono() -> (Controller, AudioHalf) {
    mono_with_voices(EngineSettings::default().voices)
}

/// A live engine with one output channel and `voices` copies of a patch's voice template.
pub fn mono_with_voices(voices: usize) -> (Controller, AudioHalf) {
    Engine::new(
        EngineSettings {
            channels: 1,
            voices,
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
