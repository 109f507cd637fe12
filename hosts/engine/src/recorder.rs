//! Recording while playing: each recording is a state machine (idle → arming → recording →
//! stopping → idle) kept by id on the control side. Starting one allocates its ring (2 s by
//! default) and opens its file here, then sends the audio half a [`Tap`] that copies the
//! output or the input after every block; a writer thread (`writer.rs`, started with the
//! first recording) drains the ring into the file (`wav_file.rs`). Stopping sends the tap
//! back to be freed here, lets the writer finish the file, and hashes it.
//!
//! Latency compensation: a take of the input is placed [`Latency::frames`] earlier than the
//! sample it started at, the input's latency plus the output's. Each figure is the backend's
//! when it reports one, else the host's setting (`Controller::set_record_latency`); neither,
//! 0. The performer heard sample `t` `output` frames after the engine made it and played
//! along with it; what they played reached the engine `input` frames later.

mod wav_file;
mod writer;

use patchvm_ir::{Code, Diagnostic, Span};
use patchvm_vm::live::{
    MAX_TAPS, Tap, TapCommand, TapCounters, TapRemote, TapReport, TapSource, Taps, tap_link,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wav_file::{WAV_LIMIT, WavFile};
use writer::{Closed, Job, Writer};

/// Seconds of audio a recording's ring holds by default: how long the disk may stall before
/// frames are lost.
pub const DEFAULT_RING_SECONDS: f64 = 2.0;

/// What a recording records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordSource {
    /// The engine's output, as the host receives it.
    Output,
    /// The host's input.
    Input,
}

impl RecordSource {
    /// Reads `output` or `input`.
    pub fn parse(text: &str) -> Option<RecordSource> {
        match text {
            "output" => Some(RecordSource::Output),
            "input" => Some(RecordSource::Input),
            _ => None,
        }
    }
}

/// A recording to start.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordRequest {
    /// Its id: how it is stopped, and the name its file takes in the audio-file cache (a
    /// clip's `file`).
    pub id: String,
    /// What it records.
    pub source: RecordSource,
    /// The WAV file it writes (32-bit float; RF64 past 4 GiB), relative to the working
    /// directory.
    pub path: PathBuf,
    /// The timeline whose clips the take is meant for: its [`Take::placed_at`] is shifted
    /// earlier by the latency.
    pub timeline: Option<String>,
}

/// Keys a JSON request may have.
const REQUEST_KEYS: [&str; 4] = ["id", "source", "path", "timeline"];

impl RecordRequest {
    /// Reads the C ABI's request, `{"id": "take1", "source": "input", "path":
    /// "take1.wav", "timeline": "main"}`; a problem is an E0130 at the field at fault.
    pub fn from_json(text: &str) -> Result<RecordRequest, RecordError> {
        let whole = Span::new(0, text.len());
        let value: serde_json::Value = serde_json::from_str(text).map_err(|error| {
            RecordError::new(whole, format!("the recording request is not JSON: {error}"))
                .hint("write an object such as {\"id\": \"take1\", \"source\": \"input\", \"path\": \"take1.wav\"}")
        })?;
        let Some(map) = value.as_object() else {
            return Err(
                RecordError::new(whole, "the recording request is not an object")
                    .hint("write an object with keys `id`, `source`, `path` and maybe `timeline`"),
            );
        };
        let at = |key: &str| {
            text.find(&format!("\"{key}\""))
                .map_or(whole, |start| Span::new(start, start + key.len() + 2))
        };
        if let Some(key) = map.keys().find(|key| !REQUEST_KEYS.contains(&key.as_str())) {
            return Err(RecordError::new(
                at(key),
                format!("unknown key `{key}` in the recording request"),
            )
            .hint("expected `id`, `source`, `path` or `timeline`"));
        }
        let text_of = |key: &str| -> Result<Option<String>, RecordError> {
            match map.get(key) {
                None => Ok(None),
                Some(serde_json::Value::String(text)) => Ok(Some(text.clone())),
                Some(_) => Err(
                    RecordError::new(at(key), format!("`{key}` is not a string"))
                        .hint(format!("write `{key}` as a string")),
                ),
            }
        };
        let required = |key: &str| -> Result<String, RecordError> {
            text_of(key)?.ok_or_else(|| {
                RecordError::new(whole, format!("the recording request has no `{key}`"))
                    .hint("give `id`, `source` and `path`")
            })
        };
        let source_text = required("source")?;
        let Some(source) = RecordSource::parse(&source_text) else {
            return Err(RecordError::new(
                at("source"),
                format!("unknown recording source `{source_text}`"),
            )
            .hint("expected `output` or `input`"));
        };
        Ok(RecordRequest {
            id: required("id")?,
            source,
            path: PathBuf::from(required("path")?),
            timeline: text_of("timeline")?,
        })
    }
}

