//! The WAV sink: the real-time path without a sound card. An audio thread of its own calls
//! the audio half once per buffer, each buffer at the moment a sound card would ask for it,
//! and hands the samples to a writer thread through a ring buffer.

use super::clock::{Clock, LatenessMeter};
use super::float_wav::FloatWav;
use super::writer::{FileWriter, WriterEnd};
use crate::render::MAX_WAV_DATA_BYTES;
use patchvm_engine::AudioHalf;
use patchvm_engine::backend::{Backend, BackendError, Stream, StreamSetup, StreamStatus};
use patchvm_engine::{StoppableThread, sample_rate_problem};
use std::io::Seek;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::Instant;

/// How a WAV sink plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SinkSettings {
    /// Samples per second, of the engine and the file.
    pub sample_rate: u32,
    /// Channels of the engine and the file: 1 or 2.
    pub channels: usize,
    /// Frames per call of the audio half (a sound card's buffer): 1..=65 536.
    pub buffer_frames: u32,
    /// Frames to write before the stream ends by itself; `None` to go on until stopped (or
    /// until the file holds all a WAV file can).
    pub frames: Option<u64>,
}

impl Default for SinkSettings {
    fn default() -> SinkSettings {
        SinkSettings {
            sample_rate: 48_000,
            channels: 1,
            buffer_frames: 256,
            frames: None,
        }
    }
}

/// The largest buffer a sink takes.
pub const MAX_BUFFER_FRAMES: u32 = 65_536;

/// Seconds of audio the ring between the audio thread and the writer holds: the writer may
/// stall this long (a slow disk) before samples are lost.
const RING_SECONDS: u32 = 2;

/// A WAV file written at real-time pace: see the [module](super) docs.
pub struct WavSink {
    path: PathBuf,
    wav: FloatWav,
    /// Whether the header can be rewritten (not a pipe).
    seekable: bool,
    settings: SinkSettings,
    /// Frames after which the stream ends: those asked for, or all the file can hold.
    limit: u64,
}

impl std::fmt::Debug for WavSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavSink")
            .field("path", &self.path)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl WavSink {
    /// Creates the WAV file (32-bit float) at `path`; nothing plays until
    /// [`start`](Backend::start). While it plays, its header is rewritten every half second
    /// of audio, so even a process killed without warning leaves a file that reads as all
    /// but the last half second it holds; a write error (a full disk) stops the stream with
    /// the file cut to the frames written and a header that says so.
    pub fn create(path: &Path, settings: SinkSettings) -> Result<WavSink, BackendError> {
        if !(1..=2).contains(&settings.channels)
            || sample_rate_problem(f64::from(settings.sample_rate)).is_some()
            || !(1..=MAX_BUFFER_FRAMES).contains(&settings.buffer_frames)
        {
            return Err(BackendError::Device(format!(
                "a WAV sink takes 1 or 2 channels, a sample rate the engine takes and buffers of \
                 1..={MAX_BUFFER_FRAMES} frames, not {settings:?}"
            )));
        }
        let most = MAX_WAV_DATA_BYTES / (4 * settings.channels as u64);
        let limit = settings.frames.unwrap_or(u64::MAX).min(most);
        let created = std::fs::File::create(path).and_then(|mut file| {
            // A pipe cannot seek back to the header: it says the most the stream may hold,
            // as streamed WAV files do, and is never rewritten.
            let seekable = file.stream_position().is_ok();
            let claimed = if seekable {
                0
            } else {
                limit * 4 * settings.channels as u64
            };
            let wav = FloatWav::create(
                file,
                settings.channels as u16,
                settings.sample_rate,
                claimed,
            )?;
            Ok((wav, seekable))
        });
        let (wav, seekable) =
            created.map_err(|error| BackendError::File(path.into(), Box::new(error)))?;
        Ok(WavSink {
            path: path.into(),
            wav,
            seekable,
            settings,
            limit,
        })
    }

    /// The frames after which the stream ends by itself: those asked for, or all a WAV
    /// file can hold at these settings.
    pub fn frame_limit(&self) -> u64 {
        self.limit
    }
}

