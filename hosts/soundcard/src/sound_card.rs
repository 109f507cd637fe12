//! The sound-card backend (cargo feature `cpal`): the audio half runs in cpal's output
//! callback, and the input callback, when the patch reads `input` nodes, hands its frames to
//! the output callback through an `rtrb` ring (cpal has no duplex streams).

use super::channels::{pop_frames, push_frames, skip_backlog, spread};
use super::devices::{Direction, describe, find};
use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{FromSample, Sample, SampleFormat, SizedSample, StreamConfig};
use patchvm_engine::AudioHalf;
use patchvm_engine::backend::{Backend, BackendError, Lateness, Stream, StreamSetup, StreamStatus};
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Which sound card, and how.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SoundCardSettings {
    /// The output device's name (or a unique part of it); `None` for the default.
    pub output: Option<String>,
    /// The input device's name; `None` for the default when there is input at all.
    pub input: Option<String>,
    /// Whether to open an input: the patch reads `input` nodes (an `input` name opens one
    /// too).
    pub use_input: bool,
    /// Frames per callback; `None` for the device's choice.
    pub buffer_frames: Option<u32>,
    /// Samples per second; `None` for the output device's default.
    pub sample_rate: Option<u32>,
}

/// Frames the callbacks hand the audio half at most at once: the scratch buffers' size.
/// A device buffer longer than this is rendered in several calls.
const CHUNK_FRAMES: usize = 2_048;

/// A sound card, opened and configured, not yet playing.
pub struct SoundCard {
    output: Endpoint,
    input: Option<Endpoint>,
    /// Why the default input could not be opened for a patch that reads one.
    silent_input: Option<String>,
    setup: StreamSetup,
}

/// One direction of a device with its chosen configuration.
struct Endpoint {
    device: cpal::Device,
    config: StreamConfig,
    format: SampleFormat,
    /// The configuration in words, for messages.
    described: String,
}

impl std::fmt::Debug for SoundCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoundCard")
            .field("output", &self.output.device.to_string())
            .field("setup", &self.setup)
            .finish_non_exhaustive()
    }
}

impl SoundCard {
    /// Finds the devices and chooses their configurations; nothing plays yet.
    pub fn open(settings: &SoundCardSettings) -> Result<SoundCard, BackendError> {
        let host = cpal::default_host();
        let device = find(&host, settings.output.as_deref(), Direction::Output)?;
        let output = endpoint(device, Direction::Output, settings.sample_rate, settings)?;
        let rate = output.config.sample_rate;
        let opened = |name: Option<&str>| {
            let device = find(&host, name, Direction::Input)?;
            endpoint(device, Direction::Input, Some(rate), settings)
        };
        let (input, silent_input) = match (&settings.input, settings.use_input) {
            // Asked for by name: it must open.
            (Some(name), _) => (Some(opened(Some(name))?), None),
            // Wanted by the patch: without one, its input nodes are silent.
            (None, true) => match opened(None) {
                Ok(input) => (Some(input), None),
                Err(error) => (None, Some(error.to_string())),
            },
            (None, false) => (None, None),
        };
        let setup = StreamSetup {
            sample_rate: rate,
            channels: usize::from(output.config.channels).clamp(1, 2),
            input_channels: input
                .as_ref()
                .map_or(0, |input| usize::from(input.config.channels)),
            buffer_frames: settings.buffer_frames,
        };
        Ok(SoundCard {
            output,
            input,
            silent_input,
            setup,
        })
    }
}

