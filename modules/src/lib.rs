//! The modules a patch can use: their catalog entries (ports, parameters, defaults, ranges,
//! units, docs) and the native kernels that the VM calls for them.
//!
//! This is the only crate that depends on `fundsp`. Each module lives in one file under
//! [`kernels`] next to its catalog entry; [`catalog`] gathers the entries and [`build`] makes a
//! kernel for a node.
//!
//! ```
//! use patchvm_modules::{build, catalog, KernelInit};
//! let sine = catalog().get("osc.sine").unwrap();
//! let mut kernel = build(sine, &KernelInit::new(&[440.0], 48_000.0)).unwrap();
//! let freq = [440.0_f32; 64];
//! let mut out = [0.0_f32; 64];
//! kernel.process(&[&freq], &mut [&mut out]);
//! assert_eq!(out[0], 0.0); // oscillators start at phase 0
//! ```
#![deny(missing_docs)]

mod dsp;
pub mod kernels;
mod module;
pub use module::{Module, StateFamily};
mod registry;

#[cfg(feature = "stretch")]
pub use dsp::stretch::{MAX_SEMITONES, MAX_STRETCH, MIN_STRETCH, PitchShifter, StretchReader};
pub use kernels::pitch::{NO_STRETCH, STRETCH_BUILT};
pub use registry::{KernelInit, build, catalog, memory_bytes, rebuilt_by, state_family};
