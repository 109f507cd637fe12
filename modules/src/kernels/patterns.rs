//! Patterns that play on the transport's beat: `seq.pattern` plays a mini-notation pattern
//! (notes, numbers in a scale, chord symbols, drum words), `seq.arp` arpeggiates a pattern of
//! chords. Both place every event at the first sample whose beat ([`Beats::at`](patchvm_vm::Beats::at)) reaches
//! the event's beat, so every pattern of a session (one added by a live edit mid-bar too)
//! plays on one grid, and what they play is a function of the beat alone, the same bits
//! whatever the host's buffers.
//!
//! A cycle of a pattern lasts `cycle` bars of the meter's `beats_per_bar` beats. Each onset
//! gives `trig` one sample of 1 and opens `gate` for the event's length times `legato`; a
//! pitched onset sets `note` (MIDI) and `freq` (A4 = 440 Hz) and takes a note-stream lane
//! (see [`patchvm_ir::notes`]; `patterns/lanes.rs`). While the transport is stopped nothing
//! plays and every gate is closed; a jump (seek, loop, start) closes every gate, and its
//! first sample plays only an event exactly on its beat.
//!
//! A word of `seq.pattern`'s pattern that is a chord symbol (`Am7`, `Cmaj7`, `Gsus4`) plays
//! the chord's notes from octave 3, each on a lane, and names no output; the other words
//! (`bd`, `sd`) name the outputs `word0`… in order. A chord symbol that is also a note name
//! (`C`, `Eb`, `Bb7`) is the note: write `CM` or `Ebmaj` for the triad. Stacked notes and
//! chords set the mono outputs to their highest note.
//!
//! The parts: `patterns/player.rs` holds the events of the cycles around the beat (each cycle
//! queried once), `patterns/lanes.rs` allocates lanes, `patterns/checks.rs` checks the texts,
//! `patterns/sequencer.rs` is `seq.pattern`'s kernel and `patterns/arp.rs` `seq.arp`'s.

mod arp;
pub(in crate::kernels) mod checks;
mod lanes;
pub(in crate::kernels) mod player;
pub(in crate::kernels) mod sequencer;

use super::spec::setting;
use crate::module::Module;
use patchvm_ir::text::TextSpec;
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};
use patchvm_pattern::theory::MAX_OCTAVES;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[PATTERN, ARP];

/// The words of a pattern that name outputs: `word0`… `word7`.
pub const WORDS: usize = 8;

/// The shortest and longest cycle, in bars.
const CYCLE_BARS: (f64, f64) = (1.0 / 16.0, 64.0);

/// A text input, read when the node is built (the sampler's too).
pub(super) const fn text(
    name: &'static str,
    doc: &'static str,
    spec: &'static TextSpec,
) -> InputSpec {
    InputSpec {
        name,
        doc,
        default: 0.0,
        min: 0.0,
        max: 0.0,
        unit: Unit::Text(spec),
        rate: Rate::Init,
        breaks_cycles: false,
    }
}

const CYCLE: InputSpec = setting(
    "cycle",
    "bars per cycle of the pattern",
    1.0,
    CYCLE_BARS,
    Unit::Linear,
);
const LEGATO: InputSpec = setting(
    "legato",
    "how long the gate stays open, as a fraction of the event",
    1.0,
    (0.0, 4.0),
    Unit::Linear,
);
const SEED: InputSpec = setting(
    "seed",
    "the seed of the pattern's random choices (`?`, `|`, humanise, arp mode random)",
    0.0,
    (0.0, u32::MAX as f64),
    Unit::Integer,
);

/// An output of a signal.
const fn signal(name: &'static str, doc: &'static str) -> OutputSpec {
    OutputSpec {
        name,
        doc,
        unit: Unit::Signal,
    }
}

const WORD_DOC: &str = "1.0 on the first sample of each onset of the pattern's word of this place";
const PITCH_DOC: &str = "a lane's MIDI note number, held";
const GATE_DOC: &str = "a lane's velocity while its note is on, 0 while off";

/// `seq.pattern`'s outputs: the mono ones, the words, the note stream's lanes (named as
/// [`LANE_PORTS`](patchvm_ir::notes::LANE_PORTS)).
const PATTERN_OUTPUTS: &[OutputSpec] = &[
    signal("trig", "1.0 on the first sample of each onset, else 0"),
    signal(
        "gate",
        "1.0 from each onset for its length times legato, else 0",
    ),
    OutputSpec {
        name: "freq",
        doc: "the last note's frequency (A4 = 440 Hz), held",
        unit: Unit::Hz,
    },
    signal("note", "the last note's MIDI number, held"),
    signal("vel", "the last onset's velocity (0..1), held"),
    signal("word0", WORD_DOC),
    signal("word1", WORD_DOC),
    signal("word2", WORD_DOC),
    signal("word3", WORD_DOC),
    signal("word4", WORD_DOC),
    signal("word5", WORD_DOC),
    signal("word6", WORD_DOC),
    signal("word7", WORD_DOC),
    signal("notes0.pitch", PITCH_DOC),
    signal("notes0.gate", GATE_DOC),
    signal("notes1.pitch", PITCH_DOC),
    signal("notes1.gate", GATE_DOC),
    signal("notes2.pitch", PITCH_DOC),
    signal("notes2.gate", GATE_DOC),
    signal("notes3.pitch", PITCH_DOC),
    signal("notes3.gate", GATE_DOC),
    signal("notes4.pitch", PITCH_DOC),
    signal("notes4.gate", GATE_DOC),
    signal("notes5.pitch", PITCH_DOC),
    signal("notes5.gate", GATE_DOC),
    signal("notes6.pitch", PITCH_DOC),
    signal("notes6.gate", GATE_DOC),
    signal("notes7.pitch", PITCH_DOC),
    signal("notes7.gate", GATE_DOC),
];

