//! `patchvm render`: a patch to a WAV file.

use crate::failure::Failure;
use crate::limits::LimitArgs;
use crate::output_file::{Replacement, cannot_write, refuse_same_file};
use crate::output_limit::OutputLimitArgs;
use crate::render_limit::Limited;
use crate::song;
use crate::stats;
use indicatif::{ProgressBar, ProgressStyle};
use patchvm::engine::Frames;
use patchvm::engine::source::load;
use patchvm::midi::{MidiSong, Playback};
use patchvm::wav::render::{RenderError, RenderOptions, SampleFormat, WavInput, render_to_wav};
use patchvm::{Prepared, Settings, sample_rate_problem};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

/// What to render and how.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// The patch file (.lisp, .sexp, .json or .msgpack).
    patch: PathBuf,
    /// The WAV file to write; it replaces any file of that name once the render is complete.
    #[arg(short, long)]
    output: PathBuf,
    /// Length of the render, in seconds [default: the MIDI file's length plus 2 s with
    /// --midi, the input file's length with --input, else 10].
    #[arg(long, allow_negative_numbers = true)]
    seconds: Option<f64>,
    /// A standard MIDI file (format 0 or 1) to play into the patch: notes to its voices,
    /// control changes and pitch bend to its bindings.
    #[arg(long, value_name = "MID")]
    midi: Option<PathBuf>,
    /// How many voices the patch's voice template plays.
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = patchvm::compiler::DEFAULT_VOICES as u16,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    voices: u16,
    /// A WAV file to feed the patch's `input` nodes (channel N of the file to `(channel N)`).
    #[arg(long, value_name = "WAV")]
    input: Option<PathBuf>,
    /// Samples per second.
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "HZ",
        default_value_t = 48_000
    )]
    sample_rate: u32,
    /// Seed for every random module; the same seed gives the same samples.
    #[arg(long, allow_negative_numbers = true, default_value_t = 0)]
    seed: u64,
    /// Channels in the file [default: 2 if the patch drives `left` or `right`, else 1].
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u16).range(1..=2))]
    channels: Option<u16>,
    /// Bits per sample: 16 or 24 (integer) or 32 (float).
    #[arg(long, allow_negative_numbers = true, default_value_t = 32)]
    bits: u16,
    /// Print what the patch costs on stderr: the real-time factor, the DSP load per block
    /// (mean, median, 99th percentile, maximum), the program's size and the compile time.
    #[arg(long)]
    stats: bool,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    output_limit: OutputLimitArgs,
}

/// The longest render accepted: a day of audio.
const MAX_SECONDS: f64 = 86_400.0;
/// What a render of a MIDI file adds after its end, for the last notes' release.
const RELEASE_TAIL_SECONDS: f64 = 2.0;

/// Opens the WAV file feeding the patch, refusing a sample rate no render can match.
fn open_input(path: &std::path::Path) -> Result<WavInput, Failure> {
    let input = WavInput::open(path)
        .map_err(|error| Failure::File(format!("cannot read `{}`: {error}", path.display())))?;
    if let Some(problem) = sample_rate_problem(f64::from(input.sample_rate())) {
        return Err(Failure::File(format!(
            "cannot play `{}`: its {problem}",
            path.display()
        )));
    }
    Ok(input)
}

/// A length the render takes from `what` (its MIDI file or its input) when `--seconds` does
/// not say, refused if longer than [`MAX_SECONDS`].
fn within_a_day(seconds: f64, what: &str) -> Result<f64, Failure> {
    if seconds > MAX_SECONDS {
        return Err(Failure::Usage(format!(
            "{what} lasts {seconds:.0} s, over {MAX_SECONDS} s; pass `--seconds`"
        )));
    }
    Ok(seconds)
}

