//! Building blocks that several kernel families share: a biquad core for the RBJ-cookbook
//! filters, one-pole smoothers for envelopes, followers and dynamics, and the ring buffer of
//! the delays. Each works one sample at a time, so kernels built on them keep their output
//! independent of block sizes.

pub(crate) mod biquad;
pub(crate) mod ring;
pub(crate) mod smooth;
