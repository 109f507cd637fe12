//! Building blocks that several kernel families share: a phase accumulator, a period clock,
//! the PolyBLEP step correction, a trigger's rising-edge detector, a biquad core for the
//! RBJ-cookbook filters, one-pole smoothers for envelopes, followers and dynamics, the ring
//! buffer of the delays, the seeded generator of the noise sources, and the same-type checks of
//! `copy_state_from`. Each is plain state stepped one sample at a time, so the kernels built
//! from them keep their output independent of block sizes.

pub(crate) mod biquad;
pub(crate) mod clock;
pub(crate) mod edge;
pub(crate) mod phasor;
pub(crate) mod polyblep;
pub(crate) mod ring;
pub(crate) mod rng;
pub(crate) mod smooth;
pub(crate) mod state;
