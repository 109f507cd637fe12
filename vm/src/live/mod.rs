//! Live playing: the audio half of an engine and the queues that feed it.
//!
//! The control side builds each new program (all allocation happens there) and
//! [`publish`](Remote::publish)es it; the audio side's [`AudioHalf`] takes it at its next block
//! boundary, hands it the state of the nodes that survive (see [`Takeover`]), and sends the
//! old program back to be freed ([`Remote::receive`]). Events ([`Event`]) take effect at their exact
//! sample; [`Metrics`] flow back as atomics.
//!
//! ```
//! use patchvm_vm::live::{link, Action, Event, LinkSettings, Loaded, ParamKey, Takeover};
//! use patchvm_vm::{Executable, Instr, ParamIdx, Program, Reg};
//!
//! // A program that outputs its one parameter: a DC level events can change.
//! let program = Program {
//!     instrs: vec![Instr::WriteOutput { channel: 0, src: Reg(1) }],
//!     registers: 2,
//!     channels: 1,
//!     params: vec![0.25],
//!     param_regs: vec![Reg(1)],
//!     ..Program::default()
//! };
//! let settings = LinkSettings { channels: 1, ..LinkSettings::default() };
//! let (mut remote, mut audio) = link(settings);
//! remote.publish(Box::new(Loaded {
//!     executable: Executable::new(program, vec![]).unwrap(),
//!     keys: vec![(ParamKey(7), ParamIdx(0))],
//!     generation: 1,
//!     takeover: Takeover::NOTHING,
//!     fade: 64,
//!     then: None,
//!     tail: None,
//!     quantize: None,
//!     probes: Default::default(),
//! })).unwrap();
//! remote.send(Event { time: 3, key: ParamKey(7), action: Action::Set(1.0), generation: 0 });
//! let mut out = [0.0_f32; 5];
//! audio.process(&mut out); // on the audio thread, in real code
//! assert_eq!(out, [0.25, 0.25, 0.25, 1.0, 1.0]);
//! ```

mod audio_half;
mod callback_stamp;
mod clock_tap;
mod event;
mod ghost;
mod limiter;
mod link;
mod loaded;
mod metrics;
mod notes_out;
mod position;
mod probe;
mod tap;

pub use audio_half::{AudioHalf, FADE_SAMPLES, fade_samples};
pub use callback_stamp::{CallbackStamp, Stamp};
pub use clock_tap::{ClockEvent, ClockReceiver};
pub use event::{Action, Event, ParamKey};
pub use ghost::{QUIET_BLOCK, QUIET_DB, Tail};
pub use limiter::{DEFAULT_CEILING_DB, Limiter, RELEASE_SECONDS, clipped};
pub use link::{FAULT_CAPACITY, LinkSettings, Remote, link};
pub use loaded::{Loaded, Returned, Takeover};
pub use metrics::{Metrics, MetricsSnapshot};
pub use notes_out::{ClipsOut, EventsOut, NotesOut, QueueCounters};
pub use position::PublishedPosition;
pub use probe::{MAX_PROBES, OUTPUT_PROBE, ProbeBoard, ProbeReading, ProbeTap};
pub use tap::{
    MAX_TAPS, Tap, TapCommand, TapCounters, TapRemote, TapReport, TapSource, Taps, tap_link,
};
