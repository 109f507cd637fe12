//! The WAV sink's writer thread: drains the ring the audio thread fills and writes the
//! samples to the file, off the audio thread, rewriting the header every half second of
//! audio so that a process killed at any moment leaves a file that reads as what it holds.

use crate::float_wav::{FloatWav, Storage};
use std::fs::File;
use std::io;
use std::time::Duration;

/// How long the writer sleeps when the ring is empty. The ring holds seconds of audio, so
/// this only bounds how stale the file is, never the audio thread.
const POLL: Duration = Duration::from_millis(10);

/// Divides a second of audio into the stretches after which the header is rewritten: the
/// header lags the samples in the file by less than 1 / `HEADER_UPDATES_PER_SECOND` s.
pub(crate) const HEADER_UPDATES_PER_SECOND: u32 = 2;

/// The file end of the sink: owns the WAV file and the ring's consumer.
pub(crate) struct FileWriter<S: Storage = File> {
    pub(crate) wav: FloatWav<S>,
    pub(crate) ring: rtrb::Consumer<f32>,
    /// Samples (not frames) after which the header is rewritten; `None` for a stream (a
    /// pipe), which cannot seek back to it.
    pub(crate) header_every: Option<usize>,
}

/// How the writer ended.
#[derive(Debug)]
pub(crate) enum WriterEnd {
    /// The audio thread ended and everything it sent is in the file, with its header.
    Finished,
    /// A write failed; the file holds the `kept` whole frames the storage took before it,
    /// and its header says so (when `kept` is `Ok`; `None` for a stream).
    Failed {
        error: io::Error,
        kept: Option<io::Result<u64>>,
    },
}

impl<S: Storage> FileWriter<S> {
    /// A writer for a file of `channels` channels at `sample_rate`, whose header it keeps
    /// up to date if the file is `seekable`.
    pub(crate) fn new(
        wav: FloatWav<S>,
        ring: rtrb::Consumer<f32>,
        sample_rate: u32,
        channels: usize,
        seekable: bool,
    ) -> FileWriter<S> {
        let frames = (sample_rate / HEADER_UPDATES_PER_SECOND).max(1) as usize;
        FileWriter {
            wav,
            ring,
            header_every: seekable.then_some(frames * channels),
        }
    }

    /// Writes everything the audio thread pushes until it drops its end of the ring, then
    /// brings the header up to date. On a write error (a full disk), stops there: the file
    /// keeps what was written, with a header that says so, and the ring's end is dropped,
    /// which tells the audio thread to stop.
    pub(crate) fn run(&mut self) -> WriterEnd {
        let mut since_header = 0;
        loop {
            // Read before draining: once abandoned, nothing more arrives, so what this drain
            // finds is the rest.
            let abandoned = self.ring.is_abandoned();
            if let Err(error) = self.drain(&mut since_header) {
                return self.failed(error);
            }
            if abandoned {
                break;
            }
            std::thread::sleep(POLL);
        }
        if self.header_every.is_none() {
            return WriterEnd::Finished;
        }
        match self.wav.update_header() {
            Ok(()) => WriterEnd::Finished,
            Err(error) => self.failed(error),
        }
    }

    /// Ends after `error`, salvaging what the file holds (a stream holds what it sent).
    fn failed(&mut self, error: io::Error) -> WriterEnd {
        let kept = self.header_every.map(|_| self.wav.salvage());
        WriterEnd::Failed { error, kept }
    }

    /// Writes every sample waiting in the ring, rewriting the header each time
    /// `header_every` samples have been written since it last was.
    fn drain(&mut self, since_header: &mut usize) -> io::Result<()> {
        let waiting = self.ring.slots();
        // The slots counted stay readable: only this thread takes from the ring.
        let Ok(chunk) = self.ring.read_chunk(waiting) else {
            return Ok(());
        };
        let (first, second) = chunk.as_slices();
        let stretch = self.header_every.unwrap_or(usize::MAX);
        for mut part in [first, second] {
            while !part.is_empty() {
                let take = part.len().min(stretch - *since_header);
                self.wav.write(&part[..take])?;
                part = &part[take..];
                *since_header += take;
                if *since_header == stretch {
                    self.wav.update_header()?;
                    *since_header = 0;
                }
            }
        }
        chunk.commit_all();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::float_wav::tests::FullDisk;
    use std::io::Cursor;

    /// A writer over `storage` (mono, 1 000 Hz) with `samples` waiting in its ring, the
    /// audio end dropped.
    fn writer_with<S: Storage>(storage: S, samples: &[f32]) -> FileWriter<S> {
        let (mut producer, consumer) = rtrb::RingBuffer::new(samples.len());
        for &sample in samples {
            producer.push(sample).unwrap();
        }
        drop(producer);
        FileWriter::new(
            FloatWav::create(storage, 1, 1_000, 0).unwrap(),
            consumer,
            1_000,
            1,
            true,
        )
    }

    /// The header's frames and the samples a reader finds in `bytes`.
    fn read(bytes: &[u8]) -> (u32, Vec<f32>) {
        let mut reader = hound::WavReader::new(Cursor::new(bytes.to_vec())).unwrap();
        let samples = reader.samples::<f32>().map(Result::unwrap).collect();
        (reader.duration(), samples)
    }

    #[test]
    fn the_header_is_rewritten_every_half_second_of_audio() {
        let (_, ring) = rtrb::RingBuffer::new(1);
        let stereo = FileWriter::new(
            FloatWav::create(Cursor::new(Vec::new()), 2, 48_000, 0).unwrap(),
            ring,
            48_000,
            2,
            true,
        );
        assert_eq!(stereo.header_every, Some(48_000));
        // Mono at 1 000 Hz: every 500 samples. A drain of 1 234 leaves the header at 1 000,
        // the file with all 1 234.
        let samples: Vec<f32> = (0..1_234).map(|i| (i as f32 * 0.01).sin()).collect();
        let mut writer = writer_with(Cursor::new(Vec::new()), &samples);
        assert_eq!(writer.header_every, Some(500));
        let mut since = 0;
        writer.drain(&mut since).unwrap();
        assert_eq!(since, 234);
        let bytes = writer.wav.storage().get_ref();
        assert_eq!(bytes.len(), 80 + 4 * 1_234);
        let (frames, read_back) = read(bytes);
        assert_eq!(frames, 1_000);
        assert_eq!(read_back, samples[..1_000]);
        // Once the audio end is gone, the header says everything.
        assert!(matches!(writer.run(), WriterEnd::Finished));
        let (frames, read_back) = read(writer.wav.storage().get_ref());
        assert_eq!(frames, 1_234);
        assert_eq!(read_back, samples);
    }

    #[test]
    fn a_full_disk_stops_the_writer_with_the_frames_written_and_a_true_header() {
        // Room for 700.5 mono frames.
        let disk = FullDisk {
            file: Cursor::new(Vec::new()),
            room: 80 + 2_802,
        };
        let mut writer = writer_with(disk, &[0.25; 2_000]);
        match writer.run() {
            WriterEnd::Failed { error, kept } => {
                assert_eq!(error.raw_os_error(), Some(28));
                assert_eq!(kept.unwrap().unwrap(), 700);
            }
            WriterEnd::Finished => panic!("the disk was full"),
        }
        let (frames, read_back) = read(writer.wav.storage().file.get_ref());
        assert_eq!(frames, 700);
        assert_eq!(read_back, [0.25; 700]);
    }
}
