//! patchvm's engine: a patch made runnable, once ([`Instance`]) or live ([`Engine`]).
//!
//! Every host goes through this crate: a patch file is read, validated, compiled, built and
//! verified by one pipeline ([`Prepared`], then an [`Instance`] or a [`Controller`]), and its
//! diagnostics rendered with its lines ([`diagnostics`]). The traits the host adapters share
//! live here too — real-time [`backend`]s and the [`Frames`] an offline render reads — so that
//! adapters depend on the engine and never on one another. It uses no I/O crate and no system
//! library: the core crates it builds on are re-exported ([`ir`], [`vm`], [`compiler`],
//! [`modules`]), so an embedder (the C ABI among them) needs this crate alone.
//!
//! # The live engine: a patch that changes while it plays
//!
//! [`Engine::new`] makes two halves. The [`AudioHalf`] belongs to whatever calls back for
//! audio — a sound card callback, a game's mixer, a render loop — and fills buffers of any
//! length; it never allocates, frees, locks or blocks, and it is `Send`. The [`Controller`]
//! lives on any other thread: it loads patches, applies edits with undo and redo, sends
//! parameter events and notes that take effect at an exact sample, and reads metrics and
//! swap reports.
//!
//! A new patch or edit is compiled and its kernels built on the control side, then taken
//! by the audio half at its next block boundary (within
//! [`MAX_BLOCK`](patchvm_vm::MAX_BLOCK) samples). Nodes whose
//! id and module survive carry on with their state — an oscillator's phase, a filter's
//! memory, a delay line, an envelope's stage — on the very kernel they ran on (the two
//! programs share it, so a swap copies nothing however large the patch). A change of nodes
//! or connections plays a transition first: for the fade time
//! ([`EngineSettings::fade_ms`], 20 ms unless set), every input whose connections changed
//! crossfades from its old sources to its new ones and removed nodes play out, so nothing
//! clicks; a changed value glides to its new value over the same time (whole numbers jump).
//!
//! ```
//! use patchvm_engine::{At, Engine, EngineSettings};
//! use patchvm_engine::ir::{Edit, Format, Limits};
//!
//! let settings = EngineSettings { channels: 1, ..EngineSettings::default() };
//! let (mut controller, mut audio) = Engine::new(settings, Limits::default());
//! let toy = r#"(patch (nodes (osc1 (type "osc.sine") (freq 440))
//!                            (gain1 (type "gain") (amp 0.5))
//!                            (out (type "output")))
//!                     (connections (osc1 "out" -> gain1 "in") (gain1 "out" -> out "in")))"#;
//! controller.load_text(toy.as_bytes(), Format::Sexpr).unwrap();
//!
//! let mut buffer = vec![0.0_f32; 512]; // any length
//! audio.process(&mut buffer);          // on the audio thread, in real code
//!
//! // Glide to 660 Hz over 100 ms, starting exactly at sample 1 000.
//! controller.ramp_param("osc1", "freq", 660.0, 4_800, At::Sample(1_000)).unwrap();
//! // Edits are checked before they touch the engine, and can be undone.
//! let report = controller.apply(&Edit::SetParam { node: "gain1".into(), param: "amp".into(), value: 0.25 }).unwrap();
//! assert_eq!(report.kept, ["osc1", "gain1"]);
//! assert!(controller.apply(&Edit::RemoveNode { id: "nope".into() }).is_err());
//! controller.undo().unwrap();
//! audio.process(&mut buffer);
//! // The load, the edit and the undo, each taken at a block boundary:
//! assert_eq!(controller.take_reports().len(), 3);
//! assert_eq!(controller.metrics().frames, 1_024);
//! ```
//!
//! # Notes, voices and MIDI
//!
//! A patch with a voice template (see [`patchvm_ir::voices`]) is compiled with
//! [`EngineSettings::voices`] copies of it. [`Controller::note_on`] gives each note a voice —
//! one never used (the lowest), else the one released longest ago, else the oldest kept only
//! by the sustain pedal, else the oldest held — and sets that voice's `voice` node's pitch
//! (equal temperament at the patch's `tuning`, pitch bend included), velocity and gate by
//! events at the note's exact sample; [`Controller::note_off`] closes the gate, or, while the
//! sustain pedal (control change 64) is down, when it lifts. The choice depends only on the
//! order of notes, never on timing, so it is deterministic. `voice` nodes outside a template
//! follow the last note held (monophonic, legato), and a [`NoteBinding`] drives any two
//! inputs the same way. The patch's MIDI section binds control changes, pitch bend and notes
//! to parameters; a bound note plays no voice. [`Controller::midi`] takes raw channel
//! messages (any channel) and ignores and counts everything else. The metrics report the
//! voices whose gate is open.
//!
//! ```
//! use patchvm_engine::{At, Engine, EngineSettings};
//! use patchvm_engine::ir::{Format, Limits};
//!
//! let settings = EngineSettings { channels: 1, voices: 4, ..EngineSettings::default() };
//! let (mut controller, mut audio) = Engine::new(settings, Limits::default());
//! let poly = r#"(patch (nodes (out (type "output"))) (connections (saws "out" -> out "in"))
//!   (voice saws
//!     (nodes (note (type "voice")) (osc (type "osc.saw")) (vca (type "mul")))
//!     (connections (note "pitch" -> osc "freq") (osc "out" -> vca "a")
//!                  (note "gate" -> vca "b"))
//!     (outputs (out vca "out")))
//!   (midi (tuning 440) (bend-range 2)))"#;
//! controller.load_text(poly.as_bytes(), Format::Sexpr).unwrap();
//! controller.midi(&[0x90, 60, 100], At::Sample(480)).unwrap(); // C4 on, 10 ms in
//! controller.midi(&[0x90, 64, 100], At::Sample(480)).unwrap(); // E4 on the next voice
//! controller.midi(&[0xF8], At::Now).unwrap();                   // a clock tick: ignored
//! assert_eq!((controller.active_voices(), controller.ignored_midi()), (2, 1));
//! let mut buffer = vec![0.0_f32; 960];
//! audio.process(&mut buffer);
//! assert!(buffer[..480].iter().all(|&x| x == 0.0) && buffer[481..].iter().any(|&x| x != 0.0));
//! ```
//!
//! In a sound-card callback (cpal's `build_output_stream` takes exactly such a closure over
//! `&mut [f32]`; no cpal is needed to compile this), move the audio half into the closure
//! and keep the controller:
//!
//! ```
//! use patchvm_engine::{At, Engine, EngineSettings};
//! use patchvm_engine::ir::{Format, Limits};
//!
//! let (mut controller, mut audio) = Engine::new(EngineSettings::default(), Limits::default());
//! // What you would hand to `device.build_output_stream(&config, callback, on_error, None)`:
//! let mut callback = move |data: &mut [f32]| audio.process(data);
//!
//! let patch = r#"(patch (nodes (osc1 (type "osc.saw") (freq 110)) (out (type "output")))
//!                       (connections (osc1 "out" -> out "in")))"#;
//! controller.load_text(patch.as_bytes(), Format::Sexpr).unwrap();
//! let now = controller.time();
//! controller.set_param("osc1", "freq", 220.0, At::Sample(now + 256)).unwrap();
//!
//! // The sound card calls back with buffers of whatever size it likes:
//! for frames in [256, 480, 1] {
//!     let mut interleaved = vec![0.0_f32; 2 * frames];
//!     callback(&mut interleaved);
//! }
//! let metrics = controller.metrics();
//! assert_eq!((metrics.frames, metrics.swaps, metrics.applied_events), (737, 1, 1));
//! assert!(metrics.peak_load > 0.0);
//! ```

