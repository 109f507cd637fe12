//! The audio side of a C engine: the engine's audio half, poisoned by a caught panic, and
//! adapted to any channel count and any frame count over the caller's interleaved buffers.

use crate::status::{PVM_ERR_PANIC, PVM_OK};
use patchvm_engine::AudioHalf;
use patchvm_engine::vm::channels::mapped_sample;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Frames handed to the audio half in one go when it writes straight into the caller's
/// buffer: bounds every slice made from the caller's pointers, whatever the frame count.
const DIRECT_FRAMES: usize = 1 << 16;

/// Frames of the stereo scratch buffer used when the caller has more than two output
/// channels.
const SCRATCH_FRAMES: usize = 1_024;

/// What `pvm_engine_process` owns. Touched only by `pvm_engine_process` (and by
/// `pvm_engine_free`), never by a control call, so it needs no lock.
#[derive(Debug)]
pub(crate) struct PoisonableAudioHalf {
    half: AudioHalf,
    /// Interleaved input channels the caller passes: 0..=`PVM_MAX_CHANNELS`.
    channels_in: usize,
    /// Interleaved output channels the caller passes: 1..=`PVM_MAX_CHANNELS`.
    channels_out: usize,
    /// With more than two output channels the audio half renders stereo here, then the
    /// frames are spread over the caller's channels. Empty otherwise. Allocated once, in
    /// `pvm_engine_new`.
    scratch: Box<[f32]>,
    /// Set when a panic was caught: from then on every call writes silence.
    poisoned: bool,
    /// Tests set this to make the next render panic, as a bug would.
    #[cfg(test)]
    panic_next: bool,
}

impl PoisonableAudioHalf {
    /// `half` must have been made with `min(channels_out, 2)` channels.
    pub(crate) fn new(
        half: AudioHalf,
        channels_in: usize,
        channels_out: usize,
    ) -> PoisonableAudioHalf {
        let scratch = if channels_out > 2 {
            vec![0.0; 2 * SCRATCH_FRAMES].into_boxed_slice()
        } else {
            Box::default()
        };
        PoisonableAudioHalf {
            half,
            channels_in,
            channels_out,
            scratch,
            poisoned: false,
            #[cfg(test)]
            panic_next: false,
        }
    }

    /// Interleaved input channels of the caller's buffers.
    pub(crate) fn channels_in(&self) -> usize {
        self.channels_in
    }

    /// Interleaved output channels of the caller's buffers.
    pub(crate) fn channels_out(&self) -> usize {
        self.channels_out
    }

    /// Renders `frames` frames into `output` (`frames * channels_out` floats), reading
    /// `input` (`frames * channels_in` floats, or NULL for silence). Returns `PVM_OK`, or
    /// `PVM_ERR_PANIC` with `output` silent.
    ///
    /// Real-time safe: does not allocate, lock or block (unless a bug panics).
    ///
    /// # Safety
    ///
    /// `output` is valid for writes of `frames * channels_out` floats, and `input`, unless
    /// NULL, valid for reads of `frames * channels_in` floats; neither is touched by anyone
    /// else during the call.
    pub(crate) unsafe fn process(
        &mut self,
        input: *const f32,
        output: *mut f32,
        frames: usize,
    ) -> i32 {
        if !self.poisoned {
            // SAFETY: forwarded from this function's contract.
            let rendered = catch_unwind(AssertUnwindSafe(|| unsafe {
                self.render(input, output, frames)
            }));
            if rendered.is_ok() {
                return PVM_OK;
            }
            // The audio half may be half-way through a block: never run it again.
            self.poisoned = true;
        }
        // SAFETY: forwarded from this function's contract.
        unsafe { silence(output, frames * self.channels_out) };
        PVM_ERR_PANIC
    }

