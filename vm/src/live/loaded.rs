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
    /// `(old, new)` kernels of nodes that survive from the predecessor: the new kernel
    /// copies the old one's state when the program is taken.
    pub kept_kernels: Vec<(KernelIdx, KernelIdx)>,
    /// `(old, new)` parameter slots whose value goes on from the predecessor's (a value set
    /// by events, a running ramp) rather than starting at the program's initial value.
    pub kept_params: Vec<(ParamIdx, ParamIdx)>,
    /// Whether the change is structural (nodes or connections differ), so the predecessor
    /// plays on for a crossfade instead of stopping at once.
    pub crossfade: bool,
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
    },
    /// A program that stopped playing, to be freed on the control side.
    Retired(Box<Loaded>),
}