#![deny(missing_docs)]

mod audio_files;
pub mod backend;
mod build;
mod clock_model;
mod controller;
pub mod diagnostics;
mod error;
mod event_range;
mod frames;
mod history;
mod instance;
mod keys;
pub mod load;
mod midi;
mod notes;
mod performance;
mod pipeline;
#[cfg(test)]
mod realtime_tests;
pub mod recorder;
pub mod reference;
mod report;
pub mod save;
mod seed;
mod snapshot;
pub mod source;
pub mod stream;
mod sync;
mod thread;
mod voices;
pub mod warnings;

// The unit tests prove that audio-thread code does not allocate (`assert_no_alloc`).
#[cfg(test)]
#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

#[cfg(test)]
#[test]
fn the_allocation_detector_fires() {
    patchvm_rtcheck::assert_allocation_detected(module_path!(), "the_allocation_detector_fires");
}

pub use clock_model::{AudioClock, ClockModel};
pub use controller::{
    AudioLoader, ClipReport, Controller, DEFAULT_FADE_MS, DEFAULT_TAIL_MAX_S, FADE_RANGE_MS,
    HeldAudio, LoadedFile, NodeFaults, PRESET_FORMAT, PRESET_VERSION, Preset, PresetError,
    PresetLoaded, PresetValue, ProbeHandle, ProbeState, RecallAt, TAIL_MAX_RANGE_S, clip_from_json,
    fade_problem, tail_max_problem,
};
pub use error::EngineError;
pub use midi::MidiMessage;
pub use notes::{NoteBinding, note_hz};
pub use patchvm_vm::live::{FADE_SAMPLES, MetricsSnapshot, ProbeReading};
pub use performance::most_changes;
pub use performance::pitch_hz;
pub use report::SwapReport;
pub use thread::StoppableThread;

