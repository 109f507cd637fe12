//! A `patchvm play` session: the backend's audio thread plays; this thread, the control
//! loop, frees what the audio half sends back, shows what the control sources did, keeps the
//! status line, and ends the session on Ctrl-C (or SIGTERM, SIGHUP), after `--seconds`, or when
//! the backend ends.

use crate::failure::{Failure, print_diagnostics, problems};
use crate::status::{StatusLine, mean_load};
use patchvm::Controller;
use patchvm::engine::backend::{Backend, Stream, StreamStatus};
use patchvm::engine::stream::NoteSender;
use patchvm::engine::{AudioHalf, MetricsSnapshot};
#[cfg(feature = "midi")]
use patchvm::midi::clock::ClockPortFeed;
use patchvm::midi::clock::{ClockLogFeed, ClockSender};
#[cfg(feature = "midi")]
use patchvm::midi::live::InputFeed;
use patchvm::midi::live::SongFeed;
use patchvm::osc::OscHandle;
use patchvm::vm::TempoMap;
use patchvm::watch::{FileWatch, WatchEvent};
use patchvm::ws::{WsServer, metrics_json};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How often the control loop runs: frees retired programs, prints events, checks for the
/// end. Short enough that messages and Ctrl-C feel immediate; it never affects the sound.
const TICK: Duration = Duration::from_millis(20);

/// How often `--snapshot` saves the live state.
const SNAPSHOT_EVERY: Duration = Duration::from_secs(2);

/// How often `--ws-out` subscribers are sent the note sender's metrics.
const METRICS_EVERY: Duration = Duration::from_secs(1);

/// The threads that change the patch while it plays. Each shares the controller and holds
/// its lock for one change at a time; the audio thread never touches it.
#[derive(Debug, Default)]
pub struct Controls {
    /// `--watch`: reloads the patch file on every save.
    pub watch: Option<FileWatch>,
    /// `--osc`: edits, parameters and notes from OSC clients.
    pub osc: Option<OscHandle>,
    /// `--midi FILE`: a song fed ahead of the audio at its exact samples.
    pub song: Option<SongFeed>,
    /// `--midi-in PORT`: what a MIDI port sends.
    #[cfg(feature = "midi")]
    pub midi_in: Option<InputFeed>,
    /// `--clock-out`: the sender of the engine's MIDI clock, and where it sends.
    pub clock_out: Option<(ClockSender, String)>,
    /// `--clock-in`: the external clock the transport follows.
    pub clock_in: Option<ClockIn>,
    /// `--midi-out`, `--osc-out`: where the patch's note streams go.
    pub notes: Option<Notes>,
}

/// Where `--clock-in` comes from.
#[derive(Debug)]
pub enum ClockIn {
    /// A clock log, replayed at its samples.
    Log(ClockLogFeed),
    /// A MIDI input port.
    #[cfg(feature = "midi")]
    Port(ClockPortFeed),
}

/// The note sender of a session, with what it needs to say where the stream ended.
#[derive(Debug)]
pub struct Notes {
    /// The sender thread.
    pub sender: NoteSender,
    /// The patch's tempo map, for the beat the session ends at.
    pub tempo: TempoMap,
    /// The engine's samples per second.
    pub sample_rate: f64,
    /// `--ws-out`: the WebSocket server the sender's metrics are published on too.
    pub ws: Option<Arc<WsServer>>,
    /// When the metrics were last published there.
    pub published: Option<Instant>,
}

impl Notes {
    /// Publishes the sender's metrics to WebSocket subscribers, once a second.
    fn publish_metrics(&mut self) {
        let Some(ws) = &self.ws else {
            return;
        };
        if self
            .published
            .is_some_and(|at| at.elapsed() < METRICS_EVERY)
        {
            return;
        }
        ws.publish(&metrics_json(&self.sender.metrics()));
        self.published = Some(Instant::now());
    }

