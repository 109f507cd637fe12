//! Sinks: where note streams, controls and bends leave the engine as MIDI-like events —
//! `midi.out`, `midi.cc`, `midi.bend`.
//!
//! They have no kernel, like `output`: the compiler hands their signals to the host
//! (`WRITE_SINK`), and after each block one pure function of the vm (`patchvm_vm::sink`)
//! turns them into stamped events, the same function for the live engine and the offline
//! `stream` command, so both send the same events. A sink keeps what drives it alive, as an
//! output does, so a patch of patterns and sinks alone is valid (and silent).

use super::spec::{setting, signal};
use crate::module::Module;
use patchvm_ir::notes::LANE_PORTS;
use patchvm_ir::{InputSpec, ModuleSpec, Part, Role, Sink, SinkKind, Unit};

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[OUT, CC, BEND];

/// The channel input.
const CHANNEL: InputSpec = setting(
    "channel",
    "the MIDI channel the events go out on",
    1.0,
    (1.0, 16.0),
    Unit::Integer,
);

/// Lane `lane`'s pitch input.
const fn pitch(lane: usize) -> InputSpec {
    signal(LANE_PORTS[lane][0], "a lane's note number", 0.0)
}

/// Lane `lane`'s gate input.
const fn gate(lane: usize) -> InputSpec {
    signal(
        LANE_PORTS[lane][1],
        "a lane's velocity while on, 0 while off",
        0.0,
    )
}

/// `midi.out`'s inputs: every lane of a note stream, then the channel.
const OUT_INPUTS: [InputSpec; 17] = [
    pitch(0),
    gate(0),
    pitch(1),
    gate(1),
    pitch(2),
    gate(2),
    pitch(3),
    gate(3),
    pitch(4),
    gate(4),
    pitch(5),
    gate(5),
    pitch(6),
    gate(6),
    pitch(7),
    gate(7),
    CHANNEL,
];

/// Every lane signal's port, in order.
const LANE_SIGNALS: [&str; 16] = {
    let mut ports = [""; 16];
    let mut i = 0;
    while i < 16 {
        ports[i] = LANE_PORTS[i / 2][i % 2];
        i += 1;
    }
    ports
};

/// `midi.out`: a note stream leaves as notes on one channel.
pub const OUT: Module = Module::compiled(ModuleSpec {
    name: "midi.out",
    doc: "sends a note stream (connect a `notes` output to its `notes`) as MIDI notes",
    inputs: &OUT_INPUTS,
    outputs: &[],
    role: Role::Sink,
})
.part(Part::Sink(Sink {
    kind: SinkKind::Notes,
    signals: &LANE_SIGNALS,
    channel: "channel",
    number: None,
}));

/// `midi.cc`: a control signal leaves as a control change.
pub const CC: Module = Module::compiled(ModuleSpec {
    name: "midi.cc",
    doc: "sends `in` (0 to 1) as a MIDI control change whenever its 7-bit value changes",
    inputs: &[
        signal("in", "the control, 0 to 1", 0.0),
        setting(
            "cc",
            "the controller number",
            1.0,
            (0.0, 127.0),
            Unit::Integer,
        ),
        CHANNEL,
    ],
    outputs: &[],
    role: Role::Sink,
})
.part(Part::Sink(Sink {
    kind: SinkKind::Cc,
    signals: &["in"],
    channel: "channel",
    number: Some("cc"),
}));

/// `midi.bend`: a signal leaves as pitch bend.
pub const BEND: Module = Module::compiled(ModuleSpec {
    name: "midi.bend",
    doc: "sends `in` (-1 to 1) as MIDI pitch bend whenever its 14-bit value changes",
    inputs: &[signal("in", "the bend, -1 to 1", 0.0), CHANNEL],
    outputs: &[],
    role: Role::Sink,
})
.part(Part::Sink(Sink {
    kind: SinkKind::Bend,
    signals: &["in"],
    channel: "channel",
    number: None,
}));