/// Why a recording could not be started or stopped (E0130): a diagnostic whose span is in the
/// request's JSON text when it came as one.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordError(pub Diagnostic);

impl RecordError {
    fn new(span: Span, message: impl Into<String>) -> RecordError {
        RecordError(Diagnostic::new(Code::Recording, span, message))
    }

    fn hint(self, hint: impl Into<String>) -> RecordError {
        RecordError(self.0.with_hint(hint))
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for RecordError {}

/// Where a running recording is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordState {
    /// Started on the control side; the audio half has not taken its tap yet.
    Arming,
    /// The audio half copies frames into it.
    Recording,
    /// Asked to stop; the audio half or the writer has not finished with it yet.
    Stopping,
}

/// A running recording, as [`Controller::recorder_state`](crate::Controller::recorder_state)
/// reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordingStatus {
    /// Its id.
    pub id: String,
    /// Its file.
    pub path: PathBuf,
    /// Where it is in its life.
    pub state: RecordState,
    /// Frames the audio half has copied so far.
    pub frames: u64,
    /// Frames lost so far because its ring was full.
    pub frames_lost: u64,
}

/// A finished recording.
#[derive(Clone, Debug, PartialEq)]
pub struct Take {
    /// Its id, also its name in the audio-file cache.
    pub id: String,
    /// Its file.
    pub path: PathBuf,
    /// Frames in the file.
    pub frames: u64,
    /// Its duration in seconds.
    pub seconds: f64,
    /// Frames the audio half could not hand over because the ring was full (the disk stalled
    /// for longer than the ring holds): missing from the file, never silently.
    pub frames_lost: u64,
    /// The BLAKE3 hash of the file's bytes, in hex.
    pub hash: String,
    /// Channels of the file.
    pub channels: u16,
    /// The engine sample of its first frame.
    pub start_sample: u64,
    /// The engine sample its first frame lines up with: `start_sample` less the latency for
    /// a take of the input, `start_sample` for any other.
    pub placed_at: u64,
    /// The timeline the request named, if any.
    pub timeline: Option<String>,
}

/// Input and output latency in frames, for placing takes of the input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Latency {
    /// Frames from the sound at the input to the engine's sample.
    pub input: u64,
    /// Frames from the engine's sample to the sound at the output.
    pub output: u64,
}

impl Latency {
    /// Frames a take of the input is placed earlier: both together.
    pub fn frames(&self) -> u64 {
        self.input + self.output
    }
}

/// One recording in a slot.
#[derive(Debug)]
struct Recording {
    request: RecordRequest,
    state: RecordState,
    channels: u16,
    counters: Arc<TapCounters>,
    start: Option<u64>,
    /// Whether the writer was told to finish its file.
    closing: bool,
}

/// The control side's recorder: the recordings by slot, the queues to the audio half's taps
/// and the writer thread.
#[derive(Debug)]
pub(crate) struct Recorder {
    remote: TapRemote,
    writer: Option<Writer>,
    slots: [Option<Recording>; MAX_TAPS],
    pub(crate) ring_seconds: f64,
    /// The file size past which a take goes over to RF64: a WAV file's 4 GiB, smaller in
    /// tests.
    pub(crate) wav_limit: u64,
    pub(crate) latency: Latency,
}

