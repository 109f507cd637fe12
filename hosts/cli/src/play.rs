//! `patchvm play`: a patch in real time, on a sound card or into a WAV file at real-time pace,
//! reloaded on every save with `--watch`.

use crate::failure::Failure;
use crate::limits::LimitArgs;
use crate::output_file::refuse_same_file;
use crate::output_limit::OutputLimitArgs;
use crate::session::{Controls, Notes, Session};
use patchvm::Controller;
use patchvm::engine::backend::Backend;
use patchvm::engine::stream::{Destination, NoteSender, Pacer, SenderSettings};
use patchvm::engine::{Engine, EngineError, EngineSettings, Snapshot};
use patchvm::midi::SmfRecorder;
use patchvm::midi::clock::{ClockLogFeed, ClockSender, ClockSink, LogSink};
use patchvm::midi::clock_log;
#[cfg(feature = "midi")]
use patchvm::midi::live::InputFeed;
use patchvm::midi::live::SongFeed;
use patchvm::osc::{self, OscHandle, OscNotes, OscServer};
use patchvm::vm::Quantize;
use patchvm::vm::TempoMap;
use patchvm::watch::{FileWatch, WatchSettings};
use patchvm::wav::{SinkSettings, WavSink};
use patchvm::ws::{WsNotes, WsServer};
use patchvm::{Prepared, Settings, sample_rate_problem};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to play, where, and how.
#[derive(Debug, clap::Args)]
pub struct PlayArgs {
    /// The patch file (.lisp, .sexp, .json or .msgpack).
    patch: PathBuf,
    /// Reload the patch on every save; a broken save keeps the last good version playing.
    #[arg(long)]
    watch: bool,
    /// Hold each good reload (and OSC edit) until the transport's next `beat`, `bar`, or
    /// group of N bars, and swap at exactly that sample [default: at the next block].
    #[arg(long, value_name = "beat|bar|N", value_parser = quantize)]
    quant: Option<Quantize>,
    /// Play into this WAV file (32-bit float) at real-time pace instead of on a sound card.
    /// Its header is rewritten every half second, and Ctrl-C, SIGTERM and SIGHUP finish it.
    #[arg(long, value_name = "OUT.wav")]
    to: Option<PathBuf>,
    /// Stop after this many seconds [default: at Ctrl-C].
    #[arg(long, allow_negative_numbers = true)]
    seconds: Option<f64>,
    /// The sound card to play on: a name `patchvm devices` lists, or a unique part of one
    /// [default: the default output].
    #[arg(long, value_name = "NAME")]
    device: Option<String>,
    /// Frames per buffer [default: 256 with --to, else the sound card's choice].
    #[arg(long, allow_negative_numbers = true, value_name = "FRAMES",
          value_parser = clap::value_parser!(u32).range(16..=MAX_BUFFER as i64))]
    buffer: Option<u32>,
    /// The sound card input for the patch's `input` nodes [default: the default input, if
    /// the patch has `input` nodes].
    #[arg(long, value_name = "DEVICE")]
    input: Option<String>,
    /// Samples per second [default: 48000 with --to, else the sound card's].
    #[arg(long, allow_negative_numbers = true, value_name = "HZ")]
    sample_rate: Option<u32>,
    /// Channels of the WAV file [default: 2 if the patch drives `left` or `right`, else 1].
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(u16).range(1..=2))]
    channels: Option<u16>,
    /// Seed for every random module; the same seed gives the same samples.
    #[arg(long, allow_negative_numbers = true, default_value_t = 0)]
    seed: u64,
    /// Take OSC control messages on this UDP port, or `ADDR:PORT` (`/patch/load`,
    /// `/param/set`, `/note/on`, ...; see the README). A bare port listens on 127.0.0.1 only.
    #[arg(long, value_name = "ADDR:PORT")]
    osc: Option<String>,
    /// Answer each good OSC command that has no answer of its own with `/ack ADDRESS`.
    #[arg(long, requires = "osc")]
    osc_ack: bool,
    /// Play this standard MIDI file into the patch from the start, each message at its exact
    /// sample: notes to its voices, control changes and pitch bend to its bindings.
    #[arg(long, value_name = "MID")]
    midi: Option<PathBuf>,
    /// Play what this MIDI input port sends (its index or part of its name; the `midi`
    /// feature).
    #[arg(long, value_name = "PORT")]
    midi_in: Option<String>,
    /// Send MIDI clock (24 ticks a beat, start, stop, continue, song position) to this MIDI
    /// output port (its index or part of its name; the `midi` feature), or, for a name
    /// ending in `.log`, write it to that file with each message's sample.
    #[arg(long, value_name = "PORT|FILE.log")]
    clock_out: Option<String>,
    /// Follow the MIDI clock this input port sends (its index or part of its name; the
    /// `midi` feature), or, for a name ending in `.log`, the clock that file holds: its
    /// tempo, and its start, stop and song position, without the beat ever jumping.
    #[arg(long, value_name = "PORT|FILE.log")]
    clock_in: Option<String>,
    /// Save the live state (the patch as edited, the transport, values set by events, notes
    /// held, the scene) to this JSON file every few seconds and at the end, atomically.
    #[arg(long, value_name = "PATH")]
    snapshot: Option<PathBuf>,
    /// When the session ends, write the patch as played (OSC edits included) to this file,
    /// in the format of its extension (.lisp, .sexp, .json, .msgpack).
    #[arg(long, value_name = "PATH")]
    save_on_exit: Option<PathBuf>,
    /// Start from a snapshot (`--snapshot`, `/engine/snapshot`): its patch, on its beat, with
    /// its values, notes and scene.
    #[arg(long, value_name = "PATH")]
    resume: Option<PathBuf>,
    /// How many voices the patch's voice template plays.
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = patchvm::compiler::DEFAULT_VOICES as u16,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    voices: u16,
    /// Send the patch's note streams (`midi.out`, `midi.cc`, `midi.bend` nodes) to this
    /// standard MIDI file (a name ending in `.mid`), written when the session ends (with
    /// `--to`, the same file `patchvm stream` writes for the same length and seed); or to the
    /// MIDI output port this names (its index or part of its name), or with no value to a
    /// virtual port named `patchvm` (ports need the `midi` feature).
    #[arg(long, value_name = "PORT|FILE.mid", num_args = 0..=1, default_missing_value = "")]
    midi_out: Option<PathBuf>,
    /// Send the patch's note streams as OSC to `HOST:PORT` (or a local PORT): `/note i f f`
    /// (note, velocity, beats) at each note's end, `/cc i i i`, `/bend i i`.
    #[arg(long, value_name = "HOST:PORT")]
    osc_out: Option<String>,
    /// Serve the patch's note streams to WebSocket subscribers at `ADDR:PORT` (or a local
    /// PORT): one JSON object per event (`on`, `off`, `cc`, `bend`) and the sender's metrics
    /// once a second (`metrics`), for a browser or phone preview.
    #[arg(long, value_name = "ADDR:PORT")]
    ws_out: Option<String>,
    /// Tap tempo: every line typed (Enter alone will do) is a tap; the tempo of the last
    /// taps applies from the next beat. On by default when stdin is a terminal.
    #[arg(long)]
    tap: bool,
    /// How long after its sample plays a note (or a `--clock-out` message) is sent, in
    /// milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10.0)]
    lookahead: f64,
    /// How long an edit fades, in milliseconds: a reload's crossfade and a changed value's
    /// glide (20: SuperCollider's fadeTime; 0 steps). OSC `/engine/fade` changes it live.
    #[arg(long, value_name = "MS", default_value_t = patchvm::engine::DEFAULT_FADE_MS,
          allow_negative_numbers = true, value_parser = crate::fade::fade_ms)]
    fade: f64,
    /// How long the effects an edit removes (a reverb, a delay) may ring out, in seconds,
    /// before they fade out over the fade time; most fall under −90 dBFS and stop sooner
    /// (0 cuts them after the fade). OSC `/engine/tail-max` changes it live.
    #[arg(long, value_name = "SECONDS", default_value_t = patchvm::engine::DEFAULT_TAIL_MAX_S,
          allow_negative_numbers = true, value_parser = crate::tail_max::tail_max_s)]
    tail_max: f64,
    /// Start from preset NAME (`NAME.preset.json` beside the patch, as OSC `/preset/save`
    /// writes it): its values from the first sample.
    #[arg(long, value_name = "NAME")]
    preset: Option<String>,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    output_limit: OutputLimitArgs,
    #[command(flatten)]
    record: crate::record::RecordArgs,
}

