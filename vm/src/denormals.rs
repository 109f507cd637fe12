//! Flush-to-zero for the audio work: subnormal floats (a filter's or a reverb's decaying
//! tail, 1e-38 and below) cost the x86 FPU a microcode assist per operation, so a quiet tail
//! costs up to several times the load of a loud signal. While a [`FlushDenormals`] lives, the
//! thread's floating-point unit flushes subnormal results to zero; dropping it gives the
//! thread back the mode it had.
//!
//! Every path that runs a program takes one — the live audio half's `process`, the offline
//! `Instance`, the reference interpreter — so they all compute the same bits.

/// The thread's floating-point mode with subnormals flushed, for as long as it lives; the
/// mode before it is restored on drop (a host's thread, a C caller's, gets its own back).
/// On targets other than x86_64 and aarch64 it changes nothing.
///
/// Real-time safe: two register reads and writes, no allocation, no call.
#[must_use = "the mode is restored when the guard drops"]
#[derive(Debug)]
pub struct FlushDenormals {
    /// The control register as it was.
    #[cfg_attr(
        not(any(target_arch = "x86_64", target_arch = "aarch64")),
        allow(dead_code)
    )]
    saved: u64,
}

/// MXCSR's flush-to-zero (bit 15): no arithmetic result is subnormal, so a tail decays to
/// an exact zero and never lingers. Not denormals-are-zero (bit 6): it makes comparisons read
/// a subnormal operand as zero, and audio-thread code builds them on purpose — the pattern
/// player's "just below beat 0" is `0.0.next_down()`, which DAZ turned into beat 0, losing
/// every event on it. With FTZ no subnormal arises from arithmetic; one from outside (a host's
/// input) costs one assist, and its first product is flushed.
#[cfg(target_arch = "x86_64")]
const FLUSH_BITS: u64 = 1 << 15;

/// FPCR's flush-to-zero (bit 24). Unlike x86_64's FTZ it also reads subnormal operands as
/// zero, so audio-thread code must not build subnormals to compare against (the pattern
/// kernels' "just below a beat" stays a normal number).
#[cfg(target_arch = "aarch64")]
const FLUSH_BITS: u64 = 1 << 24;

impl FlushDenormals {
    /// Flushes subnormals on this thread until the guard drops.
    pub fn new() -> FlushDenormals {
        let saved = read();
        write(saved | FLUSH_BITS);
        FlushDenormals { saved }
    }

    /// Whether this thread flushes subnormals now (false on targets where the guard does
    /// nothing).
    pub fn active() -> bool {
        FLUSH_BITS != 0 && read() & FLUSH_BITS == FLUSH_BITS
    }
}

impl Default for FlushDenormals {
    fn default() -> FlushDenormals {
        FlushDenormals::new()
    }
}

impl Drop for FlushDenormals {
    fn drop(&mut self) {
        write(self.saved);
    }
}

#[cfg(target_arch = "x86_64")]
fn read() -> u64 {
    let mut csr: u32 = 0;
    // SAFETY: `stmxcsr` stores the 32-bit MXCSR into the local it points at; it has no other
    // effect. SSE is part of the x86_64 baseline.
    unsafe {
        std::arch::asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack, preserves_flags));
    }
    u64::from(csr)
}

#[cfg(target_arch = "x86_64")]
fn write(value: u64) {
    let csr = value as u32;
    // SAFETY: `ldmxcsr` loads MXCSR from the local; the value is one `stmxcsr` read with only
    // the FTZ bit changed, so no reserved bit is set (which would fault). Changing
    // the rounding of subnormals is the point: the code that runs under it is ours, and
    // every path that runs programs sets the same mode, so their results agree.
    unsafe {
        std::arch::asm!("ldmxcsr [{}]", in(reg) &csr, options(nostack, preserves_flags, readonly));
    }
}

#[cfg(target_arch = "aarch64")]
fn read() -> u64 {
    let fpcr: u64;
    // SAFETY: reading FPCR has no effect; EL0 may read it.
    unsafe {
        std::arch::asm!("mrs {}, fpcr", out(reg) fpcr, options(nomem, nostack, preserves_flags));
    }
    fpcr
}

#[cfg(target_arch = "aarch64")]
fn write(value: u64) {
    // SAFETY: EL0 may write FPCR; the value is one read from it with only the FZ bit changed.
    // As on x86_64, every path that runs programs sets the same mode.
    unsafe {
        std::arch::asm!("msr fpcr, {}", in(reg) value, options(nomem, nostack, preserves_flags));
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const FLUSH_BITS: u64 = 0;

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn read() -> u64 {
    0
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn write(_: u64) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A product whose exact result is subnormal, computed at run time.
    fn tiny(x: f32) -> f32 {
        std::hint::black_box(x) * std::hint::black_box(1e-30_f32)
    }

    #[test]
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    fn subnormals_flush_while_the_guard_lives_and_the_mode_comes_back() {
        assert!(!FlushDenormals::active());
        // 1e-10 × 1e-30 = 1e-40, below f32's smallest normal (1.18e-38).
        assert!(tiny(1e-10).is_subnormal());
        {
            let _flush = FlushDenormals::new();
            assert!(FlushDenormals::active());
            assert_eq!(tiny(1e-10), 0.0);
            // A subnormal operand is read as it is on x86_64 (no DAZ): 1e-40 < 0 is false,
            // and 1e-40 × 1e30 = 1e-10.
            let subnormal = std::hint::black_box(f32::from_bits(71_362));
            #[cfg(target_arch = "x86_64")]
            {
                assert!(subnormal > 0.0);
                assert!((subnormal * std::hint::black_box(1e30_f32) - 1e-10).abs() < 1e-15);
            }
            {
                let _nested = FlushDenormals::new();
                assert_eq!(tiny(1e-10), 0.0);
            }
            // The inner guard restores the outer one's mode, still flushing.
            assert!(FlushDenormals::active());
        }
        assert!(!FlushDenormals::active());
        assert!(tiny(1e-10).is_subnormal());
    }
}
