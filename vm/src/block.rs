//! The VM's own arithmetic on registers: `ADD` and `SUM`, over whole registers, with the
//! widest vector unit the CPU has.
//!
//! Both work on all [`MAX_BLOCK`] samples of a register whatever the block's length: a fixed
//! length compiles to straight vector code, and the samples past the block's end are never
//! read by anyone. Like the kernels, the loops are compiled for the baseline target and for
//! AVX2, picked at run time by [`wide`]; an addition rounds the same in any vector width, so
//! the choice changes no bit.

use crate::cpu::{VectorUnit, wide};
use crate::index::Reg;
use crate::kernel::MAX_BLOCK;

/// One register: a block of samples.
pub(crate) type Block = [f32; MAX_BLOCK];

/// Samples added at once: half a register, so the running sums fit in the baseline target's
/// sixteen vector registers as well as in AVX2's.
const HALF: usize = MAX_BLOCK / 2;

/// `registers[dst] = registers[lhs] + registers[rhs]`.
///
/// # Safety
/// `dst`, `lhs` and `rhs` are `< registers.len()`, and `dst` is neither `lhs` nor `rhs` (the
/// verifier's guarantees for an `ADD`).
///
/// Real-time safe: does not allocate, lock or block.
#[inline]
pub(crate) unsafe fn add(registers: &mut [Block], dst: Reg, lhs: Reg, rhs: Reg) {
    // SAFETY: as `sum`'s, for the terms `[lhs, rhs]`.
    unsafe { sum(registers, dst, &[lhs, rhs]) }
}

/// `registers[dst] = ((registers[terms[0]] + registers[terms[1]]) + …)`, left to right.
///
/// # Safety
/// `dst` and every term are `< registers.len()`, `terms` is not empty, and `dst` is none of
/// the terms (the verifier's guarantees for a `SUM` or an `ADD`).
///
/// Real-time safe: does not allocate, lock or block.
#[inline]
pub(crate) unsafe fn sum(registers: &mut [Block], dst: Reg, terms: &[Reg]) {
    wide(
        VectorUnit::Avx2,
        #[inline(always)]
        // SAFETY: this function's contract.
        |_| unsafe { sum_in(registers, dst, terms) },
    )
}

/// [`sum`]'s loops, inlined into each of its compilations.
///
/// # Safety
/// As [`sum`].
#[inline(always)]
unsafe fn sum_in(registers: &mut [Block], dst: Reg, terms: &[Reg]) {
    let base = registers.as_mut_ptr();
    let Some((first, rest)) = terms.split_first() else {
        return;
    };
    for half in [0, HALF] {
        // SAFETY: every term is in range (the contract), and only read.
        let mut acc: [f32; HALF] =
            unsafe { (&*base.add(first.index()))[half..half + HALF].try_into() }
                .unwrap_or([0.0; HALF]);
        for term in rest {
            // SAFETY: as above.
            let term = unsafe { &(&*base.add(term.index()))[half..half + HALF] };
            for (acc, &x) in acc.iter_mut().zip(term) {
                *acc += x;
            }
        }
        // SAFETY: `dst` is in range and is none of the terms (the contract), so this is the
        // only reference to it.
        unsafe { (&mut *base.add(dst.index()))[half..half + HALF].copy_from_slice(&acc) };
    }
}