/// Reads `--quant`: `beat`, `bar`, or a number of bars (1 to 1024).
fn quantize(text: &str) -> Result<Quantize, String> {
    match text {
        "beat" => Ok(Quantize::Beat),
        "bar" => Ok(Quantize::Bars(1)),
        bars => match bars.parse::<u32>() {
            Ok(bars @ 1..=1024) => Ok(Quantize::Bars(bars)),
            _ => Err(format!(
                "expected `beat`, `bar` or a number of bars from 1 to 1024, not `{bars}`"
            )),
        },
    }
}

/// The largest `--buffer`.
const MAX_BUFFER: u32 = 16_384;

/// The buffer of a WAV sink when `--buffer` does not say: a common sound-card buffer.
const SINK_BUFFER: u32 = 256;

/// The longest `--seconds`: a day.
const MAX_SECONDS: f64 = 86_400.0;

/// Plays until `--seconds` have passed, Ctrl-C, or the backend ends.
pub fn run(args: &PlayArgs) -> Result<(), Failure> {
    check_usage(args)?;
    let resume = args
        .resume
        .as_deref()
        .map(|path| {
            Snapshot::read_file(path).map_err(|error| {
                Failure::File(format!("cannot resume from `{}`: {error}", path.display()))
            })
        })
        .transpose()?;
    let limits = args.limits.limits();
    // The patch's channels and inputs choose the backend's; the check also reports a broken
    // patch before any device is opened.
    let check = Settings {
        sample_rate: f64::from(args.sample_rate.unwrap_or(48_000)),
        seed: args.seed,
        voices: usize::from(args.voices),
    };
    if let Some(path) = &args.save_on_exit {
        crate::save_on_exit::check(path)?;
    }
    let (prepared, source) = match args.watch {
        true => crate::first_good_save::wait(&args.patch, &check, &limits)?,
        false => Prepared::read(&args.patch, &check, &limits)?,
    };
    let program = prepared.program();
    let streams = program.sinks.len();
    let tempo = program.tempo.clone();
    let destinations = note_destinations(args, streams, &tempo)?;
    let backend = open_backend(args, usize::from(program.channels), program.inputs > 0)?;
    let setup = backend.setup();
    let settings = EngineSettings {
        sample_rate: f64::from(setup.sample_rate),
        seed: args.seed,
        channels: setup.channels,
        voices: usize::from(args.voices),
        fade_ms: args.fade,
        tail_max_s: args.tail_max,
        ..EngineSettings::default()
    };
    let (mut controller, mut audio) = Engine::new(settings, limits.clone());
    controller.set_folder(patchvm::engine::folder_of(&args.patch));
    audio.limit(
        args.output_limit
            .limiter(args.to.is_some(), f64::from(setup.sample_rate)),
    );
    let notes = match destinations {
        Some(NoteOutputs { destinations, ws }) => {
            let settings = SenderSettings {
                sample_rate: f64::from(setup.sample_rate),
                lookahead: Duration::from_secs_f64(args.lookahead / 1e3),
                ..SenderSettings::default()
            };
            let (out, sender) = NoteSender::start(settings, controller.clock(), destinations)
                .map_err(|error| Failure::File(format!("cannot start the note sender: {error}")))?;
            audio.send_notes(out);
            controller.attach_note_sender(sender.probe());
            Some(Notes {
                sender,
                ws,
                published: None,
                tempo,
                sample_rate: f64::from(setup.sample_rate),
            })
        }
        None => None,
    };
    controller
        .load_patch(prepared.into_patch())
        .map_err(|error| match error {
            EngineError::Invalid(diagnostics) => {
                Failure::Patch(Box::new(source.clone()), diagnostics)
            }
            other => Failure::File(other.to_string()),
        })?;
    if let Some(snapshot) = &resume {
        controller
            .resume(snapshot)
            .map_err(|error| Failure::File(format!("cannot resume from the snapshot: {error}")))?;
    }
    args.record.start(&mut controller)?;
    if let Some(name) = &args.preset {
        crate::start_preset::load(&mut controller, name)?;
    }
    // The first program plays at once; every later swap waits for the grid.
    controller.quantize_swaps(args.quant);
    // Shared by the control-side threads; the audio thread never touches it.
    let controller = Arc::new(Mutex::new(controller));

    // Control sources: each a thread that changes the patch through the shared controller,
    // holding its lock for one change at a time.
    let mut controls = Controls::default();
    if args.watch {
        let settings = WatchSettings {
            limits,
            ..WatchSettings::default()
        };
        let watch = FileWatch::spawn(
            &args.patch,
            &source.bytes,
            Arc::clone(&controller),
            settings,
        )
        .map_err(|error| Failure::File(error.to_string()))?;
        controls.watch = Some(watch);
    }
    if let Some(listen) = &args.osc {
        controls.osc = Some(start_osc(listen, args.osc_ack, &controller)?);
    }
    if let Some(path) = &args.midi {
        let song = crate::song::load(path, f64::from(setup.sample_rate))?;
        // From engine time 0: the first notes are sent before the audio starts.
        let feed = SongFeed::spawn(song, 0, Arc::clone(&controller))
            .map_err(|error| Failure::File(format!("cannot start the MIDI file: {error}")))?;
        controls.song = Some(feed);
    }
    if let Some(port) = &args.midi_in {
        start_midi_in(port, &controller, &mut controls)?;
    }
    if args.tap || std::io::stdin().is_terminal() {
        crate::tap::start(Arc::clone(&controller))
            .map_err(|error| Failure::File(format!("cannot read taps: {error}")))?;
    }
    if let Some(destination) = &args.clock_out {
        let receiver = audio.send_clock(CLOCK_QUEUE);
        let clock = controller
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clock();
        let pacer = Pacer::new(
            clock,
            f64::from(setup.sample_rate),
            Duration::from_secs_f64(args.lookahead / 1e3),
        );
        let sender = ClockSender::spawn(receiver, clock_sink(destination)?, pacer)
            .map_err(|error| Failure::File(format!("cannot start the clock: {error}")))?;
        controls.clock_out = Some((sender, destination.clone()));
    }
    if let Some(source) = &args.clock_in {
        start_clock_in(source, &controller, &mut controls)?;
    }

    let frames = args
        .seconds
        .map(|seconds| (seconds * f64::from(setup.sample_rate)).round() as u64);
    controls.notes = notes;
    let session = Session::start(backend, audio, controller, controls, frames, &args.patch)?;
    session
        .snapshots(args.snapshot.clone())
        .saves_on_exit(args.save_on_exit.clone())
        .run()
}

