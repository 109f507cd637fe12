//! Listening: `analysis.pitch`, `analysis.onset`, `analysis.amplitude` and
//! `analysis.centroid`, audio in, control signals out, one file each in `analysis/`.
//!
//! Each kernel pushes its input one sample at a time into a ring (`frames.rs`) and analyses
//! the ring at the end of every hop, the only samples its outputs change on; between hops the
//! outputs hold. So a kernel's outputs do not depend on the host's blocks, and its latency is
//! fixed: each module's doc gives it in samples (at 44.1 and 48 kHz, whose frame and hop
//! lengths are the same powers of two). Every buffer and FFT plan is made when the kernel is
//! built; the settings that size them (`min`, `window_s`) build it again.

mod amplitude;
mod centroid;
mod frames;
mod onset;
mod pitch;
mod spectrum;

use super::spec::control;
use crate::module::Module;
use patchvm_ir::{InputSpec, Unit};

pub use amplitude::AMPLITUDE;
pub use centroid::CENTROID;
pub use onset::ONSET;
pub use pitch::PITCH;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[PITCH, ONSET, AMPLITUDE, CENTROID];

/// The input every analysis module listens to.
const IN: InputSpec = control(
    "in",
    "the signal to analyse",
    0.0,
    (-1e6, 1e6),
    Unit::Signal,
);

#[cfg(test)]
#[path = "analysis_tests.rs"]
mod tests;
