//! Faults isolated: a kernel whose output turns NaN or infinite is muted on its own, so one
//! broken node (a division by zero, a logarithm of a negative, a filter driven unstable)
//! cannot silence the rest of the patch through the mix, nor poison it for good.
//!
//! The guard runs after every kernel call, on that call's outputs (per kernel, lanes
//! included): a block with any NaN or infinite sample is muted whole (every output of the
//! call silent for the block, so what it feeds hears silence rather than the huge finite
//! values around an overflow), and the kernel is reset at the end of the block, so a
//! stateful kernel whose memory went NaN starts clean on the next one. A fault's onset (a
//! faulty block after a clean one) is recorded once; while the fault repeats the kernel stays
//! muted, block after block, without being recorded again.
//!
//! Determinism: a patch that never faults plays the same bits whatever the block sizes;
//! one that does is muted by blocks, so which samples around a fault are silenced depends on
//! where the blocks fall (the fault itself is the bug to fix: the guard keeps the rest
//! playing).

use crate::index::KernelIdx;
use crate::shared::SharedKernel;

/// Which kernel faulted: the identity of its [`SharedKernel`], the same in every program
/// that shares the kernel, so the control side can name the node it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KernelId(usize);

impl KernelId {
    /// The identity of `kernel`.
    pub fn of(kernel: &SharedKernel) -> KernelId {
        KernelId(kernel.address() as usize)
    }
}

/// One fault's onset, as the audio half reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The kernel whose output turned non-finite.
    pub kernel: KernelId,
    /// The engine sample at which the block it happened in began.
    pub time: u64,
}

/// Which kernels of one executable faulted, in the last block and before it.
#[derive(Debug)]
pub(crate) struct FaultGuard {
    /// For each kernel, whether its last call's output was non-finite.
    faulty: Vec<bool>,
    /// The kernels whose fault began in the last block; capacity: every kernel, so pushing
    /// never allocates.
    onsets: Vec<KernelIdx>,
    /// The kernels that faulted in the block under way, to reset at its end; capacity:
    /// every kernel.
    to_reset: Vec<KernelIdx>,
    /// Fault onsets since the executable was made.
    total: u64,
}

impl FaultGuard {
    /// A guard for `kernels` kernels, none faulty.
    pub(crate) fn new(kernels: usize) -> FaultGuard {
        FaultGuard {
            faulty: vec![false; kernels],
            onsets: Vec::with_capacity(kernels),
            to_reset: Vec::with_capacity(kernels),
            total: 0,
        }
    }

    /// Forgets the last block's onsets, before a block runs.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn begin_block(&mut self) {
        self.onsets.clear();
    }

    /// Records the outcome of kernel `kernel`'s call: `finite` if every output sample was.
    ///
    /// Real-time safe: the lists have room for every kernel; does not allocate.
    #[inline(always)]
    pub(crate) fn record(&mut self, kernel: KernelIdx, finite: bool) {
        let Some(faulty) = self.faulty.get_mut(kernel.index()) else {
            return;
        };
        let was = std::mem::replace(faulty, !finite);
        if !finite {
            self.fault(kernel, was);
        }
    }

    /// The rare path of [`record`](FaultGuard::record): a fault, new (`!was`) or repeating.
    #[cold]
    fn fault(&mut self, kernel: KernelIdx, was: bool) {
        if !was && self.onsets.len() < self.onsets.capacity() {
            self.onsets.push(kernel);
            self.total += 1;
        }
        if !self.to_reset.contains(&kernel) && self.to_reset.len() < self.to_reset.capacity() {
            self.to_reset.push(kernel);
        }
    }

    /// The kernels to reset at the end of the block, emptied by the call.
    ///
    /// Real-time safe: drains within capacity; does not allocate or free.
    pub(crate) fn drain_resets(&mut self) -> std::vec::Drain<'_, KernelIdx> {
        self.to_reset.drain(..)
    }

    /// Fault onsets since the executable was made.
    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// The kernels whose fault began in the last block.
    pub(crate) fn onsets(&self) -> &[KernelIdx] {
        &self.onsets
    }
}

/// Checks the `frames` samples of each register starting at `offsets` (register starts in
/// the register file at `base`, one call's outputs): returns whether all were finite; if
/// not, every one of those registers is silenced for the block.
///
/// # Safety
/// Each offset is a register's start in the register file at `base`, with `frames <=
/// MAX_BLOCK` samples from it in range, and no reference into those registers is live.
#[inline(always)]
pub(crate) unsafe fn guard_registers<'a>(
    base: *mut f32,
    offsets: impl IntoIterator<Item = &'a u32, IntoIter: Clone>,
    frames: usize,
) -> bool {
    let offsets = offsets.into_iter();
    let mut all = true;
    for &offset in offsets.clone() {
        // SAFETY: as the caller promises.
        let bits = unsafe { std::slice::from_raw_parts(base.add(offset as usize).cast(), frames) };
        // A sample is NaN or infinite when its exponent bits are all set: its magnitude's
        // bits at least infinity's. Their maximum is a branch-free vector loop (vpmaxud),
        // twice as fast as folding `is_finite` (measured in isolation); the repair is rare.
        let largest = bits
            .iter()
            .fold(0_u32, |largest, &b: &u32| largest.max(b & 0x7fff_ffff));
        all &= largest < f32::INFINITY.to_bits();
    }
    if !all {
        // SAFETY: as the caller promises.
        unsafe { silence(base, offsets, frames) };
    }
    all
}

/// Silences the `frames` samples of each register starting at `offsets`.
///
/// # Safety
/// As [`guard_registers`].
#[cold]
unsafe fn silence<'a>(base: *mut f32, offsets: impl Iterator<Item = &'a u32>, frames: usize) {
    for &offset in offsets {
        // SAFETY: as the caller promises; one register at a time.
        unsafe { std::slice::from_raw_parts_mut(base.add(offset as usize), frames) }.fill(0.0);
    }
}
