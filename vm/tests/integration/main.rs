//! The VM crate's integration tests, one module per subject, in one binary so they link once.
#![expect(
    clippy::disallowed_methods,
    reason = "the tests play the control side and the host too: they spawn and join audio threads, and a spy kernel sleeps to be caught in `process`"
)]

mod common;
mod link_stress;
mod live_clock;
mod live_events;
mod live_transport;
#[cfg(rtsan)]
mod realtime_sanitizer;
mod shared_kernels;
mod verifier;
