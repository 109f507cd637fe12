//! Standard MIDI files written byte by byte, for tests and fuzz seeds: small enough to read
//! at a glance, independent of the reader under test.
//!
//! ```
//! use patchvm_tests::smf::{Track, file};
//! let track = Track::new().tempo(0, 500_000).note(0, 60, 100, 480).end(0);
//! let bytes = file(0, 480, &[track]);
//! assert_eq!(&bytes[..4], b"MThd");
//! ```

/// One track's events, each after a delta in ticks.
#[derive(Clone, Debug, Default)]
pub struct Track {
    bytes: Vec<u8>,
}

impl Track {
    /// An empty track.
    pub fn new() -> Track {
        Track::default()
    }

    /// Any event: `delta` ticks after the previous one, then `data` as it is.
    pub fn event(mut self, delta: u32, data: &[u8]) -> Track {
        write_varlen(&mut self.bytes, delta);
        self.bytes.extend_from_slice(data);
        self
    }

    /// A tempo change to `micros` per quarter note.
    pub fn tempo(self, delta: u32, micros: u32) -> Track {
        let [_, a, b, c] = micros.to_be_bytes();
        self.event(delta, &[0xFF, 0x51, 0x03, a, b, c])
    }

    /// A note on channel 0: on after `delta`, off `length` ticks later.
    pub fn note(self, delta: u32, note: u8, velocity: u8, length: u32) -> Track {
        self.event(delta, &[0x90, note, velocity])
            .event(length, &[0x80, note, 0])
    }

    /// A control change on channel 0.
    pub fn control(self, delta: u32, number: u8, value: u8) -> Track {
        self.event(delta, &[0xB0, number, value])
    }

    /// The end of the track.
    pub fn end(self, delta: u32) -> Track {
        self.event(delta, &[0xFF, 0x2F, 0x00])
    }
}

/// A whole file: format `format` (0 or 1), `ppq` ticks per quarter note, the tracks.
pub fn file(format: u16, ppq: u16, tracks: &[Track]) -> Vec<u8> {
    let mut bytes = b"MThd".to_vec();
    bytes.extend_from_slice(&6u32.to_be_bytes());
    bytes.extend_from_slice(&format.to_be_bytes());
    bytes.extend_from_slice(&(tracks.len() as u16).to_be_bytes());
    bytes.extend_from_slice(&ppq.to_be_bytes());
    for track in tracks {
        bytes.extend_from_slice(b"MTrk");
        bytes.extend_from_slice(&(track.bytes.len() as u32).to_be_bytes());
        bytes.extend_from_slice(&track.bytes);
    }
    bytes
}

/// MIDI's variable-length quantity: seven bits a byte, most significant first.
fn write_varlen(bytes: &mut Vec<u8>, value: u32) {
    let value = value & 0x0FFF_FFFF;
    let mut groups = vec![(value & 0x7F) as u8];
    let mut rest = value >> 7;
    while rest > 0 {
        groups.push((rest & 0x7F) as u8 | 0x80);
        rest >>= 7;
    }
    bytes.extend(groups.iter().rev());
}
