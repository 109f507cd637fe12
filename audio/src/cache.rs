//! The cache every build's audio files come from: one [`AudioData`] per content and rate.
//!
//! A file is identified by the hash of its bytes (BLAKE3), so the same bytes under two names
//! are decoded and stored once, and a hundred nodes playing one file share one `Arc`. A file
//! read before is not read again while its size and modification time are unchanged; one
//! whose bytes changed is decoded anew. Decoded samples count against a byte budget
//! (`--max-sample-bytes`): audio no build holds any more is let go when room is needed, and a
//! file that would still exceed the budget is refused, never half-loaded.

use crate::error::ImportError;
use crate::import;
use patchvm_vm::audio::AudioData;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// The budget when none is given: 1 GiB of decoded samples, some 93 minutes of stereo at
/// 48 kHz.
pub const DEFAULT_MAX_SAMPLE_BYTES: usize = 1 << 30;

/// A file as it was when last read: what tells an unchanged file without reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seen {
    len: u64,
    modified: Option<SystemTime>,
    hash: [u8; 32],
}

/// Decoded audio by content and rate, within a byte budget. Control side only.
#[derive(Debug)]
pub struct AudioCache {
    budget: usize,
    /// The audio of each content hash at each rate (its bits).
    entries: HashMap<([u8; 32], u64), Arc<AudioData>>,
    /// Each file read, as it was then.
    seen: HashMap<PathBuf, Seen>,
    /// Files decoded so far (cache misses).
    decodes: u64,
}

impl AudioCache {
    /// An empty cache holding at most `budget` bytes of decoded samples.
    pub fn new(budget: usize) -> AudioCache {
        AudioCache {
            budget,
            entries: HashMap::new(),
            seen: HashMap::new(),
            decodes: 0,
        }
    }

    /// The audio of the file at `path`, at `sample_rate`: from the cache when the file is
    /// unchanged (same size and modification time) or its bytes were seen before, else read,
    /// decoded and resampled here.
    pub fn load(&mut self, path: &Path, sample_rate: f64) -> Result<Arc<AudioData>, ImportError> {
        let metadata = fs::metadata(path).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => ImportError::Missing,
            _ => ImportError::Unreadable(error.to_string().to_lowercase()),
        })?;
        if metadata.is_dir() {
            return Err(ImportError::Unreadable("it is a folder".into()));
        }
        if !metadata.is_file() {
            return Err(ImportError::Unreadable("it is not a regular file".into()));
        }
        let len = metadata.len();
        let modified = metadata.modified().ok();
        if let Some(seen) = self.seen.get(path)
            && seen.len == len
            && seen.modified == modified
            && let Some(data) = self.entries.get(&(seen.hash, sample_rate.to_bits()))
        {
            return Ok(Arc::clone(data));
        }
        // No format stores a sample in less than half the bytes it takes decoded, but for
        // 64-bit float; a file past twice the budget cannot fit, and is not read at all.
        let floor = usize::try_from(len / 2).unwrap_or(usize::MAX);
        if floor > self.budget {
            return Err(ImportError::OverBudget {
                needs: floor,
                left: self.budget - self.used().min(self.budget),
                budget: self.budget,
            });
        }
        let bytes = fs::read(path)
            .map_err(|error| ImportError::Unreadable(error.to_string().to_lowercase()))?;
        let hash = *blake3::hash(&bytes).as_bytes();
        let extension = path.extension().and_then(|extension| extension.to_str());
        let data = self.import_hashed(bytes, hash, extension, sample_rate)?;
        self.seen.insert(
            path.to_path_buf(),
            Seen {
                len,
                modified,
                hash,
            },
        );
        Ok(data)
    }

    /// The audio of `bytes` (an audio file's contents) at `sample_rate`, decoded unless the
    /// same bytes were decoded at that rate before.
    pub fn import(
        &mut self,
        bytes: Vec<u8>,
        extension: Option<&str>,
        sample_rate: f64,
    ) -> Result<Arc<AudioData>, ImportError> {
        let hash = *blake3::hash(&bytes).as_bytes();
        self.import_hashed(bytes, hash, extension, sample_rate)
    }

    /// [`import`](AudioCache::import) for bytes already hashed.
    fn import_hashed(
        &mut self,
        bytes: Vec<u8>,
        hash: [u8; 32],
        extension: Option<&str>,
        sample_rate: f64,
    ) -> Result<Arc<AudioData>, ImportError> {
        let key = (hash, sample_rate.to_bits());
        if let Some(data) = self.entries.get(&key) {
            return Ok(Arc::clone(data));
        }
        // Audio that only the cache holds is no build's any more: room for this file.
        self.entries.retain(|_, data| Arc::strong_count(data) > 1);
        let left = self.budget - self.used().min(self.budget);
        self.decodes += 1;
        let data = import(bytes, extension, sample_rate, left).map_err(|error| match error {
            ImportError::OverBudget { needs, .. } => ImportError::OverBudget {
                needs,
                left,
                budget: self.budget,
            },
            other => other,
        })?;
        let data = Arc::new(data);
        self.entries.insert(key, Arc::clone(&data));
        Ok(data)
    }

    /// Bytes of decoded samples the cache holds.
    pub fn used(&self) -> usize {
        self.entries.values().map(|data| data.bytes()).sum()
    }

    /// The most bytes of decoded samples it may hold.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// How many times a file was decoded (each a cache miss), for tests and statistics.
    pub fn decodes(&self) -> u64 {
        self.decodes
    }
}
