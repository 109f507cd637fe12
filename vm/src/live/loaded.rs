//! A program on its way to the audio half, with what it needs to take over from the one
//! playing.

use crate::index::{KernelIdx, ParamIdx};
use crate::live::event::ParamKey;
use crate::machine::Executable;

/// A verified, built program ready to be played, and how it takes over from its predecessor
/// (the program published just before it, which is the one playing when the audio half
/// takes it: programs are taken in the order they were published).
///
/// Everything here is allocated on the control side; the audio half only moves the box.
#[derive(Debug)]
pub struct Loaded {
    /// The program and its kernels.
    pub executable: Executable,
    /// Which slot each parameter key names, sorted by key (the audio half binary-searches
    /// it).
    pub keys: Vec<(ParamKey, ParamIdx)>,
    /// A number the control side gives each program, increasing.
    pub generation: u64,
    /// What it keeps of its predecessor, and how.
    pub takeover: Takeover,
}

/// How a program takes over from its predecessor when the audio half takes it: which node
/// states and parameter values go on, and whether the predecessor plays on for a crossfade.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Takeover {
    /// The predecessor has this program's structure, kernel for kernel and slot for slot
    /// (the same instructions, kernel declarations and slots, each of the same node input):
    /// a change of parameter values only. Its kernels and parameter states move over
    /// whole, in constant time whatever their number or size, and it stops at once (no
    /// crossfade). Two kinds of exception, each a short list:
    Whole {
        /// Kernels built from other values than their predecessors (a delay line resized
        /// for a new time): this program's own kernel is kept and copies the state of the
        /// one it replaces.
        rebuilt: Vec<KernelIdx>,
        /// Slots whose value in the patch changed: they start from this program's initial
        /// value instead of going on from the predecessor's.
        reset: Vec<ParamIdx>,
    },
    /// Anything else: each kernel of this program listed copies the state of its
    /// predecessor's, each slot listed goes on from its predecessor's value (set by
    /// events, maybe ramping); everything else starts afresh.
    Pairs {
        /// `(old, new)` kernels of nodes that survive.
        kernels: Vec<(KernelIdx, KernelIdx)>,
        /// `(old, new)` slots whose patch value did not change.
        params: Vec<(ParamIdx, ParamIdx)>,
        /// Whether nodes or connections changed, so the predecessor plays on for a
        /// crossfade (which is why its state is copied, not moved: it exists twice while
        /// both play).
        crossfade: bool,
    },
}

impl Takeover {
    /// Nothing kept, no crossfade: for a first program.
    pub const NOTHING: Takeover = Takeover::Pairs {
        kernels: Vec::new(),
        params: Vec::new(),
        crossfade: false,
    };

    /// Whether the predecessor plays on for a crossfade.
    pub fn crossfades(&self) -> bool {
        matches!(
            self,
            Takeover::Pairs {
                crossfade: true,
                ..
            }
        )
    }
}

impl Loaded {
    /// The slot of parameter `key`, if this program has one.
    ///
    /// Real-time safe: a binary search; does not allocate, lock or block.
    pub fn slot(&self, key: ParamKey) -> Option<ParamIdx> {
        self.keys
            .binary_search_by_key(&key, |&(key, _)| key)
            .ok()
            .map(|at| self.keys[at].1)
    }
}

/// What the audio half sends back to the control side.
#[derive(Debug)]
pub enum Returned {
    /// Program `generation` started playing at sample `time`.
    Taken {
        /// The program's generation.
        generation: u64,
        /// The engine time of its first sample.
        time: u64,
        /// Nanoseconds the audio half spent taking it over from its predecessor (its
        /// clock, read around the take-over only): what the swap itself cost the audio
        /// thread, apart from rendering.
        takeover_ns: u64,
    },
    /// A program that stopped playing, to be freed on the control side.
    Retired(Box<Loaded>),
}
