//! Pitch shift of a live signal: `fx.stretch`.
//!
//! Signalsmith Stretch (see `PitchShifter`, with the feature) with a 0.34 s window, run
//! on fixed chunks of 64 samples so the output does not depend on the host's blocks. The output
//! is the input `semitones` higher (±24), `PitchShifter::latency` samples later: the library's
//! window plus one chunk (16,448 samples at 44.1 and 48 kHz). `semitones` is read at the last sample of each
//! chunk. Built without the `stretch` feature, the module stays in the catalog but a patch
//! using it is refused (E0125).

use super::delay_effects::{IN, OUT};
use super::spec::control;
use crate::module::Module;
use patchvm_ir::{ModuleSpec, NotBuilt, Role, Unit};

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[STRETCH];

/// What a build without the `stretch` feature lacks: the value of `semitones` (or the module)
/// is where a patch asks for it. Clips asking for a stretch or a pitch report it too.
pub const NO_STRETCH: NotBuilt = NotBuilt {
    what: "time-stretch",
    feature: "stretch",
    input: "semitones",
};

/// Whether this build has time-stretch and pitch-shift (the `stretch` feature).
pub const STRETCH_BUILT: bool = cfg!(feature = "stretch");

const SPEC: ModuleSpec = ModuleSpec {
    name: "fx.stretch",
    doc: "pitch shift (Signalsmith Stretch): the input semitones higher, 16,448 samples later at 48 kHz",
    inputs: &[
        IN,
        control(
            "semitones",
            "shift in semitones, read every 64 samples; limited to -24..24",
            0.0,
            (-24.0, 24.0),
            Unit::Linear,
        ),
    ],
    outputs: &[OUT],
    role: Role::Kernel,
};

/// `fx.stretch`: a pitch shifter.
#[cfg(feature = "stretch")]
pub const STRETCH: Module = Module::kernel(SPEC, |init| {
    init.kernel(shifter::Shifter::new(init.sample_rate))
});

/// `fx.stretch`, left out of this build.
#[cfg(not(feature = "stretch"))]
pub const STRETCH: Module = Module::compiled(SPEC).not_built(NO_STRETCH);

#[cfg(feature = "stretch")]
mod shifter {
    use super::STRETCH;
    use crate::dsp::stretch::PitchShifter;
    use crate::module::{Dsp, output, port};

    // Where `Shifter` finds the ports of `fx.stretch`.
    const SHIFT_IN: usize = port(&STRETCH.spec, "in");
    const SHIFT_SEMITONES: usize = port(&STRETCH.spec, "semitones");
    const SHIFT_OUT: usize = output(&STRETCH.spec, "out");

    /// The kernel of `fx.stretch`.
    #[derive(Debug)]
    pub(super) struct Shifter(PitchShifter);

    impl Shifter {
        pub(super) fn new(sample_rate: f64) -> Shifter {
            Shifter(PitchShifter::new(sample_rate))
        }
    }

    impl Dsp for Shifter {
        /// Inputs `[in, semitones]` (signal, semitones), outputs `[out]`.
        ///
        /// Real-time safe: does not allocate, lock or block.
        fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
            let (input, semitones) = (inputs[SHIFT_IN], inputs[SHIFT_SEMITONES]);
            self.0.process(input, semitones, outputs[SHIFT_OUT]);
        }

        fn reset(&mut self) {
            self.0.reset();
        }
    }
}

#[cfg(all(test, feature = "stretch"))]
#[path = "pitch_tests.rs"]
mod tests;
