//! Sample players: `sample.play` plays one audio file on each trigger; `seq.samples` plays a
//! mini-notation pattern whose words name the patch's sample bank (`"bd ~ sd ~"`).
//!
//! Both read decoded audio the host hands the build ([`KernelInit::audio`](crate::KernelInit)):
//! a kernel keeps `Arc`s of the files it plays and never copies their samples. A node whose
//! file the host did not load plays silence.
//!
//! **Playing.** A voice reads its file from a position that moves by the rate each sample
//! (1 = the file's own speed; negative plays backwards from the end of the region), reading
//! between samples by 4-point cubic Hermite (Catmull-Rom) interpolation, exact at whole
//! positions. `start` and `end` (seconds; `end` 0 is the file's end) bound the region played;
//! `loop` wraps around it.
//!
//! **Declicking.** Every start, the end of the region and both sides of every loop seam fade
//! linearly over [`DECLICK_S`] (1 ms: 48 samples at 48 kHz; the first sample played is at
//! 1/48 of full level); a voice cut by a new trigger fades out over the same length while the
//! new one starts.
//!
//! **Levels.** `gain` is in dB; `pan` is equal power, as `stereo.pan`: `left · cos θ`,
//! `right · sin θ`, `θ = (pan + 1) · π/4` (-3.01 dB each at the centre). A mono file plays on
//! both sides. `out` is the unpanned mono mix: `(left + right) / 2 · gain`.
//!
//! **In a voice template** connect the note's frequency to `pitch` and its `trig` (a note
//! stream's; a `voice` node's `gate` for MIDI) to `trig`: each note plays the file at
//! `rate · pitch / mtof(root)`, so `root` is the MIDI note at which the file plays at its own
//! pitch (`2^((note - root) / 12)`). A stream's `trig` rather than its `gate`: a voice handed
//! from one note to the next at the same sample keeps its gate open.
//!
//! **seq.samples** keeps [`PLAYERS`] voices, allocated when built: each onset takes a free
//! one (a hit rings on while the next starts), else the oldest, cut at once. A word missing
//! from the bank is E0122 at its characters, checked when the engine builds the patch with its
//! bank ([`bank::check`]): the bank arrives with the build, after the text checks.
//!
//! The parts: `sampler/voice.rs` one playing voice, `sampler/play.rs` `sample.play`'s kernel,
//! `sampler/samples.rs` `seq.samples`' kernel, `sampler/bank.rs` the bank check.

pub mod bank;
mod play;
mod samples;
mod voice;

use super::patterns::text;
use super::spec::{control, setting};
use crate::module::{Module, output};
use patchvm_ir::text::{TextInfo, TextProblem, TextSpec};
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Role, Unit};
use patchvm_pattern::mini::Pattern;
pub use voice::DECLICK_S;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[PLAY, SAMPLES];

/// The voices one `seq.samples` node plays at once.
pub const PLAYERS: usize = 8;

/// The playing rate's range (negative: backwards).
const RATE_RANGE: (f64, f64) = (-16.0, 16.0);
/// `gain`'s range, in dB.
const GAIN_RANGE: (f64, f64) = (-96.0, 24.0);

/// `file` of `sample.play`: the path of an audio file, relative to the patch's folder.
static FILE: TextSpec = TextSpec {
    default: "",
    check: any_path,
    outputs: None,
    audio_file: true,
};

/// `pattern` of `seq.samples`: mini-notation whose words are the bank's.
static WORDS: TextSpec = TextSpec {
    default: "~",
    check: words,
    outputs: None,
    audio_file: false,
};

/// A path: any text (the host reports a file it cannot read).
fn any_path(_: &str) -> Result<TextInfo, TextProblem> {
    Ok(TextInfo::default())
}

/// A pattern, or where it does not parse.
fn words(text: &str) -> Result<TextInfo, TextProblem> {
    Pattern::parse(text)
        .map(|_| TextInfo::default())
        .map_err(|error| TextProblem::new(error.range, error.message).with_hint(error.hint))
}

const RATE: InputSpec = control(
    "rate",
    "playing speed: 1 the file's own, 2 an octave up, negative backwards; limited to -16..16",
    1.0,
    RATE_RANGE,
    Unit::Linear,
);
const GAIN: InputSpec = control(
    "gain",
    "level in dB; limited to -96..24",
    0.0,
    GAIN_RANGE,
    Unit::Decibels,
);
const PAN: InputSpec = control(
    "pan",
    "equal-power position, -1 left to 1 right; limited to -1..1",
    0.0,
    (-1.0, 1.0),
    Unit::Linear,
);

const OUTPUTS: &[OutputSpec] = &[
    OutputSpec {
        name: "out",
        doc: "the unpanned mono mix, (left + right) / 2 times gain",
        unit: Unit::Signal,
    },
    OutputSpec {
        name: "left",
        doc: "the left channel, panned",
        unit: Unit::Signal,
    },
    OutputSpec {
        name: "right",
        doc: "the right channel (a mono file's only one), panned",
        unit: Unit::Signal,
    },
];