/// Clock messages the audio half can queue before the sender takes them: seconds of ticks.
const CLOCK_QUEUE: usize = 4_096;

/// Where `--clock-out` sends: a clock log, or a MIDI port with the `midi` feature.
fn clock_sink(destination: &str) -> Result<Box<dyn ClockSink>, Failure> {
    if clock_log::is_log(destination) {
        let sink = LogSink::create(Path::new(destination))
            .map_err(|error| Failure::File(format!("cannot write `{destination}`: {error}")))?;
        return Ok(Box::new(sink));
    }
    clock_port(destination)
}

#[cfg(feature = "midi")]
fn clock_port(destination: &str) -> Result<Box<dyn ClockSink>, Failure> {
    let port = patchvm::midi::clock::PortSink::open(destination)
        .map_err(|error| Failure::File(error.to_string()))?;
    eprintln!("midi: sending clock to `{}`", port.name());
    Ok(Box::new(port))
}

#[cfg(not(feature = "midi"))]
fn clock_port(destination: &str) -> Result<Box<dyn ClockSink>, Failure> {
    Err(Failure::Usage(format!(
        "--clock-out `{destination}` names a MIDI port, but this patchvm was built without MIDI ports; build it with `--features midi`, or give a file ending in `.log`"
    )))
}

/// Follows `--clock-in`: a clock log, or a MIDI port with the `midi` feature.
fn start_clock_in(
    source: &str,
    controller: &Arc<Mutex<Controller>>,
    controls: &mut Controls,
) -> Result<(), Failure> {
    if clock_log::is_log(source) {
        let feed = ClockLogFeed::spawn(Path::new(source), Arc::clone(controller))
            .map_err(|error| Failure::File(error.to_string()))?;
        controls.clock_in = Some(crate::session::ClockIn::Log(feed));
        return Ok(());
    }
    start_clock_port(source, controller, controls)
}

