//! Sinks: the signals a program hands out as MIDI-like events rather than as samples.
//!
//! A sink node (`midi.out`, `midi.cc`, `midi.bend`) runs no kernel. The compiler writes its
//! signals into the executable's sink blocks ([`Instr::WriteSink`](crate::Instr::WriteSink))
//! and lists it in [`Program::sinks`](crate::Program::sinks); after each block the host asks
//! [`Executable::sink_events`](crate::Executable::sink_events) for the block's events, which
//! [`extract`] computes from the signals alone. The live audio half and the offline `stream`
//! command call the same function, so both give the same events, stamped with the same
//! sample and the same beat (the beat of a sample is the same bits whatever the buffers).
//!
//! A note sink reads a note stream's 8 lanes (see `patchvm_ir::notes`): a gate rising above 0
//! is a note on (the pitch rounded to a note number, the gate's level × 127 the velocity), a
//! gate falling to 0 its note off, and a pitch that moves to another note while the gate is
//! held an off and an on. A control-change sink sends its 7-bit value, a bend sink its 14-bit
//! value, whenever that value changes (and once at the first block).

use crate::time::Beats;

/// What a sink turns its signals into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkKind {
    /// A note stream: 8 lanes of pitch and gate, signals in the order `pitch0, gate0, …`.
    Notes,
    /// Control change number `0..=127` from one signal in `0..=1`.
    Cc(u8),
    /// Pitch bend from one signal in `-1..=1`.
    Bend,
}

impl SinkKind {
    /// How many signals a sink of this kind reads.
    pub fn signals(self) -> usize {
        match self {
            SinkKind::Notes => 2 * NOTE_LANES,
            SinkKind::Cc(_) | SinkKind::Bend => 1,
        }
    }
}

/// Lanes of a note sink.
pub const NOTE_LANES: usize = 8;

/// One sink of a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SinkDecl {
    /// What it sends.
    pub kind: SinkKind,
    /// The MIDI channel, `0..=15`.
    pub channel: u8,
    /// Its first signal among the program's sink signals; it reads
    /// [`kind.signals()`](SinkKind::signals) from there.
    pub first: u16,
}

/// A channel message a sink sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message {
    /// Note on, velocity `1..=127`.
    On {
        /// The note number.
        note: u8,
        /// The velocity.
        velocity: u8,
    },
    /// Note off.
    Off {
        /// The note number.
        note: u8,
    },
    /// Control change.
    Cc {
        /// The controller number.
        cc: u8,
        /// Its value, `0..=127`.
        value: u8,
    },
    /// Pitch bend, `0..=16383`, 8192 at rest.
    Bend {
        /// The 14-bit value.
        value: u16,
    },
}

impl Message {
    /// The message's MIDI bytes on `channel` (`0..=15`); note off as `0x80` with velocity 0.
    pub fn bytes(self, channel: u8) -> [u8; 3] {
        let channel = channel & 0x0f;
        match self {
            Message::On { note, velocity } => [0x90 | channel, note & 0x7f, velocity & 0x7f],
            Message::Off { note } => [0x80 | channel, note & 0x7f, 0],
            Message::Cc { cc, value } => [0xb0 | channel, cc & 0x7f, value & 0x7f],
            Message::Bend { value } => [0xe0 | channel, (value & 0x7f) as u8, (value >> 7) as u8],
        }
    }
}

/// One event out of a sink, stamped with the sample and the beat it happened at.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SinkEvent {
    /// The engine's sample time.
    pub time: u64,
    /// The transport's beat position at that sample.
    pub beat: f64,
    /// The sink's index in [`Program::sinks`](crate::Program::sinks): one stream each.
    pub sink: u16,
    /// The MIDI channel, `0..=15`.
    pub channel: u8,
    /// What happened.
    pub message: Message,
}

/// What a sink remembers between blocks: the note each lane holds, or the last value sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SinkMemory {
    held: [Option<u8>; NOTE_LANES],
    last: Option<u16>,
}

impl SinkMemory {
    /// The notes the lanes hold, for closing them when a stream ends.
    pub fn held(&self) -> impl Iterator<Item = u8> + '_ {
        self.held.iter().flatten().copied()
    }
}

