//! The interface between the VM and native DSP code.

/// The most samples the VM processes in one call; a register holds this many.
pub const MAX_BLOCK: usize = 64;

/// The most inputs or outputs one kernel call may have.
pub const MAX_PORTS: usize = 16;

/// A native DSP kernel: one module instance with its state (phase, filter memory, delay line).
///
/// Kernels are built off the audio thread (all allocation happens in their constructor) and
/// then only processed. The vocabulary follows fundsp: build with all memory allocated,
/// [`reset`](Kernel::reset) to the initial state, [`process`](Kernel::process) a block.
pub trait Kernel: Send {
    /// How many inputs and outputs [`process`](Kernel::process) takes, and whether the kernel
    /// also takes a [`feed`](Kernel::feed). Must not change over the kernel's life.
    fn shape(&self) -> KernelShape;

    /// Processes one block: every slice has the same length, between 1 and [`MAX_BLOCK`].
    /// `inputs` and `outputs` have exactly the lengths [`shape`](Kernel::shape) declares.
    ///
    /// Real-time safe: implementations must not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]);

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