#[cfg(feature = "midi")]
fn start_clock_port(
    source: &str,
    controller: &Arc<Mutex<Controller>>,
    controls: &mut Controls,
) -> Result<(), Failure> {
    let feed = patchvm::midi::clock::ClockPortFeed::open(source, Arc::clone(controller))
        .map_err(|error| Failure::File(error.to_string()))?;
    eprintln!("midi: following the clock of `{}`", feed.name());
    controls.clock_in = Some(crate::session::ClockIn::Port(feed));
    Ok(())
}

#[cfg(not(feature = "midi"))]
fn start_clock_port(
    source: &str,
    _: &Arc<Mutex<Controller>>,
    _: &mut Controls,
) -> Result<(), Failure> {
    Err(Failure::Usage(format!(
        "--clock-in `{source}` names a MIDI port, but this patchvm was built without MIDI ports; build it with `--features midi`, or give a file ending in `.log`"
    )))
}

/// Where the session's note streams go: the sender's destinations, and the WebSocket server
/// (also among them) on which the session publishes the sender's metrics.
struct NoteOutputs {
    destinations: Vec<Box<dyn Destination>>,
    ws: Option<Arc<WsServer>>,
}

/// The destinations `--midi-out`, `--osc-out` and `--ws-out` name, opened now so a path that
/// cannot be written or an address that cannot be reached fails before anything plays; `None`
/// when none is given.
fn note_destinations(
    args: &PlayArgs,
    streams: usize,
    tempo: &TempoMap,
) -> Result<Option<NoteOutputs>, Failure> {
    if args.midi_out.is_none() && args.osc_out.is_none() && args.ws_out.is_none() {
        return Ok(None);
    }
    if streams == 0 {
        return Err(Failure::Usage(format!(
            "--midi-out, --osc-out and --ws-out send note streams, but `{}` has none: connect \
             one to a `midi.out` node, e.g. `(-> seq \"notes\" mo \"notes\")` with `(mo midi.out)`",
            args.patch.display()
        )));
    }
    let mut destinations: Vec<Box<dyn Destination>> = Vec::new();
    if let Some(path) = &args.midi_out {
        let is_file = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("mid") || e.eq_ignore_ascii_case("midi"));
        if is_file {
            let recorder = SmfRecorder::create(path, streams, tempo.clone()).map_err(|error| {
                Failure::File(format!("cannot write `{}`: {error}", path.display()))
            })?;
            destinations.push(Box::new(recorder));
        } else {
            destinations.push(port_out(&path.to_string_lossy())?);
        }
    }
    if let Some(to) = &args.osc_out {
        let address =
            osc::address(to).map_err(|error| Failure::Usage(format!("--osc-out {error}")))?;
        let notes = OscNotes::connect(address)
            .map_err(|error| Failure::File(format!("cannot send OSC to {address}: {error}")))?;
        destinations.push(Box::new(notes));
    }
    let ws = match &args.ws_out {
        Some(listen) => {
            let address = osc::address(listen)
                .map_err(|error| Failure::Usage(format!("--ws-out {error}")))?;
            let server = WsServer::bind(address).map_err(|error| {
                Failure::File(format!(
                    "cannot listen for WebSocket subscribers on {address}: {error}"
                ))
            })?;
            eprintln!("ws: serving note streams on ws://{}", server.local_addr());
            let server = Arc::new(server);
            destinations.push(Box::new(WsNotes::new(Arc::clone(&server))));
            Some(server)
        }
        None => None,
    };
    Ok(Some(NoteOutputs { destinations, ws }))
}

