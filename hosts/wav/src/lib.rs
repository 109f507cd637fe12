//! patchvm to and from WAV files (everything that uses `hound`): offline rendering of a patch
//! as fast as the CPU allows, with a WAV file as its audio input ([`render`]), and the
//! [`WavSink`], a real-time backend without a sound card — an audio thread of its own, paced
//! at real-time speed by a clock, handing buffers through a ring to a writer thread.
//!
//! ```
//! use patchvm_engine::backend::Backend;
//! use patchvm_wav::{SinkSettings, WavSink};
//! use patchvm_engine::{Engine, EngineSettings};
//! use patchvm_engine::ir::{Format, Limits};
//!
//! let path = std::env::temp_dir().join(format!("patchvm-doc-{}.wav", std::process::id()));
//! let sink = WavSink::create(&path, SinkSettings { frames: Some(4_800), ..SinkSettings::default() })?;
//! let setup = sink.setup();
//! let settings = EngineSettings {
//!     sample_rate: f64::from(setup.sample_rate),
//!     channels: setup.channels,
//!     ..EngineSettings::default()
//! };
//! let (mut controller, audio) = Engine::new(settings, Limits::default());
//! let toy = r#"(patch (nodes (osc1 (type "osc.sine") (freq 440)) (out (type "output")))
//!                     (connections (osc1 "out" -> out "in")))"#;
//! controller.load_text(toy.as_bytes(), Format::Sexpr).unwrap();
//!
//! let stream = Box::new(sink).start(audio)?;
//! while !stream.status().ended {
//!     controller.maintain(); // frees what the audio half sends back
//!     std::thread::sleep(std::time::Duration::from_millis(10));
//! }
//! let summary = stream.stop()?; // 0.1 s of audio, written in 0.1 s of wall time
//! assert_eq!(summary.frames, 4_800);
//! assert_eq!(hound::WavReader::open(&path)?.duration(), 4_800);
//! # std::fs::remove_file(&path)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]
// RealtimeSanitizer (CI builds with `-Zsanitizer=realtime --cfg rtsan`) checks the audio entry
// points marked `sanitize(realtime = "nonblocking")`.
#![cfg_attr(rtsan, feature(sanitize))]

mod clock;
mod float_wav;
pub mod render;
mod wav_sink;
mod writer;

pub use wav_sink::{SinkSettings, WavSink};

// The unit tests prove that audio-thread code does not allocate (`assert_no_alloc`).
#[cfg(test)]
#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

#[cfg(test)]
#[test]
fn the_allocation_detector_fires() {
    patchvm_rtcheck::assert_allocation_detected(module_path!(), "the_allocation_detector_fires");
}