/// Chooses `device`'s configuration: its default, at `rate` if given (then the
/// configuration that supports it, preferring `f32` samples), with the buffer asked for.
fn endpoint(
    device: cpal::Device,
    direction: Direction,
    rate: Option<u32>,
    settings: &SoundCardSettings,
) -> Result<Endpoint, BackendError> {
    let name = device.to_string();
    let refused = |what: String| BackendError::NoDevice(format!("`{name}`: {what}"));
    let default = match direction {
        Direction::Output => device.default_output_config(),
        Direction::Input => device.default_input_config(),
    }
    .map_err(|error| refused(error.to_string()))?;
    let chosen = match rate {
        Some(rate) if rate != default.sample_rate() => {
            let ranges: Vec<_> = match direction {
                Direction::Output => device.supported_output_configs().map(Iterator::collect),
                Direction::Input => device.supported_input_configs().map(Iterator::collect),
            }
            .map_err(|error| refused(error.to_string()))?;
            // The default's channel count first, then f32 samples (no conversion).
            let range = ranges
                .iter()
                .filter(|range| range.contains_rate(rate))
                .max_by_key(|range| {
                    (
                        range.channels() == default.channels(),
                        range.sample_format() == SampleFormat::F32,
                    )
                })
                .cloned()
                .ok_or_else(|| {
                    refused(format!(
                        "it does not run at {rate} Hz (its default is {})",
                        describe(&default)
                    ))
                })?;
            range.with_sample_rate(rate)
        }
        _ => default,
    };
    let mut config = chosen.config();
    if let Some(frames) = settings.buffer_frames {
        if let cpal::SupportedBufferSize::Range { min, max } = *chosen.buffer_size()
            && !(min..=max).contains(&frames)
        {
            return Err(refused(format!(
                "it takes buffers of {min}..={max} frames, not {frames}"
            )));
        }
        config.buffer_size = cpal::BufferSize::Fixed(frames);
    }
    let id = device.id().map_or(name, |id| id.id().to_owned());
    Ok(Endpoint {
        described: format!(
            "`{id}` ({} channels, {})",
            chosen.channels(),
            chosen.sample_format()
        ),
        device,
        config,
        format: chosen.sample_format(),
    })
}

impl Backend for SoundCard {
    fn setup(&self) -> StreamSetup {
        self.setup
    }

    fn describe(&self) -> String {
        match (&self.input, &self.silent_input) {
            (Some(input), _) => format!(
                "the sound card {} with input from {}",
                self.output.described, input.described
            ),
            (None, Some(why)) => format!(
                "the sound card {}, the patch's input nodes silent (no input: {why})",
                self.output.described
            ),
            (None, None) => format!("the sound card {}", self.output.described),
        }
    }

    fn start(self: Box<Self>, audio: AudioHalf) -> Result<Box<dyn Stream>, BackendError> {
        let shared = Arc::new(Shared::default());
        let input_channels = self.setup.input_channels;
        // Room for several callbacks of input: the output callback cuts the backlog to two
        // chunks, so the ring never fills unless the output stops calling.
        let (producer, consumer) = rtrb::RingBuffer::new(4 * CHUNK_FRAMES * input_channels.max(1));
        let input = match &self.input {
            Some(input) => Some(build_input(input, producer, Arc::clone(&shared))?),
            None => None,
        };
        let card_audio = CardAudio {
            audio,
            engine_channels: self.setup.channels,
            device_channels: usize::from(self.output.config.channels),
            input_channels,
            rendered: vec![0.0; CHUNK_FRAMES * self.setup.channels].into(),
            input: vec![0.0; CHUNK_FRAMES * input_channels].into(),
            ring: self.input.is_some().then_some(consumer),
            shared: Arc::clone(&shared),
        };
        let (card_audio, retired) = Retiring::new(card_audio);
        let output = build_output(&self.output, card_audio, Arc::clone(&shared))?;
        let play = |stream: &cpal::Stream| {
            stream
                .play()
                .map_err(|error| BackendError::Device(format!("cannot start the stream: {error}")))
        };
        if let Some(input) = &input {
            play(input)?;
        }
        play(&output)?;
        Ok(Box::new(CardStream {
            output: Some(output),
            input,
            retired,
            shared,
            sample_rate: self.setup.sample_rate,
        }))
    }
}

