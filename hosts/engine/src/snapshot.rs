//! [`Snapshot`]: the live state of an engine that matters musically, as a versioned JSON
//! document another engine resumes from (see [`Controller::snapshot`] and
//! [`Controller::resume`]).
//!
//! What it keeps: the patch text as edited live (scenes recalled included), where the
//! transport stands (its anchor, so the resumed beat line is the same bits), its live tempo
//! and loop, the last value events set on each parameter, the notes held down, and the scene
//! recalled last. What it cannot keep is the kernels' inner state — oscillator phases, filter
//! memory, envelopes mid-stage, delay lines and reverb tails, a pattern's note already
//! sounding — which starts afresh and settles as the sound goes on.
//!
//! [`Controller::snapshot`]: crate::Controller::snapshot
//! [`Controller::resume`]: crate::Controller::resume

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// The `format` every snapshot names, so a foreign JSON file is told apart.
pub const SNAPSHOT_FORMAT: &str = "patchvm-snapshot";

/// The version of the snapshot document this engine writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

/// The live state of an engine at one sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Always [`SNAPSHOT_FORMAT`].
    pub format: String,
    /// Always [`SNAPSHOT_VERSION`] when written by this engine.
    pub version: u32,
    /// The patch playing, as S-expression text.
    pub patch: String,
    /// The sample rate the engine ran at: the transport's sample counts are in its samples.
    pub sample_rate: f64,
    /// The engine sample the transport's state is at.
    pub time: u64,
    /// Where the transport stood.
    pub transport: TransportSnapshot,
    /// The last value events set on each parameter (a ramp's target), by node and input.
    pub params: Vec<ParamValue>,
    /// The notes held down, oldest first.
    pub notes: Vec<HeldNote>,
    /// The scene recalled last, if any.
    pub scene: Option<String>,
}

/// Where the transport stood: its position and tempo, and its anchor, to go on from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransportSnapshot {
    /// The beat position.
    pub beat: f64,
    /// The tempo there, in quarter notes per minute.
    pub bpm: f64,
    /// Whether it was playing.
    pub playing: bool,
    /// The beat of its last anchor (jump, start or tempo change).
    pub anchor_beat: f64,
    /// Samples from that anchor to `beat`.
    pub since: u64,
    /// A tempo set live over the patch's tempo map, if any.
    pub live_bpm: Option<f64>,
    /// The loop, `[start, end]` in beats, if one was set.
    pub looping: Option<[f64; 2]>,
}

/// A parameter's value as events last set it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamValue {
    /// The node's id.
    pub node: String,
    /// The input.
    pub param: String,
    /// The value.
    pub value: f32,
}

/// A note held down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldNote {
    /// The MIDI channel it came on (0..=15), `None` for notes sent without one.
    pub channel: Option<u8>,
    /// The MIDI note number.
    pub note: u8,
    /// Its velocity, 1..=127.
    pub velocity: u8,
}

/// Why a file is no snapshot this engine can resume from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotError {
    /// The file could not be read or written; why, with its path.
    Io(String),
    /// Not JSON, or JSON of another kind of document.
    Foreign(String),
    /// A snapshot of a version this engine does not read.
    Version(u64),
    /// A snapshot whose fields are missing or of the wrong type.
    Corrupt(String),
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::Io(why) => f.write_str(why),
            SnapshotError::Foreign(why) => {
                write!(f, "not a patchvm snapshot: {why}")
            }
            SnapshotError::Version(version) => write!(
                f,
                "snapshot version {version} is not supported; expected {SNAPSHOT_VERSION}"
            ),
            SnapshotError::Corrupt(why) => write!(f, "corrupt snapshot: {why}"),
        }
    }
}

impl std::error::Error for SnapshotError {}

impl Snapshot {
    /// The snapshot as pretty JSON.
    pub fn to_json(&self) -> String {
        // Cannot fail: every field is a string, number, bool, option or list of them, and
        // the numbers are finite (the transport's and parameters' always are).
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a snapshot from JSON `text`, telling a foreign document, another version and a
    /// damaged snapshot apart.
    pub fn from_json(text: &[u8]) -> Result<Snapshot, SnapshotError> {
        let value: serde_json::Value = serde_json::from_slice(text)
            .map_err(|error| SnapshotError::Foreign(format!("not JSON ({error})")))?;
        if value.get("format").and_then(|format| format.as_str()) != Some(SNAPSHOT_FORMAT) {
            return Err(SnapshotError::Foreign(format!(
                "it has no `\"format\": \"{SNAPSHOT_FORMAT}\"`"
            )));
        }
        match value.get("version").and_then(|version| version.as_u64()) {
            Some(version) if version == u64::from(SNAPSHOT_VERSION) => {}
            Some(version) => return Err(SnapshotError::Version(version)),
            None => return Err(SnapshotError::Corrupt("it has no numeric `version`".into())),
        }
        serde_json::from_value(value).map_err(|error| SnapshotError::Corrupt(error.to_string()))
    }

    /// Reads the snapshot file at `path`.
    pub fn read_file(path: &Path) -> Result<Snapshot, SnapshotError> {
        let bytes = std::fs::read(path).map_err(|error| {
            SnapshotError::Io(format!("cannot read `{}`: {error}", path.display()))
        })?;
        Snapshot::from_json(&bytes)
    }

    /// Writes the snapshot to `path` atomically: to a temporary file beside it, then renamed
    /// over it, so a reader (or a crash) never meets half a snapshot. Call it off the audio
    /// thread.
    pub fn write_file(&self, path: &Path) -> Result<(), SnapshotError> {
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".tmp");
        let temporary = Path::new(&temporary);
        let failed = |error: std::io::Error| {
            SnapshotError::Io(format!("cannot write `{}`: {error}", path.display()))
        };
        std::fs::write(temporary, self.to_json()).map_err(failed)?;
        std::fs::rename(temporary, path).map_err(|error| {
            let _ = std::fs::remove_file(temporary);
            failed(error)
        })
    }
}
