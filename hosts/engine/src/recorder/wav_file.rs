//! The file a recording writes: 32-bit float WAV whose header is kept up to date while it
//! grows, turning into RF64 (EBU Tech 3306) in place when it would pass a WAV file's 4 GiB.
//!
//! The engine pulls in no I/O crate (hound is `patchvm-wav`'s), so the few header bytes are
//! written here. The header reserves a 28-byte `JUNK` chunk where RF64 wants its `ds64`
//! chunk: going over to RF64 rewrites the header's first bytes, never moves the samples.
//! Readers that know no RF64 skip `JUNK` like any unknown chunk.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

/// Header bytes: RIFF (12), JUNK/ds64 (36), `fmt ` in the WAVE_FORMAT_EXTENSIBLE form (48),
/// `fact` (12), the `data` chunk's header (8).
pub(crate) const HEADER_BYTES: u64 = 116;

/// A plain WAV file's sizes are 32-bit: past this many bytes a file must be RF64.
pub(crate) const WAV_LIMIT: u64 = u32::MAX as u64;

/// `KSDATAFORMAT_SUBTYPE_IEEE_FLOAT`, 00000003-0000-0010-8000-00aa00389b71, as stored.
const IEEE_FLOAT_GUID: [u8; 16] = [
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

/// A recording's WAV file being written.
#[derive(Debug)]
pub(crate) struct WavFile {
    file: BufWriter<File>,
    channels: u16,
    sample_rate: u32,
    /// Bytes of samples written.
    data_bytes: u64,
    /// The file size past which it becomes RF64 ([`WAV_LIMIT`] but in tests).
    limit: u64,
    /// Whether the header is RF64's.
    rf64: bool,
    /// The samples' bytes on their way to the file, kept between writes.
    bytes: Vec<u8>,
}

impl WavFile {
    /// Creates `path` (replacing a file there) with a header for no samples yet.
    pub(crate) fn create(
        path: &Path,
        channels: u16,
        sample_rate: u32,
        limit: u64,
    ) -> io::Result<WavFile> {
        let mut wav = WavFile {
            file: BufWriter::with_capacity(1 << 16, File::create(path)?),
            channels,
            sample_rate,
            data_bytes: 0,
            limit,
            rf64: false,
            bytes: Vec::new(),
        };
        wav.file.write_all(&wav.header())?;
        Ok(wav)
    }

    /// Appends interleaved samples (whole frames).
    pub(crate) fn write(&mut self, samples: &[f32]) -> io::Result<()> {
        self.bytes.clear();
        self.bytes
            .extend(samples.iter().flat_map(|sample| sample.to_le_bytes()));
        self.file.write_all(&self.bytes)?;
        self.data_bytes += 4 * samples.len() as u64;
        Ok(())
    }

    /// Whole frames written.
    pub(crate) fn frames(&self) -> u64 {
        self.data_bytes / (4 * u64::from(self.channels))
    }

    /// Writes out what is buffered and rewrites the header to say what the file holds
    /// (RF64's from the moment it passes the limit), then returns to its end: after this the
    /// file reads complete whatever happens to the process.
    pub(crate) fn update_header(&mut self) -> io::Result<()> {
        self.rf64 |= HEADER_BYTES + self.data_bytes > self.limit;
        self.file.flush()?;
        let header = self.header();
        let file = self.file.get_mut();
        file.seek(SeekFrom::Start(0))?;
        file.write_all(&header)?;
        file.seek(SeekFrom::End(0))?;
        Ok(())
    }

    /// Brings the header up to date, writes everything out and syncs it to the disk.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.update_header()?;
        self.file.get_ref().sync_all()
    }

    /// The header for what is written now.
    fn header(&self) -> [u8; HEADER_BYTES as usize] {
        let block_align = self.channels * 4;
        let frames = self.frames();
        let riff_bytes = HEADER_BYTES - 8 + self.data_bytes;
        // RF64 says "see ds64" in every 32-bit size.
        let small = |size: u64| if self.rf64 { u32::MAX } else { size as u32 };
        let (riff, ds64): (&[u8], &[u8]) = if self.rf64 {
            (b"RF64", b"ds64")
        } else {
            (b"RIFF", b"JUNK")
        };
        let mask: u32 = match self.channels {
            1 => 0x4,
            2 => 0x3,
            _ => 0,
        };
        let mut header = [0_u8; HEADER_BYTES as usize];
        let mut at = 0;
        for field in [
            riff,
            &small(riff_bytes).to_le_bytes(),
            b"WAVE",
            ds64,
            &28_u32.to_le_bytes(),
            &riff_bytes.to_le_bytes(),
            &self.data_bytes.to_le_bytes(),
            &frames.to_le_bytes(),
            &0_u32.to_le_bytes(),
            b"fmt ",
            &40_u32.to_le_bytes(),
            &0xfffe_u16.to_le_bytes(),
            &self.channels.to_le_bytes(),
            &self.sample_rate.to_le_bytes(),
            &(self.sample_rate * u32::from(block_align)).to_le_bytes(),
            &block_align.to_le_bytes(),
            &32_u16.to_le_bytes(),
            &22_u16.to_le_bytes(),
            &32_u16.to_le_bytes(),
            &mask.to_le_bytes(),
            &IEEE_FLOAT_GUID,
            b"fact",
            &4_u32.to_le_bytes(),
            &small(frames).to_le_bytes(),
            b"data",
            &small(self.data_bytes).to_le_bytes(),
        ] {
            header[at..at + field.len()].copy_from_slice(field);
            at += field.len();
        }
        header
    }
}

