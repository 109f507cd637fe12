//! Helpers for writing module specs: the input, output and module forms most modules share.

use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};

/// An audio-rate control input: its name, doc, default, `(min, max)` range and unit.
pub(super) const fn control(
    name: &'static str,
    doc: &'static str,
    default: f64,
    (min, max): (f64, f64),
    unit: Unit,
) -> InputSpec {
    InputSpec {
        name,
        doc,
        default,
        min,
        max,
        unit,
        rate: Rate::Audio,
        breaks_cycles: false,
    }
}

/// A setting: read when the node is built, never connected or set by events (a new value
/// builds the kernel again, which keeps what state it can).
pub(super) const fn setting(
    name: &'static str,
    doc: &'static str,
    default: f64,
    (min, max): (f64, f64),
    unit: Unit,
) -> InputSpec {
    InputSpec {
        name,
        doc,
        default,
        min,
        max,
        unit,
        rate: Rate::Init,
        breaks_cycles: false,
    }
}

/// The range of signal-valued parameters: wide, since a signal can carry a control value.
const SIGNAL_RANGE: f64 = 1e6;

/// An audio-rate input carrying any signal.
pub(super) const fn signal(name: &'static str, doc: &'static str, default: f64) -> InputSpec {
    InputSpec {
        name,
        doc,
        default,
        min: -SIGNAL_RANGE,
        max: SIGNAL_RANGE,
        unit: Unit::Signal,
        rate: Rate::Audio,
        breaks_cycles: false,
    }
}

/// The single output, `out`.
pub(super) const fn out(doc: &'static str) -> OutputSpec {
    OutputSpec {
        name: "out",
        doc,
        unit: Unit::Signal,
    }
}

/// A module of kernel role from its parts.
pub(super) const fn module(
    name: &'static str,
    doc: &'static str,
    inputs: &'static [InputSpec],
    outputs: &'static [OutputSpec],
) -> ModuleSpec {
    ModuleSpec {
        name,
        doc,
        inputs,
        outputs,
        role: Role::Kernel,
    }
}
