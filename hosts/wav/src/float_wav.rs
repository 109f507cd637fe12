//! 32-bit float WAV files written a chunk of samples at a time, with the bytes the storage
//! took counted exactly, so the header can always be made to say what the file holds.
//!
//! hound writes a sample per call through a `BufWriter` (its own documentation calls that
//! overhead large: on a 60 s render of a 440 Hz sine it took 40 % of the render's time), and
//! after a failed write it cannot tell how much reached the disk, so a full disk left the
//! sink's file with a header saying 0 frames. Here every byte the storage accepts is counted,
//! the header can be rewritten at any time ([`FloatWav::update_header`]), and after a write
//! error the file is cut to its last whole frame and its header made to say so
//! ([`FloatWav::salvage`]).

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};

/// Bytes of the header written here: RIFF, `fmt ` in the WAVE_FORMAT_EXTENSIBLE form (40
/// bytes: tag 0xFFFE, then the channel mask and the IEEE float sub-format), the `fact` chunk
/// (the frame count, which a format other than PCM must carry) and the `data` chunk's header.
///
/// Extensible because Microsoft's rules ask for it for samples of more than 16 bits: strict
/// readers (and sox, which warns) expect it for 32-bit float, and it names the channels.
pub(crate) const HEADER_BYTES: u64 = 80;

/// Where the `fact` chunk's frame count is.
const FACT_FRAMES_AT: u64 = 68;

