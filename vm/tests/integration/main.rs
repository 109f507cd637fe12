//! The VM crate's integration tests, one module per subject, in one binary so they link once.

mod common;
mod link_stress;
mod live_clock;
mod live_events;
mod live_transport;
mod shared_kernels;
mod verifier;