/// `seq.arp`'s outputs: the mono ones, the note stream's lanes.
const ARP_OUTPUTS: &[OutputSpec] = &[
    signal("trig", "1.0 on the first sample of each onset, else 0"),
    signal(
        "gate",
        "1.0 from each onset for its length times legato, else 0",
    ),
    OutputSpec {
        name: "freq",
        doc: "the last note's frequency (A4 = 440 Hz), held",
        unit: Unit::Hz,
    },
    signal("note", "the last note's MIDI number, held"),
    signal("vel", "the last onset's velocity (0..1), held"),
    signal("notes0.pitch", PITCH_DOC),
    signal("notes0.gate", GATE_DOC),
    signal("notes1.pitch", PITCH_DOC),
    signal("notes1.gate", GATE_DOC),
    signal("notes2.pitch", PITCH_DOC),
    signal("notes2.gate", GATE_DOC),
    signal("notes3.pitch", PITCH_DOC),
    signal("notes3.gate", GATE_DOC),
    signal("notes4.pitch", PITCH_DOC),
    signal("notes4.gate", GATE_DOC),
    signal("notes5.pitch", PITCH_DOC),
    signal("notes5.gate", GATE_DOC),
    signal("notes6.pitch", PITCH_DOC),
    signal("notes6.gate", GATE_DOC),
    signal("notes7.pitch", PITCH_DOC),
    signal("notes7.gate", GATE_DOC),
];

/// `seq.pattern`: a mini-notation pattern on the transport's beat.
pub const PATTERN: Module = Module::kernel(
    ModuleSpec {
        name: "seq.pattern",
        doc: "plays a mini-notation pattern on the transport's beat: notes, scale degrees, \
              chord symbols (every note on a lane of its own) and words (each on its output)",
        inputs: PATTERN_INPUTS,
        outputs: PATTERN_OUTPUTS,
        role: Role::Kernel,
    },
    sequencer::build,
);

/// `seq.pattern`'s inputs.
const PATTERN_INPUTS: &[InputSpec] = &[
    text(
        "pattern",
        "the pattern, in Strudel's mini-notation; its words name outputs",
        &checks::PATTERN,
    ),
    text(
        "scale",
        "a scale such as `d dorian` that makes numbers degrees (empty: numbers are MIDI notes)",
        &checks::SCALE,
    ),
    text(
        "velocity",
        "a pattern of velocities 0..1 (a step's own `:` velocity wins)",
        &checks::VELOCITY,
    ),
    CYCLE,
    LEGATO,
    setting(
        "swing",
        "how far the second half of each swing step is delayed, as a fraction of half a step",
        0.0,
        (0.0, 1.0),
        Unit::Linear,
    ),
    setting(
        "swing_step",
        "the swing grid's step, in beats",
        0.25,
        (1.0 / 64.0, 4.0),
        Unit::Linear,
    ),
    setting(
        "humanise",
        "the largest random timing offset, in beats either way",
        0.0,
        (0.0, 1.0),
        Unit::Linear,
    ),
    setting(
        "humanise_vel",
        "the largest random velocity change either way",
        0.0,
        (0.0, 1.0),
        Unit::Linear,
    ),
    SEED,
];

/// `seq.arp`: an arpeggiator over a pattern of chords.
pub const ARP: Module = Module::kernel(
    ModuleSpec {
        name: "seq.arp",
        doc: "arpeggiates a mini-notation pattern of chord symbols on the transport's beat, \
              a note every step",
        inputs: ARP_INPUTS,
        outputs: ARP_OUTPUTS,
        role: Role::Kernel,
    },
    arp::build,
);

/// `seq.arp`'s inputs.
const ARP_INPUTS: &[InputSpec] = &[
    text(
        "chord",
        "the chords, a mini-notation pattern of chord symbols such as `<Am7 Dm7 G7 Cmaj7>`",
        &checks::CHORDS,
    ),
    text(
        "mode",
        "how the notes are walked: up, down, updown, downup, converge or random",
        &checks::MODE,
    ),
    setting(
        "octaves",
        "how many octaves the notes span",
        1.0,
        (1.0, MAX_OCTAVES as f64),
        Unit::Integer,
    ),
    setting(
        "step",
        "beats per note (0.25: sixteenth notes)",
        0.25,
        (1.0 / 64.0, 16.0),
        Unit::Linear,
    ),
    CYCLE,
    LEGATO,
    SEED,
];

/// MIDI note `note`'s frequency, A4 = 440 Hz.
fn hz(note: f64) -> f64 {
    440.0 * ((note - 69.0) / 12.0).exp2()
}

#[cfg(test)]
#[path = "patterns_tests.rs"]
mod tests;