pub use frames::Frames;
pub use instance::{Instance, SAMPLE_RATES, Settings, sample_rate_problem};
pub use patchvm_vm::ClipHappened;
pub use patchvm_vm::live::AudioHalf;
pub use pipeline::{Prepared, folder_of};
pub use seed::node_seed;
pub use snapshot::{
    HeldNote, ParamValue, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, Snapshot, SnapshotError,
    TransportSnapshot,
};

/// Audio files decoded, resampled and cached (`patchvm-audio`).
pub use patchvm_audio as audio;
/// The compiler (`patchvm-compiler`).
pub use patchvm_compiler as compiler;
/// The patch data model, formats, catalog types and validation (`patchvm-ir`).
pub use patchvm_ir as ir;
/// The module catalog and kernels (`patchvm-modules`).
pub use patchvm_modules as modules;
/// The bytecode and virtual machine (`patchvm-vm`).
pub use patchvm_vm as vm;

use patchvm_ir::Limits;
use patchvm_vm::live::{LinkSettings, link};

/// When an event takes effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// At the first sample of the next block the audio half renders.
    Now,
    /// At this engine time: frames since the engine started, as
    /// [`Controller::time`] counts them. A time already past takes effect at the next
    /// block, like `Now`.
    Sample(u64),
}

/// How an engine is built.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EngineSettings {
    /// Samples per second.
    pub sample_rate: f64,
    /// The render seed: the same patch, seed and events give the same samples.
    pub seed: u64,
    /// Interleaved output channels of the audio half: 1 or 2.
    pub channels: usize,
    /// Events that can wait in the queue; more are dropped and counted.
    pub event_capacity: usize,
    /// Programs that can wait to be taken.
    pub swap_capacity: usize,
    /// How many voices a patch's voice template plays (see [`patchvm_ir::voices`]).
    pub voices: usize,
    /// How long a live edit fades, in milliseconds: a structural edit's crossfade and a
    /// changed value's glide ([`DEFAULT_FADE_MS`], within [`FADE_RANGE_MS`];
    /// [`Controller::set_fade`] changes it).
    pub fade_ms: f64,
    /// How long the effects a structural edit removes may ring out, in seconds, before they
    /// fade out over the fade time ([`DEFAULT_TAIL_MAX_S`], within [`TAIL_MAX_RANGE_S`]; 0
    /// rings none; [`Controller::set_tail_max`] changes it).
    pub tail_max_s: f64,
}

impl Default for EngineSettings {
    fn default() -> EngineSettings {
        EngineSettings {
            sample_rate: 48_000.0,
            seed: 0,
            channels: 2,
            event_capacity: 4_096,
            swap_capacity: 16,
            voices: patchvm_compiler::DEFAULT_VOICES,
            fade_ms: DEFAULT_FADE_MS,
            tail_max_s: DEFAULT_TAIL_MAX_S,
        }
    }
}

impl EngineSettings {
    fn instance(&self) -> Settings {
        Settings {
            sample_rate: self.sample_rate,
            seed: self.seed,
            voices: self.voices,
        }
    }
}

/// Makes engines.
#[derive(Debug)]
pub struct Engine;

impl Engine {
    #[expect(
        clippy::new_ret_no_self,
        reason = "an engine is its two halves, each owned by a different thread"
    )]
    /// Makes an engine's two halves. Nothing plays until the controller loads a patch: the
    /// audio half renders silence until then.
    pub fn new(settings: EngineSettings, limits: Limits) -> (Controller, AudioHalf) {
        let (remote, audio) = link(LinkSettings {
            sample_rate: settings.sample_rate,
            channels: settings.channels,
            event_capacity: settings.event_capacity,
            swap_capacity: settings.swap_capacity,
        });
        let mut audio = audio;
        let clips = controller::ClipQueue::new(&mut audio);
        let recordings = controller::Recordings::new(&mut audio);
        let controller = Controller::new(remote, settings, limits, (clips, recordings));
        audio.probe_output(controller.probe_board());
        (controller, audio)
    }
}