impl Backend for WavSink {
    fn setup(&self) -> StreamSetup {
        StreamSetup {
            sample_rate: self.settings.sample_rate,
            channels: self.settings.channels,
            input_channels: 0,
            buffer_frames: Some(self.settings.buffer_frames),
        }
    }

    fn describe(&self) -> String {
        format!("`{}` at real-time pace", self.path.display())
    }

    fn start(self: Box<Self>, audio: AudioHalf) -> Result<Box<dyn Stream>, BackendError> {
        let WavSink {
            path,
            wav,
            seekable,
            settings,
            limit,
        } = *self;
        let ring_samples = (RING_SECONDS * settings.sample_rate) as usize * settings.channels;
        let (producer, consumer) = rtrb::RingBuffer::new(ring_samples.max(2 * 65_536));
        let shared = Arc::new(Shared::default());
        let mut writer = FileWriter::new(
            wav,
            consumer,
            settings.sample_rate,
            settings.channels,
            seekable,
        );
        // The writer ends when the audio thread drops its end of the ring: no flag needed.
        let writer = spawn("patchvm-wav-writer", move |_| writer.run())?;
        let audio = SinkAudio::new(audio, producer, Arc::clone(&shared), settings, limit);
        let audio = spawn("patchvm-audio", move |stop| audio.run(stop))?;
        Ok(Box::new(SinkStream {
            path,
            shared,
            audio,
            writer,
        }))
    }
}

fn spawn<T: Send + 'static>(
    name: &str,
    body: impl FnOnce(&AtomicBool) -> T + Send + 'static,
) -> Result<StoppableThread<T>, BackendError> {
    StoppableThread::spawn(name, body)
        .map_err(|error| BackendError::Thread(format!("cannot start the {name} thread: {error}")))
}

/// What the audio thread reports. Each counter is written by the audio thread alone.
#[derive(Debug, Default)]
struct Shared {
    /// Audio thread: the frames limit was reached, or it was told to stop.
    ended: AtomicBool,
    frames: AtomicU64,
    buffers: AtomicU64,
    buffer_frames: AtomicU64,
    late: AtomicU64,
    lost: AtomicU64,
    behind: LatenessMeter,
}

/// The audio thread's state: everything it touches, allocated before it starts.
struct SinkAudio {
    audio: AudioHalf,
    /// One buffer of interleaved frames.
    buffer: Box<[f32]>,
    channels: usize,
    ring: rtrb::Producer<f32>,
    shared: Arc<Shared>,
    sample_rate: u32,
    clock: Option<Clock>,
    done: u64,
    limit: u64,
}

impl SinkAudio {
    fn new(
        audio: AudioHalf,
        ring: rtrb::Producer<f32>,
        shared: Arc<Shared>,
        settings: SinkSettings,
        limit: u64,
    ) -> SinkAudio {
        SinkAudio {
            audio,
            buffer: vec![0.0; settings.buffer_frames as usize * settings.channels].into(),
            channels: settings.channels,
            ring,
            shared,
            sample_rate: settings.sample_rate,
            clock: None,
            done: 0,
            limit,
        }
    }

    /// Plays buffers until `stop` is raised or the limit is reached; returns the audio half,
    /// so that it is dropped (with the program it plays) off the audio thread. Dropping
    /// `self`'s ring end tells the writer nothing more comes.
    fn run(mut self, stop: &AtomicBool) -> AudioHalf {
        while !stop.load(Acquire) && self.cycle() {}
        self.shared.ended.store(true, Release);
        self.audio
    }

    /// Waits for the next buffer's deadline, renders it, and pushes it to the writer.
    /// Returns `false`, having done nothing, once done or once the writer has gone (it
    /// failed).
    ///
    /// Real-time safe: does not allocate, lock or block, but for the clock's wait, which
    /// stands in for the sound card's interrupt.
    fn cycle(&mut self) -> bool {
        if self.done >= self.limit || self.ring.is_abandoned() {
            return false;
        }
        let clock = *self
            .clock
            .get_or_insert_with(|| Clock::start(self.sample_rate));
        let behind = clock.wait_until(clock.due(self.done));
        self.play(clock, behind);
        true
    }

