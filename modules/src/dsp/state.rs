//! Helpers for [`Dsp::copy_state_from`]: the same-type check every kernel starts with, and
//! the shapes its implementations share (nothing to copy, a whole clone, a clone under a
//! condition, a copy of selected fields).

use crate::module::{Dsp, dsp};
use patchvm_vm::Kernel;

/// `other` as a `K`, if it is one: the kernel whose state a `K` can take over.
#[inline]
pub(crate) fn same<K: Dsp>(other: &dyn Kernel) -> Option<&K> {
    dsp::<K>(other)
}

/// [`Dsp::copy_state_from`] for a kernel without state: there is nothing to keep, so it is
/// kept whenever `other` is a `K`.
///
/// Real-time safe: does not allocate, lock or block.
#[inline]
pub(crate) fn stateless<K: Dsp>(other: &dyn Kernel) -> bool {
    same::<K>(other).is_some()
}

/// [`Dsp::copy_state_from`] for a kernel whose whole state [`Clone::clone_from`] copies
/// without allocating: clones `other` into `this` if it is a `K`.
///
/// Real-time safe as long as `K::clone_from` does not allocate (true for plain fields,
/// arrays and seeded generators; not for `Vec`s of another length).
pub(crate) fn copy_whole<K: Dsp + Clone>(this: &mut K, other: &dyn Kernel) -> bool {
    copy_if(this, other, |_, _| true)
}

/// [`Dsp::copy_state_from`] for a kernel whose whole state [`Clone::clone_from`] copies
/// without allocating, when `keep(this, other)` says it may: clones `other` into `this` if it
/// is a `K` and `keep` agrees (a seeded kernel keeps its generator's position only if both
/// were seeded the same).
///
/// Real-time safe as long as `K::clone_from` does not allocate.
pub(crate) fn copy_if<K: Dsp + Clone>(
    this: &mut K,
    other: &dyn Kernel,
    keep: impl FnOnce(&K, &K) -> bool,
) -> bool {
    match same::<K>(other) {
        Some(other) if keep(this, other) => {
            this.clone_from(other);
            true
        }
        _ => false,
    }
}

/// [`Dsp::copy_state_from`] for a kernel that keeps settings of its own: if `other` is a
/// `K`, has `copy` take the evolving state over from it and returns true.
///
/// Real-time safe as long as `copy` does not allocate.
#[inline]
pub(crate) fn copy_with<K: Dsp>(
    this: &mut K,
    other: &dyn Kernel,
    copy: impl FnOnce(&mut K, &K),
) -> bool {
    same::<K>(other).map(|other| copy(this, other)).is_some()
}