/// `KSDATAFORMAT_SUBTYPE_IEEE_FLOAT`, 00000003-0000-0010-8000-00aa00389b71, as stored.
const IEEE_FLOAT_GUID: [u8; 16] = [
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

/// The speakers of `channels` channels, as WAVE_FORMAT_EXTENSIBLE's mask: front centre for
/// one, front left and right for two, none named beyond.
fn channel_mask(channels: u16) -> u32 {
    match channels {
        1 => 0x4,
        2 => 0x3,
        _ => 0,
    }
}

/// Where a float WAV file's bytes go: a file, or in tests a writer that fails on cue.
pub(crate) trait Storage: Write + Seek {
    /// Cuts the storage to `len` bytes: what a salvaged file keeps.
    fn set_len(&mut self, len: u64) -> io::Result<()>;
}

impl Storage for File {
    fn set_len(&mut self, len: u64) -> io::Result<()> {
        File::set_len(self, len)
    }
}

/// A 32-bit float WAV file being written.
#[derive(Debug)]
pub(crate) struct FloatWav<S: Write = File> {
    storage: S,
    /// Bytes per frame: four per channel.
    block_align: u64,
    /// Bytes of samples the storage has taken, a partial frame included.
    data_bytes: u64,
}

impl<S: Write> FloatWav<S> {
    /// Writes the [`HEADER_BYTES`]-byte header (WAVE_FORMAT_EXTENSIBLE, IEEE float) for `data_bytes` bytes of
    /// `channels`-channel samples at `sample_rate`: the whole length when it is known, so the
    /// file needs no seeking (it may be a pipe); 0 for a file whose header
    /// [`update_header`](FloatWav::update_header) keeps up to date.
    ///
    /// The caller keeps `data_bytes` within a WAV file's 32-bit sizes
    /// (`render::MAX_WAV_DATA_BYTES`).
    pub(crate) fn create(
        mut storage: S,
        channels: u16,
        sample_rate: u32,
        data_bytes: u64,
    ) -> io::Result<FloatWav<S>> {
        let block_align = channels * 4;
        let mut header = [0_u8; HEADER_BYTES as usize];
        let mut at = 0;
        for field in [
            &b"RIFF"[..],
            &riff_size(data_bytes).to_le_bytes(),
            b"WAVEfmt ",
            &40_u32.to_le_bytes(),
            &0xfffe_u16.to_le_bytes(),
            &channels.to_le_bytes(),
            &sample_rate.to_le_bytes(),
            &(sample_rate * u32::from(block_align)).to_le_bytes(),
            &block_align.to_le_bytes(),
            &32_u16.to_le_bytes(),
            &22_u16.to_le_bytes(),
            &32_u16.to_le_bytes(),
            &channel_mask(channels).to_le_bytes(),
            &IEEE_FLOAT_GUID,
            b"fact",
            &4_u32.to_le_bytes(),
            &chunk_size(data_bytes / u64::from(block_align.max(1))).to_le_bytes(),
            b"data",
            &chunk_size(data_bytes).to_le_bytes(),
        ] {
            header[at..at + field.len()].copy_from_slice(field);
            at += field.len();
        }
        storage.write_all(&header)?;
        Ok(FloatWav {
            storage,
            block_align: u64::from(block_align),
            data_bytes: 0,
        })
    }

    /// Appends `samples`, interleaved, counting every byte the storage takes, so that after
    /// an error [`salvage`](FloatWav::salvage) knows what the file holds.
    pub(crate) fn write(&mut self, samples: &[f32]) -> io::Result<()> {
        #[cfg(target_endian = "little")]
        // SAFETY: an `f32` is four initialised bytes without padding, which on a little-endian
        // machine are its little-endian bytes; `u8` needs no alignment; the byte slice covers
        // exactly the samples' memory and only reads it.
        let bytes = unsafe {
            std::slice::from_raw_parts(samples.as_ptr().cast::<u8>(), size_of_val(samples))
        };
        #[cfg(not(target_endian = "little"))]
        let bytes = &samples
            .iter()
            .flat_map(|s| s.to_le_bytes())
            .collect::<Vec<u8>>();
        let mut rest = bytes;
        while !rest.is_empty() {
            match self.storage.write(rest) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(taken) => {
                    self.data_bytes += taken as u64;
                    rest = &rest[taken..];
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Whole frames written so far.
    pub(crate) fn frames(&self) -> u64 {
        self.data_bytes / self.block_align
    }

    /// The storage, for tests to read.
    #[cfg(test)]
    pub(crate) fn storage(&self) -> &S {
        &self.storage
    }

    /// Writes out what the storage buffers, and returns it.
    pub(crate) fn finish(mut self) -> io::Result<S> {
        self.storage.flush()?;
        Ok(self.storage)
    }
}

impl<S: Storage> FloatWav<S> {
    /// Rewrites the header's two sizes to say the whole frames written so far, and returns to
    /// the end: after this the file reads as complete, whatever happens to the process.
    pub(crate) fn update_header(&mut self) -> io::Result<()> {
        let data_bytes = self.frames() * self.block_align;
        self.storage.seek(SeekFrom::Start(4))?;
        self.storage
            .write_all(&riff_size(data_bytes).to_le_bytes())?;
        self.storage.seek(SeekFrom::Start(FACT_FRAMES_AT))?;
        self.storage
            .write_all(&chunk_size(self.frames()).to_le_bytes())?;
        self.storage.seek(SeekFrom::Start(HEADER_BYTES - 4))?;
        self.storage
            .write_all(&chunk_size(data_bytes).to_le_bytes())?;
        self.storage
            .seek(SeekFrom::Start(HEADER_BYTES + self.data_bytes))?;
        self.storage.flush()
    }

    /// After a write error: cuts the file to its last whole frame and makes the header say
    /// so, keeping everything the storage took. Returns the frames kept.
    pub(crate) fn salvage(&mut self) -> io::Result<u64> {
        self.data_bytes = self.frames() * self.block_align;
        self.storage.set_len(HEADER_BYTES + self.data_bytes)?;
        self.update_header()?;
        Ok(self.frames())
    }
}

/// The RIFF chunk's size for `data_bytes` of samples: the header after its first 8 bytes.
fn riff_size(data_bytes: u64) -> u32 {
    chunk_size(data_bytes).saturating_add((HEADER_BYTES - 8) as u32)
}

/// A 32-bit chunk size; the callers keep sizes within it.
fn chunk_size(data_bytes: u64) -> u32 {
    u32::try_from(data_bytes).unwrap_or(u32::MAX)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Cursor;

    /// In-memory storage that takes `room` bytes, then fails as a full disk does: a write
    /// straddling the limit takes what fits (a short write), the next fails.
    #[derive(Debug)]
    pub(crate) struct FullDisk {
        pub(crate) file: Cursor<Vec<u8>>,
        pub(crate) room: u64,
    }

    impl Write for FullDisk {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            let left = self.room.saturating_sub(self.file.position());
            if left == 0 && !bytes.is_empty() {
                return Err(io::Error::from_raw_os_error(28)); // ENOSPC
            }
            let fits = bytes.len().min(left as usize);
            self.file.write(&bytes[..fits])
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Seek for FullDisk {
        fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
            self.file.seek(to)
        }
    }

    impl Storage for FullDisk {
        fn set_len(&mut self, len: u64) -> io::Result<()> {
            self.file.get_mut().truncate(len as usize);
            Ok(())
        }
    }

    impl Storage for Cursor<Vec<u8>> {
        fn set_len(&mut self, len: u64) -> io::Result<()> {
            self.get_mut().resize(len as usize, 0);
            Ok(())
        }
    }

    fn read(bytes: Vec<u8>) -> (hound::WavSpec, Vec<f32>) {
        let mut reader = hound::WavReader::new(Cursor::new(bytes)).unwrap();
        let samples = reader.samples::<f32>().map(Result::unwrap).collect();
        (reader.spec(), samples)
    }

    #[test]
    fn a_file_of_known_length_reads_back_exactly_without_seeking() {
        let samples: Vec<f32> = (0..10).map(|i| i as f32 / 10.0 - 0.5).collect();
        let mut wav = FloatWav::create(Vec::new(), 2, 44_100, 40).unwrap();
        wav.write(&samples).unwrap();
        assert_eq!(wav.frames(), 5);
        let bytes = wav.finish().unwrap();
        assert_eq!(bytes.len(), 80 + 40);
        let (spec, read_back) = read(bytes);
        assert_eq!(
            (spec.channels, spec.sample_rate, spec.bits_per_sample),
            (2, 44_100, 32)
        );
        assert_eq!(spec.sample_format, hound::SampleFormat::Float);
        assert_eq!(read_back, samples);
    }

    #[test]
    fn the_header_is_wave_format_extensible_ieee_float_byte_for_byte() {
        let mut wav = FloatWav::create(Cursor::new(Vec::new()), 2, 48_000, 0).unwrap();
        wav.write(&[0.5, -0.5, 0.25, -0.25, 1.0, -1.0]).unwrap();
        wav.update_header().unwrap();
        let bytes = wav.finish().unwrap().into_inner();
        let expected: Vec<u8> = [
            &b"RIFF"[..],
            &(72_u32 + 24).to_le_bytes(), // everything after these 8 bytes
            b"WAVE",
            b"fmt ",
            &40_u32.to_le_bytes(),
            &[0xfe, 0xff], // WAVE_FORMAT_EXTENSIBLE
            &[2, 0],       // channels
            &48_000_u32.to_le_bytes(),
            &(48_000_u32 * 8).to_le_bytes(), // bytes per second
            &[8, 0],                         // bytes per frame
            &[32, 0],                        // bits per sample
            &[22, 0],                        // extension size
            &[32, 0],                        // valid bits
            &[3, 0, 0, 0],                   // front left | front right
            &[
                3, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71,
            ],
            b"fact",
            &4_u32.to_le_bytes(),
            &3_u32.to_le_bytes(), // frames
            b"data",
            &24_u32.to_le_bytes(),
        ]
        .concat();
        assert_eq!(bytes[..80], expected[..]);
        let (spec, samples) = read(bytes);
        assert_eq!(
            (spec.channels, spec.sample_rate, spec.bits_per_sample),
            (2, 48_000, 32)
        );
        assert_eq!(spec.sample_format, hound::SampleFormat::Float);
        assert_eq!(samples, [0.5, -0.5, 0.25, -0.25, 1.0, -1.0]);
        // Mono names the front centre.
        let mono = FloatWav::create(Vec::new(), 1, 44_100, 0)
            .unwrap()
            .finish()
            .unwrap();
        assert_eq!(mono[40..44], [4, 0, 0, 0]);
    }

    #[test]
    fn the_header_says_what_was_written_each_time_it_is_updated() {
        let mut wav = FloatWav::create(Cursor::new(Vec::new()), 1, 48_000, 0).unwrap();
        let (_, nothing) = read(wav.storage.get_ref().clone());
        assert!(nothing.is_empty());
        wav.write(&[0.25; 7]).unwrap();
        wav.update_header().unwrap();
        let (_, seven) = read(wav.storage.get_ref().clone());
        assert_eq!(seven, [0.25; 7]);
        // Writing goes on where it was, after the header's rewrite.
        wav.write(&[-0.5; 3]).unwrap();
        wav.update_header().unwrap();
        let (_, ten) = read(wav.finish().unwrap().into_inner());
        assert_eq!(ten, [[0.25; 7].as_slice(), &[-0.5; 3]].concat());
    }

    #[test]
    fn a_full_disk_leaves_the_whole_frames_it_took_with_a_header_that_says_so() {
        // Room for the header and 10.5 stereo frames: 84 bytes of samples, then the disk is
        // full in the middle of a frame.
        let disk = FullDisk {
            file: Cursor::new(Vec::new()),
            room: 80 + 84,
        };
        let mut wav = FloatWav::create(disk, 2, 48_000, 0).unwrap();
        let samples: Vec<f32> = (0..64).map(|i| i as f32).collect();
        wav.write(&samples[..16]).unwrap();
        let error = wav.write(&samples[16..]).unwrap_err();
        assert_eq!(error.raw_os_error(), Some(28));
        assert_eq!(wav.frames(), 10);
        assert_eq!(wav.salvage().unwrap(), 10);
        let bytes = wav.storage.file.into_inner();
        assert_eq!(bytes.len(), 80 + 80);
        let (_, kept) = read(bytes);
        assert_eq!(kept, samples[..20]);
    }
}
