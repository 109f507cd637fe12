//! Offline rendering: a patch to a WAV file, as fast as the CPU allows.

use crate::float_wav::FloatWav;
use patchvm_engine::Frames;
use patchvm_vm::channels::mapped_sample;
use patchvm_vm::cpu::{VectorUnit, wide};
use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom};
use std::path::Path;

/// How samples are stored in the WAV file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleFormat {
    /// 16-bit integers, rounded after clipping to -1..1 (no dither, so renders stay exact).
    Int16,
    /// 24-bit integers, rounded after clipping to -1..1.
    Int24,
    /// 32-bit floats, exactly the VM's samples.
    Float32,
}

impl SampleFormat {
    /// The format with `bits` bits per sample: 16, 24 or 32.
    pub fn from_bits(bits: u16) -> Option<SampleFormat> {
        match bits {
            16 => Some(SampleFormat::Int16),
            24 => Some(SampleFormat::Int24),
            32 => Some(SampleFormat::Float32),
            _ => None,
        }
    }

    fn spec(self, channels: u16, sample_rate: u32) -> hound::WavSpec {
        let (bits_per_sample, sample_format) = match self {
            SampleFormat::Int16 => (16, hound::SampleFormat::Int),
            SampleFormat::Int24 => (24, hound::SampleFormat::Int),
            SampleFormat::Float32 => (32, hound::SampleFormat::Float),
        };
        hound::WavSpec {
            channels,
            sample_rate,
            bits_per_sample,
            sample_format,
        }
    }
}

/// What to render.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RenderOptions {
    /// Frames to render.
    pub frames: u64,
    /// Samples per second written in the file header (the instance must run at this rate).
    pub sample_rate: u32,
    /// Channels in the file; `None` for the patch's own. A mono patch is copied to both
    /// channels of a stereo file; a stereo patch plays `(left + right) / 2` in a mono file,
    /// by the channel mapping every host uses ([`mapped_sample`]).
    pub channels: Option<u16>,
    /// Sample storage.
    pub format: SampleFormat,
}

/// What a render produced.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RenderSummary {
    /// Frames written.
    pub frames: u64,
    /// Channels written.
    pub channels: u16,
    /// Largest absolute sample value, before any clipping to an integer format.
    pub peak: f32,
    /// NaN or infinite samples the VM replaced by silence.
    pub flushed: u64,
}

/// Why a render failed.
#[derive(Debug)]
pub enum RenderError {
    /// The input WAV file could not be read.
    Input(hound::Error),
    /// The output WAV file could not be written.
    Output(hound::Error),
    /// The WAV file would hold more than its 32-bit sizes can describe.
    TooLarge {
        /// The bytes of audio data asked for.
        bytes: u64,
    },
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::Input(error) => write!(f, "cannot read the input: {error}"),
            RenderError::Output(error) => write!(f, "cannot write the output: {error}"),
            RenderError::TooLarge { bytes } => write!(
                f,
                "{bytes} bytes of audio exceed the {MAX_WAV_DATA_BYTES} a WAV file can hold; \
                 render fewer seconds, channels or bits"
            ),
        }
    }
}

impl std::error::Error for RenderError {}

/// The most audio data a WAV file holds: its chunk sizes are 32-bit, and the header (up to 80
/// bytes for the extensible format hound writes) counts too.
pub const MAX_WAV_DATA_BYTES: u64 = u32::MAX as u64 - 80;

/// Frames rendered between progress reports and file writes. Large: each write call costs the
/// kernel more than its bytes (ext4's buffered write path), and with chunks of 4096 frames
/// (16 KB writes of mono float) a fast render spent more CPU time in the kernel writing the
/// file than computing it: 43 writes of 256 KB for a minute of mono audio instead of 703.
const CHUNK_FRAMES: usize = 65536;

/// A WAV file read as the host's audio input, a chunk at a time, so a long file never sits
/// whole in memory. A file cut short (its header promises more frames than it holds) plays
/// the frames it holds: [`frames`](WavInput::frames) says how many, and
/// [`header_frames`](WavInput::header_frames) what the header promised.
pub struct WavInput {
    reader: hound::WavReader<BufReader<File>>,
    spec: hound::WavSpec,
    /// Whole frames the file holds (no more than its header says).
    frames: u64,
    /// Frames its header says it holds.
    header_frames: u64,
    /// Frames not read yet.
    left: u64,
}

