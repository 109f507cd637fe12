//! FLAC metadata blocks and Ogg comment headers held to the bytes that carry them.
//!
//! symphonia allocates a Vorbis comment's or a FLAC picture's stated length (a 32-bit field,
//! up to 4 GiB) before it reads the bytes, so a few hundred bytes could ask for gigabytes.
//! Every such length is checked here against what its block or packet really holds.

use crate::error::ImportError;
use std::collections::HashMap;

/// The FLAC block types whose inner lengths symphonia allocates.
const VORBIS_COMMENT: u8 = 4;
/// See [`VORBIS_COMMENT`].
const PICTURE: u8 = 6;

/// Walks a native FLAC stream's metadata blocks (after `fLaC`): each must fit in the file,
/// and the lengths inside its comment and picture blocks in their block.
pub fn flac(bytes: &[u8]) -> Result<(), ImportError> {
    let mut at = 4;
    loop {
        let Some(header) = bytes.get(at..at + 4) else {
            return Err(ImportError::Truncated(
                "the file ends inside its FLAC metadata".into(),
            ));
        };
        let last = header[0] & 0x80 != 0;
        let kind = header[0] & 0x7f;
        let length =
            usize::from(header[1]) << 16 | usize::from(header[2]) << 8 | usize::from(header[3]);
        let left = bytes.len() - (at + 4);
        if length > left {
            return Err(ImportError::Truncated(format!(
                "FLAC metadata block {kind} declares {length} bytes but only {left} follow"
            )));
        }
        let block = &bytes[at + 4..at + 4 + length];
        match kind {
            VORBIS_COMMENT => comments(block, "FLAC comment block")?,
            PICTURE => picture(block)?,
            _ => {}
        }
        at += 4 + length;
        if last {
            return Ok(());
        }
    }
}

/// Reassembles an Ogg file's packets, stream by stream, and checks each comment header
/// (Vorbis `\x03vorbis`, `OpusTags`, an Ogg FLAC stream's comment and picture blocks); pages are found by their `OggS` signature, as a
/// demuxer resynchronises, so nothing a demuxer could reach goes unchecked.
pub fn ogg(bytes: &[u8]) -> Result<(), ImportError> {
    let mut partial: HashMap<u32, Vec<u8>> = HashMap::new();
    let mut flac_streams = Vec::new();
    let mut at = 0;
    while let Some(found) = find(&bytes[at..], b"OggS") {
        let page = at + found;
        let Some(header) = bytes.get(page..page + 27) else {
            return Ok(());
        };
        let continued = header[5] & 1 != 0;
        let serial = u32::from_le_bytes(header[14..18].try_into().expect("four bytes"));
        let segments = usize::from(header[26]);
        let Some(lacing) = bytes.get(page + 27..page + 27 + segments) else {
            return Ok(());
        };
        let mut body = page + 27 + segments;
        let mut packet = partial
            .remove(&serial)
            .filter(|_| continued)
            .unwrap_or_default();
        for &lace in lacing {
            let end = (body + usize::from(lace)).min(bytes.len());
            packet.extend_from_slice(&bytes[body..end]);
            body = end;
            if lace < 255 {
                if packet.starts_with(b"\x7fFLAC") {
                    flac_streams.push(serial);
                } else if flac_streams.contains(&serial) {
                    flac_packet(&packet)?;
                } else {
                    comment_header(&packet)?;
                }
                packet.clear();
            }
        }
        if !packet.is_empty() {
            partial.insert(serial, packet);
        }
        at = body.max(page + 4);
    }
    Ok(())
}

/// Checks an Ogg FLAC stream's `packet` if it is a comment or picture block, whose lengths
/// the mapping holds to the packet (not to the block's stated length).
fn flac_packet(packet: &[u8]) -> Result<(), ImportError> {
    let Some((&kind, rest)) = packet.split_first() else {
        return Ok(());
    };
    let block = rest.get(3..).unwrap_or_default();
    match kind & 0x7f {
        VORBIS_COMMENT => comments(block, "FLAC comment block"),
        PICTURE => picture(block),
        _ => Ok(()),
    }
}

/// Checks `packet` if it is a Vorbis or Opus comment header.
fn comment_header(packet: &[u8]) -> Result<(), ImportError> {
    if let Some(rest) = packet.strip_prefix(b"\x03vorbis") {
        comments(rest, "Vorbis comment header")
    } else if let Some(rest) = packet.strip_prefix(b"OpusTags") {
        comments(rest, "Opus comment header")
    } else {
        Ok(())
    }
}

/// A Vorbis comment list (little-endian lengths): the vendor string, then each comment,
/// must fit in `bytes`, the block or packet that holds it.
fn comments(bytes: &[u8], what: &str) -> Result<(), ImportError> {
    let mut reader = Reader { bytes, at: 0, what };
    let vendor = reader.length(u32::from_le_bytes)?;
    reader.skip(vendor)?;
    let Ok(count) = reader.length(u32::from_le_bytes) else {
        return Ok(());
    };
    for _ in 0..count {
        let Ok(length) = reader.length(u32::from_le_bytes) else {
            return Ok(());
        };
        reader.skip(length)?;
    }
    Ok(())
}

/// A FLAC picture block (big-endian lengths): its media type, description and image data
/// must fit in the block.
fn picture(bytes: &[u8]) -> Result<(), ImportError> {
    let mut reader = Reader {
        bytes,
        at: 0,
        what: "FLAC picture block",
    };
    reader.skip(4)?;
    let media_type = reader.length(u32::from_be_bytes)?;
    reader.skip(media_type)?;
    let description = reader.length(u32::from_be_bytes)?;
    reader.skip(description)?;
    reader.skip(16)?;
    let data = reader.length(u32::from_be_bytes)?;
    reader.skip(data)
}

/// A cursor over one block or packet, whose every stated length must fit in what is left.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    what: &'a str,
}

impl Reader<'_> {
    /// Reads a 32-bit length.
    fn length(&mut self, read: fn([u8; 4]) -> u32) -> Result<usize, ImportError> {
        let Some(field) = self.bytes.get(self.at..self.at + 4) else {
            return Err(self.short(4));
        };
        self.at += 4;
        Ok(read(field.try_into().expect("four bytes")) as usize)
    }

    /// Steps over `length` bytes, which must all be there.
    fn skip(&mut self, length: usize) -> Result<(), ImportError> {
        if length > self.bytes.len() - self.at {
            return Err(self.short(length));
        }
        self.at += length;
        Ok(())
    }

    /// The error for a length that runs past the end.
    fn short(&self, length: usize) -> ImportError {
        let left = self.bytes.len() - self.at;
        ImportError::NotAudio(format!(
            "a {} declares {length} bytes but only {left} follow",
            self.what
        ))
    }
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