    /// Stops the sender after the audio stopped at engine time `frames`: it closes what is
    /// held and writes files. Prints what it did.
    fn finish(self, frames: u64) {
        let metrics = self.sender.metrics();
        let last_error = self.sender.last_error();
        let end = self.tempo.beat_at_sample(frames as f64, self.sample_rate);
        let errors = self.sender.finish(Some(end));
        let ms = |us: u64| us as f64 / 1e3;
        eprintln!(
            "notes out: {} sent, {} dropped, {} late, {} closed; jitter p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; queue high-water {}",
            metrics.sent,
            metrics.dropped,
            metrics.late,
            metrics.closed,
            ms(metrics.jitter_p50_us),
            ms(metrics.jitter_p99_us),
            ms(metrics.jitter_max_us),
            metrics.high_water
        );
        if let Some(error) = last_error {
            eprintln!("notes out: {} errors, the last: {error}", metrics.errors);
        }
        for error in errors {
            eprintln!("error: notes out: {error}");
        }
    }
}

impl Controls {
    /// Prints what the control sources did since the last call.
    fn report(&self, status: &mut StatusLine) {
        let Some(watch) = &self.watch else {
            return;
        };
        while let Some(event) = watch.try_next() {
            status.clear();
            print_watch_event(event);
        }
    }

    /// Stops every control source, waiting for a change under way to finish.
    fn stop(self) {
        if let Some(watch) = self.watch {
            watch.stop();
        }
        if let Some(song) = self.song {
            let stats = song.stats();
            song.stop();
            eprintln!(
                "midi file: {} messages played, {} late, {} refused",
                stats.sent, stats.late, stats.refused
            );
        }
        #[cfg(feature = "midi")]
        if let Some(input) = self.midi_in {
            let stats = input.stats();
            input.stop();
            eprintln!(
                "midi in: {} messages played, {} refused",
                stats.sent, stats.refused
            );
        }
        match self.clock_in {
            Some(ClockIn::Log(feed)) => {
                eprintln!("clock in: {} messages followed", feed.fed());
                feed.stop();
            }
            #[cfg(feature = "midi")]
            Some(ClockIn::Port(feed)) => feed.stop(),
            None => {}
        }
        if let Some((sender, destination)) = self.clock_out {
            match sender.stop() {
                Ok(sent) => eprintln!("clock out: {sent} messages sent to `{destination}`"),
                Err(error) => eprintln!("error: sending clock to `{destination}`: {error}"),
            }
        }
        if let Some(osc) = self.osc {
            let stats = osc.stats();
            osc.stop();
            eprintln!(
                "osc: {} datagrams, {} messages applied, {} refused, {} malformed datagrams, {} to unknown addresses",
                stats.datagrams,
                stats.applied,
                stats.wrong_arguments + stats.failed,
                stats.malformed,
                stats.unknown_address
            );
        }
    }
}

fn print_watch_event(event: WatchEvent) {
    match event {
        WatchEvent::Reloaded {
            report,
            saved,
            load,
        } => eprintln!(
            "reloaded ({:.1} ms after the save, {:.1} ms to compile): {}",
            saved.elapsed().as_secs_f64() * 1e3,
            load.as_secs_f64() * 1e3,
            crate::reload_report::short(&report)
        ),
        WatchEvent::Warned { source, warnings } => {
            crate::reload_report::print_warnings(&source, &warnings);
        }
        WatchEvent::Invalid {
            source,
            diagnostics,
        } => {
            print_diagnostics(&source, &diagnostics);
            eprintln!(
                "error: {}; the last good version keeps playing",
                problems(&source, &diagnostics)
            );
        }
        WatchEvent::Unreadable(error) => {
            eprintln!("error: {error}; the last good version keeps playing");
        }
        WatchEvent::Refused(error) => eprintln!("error: the engine refused the patch: {error}"),
        WatchEvent::WatchFailed(error) => eprintln!("error: watching the file: {error}"),
    }
}

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// `--seconds` have been played.
    Done,
    /// Ctrl-C, SIGTERM or SIGHUP.
    Interrupted,
    /// The backend stopped by itself: a failure, or a WAV file holding all it can.
    BackendEnded,
}

/// A playing session.
pub struct Session {
    stream: Box<dyn Stream>,
    controller: Arc<Mutex<Controller>>,
    controls: Controls,
    /// Frames after which the session ends (`--seconds`).
    frames: Option<u64>,
    sample_rate: u32,
    interrupted: Arc<AtomicBool>,
    started: Instant,
    status: StatusLine,
    patch: PathBuf,
    /// Whether the device's latency has been printed yet.
    latency_told: bool,
    /// `--snapshot`: where the live state is saved, and when it was last.
    snapshot: Option<(PathBuf, Instant)>,
    /// `--save-on-exit`: where the patch as played is written when the session ends.
    save_on_exit: Option<PathBuf>,
}

