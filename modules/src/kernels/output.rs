//! The patch's audio output: `output`.
//!
//! It has no kernel: the compiler writes its inputs to the output channels itself. `in` goes to
//! every channel, `left` and `right` to one each, and connections into one input are summed.

use crate::module::Module;
use patchvm_ir::{Feed, InputSpec, ModuleSpec, Part, Rate, Role, Unit};

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[OUTPUT];

const fn channel(name: &'static str, doc: &'static str) -> InputSpec {
    InputSpec {
        name,
        doc,
        default: 0.0,
        min: -1e3,
        max: 1e3,
        unit: Unit::Signal,
        rate: Rate::Audio,
        breaks_cycles: false,
    }
}

/// `output`: the patch's audio output.
pub const OUTPUT: Module = Module::compiled(ModuleSpec {
    name: "output",
    doc: "the patch's audio output: `in` to every channel, `left` and `right` to one each",
    inputs: &[
        channel("in", "signal sent to every channel"),
        channel("left", "signal sent to the left channel only"),
        channel("right", "signal sent to the right channel only"),
    ],
    outputs: &[],
    role: Role::Output,
})
.part(Part::Output(&[
    Feed {
        port: "in",
        channel: None,
    },
    Feed {
        port: "left",
        channel: Some(0),
    },
    Feed {
        port: "right",
        channel: Some(1),
    },
]));