    /// Renders the next buffer, pushes it to the writer and reports: the audio thread's work
    /// between two waits of the clock.
    ///
    /// Real-time safe: does not allocate, lock or block (checked by RealtimeSanitizer in CI).
    #[cfg_attr(rtsan, sanitize(realtime = "nonblocking"))]
    fn play(&mut self, clock: Clock, behind: std::time::Duration) {
        let frames = (self.limit - self.done).min((self.buffer.len() / self.channels) as u64);
        let samples = &mut self.buffer[..frames as usize * self.channels];
        self.audio.process(samples);
        let room = self.ring.slots().min(samples.len());
        if let Ok(chunk) = self.ring.write_chunk_uninit(room) {
            chunk.fill_from_iter(samples.iter().copied());
        }
        self.done += frames;
        // A sound card plays this buffer once the previous one is out, at the next deadline.
        if Instant::now() > clock.due(self.done) {
            self.shared.late.fetch_add(1, Relaxed);
        }
        let shared = &self.shared;
        shared
            .lost
            .fetch_add((samples.len() - room) as u64, Relaxed);
        shared.behind.record(behind);
        shared.buffers.fetch_add(1, Relaxed);
        shared.buffer_frames.store(frames, Relaxed);
        shared.frames.store(self.done, Relaxed);
    }
}

/// A running WAV sink. Dropped without [`stop`](Stream::stop), it still ends its threads and
/// finishes the file: the audio thread first (fields drop in order), which ends the writer.
struct SinkStream {
    path: PathBuf,
    shared: Arc<Shared>,
    audio: StoppableThread<AudioHalf>,
    writer: StoppableThread<WriterEnd>,
}

impl Stream for SinkStream {
    fn status(&self) -> StreamStatus {
        let shared = &self.shared;
        let writer_gone = self.writer.is_finished();
        StreamStatus {
            frames: shared.frames.load(Relaxed),
            buffers: shared.buffers.load(Relaxed),
            buffer_frames: shared.buffer_frames.load(Relaxed),
            late_buffers: shared.late.load(Relaxed),
            behind: shared.behind.read(),
            output_latency: None,
            input_latency: None,
            lost_samples: shared.lost.load(Relaxed),
            ended: shared.ended.load(Acquire) || writer_gone,
        }
    }

