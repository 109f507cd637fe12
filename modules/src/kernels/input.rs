//! `input`: the host's audio input channels, for live processing. The compiler reads them
//! with `READ_INPUT`, so the module has no kernel.

use crate::module::Module;
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Part, Rate, Role, Unit};

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[INPUT];

/// `input`: one channel of the host's audio input.
pub const INPUT: Module = Module::compiled(ModuleSpec {
    name: "input",
    doc: "one channel of the host's audio input; silence where the host has none",
    inputs: &[InputSpec {
        name: "channel",
        doc: "the input channel, from 0",
        default: 0.0,
        min: 0.0,
        max: 31.0,
        unit: Unit::Integer,
        rate: Rate::Init,
        breaks_cycles: false,
    }],
    outputs: &[OutputSpec {
        name: "out",
        doc: "the channel's samples",
        unit: Unit::Signal,
    }],
    role: Role::Input,
})
.part(Part::Input { channel: "channel" });
