//! The one channel mapping: how a frame of one channel count plays on another. The live
//! engine's audio half, the offline render, the sound card and the C ABI all call
//! [`mapped_sample`], so a patch sounds the same whichever host plays it.

/// Sample `channel` of a frame of `channels` channels playing a frame of `from` channels
/// whose sample `c` is `sample(c)`. On one channel, the mean of the source's channels (a
/// stereo patch plays `(left + right) / 2`); otherwise a channel the source has plays as it
/// is, and one beyond them plays the source's last (a mono patch reaches every channel, a
/// stereo patch's right the channels after the second).
///
/// Real-time safe: does not allocate, lock or block.
#[inline]
pub fn mapped_sample(
    from: usize,
    channels: usize,
    channel: usize,
    sample: impl Fn(usize) -> f32,
) -> f32 {
    if channels == 1 && from > 1 {
        (1..from).fold(sample(0), |sum, c| sum + sample(c)) / from as f32
    } else {
        sample(channel.min(from.max(1) - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::mapped_sample;

    /// Every channel of a frame of `channels` channels playing `frame`.
    fn mapped(frame: &[f32], channels: usize) -> Vec<f32> {
        (0..channels)
            .map(|channel| mapped_sample(frame.len(), channels, channel, |c| frame[c]))
            .collect()
    }

    #[test]
    fn stereo_on_one_channel_is_the_mean_and_a_source_s_last_channel_fills_the_rest() {
        assert_eq!(mapped(&[0.25, 0.75], 1), [0.5]);
        assert_eq!(mapped(&[0.25, 0.75], 2), [0.25, 0.75]);
        assert_eq!(mapped(&[0.25, 0.75], 4), [0.25, 0.75, 0.75, 0.75]);
        assert_eq!(mapped(&[0.5], 1), [0.5]);
        assert_eq!(mapped(&[0.5], 3), [0.5, 0.5, 0.5]);
    }
}
