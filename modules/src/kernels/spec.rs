//! Helpers for writing catalog entries.

use patchvm_ir::{InputSpec, Rate, Unit};

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