    fn stop(mut self: Box<Self>) -> Result<StreamStatus, BackendError> {
        let audio = self.audio.join();
        // Dropped here, on the control side.
        let audio_result = match audio {
            Some(Ok(half)) => {
                drop(half);
                Ok(())
            }
            Some(Err(_)) => Err(BackendError::Thread("the audio thread panicked".into())),
            None => Ok(()),
        };
        let written = match self.writer.join() {
            Some(Ok(WriterEnd::Finished)) | None => Ok(()),
            Some(Ok(WriterEnd::Failed { error, kept })) => {
                let kept = match kept {
                    Some(Ok(frames)) => format!(
                        "; the file keeps the {frames} frames written before, with a header \
                         that says so"
                    ),
                    Some(Err(also)) => {
                        format!("; and its header could not be brought up to date: {also}")
                    }
                    None => String::new(),
                };
                let error = std::io::Error::new(error.kind(), format!("{error}{kept}"));
                Err(BackendError::File(self.path.clone(), Box::new(error)))
            }
            Some(Err(_)) => Err(BackendError::Thread("the WAV writer panicked".into())),
        };
        audio_result.and(written)?;
        Ok(self.status())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assert_no_alloc::assert_no_alloc;
    use patchvm_engine::{Engine, EngineSettings};
    use patchvm_ir::{Edit, Format, Limits};
    use patchvm_tests::measure::frequency;

    fn engine() -> (patchvm_engine::Controller, AudioHalf) {
        let settings = EngineSettings {
            channels: 1,
            ..EngineSettings::default()
        };
        let (mut controller, audio) = Engine::new(settings, Limits::default());
        let toy =
            br#"(patch (nodes (osc1 (type "osc.sine") (freq 440)) (gain1 (type "gain") (amp 0.5))
                                    (out (type "output")))
                             (connections (osc1 "out" -> gain1 "in") (gain1 "out" -> out "in")))"#;
        controller.load_text(toy, Format::Sexpr).unwrap();
        (controller, audio)
    }

    #[test]
    fn the_audio_thread_cycle_does_not_allocate() {
        let (mut controller, audio) = engine();
        let (producer, mut consumer) = rtrb::RingBuffer::new(4_096);
        let shared = Arc::new(Shared::default());
        let settings = SinkSettings {
            buffer_frames: 64,
            ..SinkSettings::default()
        };
        let mut sink_audio = SinkAudio::new(audio, producer, Arc::clone(&shared), settings, 20_000);
        // The clock starts at the first cycle; run it once outside, then watch the rest.
        assert!(sink_audio.cycle());
        let mut edits = 0;
        for round in 0..40 {
            // Control-side work between buffers: edits that swap programs in, and events.
            let value = 200.0 + 10.0 * round as f32;
            let edit = Edit::SetParam {
                node: "osc1".into(),
                param: "freq".into(),
                value: f64::from(value),
            };
            controller.apply(&edit).unwrap();
            edits += 1;
            controller
                .set_param("gain1", "amp", 0.25, patchvm_engine::At::Now)
                .unwrap();
            let ran = assert_no_alloc(|| (0..5).all(|_| sink_audio.cycle()));
            assert!(ran);
            // Drain as the writer would, outside the watched region.
            let waiting = consumer.slots();
            consumer.read_chunk(waiting).unwrap().commit_all();
            controller.maintain();
        }
        assert!(controller.metrics().swaps >= edits);
        assert_eq!(shared.lost.load(Relaxed), 0);
        assert_eq!(shared.frames.load(Relaxed), 64 * (1 + 40 * 5));
    }

    #[test]
    fn the_sink_takes_the_engine_s_sample_rates_and_no_other() {
        let path = std::env::temp_dir().join(format!("patchvm-rates-{}.wav", std::process::id()));
        for (rate, taken) in [
            (999, false),
            (1_000, true),
            (768_000, true),
            (768_001, false),
        ] {
            let settings = SinkSettings {
                sample_rate: rate,
                ..SinkSettings::default()
            };
            let made = WavSink::create(&path, settings);
            assert_eq!(made.is_ok(), taken, "{rate} Hz");
            assert_eq!(sample_rate_problem(f64::from(rate)).is_none(), taken);
        }
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn the_stream_ends_at_the_frames_asked_for_in_real_time() {
        let path = std::env::temp_dir().join(format!("patchvm-sink-{}.wav", std::process::id()));
        let settings = SinkSettings {
            buffer_frames: 100,
            frames: Some(9_650),
            ..SinkSettings::default()
        };
        let sink = Box::new(WavSink::create(&path, settings).unwrap());
        let (mut controller, audio) = engine();
        let started = Instant::now();
        let stream = sink.start(audio).unwrap();
        while !stream.status().ended {
            controller.maintain();
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let elapsed = started.elapsed();
        let status = stream.stop().unwrap();
        // 9 650 frames are 201 ms; the last buffer (50 frames) starts at 200 ms.
        assert!(elapsed.as_secs_f64() >= 0.2, "{elapsed:?}");
        assert_eq!((status.frames, status.buffers), (9_650, 97));
        let mut reader = hound::WavReader::open(&path).unwrap();
        let samples: Vec<f32> = reader.samples::<f32>().map(Result::unwrap).collect();
        assert_eq!(samples.len(), 9_650);
        let measured = frequency(&samples, 48_000.0).unwrap();
        assert!((measured - 440.0).abs() < 0.5, "{measured} Hz");
        std::fs::remove_file(&path).unwrap();
    }
}