/// What the callbacks report. Each counter has one writer, noted on it.
#[derive(Debug, Default)]
struct Shared {
    /// Output callback: frames played.
    frames: AtomicU64,
    /// Output callback: calls.
    buffers: AtomicU64,
    /// Output callback: frames of its last call.
    buffer_frames: AtomicU64,
    /// Error callback: under- and overruns the device reported.
    xruns: AtomicU64,
    /// Both callbacks: input samples lost (ring full, backlog cut, or missing).
    lost: AtomicU64,
    /// Output callback: nanoseconds from its call to the sound leaving the device, plus one
    /// (0: not reported).
    output_latency_ns: AtomicU64,
    /// Input callback: nanoseconds from the sound entering the device to its call, plus one
    /// (0: not reported).
    input_latency_ns: AtomicU64,
    /// Output callback: input frames waiting in the ring after its last read.
    input_backlog: AtomicU64,
    /// Error callback: the stream failed; `failure` says why.
    failed: AtomicBool,
    failure: OnceLock<String>,
}

impl Shared {
    /// Real-time safe: does not allocate, lock or block — except on a fatal error, which
    /// formats its message once, when the stream is lost anyway.
    fn error(&self, error: &cpal::Error) {
        if error.kind() == cpal::ErrorKind::Xrun {
            self.xruns.fetch_add(1, Relaxed);
        } else {
            let _ = self.failure.set(error.to_string());
            self.failed.store(true, Release);
        }
    }
}

fn latency_ns(latency: Option<Duration>) -> u64 {
    latency.map_or(0, |latency| {
        u64::try_from(latency.as_nanos())
            .unwrap_or(u64::MAX - 1)
            .saturating_add(1)
    })
}

fn from_latency_ns(ns: u64) -> Option<Duration> {
    ns.checked_sub(1).map(Duration::from_nanos)
}

/// Calls `$build::<T>(...)` for the sample type `T` of `$format`, or fails for types the
/// engine does not convert to.
macro_rules! for_sample_type {
    ($format:expr, $build:ident ( $($arg:expr),* )) => {
        match $format {
            SampleFormat::F32 => $build::<f32>($($arg),*),
            SampleFormat::F64 => $build::<f64>($($arg),*),
            SampleFormat::I8 => $build::<i8>($($arg),*),
            SampleFormat::I16 => $build::<i16>($($arg),*),
            SampleFormat::I24 => $build::<cpal::I24>($($arg),*),
            SampleFormat::I32 => $build::<i32>($($arg),*),
            SampleFormat::U8 => $build::<u8>($($arg),*),
            SampleFormat::U16 => $build::<u16>($($arg),*),
            SampleFormat::U32 => $build::<u32>($($arg),*),
            other => Err(BackendError::Device(format!("samples of type {other} are not supported"))),
        }
    };
}

fn build_output(
    endpoint: &Endpoint,
    card_audio: Retiring,
    shared: Arc<Shared>,
) -> Result<cpal::Stream, BackendError> {
    fn typed<T: SizedSample + FromSample<f32> + Send + 'static>(
        endpoint: &Endpoint,
        mut card_audio: Retiring,
        shared: Arc<Shared>,
    ) -> Result<cpal::Stream, BackendError> {
        endpoint
            .device
            .build_output_stream::<T, _, _>(
                endpoint.config,
                move |data: &mut [T], info: &cpal::OutputCallbackInfo| {
                    let stamp = info.timestamp();
                    let latency = stamp.playback.checked_duration_since(stamp.callback);
                    card_audio.card_audio().render(data, latency);
                },
                move |error| shared.error(&error),
                None,
            )
            .map_err(|error| BackendError::Device(format!("cannot open the output: {error}")))
    }
    for_sample_type!(endpoint.format, typed(endpoint, card_audio, shared))
}

