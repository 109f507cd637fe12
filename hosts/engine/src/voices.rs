//! The voice allocator: which voice of a voice template plays each note.
//!
//! Deterministic: the same notes in the same order always take the same voices. A note on
//! takes, in this order of preference,
//!
//! 1. a voice never used yet (the lowest-numbered);
//! 2. a released voice, the one released longest ago (its release tail is cut short, so the
//!    oldest tail goes first);
//! 3. a voice kept only by the sustain pedal, the oldest note first;
//! 4. a held voice, the oldest note first.
//!
//! A note off releases every held voice playing that note, or, while the sustain pedal is
//! down, marks them sustained: they are released when the pedal lifts. Ages are counted in
//! notes, not samples, so a host that sends events "now" gets the same choices as one that
//! sends them at exact samples.

/// What one voice is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// Never used.
    Free,
    /// Its key is down.
    Held,
    /// Its key is up but the sustain pedal keeps it.
    Sustained,
    /// Released: its gate is closed, its release may still sound.
    Released,
}

#[derive(Clone, Copy, Debug)]
struct Voice {
    state: State,
    note: u8,
    /// When its note started, in allocator ticks.
    started: u64,
    /// When it was released, in allocator ticks.
    released: u64,
    /// The gate value it was last started with: 1 or 2, alternating (see the `voice`
    /// module: a change from one held value to another restarts the note).
    gate: f32,
}

impl Voice {
    const FREE: Voice = Voice {
        state: State::Free,
        note: 0,
        started: 0,
        released: 0,
        gate: 2.0,
    };
}

/// A voice to start: set its pitch from `note`, its velocity, and its gate to `gate`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Start {
    /// The voice, from 0.
    pub(crate) voice: usize,
    /// The MIDI note it plays.
    pub(crate) note: u8,
    /// The gate value to set: 1 or 2, never the one the voice had.
    pub(crate) gate: f32,
}

/// The voices of one template and the notes they play.
#[derive(Debug, Default)]
pub(crate) struct Allocator {
    voices: Vec<Voice>,
    /// Ticks once per note on or release, to order voices by age.
    clock: u64,
    sustain: bool,
}

impl Allocator {
    /// Makes there be `count` voices: voices beyond it are forgotten, new ones are free.
    pub(crate) fn resize(&mut self, count: usize) {
        self.voices.resize(count, Voice::FREE);
    }

