//! A program on its way to the audio half, with what it needs to take over from the one
//! playing.

use crate::index::{KernelIdx, ParamIdx};
use crate::live::event::ParamKey;
use crate::live::ghost::Tail;
use crate::live::probe::ProbeTap;
use crate::machine::Executable;
use crate::time::Quantize;

/// A verified, built program ready to be played, and how it takes over from its predecessor
/// (the program published just before it, which is the one playing when the audio half
/// takes it: programs are taken in the order they were published).
///
/// Everything here is allocated on the control side; the audio half only moves the box.
#[derive(Debug)]
pub struct Loaded {
    /// The program and its kernels, the surviving ones shared with its predecessor.
    pub executable: Executable,
    /// Which slot each parameter key names, sorted by key (the audio half binary-searches
    /// it).
    pub keys: Vec<(ParamKey, ParamIdx)>,
    /// A number the control side gives each program, increasing.
    pub generation: u64,
    /// What it keeps of its predecessor, and how.
    pub takeover: Takeover,
    /// Samples its edit fades over: how long a transition plays before [`then`](Loaded::then)
    /// takes over, and how long a slot whose value the edit changed glides to it (see
    /// [`Takeover`]). At least 1; the control side sets it from the engine's fade setting.
    pub fade: u32,
    /// For a transition: the program that takes over from this one after it has played
    /// [`fade`](Loaded::fade) samples. A structural edit is published as a
    /// transition — the old and new graphs joined, each input whose connections changed
    /// crossfading from its old sources to its new ones, removed nodes playing out — followed
    /// by the new program itself.
    pub then: Option<Box<Loaded>>,
    /// For a transition: the removed effects whose tails ring on after it, beside
    /// [`then`](Loaded::then), as a ghost (see [`Tail`]).
    pub tail: Option<Tail>,
    /// Whether the audio half holds the program until the next grid line of the transport
    /// (a beat, or a group of bars) and swaps at exactly its sample; `None` swaps at the next
    /// block. While the transport is stopped no grid line comes, and it swaps at once.
    pub quantize: Option<Quantize>,
    /// The node outputs it publishes after each block (see [`ProbeTap`]).
    pub probes: ProbeTap,
}

/// How a program takes over from its predecessor when the audio half takes it: which node
/// states and parameter values go on. Kernels of surviving nodes need nothing: the program
/// was built sharing them (see [`SharedKernel`](crate::SharedKernel)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Takeover {
    /// The predecessor has this program's structure, kernel for kernel and slot for slot
    /// (the same instructions, kernel declarations and slots, each of the same node input):
    /// a change of parameter values only. Its parameter states and registers move over
    /// whole, in constant time whatever their number. Two kinds of exception, each a short
    /// list:
    Whole {
        /// Kernels built from other values than their predecessors (a delay line resized
        /// for a new time): this program's own kernel copies the state of the one it
        /// replaces.
        rebuilt: Vec<KernelIdx>,
        /// Slots whose value in the patch changed and must jump (whole numbers: seeds,
        /// choices): they start from this program's initial value instead of going on from
        /// the predecessor's.
        reset: Vec<ParamIdx>,
        /// Slots whose value in the patch changed and may glide: from the value they reached
        /// they ramp to this program's initial value over [`Loaded::fade`] samples, so a
        /// value edit moves the sound as an event's ramp would, without a step.
        glide: Vec<ParamIdx>,
    },
    /// Anything else.
    Changed {
        /// `(old, new)`: kernels of this program that copy the state of their predecessor's
        /// (rebuilt with new settings, or the old side of a node playing twice in a
        /// transition).
        copied: Vec<(KernelIdx, KernelIdx)>,
        /// `(old, new)`, sorted by `old`: the slots here that go on from a slot of the
        /// predecessor (its value set by events, maybe ramping): the same node input with the
        /// same value in the patch. An old slot may go on in several (a transition's split
        /// node and its old side stand for one node input). Every other slot starts from the
        /// patch's value.
        params: Vec<(ParamIdx, ParamIdx)>,
        /// `(old, new)`: slots standing for the node input of the predecessor's slot `old`
        /// whose value in the patch changed and may glide: they go on from the old slot's value
        /// and ramp to this program's initial value over [`Loaded::fade`] samples.
        glide: Vec<(ParamIdx, ParamIdx)>,
    },
}

impl Takeover {
    /// Nothing kept: for a first program.
    pub const NOTHING: Takeover = Takeover::Changed {
        copied: Vec::new(),
        params: Vec::new(),
        glide: Vec::new(),
    };
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
    /// Program `generation`'s transition ended and the program itself took over from it
    /// (see [`Loaded::then`]).
    Settled {
        /// The program's generation.
        generation: u64,
        /// Nanoseconds that second take-over cost the audio half.
        takeover_ns: u64,
    },
    /// A program that stopped playing, to be freed on the control side.
    Retired(Box<Loaded>),
}
