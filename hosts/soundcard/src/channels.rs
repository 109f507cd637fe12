//! Moving frames between the engine's layout (interleaved `f32`, 1 or 2 channels) and a
//! sound card's (any channel count, any sample type), and through the ring that carries the
//! input callback's frames to the output callback. No device is needed to test these.

use patchvm_engine::vm::channels::mapped_sample;

/// Writes engine frames of `engine_channels` channels to device frames of `device_channels`,
/// converting each sample with `convert`, by the one channel mapping ([`mapped_sample`]): a
/// mono patch reaches every channel, a stereo patch's right channel the rest.
///
/// Real-time safe: does not allocate, lock or block.
pub(crate) fn spread<T>(
    engine: &[f32],
    engine_channels: usize,
    device: &mut [T],
    device_channels: usize,
    convert: impl Fn(f32) -> T,
) {
    let to_len = device_channels.max(1);
    for (from, to) in engine
        .chunks_exact(engine_channels.max(1))
        .zip(device.chunks_exact_mut(device_channels.max(1)))
    {
        for (channel, sample) in to.iter_mut().enumerate() {
            *sample = convert(mapped_sample(from.len(), to_len, channel, |c| from[c]));
        }
    }
}

/// Pushes the whole frames of `samples` (interleaved, `channels` per frame) that fit into
/// `ring`, converted with `convert`; returns the samples that did not fit (lost).
///
/// Real-time safe: does not allocate, lock or block.
pub(crate) fn push_frames<T: Copy>(
    ring: &mut rtrb::Producer<f32>,
    samples: &[T],
    channels: usize,
    convert: impl Fn(T) -> f32,
) -> usize {
    let channels = channels.max(1);
    let fits = ring.slots().min(samples.len()) / channels * channels;
    if let Ok(chunk) = ring.write_chunk_uninit(fits) {
        chunk.fill_from_iter(samples[..fits].iter().map(|&sample| convert(sample)));
    }
    samples.len() - fits
}

/// Fills `frames` (interleaved, `channels` per frame) from `ring`, with silence for what the
/// ring lacks; returns the samples that were missing.
///
/// Real-time safe: does not allocate, lock or block.
pub(crate) fn pop_frames(ring: &mut rtrb::Consumer<f32>, frames: &mut [f32]) -> usize {
    let ready = ring.slots().min(frames.len());
    let (filled, missing) = frames.split_at_mut(ready);
    if let Ok(chunk) = ring.read_chunk(ready) {
        let (first, second) = chunk.as_slices();
        filled[..first.len()].copy_from_slice(first);
        filled[first.len()..].copy_from_slice(second);
        chunk.commit_all();
    }
    missing.fill(0.0);
    missing.len()
}

/// Drops the oldest whole frames of `ring` beyond `keep` samples, so the input never lags
/// the output by more than that (the two callbacks run on clocks that may drift apart);
/// returns the samples dropped.
///
/// Real-time safe: does not allocate, lock or block.
pub(crate) fn skip_backlog(ring: &mut rtrb::Consumer<f32>, keep: usize, channels: usize) -> usize {
    let channels = channels.max(1);
    let excess = ring.slots().saturating_sub(keep) / channels * channels;
    if let Ok(chunk) = ring.read_chunk(excess) {
        chunk.commit_all();
    }
    excess
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mono_reaches_every_channel_and_stereo_repeats_its_right() {
        let mut device = [0.0_f32; 8];
        spread(&[0.5, -0.5], 1, &mut device, 4, |x| x);
        assert_eq!(device, [0.5, 0.5, 0.5, 0.5, -0.5, -0.5, -0.5, -0.5]);
        spread(&[1.0, 2.0, 3.0, 4.0], 2, &mut device, 4, |x| x);
        assert_eq!(device, [1.0, 2.0, 2.0, 2.0, 3.0, 4.0, 4.0, 4.0]);
        let mut mono = [0.0_f32; 2];
        spread(&[1.0, 2.0, 3.0, 4.0], 2, &mut mono, 1, |x| x);
        assert_eq!(
            mono,
            [1.5, 3.5],
            "a stereo frame on one channel is its mean"
        );
    }

    #[test]
    fn samples_are_converted_to_the_device_type() {
        let mut device = [0_i16; 4];
        spread(&[1.0, -1.0], 1, &mut device, 2, |x| {
            (x * f32::from(i16::MAX)) as i16
        });
        assert_eq!(device, [i16::MAX, i16::MAX, -i16::MAX, -i16::MAX]);
    }

    #[test]
    fn the_ring_carries_whole_frames_and_counts_what_is_lost_or_missing() {
        let (mut producer, mut consumer) = rtrb::RingBuffer::new(5);
        // Two stereo frames fit in five slots; the third frame is lost whole.
        let lost = push_frames(&mut producer, &[1_i16, 2, 3, 4, 5, 6], 2, f32::from);
        assert_eq!(lost, 2);
        let mut frames = [9.0_f32; 6];
        let missing = pop_frames(&mut consumer, &mut frames);
        assert_eq!((frames, missing), ([1.0, 2.0, 3.0, 4.0, 0.0, 0.0], 2));
    }

    #[test]
    fn a_backlog_is_cut_to_the_newest_frames() {
        let (mut producer, mut consumer) = rtrb::RingBuffer::new(16);
        push_frames(
            &mut producer,
            &[1.0_f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
            1,
            |x| x,
        );
        assert_eq!(skip_backlog(&mut consumer, 3, 1), 4);
        let mut frames = [0.0; 3];
        assert_eq!(pop_frames(&mut consumer, &mut frames), 0);
        assert_eq!(frames, [5.0, 6.0, 7.0]);
    }
}
