//! DSP building blocks that several kernel families share.

pub(crate) mod ring;
