//! [`ClockMessage`]: the MIDI system real-time and common messages that carry a clock.

/// MIDI clock ticks per quarter note: the rate of [`ClockMessage::Tick`].
pub const TICKS_PER_BEAT: u32 = 24;

/// The MIDI messages a clock master sends and a follower reads: 24 ticks a quarter note,
/// start, stop, continue and the song position pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockMessage {
    /// Timing clock (`0xF8`): one 24th of a quarter note.
    Tick,
    /// Start (`0xFA`): play from the song's start; the next tick is beat 0.
    Start,
    /// Continue (`0xFB`): play from the song position; the next tick is that position.
    Continue,
    /// Stop (`0xFC`): the position holds.
    Stop,
    /// Song position pointer (`0xF2`): the position in sixteenth notes (0..=16383).
    SongPosition(u16),
}

impl ClockMessage {
    /// The largest song position a pointer carries, in sixteenth notes (14 bits).
    pub const MAX_SONG_POSITION: u16 = 0x3FFF;

    /// The message's bytes, and how many of the three are used.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn bytes(self) -> ([u8; 3], usize) {
        match self {
            ClockMessage::Tick => ([0xF8, 0, 0], 1),
            ClockMessage::Start => ([0xFA, 0, 0], 1),
            ClockMessage::Continue => ([0xFB, 0, 0], 1),
            ClockMessage::Stop => ([0xFC, 0, 0], 1),
            ClockMessage::SongPosition(sixteenths) => {
                let sixteenths = sixteenths.min(Self::MAX_SONG_POSITION);
                (
                    [0xF2, (sixteenths & 0x7F) as u8, (sixteenths >> 7) as u8],
                    3,
                )
            }
        }
    }

    /// Reads one message; `None` for anything that is not a clock message (or a song
    /// position pointer whose data bytes are missing or not 7-bit).
    pub fn parse(bytes: &[u8]) -> Option<ClockMessage> {
        match bytes {
            [0xF8, ..] => Some(ClockMessage::Tick),
            [0xFA, ..] => Some(ClockMessage::Start),
            [0xFB, ..] => Some(ClockMessage::Continue),
            [0xFC, ..] => Some(ClockMessage::Stop),
            [0xF2, lsb, msb, ..] if lsb & 0x80 == 0 && msb & 0x80 == 0 => Some(
                ClockMessage::SongPosition(u16::from(*lsb) | (u16::from(*msb) << 7)),
            ),
            _ => None,
        }
    }

    /// A short lowercase name, for logs: `tick`, `start`, `continue`, `stop`, `spp`.
    pub fn name(self) -> &'static str {
        match self {
            ClockMessage::Tick => "tick",
            ClockMessage::Start => "start",
            ClockMessage::Continue => "continue",
            ClockMessage::Stop => "stop",
            ClockMessage::SongPosition(_) => "spp",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ClockMessage;

    #[test]
    fn messages_round_trip_through_their_bytes() {
        let all = [
            ClockMessage::Tick,
            ClockMessage::Start,
            ClockMessage::Continue,
            ClockMessage::Stop,
            ClockMessage::SongPosition(0),
            ClockMessage::SongPosition(200),
            ClockMessage::SongPosition(16_383),
        ];
        for message in all {
            let (bytes, len) = message.bytes();
            assert_eq!(ClockMessage::parse(&bytes[..len]), Some(message));
        }
        // 200 sixteenths: 200 = 1·128 + 72.
        assert_eq!(ClockMessage::SongPosition(200).bytes(), ([0xF2, 72, 1], 3));
        for other in [&[0x90, 60, 100][..], &[], &[0xF2, 0x80, 0], &[0xF2, 1]] {
            assert_eq!(ClockMessage::parse(other), None, "{other:?}");
        }
    }
}
