//! `patchvm stream`: a patch's note streams to a standard MIDI file, offline, as fast as the
//! CPU allows (no audio is written; the program runs for its sinks' signals).

use crate::failure::Failure;
use crate::limits::LimitArgs;
use patchvm::engine::source::load;
use patchvm::engine::stream::offline;
use patchvm::ir::{Code, Diagnostic, Span};
use patchvm::midi::smf_out;
use patchvm::{Prepared, Settings, sample_rate_problem};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// What to stream and for how long.
#[derive(Debug, clap::Args)]
pub struct StreamArgs {
    /// The patch file (.lisp, .sexp, .json or .msgpack), with `midi.out` (or `midi.cc`,
    /// `midi.bend`) nodes marking the streams that leave.
    patch: PathBuf,
    /// The standard MIDI file to write (format 1, 960 ticks per quarter note, one track per
    /// stream after the tempo track).
    #[arg(short, long)]
    output: PathBuf,
    /// Length, in bars of the patch's meter [default: 4].
    #[arg(long, conflicts_with = "seconds")]
    bars: Option<f64>,
    /// Length, in seconds.
    #[arg(long)]
    seconds: Option<f64>,
    /// Seed for every random module; the same seed gives the same notes.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Samples per second the patch runs at (notes fall on the first sample reaching their
    /// beat, so this sets their timing grain, not their ticks).
    #[arg(long, value_name = "HZ", default_value_t = 48_000)]
    sample_rate: u32,
    #[command(flatten)]
    limits: LimitArgs,
}

/// The longest stream accepted: a day.
const MAX_SECONDS: f64 = 86_400.0;

/// Streams the patch into the file and prints a summary on stderr.
pub fn run(args: &StreamArgs) -> Result<(), Failure> {
    if let Some(problem) = sample_rate_problem(f64::from(args.sample_rate)) {
        return Err(Failure::Usage(format!("--sample-rate: {problem}")));
    }
    if let Some(seconds) = args.seconds
        && !(0.0..=MAX_SECONDS).contains(&seconds)
    {
        return Err(Failure::Usage(format!(
            "--seconds {seconds} is outside 0..={MAX_SECONDS}"
        )));
    }
    if let Some(bars) = args.bars
        && !(bars.is_finite() && bars >= 0.0)
    {
        return Err(Failure::Usage(format!(
            "--bars {bars} is not a number of bars; give 0 or more"
        )));
    }
    // Before any work: a path that cannot be written fails at once.
    let mut file = std::fs::File::create(&args.output).map_err(|error| {
        Failure::File(format!("cannot write `{}`: {error}", args.output.display()))
    })?;
    let limits = args.limits.limits();
    let (patch, source) = load(&args.patch, &limits)?;
    let settings = Settings {
        sample_rate: f64::from(args.sample_rate),
        seed: args.seed,
        ..Settings::default()
    };
    let span = match (patch.nodes.first(), patch.nodes.last()) {
        (Some(first), Some(last)) => first.span.to(last.span),
        _ => Span::NONE,
    };
    let folder = patchvm::engine::folder_of(&args.patch);
    let prepared = Prepared::in_folder(patch, &settings, &limits, &folder)
        .map_err(|diagnostics| Failure::Patch(Box::new(source.clone()), diagnostics))?;
    let mut instance = prepared
        .instantiate()
        .map_err(|diagnostics| Failure::Patch(Box::new(source.clone()), diagnostics))?;
    let streams = instance.program().sinks.len();
    if streams == 0 {
        return Err(Failure::Patch(Box::new(source), vec![no_stream(span)]));
    }
    let tempo = instance.program().tempo.clone();
    let sample_rate = f64::from(args.sample_rate);
    let frames = match args.seconds {
        Some(seconds) => (seconds * sample_rate).round(),
        None => {
            let bars = args.bars.unwrap_or(4.0);
            let end = tempo
                .sample_at(bars * tempo.beats_per_bar(), sample_rate)
                .ceil();
            if end > MAX_SECONDS * sample_rate {
                return Err(Failure::Usage(format!(
                    "--bars {bars} lasts over {MAX_SECONDS} s"
                )));
            }
            end
        }
    } as u64;
    let started = Instant::now();
    let events = offline(&mut instance, frames);
    let end_beat = tempo.beat_at_sample(frames as f64, sample_rate);
    let bytes = smf_out::write(&events, streams, &tempo, end_beat);
    file.write_all(&bytes).map_err(|error| {
        Failure::File(format!("cannot write `{}`: {error}", args.output.display()))
    })?;
    eprintln!(
        "streamed {:.3} s ({} events, {} stream{}) to `{}` in {:.3} s",
        frames as f64 / sample_rate,
        events.len(),
        streams,
        if streams == 1 { "" } else { "s" },
        args.output.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// E0119: the patch sends no note stream.
fn no_stream(span: Span) -> Diagnostic {
    Diagnostic::new(Code::NoStream, span, "the patch has no note stream to send")
        .with_label("no `midi.out`, `midi.cc` or `midi.bend` node here")
        .with_hint(
            "connect a note stream to a sink, e.g. `(seq seq.pattern \"c4 e4\") \
             (-> seq \"notes\" (midi.out) \"notes\")`, or `(-> seq \"notes\" mo \"notes\")` \
             with `(mo midi.out (channel 1))`",
        )
}