impl std::fmt::Debug for WavInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavInput")
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

impl WavInput {
    /// Opens `path` and measures what it holds against what its header says.
    pub fn open(path: &Path) -> Result<WavInput, hound::Error> {
        let file = File::open(path)?;
        let length = file.metadata()?.len();
        // Read the header once to learn where the samples start (hound stops there), then
        // again from the start for the reader kept.
        let mut file = hound::WavReader::new(BufReader::new(file))?.into_inner();
        let start = file.stream_position()?;
        file.seek(SeekFrom::Start(0))?;
        let reader = hound::WavReader::new(file)?;
        let spec = reader.spec();
        // Samples stored in whole bytes, as hound (and nearly every writer) stores them; the
        // end of a file whose samples sit in wider containers is caught by `read`.
        let frame_bytes = u64::from(spec.bits_per_sample.div_ceil(8)) * u64::from(spec.channels);
        let header_frames = u64::from(reader.duration());
        let frames = header_frames.min(length.saturating_sub(start) / frame_bytes.max(1));
        Ok(WavInput {
            reader,
            spec,
            frames,
            header_frames,
            left: frames,
        })
    }

    /// Channels in the file.
    pub fn channels(&self) -> usize {
        usize::from(self.spec.channels)
    }

    /// Samples per second in the file.
    pub fn sample_rate(&self) -> u32 {
        self.spec.sample_rate
    }

    /// Frames the file holds, and plays.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Frames the file's header says it holds: more than [`frames`](WavInput::frames) when
    /// the file was cut short.
    pub fn header_frames(&self) -> u64 {
        self.header_frames
    }

    /// Replaces `samples` with up to `frames` interleaved frames as floats in -1..1; fewer at
    /// the end of the file (or of what it holds).
    fn read(&mut self, frames: usize, samples: &mut Vec<f32>) -> Result<(), hound::Error> {
        samples.clear();
        let frames = (frames as u64).min(self.left);
        self.left -= frames;
        let wanted = frames as usize * self.channels();
        let read = match self.spec.sample_format {
            hound::SampleFormat::Float => {
                let mut read = self.reader.samples::<f32>().take(wanted);
                read.try_for_each(|sample| sample.map(|sample| samples.push(sample)))
            }
            hound::SampleFormat::Int => {
                let scale = 1.0 / (1_i64 << (self.spec.bits_per_sample - 1)) as f32;
                let mut read = self.reader.samples::<i32>().take(wanted);
                read.try_for_each(|sample| sample.map(|sample| samples.push(sample as f32 * scale)))
            }
        };
        match read {
            // The file ends before `frames` said (samples in containers wider than their
            // bytes): the input ends with its last whole frame.
            Err(hound::Error::IoError(error))
                if error.kind() == std::io::ErrorKind::UnexpectedEof =>
            {
                samples.truncate(samples.len() / self.channels() * self.channels());
                self.left = 0;
                Ok(())
            }
            other => other,
        }
    }
}

