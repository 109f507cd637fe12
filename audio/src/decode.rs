//! Audio files decoded to floating-point samples with symphonia: WAV, AIFF, FLAC, MP3 and Ogg
//! Vorbis, any channel count, 8 to 32-bit integer and 32 or 64-bit float samples.
//!
//! Every failure is an [`ImportError`]: the bytes pass [`guard::check`]
//! first (no header may claim more than the file holds), decoding stops as soon as the samples
//! would outgrow the caller's limit, and a panic inside a decoder is caught and reported as
//! malformed audio rather than unwinding into the host.

use crate::error::ImportError;
use crate::guard;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{CODEC_TYPE_NULL, CodecType, DecoderOptions};
use symphonia::core::errors::Error;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

/// Decoded audio at the file's own rate, one buffer per channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// The file's frames per second.
    pub sample_rate: u32,
    /// One buffer of samples in -1..1 per channel, all of one length.
    pub channels: Vec<Vec<f32>>,
}

impl Decoded {
    /// How many frames each channel holds.
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }
}

/// Decodes `bytes`, an audio file, refusing it once its samples would take more than
/// `max_bytes` (as `f32`). `extension` (without the dot) helps to recognise formats without
/// a signature, such as a bare MP3 stream.
pub fn decode(
    bytes: Vec<u8>,
    extension: Option<&str>,
    max_bytes: usize,
) -> Result<Decoded, ImportError> {
    guard::check(&bytes)?;
    catch_unwind(AssertUnwindSafe(|| {
        decode_checked(bytes, extension, max_bytes)
    }))
    .unwrap_or_else(|_| {
        Err(ImportError::NotAudio(
            "the decoder failed on malformed data".into(),
        ))
    })
}

/// [`decode`] once the headers passed the guard.
fn decode_checked(
    bytes: Vec<u8>,
    extension: Option<&str>,
    max_bytes: usize,
) -> Result<Decoded, ImportError> {
    let stream = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
    let mut hint = Hint::new();
    if let Some(extension) = extension {
        hint.with_extension(extension);
    }
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            stream,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|error| not_audio(&error))?;
    let mut format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|track| track.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| ImportError::NotAudio("the file holds no audio track".into()))?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    let sample_rate = params
        .sample_rate
        .filter(|&rate| rate > 0)
        .ok_or_else(|| ImportError::NotAudio("the file states no sample rate".into()))?;
    let declared = params.n_frames;
    let exact = is_lossless(params.codec);
    // A length stated up front is refused before decoding; a wrong one is caught below.
    if let (Some(frames), Some(channels)) = (declared, params.channels) {
        let needs = usize::try_from(frames)
            .unwrap_or(usize::MAX)
            .saturating_mul(channels.count() * size_of::<f32>());
        if needs > max_bytes {
            return Err(ImportError::OverBudget {
                needs,
                left: max_bytes,
                budget: max_bytes,
            });
        }
    }
    let mut decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(|error| not_audio(&error))?;
    let mut channels: Vec<Vec<f32>> = Vec::new();
    let mut buffer: Option<SampleBuffer<f32>> = None;
    loop {
        let packet = match format.next_packet() {
            Ok(packet) => packet,
            Err(Error::IoError(error)) if error.kind() == std::io::ErrorKind::UnexpectedEof => {
                break;
            }
            Err(error) => return Err(not_audio(&error)),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(decoded) => decoded,
            // A damaged lossy frame is skipped, as players do; a lossless one is an error.
            Err(Error::DecodeError(_)) if !exact => continue,
            Err(error) => return Err(not_audio(&error)),
        };
        let spec = *decoded.spec();
        let count = spec.channels.count();
        if channels.is_empty() {
            channels = vec![Vec::new(); count];
        } else if channels.len() != count {
            return Err(ImportError::NotAudio(
                "the channel count changes inside the stream".into(),
            ));
        }
        let frames = decoded.frames();
        let total = (channels[0].len() + frames).saturating_mul(count * size_of::<f32>());
        if total > max_bytes {
            return Err(ImportError::OverBudget {
                needs: total,
                left: max_bytes,
                budget: max_bytes,
            });
        }
        let buffer = match &mut buffer {
            Some(buffer) if buffer.capacity() >= decoded.capacity() * count => buffer,
            slot => slot.insert(SampleBuffer::new(decoded.capacity() as u64, spec)),
        };
        buffer.copy_interleaved_ref(decoded);
        for frame in buffer.samples().chunks_exact(count) {
            for (channel, &sample) in channels.iter_mut().zip(frame) {
                channel.push(sample);
            }
        }
    }
    let got = channels.first().map_or(0, Vec::len) as u64;
    if got == 0 {
        return Err(ImportError::NotAudio("the file holds no samples".into()));
    }
    // FLAC states its exact length; a RIFF or AIFF file's was checked by the guard
    // (symphonia counts an AIFF's sample-chunk header as frames), a lossy stream's is a guess.
    if let Some(declared) = declared
        && params.codec == symphonia::core::codecs::CODEC_TYPE_FLAC
        && got < declared
    {
        return Err(ImportError::Truncated(format!(
            "{got} of the {declared} frames it declares are there"
        )));
    }
    Ok(Decoded {
        sample_rate,
        channels,
    })
}

/// Whether `codec` reproduces its samples exactly, so that every frame it declares must be
/// there and any damaged frame is an error.
fn is_lossless(codec: CodecType) -> bool {
    use symphonia::core::codecs as c;
    codec == c::CODEC_TYPE_FLAC
        || [
            c::CODEC_TYPE_PCM_S8,
            c::CODEC_TYPE_PCM_U8,
            c::CODEC_TYPE_PCM_S16LE,
            c::CODEC_TYPE_PCM_S16BE,
            c::CODEC_TYPE_PCM_S24LE,
            c::CODEC_TYPE_PCM_S24BE,
            c::CODEC_TYPE_PCM_S32LE,
            c::CODEC_TYPE_PCM_S32BE,
            c::CODEC_TYPE_PCM_F32LE,
            c::CODEC_TYPE_PCM_F32BE,
            c::CODEC_TYPE_PCM_F64LE,
            c::CODEC_TYPE_PCM_F64BE,
        ]
        .contains(&codec)
}

/// A symphonia error as an import error, in lowercase words.
fn not_audio(error: &Error) -> ImportError {
    match error {
        Error::IoError(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => {
            ImportError::Truncated("the file ends inside its header".into())
        }
        Error::Unsupported(what) => ImportError::NotAudio(format!("unsupported {what}")),
        Error::DecodeError(what) | Error::LimitError(what) => {
            ImportError::NotAudio(what.to_string())
        }
        other => ImportError::NotAudio(other.to_string()),
    }
}