fn build_input(
    endpoint: &Endpoint,
    ring: rtrb::Producer<f32>,
    shared: Arc<Shared>,
) -> Result<cpal::Stream, BackendError> {
    fn typed<T: SizedSample + Send + 'static>(
        endpoint: &Endpoint,
        mut ring: rtrb::Producer<f32>,
        shared: Arc<Shared>,
    ) -> Result<cpal::Stream, BackendError>
    where
        f32: FromSample<T>,
    {
        let channels = usize::from(endpoint.config.channels);
        let errors = Arc::clone(&shared);
        endpoint
            .device
            .build_input_stream::<T, _, _>(
                endpoint.config,
                move |data: &[T], info: &cpal::InputCallbackInfo| {
                    let stamp = info.timestamp();
                    let latency = stamp.callback.checked_duration_since(stamp.capture);
                    capture(data, latency, &mut ring, channels, &shared);
                },
                move |error| errors.error(&error),
                None,
            )
            .map_err(|error| BackendError::Device(format!("cannot open the input: {error}")))
    }
    for_sample_type!(endpoint.format, typed(endpoint, ring, shared))
}

/// The input callback's work: hands `data` (frames of `channels` samples) to the output
/// callback through `ring`, counting what does not fit.
///
/// Real-time safe: does not allocate, lock or block (checked by RealtimeSanitizer in CI).
#[cfg_attr(rtsan, sanitize(realtime = "nonblocking"))]
fn capture<T: Sample>(
    data: &[T],
    latency: Option<Duration>,
    ring: &mut rtrb::Producer<f32>,
    channels: usize,
    shared: &Shared,
) where
    f32: FromSample<T>,
{
    shared.input_latency_ns.store(latency_ns(latency), Relaxed);
    let lost = push_frames(ring, data, channels, |x: T| x.to_sample());
    shared.lost.fetch_add(lost as u64, Relaxed);
}

/// The output callback's state, sent back to the control side when the callback is dropped.
/// cpal drops a stream's callback on its audio thread when the stream stops, and dropping
/// the audio half frees the programs it holds: this moves it (a pointer) into a ring instead,
/// and [`CardStream::stop`] frees it on the control thread.
struct Retiring {
    card_audio: Option<Box<CardAudio>>,
    back: rtrb::Producer<Box<CardAudio>>,
}

impl Retiring {
    /// `card_audio`, and the end of the ring it comes back through when dropped.
    fn new(card_audio: CardAudio) -> (Retiring, rtrb::Consumer<Box<CardAudio>>) {
        let (back, retired) = rtrb::RingBuffer::new(1);
        let retiring = Retiring {
            card_audio: Some(Box::new(card_audio)),
            back,
        };
        (retiring, retired)
    }

    /// The state the output callback works on.
    fn card_audio(&mut self) -> &mut CardAudio {
        self.card_audio.as_mut().expect("present until dropped")
    }
}

impl Drop for Retiring {
    /// Real-time safe: moves a box into a ring with room for it; frees nothing.
    fn drop(&mut self) {
        if let Some(card_audio) = self.card_audio.take() {
            // The ring's one slot is free: this is its only push.
            let _ = self.back.push(card_audio);
        }
    }
}

/// Everything the output callback touches, allocated before the stream starts.
struct CardAudio {
    audio: AudioHalf,
    engine_channels: usize,
    device_channels: usize,
    input_channels: usize,
    /// One chunk of the engine's output.
    rendered: Box<[f32]>,
    /// One chunk of input frames for the engine.
    input: Box<[f32]>,
    /// Frames from the input callback, if there is an input.
    ring: Option<rtrb::Consumer<f32>>,
    shared: Arc<Shared>,
}

