//! The checks a file's bytes pass before a decoder sees them.
//!
//! symphonia trusts the sizes a header states: a RIFF or AIFF chunk's length, an ID3v2 tag's
//! size, a Vorbis comment's or FLAC picture's length are allocated whole before they are read, so a 60-byte file claiming a 4 GiB chunk
//! would ask for 4 GiB. Here every such size is held to the bytes that follow it, so a file
//! that lies about its sizes is an error before anything is allocated for it, and one whose
//! data stops short of what it declares is reported truncated rather than played short.

use crate::error::ImportError;

mod xiph;

/// Refuses `bytes` whose container headers claim more bytes than the file holds.
pub fn check(bytes: &[u8]) -> Result<(), ImportError> {
    match bytes.get(..4) {
        Some(b"RIFF") => chunks(bytes, 12, u32::from_le_bytes, b"data"),
        Some(b"RIFX") => chunks(bytes, 12, u32::from_be_bytes, b"data"),
        Some(b"FORM") => chunks(bytes, 12, u32::from_be_bytes, b"SSND"),
        Some(b"RF64") => Err(ImportError::NotAudio(
            "RF64 (64-bit RIFF) files are not supported".into(),
        )),
        Some(b"fLaC") => xiph::flac(bytes),
        Some(b"OggS") => xiph::ogg(bytes),
        Some([b'I', b'D', b'3', _]) => id3v2(bytes),
        _ => Ok(()),
    }
}

/// Walks the chunks of a RIFF or AIFF file from `start`: each chunk's stated length must fit
/// in the bytes after its header; the sample chunk (`data`) falling short is truncation.
fn chunks(
    bytes: &[u8],
    start: usize,
    read: fn([u8; 4]) -> u32,
    data: &[u8; 4],
) -> Result<(), ImportError> {
    if bytes.len() < start {
        return Err(ImportError::Truncated(
            "the file ends inside its header".into(),
        ));
    }
    let mut at = start;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let length = read(bytes[at + 4..at + 8].try_into().expect("four bytes")) as usize;
        let left = bytes.len() - (at + 8);
        if length > left {
            let name = String::from_utf8_lossy(id).into_owned();
            let why = format!("chunk `{name}` declares {length} bytes but only {left} follow");
            return Err(if id == data {
                ImportError::Truncated(why)
            } else {
                ImportError::NotAudio(why)
            });
        }
        // Chunks are padded to an even length.
        at += 8 + length + (length & 1);
    }
    Ok(())
}

/// An ID3v2 tag's size (28 bits, 7 per byte) must fit in the file.
fn id3v2(bytes: &[u8]) -> Result<(), ImportError> {
    let Some(size) = bytes.get(6..10) else {
        return Err(ImportError::Truncated(
            "the file ends inside its ID3 tag".into(),
        ));
    };
    if size.iter().any(|&byte| byte & 0x80 != 0) {
        return Err(ImportError::NotAudio(
            "the ID3 tag's size is malformed".into(),
        ));
    }
    let size = size
        .iter()
        .fold(0usize, |size, &byte| (size << 7) | usize::from(byte));
    let left = bytes.len() - 10;
    if size > left {
        return Err(ImportError::Truncated(format!(
            "the ID3 tag declares {size} bytes but only {left} follow"
        )));
    }
    // A FLAC or Ogg stream may follow the tag: its headers pass the same checks.
    match bytes.get(10 + size..10 + size + 4) {
        Some(b"fLaC") => xiph::flac(&bytes[10 + size..]),
        Some(b"OggS") => xiph::ogg(&bytes[10 + size..]),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A RIFF header and one chunk of `id` stating `length` bytes, followed by `actual`.
    fn riff(id: &[u8; 4], length: u32, actual: usize) -> Vec<u8> {
        let mut bytes = b"RIFF\0\0\0\0WAVE".to_vec();
        bytes.extend_from_slice(id);
        bytes.extend_from_slice(&length.to_le_bytes());
        bytes.resize(bytes.len() + actual, 0);
        bytes
    }

    #[test]
    fn a_chunk_longer_than_the_file_is_refused_before_decoding() {
        assert_eq!(check(&riff(b"data", 8, 8)), Ok(()));
        assert_eq!(
            check(&riff(b"data", 4_000_000_000, 8)),
            Err(ImportError::Truncated(
                "chunk `data` declares 4000000000 bytes but only 8 follow".into()
            ))
        );
        assert_eq!(
            check(&riff(b"LIST", 100, 8)),
            Err(ImportError::NotAudio(
                "chunk `LIST` declares 100 bytes but only 8 follow".into()
            ))
        );
    }

    #[test]
    fn an_id3_tag_must_fit_in_the_file() {
        let mut tag = b"ID3\x04\0\0\0\0\x01\x00".to_vec();
        tag.resize(10 + 127, 0);
        assert_eq!(
            check(&tag),
            Err(ImportError::Truncated(
                "the ID3 tag declares 128 bytes but only 127 follow".into()
            ))
        );
        tag.push(0);
        assert_eq!(check(&tag), Ok(()));
    }
}