/// The samples and format of a float WAV or RF64 file written by [`WavFile`], read back by
/// its layout: `(channels, sample_rate, rf64, samples)`. For tests, and to check a take.
#[cfg(test)]
pub(crate) fn read_back(bytes: &[u8]) -> (u16, u32, bool, Vec<f32>) {
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let rf64 = &bytes[0..4] == b"RF64";
    assert_eq!(&bytes[8..12], b"WAVE");
    assert_eq!(&bytes[12..16], if rf64 { b"ds64" } else { b"JUNK" });
    assert_eq!(&bytes[108..112], b"data");
    let data_bytes = if rf64 {
        assert_eq!(u32_at(112), u32::MAX);
        u64_at(28)
    } else {
        u64::from(u32_at(112))
    };
    let channels = u16::from_le_bytes([bytes[58], bytes[59]]);
    let samples = bytes[116..116 + data_bytes as usize]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    (channels, u32_at(60), rf64, samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("patchvm-wavfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    #[test]
    fn a_plain_file_reads_back_with_symphonia_sized_by_its_header() {
        let path = temp("plain.wav");
        let mut wav = WavFile::create(&path, 2, 48_000, WAV_LIMIT).unwrap();
        let samples: Vec<f32> = (0..20).map(|i| i as f32 / 8.0 - 1.0).collect();
        wav.write(&samples).unwrap();
        wav.update_header().unwrap();
        // What a reader sees mid-take, with the header brought up to date.
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len(), 116 + 80);
        assert_eq!(
            u32::from_le_bytes(bytes[4..8].try_into().unwrap()),
            108 + 80
        );
        let mut cache = patchvm_audio::AudioCache::new(1 << 20);
        let data = cache.load(&path, 48_000.0).unwrap();
        assert_eq!(data.frames(), 10);
        let left: Vec<f32> = samples.iter().step_by(2).copied().collect();
        assert_eq!(data.channel(0), left);
        wav.finish().unwrap();
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_file_past_the_limit_becomes_rf64_in_place_with_its_sizes_in_ds64() {
        let path = temp("big.wav");
        // Room for the header and 100 bytes of samples: the 26th mono sample passes it.
        let mut wav = WavFile::create(&path, 1, 44_100, HEADER_BYTES + 100).unwrap();
        // Within ±1: sox clips floats beyond.
        let samples: Vec<f32> = (0..40).map(|i| i as f32 / 64.0 - 0.3).collect();
        wav.write(&samples[..25]).unwrap();
        wav.update_header().unwrap();
        assert!(!wav.rf64);
        wav.write(&samples[25..]).unwrap();
        wav.update_header().unwrap();
        assert!(wav.rf64);
        wav.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[0..4], b"RF64");
        assert_eq!(
            u32::from_le_bytes(bytes[4..8].try_into().unwrap()),
            u32::MAX
        );
        // ds64: the RIFF size, the data size and the frame count, 64-bit.
        assert_eq!(
            u64::from_le_bytes(bytes[20..28].try_into().unwrap()),
            108 + 160
        );
        assert_eq!(u64::from_le_bytes(bytes[28..36].try_into().unwrap()), 160);
        assert_eq!(u64::from_le_bytes(bytes[36..44].try_into().unwrap()), 40);
        let (channels, rate, rf64, read) = read_back(&bytes);
        assert_eq!((channels, rate, rf64), (1, 44_100, true));
        assert_eq!(read, samples);
        // sox reads RF64 where it is installed (CI installs it).
        if let Ok(out) = std::process::Command::new("sox")
            .args([path.to_str().unwrap(), "-t", "f32", "-"])
            .output()
        {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let decoded: Vec<f32> = out
                .stdout
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
                .collect();
            assert_eq!(decoded, samples);
        }
        std::fs::remove_file(&path).unwrap();
    }
}
