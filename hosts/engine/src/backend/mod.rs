//! Audio backends: what calls an engine's audio half in real time.
//!
//! A [`Backend`] is opened first (so the engine can be made at its sample rate and channel
//! count), then started with the [`AudioHalf`]: from then on the backend's own audio thread
//! calls [`AudioHalf::process_with_input`] once per buffer, and the [`Stream`] it returns
//! reports how that goes and stops it. The traits live in the engine so that every adapter
//! implements them and the command line drives any of them alike. Two backends share this
//! shape:
//!
//! - `WavSink` (crate `patchvm-wav`): the same real-time path, paced by a clock at real-time
//!   speed and written to a WAV file by a writer thread — for headless machines, tests and
//!   recording a session;
//! - `SoundCard` (crate `patchvm-soundcard`, cargo feature `cpal`): a sound card's output,
//!   and its input when the patch reads `input` nodes.
//!
//! The audio thread of either never allocates, frees, locks or does I/O: samples travel to the
//! file writer, and from a sound card's input callback to its output callback, through `rtrb`
//! ring buffers sized when the stream is built.

mod error;

pub use error::BackendError;

use crate::AudioHalf;
use std::time::Duration;

/// What a backend asks of the engine, known once it is opened and before it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamSetup {
    /// Samples per second: the engine must run at this rate.
    pub sample_rate: u32,
    /// Interleaved output channels the audio half must render: 1 or 2.
    pub channels: usize,
    /// Interleaved input channels the backend feeds the patch's `input` nodes; 0 for none.
    pub input_channels: usize,
    /// Frames per call of the audio half, when the backend fixes them; `None` when the
    /// device chooses.
    pub buffer_frames: Option<u32>,
}

/// Something that calls an engine's audio half in real time.
pub trait Backend {
    /// What the engine must be made with.
    fn setup(&self) -> StreamSetup;

    /// Where the sound goes, in a few words (`the WAV file "out.wav"`).
    fn describe(&self) -> String;

    /// Starts calling `audio` from the backend's audio thread; the patch the engine's
    /// controller has already loaded plays from the first buffer.
    fn start(self: Box<Self>, audio: AudioHalf) -> Result<Box<dyn Stream>, BackendError>;
}

/// A running backend.
pub trait Stream {
    /// How the stream is doing, read from atomics the audio thread keeps: never waits for it.
    fn status(&self) -> StreamStatus;

    /// Stops the audio thread, finishes what it fed (the WAV file's header), drops the audio
    /// half off the audio thread, and returns the final status.
    fn stop(self: Box<Self>) -> Result<StreamStatus, BackendError>;
}

/// What a stream has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StreamStatus {
    /// Frames delivered: to the file, or to the sound card.
    pub frames: u64,
    /// Calls of the audio half.
    pub buffers: u64,
    /// Frames of the last call: the device's buffer.
    pub buffer_frames: u64,
    /// Buffers not ready when they were due: for a WAV sink, buffers finished after the time
    /// a sound card would have started playing them (the previous buffer's end); for a sound
    /// card, the under- and overruns the device reported (xruns).
    pub late_buffers: u64,
    /// A WAV sink's clock: how far behind its deadline the last buffer started, and the
    /// most it ever was, plus the mean. Zero for a sound card, whose clock is the device.
    pub behind: Lateness,
    /// The time from the audio half's call to the sound leaving the device, as the device
    /// last reported it; `None` for a WAV sink or when the device does not say.
    pub output_latency: Option<Duration>,
    /// The time from the sound entering the device to the audio half reading it, as the
    /// device last reported it plus what waits in the ring between the two callbacks.
    pub input_latency: Option<Duration>,
    /// Samples lost between two threads: input samples that found the ring full or were
    /// skipped to keep the input's latency bounded, input frames missing when the output
    /// needed them, or output samples the WAV writer could not keep up with.
    pub lost_samples: u64,
    /// The stream ended by itself: the frames asked for were written, or the device failed
    /// (then [`stop`](Stream::stop) returns the error).
    pub ended: bool,
}

/// How late a paced audio thread woke up for its buffers.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Lateness {
    /// The last buffer's.
    pub last: Duration,
    /// The mean over all buffers.
    pub mean: Duration,
    /// The largest.
    pub max: Duration,
}
