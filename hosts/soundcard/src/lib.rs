//! patchvm on a sound card: with the `cpal` feature, the `SoundCard` backend (cpal output and
//! input callbacks, the input reaching the output through a ring, the channel moves between
//! them tested without a device) and the device list. The feature is what pulls in a system
//! library (ALSA on Linux), so without it this crate is empty and the default build needs none.

#![deny(missing_docs)]
// RealtimeSanitizer (CI builds with `-Zsanitizer=realtime --cfg rtsan`) checks the audio entry
// points marked `sanitize(realtime = "nonblocking")`.
#![cfg_attr(rtsan, feature(sanitize))]

#[cfg(feature = "cpal")]
mod channels;
#[cfg(feature = "cpal")]
mod devices;
#[cfg(feature = "cpal")]
mod sound_card;

#[cfg(feature = "cpal")]
pub use devices::{DeviceInfo, DeviceList, list_devices};
#[cfg(feature = "cpal")]
pub use sound_card::{SoundCard, SoundCardSettings};

// The unit tests prove that audio-thread code does not allocate (`assert_no_alloc`).
#[cfg(test)]
#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

#[cfg(test)]
#[test]
fn the_allocation_detector_fires() {
    patchvm_rtcheck::assert_allocation_detected(module_path!(), "the_allocation_detector_fires");
}
