//! Building blocks that several kernels share: a phase accumulator, a period clock, the
//! PolyBLEP step correction, and a trigger's rising-edge detector. Each is plain state stepped one sample at
//! a time, so the kernels built from them keep their output independent of block sizes.

pub(crate) mod clock;
pub(crate) mod edge;
pub(crate) mod phasor;
pub(crate) mod polyblep;
