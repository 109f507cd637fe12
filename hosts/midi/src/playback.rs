//! A MIDI song played into a patch through the live engine, sample-accurately.

use super::file::MidiSong;
use patchvm_engine::Frames;
use patchvm_engine::{
    At, AudioHalf, Controller, Engine, EngineError, EngineSettings, most_changes,
};
use patchvm_engine::{Prepared, Settings};
use patchvm_ir::{Limits, Patch};
use std::path::Path;

/// The most messages sent before rendering: more messages than this at one sample (only a
/// hostile file has them) play from the next sample on, a batch per sample, rather than
/// asking for an event queue of any size.
const MAX_BATCH: usize = 1024;

/// A patch playing a [`MidiSong`]: the engine's controller sends each message at its exact
/// sample while its audio half renders, so the samples do not depend on how the render is cut
/// into buffers.
#[derive(Debug)]
pub struct Playback {
    controller: Controller,
    audio: AudioHalf,
    song: MidiSong,
    /// The next message to send.
    next: usize,
    /// Messages sent at most before rendering up to the next one, so the event queue never
    /// fills: as many as share a sample, up to [`MAX_BATCH`].
    batch: usize,
    /// Messages the engine refused (a binding that names an input no longer settable).
    refused: u64,
}

impl Playback {
    /// Loads `patch` into an engine at `settings` (its voice count included) to play `song`,
    /// its audio files relative to the working directory.
    pub fn new(
        patch: Patch,
        settings: &Settings,
        limits: &Limits,
        song: MidiSong,
    ) -> Result<Playback, EngineError> {
        Playback::in_folder(patch, settings, limits, song, Path::new(""))
    }

    /// As [`new`](Playback::new), with the patch's audio files relative to `folder` (the
    /// patch file's).
    pub fn in_folder(
        patch: Patch,
        settings: &Settings,
        limits: &Limits,
        song: MidiSong,
        folder: &Path,
    ) -> Result<Playback, EngineError> {
        let prepared = Prepared::in_folder(patch, settings, limits, folder)?;
        let channels = usize::from(prepared.program().channels);
        let patch = prepared.into_patch();
        let per_message = most_changes(&patch, settings.voices);
        // Every message of one sample goes out before that sample renders.
        let batch = song
            .events
            .chunk_by(|a, b| a.time == b.time)
            .map(<[_]>::len)
            .max()
            .unwrap_or(1)
            .clamp(64, MAX_BATCH);
        let engine = EngineSettings {
            sample_rate: settings.sample_rate,
            seed: settings.seed,
            channels,
            event_capacity: 2 * batch * per_message,
            voices: settings.voices,
            ..EngineSettings::default()
        };
        let (mut controller, audio) = Engine::new(engine, limits.clone());
        controller.set_folder(folder.to_path_buf());
        controller.load_patch(patch)?;
        Ok(Playback {
            controller,
            audio,
            song,
            next: 0,
            batch,
            refused: 0,
        })
    }

    /// The controller, to watch metrics or change the patch while the song plays.
    pub fn controller(&mut self) -> &mut Controller {
        &mut self.controller
    }

    /// Messages the engine refused so far.
    pub fn refused(&self) -> u64 {
        self.refused
    }
}

impl Frames for Playback {
    fn channels(&self) -> usize {
        self.audio.channels()
    }

    /// Renders the next `out.len() / channels` frames, sending the song's messages due
    /// before their end, a batch at a time.
    fn render(&mut self, input: &[f32], input_channels: usize, out: &mut [f32]) {
        let channels = self.audio.channels();
        let frames = out.len() / channels;
        let start = self.audio.time();
        let end = start + frames as u64;
        let mut done = 0;
        while done < frames {
            let mut sent = 0;
            while let Some(event) = self.song.events.get(self.next) {
                if event.time >= end || sent == self.batch {
                    break;
                }
                if self
                    .controller
                    .midi(&event.message, At::Sample(event.time))
                    .is_err()
                {
                    self.refused += 1;
                }
                self.next += 1;
                sent += 1;
            }
            // Up to the next message not sent yet, or the end.
            let until = self
                .song
                .events
                .get(self.next)
                .map_or(end, |event| event.time.clamp(start + done as u64 + 1, end));
            let length = (until - start) as usize - done;
            let input = input.get(done * input_channels..).unwrap_or_default();
            self.audio.process_with_input(
                input,
                input_channels,
                &mut out[done * channels..(done + length) * channels],
            );
            done += length;
        }
        self.controller.maintain();
    }

    fn flushed(&self) -> u64 {
        self.controller.metrics().flushed_samples
    }
}
