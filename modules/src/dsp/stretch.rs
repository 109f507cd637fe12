//! Time-stretch and pitch-shift, shared by `fx.stretch` (a live signal's pitch) and the clips
//! of timelines (a file at a stretch and a pitch): Signalsmith Stretch, through the
//! `signalsmith-stretch` crate, behind the `stretch` feature.
//!
//! The library works on whole blocks of its own and decides when to analyse a spectrum from
//! the lengths of each call, so its output depends on how a stream is cut into calls. Both
//! pieces here therefore call it on a fixed chunk of [`CHUNK`] output frames, whatever the
//! host's blocks: the same stream gives the same bits. Every buffer is allocated when a piece
//! is built (control side); the library's own (its spectra, windows and scratch) are sized by
//! its configuration then too. Parameters are plain fields the owner sets between calls: no
//! lock, no allocation.
//!
//! - [`PitchShifter`]: a live signal in, the same signal `semitones` higher out, `latency`
//!   frames later ([`PitchShifter::latency`]).
//! - [`StretchReader`]: plays an [`AudioData`] from a frame at a stretch (output length over
//!   input length, 0.25–4) and a pitch (±24 semitones) into blocks; the timeline's clips
//!   call [`StretchReader::prime`] ahead of a clip (so its first frame sounds on its sample,
//!   the latency hidden), [`StretchReader::repeat`] for a loop and [`StretchReader::read`]
//!   every block.
//!
//! Stretches above 2 randomise the phases of the stretched partials, from a generator the
//! library seeds itself: those are not bit-identical from run to run (stretches up to 2, and
//! every pitch shift at stretch 1, are).

use patchvm_vm::audio::AudioData;
use signalsmith_stretch::Stretch;

/// The frames of output the library is asked for in each call.
pub const CHUNK: usize = 64;
/// The smallest stretch (output length over input length): four times as fast.
pub const MIN_STRETCH: f64 = 0.25;
/// The largest stretch: four times as slow.
pub const MAX_STRETCH: f64 = 4.0;
/// The largest shift up or down, in semitones.
pub const MAX_SEMITONES: f64 = 24.0;
/// The input frames one chunk consumes at most (at the smallest stretch).
const MAX_CHUNK_INPUT: usize = (CHUNK as f64 / MIN_STRETCH) as usize;

/// What the first frame of a chunk of digital silence is fed as (-140 dB). After two windows
/// of input whose energy is under 1e-15 the library bypasses itself and forgets its block
/// timing, and the sound that follows comes out early: a clip at ×0.25 whose tone follows two
/// seconds of silence in its file came out 353 samples early, and another one four seconds
/// of silence later 2,862 samples early (5 % of the gap). Never fed silence, it keeps time.
const SILENCE_NUDGE: f32 = 1e-7;

/// The library's analysis window and the interval between spectra, in frames, at
/// `sample_rate`: a window of at least 0.3 s rounded up to a power of two (16,384 frames at 44.1
/// and 48 kHz), a sixteenth of it apart. The default preset (0.12 s, 0.03 s apart) is four
/// times cheaper but shifts a 330 Hz tone down an octave 7.8 cents sharp (and a fifth down 2.7
/// cents); this window keeps every shift of ±24 semitones of tones from 110 Hz to 2 kHz within
/// 1.5 cents, with the residue 73 dB or more below the tone (measured against the default and
/// four other windows).
fn window(sample_rate: f64) -> (usize, usize) {
    let block = ((sample_rate * 0.3).max(1.0) as usize).next_power_of_two();
    (block, block / 16)
}

/// The library, configured by [`window`] for `channels` at `sample_rate`, and the
/// interleaved buffers one call reads and writes.
struct Stretcher {
    engine: Stretch,
    channels: usize,
    /// One call's input, interleaved: up to [`MAX_CHUNK_INPUT`] frames.
    input: Box<[f32]>,
    /// One call's output, interleaved: [`CHUNK`] frames.
    output: Box<[f32]>,
    /// The shift the library was last given, so a repeated value costs nothing.
    semitones: f32,
    /// The library's analysis window plus one interval: the input a seek gives it.
    history: usize,
}

impl std::fmt::Debug for Stretcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stretcher")
            .field("channels", &self.channels)
            .field("semitones", &self.semitones)
            .finish_non_exhaustive()
    }
}

impl Stretcher {
    /// Allocates everything (control side).
    fn new(channels: usize, sample_rate: f64) -> Stretcher {
        let channels = channels.max(1);
        let count = u32::try_from(channels).expect("a channel count fits in u32");
        let (block, interval) = window(sample_rate);
        let engine = Stretch::new(count, block, interval);
        Stretcher {
            engine,
            channels,
            input: vec![0.0; MAX_CHUNK_INPUT * channels].into_boxed_slice(),
            output: vec![0.0; CHUNK * channels].into_boxed_slice(),
            semitones: 0.0,
            history: block + interval,
        }
    }

