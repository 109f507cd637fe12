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

/// The resampler, at the settings this module's documentation gives.
fn resampler(ratio: f64, channels: usize) -> SincFixedIn<f32> {
    let parameters = SincInterpolationParameters {
        sinc_len: 256,
        f_cutoff: 0.95,
        interpolation: SincInterpolationType::Cubic,
        oversampling_factor: 256,
        window: WindowFunction::BlackmanHarris2,
    };
    SincFixedIn::new(ratio, 1.0, parameters, CHUNK, channels)
        .expect("a positive, finite ratio and at least one channel")
}

/// The output frames by which the resampler delays its input, found where it puts an
/// impulse: rubato's own `output_delay` is an estimate, several frames early at 44.1 to
/// 48 kHz, which would shift every imported file.
fn delay(ratio: f64) -> usize {
    let mut probe = resampler(ratio, 1);
    let mut impulse = vec![0.0f32; CHUNK];
    impulse[0] = 1.0;
    let response = probe
        .process(&[&impulse], None)
        .expect("a buffer of the resampler's own size");
    response[0]
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(frame, _)| frame)
}

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
    let mut resampler = resampler(ratio, channels.len());
    let delay = delay(ratio);
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
