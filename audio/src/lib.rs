//! patchvm's audio-file import: files decoded, resampled to the engine's rate and cached once
//! per content, all on the control side.
//!
//! A patch names audio files (a sampler's file, a sample bank's words); the engine loads each
//! through an [`AudioCache`], which reads the file, decodes it ([`decode`]: symphonia, WAV,
//! AIFF, FLAC, MP3, Ogg Vorbis), resamples it to the engine's rate ([`resample`]: rubato) and
//! keeps the result as one shared [`AudioData`] per content hash and rate, so the same bytes
//! under two names, or played by a hundred nodes, are decoded and stored once, within a byte
//! budget. Kernels only ever read the shared samples; nothing here runs on the audio thread.
//!
//! ```
//! use patchvm_audio::import;
//! // A one-channel 16-bit WAV at 24 kHz holding four samples.
//! let mut wav = Vec::new();
//! wav.extend_from_slice(b"RIFF\x2c\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0");
//! wav.extend_from_slice(&24_000u32.to_le_bytes());
//! wav.extend_from_slice(&48_000u32.to_le_bytes());
//! wav.extend_from_slice(b"\x02\0\x10\0data\x08\0\0\0");
//! for sample in [0i16, 16_384, -16_384, 32_767] {
//!     wav.extend_from_slice(&sample.to_le_bytes());
//! }
//! let audio = import(wav.clone(), None, 24_000.0, 1 << 20).unwrap();
//! assert_eq!(audio.channel(0), [0.0, 0.5, -0.5, 32_767.0 / 32_768.0]);
//! // At twice the rate, twice the frames.
//! assert_eq!(import(wav, None, 48_000.0, 1 << 20).unwrap().frames(), 8);
//! ```

#![deny(missing_docs)]

pub mod cache;
pub mod decode;
mod error;
pub mod guard;
pub mod resample;

pub use cache::{AudioCache, DEFAULT_MAX_SAMPLE_BYTES};
pub use error::ImportError;
pub use patchvm_vm::audio::{AudioData, AudioFiles};

/// Decodes `bytes` (an audio file; `extension` hints its format) and resamples it to
/// `sample_rate`: what the cache does for a file it has not seen. Refused when the samples,
/// at the file's rate or at `sample_rate`, would take more than `max_bytes`.
pub fn import(
    bytes: Vec<u8>,
    extension: Option<&str>,
    sample_rate: f64,
    max_bytes: usize,
) -> Result<AudioData, ImportError> {
    let decoded = decode::decode(bytes, extension, max_bytes)?;
    let from = f64::from(decoded.sample_rate);
    let frames = decoded.frames() as f64 * sample_rate / from;
    let needs = (frames.ceil() as usize).saturating_mul(decoded.channels.len() * size_of::<f32>());
    if needs > max_bytes {
        return Err(ImportError::OverBudget {
            needs,
            left: max_bytes,
            budget: max_bytes,
        });
    }
    let channels = resample::resample(decoded.channels, from, sample_rate);
    Ok(AudioData::new(sample_rate, channels)
        .expect("decoded channels of one length at a positive rate"))
}