    /// Shifts by `semitones`, limited to ±24 (NaN reads as no shift).
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn set_pitch(&mut self, semitones: f64) {
        let semitones = if semitones.is_nan() {
            0.0
        } else {
            semitones.clamp(-MAX_SEMITONES, MAX_SEMITONES) as f32
        };
        if semitones != self.semitones {
            self.semitones = semitones;
            self.engine.set_transpose_factor_semitones(semitones, None);
        }
    }

    /// Frames between an input frame and the output it becomes, at stretch 1.
    fn latency(&self) -> usize {
        self.engine.input_latency() + self.engine.output_latency()
    }

    /// Runs the library on the first `frames` frames of `self.input` into `self.output`.
    ///
    /// Real-time safe: the library's buffers were sized when it was configured and `frames`
    /// never exceeds them.
    fn run(&mut self, frames: usize) {
        let input = &self.input[..frames * self.channels];
        self.engine.process(input, &mut self.output[..]);
    }

    /// Gives the library `input` (interleaved, [`Stretcher::history`] frames) as the past
    /// of the stream, whose window then centres on its frame `history - input latency`,
    /// playing at `stretch`.
    ///
    /// Real-time safe: the library copies into buffers sized when it was configured.
    fn seek(&mut self, input: &[f32], stretch: f64) {
        self.engine.seek(input, 1.0 / stretch);
    }

    /// Back to silence, as built, keeping the pitch.
    fn reset(&mut self) {
        self.engine.reset();
        self.output.fill(0.0);
    }
}

/// A live mono signal shifted in pitch: each sample goes into a chunk and comes out
/// [`PitchShifter::latency`] samples later, shifted by the pitch the chunk's last sample
/// asked for.
#[derive(Debug)]
pub struct PitchShifter {
    stretcher: Stretcher,
    /// Where in the current chunk the next sample goes (and the previous chunk's output is
    /// read from).
    at: usize,
}

impl PitchShifter {
    /// A shifter for a signal at `sample_rate` (control side: allocates).
    pub fn new(sample_rate: f64) -> PitchShifter {
        PitchShifter {
            stretcher: Stretcher::new(1, sample_rate),
            at: 0,
        }
    }

    /// Samples from an input sample to its shifted output: the library's latency (its window:
    /// 16,384 samples at 48 kHz) plus one chunk (64 samples).
    pub fn latency(&self) -> usize {
        self.stretcher.latency() + CHUNK
    }

    /// Shifts `input` by `semitones` (read at each chunk's last sample, limited to ±24) into
    /// `output`, of the same length.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn process(&mut self, input: &[f32], semitones: &[f32], output: &mut [f32]) {
        for ((&x, &shift), out) in input.iter().zip(semitones).zip(output.iter_mut()) {
            *out = self.stretcher.output[self.at];
            self.stretcher.input[self.at] = x;
            self.at += 1;
            if self.at == CHUNK {
                self.at = 0;
                self.stretcher.set_pitch(f64::from(shift));
                self.stretcher.run(CHUNK);
            }
        }
    }

    /// Back to silence, as built.
    pub fn reset(&mut self) {
        self.stretcher.reset();
        self.stretcher.set_pitch(0.0);
        self.at = 0;
    }
}

/// A file played from a frame at a stretch and a pitch, for the clips of a timeline: built
/// for a channel count (control side), then started at a frame and read block by block, on
/// the audio thread, without allocating.
///
/// At stretch 1 the output lags the file by [`StretchReader::latency`] frames (the library's
/// window: 16,384 frames at 48 kHz): the frame `from` given to [`StretchReader::start`] sounds
/// that many frames after the first frame read, so a clip that must sound on its beat starts
/// its reader that much earlier. At stretch `s` the file's frames `from..end` last
/// `(end - from) · s` frames of output; past the file's end the library is fed silence, so its
/// tail rings out.
#[derive(Debug)]
pub struct StretchReader {
    stretcher: Stretcher,
    /// The next file frame to feed, as a fraction: each chunk advances it by `CHUNK / stretch`.
    position: f64,
    /// Output frames over input frames, in `MIN_STRETCH..=MAX_STRETCH`.
    stretch: f64,
    /// Where in the current chunk's output the next frame is read.
    at: usize,
    /// The file's frames a loop repeats (first frame, count): frames outside it read as the
    /// frame as far into it; `None` reads the file as it is, silence outside it.
    repeat: Option<(usize, usize)>,
    /// The stream's past a [`StretchReader::prime`] gives the library, interleaved.
    history: Box<[f32]>,
    /// The library's runs (one a chunk) since built: the work a caller bounds per block.
    chunks: u64,
}

impl StretchReader {
    /// A reader for files of `channels` channels (control side: allocates). A file with fewer
    /// channels repeats its last; one with more is read for the first `channels`.
    pub fn new(channels: usize, sample_rate: f64) -> StretchReader {
        let stretcher = Stretcher::new(channels, sample_rate);
        let history = vec![0.0; stretcher.history * stretcher.channels].into_boxed_slice();
        StretchReader {
            stretcher,
            position: 0.0,
            stretch: 1.0,
            at: CHUNK,
            repeat: None,
            history,
            chunks: 0,
        }
    }