impl Recorder {
    /// A recorder whose taps `audio` runs.
    pub(crate) fn new(audio: &mut patchvm_vm::live::AudioHalf) -> Recorder {
        let (taps, remote): (Taps, TapRemote) = tap_link();
        audio.record_with(Box::new(taps));
        Recorder {
            remote,
            writer: None,
            slots: Default::default(),
            ring_seconds: DEFAULT_RING_SECONDS,
            wav_limit: WAV_LIMIT,
            latency: Latency::default(),
        }
    }

    /// Starts `request` on an engine of `sample_rate` and `channels` channels: arming until
    /// the audio half takes its tap.
    pub(crate) fn start(
        &mut self,
        request: RecordRequest,
        sample_rate: f64,
        channels: usize,
    ) -> Result<(), RecordError> {
        let whole = Span::NONE;
        if request.id.is_empty() {
            return Err(RecordError::new(whole, "a recording's id is empty")
                .hint("name the recording, such as `take1`"));
        }
        if let Some(running) = self.find(&request.id) {
            let state = match running.state {
                RecordState::Arming => "arming",
                RecordState::Recording => "recording",
                RecordState::Stopping => "stopping",
            };
            return Err(RecordError::new(
                whole,
                format!("recording `{}` is already {state}", request.id),
            )
            .hint("stop it first, or give the new recording another id"));
        }
        let Some(slot) = self.slots.iter().position(Option::is_none) else {
            return Err(RecordError::new(
                whole,
                format!(
                    "{MAX_TAPS} recordings are running: `{}` cannot start",
                    request.id
                ),
            )
            .hint("stop one of them first"));
        };
        let channels = channels.clamp(1, 2) as u16;
        let file = WavFile::create(&request.path, channels, sample_rate as u32, self.wav_limit)
            .map_err(|error| {
                RecordError::new(
                    whole,
                    format!(
                        "cannot create `{}` for recording `{}`: {}",
                        request.path.display(),
                        request.id,
                        error.to_string().to_lowercase()
                    ),
                )
                .hint("name a file in a folder that exists and can be written")
            })?;
        if self.writer.is_none() {
            self.writer = Some(Writer::start().map_err(|error| {
                RecordError::new(whole, format!("cannot start the recording thread: {error}"))
                    .hint("the system is out of threads or memory")
            })?);
        }
        let frames = (self.ring_seconds * sample_rate).ceil().max(64.0) as usize;
        let (producer, ring) = rtrb::RingBuffer::new(frames * usize::from(channels));
        let counters = Arc::new(TapCounters::default());
        let source = match request.source {
            RecordSource::Output => TapSource::Output,
            RecordSource::Input => TapSource::Input,
        };
        let tap = Box::new(Tap::new(
            source,
            usize::from(channels),
            producer,
            Arc::clone(&counters),
        ));
        if self
            .remote
            .commands
            .push(TapCommand::Start { slot, tap })
            .is_err()
        {
            return Err(RecordError::new(
                whole,
                format!(
                    "recording `{}` cannot start: the audio half is not taking commands",
                    request.id
                ),
            )
            .hint("start recordings while the engine plays"));
        }
        if let Some(writer) = &self.writer {
            writer.send(Job::Open { slot, ring, file });
        }
        self.slots[slot] = Some(Recording {
            request,
            state: RecordState::Arming,
            channels,
            counters,
            start: None,
            closing: false,
        });
        Ok(())
    }

