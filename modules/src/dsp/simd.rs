//! Running block code with the widest vector unit the CPU has, and helpers for block loops
//! that the compiler vectorises.
//!
//! Hot block loops are written plainly — fixed-length arrays, no branches that depend on
//! data — so that LLVM vectorises them, and run through [`wide`], which compiles them again
//! for AVX2 and AVX-512 and picks the copy the CPU runs by the one detection every crate uses
//! ([`patchvm_vm::cpu`], where why every copy computes the same bits is written).

use patchvm_vm::cpu::VectorUnit;

/// Runs `f`, compiled for AVX-512 or AVX2 if the CPU has it, else for the baseline target.
///
/// `f` and everything it calls must be inlined into it to benefit (`#[inline(always)]` on the
/// helpers of a hot loop); a function it calls that is not inlined runs the baseline code.
///
/// Real-time safe: does not allocate, lock or block (the feature test reads a cached atomic).
#[inline(always)]
pub(crate) fn wide<R>(f: impl FnOnce(Isa) -> R) -> R {
    patchvm_vm::cpu::wide(
        VectorUnit::Avx512,
        #[inline(always)]
        |unit| {
            f(Isa {
                avx2: unit >= VectorUnit::Avx2,
            })
        },
    )
}

/// Which vector unit the code [`wide`] runs was compiled for, for the few operations plain
/// loops do not vectorise (see [`transpose`]). Only [`wide`] makes one, so holding one that
/// says AVX2 proves the CPU has it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Isa {
    avx2: bool,
}

/// The 8 × 8 transpose of `rows`: `out[s][l] = rows[l][s]`. Turns eight lanes' blocks of
/// samples into vectors of the lanes' values sample by sample, and back. 24 shuffles with
/// AVX2 (plain loops do not find them); element by element otherwise.
///
/// Real-time safe: does not allocate, lock or block.
#[inline(always)]
pub(crate) fn transpose(isa: Isa, rows: &[[f32; 8]; 8]) -> [[f32; 8]; 8] {
    #[cfg(target_arch = "x86_64")]
    if isa.avx2 {
        // SAFETY: an `Isa` saying AVX2 is made only by `wide` on a CPU that has it.
        return unsafe { transpose_avx2(rows) };
    }
    let _ = isa;
    // Plain loops rather than `array::from_fn`, whose closures may stay out of line, away
    // from the vector copy of the code this is inlined into.
    let mut out = [[0.0_f32; 8]; 8];
    for (l, row) in rows.iter().enumerate() {
        for (s, &x) in row.iter().enumerate() {
            out[s][l] = x;
        }
    }
    out
}

/// [`transpose`] with AVX2 shuffles: pairs of rows interleaved, then pairs of pairs, then
/// 128-bit halves exchanged.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn transpose_avx2(rows: &[[f32; 8]; 8]) -> [[f32; 8]; 8] {
    use std::arch::x86_64::{
        _mm256_loadu_ps, _mm256_permute2f128_ps, _mm256_shuffle_ps, _mm256_storeu_ps,
        _mm256_unpackhi_ps, _mm256_unpacklo_ps,
    };
    // SAFETY: each pointer is to eight `f32`s of `rows` or `out`, in bounds; unaligned access
    // is what `loadu`/`storeu` do.
    unsafe {
        let r = [
            _mm256_loadu_ps(rows[0].as_ptr()),
            _mm256_loadu_ps(rows[1].as_ptr()),
            _mm256_loadu_ps(rows[2].as_ptr()),
            _mm256_loadu_ps(rows[3].as_ptr()),
            _mm256_loadu_ps(rows[4].as_ptr()),
            _mm256_loadu_ps(rows[5].as_ptr()),
            _mm256_loadu_ps(rows[6].as_ptr()),
            _mm256_loadu_ps(rows[7].as_ptr()),
        ];
        let t = [
            _mm256_unpacklo_ps(r[0], r[1]),
            _mm256_unpackhi_ps(r[0], r[1]),
            _mm256_unpacklo_ps(r[2], r[3]),
            _mm256_unpackhi_ps(r[2], r[3]),
            _mm256_unpacklo_ps(r[4], r[5]),
            _mm256_unpackhi_ps(r[4], r[5]),
            _mm256_unpacklo_ps(r[6], r[7]),
            _mm256_unpackhi_ps(r[6], r[7]),
        ];
        let u = [
            _mm256_shuffle_ps::<0x44>(t[0], t[2]),
            _mm256_shuffle_ps::<0xEE>(t[0], t[2]),
            _mm256_shuffle_ps::<0x44>(t[1], t[3]),
            _mm256_shuffle_ps::<0xEE>(t[1], t[3]),
            _mm256_shuffle_ps::<0x44>(t[4], t[6]),
            _mm256_shuffle_ps::<0xEE>(t[4], t[6]),
            _mm256_shuffle_ps::<0x44>(t[5], t[7]),
            _mm256_shuffle_ps::<0xEE>(t[5], t[7]),
        ];
        let columns = [
            _mm256_permute2f128_ps::<0x20>(u[0], u[4]),
            _mm256_permute2f128_ps::<0x20>(u[1], u[5]),
            _mm256_permute2f128_ps::<0x20>(u[2], u[6]),
            _mm256_permute2f128_ps::<0x20>(u[3], u[7]),
            _mm256_permute2f128_ps::<0x31>(u[0], u[4]),
            _mm256_permute2f128_ps::<0x31>(u[1], u[5]),
            _mm256_permute2f128_ps::<0x31>(u[2], u[6]),
            _mm256_permute2f128_ps::<0x31>(u[3], u[7]),
        ];
        let mut out = [[0.0_f32; 8]; 8];
        for (out, column) in out.iter_mut().zip(columns) {
            _mm256_storeu_ps(out.as_mut_ptr(), column);
        }
        out
    }
}