    /// Output frames from the centre of the library's window to the output it becomes (half
    /// its window: 8,192 frames at 48 kHz), which [`StretchReader::prime`] reads ahead.
    pub fn output_latency(&self) -> usize {
        self.stretcher.engine.output_latency()
    }

    /// Repeats the `count` frames from `first` (a looping clip's pass) as an endless stream,
    /// or with `None` reads the file as it is.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn repeat(&mut self, region: Option<(usize, usize)>) {
        self.repeat = region.filter(|&(_, count)| count > 0);
    }

    /// Starts reading `audio` so that the frame read after `skip` more output frames is file
    /// frame `from` (a fraction at a stretch), with no latency: the library is given the
    /// stream's past up to its window's centre on `from` and then reads
    /// [`StretchReader::output_latency`] frames, of which the first `latency - skip` were read
    /// here (and thrown away). `skip` is at most the output latency (one window's work per
    /// interval read now: the cost of a seek), so `skip = output_latency()` costs nothing now
    /// and is the read-ahead of a clip coming up.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn prime(&mut self, audio: &AudioData, from: f64, skip: usize) {
        self.stretcher.reset();
        let channels = self.stretcher.channels;
        let frames = self.stretcher.history;
        let centre = from.max(0.0) + self.stretcher.engine.input_latency() as f64;
        let end = centre.floor() as i64;
        for channel in 0..channels {
            let source = audio.channel(channel.min(audio.channels() - 1));
            for frame in 0..frames {
                let at = end - (frames - frame) as i64;
                self.history[frame * channels + channel] = sample(self.repeat, source, at);
            }
        }
        self.stretcher.seek(&self.history, self.stretch);
        self.position = centre;
        self.at = CHUNK;
        let mut discard = self.output_latency().saturating_sub(skip);
        while discard > 0 {
            if self.at == CHUNK {
                self.next_chunk(audio);
            }
            let step = discard.min(CHUNK - self.at);
            self.at += step;
            discard -= step;
        }
    }

    /// The chunks the library has run since the reader was built (each fed at most
    /// `CHUNK / stretch` frames): a count of the work done, for bounding it per block.
    pub fn chunks(&self) -> u64 {
        self.chunks
    }

    /// Output frames from a frame fed to the library to the output it becomes.
    pub fn latency(&self) -> usize {
        self.stretcher.latency()
    }

    /// Sets the stretch (output length over input length), limited to 0.25–4, NaN reading as
    /// 1; takes effect at the next chunk.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn set_stretch(&mut self, stretch: f64) {
        self.stretch = if stretch.is_nan() {
            1.0
        } else {
            stretch.clamp(MIN_STRETCH, MAX_STRETCH)
        };
    }

    /// Sets the pitch shift in semitones, limited to ±24, NaN reading as none; takes effect at
    /// the next chunk.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn set_pitch(&mut self, semitones: f64) {
        self.stretcher.set_pitch(semitones);
    }

    /// Starts reading `audio` at frame `from`, forgetting what played before.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn start(&mut self, from: usize) {
        self.stretcher.reset();
        self.position = from as f64;
        self.at = CHUNK;
    }

    /// Fills `outputs` (one block per channel, all of one length) with the next frames of
    /// `audio`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn read(&mut self, audio: &AudioData, outputs: &mut [&mut [f32]]) {
        let len = outputs.first().map_or(0, |block| block.len());
        for i in 0..len {
            if self.at == CHUNK {
                self.next_chunk(audio);
            }
            for (channel, block) in outputs.iter_mut().enumerate() {
                let channel = channel.min(self.stretcher.channels - 1);
                block[i] = self.stretcher.output[self.at * self.stretcher.channels + channel];
            }
            self.at += 1;
        }
    }

    /// Feeds the library the file frames of the next chunk and runs it.
    fn next_chunk(&mut self, audio: &AudioData) {
        let start = self.position.floor();
        self.position += CHUNK as f64 / self.stretch;
        let frames = (self.position.floor() - start) as usize;
        let frames = frames.min(MAX_CHUNK_INPUT);
        let channels = self.stretcher.channels;
        let first = start as i64;
        for channel in 0..channels {
            let source = audio.channel(channel.min(audio.channels() - 1));
            for frame in 0..frames {
                self.stretcher.input[frame * channels + channel] =
                    sample(self.repeat, source, first + frame as i64);
            }
        }
        let input = &mut self.stretcher.input[..frames * channels];
        if input.iter().all(|&x| x == 0.0)
            && let Some(first) = input.first_mut()
        {
            *first = SILENCE_NUDGE;
        }
        self.stretcher.run(frames);
        self.chunks += 1;
        self.at = 0;
    }
}

/// Frame `at` of the stream read from `source`: the file's (silence outside it), or with
/// `repeat` (first frame, count) the loop's, the frame as far into it.
#[inline]
fn sample(repeat: Option<(usize, usize)>, source: &[f32], at: i64) -> f32 {
    let at = match repeat {
        Some((first, count)) => first as i64 + (at - first as i64).rem_euclid(count as i64),
        None => at,
    };
    usize::try_from(at)
        .ok()
        .and_then(|at| source.get(at))
        .copied()
        .unwrap_or(0.0)
}
