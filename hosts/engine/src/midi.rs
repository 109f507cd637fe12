//! Raw MIDI channel messages, parsed without trusting a byte.

/// A MIDI channel message the engine acts on. Every channel is treated alike (omni).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MidiMessage {
    /// A key pressed; velocity 1..=127 (a note on at velocity 0 is a [`MidiMessage::NoteOff`]).
    NoteOn {
        /// The key, 0..=127.
        note: u8,
        /// How hard, 1..=127.
        velocity: u8,
    },
    /// A key released.
    NoteOff {
        /// The key, 0..=127.
        note: u8,
    },
    /// A control change: controller `number` to `value`, both 0..=127.
    Control {
        /// The controller, e.g. 64 for the sustain pedal.
        number: u8,
        /// Its value.
        value: u8,
    },
    /// Pitch bend, 0..=16383, centred at 8192.
    Bend {
        /// The 14-bit bend.
        value: u16,
    },
}

/// The sustain pedal's controller: down at 64 and above.
pub const SUSTAIN: u8 = 64;
/// "All sound off": releases every voice.
pub const ALL_SOUND_OFF: u8 = 120;
/// "All notes off": releases every voice.
pub const ALL_NOTES_OFF: u8 = 123;
/// Pitch bend's centre: no bend.
pub const BEND_CENTRE: u16 = 8192;

impl MidiMessage {
    /// Parses one complete channel message: a status byte, then exactly the data bytes it
    /// takes, each below 128. `None` for anything else — system messages, messages the
    /// engine does not use (program change, aftertouch), running status, a wrong length or a
    /// data byte with its top bit set.
    pub fn parse(bytes: &[u8]) -> Option<MidiMessage> {
        let (&status, data) = bytes.split_first()?;
        if data.iter().any(|&byte| byte >= 0x80) {
            return None;
        }
        match (status & 0xF0, data) {
            (0x90, &[note, velocity]) if velocity > 0 => {
                Some(MidiMessage::NoteOn { note, velocity })
            }
            (0x80 | 0x90, &[note, _]) => Some(MidiMessage::NoteOff { note }),
            (0xB0, &[number, value]) => Some(MidiMessage::Control { number, value }),
            (0xE0, &[low, high]) => Some(MidiMessage::Bend {
                value: u16::from(high) << 7 | u16::from(low),
            }),
            _ => None,
        }
    }
}

/// Pitch bend as a fraction of its range: -1 fully down, 0 centred, just under 1 fully up.
pub(crate) fn bend_fraction(value: u16) -> f64 {
    (f64::from(value.min(16_383)) - f64::from(BEND_CENTRE)) / f64::from(BEND_CENTRE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_messages_parse_on_every_channel_and_garbage_does_not() {
        for channel in [0, 9, 15] {
            let on = MidiMessage::parse(&[0x90 | channel, 60, 100]);
            assert_eq!(
                on,
                Some(MidiMessage::NoteOn {
                    note: 60,
                    velocity: 100
                })
            );
        }
        assert_eq!(
            MidiMessage::parse(&[0x90, 60, 0]),
            Some(MidiMessage::NoteOff { note: 60 })
        );
        assert_eq!(
            MidiMessage::parse(&[0x83, 61, 40]),
            Some(MidiMessage::NoteOff { note: 61 })
        );
        assert_eq!(
            MidiMessage::parse(&[0xB2, 64, 127]),
            Some(MidiMessage::Control {
                number: 64,
                value: 127
            })
        );
        assert_eq!(
            MidiMessage::parse(&[0xE0, 0x7F, 0x7F]),
            Some(MidiMessage::Bend { value: 16_383 })
        );
        assert_eq!(
            MidiMessage::parse(&[0xE0, 0, 0x40]),
            Some(MidiMessage::Bend { value: BEND_CENTRE })
        );
        let garbage: [&[u8]; 10] = [
            &[],
            &[0x90],
            &[0x90, 60],
            &[0x90, 60, 100, 1],
            &[0x90, 0x80, 100],
            &[60, 100],
            &[0xC0, 5],
            &[0xF0, 1, 2, 0xF7],
            &[0xFF],
            &[0xA0, 60, 10],
        ];
        for bytes in garbage {
            assert_eq!(MidiMessage::parse(bytes), None, "{bytes:?}");
        }
        assert_eq!(bend_fraction(0), -1.0);
        assert_eq!(bend_fraction(BEND_CENTRE), 0.0);
        assert!(bend_fraction(16_383) < 1.0 && bend_fraction(u16::MAX) < 1.0);
    }
}