    /// Asks the audio half to stop recording `id`: stopping until the take is finished
    /// ([`poll`](Recorder::poll)).
    pub(crate) fn stop(&mut self, id: &str) -> Result<(), RecordError> {
        let running = self.running_ids();
        let Some(slot) = self
            .slots
            .iter()
            .position(|r| r.as_ref().is_some_and(|r| r.request.id == id))
        else {
            let choices = if running.is_empty() {
                "no recording is running".to_owned()
            } else {
                format!("running: {running}")
            };
            return Err(
                RecordError::new(Span::NONE, format!("no recording `{id}` is running"))
                    .hint(choices),
            );
        };
        let recording = self.slots[slot].as_mut().expect("found above");
        if recording.state == RecordState::Stopping {
            return Err(RecordError::new(
                Span::NONE,
                format!("recording `{id}` is already stopping"),
            )
            .hint("wait for its take"));
        }
        // An audio half that is gone (its stream stopped) has let go of the ring: the take
        // ends with what it holds.
        let gone = self.remote.commands.is_abandoned();
        if !gone
            && self
                .remote
                .commands
                .push(TapCommand::Stop { slot })
                .is_err()
        {
            return Err(RecordError::new(
                Span::NONE,
                format!("recording `{id}` cannot stop: the audio half is not taking commands"),
            )
            .hint("stop it while the engine plays"));
        }
        recording.state = RecordState::Stopping;
        if gone {
            self.close(slot);
        }
        Ok(())
    }

    /// Tells the writer to finish `slot`'s file, once.
    fn close(&mut self, slot: usize) {
        if let Some(recording) = self.slots[slot].as_mut()
            && !recording.closing
        {
            recording.closing = true;
            if let Some(writer) = &self.writer {
                writer.send(Job::Close { slot });
            }
        }
    }

    /// Takes the audio half's answers and the writer's, returning the recordings finished
    /// since the last call. Frees the taps that came back.
    pub(crate) fn poll(&mut self) -> Vec<Finished> {
        while let Ok(report) = self.remote.reports.pop() {
            match report {
                TapReport::Started { slot, time } => {
                    if let Some(recording) = self.slots[slot].as_mut() {
                        recording.start = Some(time);
                        if recording.state == RecordState::Arming {
                            recording.state = RecordState::Recording;
                        }
                    }
                }
                TapReport::Stopped { slot, tap, .. } => {
                    drop(tap);
                    self.close(slot);
                }
            }
        }
        if self.remote.reports.is_abandoned() {
            for slot in 0..MAX_TAPS {
                if self.slots[slot]
                    .as_ref()
                    .is_some_and(|r| r.state == RecordState::Stopping)
                {
                    self.close(slot);
                }
            }
        }
        let mut finished = Vec::new();
        while let Some(Closed { slot, written }) = self
            .writer
            .as_ref()
            .and_then(|writer| writer.closed.try_recv().ok())
        {
            if let Some(recording) = self.slots[slot].take() {
                finished.push(Finished {
                    start: recording.start.unwrap_or(0),
                    lost: recording.counters.lost(),
                    channels: recording.channels,
                    request: recording.request,
                    written,
                });
            }
        }
        finished
    }

    /// Every running recording.
    pub(crate) fn state(&self) -> Vec<RecordingStatus> {
        self.slots
            .iter()
            .flatten()
            .map(|recording| RecordingStatus {
                id: recording.request.id.clone(),
                path: recording.request.path.clone(),
                state: recording.state,
                frames: recording.counters.written(),
                frames_lost: recording.counters.lost(),
            })
            .collect()
    }

    /// Frames lost by every running recording so far.
    pub(crate) fn lost(&self) -> u64 {
        self.slots.iter().flatten().map(|r| r.counters.lost()).sum()
    }

    fn find(&self, id: &str) -> Option<&Recording> {
        self.slots.iter().flatten().find(|r| r.request.id == id)
    }

    fn running_ids(&self) -> String {
        let ids: Vec<String> = self
            .slots
            .iter()
            .flatten()
            .map(|r| format!("`{}`", r.request.id))
            .collect();
        ids.join(", ")
    }
}

/// A recording the writer has finished with.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) request: RecordRequest,
    pub(crate) channels: u16,
    pub(crate) start: u64,
    pub(crate) lost: u64,
    pub(crate) written: std::io::Result<u64>,
}

/// The BLAKE3 hash of the file at `path`, in hex.
pub(crate) fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path)?)?;
    Ok(hasher.finalize().to_hex().to_string())
}

#[cfg(test)]
mod tests;