/// The value of every sample of `block`, if they are all the same (compared as numbers, so a
/// NaN makes a block not uniform, and -0 and +0 count as the same).
///
/// Kernels use it to take a per-block path for a control input that did not move, which must
/// give the bits the per-sample path would.
///
/// Real-time safe: does not allocate, lock or block.
#[inline(always)]
pub(crate) fn uniform(block: &[f32]) -> Option<f32> {
    let first = *block.first()?;
    // No early exit: a branch-free fold over the block vectorises.
    let same = block.iter().fold(true, |same, &x| same & (x == first));
    same.then_some(first)
}

/// `x` if it is above 0, else 0; NaN gives 0. One instruction pair in a vector loop, where
/// `f32::max` needs more to honour NaN.
#[inline(always)]
pub(crate) fn positive(x: f32) -> f32 {
    if x > 0.0 { x } else { 0.0 }
}

/// Eight `f64` lanes: one value of each of eight kernels running side by side. Arithmetic is
/// lane by lane, in plain loops over the array that compile to vector instructions, so a
/// formula written once for `f64` and for `F64x8` (see [`Lane`]) does the same operations in
/// the same order in every lane: each lane's bits are the scalar formula's.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct F64x8(pub(crate) [f64; 8]);

macro_rules! lanewise {
    ($trait:ident, $method:ident, $op:tt) => {
        impl std::ops::$trait for F64x8 {
            type Output = F64x8;
            #[inline(always)]
            fn $method(self, rhs: F64x8) -> F64x8 {
                let mut out = [0.0; 8];
                for ((out, a), b) in out.iter_mut().zip(self.0).zip(rhs.0) {
                    *out = a $op b;
                }
                F64x8(out)
            }
        }
    };
}

lanewise!(Add, add, +);
lanewise!(Sub, sub, -);
lanewise!(Mul, mul, *);

/// A value the lane formulas compute with: `f64` for one kernel, [`F64x8`] for eight.
pub(crate) trait Lane:
    Copy + std::ops::Add<Output = Self> + std::ops::Sub<Output = Self> + std::ops::Mul<Output = Self>
{
}

impl Lane for f64 {}
impl Lane for F64x8 {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_blocks_are_found_and_nan_never_is() {
        assert_eq!(uniform(&[2.0; 64]), Some(2.0));
        assert_eq!(uniform(&[0.0, -0.0]), Some(0.0));
        assert_eq!(uniform(&[1.0, 1.0, 1.5]), None);
        assert_eq!(uniform(&[f32::NAN; 3]), None);
        assert_eq!(uniform(&[]), None);
    }

    #[test]
    fn the_transposes_agree() {
        let rows: [[f32; 8]; 8] =
            std::array::from_fn(|l| std::array::from_fn(|s| (l * 8 + s) as f32));
        let expected: [[f32; 8]; 8] =
            std::array::from_fn(|s| std::array::from_fn(|l| (l * 8 + s) as f32));
        assert_eq!(transpose(Isa { avx2: false }, &rows), expected);
        assert_eq!(wide(|isa| transpose(isa, &rows)), expected);
    }

    #[test]
    fn wide_runs_the_closure_once() {
        let mut calls = 0;
        let sum = wide(|_| {
            calls += 1;
            (0..64).map(|x| x as f32).sum::<f32>()
        });
        assert_eq!((calls, sum), (1, 2016.0));
        assert_eq!(positive(f32::NAN), 0.0);
        assert_eq!(positive(-1.0), 0.0);
        assert_eq!(positive(0.5), 0.5);
    }
}