/// Renders the patch and prints a summary on stderr.
pub fn run(args: &RenderArgs) -> Result<(), Failure> {
    let format = SampleFormat::from_bits(args.bits)
        .ok_or_else(|| Failure::Usage(format!("--bits {} is not 16, 24 or 32", args.bits)))?;
    let mut inputs = vec![("the patch", args.patch.as_path())];
    inputs.extend(args.input.as_deref().map(|path| ("the --input file", path)));
    inputs.extend(args.midi.as_deref().map(|path| ("the --midi file", path)));
    refuse_same_file(&args.output, "--output", &inputs)?;
    let mut input = match &args.input {
        Some(path) => Some(open_input(path)?),
        None => None,
    };
    if let Some(input) = &input
        && input.sample_rate() != args.sample_rate
    {
        return Err(Failure::Usage(format!(
            "the input is {} Hz but the render is {} Hz; pass `--sample-rate {}`",
            input.sample_rate(),
            args.sample_rate,
            input.sample_rate()
        )));
    }
    if let Some(problem) = sample_rate_problem(f64::from(args.sample_rate)) {
        return Err(Failure::Usage(format!("--sample-rate: {problem}")));
    }
    if let (Some(path), Some(input)) = (&args.input, &input)
        && input.header_frames() > input.frames()
    {
        eprintln!(
            "warning: `{}` was cut short: it holds {} of the {} frames its header promises; \
             the render plays what it holds",
            path.display(),
            input.frames(),
            input.header_frames()
        );
    }
    if let Some(seconds) = args.seconds
        && !(0.0..=MAX_SECONDS).contains(&seconds)
    {
        return Err(Failure::Usage(format!(
            "--seconds {seconds} is outside 0..={MAX_SECONDS}"
        )));
    }
    let song = match &args.midi {
        Some(path) => Some(song::load(path, f64::from(args.sample_rate))?),
        None => None,
    };
    let rate = f64::from(args.sample_rate);
    let seconds = match (args.seconds, &song, &input) {
        (Some(seconds), _, _) => seconds,
        (None, Some(song), _) => within_a_day(
            song.length as f64 / rate + RELEASE_TAIL_SECONDS,
            "the MIDI file",
        )?,
        (None, None, Some(input)) => within_a_day(input.frames() as f64 / rate, "the input")?,
        (None, None, None) => 10.0,
    };
    let limits = args.limits.limits();
    let reading = Instant::now();
    let (patch, source) = load(&args.patch, &limits)?;
    let read = reading.elapsed();
    let settings = Settings {
        sample_rate: f64::from(args.sample_rate),
        seed: args.seed,
        voices: usize::from(args.voices),
    };
    let compiling = Instant::now();
    let folder = patchvm::engine::folder_of(&args.patch);
    let (mut frames, nodes) = source_of(patch, &settings, &limits, song, &folder)
        .map_err(|diagnostics| Failure::Patch(Box::new(source), diagnostics))?;
    let compile = compiling.elapsed();
    if let Some(limiter) = args.output_limit.limiter(true, rate) {
        frames = Box::new(Limited::new(frames, limiter));
    }
    if args.stats {
        frames.time_blocks();
    }
    let options = RenderOptions {
        frames: (seconds * f64::from(args.sample_rate)).round() as u64,
        sample_rate: args.sample_rate,
        channels: args.channels,
        format,
    };

    let output = Replacement::new(&args.output)?;
    output.remove_on_signal()?;
    let bar = progress_bar(options.frames);
    let started = Instant::now();
    let summary = render_to_wav(
        frames.as_mut(),
        output.path(),
        &options,
        input.as_mut(),
        &mut |done, _| {
            if let Some(bar) = &bar {
                bar.set_position(done);
            }
        },
    )
    .map_err(|error| match error {
        RenderError::TooLarge { .. } => Failure::Usage(error.to_string()),
        RenderError::Output(error) => cannot_write(&args.output, &error),
        RenderError::Input(error) => match &args.input {
            Some(path) => Failure::File(format!("cannot read `{}`: {error}", path.display())),
            None => Failure::File(format!("cannot read the input: {error}")),
        },
    })?;
    output.commit()?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let wall = started.elapsed();
    let elapsed = wall.as_secs_f64();
    let audio_seconds = summary.frames as f64 / f64::from(args.sample_rate);
    eprintln!(
        "rendered {audio_seconds:.3} s ({} frames, {} channel{}, {}) to `{}` in {elapsed:.3} s ({:.0}x real time); peak {:.1} dBFS{}",
        summary.frames,
        summary.channels,
        if summary.channels == 1 { "" } else { "s" },
        match format {
            SampleFormat::Int16 => "16-bit",
            SampleFormat::Int24 => "24-bit",
            SampleFormat::Float32 => "32-bit float",
        },
        args.output.display(),
        audio_seconds / elapsed.max(1e-9),
        20.0 * f64::from(summary.peak).max(1e-10).log10(),
        match summary.flushed {
            0 => String::new(),
            n => format!("; {n} NaN or infinite samples replaced by silence"),
        }
    );
    if args.stats {
        match (frames.block_loads(), frames.program(), nodes) {
            (Some(loads), Some(program), Some(nodes)) => stats::print(&stats::RenderStats {
                audio_seconds,
                wall,
                loads,
                nodes,
                program,
                read,
                compile,
            }),
            _ => eprintln!("stats: not measured when a MIDI file plays the patch"),
        }
    }
    Ok(())
}

/// What the render reads frames from: the patch alone, with the number of nodes it was
/// compiled from (for `--stats`), or the patch playing `song`; its audio files relative to
/// `folder`, the patch file's.
fn source_of(
    patch: patchvm::ir::Patch,
    settings: &Settings,
    limits: &patchvm::ir::Limits,
    song: Option<MidiSong>,
    folder: &std::path::Path,
) -> Result<(Box<dyn Frames>, Option<usize>), patchvm::ir::Diagnostics> {
    match song {
        None => {
            let prepared = Prepared::in_folder(patch, settings, limits, folder)?;
            let nodes = prepared.compiled().nodes;
            Ok((Box::new(prepared.instantiate()?), Some(nodes)))
        }
        Some(song) => match Playback::in_folder(patch, settings, limits, song, folder) {
            Ok(playback) => Ok((Box::new(playback), None)),
            Err(patchvm::engine::EngineError::Invalid(diagnostics)) => Err(diagnostics),
            Err(error) => Err(vec![patchvm::ir::Diagnostic::new(
                patchvm::ir::Code::Internal,
                patchvm::ir::Span::NONE,
                error.to_string(),
            )]),
        },
    }
}

/// A progress bar on stderr when it is a terminal.
fn progress_bar(frames: u64) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(frames);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {percent:>3}% {elapsed_precise} eta {eta}")
            .expect("the template is valid"),
    );
    Some(bar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_length_taken_from_a_file_is_blamed_on_the_file() {
        let Err(Failure::Usage(message)) = within_a_day(90_000.4, "the input") else {
            panic!("more than a day is refused");
        };
        assert_eq!(
            message,
            "the input lasts 90000 s, over 86400 s; pass `--seconds`"
        );
        assert_eq!(within_a_day(86_400.0, "the input").ok(), Some(86_400.0));
    }
}
