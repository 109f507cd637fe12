//! What the compiler's tests share: their catalogs are built here, as this crate must not
//! depend on the real one.

use patchvm_ir::{InputSpec, Rate, Unit};

/// An audio-rate signal input with a wide range; `breaks_cycles` for a delay's `in`.
pub const fn input(name: &'static str, default: f64, breaks_cycles: bool) -> InputSpec {
    InputSpec {
        name,
        doc: "",
        default,
        min: -1e6,
        max: 1e6,
        unit: Unit::Signal,
        rate: Rate::Audio,
        breaks_cycles,
    }
}
