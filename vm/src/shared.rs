//! Kernels that successive programs share, so that a swap hands a surviving node's kernel —
//! its state included — to the next program without copying or moving anything on the audio
//! thread.
//!
//! The control side builds the next program while the current one plays. For every node that
//! survives the edit it gives the new program a clone of the old program's [`SharedKernel`]
//! handle: cloning touches the handle's reference count, never the kernel, so it is safe while
//! the audio thread runs that kernel. When the audio half takes the new program over, the
//! kernel simply goes on in it: the swap costs the same whether the patch has ten nodes or ten
//! thousand, and a ten-second delay line is not copied.
//!
//! Sound because only one program runs at a time (the one playing), and a program is dropped
//! only on the control side (the audio half sends programs back), so a kernel is freed there
//! when the last program holding it goes.

use crate::kernel::{Kernel, KernelShape};
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;
use std::sync::Arc;

/// A kernel owned jointly by the programs that run it, one after the other.
///
/// Cloning the handle shares the kernel; it does not copy it. The handle never touches the
/// kernel itself (another thread may be running it): it knows the kernel's shape from when it
/// was made.
#[derive(Clone)]
pub struct SharedKernel(Arc<KernelCell>);

/// The kernel behind a [`SharedKernel`]: a box turned into a pointer, so that nothing but an
/// executable's [`KernelRef`] ever makes a reference to it, and its shape.
struct KernelCell {
    kernel: NonNull<dyn Kernel>,
    shape: KernelShape,
    reports_clips: bool,
}

// SAFETY: the kernel is `Send`; it is reached only through the `KernelRef`s of executables,
// and the contract of `Executable::with_shared` makes sure no two executables holding one
// kernel are used at the same time. The cell itself is only read for the pointer and shape.
unsafe impl Send for KernelCell {}
// SAFETY: as above.
unsafe impl Sync for KernelCell {}

impl Drop for KernelCell {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `Box::into_raw` in `SharedKernel::new`, and the last
        // handle is going, so no executable holds the kernel any more.
        drop(unsafe { Box::from_raw(self.kernel.as_ptr()) });
    }
}

impl SharedKernel {
    /// Makes `kernel` shareable.
    pub fn new(kernel: Box<dyn Kernel>) -> SharedKernel {
        let shape = kernel.shape();
        let reports_clips = kernel.reports_clips();
        // SAFETY: `Box::into_raw` never returns null.
        let kernel = unsafe { NonNull::new_unchecked(Box::into_raw(kernel)) };
        SharedKernel(Arc::new(KernelCell {
            kernel,
            shape,
            reports_clips,
        }))
    }

    /// Whether `self` and `other` are the same kernel.
    pub fn same(&self, other: &SharedKernel) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The kernel's shape, as it was made.
    pub fn shape(&self) -> KernelShape {
        self.0.shape
    }

    /// Whether the kernel reports clip events, as it said when made.
    pub fn reports_clips(&self) -> bool {
        self.0.reports_clips
    }

    /// Where the kernel's cell is: distinct for distinct kernels, even of a zero-sized type.
    pub(crate) fn address(&self) -> *const () {
        Arc::as_ptr(&self.0).cast()
    }

    /// A pointer to the kernel, as executables reach it (tests of lane kernels make their
    /// groups with it). Makes no reference to the kernel.
    ///
    /// # Safety
    /// The `KernelRef` must not outlive every handle of this kernel, and no two `KernelRef`s
    /// of one kernel may be dereferenced at the same time.
    pub unsafe fn reference(&self) -> KernelRef {
        KernelRef(self.0.kernel)
    }
}

impl std::fmt::Debug for SharedKernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SharedKernel")
            .field(&Arc::as_ptr(&self.0))
            .finish()
    }
}

/// An executable's pointer to one of its kernels, which it may share with the programs before
/// and after it; dereferences to the kernel. The executable keeps the kernel alive by holding
/// its [`SharedKernel`] too.
///
/// Lane kernels get their group's other kernels as a slice of these
/// ([`Kernel::process_lanes`]).
pub struct KernelRef(NonNull<dyn Kernel>);

// SAFETY: a `KernelRef` is as sendable as the kernel it points to (`Kernel: Send`); it moves
// to the audio thread inside its executable.
unsafe impl Send for KernelRef {}

impl Deref for KernelRef {
    type Target = dyn Kernel;

    fn deref(&self) -> &(dyn Kernel + 'static) {
        // SAFETY: the executable holding this reference holds the kernel's `SharedKernel`, so
        // the kernel lives; only the executable playing dereferences it (see the module's
        // doc), and an executable's kernels are distinct (checked when it is made).
        unsafe { self.0.as_ref() }
    }
}

impl DerefMut for KernelRef {
    fn deref_mut(&mut self) -> &mut (dyn Kernel + 'static) {
        // SAFETY: as for `deref`; `&mut self` is the executable's unique borrow of its table.
        unsafe { self.0.as_mut() }
    }
}

impl std::fmt::Debug for KernelRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("KernelRef").field(&self.0.as_ptr()).finish()
    }
}
