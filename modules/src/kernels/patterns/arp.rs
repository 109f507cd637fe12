//! `seq.arp`'s kernel: a note every `step` beats of the transport (step `k` at beat
//! `k · step`), walking the notes of the chord sounding at that beat (from octave 3) in the
//! arpeggiator's mode. The walk starts again at each chord's first step, so a step's note is
//! a function of its beat alone. A chord symbol the mini-notation reads as a note (`C`, `G7`,
//! `Bb9`: a root and an octave) is read back as the chord it spells.

use super::checks::chord_notes;
use super::player::{Held, MIN_HELD, cycle_of, just_below};
use super::sequencer::{Playing, STRAIGHT, TRIG};
use super::{CYCLE_BARS, MAX_OCTAVES};
use crate::kernels::{limit, param};
use crate::module::{Build, Dsp, dsp};
use patchvm_ir::notes::NOTE_LANES;
use patchvm_pattern::mini::{Pattern, Value};
use patchvm_pattern::theory::{Arp, ArpMode, Chord};
use patchvm_vm::{Beats, Kernel};

/// `notes0.pitch`, then the other lanes' signals.
const LANES: usize = 5;

/// The most notes a hand holds (a chord's notes, its bass included).
const HAND: usize = 16;

/// The root names, by semitone above C, as chord symbols spell them.
const ROOTS: [&str; 12] = [
    "C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B",
];

/// The highest number after a root the table reads as a chord type (`C13`).
const NUMBERS: usize = 13;

/// Chord symbols the mini-notation reads as notes: a root alone (`C`, `Eb`, octave 3 to the
/// notation) and a root with a number (`G7`, `Bb9`, `C6`: G in octave 7 to the notation).
/// Made when the kernel is built, so the audio thread only looks them up.
struct Numbered {
    /// `[number][root]`: the chord `ROOTS[root]` followed by `number`, if it is one.
    chords: [[Option<Chord>; 12]; NUMBERS + 1],
    /// The major triad on each root.
    triads: [Chord; 12],
}

impl Numbered {
    fn new() -> Numbered {
        let parse = |symbol: String| Chord::parse(&symbol).ok();
        Numbered {
            chords: std::array::from_fn(|number| {
                std::array::from_fn(|root| parse(format!("{}{number}", ROOTS[root])))
            }),
            triads: std::array::from_fn(|root| {
                parse(ROOTS[root].to_owned()).expect("a root alone is a major triad")
            }),
        }
    }

    /// The chord the note `note` was written as: its octave number the chord type (3, no
    /// number, a major triad), a number that is no chord type a major triad too.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn chord(&self, note: f64) -> Chord {
        let note = note.round() as i64;
        let root = note.rem_euclid(12) as usize;
        let number = note.div_euclid(12) - 1;
        let typed = usize::try_from(number)
            .ok()
            .filter(|&number| number != 3)
            .and_then(|number| *self.chords.get(number)?.get(root)?);
        typed.unwrap_or(self.triads[root])
    }
}

/// `seq.arp`'s kernel.
pub(super) struct Arpeggiator {
    chords: Held,
    /// The notes of each word of the chord pattern.
    words: Vec<Option<Vec<f64>>>,
    /// The chords written as notes.
    numbered: Numbered,
    arp: Arp,
    step: f64,
    cycle_bars: f64,
    legato: f64,
    playing: Playing,
}

/// Makes `seq.arp`'s kernel from its checked texts and settings.
pub(super) fn build(init: &Build) -> Box<dyn Kernel> {
    let spec = init.spec();
    let setting = |name| param(spec, init, name);
    let chords = Pattern::parse(init.text(spec, "chord"))
        .or_else(|_| Pattern::parse("~"))
        .expect("the validator checked it");
    let mode = ArpMode::parse(init.text(spec, "mode").trim()).unwrap_or(ArpMode::Up);
    let seed = setting("seed") as u64;
    let octaves = limit(setting("octaves"), 1.0, f64::from(MAX_OCTAVES)) as u8;
    init.kernel(Arpeggiator {
        words: chord_notes(&chords),
        numbered: Numbered::new(),
        chords: Held::new(chords, seed, MIN_HELD),
        arp: Arp::new(mode, octaves, seed),
        step: limit(setting("step"), 1.0 / 64.0, 16.0),
        cycle_bars: limit(setting("cycle"), CYCLE_BARS.0, CYCLE_BARS.1),
        legato: setting("legato"),
        playing: Playing::default(),
    })
}