// Where both modules write (they share `OUTPUTS`).
const OUT: usize = output(&PLAY.spec, "out");
const LEFT: usize = output(&PLAY.spec, "left");
const RIGHT: usize = output(&PLAY.spec, "right");

/// `sample.play`: an audio file on each trigger.
pub const PLAY: Module = Module::kernel(
    ModuleSpec {
        name: "sample.play",
        doc: "plays an audio file from start to end on each rising trigger, at a rate, looped \
              or once, with 1 ms declick fades",
        inputs: PLAY_INPUTS,
        outputs: OUTPUTS,
        role: Role::Kernel,
    },
    play::build,
);

/// `sample.play`'s inputs.
const PLAY_INPUTS: &[InputSpec] = &[
    text(
        "file",
        "the audio file, relative to the patch's folder",
        &FILE,
    ),
    control(
        "trig",
        "a rise from at most 0 to above 0 starts the file, sample-accurately",
        0.0,
        (-1e3, 1e3),
        Unit::Signal,
    ),
    RATE,
    control(
        "pitch",
        "a note's frequency (a voice's pitch) scaling the rate by pitch / mtof(root); 0 ignores it",
        0.0,
        (0.0, 20_000.0),
        Unit::Hz,
    ),
    control(
        "root",
        "the MIDI note at which the file plays at its own pitch; limited to 0..127",
        60.0,
        (0.0, 127.0),
        Unit::Linear,
    ),
    control(
        "start",
        "where playing starts, in seconds into the file (read at each trigger)",
        0.0,
        (0.0, 3600.0),
        Unit::Seconds,
    ),
    control(
        "end",
        "where playing ends, in seconds into the file; 0 is the file's end (read at each trigger)",
        0.0,
        (0.0, 3600.0),
        Unit::Seconds,
    ),
    control(
        "loop",
        "above 0.5 loops between start and end (read at each trigger)",
        0.0,
        (0.0, 1.0),
        Unit::Linear,
    ),
    GAIN,
    PAN,
];

/// `seq.samples`: a pattern of the bank's words.
pub const SAMPLES: Module = Module::kernel(
    ModuleSpec {
        name: "seq.samples",
        doc: "plays a mini-notation pattern on the transport's beat, each word the sample bank's \
              file of that name, 8 at once",
        inputs: SAMPLES_INPUTS,
        outputs: OUTPUTS,
        role: Role::Kernel,
    },
    samples::build,
);

/// `seq.samples`' inputs.
const SAMPLES_INPUTS: &[InputSpec] = &[
    text(
        "pattern",
        "the pattern, in Strudel's mini-notation; its words name the bank's samples",
        &WORDS,
    ),
    setting(
        "cycle",
        "bars per cycle of the pattern",
        1.0,
        (1.0 / 16.0, 64.0),
        Unit::Linear,
    ),
    setting(
        "seed",
        "the seed of the pattern's random choices (`?`, `|`)",
        0.0,
        (0.0, u32::MAX as f64),
        Unit::Integer,
    ),
    RATE,
    GAIN,
    PAN,
];

/// Equal-power gains `(left, right)` of `pan` (-1..1).
fn pan_law(pan: f32) -> (f32, f32) {
    let theta = (super::limit(f64::from(pan), -1.0, 1.0) + 1.0) * std::f64::consts::FRAC_PI_4;
    (theta.cos() as f32, theta.sin() as f32)
}

/// The amplitude of `db` decibels.
fn amplitude(db: f32) -> f32 {
    10_f64.powf(super::limit(f64::from(db), GAIN_RANGE.0, GAIN_RANGE.1) / 20.0) as f32
}

/// Gain and pan as the per-sample factors `(out, left, right)`, recomputed only when an input
/// changes (a `powf` and a `sin_cos` per sample would cost more than the playing).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Levels {
    inputs: Option<(u32, u32)>,
    factors: (f32, f32, f32),
}

impl Levels {
    /// The factors for `gain` dB and `pan`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    fn get(&mut self, gain: f32, pan: f32) -> (f32, f32, f32) {
        let inputs = Some((gain.to_bits(), pan.to_bits()));
        if self.inputs != inputs {
            let amp = amplitude(gain);
            let (left, right) = pan_law(pan);
            self.inputs = inputs;
            self.factors = (amp, amp * left, amp * right);
        }
        self.factors
    }
}

/// Writes sample `i` of `outputs` (`out`, `left`, `right`) from a voice mix `(left, right)`.
#[inline]
fn write(outputs: &mut [&mut [f32]], i: usize, (left, right): (f32, f32), levels: (f32, f32, f32)) {
    outputs[OUT][i] = (left + right) * 0.5 * levels.0;
    outputs[LEFT][i] = left * levels.1;
    outputs[RIGHT][i] = right * levels.2;
}

/// The declick length in samples at `sample_rate`.
fn declick(sample_rate: f64) -> u32 {
    (DECLICK_S * sample_rate).round().max(1.0) as u32
}

#[cfg(test)]
#[path = "sampler_tests.rs"]
mod tests;
