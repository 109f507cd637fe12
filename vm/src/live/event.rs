//! Events: parameter changes that travel from the control side to the audio side and take
//! effect at an exact sample.

use crate::time::TransportCommand;

/// A parameter's address that stays the same across programs: the host gives each node input
/// one key for the life of an engine, and each program maps the keys of its slots (see
/// [`Loaded::keys`](crate::live::Loaded::keys)). Events name keys, not slots, so an event
/// sent before an edit still reaches the same node input after it, and one whose input is
/// gone is counted (`unrouted_events`) instead of reaching another slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamKey(pub u32);

/// One parameter change (or transport command, or hush), at an absolute sample time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Event {
    /// The sample it takes effect at, counted in frames from the engine's start (the audio
    /// half's [`time`](crate::live::AudioHalf::time)). A time already past takes effect at the
    /// first sample of the next block: 0 means "as soon as possible".
    pub time: u64,
    /// The parameter (ignored by transport commands and hush).
    pub key: ParamKey,
    /// What happens to it.
    pub action: Action,
    /// The generation of the program the control side resolved `key` against (the last one
    /// it published). The audio half holds the event until that program plays, so an event
    /// for a node that a newer, still waiting program adds is not lost to an older one.
    pub generation: u64,
}

/// What an event does to its parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Action {
    /// Holds `value` from the event's sample on (ends any ramp). A gate is a set to 1 and a
    /// later set to 0; a trigger is a set to 1 and a set to 0 one sample later.
    Set(f32),
    /// Moves linearly from the value at the event's sample to `target`, reaching it on the
    /// `samples`-th sample (0 samples is a set).
    Ramp {
        /// Where the ramp ends.
        target: f32,
        /// How many samples it takes.
        samples: u32,
    },
    /// A transport command: the engine's one transport carries it out at the event's sample.
    Transport(TransportCommand),
    /// Fades every output to silence over [`FADE_SAMPLES`](crate::live::FADE_SAMPLES) from the
    /// event's sample and keeps it silent until the next program is taken; the transport goes
    /// on.
    Hush,
}
