//! The WAV sink's writer thread: drains the ring the audio thread fills and writes the
//! samples to the file, off the audio thread.

use std::fs::File;
use std::io::BufWriter;
use std::time::Duration;

/// How long the writer sleeps when the ring is empty. The ring holds seconds of audio, so
/// this only bounds how stale the file is, never the audio thread.
const POLL: Duration = Duration::from_millis(10);

/// The file end of the sink: owns the WAV writer and the ring's consumer.
pub(crate) struct FileWriter {
    pub(crate) wav: hound::WavWriter<BufWriter<File>>,
    pub(crate) ring: rtrb::Consumer<f32>,
}

impl FileWriter {
    /// Writes everything the audio thread pushes until it drops its end of the ring, then
    /// finalizes the file (its header then gives the length). Returns the samples written.
    pub(crate) fn run(mut self) -> Result<u64, hound::Error> {
        let mut written = 0_u64;
        loop {
            // Read before draining: once abandoned, nothing more arrives, so what this drain
            // finds is the rest.
            let abandoned = self.ring.is_abandoned();
            written += self.drain()?;
            if abandoned {
                break;
            }
            std::thread::sleep(POLL);
        }
        self.wav.finalize()?;
        Ok(written)
    }

    /// Writes every sample waiting in the ring.
    fn drain(&mut self) -> Result<u64, hound::Error> {
        let waiting = self.ring.slots();
        // The slots counted stay readable: only this thread takes from the ring.
        let Ok(chunk) = self.ring.read_chunk(waiting) else {
            return Ok(0);
        };
        let (first, second) = chunk.as_slices();
        for &sample in first.iter().chain(second) {
            self.wav.write_sample(sample)?;
        }
        chunk.commit_all();
        Ok(waiting as u64)
    }
}
