//! Decoded audio that kernels play (a sampler's file, a timeline's clips).
//!
//! Decoding and resampling happen on the control side, once per file's content; the result is
//! an [`AudioData`]: immutable samples at the engine's rate, shared by every kernel that plays
//! them through an [`Arc`]. A kernel clones its `Arc` when it is built (control side) and drops
//! it when its program is freed (control side too), so the audio thread only reads.
//!
//! A build receives the files its patch names as an [`AudioFiles`]: by the path as the patch
//! writes it, and by a sample bank's word.
//!
//! ```
//! use patchvm_vm::audio::{AudioData, AudioFiles};
//! use std::sync::Arc;
//! let kick = Arc::new(AudioData::new(48_000.0, vec![vec![0.5, 0.25, 0.0]]).unwrap());
//! let mut files = AudioFiles::default();
//! files.insert_file("kit/kick.wav", Arc::clone(&kick));
//! files.insert_word("bd", kick);
//! assert_eq!(files.file("kit/kick.wav").unwrap().frames(), 3);
//! assert_eq!(files.word("bd").unwrap().channel(0), [0.5, 0.25, 0.0]);
//! assert!(files.word("sd").is_none());
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Immutable decoded audio: one buffer per channel, all of the same length, at a rate.
#[derive(Clone, PartialEq)]
pub struct AudioData {
    sample_rate: f64,
    channels: Box<[Box<[f32]>]>,
    frames: usize,
}

/// Why samples cannot be an [`AudioData`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AudioDataError {
    /// No channel at all.
    NoChannels,
    /// Channels of different lengths (the first length, then the one that differs).
    UnequalChannels(usize, usize),
    /// A rate that is not a positive, finite number.
    BadRate,
}

impl fmt::Display for AudioDataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AudioDataError::NoChannels => write!(f, "audio has no channel"),
            AudioDataError::UnequalChannels(first, other) => {
                write!(
                    f,
                    "audio channels differ in length ({first} and {other} frames)"
                )
            }
            AudioDataError::BadRate => write!(f, "audio sample rate is not a positive number"),
        }
    }
}

impl std::error::Error for AudioDataError {}

impl AudioData {
    /// Audio at `sample_rate` frames per second from one buffer per channel.
    pub fn new(sample_rate: f64, channels: Vec<Vec<f32>>) -> Result<AudioData, AudioDataError> {
        if !(sample_rate.is_finite() && sample_rate > 0.0) {
            return Err(AudioDataError::BadRate);
        }
        let frames = channels.first().ok_or(AudioDataError::NoChannels)?.len();
        if let Some(other) = channels.iter().find(|channel| channel.len() != frames) {
            return Err(AudioDataError::UnequalChannels(frames, other.len()));
        }
        Ok(AudioData {
            sample_rate,
            channels: channels.into_iter().map(Vec::into_boxed_slice).collect(),
            frames,
        })
    }

    /// Frames per second.
    pub fn sample_rate(&self) -> f64 {
        self.sample_rate
    }

    /// How many channels (at least one).
    pub fn channels(&self) -> usize {
        self.channels.len()
    }

    /// How many frames each channel holds.
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// Channel `index`'s samples; a channel past the last reads the last (a mono file plays
    /// on both sides), as [`crate::channels`] spreads a source's channels.
    pub fn channel(&self, index: usize) -> &[f32] {
        &self.channels[index.min(self.channels.len() - 1)]
    }

    /// The memory the samples take, in bytes (what a cache's budget counts).
    pub fn bytes(&self) -> usize {
        self.frames * self.channels.len() * size_of::<f32>()
    }
}

/// A summary, not the samples.
impl fmt::Debug for AudioData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AudioData")
            .field("sample_rate", &self.sample_rate)
            .field("channels", &self.channels.len())
            .field("frames", &self.frames)
            .finish()
    }
}

/// The decoded files one build may read, by the names its patch uses: a path exactly as the
/// patch writes it (a text input that is an audio file, a clip's file) and a sample bank's
/// word. The same [`AudioData`] may stand under many names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AudioFiles {
    files: BTreeMap<String, Arc<AudioData>>,
    words: BTreeMap<String, Arc<AudioData>>,
}

impl AudioFiles {
    /// No files: what a patch that names none is built with.
    pub const EMPTY: AudioFiles = AudioFiles {
        files: BTreeMap::new(),
        words: BTreeMap::new(),
    };

    /// Files `path` (as the patch writes it) as `data`.
    pub fn insert_file(&mut self, path: impl Into<String>, data: Arc<AudioData>) {
        self.files.insert(path.into(), data);
    }

    /// Files a sample bank's `word` as `data`.
    pub fn insert_word(&mut self, word: impl Into<String>, data: Arc<AudioData>) {
        self.words.insert(word.into(), data);
    }

    /// The audio at `path`, as the patch writes it.
    pub fn file(&self, path: &str) -> Option<&Arc<AudioData>> {
        self.files.get(path)
    }

    /// The audio a sample bank's `word` names.
    pub fn word(&self, word: &str) -> Option<&Arc<AudioData>> {
        self.words.get(word)
    }

    /// The bank's words, in order.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.words.keys().map(String::as_str)
    }
}
