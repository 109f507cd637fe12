//! Building blocks that several kernels share: a biquad core for the RBJ-cookbook filters and
//! one-pole smoothers for envelopes, followers and dynamics. Each works one sample at a time,
//! so kernels built on them keep their output independent of block sizes.

pub(crate) mod biquad;
pub(crate) mod smooth;