/// The events of one block of sink `index`: `signals` are its signals' blocks in order
/// (each at least `frames` long), the block's first sample is `time` and lies at `beats`.
/// Calls `emit` for each event, in sample order, offs before ons at one sample.
///
/// Real-time safe: does not allocate, lock or block.
#[expect(
    clippy::too_many_arguments,
    reason = "one pure function of the block, the sink and its memory"
)]
pub fn extract(
    decl: &SinkDecl,
    index: u16,
    signals: &[&[f32]],
    frames: usize,
    time: u64,
    beats: &Beats,
    memory: &mut SinkMemory,
    emit: &mut dyn FnMut(SinkEvent),
) {
    let event = |i: usize, message| SinkEvent {
        time: time + i as u64,
        beat: beats.at(i),
        sink: index,
        channel: decl.channel,
        message,
    };
    match decl.kind {
        SinkKind::Notes => {
            let lanes = NOTE_LANES.min(signals.len() / 2);
            #[expect(
                clippy::needless_range_loop,
                reason = "`i` is the sample, which indexes every lane's two signals"
            )]
            for i in 0..frames {
                let mut now = [None; NOTE_LANES];
                for (lane, now) in now.iter_mut().enumerate().take(lanes) {
                    let gate = signals[2 * lane + 1][i];
                    *now = (gate > 0.0).then(|| note_number(signals[2 * lane][i]));
                }
                // Offs first, so a note moving from one lane to another at this sample is
                // let go before it is played again.
                for (held, &now) in memory.held.iter().zip(&now) {
                    if let Some(note) = *held
                        && now != *held
                    {
                        emit(event(i, Message::Off { note }));
                    }
                }
                for (lane, (held, &now)) in memory.held.iter_mut().zip(&now).enumerate() {
                    if now == *held {
                        continue;
                    }
                    if let Some(note) = now {
                        let gate = signals[2 * lane + 1][i];
                        let velocity = (gate.min(1.0) * 127.0).round().max(1.0) as u8;
                        emit(event(i, Message::On { note, velocity }));
                    }
                    *held = now;
                }
            }
        }
        SinkKind::Cc(cc) => changes(signals, frames, memory, cc_value, &mut |i, value| {
            emit(event(
                i,
                Message::Cc {
                    cc,
                    value: value as u8,
                },
            ))
        }),
        SinkKind::Bend => changes(signals, frames, memory, bend_value, &mut |i, value| {
            emit(event(i, Message::Bend { value }))
        }),
    }
}

/// Calls `send` at each sample whose `value` differs from the last one sent.
fn changes(
    signals: &[&[f32]],
    frames: usize,
    memory: &mut SinkMemory,
    value: fn(f32) -> u16,
    send: &mut dyn FnMut(usize, u16),
) {
    let Some(signal) = signals.first() else {
        return;
    };
    for (i, &sample) in signal[..frames].iter().enumerate() {
        let value = value(sample);
        if memory.last != Some(value) {
            memory.last = Some(value);
            send(i, value);
        }
    }
}

/// A pitch as a note number: rounded, within `0..=127` (NaN is 0).
fn note_number(pitch: f32) -> u8 {
    pitch.round().clamp(0.0, 127.0) as u8
}

/// A control signal in `0..=1` as a 7-bit value.
fn cc_value(sample: f32) -> u16 {
    (sample.clamp(0.0, 1.0) * 127.0).round() as u16
}

/// A bend signal in `-1..=1` as a 14-bit value, 8192 at 0.
fn bend_value(sample: f32) -> u16 {
    (8192.0 + sample.clamp(-1.0, 1.0) * 8192.0)
        .round()
        .min(16383.0) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(decl: SinkDecl, signals: &[&[f32]], memory: &mut SinkMemory) -> Vec<(u64, Message)> {
        let mut out = Vec::new();
        let frames = signals[0].len();
        let beats = Beats::STILL;
        extract(&decl, 0, signals, frames, 100, &beats, memory, &mut |e| {
            out.push((e.time, e.message))
        });
        out
    }

    #[test]
    fn gates_become_notes_and_a_pitch_moving_under_a_held_gate_retriggers() {
        let decl = SinkDecl {
            kind: SinkKind::Notes,
            channel: 2,
            first: 0,
        };
        let pitch = [60.0, 60.0, 60.4, 62.0, 62.0, 62.0];
        let gate = [0.0, 1.0, 1.0, 0.5, 0.0, 0.0];
        let zero = [0.0; 6];
        let mut signals: Vec<&[f32]> = vec![&pitch, &gate];
        signals.extend(std::iter::repeat_n(&zero[..], 14));
        let mut memory = SinkMemory::default();
        let events = run(decl, &signals, &mut memory);
        assert_eq!(
            events,
            [
                (
                    101,
                    Message::On {
                        note: 60,
                        velocity: 127
                    }
                ),
                (103, Message::Off { note: 60 }),
                (
                    103,
                    Message::On {
                        note: 62,
                        velocity: 64
                    }
                ),
                (104, Message::Off { note: 62 }),
            ]
        );
        assert_eq!(memory.held().count(), 0);
    }

    #[test]
    fn controls_send_only_changes_of_their_midi_value() {
        let decl = SinkDecl {
            kind: SinkKind::Cc(7),
            channel: 0,
            first: 0,
        };
        let mut memory = SinkMemory::default();
        let signal = [0.5, 0.501, 1.0, 2.0];
        let events = run(decl, &[&signal], &mut memory);
        assert_eq!(
            events,
            [
                (100, Message::Cc { cc: 7, value: 64 }),
                (102, Message::Cc { cc: 7, value: 127 }),
            ]
        );
        let bend = SinkDecl {
            kind: SinkKind::Bend,
            ..decl
        };
        let mut memory = SinkMemory::default();
        let signal = [0.0, -1.0, 1.0];
        let events = run(bend, &[&signal], &mut memory);
        let values: Vec<u16> = events
            .iter()
            .map(|(_, m)| match m {
                Message::Bend { value } => *value,
                _ => u16::MAX,
            })
            .collect();
        assert_eq!(values, [8192, 0, 16383]);
        assert_eq!(Message::Bend { value: 8192 }.bytes(1), [0xe1, 0, 64]);
    }
}
