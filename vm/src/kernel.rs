//! The interface between the VM and native DSP code.

use std::any::Any;

use crate::clip_event::ClipEvent;
use crate::time::Beats;

/// The most samples the VM processes in one call; a register holds this many.
pub const MAX_BLOCK: usize = 64;

/// The most inputs or outputs one kernel call may have.
pub const MAX_PORTS: usize = 32;

/// The most kernels one `CALL_LANES` runs together: sixteen, two vectors of eight, so that a
/// kernel whose lanes step a recursion sample by sample has two independent chains for the
/// CPU to overlap.
pub const MAX_LANES: usize = 16;

/// The most registers one `CALL_LANES` passes: its lanes times the inputs and outputs of each.
pub const MAX_LANE_ARGS: usize = 64;

/// A native DSP kernel: one module instance with its state (phase, filter memory, delay line).
///
/// Kernels are built off the audio thread (all allocation happens in their constructor) and
/// then only processed. The vocabulary follows fundsp: build with all memory allocated,
/// [`reset`](Kernel::reset) to the initial state, [`process`](Kernel::process) a block.
pub trait Kernel: Send + Any {
    /// How many inputs and outputs [`process`](Kernel::process) takes, and whether the kernel
    /// also takes a [`feed`](Kernel::feed). Must not change over the kernel's life.
    fn shape(&self) -> KernelShape;

    /// Processes one block: every slice has the same length, between 1 and [`MAX_BLOCK`].
    /// `inputs` and `outputs` have exactly the lengths [`shape`](Kernel::shape) declares.
    ///
    /// Real-time safe: implementations must not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]);

    /// Processes one block knowing where it lies in musical time: what the VM calls. Kernels
    /// that follow the beat (clocks, sequencers, patterns) override it; the default ignores
    /// `beats` and calls [`process`](Kernel::process).
    ///
    /// Real-time safe: implementations must not allocate, lock or block.
    #[inline]
    fn process_at(&mut self, beats: &Beats, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let _ = beats;
        self.process(inputs, outputs);
    }

    /// Processes one block of several kernels of the same module at once, one kernel per lane,
    /// if this kernel's type knows how; returns `false`, having changed nothing, if it does
    /// not (the default) or if a kernel of `rest` is not of its type. The VM then calls
    /// [`process`](Kernel::process) on each kernel in lane order instead.
    ///
    /// `self` is lane 0 and `rest` lanes `1..`; `inputs` holds `shape().inputs` ports of
    /// `1 + rest.len()` blocks each and `outputs` likewise, port by port: the block of port `p`
    /// for lane `l` is at index `p · lanes + l`. Every block has the same length, between 1 and
    /// [`MAX_BLOCK`].
    ///
    /// Each lane's output and state afterwards must be bit for bit what `process` on that
    /// kernel alone would give: the VM runs a group in lanes or one kernel at a time as it
    /// likes, and the reference interpreter runs every kernel alone, one sample at a time.
    ///
    /// Real-time safe: implementations must not allocate, lock or block.
    fn process_lanes(
        &mut self,
        rest: &mut [crate::KernelRef],
        inputs: &[&[f32]],
        outputs: &mut [&mut [f32]],
    ) -> bool {
        let _ = (rest, inputs, outputs);
        false
    }

    /// Receives the block of the input that breaks cycles (a delay's `in`), separately from
    /// [`process`](Kernel::process), so the compiler can run `process` before the input is
    /// computed. Only called on kernels whose shape says `takes_feed`.
    ///
    /// Real-time safe: implementations must not allocate, lock or block.
    fn feed(&mut self, input: &[f32]) {
        let _ = input;
    }

    /// Returns to the state the kernel was built in.
    fn reset(&mut self);

    /// Takes over the state of `other` — a kernel of the same module, possibly built with
    /// other settings (a longer delay) — so that a node that survives an edit goes on from
    /// where it was: phase, filter memory, delay line, envelope stage. Returns `false`, leaving
    /// `self` as it is, if `other` is not of the same type. The default keeps no state, for
    /// kernels that have none to keep.
    ///
    /// Called only where a kernel cannot simply go on into the next program (which shares a
    /// surviving node's kernel, see [`SharedKernel`](crate::SharedKernel)): a kernel rebuilt
    /// with new settings (a delay line resized for a new maximum time) can honour them only
    /// if it is the new one; and the old side of a node that plays twice while an edit fades
    /// needs a state of its own.
    ///
    /// Real-time safe: implementations must not allocate, lock or block; they copy into
    /// memory built with `self`.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        let _ = other;
        false
    }

    /// Whether this kernel hands over [`ClipEvent`]s after each block (a timeline player);
    /// asked once, when the kernel is made shareable, so the VM asks only those kernels.
    fn reports_clips(&self) -> bool {
        false
    }

    /// Hands `emit` the clip events of the last block, which began at engine sample `time`,
    /// in the order they happened. The default has none.
    ///
    /// Real-time safe: implementations must not allocate, lock or block.
    fn clip_events(&mut self, time: u64, emit: &mut dyn FnMut(ClipEvent)) {
        let _ = (time, emit);
    }
}

/// The arity of a kernel, checked by the verifier against every instruction that calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KernelShape {
    /// Number of input blocks [`Kernel::process`] reads.
    pub inputs: u8,
    /// Number of output blocks [`Kernel::process`] writes.
    pub outputs: u8,
    /// Whether the kernel takes [`Kernel::feed`].
    pub takes_feed: bool,
}