impl CardAudio {
    /// Fills the device's buffer, a chunk at a time, feeding the engine the input frames the
    /// input callback delivered.
    ///
    /// Real-time safe: does not allocate, lock or block (checked by RealtimeSanitizer in CI).
    #[cfg_attr(rtsan, sanitize(realtime = "nonblocking"))]
    fn render<T: Sample + FromSample<f32>>(&mut self, data: &mut [T], latency: Option<Duration>) {
        self.shared
            .output_latency_ns
            .store(latency_ns(latency), Relaxed);
        let frames = data.len() / self.device_channels;
        let mut lost = 0;
        for chunk in data.chunks_mut(CHUNK_FRAMES * self.device_channels) {
            let length = chunk.len() / self.device_channels;
            let input = &mut self.input[..length * self.input_channels];
            if let Some(ring) = &mut self.ring {
                lost += pop_frames(ring, input);
            }
            let rendered = &mut self.rendered[..length * self.engine_channels];
            self.audio
                .process_with_input(input, self.input_channels, rendered);
            spread(
                rendered,
                self.engine_channels,
                chunk,
                self.device_channels,
                T::from_sample,
            );
        }
        if let Some(ring) = &mut self.ring {
            // Input frames beyond two chunks would only add latency.
            let keep = 2 * CHUNK_FRAMES.min(frames.max(1)) * self.input_channels;
            lost += skip_backlog(ring, keep, self.input_channels);
            let backlog = ring.slots() / self.input_channels.max(1);
            self.shared.input_backlog.store(backlog as u64, Relaxed);
        }
        let shared = &self.shared;
        shared.lost.fetch_add(lost as u64, Relaxed);
        shared.buffers.fetch_add(1, Relaxed);
        shared.buffer_frames.store(frames as u64, Relaxed);
        shared.frames.fetch_add(frames as u64, Relaxed);
    }
}

/// A playing sound card. Dropped without [`stop`](Stream::stop), the output stream drops
/// first (fields drop in order), so its callback's state reaches `retired` and is freed with
/// it, on the dropping thread.
struct CardStream {
    output: Option<cpal::Stream>,
    input: Option<cpal::Stream>,
    /// Where the output callback's state arrives once the output stream is dropped.
    retired: rtrb::Consumer<Box<CardAudio>>,
    shared: Arc<Shared>,
    sample_rate: u32,
}

impl Stream for CardStream {
    fn status(&self) -> StreamStatus {
        let shared = &self.shared;
        let backlog = Duration::from_secs_f64(
            shared.input_backlog.load(Relaxed) as f64 / f64::from(self.sample_rate.max(1)),
        );
        StreamStatus {
            frames: shared.frames.load(Relaxed),
            buffers: shared.buffers.load(Relaxed),
            buffer_frames: shared.buffer_frames.load(Relaxed),
            late_buffers: shared.xruns.load(Relaxed),
            behind: Lateness::default(),
            output_latency: from_latency_ns(shared.output_latency_ns.load(Relaxed)),
            input_latency: self.input.as_ref().and_then(|_| {
                from_latency_ns(shared.input_latency_ns.load(Relaxed))
                    .map(|device| device + backlog)
            }),
            lost_samples: shared.lost.load(Relaxed),
            ended: shared.failed.load(Acquire),
        }
    }

