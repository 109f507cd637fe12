//! Recording from the control side (see [`crate::recorder`]): start and stop by id, the
//! running recordings' states, and the finished takes, each entering the audio-file cache
//! under its id at once, so a clip can play it (`clip_add` with `file` = the id).

use super::Controller;
use crate::recorder::{
    Finished, Latency, RecordError, RecordRequest, RecordSource, Recorder, RecordingStatus, Take,
    hash_file,
};
use patchvm_ir::{Code, Diagnostic, Span};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long [`Controller::record_stop`] waits for the audio half and the writer: one
/// callback and the ring's last drain take milliseconds; an audio half that does not run
/// never answers.
const STOP_WAIT: Duration = Duration::from_secs(2);

/// The controller's recordings: the recorder, takes finished and not yet read, and every
/// take's file by id (what a clip's `file` may name).
#[derive(Debug)]
pub(crate) struct Recordings {
    recorder: Recorder,
    /// Finished takes, each with its recording's id.
    finished: Vec<(String, Result<Take, RecordError>)>,
    /// Every take's file by id, for the builds' audio files.
    pub(crate) paths: BTreeMap<String, PathBuf>,
}

impl Recordings {
    /// The recordings of an engine whose audio half is `audio`.
    pub(crate) fn new(audio: &mut patchvm_vm::live::AudioHalf) -> Recordings {
        Recordings {
            recorder: Recorder::new(audio),
            finished: Vec::new(),
            paths: BTreeMap::new(),
        }
    }
}

impl Controller {
    /// Starts recording `request.source` into `request.path` under `request.id`; it arms now
    /// and records from the first block the audio half renders after this call.
    pub fn record_start(&mut self, request: RecordRequest) -> Result<(), RecordError> {
        self.maintain();
        self.recordings
            .recorder
            .start(request, self.settings.sample_rate, self.settings.channels)
    }

    /// Stops recording `id` and waits (up to 2 s) for its take: for hosts whose audio half
    /// runs on a thread of its own. A host that drives the audio half itself calls
    /// [`record_stop_begin`](Controller::record_stop_begin) and reads the take from
    /// [`take_recordings`](Controller::take_recordings) once it has rendered a block.
    pub fn record_stop(&mut self, id: &str) -> Result<Take, RecordError> {
        self.record_stop_begin(id)?;
        let began = Instant::now();
        loop {
            self.maintain();
            if let Some(at) = self.recordings.finished.iter().position(|(of, _)| of == id) {
                return self.recordings.finished.remove(at).1;
            }
            if began.elapsed() > STOP_WAIT {
                return Err(RecordError(
                    Diagnostic::new(
                        Code::Recording,
                        Span::NONE,
                        format!("recording `{id}` is stopping but the audio half did not answer"),
                    )
                    .with_hint("the audio half is not running; its take comes with `take_recordings` once it runs"),
                ));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Asks the audio half to stop recording `id`; its take comes from
    /// [`take_recordings`](Controller::take_recordings).
    pub fn record_stop_begin(&mut self, id: &str) -> Result<(), RecordError> {
        self.maintain();
        self.recordings.recorder.stop(id)
    }

    /// The takes finished since the last call (and those that failed, as errors).
    pub fn take_recordings(&mut self) -> Vec<Result<Take, RecordError>> {
        self.maintain();
        std::mem::take(&mut self.recordings.finished)
            .into_iter()
            .map(|(_, take)| take)
            .collect()
    }

    /// Every running recording: id, file, state, frames so far, frames lost so far. A
    /// recording not listed is idle.
    pub fn recorder_state(&self) -> Vec<RecordingStatus> {
        self.recordings.recorder.state()
    }

    /// Frames the running recordings have lost so far because their rings were full.
    pub fn recording_frames_lost(&self) -> u64 {
        self.recordings.recorder.lost()
    }

    /// The latency takes of the input are placed earlier by: the backend's figures when it
    /// reports them, else the host's setting.
    pub fn set_record_latency(&mut self, latency: Latency) {
        self.recordings.recorder.latency = latency;
    }

    /// Seconds of audio each new recording's ring holds (2 by default): how long the disk
    /// may stall before frames are lost.
    pub fn set_record_ring_seconds(&mut self, seconds: f64) {
        if seconds.is_finite() && seconds > 0.0 {
            self.recordings.recorder.ring_seconds = seconds;
        }
    }

    /// For tests: the file size past which new takes go over to RF64 (4 GiB otherwise).
    #[doc(hidden)]
    pub fn set_record_rf64_threshold(&mut self, bytes: u64) {
        self.recordings.recorder.wav_limit = bytes;
    }

    /// Reads the recorder's answers; called by [`maintain`](Controller::maintain).
    pub(super) fn poll_recordings(&mut self) {
        for finished in self.recordings.recorder.poll() {
            let id = finished.request.id.clone();
            let take = self.finish_take(finished);
            self.recordings.finished.push((id, take));
        }
    }

    /// A finished recording made a take: hashed, and put in the audio-file cache under its
    /// id.
    fn finish_take(&mut self, finished: Finished) -> Result<Take, RecordError> {
        let Finished {
            request,
            channels,
            start,
            lost,
            written,
        } = finished;
        let failed = |why: std::io::Error| {
            RecordError(
                Diagnostic::new(
                    Code::Recording,
                    Span::NONE,
                    format!(
                        "recording `{}` could not write `{}`: {}",
                        request.id,
                        request.path.display(),
                        why.to_string().to_lowercase()
                    ),
                )
                .with_hint("record to a disk with room that can be written"),
            )
        };
        let frames = written.map_err(failed)?;
        let hash = hash_file(&request.path).map_err(failed)?;
        let sample_rate = self.settings.sample_rate;
        // Decoded now, so a build naming the take finds it decoded.
        let _ = self.audio_cache().load(&request.path, sample_rate);
        self.recordings
            .paths
            .insert(request.id.clone(), request.path.clone());
        let latency = match request.source {
            RecordSource::Input => self.recordings.recorder.latency.frames(),
            RecordSource::Output => 0,
        };
        Ok(Take {
            seconds: frames as f64 / sample_rate,
            placed_at: start.saturating_sub(latency),
            id: request.id,
            path: request.path,
            frames,
            frames_lost: lost,
            hash,
            channels,
            start_sample: start,
            timeline: request.timeline,
        })
    }
}
