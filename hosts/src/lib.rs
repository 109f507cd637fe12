//! patchvm: audio patches on a bytecode virtual machine.
//!
//! A patch — a graph of DSP modules written as an S-expression, JSON or MessagePack file — is
//! validated, ordered and compiled into register bytecode, which a small VM runs once per
//! block of at most 64 samples, calling native DSP kernels. This crate is the facade that ties
//! the pipeline together ([`Instance`]) and the host adapters around it: offline rendering to
//! WAV ([`render`]), real-time backends — a WAV file at real-time pace, sound cards with the
//! `cpal` feature ([`backend`]) —, reloading a patch file on every save ([`watch`]), control
//! over OSC ([`osc`]), reading patch files ([`source`]) and rendering diagnostics
//! ([`report`]).
//!
//! ```
//! use patchvm::{Instance, Settings};
//! use patchvm::ir::{Format, Limits};
//!
//! let text = r#"
//! (patch
//!   (nodes
//!     (osc1 (type "osc.sine") (freq 440))
//!     (gain1 (type "gain") (amp 0.5))
//!     (out (type "output")))
//!   (connections
//!     (osc1 "out" -> gain1 "in")
//!     (gain1 "out" -> out "in")))"#;
//! let patch = Format::Sexpr.read(text.as_bytes(), &Limits::default()).unwrap();
//! let mut instance = Instance::new(&patch, &Settings::default(), &Limits::default()).unwrap();
//! let mut samples = vec![0.0; 48_000];
//! instance.process_interleaved(&mut samples, 64);
//! let peak = samples.iter().fold(0.0_f32, |peak, x| peak.max(x.abs()));
//! assert!((peak - 0.5).abs() < 1e-3);
//! ```
#![deny(missing_docs)]

pub mod backend;
pub mod engine;
mod instance;
pub mod load;
pub mod midi;
pub mod osc;
pub mod reference;
pub mod render;
pub mod report;
mod seed;
pub mod source;
pub mod watch;

// The unit tests prove that audio-thread code does not allocate (`assert_no_alloc`).
#[cfg(test)]
#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

pub use engine::{AudioHalf, Controller, Engine, EngineSettings};
pub use instance::{Instance, SAMPLE_RATES, Settings, prepare, sample_rate_problem};
pub use seed::node_seed;

/// The compiler (`patchvm-compiler`).
pub use patchvm_compiler as compiler;
/// The patch data model, formats, catalog types and validation (`patchvm-ir`).
pub use patchvm_ir as ir;
/// The module catalog and kernels (`patchvm-modules`).
pub use patchvm_modules as modules;
/// The bytecode and virtual machine (`patchvm-vm`).
pub use patchvm_vm as vm;