impl Session {
    /// Installs the handler of Ctrl-C, SIGTERM and SIGHUP (each ends the session as Ctrl-C
    /// does, finishing a WAV file), starts the backend with the audio half, and announces
    /// what plays where.
    pub fn start(
        backend: Box<dyn Backend>,
        audio: AudioHalf,
        controller: Arc<Mutex<Controller>>,
        controls: Controls,
        frames: Option<u64>,
        patch: &Path,
    ) -> Result<Session, Failure> {
        let interrupted = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&interrupted);
        ctrlc::set_handler(move || {
            // A second signal leaves at once, should the first not get through; a WAV file's
            // header is then at most half a second behind its samples.
            if flag.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        })
        .map_err(|error| {
            Failure::File(format!("cannot handle Ctrl-C, SIGTERM and SIGHUP: {error}"))
        })?;
        let setup = backend.setup();
        let destination = backend.describe();
        let stream = backend
            .start(audio)
            .map_err(|error| Failure::File(error.to_string()))?;
        let started = Instant::now();
        let buffer = match setup.buffer_frames {
            Some(frames) => format!(
                "buffers of {frames} frames ({:.1} ms)",
                f64::from(frames) * 1e3 / f64::from(setup.sample_rate)
            ),
            None => "the device's buffers".into(),
        };
        eprintln!(
            "playing `{}` into {destination}: {} Hz, {} channel{}, {buffer}; {}",
            patch.display(),
            setup.sample_rate,
            setup.channels,
            if setup.channels == 1 { "" } else { "s" },
            match frames {
                Some(frames) => format!("{:.3} s", frames as f64 / f64::from(setup.sample_rate)),
                None => "Ctrl-C stops".into(),
            }
        );
        let meter = controller
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .probe_output();
        Ok(Session {
            stream,
            controller,
            controls,
            frames,
            sample_rate: setup.sample_rate,
            interrupted,
            started,
            status: StatusLine::new().metering(meter),
            patch: patch.to_path_buf(),
            latency_told: false,
            snapshot: None,
            save_on_exit: None,
        })
    }

    /// Saves the live state to `path` every [`SNAPSHOT_EVERY`] and when the session ends.
    pub fn snapshots(mut self, path: Option<PathBuf>) -> Session {
        self.snapshot = path.map(|path| (path, Instant::now()));
        self
    }

    /// Writes the patch as played to `path` when the session ends.
    pub fn saves_on_exit(mut self, path: Option<PathBuf>) -> Session {
        self.save_on_exit = path;
        self
    }

    /// Saves a snapshot if one is due (or `now`): taken under the controller's lock, written
    /// after it, here on the control loop's thread, never the audio thread's.
    fn save_snapshot(&mut self, now: bool) {
        let Some((path, last)) = &mut self.snapshot else {
            return;
        };
        if !now && last.elapsed() < SNAPSHOT_EVERY {
            return;
        }
        *last = Instant::now();
        let taken = self
            .controller
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .snapshot();
        let written = match taken {
            Ok(snapshot) => snapshot.write_file(path).map_err(|error| error.to_string()),
            Err(error) => Err(error.to_string()),
        };
        if let Err(error) = written {
            self.status.clear();
            eprintln!("error: snapshot: {error}");
        }
    }

    /// Runs the control loop until the session ends, then stops everything and prints a
    /// summary.
    pub fn run(mut self) -> Result<(), Failure> {
        let end = loop {
            std::thread::sleep(TICK);
            let reports = self.lock().take_reports();
            self.status.swapped(&reports);
            self.controls.report(&mut self.status);
            let status = self.stream.status();
            self.tell_latency(&status);
            if self.interrupted.load(Ordering::SeqCst) {
                break End::Interrupted;
            }
            if self.frames.is_some_and(|frames| status.frames >= frames) {
                break End::Done;
            }
            if status.ended {
                break End::BackendEnded;
            }
            self.save_snapshot(false);
            if let Some(notes) = &mut self.controls.notes {
                notes.publish_metrics();
            }
            let (metrics, faults) = {
                let mut controller = self.lock();
                let faults = controller.faults();
                (controller.metrics(), faults)
            };
            let faults = faults
                .into_iter()
                .map(|(node, faults)| (node.to_string(), faults.count))
                .collect();
            self.status
                .draw(&metrics, self.sample_rate, status.late_buffers, faults);
        };
        self.status.clear();
        self.controls.report(&mut self.status);
        self.save_snapshot(true);
        if let Some(path) = &self.save_on_exit
            && let Err(failure) = crate::save_on_exit::save(&self.controller, path)
        {
            failure.report();
        }
        let Session {
            stream,
            controller,
            controls,
            frames,
            sample_rate,
            started,
            patch,
            ..
        } = self;
        // The stream first, so a file ends when asked to; then the control sources.
        let stopped = stream.stop();
        // The audio half is gone: each take ends with the last frame it was fed.
        crate::record::stop_all(&controller);
        let wall = started.elapsed();
        let mut controls = controls;
        let notes = controls.notes.take();
        controls.stop();
        let metrics = {
            let mut controller = controller.lock().unwrap_or_else(PoisonError::into_inner);
            controller.maintain();
            if let Some(follow) = controller.clock_follow() {
                eprintln!(
                    "clock in: {:.3} BPM, {}, last phase error {:.4} beats",
                    follow.bpm(),
                    if follow.locked() {
                        "locked"
                    } else {
                        "not locked"
                    },
                    follow.phase_error()
                );
            }
            controller.metrics()
        };
        let status = stopped.map_err(|error| Failure::File(error.to_string()))?;
        if let Some(notes) = notes {
            notes.finish(status.frames);
        }
        if end == End::BackendEnded && frames.is_none_or(|frames| status.frames < frames) {
            eprintln!("the backend stopped by itself (a WAV file holds at most 4 GiB)");
        }
        eprintln!("{}", summary(&patch, &status, &metrics, sample_rate, wall));
        Ok(())
    }

    /// Prints the device's latencies once they are known (a sound card reports them from its
    /// first callbacks).
    fn tell_latency(&mut self, status: &StreamStatus) {
        if self.latency_told || status.output_latency.is_none() {
            return;
        }
        self.latency_told = true;
        self.status.clear();
        let ms = |latency: Option<Duration>| {
            latency.map_or("not reported".into(), |latency| {
                format!("{:.1} ms", latency.as_secs_f64() * 1e3)
            })
        };
        let input = match status.input_latency {
            Some(_) => format!(", input to the engine {}", ms(status.input_latency)),
            None => String::new(),
        };
        eprintln!(
            "latency: buffers of {} frames ({:.1} ms); engine to speaker {}{input}",
            status.buffer_frames,
            status.buffer_frames as f64 * 1e3 / f64::from(self.sample_rate),
            ms(status.output_latency)
        );
    }

    fn lock(&self) -> MutexGuard<'_, Controller> {
        self.controller
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The closing line: what was played, how punctual it was, and the DSP load.
fn summary(
    patch: &Path,
    status: &StreamStatus,
    metrics: &MetricsSnapshot,
    sample_rate: u32,
    wall: Duration,
) -> String {
    let played = status.frames as f64 / f64::from(sample_rate);
    let ms = |duration: Duration| duration.as_secs_f64() * 1e3;
    let mut text = format!(
        "played `{}` for {played:.3} s ({} frames) in {:.3} s: {} buffers, {} late",
        patch.display(),
        status.frames,
        wall.as_secs_f64(),
        status.buffers,
        status.late_buffers
    );
    if status.behind.max > Duration::ZERO {
        text.push_str(&format!(
            "; the clock's wake-ups were late by {:.2} ms on average, {:.2} ms at most, {:.2} ms at the end",
            ms(status.behind.mean),
            ms(status.behind.max),
            ms(status.behind.last)
        ));
    }
    if status.lost_samples > 0 {
        text.push_str(&format!("; {} samples lost", status.lost_samples));
    }
    text.push_str(&format!(
        "; DSP load {:.2}% on average, {:.1}% at peak; {} swap{}",
        100.0 * mean_load(None, metrics, sample_rate),
        100.0 * metrics.peak_load,
        metrics.swaps,
        if metrics.swaps == 1 { "" } else { "s" }
    ));
    if metrics.late_calls > 0 {
        text.push_str(&format!(
            "; {} calls took longer than their audio",
            metrics.late_calls
        ));
    }
    text
}