/// Renders `options.frames` frames of `instance` into a WAV file at `path`, with `input` (if
/// any) as the host's audio input, calling `progress(done, total)` after every chunk.
///
/// `path` is written as the render goes; a caller that must never leave a partial file
/// under the name asked for renders to a temporary file and renames it (as `patchvm render`
/// does). A 32-bit float file of the patch's channels is written without seeking, so `path`
/// may be a pipe.
pub fn render_to_wav(
    instance: &mut dyn Frames,
    path: &Path,
    options: &RenderOptions,
    mut input: Option<&mut WavInput>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<RenderSummary, RenderError> {
    let source_channels = instance.channels();
    let channels = options.channels.unwrap_or(source_channels as u16);
    let bytes_per_sample = match options.format {
        SampleFormat::Int16 => 2,
        SampleFormat::Int24 => 3,
        SampleFormat::Float32 => 4,
    };
    let bytes = options
        .frames
        .saturating_mul(u64::from(channels) * bytes_per_sample);
    if bytes > MAX_WAV_DATA_BYTES {
        return Err(RenderError::TooLarge { bytes });
    }
    // Samples written unchanged (same channels, 32-bit float) go a chunk at a time through
    // `FloatWav`; anything converted, sample by sample through hound.
    let unchanged =
        usize::from(channels) == source_channels && options.format == SampleFormat::Float32;
    let mut writer = match unchanged {
        true => File::create(path)
            .and_then(|file| FloatWav::create(file, channels, options.sample_rate, bytes))
            .map(Writer::Float)
            .map_err(output)?,
        false => Writer::Hound(
            hound::WavWriter::create(path, options.format.spec(channels, options.sample_rate))
                .map_err(output)?,
        ),
    };
    let mut rendered = vec![0.0_f32; CHUNK_FRAMES * source_channels];
    let mut input_samples = Vec::new();
    let mut peak = 0.0_f32;
    let mut done = 0;
    while done < options.frames {
        let frames = (options.frames - done).min(CHUNK_FRAMES as u64) as usize;
        let block = &mut rendered[..frames * source_channels];
        let input_channels = match input.as_deref_mut() {
            Some(input) => {
                input
                    .read(frames, &mut input_samples)
                    .map_err(RenderError::Input)?;
                input.channels()
            }
            None => 0,
        };
        instance.render(&input_samples, input_channels, block);
        match &mut writer {
            Writer::Float(writer) => {
                peak = peak_of(block, peak);
                writer.write(block).map_err(output)?;
            }
            Writer::Hound(writer) => {
                for frame in block.chunks(source_channels) {
                    for channel in 0..usize::from(channels) {
                        let sample =
                            mapped_sample(frame.len(), channels.into(), channel, |c| frame[c]);
                        peak = peak.max(sample.abs());
                        write_sample(writer, options.format, sample).map_err(output)?;
                    }
                }
            }
        }
        done += frames as u64;
        progress(done, options.frames);
    }
    match writer {
        Writer::Float(writer) => writer.finish().map(drop).map_err(output)?,
        Writer::Hound(writer) => writer.finalize().map_err(output)?,
    }
    Ok(RenderSummary {
        frames: done,
        channels,
        peak,
        flushed: instance.flushed(),
    })
}

/// The largest of `peak` and the absolute values of `samples`; a NaN never wins.
///
/// A single running maximum is a chain that the compiler keeps scalar (a float maximum is not
/// reassociated): at four instructions a sample it cost a fast render (w1, a sine into a gain)
/// a fifth of its instructions, as many as the gain and half the sine. So the maximum runs in
/// [`PEAK_LANES`] lanes, compiled for AVX2 when the CPU has it ([`wide`]). The maximum of a
/// set does not depend on the order it is taken in, so the result is the sample-by-sample
/// scan's.
fn peak_of(samples: &[f32], peak: f32) -> f32 {
    wide(
        VectorUnit::Avx2,
        #[inline(always)]
        |_| peak_in(samples, peak),
    )
}

/// Running maxima kept side by side: four vectors of AVX2, eight of the baseline target's,
/// so a sample costs about half an instruction either way.
const PEAK_LANES: usize = 32;

/// [`peak_of`]'s loops, inlined into each of its two compilations.
#[inline(always)]
fn peak_in(samples: &[f32], peak: f32) -> f32 {
    /// `level` if it is above `max`, else `max`: a NaN never wins, and it is one `maxps`.
    #[inline(always)]
    fn above(level: f32, max: f32) -> f32 {
        if level > max { level } else { max }
    }
    let mut lanes = [peak; PEAK_LANES];
    let mut chunks = samples.chunks_exact(PEAK_LANES);
    for chunk in &mut chunks {
        for (lane, &sample) in lanes.iter_mut().zip(chunk) {
            *lane = above(sample.abs(), *lane);
        }
    }
    chunks
        .remainder()
        .iter()
        .chain(&lanes)
        .fold(peak, |max, sample| above(sample.abs(), max))
}

/// A write error, of either writer.
fn output(error: impl Into<hound::Error>) -> RenderError {
    RenderError::Output(error.into())
}

/// Where a render's samples go.
enum Writer {
    /// 32-bit float samples as rendered, a chunk at a time, under a header written first
    /// with the whole length (so the file may be a pipe).
    Float(FloatWav),
    /// Anything else, through hound.
    Hound(hound::WavWriter<std::io::BufWriter<File>>),
}

fn write_sample<W: std::io::Write + Seek>(
    writer: &mut hound::WavWriter<W>,
    format: SampleFormat,
    sample: f32,
) -> Result<(), hound::Error> {
    let clipped = f64::from(sample.clamp(-1.0, 1.0));
    match format {
        SampleFormat::Float32 => writer.write_sample(sample),
        SampleFormat::Int16 => writer.write_sample((clipped * f64::from(i16::MAX)).round() as i16),
        SampleFormat::Int24 => writer.write_sample((clipped * 8_388_607.0).round() as i32),
    }
}

#[cfg(test)]
mod tests {
    use super::{WavInput, peak_in, peak_of};

    /// A 16-bit stereo WAV of `frames` frames (left `i`, right `-i`) at `path`, then cut to
    /// `keep` bytes.
    fn cut_wav(path: &std::path::Path, frames: i16, keep: u64) {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 8_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut writer = hound::WavWriter::create(path, spec).unwrap();
        for i in 0..frames {
            writer.write_sample(i).unwrap();
            writer.write_sample(-i).unwrap();
        }
        writer.finalize().unwrap();
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .unwrap()
            .set_len(keep)
            .unwrap();
    }

    #[test]
    fn a_cut_short_input_plays_the_whole_frames_it_holds() {
        let path = std::env::temp_dir().join(format!("patchvm-cut-{}.wav", std::process::id()));
        // hound's header is 44 bytes here; 1 000 frames of 4 bytes, cut to 600 and a half.
        cut_wav(&path, 1_000, 44 + 600 * 4 + 2);
        let mut input = WavInput::open(&path).unwrap();
        assert_eq!((input.frames(), input.header_frames()), (600, 1_000));
        let mut samples = Vec::new();
        input.read(512, &mut samples).unwrap();
        assert_eq!(samples.len(), 1_024);
        input.read(512, &mut samples).unwrap();
        let scale = 1.0 / 32_768.0;
        let want: Vec<f32> = (512..600)
            .flat_map(|i| [i as f32 * scale, -i as f32 * scale])
            .collect();
        assert_eq!(samples, want);
        input.read(512, &mut samples).unwrap();
        assert!(samples.is_empty());
        // A whole file holds what its header says.
        cut_wav(&path, 1_000, 44 + 1_000 * 4);
        let input = WavInput::open(&path).unwrap();
        assert_eq!((input.frames(), input.header_frames()), (1_000, 1_000));
        std::fs::remove_file(&path).unwrap();
    }

    /// The scan one sample at a time that `peak_of` must agree with.
    fn scan(samples: &[f32], peak: f32) -> f32 {
        samples.iter().fold(peak, |max, sample| {
            if sample.abs() > max {
                sample.abs()
            } else {
                max
            }
        })
    }

    #[test]
    fn the_peak_is_the_scans_whatever_the_length_and_with_nans_in_both_copies() {
        // A decaying sine with its loudest sample at a different place for each length, and
        // NaNs sprinkled in, which must never win.
        for len in 0..140 {
            let samples: Vec<f32> = (0..len)
                .map(|i| match i % 11 {
                    7 => f32::NAN,
                    _ => (i as f32 * 0.7).sin() * (1.0 + (i * 13 % len.max(1)) as f32),
                })
                .collect();
            for start in [0.0, 0.5, f32::NAN] {
                let slow = scan(&samples, start);
                // The copy the CPU picks, and the baseline one.
                for fast in [peak_of(&samples, start), peak_in(&samples, start)] {
                    assert!(
                        fast == slow || (fast.is_nan() && slow.is_nan()),
                        "length {len}, start {start}: {fast} against {slow}"
                    );
                }
            }
        }
    }
}
