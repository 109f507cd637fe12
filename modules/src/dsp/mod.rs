//! Building blocks that several kernel families share: phase accumulators (in `f64`, and in
//! fixed point with the audio oscillators' waveforms), a period clock, the PolyBLEP step
//! correction, a trigger's rising-edge detector, the state-variable core of the RBJ-cookbook
//! filters (`svf`) and its SIMD low-pass (`svf_lowpass`), one-pole smoothers for envelopes,
//! followers and dynamics, the ring buffer of the delays, the seeded generator of the noise sources, the same-type checks of
//! `copy_state_from`, the run-time choice of vector width for block loops, and (with the `stretch`
//! feature) time-stretch and pitch-shift. Each is plain
//! state that moves one sample at a time or by exact block sums, so the kernels built from them
//! keep their output independent of block sizes.

pub(crate) mod clock;
pub(crate) mod edge;
pub(crate) mod phase;
pub(crate) mod phasor;
pub(crate) mod polyblep;
pub(crate) mod ring;
pub(crate) mod rng;
pub(crate) mod simd;
pub(crate) mod smooth;
pub(crate) mod state;
#[cfg(feature = "stretch")]
pub(crate) mod stretch;
pub(crate) mod svf;
pub(crate) mod svf_lowpass;