    /// How many voices there are.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.voices.len()
    }

    /// Voices whose gate is open: held or sustained.
    pub(crate) fn active(&self) -> usize {
        self.voices
            .iter()
            .filter(|v| matches!(v.state, State::Held | State::Sustained))
            .count()
    }

    /// The state of voice `voice`.
    #[cfg(test)]
    pub(crate) fn state(&self, voice: usize) -> State {
        self.voices.get(voice).map_or(State::Free, |v| v.state)
    }

    /// Every voice that has played a note, with that note: the voices pitch bend moves.
    pub(crate) fn tuned(&self) -> impl Iterator<Item = (usize, u8)> + '_ {
        self.voices
            .iter()
            .enumerate()
            .filter(|(_, v)| v.state != State::Free)
            .map(|(index, v)| (index, v.note))
    }

    /// Takes a voice for `note`, or `None` if there are no voices.
    pub(crate) fn note_on(&mut self, note: u8) -> Option<Start> {
        let voice = self.choose()?;
        self.clock += 1;
        let chosen = &mut self.voices[voice];
        chosen.gate = if chosen.gate == 1.0 { 2.0 } else { 1.0 };
        chosen.state = State::Held;
        chosen.note = note;
        chosen.started = self.clock;
        Some(Start {
            voice,
            note,
            gate: chosen.gate,
        })
    }

    /// Releases the held voices playing `note` (or keeps them for the pedal); returns the
    /// voices whose gate closes.
    pub(crate) fn note_off(&mut self, note: u8) -> Vec<usize> {
        let keep = self.sustain;
        let playing: Vec<usize> = self
            .voices
            .iter()
            .enumerate()
            .filter(|(_, v)| v.state == State::Held && v.note == note)
            .map(|(index, _)| index)
            .collect();
        if keep {
            for &voice in &playing {
                self.voices[voice].state = State::Sustained;
            }
            return Vec::new();
        }
        self.release(playing)
    }

    /// Presses or lifts the sustain pedal; returns the voices whose gate closes as it lifts.
    pub(crate) fn sustain(&mut self, down: bool) -> Vec<usize> {
        self.sustain = down;
        if down {
            return Vec::new();
        }
        let kept = self.matching(|state| state == State::Sustained);
        self.release(kept)
    }

    /// Releases every held or sustained voice (all notes off); returns them.
    pub(crate) fn all_off(&mut self) -> Vec<usize> {
        let open = self.matching(|state| matches!(state, State::Held | State::Sustained));
        self.release(open)
    }

    /// Voice `voice`'s gate did not open (its event could not be sent): it plays nothing,
    /// so it counts as released now, and its note off has nothing to close.
    pub(crate) fn not_opened(&mut self, voice: usize) {
        if self
            .voices
            .get(voice)
            .is_some_and(|v| v.state == State::Held)
        {
            self.release(vec![voice]);
        }
    }

    /// Voice `voice`'s gate did not close (its event could not be sent): it still sounds, so
    /// it counts as held, to be closed by the next note off of its note, all notes off or a
    /// note that steals it.
    pub(crate) fn not_closed(&mut self, voice: usize) {
        if let Some(v) = self.voices.get_mut(voice)
            && v.state == State::Released
        {
            v.state = State::Held;
        }
    }

    fn matching(&self, wanted: impl Fn(State) -> bool) -> Vec<usize> {
        (0..self.voices.len())
            .filter(|&voice| wanted(self.voices[voice].state))
            .collect()
    }

    fn release(&mut self, voices: Vec<usize>) -> Vec<usize> {
        for &voice in &voices {
            self.clock += 1;
            let released = &mut self.voices[voice];
            released.state = State::Released;
            released.released = self.clock;
        }
        voices
    }

    /// The voice a new note takes (see the module's docs).
    fn choose(&self) -> Option<usize> {
        let oldest = |state: State, age: fn(&Voice) -> u64| {
            self.voices
                .iter()
                .enumerate()
                .filter(|(_, v)| v.state == state)
                .min_by_key(|(_, v)| age(v))
                .map(|(index, _)| index)
        };
        let free = self.voices.iter().position(|v| v.state == State::Free);
        free.or_else(|| oldest(State::Released, |v| v.released))
            .or_else(|| oldest(State::Sustained, |v| v.started))
            .or_else(|| oldest(State::Held, |v| v.started))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voices(count: usize) -> Allocator {
        let mut allocator = Allocator::default();
        allocator.resize(count);
        allocator
    }

    fn on(allocator: &mut Allocator, note: u8) -> usize {
        allocator.note_on(note).unwrap().voice
    }

    #[test]
    fn free_voices_go_first_then_the_longest_released_then_the_oldest_held() {
        let mut a = voices(3);
        assert_eq!([60, 62, 64].map(|n| on(&mut a, n)), [0, 1, 2]);
        assert_eq!(a.note_off(62), [1]);
        assert_eq!(a.note_off(60), [0]);
        // Voice 1 was released before voice 0.
        assert_eq!(on(&mut a, 65), 1);
        assert_eq!(on(&mut a, 67), 0);
        // None free or released: the oldest held note (64 on voice 2) is stolen.
        assert_eq!(on(&mut a, 69), 2);
        assert_eq!(on(&mut a, 71), 1);
        assert_eq!(a.active(), 3);
        assert_eq!(voices(0).note_on(60), None);
    }

    #[test]
    fn each_start_of_a_voice_changes_its_gate_value() {
        let mut a = voices(1);
        let gates: Vec<f32> = (0..4).map(|n| a.note_on(60 + n).unwrap().gate).collect();
        assert_eq!(gates, [1.0, 2.0, 1.0, 2.0]);
    }

    #[test]
    fn the_pedal_keeps_released_notes_until_it_lifts() {
        let mut a = voices(4);
        on(&mut a, 60);
        a.sustain(true);
        on(&mut a, 64);
        assert!(a.note_off(60).is_empty());
        assert!(a.note_off(64).is_empty());
        assert_eq!(a.state(0), State::Sustained);
        on(&mut a, 67);
        assert_eq!(a.active(), 3);
        // Sustained voices are stolen before held ones.
        on(&mut a, 69);
        assert_eq!(on(&mut a, 71), 0, "the oldest sustained voice");
        assert_eq!(a.sustain(false), [1]);
        assert_eq!(a.state(2), State::Held, "a held key stays held");
        assert_eq!(a.all_off(), [0, 2, 3]);
        assert_eq!(a.active(), 0);
    }

    #[test]
    fn a_gate_that_could_not_be_sent_leaves_the_voice_as_it_plays() {
        let mut a = voices(2);
        on(&mut a, 60);
        a.not_opened(0);
        assert_eq!((a.state(0), a.active()), (State::Released, 0));
        assert!(a.note_off(60).is_empty(), "nothing to close");
        on(&mut a, 62);
        assert_eq!(a.note_off(62), [1]);
        a.not_closed(1);
        assert_eq!((a.state(1), a.active()), (State::Held, 1));
        assert_eq!(a.note_off(62), [1], "the next note off closes it again");
    }

    #[test]
    fn a_note_off_releases_every_voice_of_its_note_and_nothing_else() {
        let mut a = voices(4);
        on(&mut a, 60);
        on(&mut a, 60);
        on(&mut a, 62);
        assert_eq!(a.note_off(60), [0, 1]);
        assert!(a.note_off(61).is_empty());
        assert_eq!(a.tuned().collect::<Vec<_>>(), [(0, 60), (1, 60), (2, 62)]);
        a.resize(2);
        assert_eq!(a.len(), 2);
        assert_eq!(a.active(), 0);
    }
}