    fn stop(mut self: Box<Self>) -> Result<StreamStatus, BackendError> {
        // Dropping a stream stops its callbacks; the output's sends its audio half back, to be
        // freed here, on the control side.
        drop(self.output.take());
        drop(self.input.take());
        while let Ok(card_audio) = self.retired.pop() {
            drop(card_audio);
        }
        match self.shared.failure.get() {
            Some(failure) => Err(BackendError::Device(format!(
                "the sound card failed: {failure}"
            ))),
            None => Ok(self.status()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assert_no_alloc::assert_no_alloc;
    use patchvm_engine::ir::{Format, Limits};
    use patchvm_engine::{Engine, EngineSettings};

    /// The output callback's work, without a device: a stereo engine reading two input
    /// channels, spread over a four-channel `i16` device.
    #[test]
    fn the_output_callback_does_not_allocate_and_feeds_the_input_through() {
        let settings = EngineSettings {
            channels: 2,
            ..EngineSettings::default()
        };
        let (mut controller, audio) = Engine::new(settings, Limits::default());
        let through = br#"(patch (nodes (mic (type "input") (channel 1)) (out (type "output")))
                                 (connections (mic "out" -> out "in")))"#;
        controller.load_text(through, Format::Sexpr).unwrap();
        let (mut producer, consumer) = rtrb::RingBuffer::new(4 * CHUNK_FRAMES * 2);
        let shared = Arc::new(Shared::default());
        let mut card_audio = CardAudio {
            audio,
            engine_channels: 2,
            device_channels: 4,
            input_channels: 2,
            rendered: vec![0.0; CHUNK_FRAMES * 2].into(),
            input: vec![0.0; CHUNK_FRAMES * 2].into(),
            ring: Some(consumer),
            shared: Arc::clone(&shared),
        };
        // Longer than a chunk, so the callback renders in several calls.
        let frames = CHUNK_FRAMES + 100;
        let mut data = vec![0_i16; frames * 4];
        for round in 0..4 {
            // The input callback's side: channel 1 holds a level that grows each round.
            let level = 0.125 * f32::from(round + 1_u8);
            let input: Vec<f32> = (0..2 * frames)
                .map(|i| if i % 2 == 1 { level } else { 0.0 })
                .collect();
            assert_eq!(push_frames(&mut producer, &input, 2, |x| x), 0);
            assert_no_alloc(|| card_audio.render(&mut data, Some(Duration::from_millis(3))));
            let want = i16::from_sample(level);
            assert!(data.iter().all(|&sample| sample == want), "round {round}");
            controller.maintain();
        }
        assert_eq!(shared.frames.load(Relaxed), 4 * frames as u64);
        assert_eq!(shared.lost.load(Relaxed), 0);
        assert_eq!(
            from_latency_ns(shared.output_latency_ns.load(Relaxed)),
            Some(Duration::from_millis(3))
        );
    }

    /// The output callback dropped on its audio thread, as cpal does when a stream stops:
    /// nothing is freed there (`assert_no_alloc` watches frees too), and the audio half, with
    /// the program it played, comes back to be freed on the control thread.
    #[test]
    fn a_stopped_stream_frees_its_audio_half_on_the_control_thread() {
        let (mut controller, audio) = Engine::new(EngineSettings::default(), Limits::default());
        let toy = br#"(patch (nodes (osc1 (type "osc.sine") (freq 440)) (out (type "output")))
                             (connections (osc1 "out" -> out "in")))"#;
        controller.load_text(toy, Format::Sexpr).unwrap();
        let card_audio = CardAudio {
            audio,
            engine_channels: 2,
            device_channels: 2,
            input_channels: 0,
            rendered: vec![0.0; CHUNK_FRAMES * 2].into(),
            input: Box::default(),
            ring: None,
            shared: Arc::new(Shared::default()),
        };
        let (mut callback, mut retired) = Retiring::new(card_audio);
        let audio_thread = std::thread::spawn(move || {
            let mut data = vec![0.0_f32; 2 * 256];
            assert_no_alloc(|| {
                callback.card_audio().render(&mut data, None);
                drop(callback);
            });
            data
        });
        let data = audio_thread.join().unwrap();
        assert_eq!(
            controller.metrics().swaps,
            1,
            "the audio half took the program"
        );
        // A sine from phase 0 at 440 Hz: sample 1 is sin(2π·440/48 000), on both channels.
        let second = (std::f64::consts::TAU * 440.0 / 48_000.0).sin() as f32;
        assert!(
            (data[2] - second).abs() < 1e-4 && data[3] == data[2],
            "{:?}",
            &data[..4]
        );
        let back = retired.pop().expect("the state came back");
        assert_eq!(back.shared.frames.load(Relaxed), 256);
        drop(back);
        controller.maintain();
        assert!(retired.pop().is_err());
    }
}
