//! The notes a stream holds, by channel and note number, so the sender closes every one:
//! a note on for a note already held closes it first, and at the end (stop, hush, exit, or
//! after events were dropped) every held note gets its off.

use patchvm_vm::{Message, SinkEvent};

/// How many times each (channel, note) is held: a fixed table, no allocation per event.
#[derive(Clone, Debug)]
pub struct HeldNotes {
    count: [[u8; 128]; 16],
    held: usize,
}

impl Default for HeldNotes {
    fn default() -> HeldNotes {
        HeldNotes {
            count: [[0; 128]; 16],
            held: 0,
        }
    }
}

impl HeldNotes {
    /// Notes held now.
    pub fn held(&self) -> usize {
        self.held
    }

    /// Follows `event`: a note on holds its note, a note off lets it go.
    pub fn track(&mut self, event: &SinkEvent) {
        let channel = usize::from(event.channel & 0x0f);
        match event.message {
            Message::On { note, .. } => {
                let count = &mut self.count[channel][usize::from(note & 0x7f)];
                if *count == 0 {
                    self.held += 1;
                }
                *count = count.saturating_add(1);
            }
            Message::Off { note } => {
                let count = &mut self.count[channel][usize::from(note & 0x7f)];
                if *count > 0 {
                    *count = 0;
                    self.held -= 1;
                }
            }
            Message::Cc { .. } | Message::Bend { .. } => {}
        }
    }

    /// Whether `event` is a note on for a note already held (its off was dropped, or two
    /// lanes play one note): the sender closes the held one first.
    pub fn is_held(&self, event: &SinkEvent) -> bool {
        match event.message {
            Message::On { note, .. } => {
                self.count[usize::from(event.channel & 0x0f)][usize::from(note & 0x7f)] > 0
            }
            _ => false,
        }
    }

    /// Calls `emit` with a note off for every held note, stamped like `at` (same sample, beat
    /// and stream), channel by channel and note by note, and forgets them.
    pub fn close_all(&mut self, at: &SinkEvent, emit: &mut dyn FnMut(SinkEvent)) {
        for (channel, notes) in self.count.iter_mut().enumerate() {
            for (note, count) in notes.iter_mut().enumerate() {
                if *count > 0 {
                    *count = 0;
                    emit(SinkEvent {
                        channel: channel as u8,
                        message: Message::Off { note: note as u8 },
                        ..*at
                    });
                }
            }
        }
        self.held = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(channel: u8, message: Message) -> SinkEvent {
        SinkEvent {
            time: 5,
            beat: 1.5,
            sink: 0,
            channel,
            message,
        }
    }

    #[test]
    fn every_held_note_is_closed_once() {
        let mut held = HeldNotes::default();
        let on = |note| Message::On { note, velocity: 90 };
        held.track(&event(0, on(60)));
        held.track(&event(0, on(60)));
        held.track(&event(3, on(64)));
        held.track(&event(3, Message::Off { note: 64 }));
        held.track(&event(1, on(67)));
        assert_eq!(held.held(), 2);
        assert!(held.is_held(&event(0, on(60))) && !held.is_held(&event(3, on(64))));
        let mut closed = Vec::new();
        held.close_all(&event(9, on(0)), &mut |e| {
            closed.push((e.channel, e.message))
        });
        assert_eq!(
            closed,
            [
                (0, Message::Off { note: 60 }),
                (1, Message::Off { note: 67 })
            ]
        );
        assert_eq!(held.held(), 0);
    }
}