/// The number of the last step starting at or before `beat`: the largest `k` with
/// `k · step <= beat`, the product as computed.
fn last_start(beat: f64, step: f64) -> f64 {
    let k = (beat / step).floor();
    if k * step > beat {
        k - 1.0
    } else if (k + 1.0) * step <= beat {
        k + 1.0
    } else {
        k
    }
}

impl Arpeggiator {
    /// The notes of the chord sounding at beat `beat` into `hand`, and the first step it
    /// sounds on; `None` where no chord sounds.
    fn hand_at(&self, beat: f64, hand: &mut [f64; HAND]) -> Option<(usize, f64)> {
        let placed = self
            .chords
            .events()
            .iter()
            .rev()
            .find(|placed| placed.beat <= beat && beat < placed.beat + placed.length)?;
        let mut count = 0;
        let mut hold = |note: f64| {
            if count < HAND {
                hand[count] = note;
                count += 1;
            }
        };
        match placed.event.value {
            Value::Word(word) => self
                .words
                .get(word)?
                .as_deref()?
                .iter()
                .for_each(|&n| hold(n)),
            Value::Note(note) | Value::Number(note) => {
                self.numbered.chord(note).notes(3).for_each(hold);
            }
        }
        let first = last_start(just_below(placed.beat), self.step) + 1.0;
        Some((count, first))
    }
}

impl Dsp for Arpeggiator {
    /// With no transport, as a transport standing still: silence.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        self.process_at(&Beats::STILL, inputs, outputs);
    }

    /// No inputs (the texts and settings are read when built); outputs `[trig, gate, freq,
    /// note, vel, notes0.pitch, notes0.gate, … notes7.gate]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process_at(&mut self, beats: &Beats, _inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let len = outputs[TRIG].len();
        let last = beats.at(len.saturating_sub(1));
        if !beats.playing || len == 0 || !last.is_finite() {
            self.playing.silence(outputs, LANES);
            return;
        }
        let mut previous = self.playing.start(beats);
        let cycle_beats = self.cycle_bars * beats.beats_per_bar.max(1.0 / 64.0);
        let first = cycle_of(previous, cycle_beats) - 1;
        self.chords
            .hold(first, cycle_of(last, cycle_beats), cycle_beats, &STRAIGHT);
        let mut hand = [0.0; HAND];
        for i in 0..len {
            let beat = beats.at(i);
            outputs[TRIG][i] = 0.0;
            self.playing.mono.release_until(Some(beat));
            self.playing.lanes.release_until(beat);
            let k = last_start(beat, self.step);
            if k > last_start(previous, self.step) {
                let start = k * self.step;
                if let Some((count, first)) = self.hand_at(start, &mut hand) {
                    let walk = (k - first).max(0.0) as u64;
                    if let Some(note) = self.arp.note_at(&hand[..count], walk) {
                        let until = start + self.step * self.legato;
                        outputs[TRIG][i] = 1.0;
                        self.playing.lanes.start(note, 1.0, until);
                        self.playing.mono.onset(Some(note), 1.0, until);
                    }
                }
            }
            self.playing.mono.write(outputs, i);
            self.playing
                .lanes
                .write(&mut outputs[LANES..LANES + 2 * NOTE_LANES], i);
            previous = beat;
        }
        self.playing.previous = Some(last);
    }

    fn reset(&mut self) {
        self.playing = Playing::default();
    }

    /// Keeps where the beat was and the notes sounding, so a swap neither replays nor drops
    /// a step, nor cuts a note.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        match dsp::<Arpeggiator>(other) {
            Some(other) => {
                self.playing = other.playing;
                true
            }
            None => false,
        }
    }
}
