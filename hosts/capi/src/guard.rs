//! The guard at every entry point: a magic word that tells a live engine from a freed one, and
//! an in-use flag per side, so that misuse a C caller can commit by accident — a call on a freed
//! engine, a double free, two `pvm_engine_process` calls at once, two control calls at once, a
//! free while a call runs — returns a code instead of being undefined behaviour.
//!
//! A freed engine's header (this guard and two pointers, 32 bytes) is not given back to the
//! allocator at once: the last [`QUARANTINE`] freed headers are kept, poisoned, so a late call
//! through a dangling handle still reads [`FREED`] rather than whatever the allocator put
//! there. Beyond that the check is best effort: a handle freed longer ago may point to reused
//! memory, and a pointer that never was an engine is read as if it were one.

use crate::status::{PVM_ERR_CONCURRENT, PVM_ERR_INVALID_HANDLE, PVM_ERR_NULL};
use std::collections::VecDeque;
use std::ffi::CStr;
use std::sync::Mutex;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Release};
use std::sync::atomic::{AtomicBool, AtomicU64};

/// The magic word of a live engine.
const LIVE: u64 = u64::from_be_bytes(*b"pvm-live");

/// The magic word of a freed engine, kept while its header is in quarantine.
const FREED: u64 = u64::from_be_bytes(*b"pvm-dead");

/// Freed engine headers kept poisoned before their memory goes back to the allocator.
const QUARANTINE: usize = crate::PVM_FREED_ENGINES_KEPT;

/// One engine's guard.
#[derive(Debug)]
pub(crate) struct Guard {
    /// [`LIVE`] from `pvm_engine_new` until `pvm_engine_free`, [`FREED`] after.
    magic: AtomicU64,
    /// Set while `pvm_engine_process` (or the free) runs.
    audio: AtomicBool,
    /// Set while a control call (or the free) runs.
    control: AtomicBool,
}

/// Which side of the engine a call uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// `pvm_engine_process`.
    Audio,
    /// Every other call on an engine.
    Control,
}

/// Why the guard turned a call away; nothing of the engine was touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The handle is NULL.
    Null,
    /// The handle was freed, or is not an engine.
    Invalid,
    /// Another call on the same side (or a free) is running.
    Busy,
}

impl Refusal {
    /// The status code the call returns.
    pub(crate) fn code(self) -> i32 {
        match self {
            Refusal::Null => PVM_ERR_NULL,
            Refusal::Invalid => PVM_ERR_INVALID_HANDLE,
            Refusal::Busy => PVM_ERR_CONCURRENT,
        }
    }

    /// What `pvm_engine_last_error` says when the guard refuses it.
    pub(crate) fn message(self) -> &'static CStr {
        match self {
            Refusal::Null => c"the engine is NULL",
            Refusal::Invalid => {
                c"the engine was freed (or the handle is not an engine from pvm_engine_new)"
            }
            Refusal::Busy => c"another control call on this engine is running",
        }
    }
}

/// A call inside one side; leaving it (dropping this) lets the next call in.
#[derive(Debug)]
pub(crate) struct Entered<'a> {
    flag: &'a AtomicBool,
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        self.flag.store(false, Release);
    }
}

impl Guard {
    /// A live engine's guard, with neither side in use.
    pub(crate) fn new() -> Guard {
        Guard {
            magic: AtomicU64::new(LIVE),
            audio: AtomicBool::new(false),
            control: AtomicBool::new(false),
        }
    }

    fn flag(&self, side: Side) -> &AtomicBool {
        match side {
            Side::Audio => &self.audio,
            Side::Control => &self.control,
        }
    }

    /// Lets a call into `side` if the engine is live and no other call is using that side.
    ///
    /// Real-time safe: two atomic loads and a swap; does not allocate, lock or block.
    pub(crate) fn enter(&self, side: Side) -> Result<Entered<'_>, Refusal> {
        if self.magic.load(Acquire) != LIVE {
            return Err(Refusal::Invalid);
        }
        let flag = self.flag(side);
        if flag.swap(true, Acquire) {
            return Err(Refusal::Busy);
        }
        let entered = Entered { flag };
        // A free may have retired the engine between the first look and the flag.
        if self.magic.load(Acquire) != LIVE {
            return Err(Refusal::Invalid);
        }
        Ok(entered)
    }

    /// Marks the engine freed, if it is live and no call is running on either side; from
    /// then on every call is refused with [`Refusal::Invalid`].
    pub(crate) fn retire(&self) -> Result<(), Refusal> {
        let audio = self.enter(Side::Audio)?;
        let control = self.enter(Side::Control)?;
        match self.magic.compare_exchange(LIVE, FREED, AcqRel, Acquire) {
            Ok(_) => {
                drop((audio, control));
                Ok(())
            }
            Err(_) => Err(Refusal::Invalid),
        }
    }
}

/// Addresses of freed engine headers, oldest first, each from `Box::into_raw` and exposed.
static QUARANTINED: Mutex<VecDeque<usize>> = Mutex::new(VecDeque::new());

/// Keeps the freed header at `address` (from `Box::into_raw` of a `T`, its guard retired)
/// readable for a while, and gives back the oldest one once [`QUARANTINE`] are kept.
///
/// # Safety
///
/// `address` is the exposed address of a `Box<T>` that nobody else owns, and every address
/// passed here is of the same `T`.
pub(crate) unsafe fn quarantine<T>(address: *mut T) {
    let mut kept = QUARANTINED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    kept.push_back(address.expose_provenance());
    if kept.len() > QUARANTINE
        && let Some(oldest) = kept.pop_front()
    {
        // SAFETY: from this function's contract: a box of `T` quarantined earlier, owned by
        // nobody else.
        drop(unsafe { Box::from_raw(std::ptr::with_exposed_provenance_mut::<T>(oldest)) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_call_per_side_at_a_time_and_both_sides_at_once() {
        let guard = Guard::new();
        let audio = guard.enter(Side::Audio).unwrap();
        assert_eq!(guard.enter(Side::Audio).unwrap_err(), Refusal::Busy);
        let control = guard.enter(Side::Control).unwrap();
        assert_eq!(guard.enter(Side::Control).unwrap_err(), Refusal::Busy);
        drop(audio);
        drop(guard.enter(Side::Audio).unwrap());
        drop(control);
        drop(guard.enter(Side::Control).unwrap());
    }

    #[test]
    fn a_free_waits_for_no_call_and_refuses_everything_after() {
        let guard = Guard::new();
        let audio = guard.enter(Side::Audio).unwrap();
        assert_eq!(guard.retire().unwrap_err(), Refusal::Busy);
        drop(audio);
        let control = guard.enter(Side::Control).unwrap();
        assert_eq!(guard.retire().unwrap_err(), Refusal::Busy);
        drop(control);
        assert_eq!(guard.retire(), Ok(()));
        assert_eq!(guard.retire().unwrap_err(), Refusal::Invalid);
        assert_eq!(guard.enter(Side::Audio).unwrap_err(), Refusal::Invalid);
        assert_eq!(guard.enter(Side::Control).unwrap_err(), Refusal::Invalid);
        assert_eq!(guard.magic.load(Acquire), FREED);
    }

    #[test]
    fn a_word_that_is_not_the_magic_is_refused() {
        let guard = Guard::new();
        guard.magic.store(0xdead_beef, Release);
        assert_eq!(guard.enter(Side::Audio).unwrap_err(), Refusal::Invalid);
        assert_eq!(guard.retire().unwrap_err(), Refusal::Invalid);
    }
}
