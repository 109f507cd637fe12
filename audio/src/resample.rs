//! Decoded audio brought to the engine's rate at import, with rubato's windowed-sinc
//! resampler at settings meant for mastering rather than real time: a 256-tap
//! Blackman-Harris filter, cubic interpolation between 256 oversampled points, cut off at
//! 95 % of the lower Nyquist frequency. It runs once per file's content, on the control
//! side, so its cost is an import's, never the audio thread's.

use rubato::{
    Resampler, SincFixedIn, SincInterpolationParameters, SincInterpolationType, WindowFunction,
};

/// Input frames the resampler takes per call.
const CHUNK: usize = 4096;

/// `channels` at `from` frames per second, resampled to `to`: `round(frames · to / from)`
/// frames, aligned so that the first output frame is the first input frame (the filter's
/// delay removed). The same rate returns the samples as they are.
pub fn resample(channels: Vec<Vec<f32>>, from: f64, to: f64) -> Vec<Vec<f32>> {
    if from == to || channels.is_empty() {
        return channels;
    }
    let frames = channels[0].len();
    let ratio = to / from;
    let wanted = (frames as f64 * ratio).round() as usize;
    let parameters = SincInterpolationParameters {
        sinc_len: 256,
        f_cutoff: 0.95,
        interpolation: SincInterpolationType::Cubic,
        oversampling_factor: 256,
        window: WindowFunction::BlackmanHarris2,
    };
    let mut resampler = SincFixedIn::<f32>::new(ratio, 1.0, parameters, CHUNK, channels.len())
        .expect("a positive, finite ratio and at least one channel");
    let delay = resampler.output_delay();
    let mut out: Vec<Vec<f32>> = vec![Vec::with_capacity(wanted + delay); channels.len()];
    let mut at = 0;
    while out[0].len() < wanted + delay {
        let block = if at + CHUNK <= frames {
            let slices: Vec<&[f32]> = channels.iter().map(|c| &c[at..at + CHUNK]).collect();
            resampler.process(&slices, None)
        } else if at < frames {
            let slices: Vec<&[f32]> = channels.iter().map(|c| &c[at..]).collect();
            resampler.process_partial(Some(&slices), None)
        } else {
            resampler.process_partial::<&[f32]>(None, None)
        }
        .expect("buffers of the resampler's own sizes");
        at += CHUNK;
        for (channel, samples) in out.iter_mut().zip(block) {
            channel.extend_from_slice(&samples);
        }
    }
    for channel in &mut out {
        channel.drain(..delay);
        channel.truncate(wanted);
    }
    out
}