    /// # Safety
    ///
    /// As for [`process`](PoisonableAudioHalf::process).
    unsafe fn render(&mut self, input: *const f32, output: *mut f32, frames: usize) {
        #[cfg(test)]
        if std::mem::take(&mut self.panic_next) {
            panic!("a bug on the audio side");
        }
        let chunk = if self.channels_out > 2 {
            SCRATCH_FRAMES
        } else {
            DIRECT_FRAMES
        };
        let (channels_in, channels_out) = (self.channels_in, self.channels_out);
        let mut done = 0;
        while done < frames {
            let length = (frames - done).min(chunk);
            let input: &[f32] = if input.is_null() || channels_in == 0 {
                &[]
            } else {
                // SAFETY: the caller's input holds `frames * channels_in` floats, of which
                // this is a part; nobody writes them during the call.
                unsafe {
                    std::slice::from_raw_parts(input.add(done * channels_in), length * channels_in)
                }
            };
            // SAFETY: the caller's output holds `frames * channels_out` floats, of which this
            // is a part; nobody else touches them during the call, and `input` is a different
            // buffer or only read.
            let output = unsafe {
                std::slice::from_raw_parts_mut(
                    output.add(done * channels_out),
                    length * channels_out,
                )
            };
            let input_channels = if input.is_empty() { 0 } else { channels_in };
            if channels_out <= 2 {
                self.half.process_with_input(input, input_channels, output);
            } else {
                let stereo = &mut self.scratch[..2 * length];
                self.half.process_with_input(input, input_channels, stereo);
                spread(stereo, output, channels_out);
            }
            done += length;
        }
    }
}

/// Copies stereo frames to frames of `channels` (> 2) channels by the engine's one channel
/// mapping ([`mapped_sample`]): a mono patch reaches every channel (the engine plays it on
/// both), a stereo patch's right channel the channels after the second.
///
/// Real-time safe: does not allocate, lock or block.
fn spread(stereo: &[f32], output: &mut [f32], channels: usize) {
    for (frame, out) in stereo
        .chunks_exact(2)
        .zip(output.chunks_exact_mut(channels))
    {
        for (channel, sample) in out.iter_mut().enumerate() {
            *sample = mapped_sample(2, channels, channel, |c| frame[c]);
        }
    }
}

/// Writes `count` zeros from `output`.
///
/// # Safety
///
/// `output` is valid for writes of `count` floats.
unsafe fn silence(output: *mut f32, count: usize) {
    // SAFETY: from this function's contract; all-zero bytes are the float 0.0.
    unsafe { output.write_bytes(0, count) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use patchvm_engine::ir::{Format, Limits};
    use patchvm_engine::{Engine, EngineSettings};

    #[test]
    fn a_panic_while_rendering_gives_silence_and_a_code_from_then_on() {
        let settings = EngineSettings {
            channels: 2,
            ..EngineSettings::default()
        };
        let (mut controller, half) = Engine::new(settings, Limits::default());
        let toy = br#"(patch (nodes (osc1 (type "osc.sine") (freq 440)) (out (type "output")))
                              (connections (osc1 "out" -> out "in")))"#;
        controller.load_text(toy, Format::Sexpr).unwrap();
        let mut audio = PoisonableAudioHalf::new(half, 0, 3);
        let mut out = vec![1.0_f32; 3 * 500];
        // SAFETY: `out` holds 500 frames of 3 channels.
        let process = |audio: &mut PoisonableAudioHalf, out: &mut [f32]| unsafe {
            audio.process(std::ptr::null(), out.as_mut_ptr(), out.len() / 3)
        };
        assert_eq!(process(&mut audio, &mut out), PVM_OK);
        assert!(out.iter().any(|&x| x != 0.0));

        audio.panic_next = true;
        out.fill(1.0);
        assert_eq!(process(&mut audio, &mut out), PVM_ERR_PANIC);
        assert!(out.iter().all(|&x| x == 0.0));
        // Poisoned: silence from then on, though nothing panics any more.
        out.fill(1.0);
        assert_eq!(process(&mut audio, &mut out), PVM_ERR_PANIC);
        assert!(out.iter().all(|&x| x == 0.0));
    }

    #[test]
    fn spread_keeps_left_and_repeats_right() {
        let stereo = [1.0, 2.0, 3.0, 4.0];
        let mut output = [0.0; 8];
        spread(&stereo, &mut output, 4);
        assert_eq!(output, [1.0, 2.0, 2.0, 2.0, 3.0, 4.0, 4.0, 4.0]);
    }
}
