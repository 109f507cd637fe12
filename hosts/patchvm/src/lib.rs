//! patchvm: audio patches on a bytecode virtual machine.
//!
//! A patch — a graph of DSP modules written as an S-expression, JSON or MessagePack file — is
//! validated, ordered and compiled into register bytecode, which a small VM runs once per
//! block of at most 64 samples, calling native DSP kernels. This crate is the facade an
//! embedder depends on: the engine ([`engine`]: the pipeline made runnable as an [`Instance`]
//! or a live [`Engine`], reading patch files ([`engine::source`]), rendering diagnostics
//! ([`engine::diagnostics`]), the real-time [`engine::backend`] traits), the core crates, and
//! the host adapters around the engine: WAV files ([`wav`]: offline rendering,
//! [`wav::render`], and the real-time WAV sink), sound cards (`soundcard`, with the `cpal`
//! feature), reloading a patch file on every save ([`watch`]), control over OSC ([`osc`]) and
//! MIDI ([`midi`]: files, and live ports with the `midi` feature). Each item has one path:
//! what belongs to the engine or an adapter is reached through its crate's module
//! (`patchvm::engine::source`, `patchvm::wav::render`); only the pipeline's main types
//! (`Instance`, `Prepared`, `Engine`, …) are also at the top.
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

pub use patchvm_engine::{
    AudioHalf, Controller, Engine, EngineSettings, Instance, Prepared, SAMPLE_RATES, Settings,
    node_seed, sample_rate_problem,
};

/// The engine (`patchvm-engine`): instances, the live engine, patch files, diagnostics.
pub use patchvm_engine as engine;
/// MIDI files and, with the `midi` feature, live ports (`patchvm-midi`).
pub use patchvm_midi as midi;
/// Control over OSC (`patchvm-osc`).
pub use patchvm_osc as osc;
/// Sound cards through cpal (`patchvm-soundcard`).
#[cfg(feature = "cpal")]
pub use patchvm_soundcard as soundcard;
/// A patch file reloaded into a live engine on every save (`patchvm-watch`).
pub use patchvm_watch as watch;
/// WAV files: offline rendering and the real-time WAV sink (`patchvm-wav`).
pub use patchvm_wav as wav;
/// Note streams for WebSocket subscribers (tungstenite).
pub use patchvm_ws as ws;

/// The compiler (`patchvm-compiler`).
pub use patchvm_compiler as compiler;
/// Audio files decoded, resampled and cached (`patchvm-audio`).
pub use patchvm_engine::audio;
/// The patch data model, formats, catalog types and validation (`patchvm-ir`).
pub use patchvm_ir as ir;
/// The module catalog and kernels (`patchvm-modules`).
pub use patchvm_modules as modules;
/// The bytecode and virtual machine (`patchvm-vm`).
pub use patchvm_vm as vm;