/// Binds the OSC server and starts its thread; says where it listens, so a client (or a
/// test that asked for port 0) knows where to send.
fn start_osc(
    listen: &str,
    ack: bool,
    controller: &Arc<Mutex<Controller>>,
) -> Result<OscHandle, Failure> {
    let address = osc::address(listen).map_err(|error| Failure::Usage(format!("--osc {error}")))?;
    let server = OscServer::bind(address)
        .map_err(|error| Failure::File(format!("cannot listen for OSC on {address}: {error}")))?;
    let handle = server
        .acknowledging(ack)
        .spawn(Arc::clone(controller))
        .map_err(|error| Failure::File(format!("cannot start the OSC server: {error}")))?;
    eprintln!("osc: listening on {}", handle.local_addr());
    Ok(handle)
}

#[cfg(feature = "midi")]
fn start_midi_in(
    port: &str,
    controller: &Arc<Mutex<Controller>>,
    controls: &mut Controls,
) -> Result<(), Failure> {
    let feed = InputFeed::open(port, Arc::clone(controller))
        .map_err(|error| Failure::File(error.to_string()))?;
    eprintln!("midi: playing what `{}` sends", feed.name());
    controls.midi_in = Some(feed);
    Ok(())
}

#[cfg(not(feature = "midi"))]
fn start_midi_in(_: &str, _: &Arc<Mutex<Controller>>, _: &mut Controls) -> Result<(), Failure> {
    Err(Failure::Usage(
        "this patchvm was built without MIDI input; build it with `cargo build --release -p patchvm-cli --features midi`".into(),
    ))
}

