//! The one choice of vector unit: which copy of a hot loop runs, decided by the CPU's features,
//! for the VM's own loops, the kernels and the hosts alike.
//!
//! Crates are built for the baseline target (on x86-64: SSE2, four `f32` lanes), which every
//! machine runs. A hot loop written plainly — fixed-length arrays, no branches on data — and
//! run through [`wide`] is compiled a second time for AVX2 (and a third for AVX-512, where
//! the caller allows it), and the copy the CPU can run is picked at run time.
//!
//! Every copy computes the same bits: Rust never contracts `a * b + c` into a fused
//! multiply-add, and every other operation (add, multiply, divide, min, max, compare,
//! conversions) rounds the same in any vector width. So the choice changes speed only, and
//! output stays bit-identical from machine to machine, which the determinism promise needs.

/// A vector unit, narrowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum VectorUnit {
    /// The baseline target's (SSE2 on x86-64).
    Baseline,
    /// AVX2: eight `f32` lanes.
    Avx2,
    /// AVX-512 F, VL, BW and DQ (and so AVX2).
    Avx512,
}

impl VectorUnit {
    /// The widest unit this CPU has.
    ///
    /// Real-time safe: reads feature bits the standard library caches in an atomic.
    #[inline(always)]
    pub fn detect() -> VectorUnit {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512vl")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512dq")
            {
                return VectorUnit::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return VectorUnit::Avx2;
            }
        }
        VectorUnit::Baseline
    }
}

/// Runs `f`, compiled for the widest unit the CPU has up to `widest`, and tells it which: a
/// `VectorUnit` it is given other than `Baseline` proves the CPU has that unit (see
/// [`VectorUnit::detect`]), so `f` may call code compiled for it.
///
/// `f` and everything it calls must be inlined into it to benefit (`#[inline(always)]` on the
/// helpers of a hot loop); a function it calls that is not inlined runs the baseline code.
///
/// Real-time safe: does not allocate, lock or block.
#[inline(always)]
pub fn wide<R>(widest: VectorUnit, f: impl FnOnce(VectorUnit) -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    match VectorUnit::detect().min(widest) {
        VectorUnit::Avx512 => {
            // SAFETY: the CPU has AVX-512 F, VL, BW and DQ, as `detect` found.
            return unsafe {
                avx512(
                    #[inline(always)]
                    || f(VectorUnit::Avx512),
                )
            };
        }
        VectorUnit::Avx2 => {
            // SAFETY: the CPU has AVX2, as `detect` found.
            return unsafe {
                avx2(
                    #[inline(always)]
                    || f(VectorUnit::Avx2),
                )
            };
        }
        VectorUnit::Baseline => {}
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = widest;
    f(VectorUnit::Baseline)
}

/// `f` compiled with AVX2 enabled: `f` is inlined here and so vectorised for eight lanes.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// `f` compiled with AVX-512 enabled.
///
/// # Safety
/// The CPU must support AVX-512 F, VL, BW and DQ.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,avx512f,avx512vl,avx512bw,avx512dq")]
unsafe fn avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(test)]
mod tests {
    use super::{VectorUnit, wide};

    #[test]
    fn wide_runs_the_widest_unit_the_cpu_has_within_the_cap() {
        let found = VectorUnit::detect();
        for cap in [VectorUnit::Baseline, VectorUnit::Avx2, VectorUnit::Avx512] {
            assert_eq!(wide(cap, |unit| unit), found.min(cap));
        }
    }
}
