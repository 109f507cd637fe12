//! Helpers for writing catalog entries.

use patchvm_ir::{InputSpec, Rate, Unit};

/// An audio-rate control input: its name, doc, unit and `[default, min, max]`.
pub(super) const fn control(
    name: &'static str,
    doc: &'static str,
    unit: Unit,
    [default, min, max]: [f64; 3],
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