/// The MIDI output port `wanted` names, or the virtual port when it is empty.
#[cfg(feature = "midi")]
fn port_out(wanted: &str) -> Result<Box<dyn Destination>, Failure> {
    let wanted = (!wanted.is_empty()).then_some(wanted);
    let port = patchvm::midi::output::MidiPortOut::open(wanted)
        .map_err(|error| Failure::File(error.to_string()))?;
    eprintln!("midi out: sending to `{}`", port.name());
    Ok(Box::new(port))
}

#[cfg(not(feature = "midi"))]
fn port_out(wanted: &str) -> Result<Box<dyn Destination>, Failure> {
    Err(Failure::Usage(format!(
        "--midi-out `{wanted}` names a MIDI port, but this patchvm was built without MIDI \
         ports; give a file name ending in `.mid`, or build with `cargo build --release -p \
         patchvm-cli --features midi`"
    )))
}

/// Refuses flags that cannot go together, before anything is read or opened.
fn check_usage(args: &PlayArgs) -> Result<(), Failure> {
    if !(0.0..=1_000.0).contains(&args.lookahead) {
        return Err(Failure::Usage(format!(
            "--lookahead {} is outside 0..=1000 ms",
            args.lookahead
        )));
    }
    if let Some(seconds) = args.seconds
        && !(0.0..=MAX_SECONDS).contains(&seconds)
    {
        return Err(Failure::Usage(format!(
            "--seconds {seconds} is outside 0..={MAX_SECONDS}"
        )));
    }
    if let Some(problem) = args
        .sample_rate
        .and_then(|rate| sample_rate_problem(f64::from(rate)))
    {
        return Err(Failure::Usage(format!("--sample-rate: {problem}")));
    }
    if let Some(to) = &args.to {
        let mut inputs = vec![("the patch", args.patch.as_path())];
        inputs.extend(args.midi.as_deref().map(|path| ("the --midi file", path)));
        refuse_same_file(to, "--to", &inputs)?;
        for (flag, given) in [("--device", &args.device), ("--input", &args.input)] {
            if given.is_some() {
                return Err(Failure::Usage(format!(
                    "{flag} chooses a sound card, but --to plays into a file"
                )));
            }
        }
    } else if args.channels.is_some() {
        return Err(Failure::Usage(
            "--channels sets the WAV file's channels (with --to); a sound card plays on all of its own".into(),
        ));
    }
    Ok(())
}

/// The WAV sink with `--to`, else the sound card.
fn open_backend(
    args: &PlayArgs,
    patch_channels: usize,
    reads_input: bool,
) -> Result<Box<dyn Backend>, Failure> {
    if let Some(path) = &args.to {
        let settings = SinkSettings {
            sample_rate: args.sample_rate.unwrap_or(48_000),
            channels: args.channels.map_or(patch_channels, usize::from),
            buffer_frames: args.buffer.unwrap_or(SINK_BUFFER),
            frames: args
                .seconds
                .map(|s| (s * f64::from(args.sample_rate.unwrap_or(48_000))).round() as u64),
        };
        let sink =
            WavSink::create(path, settings).map_err(|error| Failure::File(error.to_string()))?;
        return Ok(Box::new(sink));
    }
    sound_card(args, reads_input)
}

#[cfg(feature = "cpal")]
fn sound_card(args: &PlayArgs, reads_input: bool) -> Result<Box<dyn Backend>, Failure> {
    use patchvm::engine::backend::BackendError;
    use patchvm::soundcard::{SoundCard, SoundCardSettings};
    let settings = SoundCardSettings {
        output: args.device.clone(),
        input: args.input.clone(),
        use_input: reads_input,
        buffer_frames: args.buffer,
        sample_rate: args.sample_rate,
    };
    match SoundCard::open(&settings) {
        Ok(card) => Ok(Box::new(card)),
        Err(BackendError::NoDevice(message)) => Err(Failure::File(format!(
            "{message}\n  no sound card to play on: `patchvm devices` lists what there is; \
             `--to OUT.wav` plays into a file at real-time pace instead"
        ))),
        Err(error) => Err(Failure::File(error.to_string())),
    }
}

#[cfg(not(feature = "cpal"))]
fn sound_card(_: &PlayArgs, _: bool) -> Result<Box<dyn Backend>, Failure> {
    Err(Failure::Usage(crate::devices::NO_SOUND_CARDS.into()))
}
