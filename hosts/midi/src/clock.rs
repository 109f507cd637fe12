//! MIDI clock between a playing engine and the world: the sender that takes what the audio
//! half's clock out queues ([`ClockSender`]), to a MIDI port or a clock log, and the feeds
//! that follow an external clock through
//! [`Controller::clock_in`](patchvm_engine::Controller::clock_in), from a clock log
//! ([`ClockLogFeed`]) or a port (`ClockPortFeed`, feature `ports`).
//!
//! The sender sends each message as soon as the audio half made it, so it leaves up to one
//! host buffer early (the audio half runs ahead of the speaker) and as jittery as the buffers;
//! the log keeps each message's exact engine sample.

use super::clock_log::{self, ClockLogError};
use patchvm_engine::stream::Pacer;
use patchvm_engine::vm::live::{ClockEvent, ClockReceiver};
use patchvm_engine::{At, Controller, StoppableThread};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// How often the sender looks for messages: a tick at 300 BPM comes every 8.3 ms.
const SEND_TICK: Duration = Duration::from_millis(1);
/// How often a log feed wakes to hand over the next messages.
const FEED_TICK: Duration = Duration::from_millis(10);
/// How far ahead of the audio a log feed hands messages over, in seconds: they land on
/// their samples as long as the feed is never that far behind.
const LOOKAHEAD_SECONDS: f64 = 0.25;

/// Where clock messages go.
pub trait ClockSink: Send {
    /// Sends one message.
    fn send(&mut self, event: &ClockEvent) -> io::Result<()>;
    /// Makes sure everything sent has left.
    fn flush(&mut self) -> io::Result<()>;
}

/// A clock log file (see [`clock_log`]).
#[derive(Debug)]
pub struct LogSink(BufWriter<File>);

impl LogSink {
    /// Creates (or truncates) the log at `path`.
    pub fn create(path: &Path) -> io::Result<LogSink> {
        Ok(LogSink(BufWriter::new(File::create(path)?)))
    }
}

impl ClockSink for LogSink {
    fn send(&mut self, event: &ClockEvent) -> io::Result<()> {
        writeln!(self.0, "{}", clock_log::line(event))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// A thread sending what the audio half's clock out queues into a [`ClockSink`].
#[derive(Debug)]
pub struct ClockSender {
    thread: StoppableThread<io::Result<()>>,
    sent: Arc<AtomicU64>,
}

impl ClockSender {
    /// Starts sending what `receiver` (from
    /// [`AudioHalf::send_clock`](patchvm_engine::AudioHalf::send_clock)) brings into `sink`,
    /// each message when `pacer` says its sample is due (as notes leave), so ticks go out
    /// evenly whatever the host's buffers.
    pub fn spawn(
        mut receiver: ClockReceiver,
        mut sink: Box<dyn ClockSink>,
        mut pacer: Pacer,
    ) -> io::Result<Self> {
        let sent = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&sent);
        let thread = StoppableThread::spawn("patchvm-clock-out", move |stop| {
            loop {
                // Read before draining: what the audio half queued before the stop is sent,
                // at once.
                let stopping = stop.load(std::sync::atomic::Ordering::Acquire);
                while let Some(event) = receiver.pop() {
                    if !stopping {
                        Pacer::wait_until(pacer.due(event.time), stop);
                    }
                    sink.send(&event)?;
                    counted.fetch_add(1, Relaxed);
                }
                if stopping {
                    return sink.flush();
                }
                pacer.check_anchor();
                std::thread::sleep(SEND_TICK);
            }
        })?;
        Ok(ClockSender { thread, sent })
    }

    /// Messages sent so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Relaxed)
    }

    /// Sends what is still queued, stops, and says how many messages were sent, or why
    /// sending failed. Stop the audio first, so nothing is queued after.
    pub fn stop(mut self) -> io::Result<u64> {
        match self.thread.join() {
            Some(Ok(result)) => result.map(|()| self.sent()),
            _ => Err(io::Error::other("the clock sender panicked")),
        }
    }
}

/// A thread handing a clock log's messages to the controller's clock follower, each
/// stamped with its sample, a little ahead of the audio: a headless external clock.
#[derive(Debug)]
pub struct ClockLogFeed {
    thread: StoppableThread,
    fed: Arc<AtomicU64>,
}

impl ClockLogFeed {
    /// Reads the log at `path` and starts feeding it into `controller`.
    pub fn spawn(path: &Path, controller: Arc<Mutex<Controller>>) -> Result<Self, ClockError> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| ClockError(format!("cannot read `{}`: {error}", path.display())))?;
        let events = clock_log::read(&text).map_err(|error: ClockLogError| {
            ClockError(format!("cannot read `{}`: {error}", path.display()))
        })?;
        let fed = Arc::new(AtomicU64::new(0));
        let mut events = events.into_iter().peekable();
        // The first lookahead now, on the calling thread: a log starting at sample 0 is
        // followed from sample 0 even if the audio starts before the thread runs.
        feed_due(&mut events, &controller, &fed);
        let counted = Arc::clone(&fed);
        let thread = StoppableThread::spawn("patchvm-clock-in", move |stop| {
            while !stop.load(Relaxed) && events.peek().is_some() {
                std::thread::sleep(FEED_TICK);
                feed_due(&mut events, &controller, &counted);
            }
        })
        .map_err(|error| ClockError(format!("cannot start the clock feed: {error}")))?;
        Ok(ClockLogFeed { thread, fed })
    }

    /// Messages handed to the follower so far.
    pub fn fed(&self) -> u64 {
        self.fed.load(Relaxed)
    }

    /// Stops the feed.
    pub fn stop(mut self) {
        let _ = self.thread.join();
    }
}

/// Hands `controller` the events of `events` due within [`LOOKAHEAD_SECONDS`] of the
/// engine's time, each stamped with its sample, counting them in `fed`.
fn feed_due(
    events: &mut std::iter::Peekable<std::vec::IntoIter<ClockEvent>>,
    controller: &Mutex<Controller>,
    fed: &AtomicU64,
) {
    let mut controller = controller.lock().unwrap_or_else(PoisonError::into_inner);
    let rate = controller.settings().sample_rate;
    let horizon = controller.time() + (LOOKAHEAD_SECONDS * rate) as u64;
    while let Some(event) = events.next_if(|event| event.time <= horizon) {
        let (bytes, len) = event.message.bytes();
        if controller
            .clock_in(&bytes[..len], At::Sample(event.time))
            .is_ok()
        {
            fed.fetch_add(1, Relaxed);
        }
    }
}

/// Why clock out or in could not start, in words for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockError(pub String);

impl std::fmt::Display for ClockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ClockError {}

#[cfg(feature = "ports")]
pub use ports::{ClockPortFeed, PortSink};

/// The same over MIDI ports (midir).
#[cfg(feature = "ports")]
mod ports {
    use super::{ClockError, ClockEvent, ClockSink, FEED_TICK};
    use crate::input::{self, MidiIn};
    use patchvm_engine::{At, Controller, StoppableThread};
    use std::io;
    use std::sync::atomic::Ordering::Relaxed;
    use std::sync::{Arc, Mutex, PoisonError};

    /// A MIDI output port.
    pub struct PortSink {
        connection: midir::MidiOutputConnection,
        name: String,
    }

    impl std::fmt::Debug for PortSink {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("PortSink")
                .field("name", &self.name)
                .finish_non_exhaustive()
        }
    }

    impl PortSink {
        /// Opens the output port `wanted`: its index, or text its name contains.
        pub fn open(wanted: &str) -> Result<PortSink, ClockError> {
            let output = midir::MidiOutput::new("patchvm")
                .map_err(|error| ClockError(format!("MIDI output is not available: {error}")))?;
            let ports = output.ports();
            let names: Vec<String> = ports
                .iter()
                .map(|port| output.port_name(port).unwrap_or_else(|_| "?".to_owned()))
                .collect();
            let index = input::choose(&names, wanted).map_err(|error| {
                ClockError(error.to_string().replace("input port", "output port"))
            })?;
            let connection = output
                .connect(&ports[index], "patchvm-clock")
                .map_err(|error| ClockError(format!("cannot connect to the MIDI port: {error}")))?;
            Ok(PortSink {
                connection,
                name: names[index].clone(),
            })
        }

        /// The port's name.
        pub fn name(&self) -> &str {
            &self.name
        }
    }

    impl ClockSink for PortSink {
        fn send(&mut self, event: &ClockEvent) -> io::Result<()> {
            let (bytes, len) = event.message.bytes();
            self.connection
                .send(&bytes[..len])
                .map_err(|error| io::Error::other(error.to_string()))
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A thread following the clock a MIDI input port sends: each clock message goes to
    /// [`Controller::clock_in`] as it arrives (at the next block); other messages are left
    /// alone.
    #[derive(Debug)]
    pub struct ClockPortFeed {
        /// Stopped before the port closes.
        thread: StoppableThread,
        port: MidiIn,
    }

    impl ClockPortFeed {
        /// Opens the input port `wanted` and follows its clock.
        pub fn open(
            wanted: &str,
            controller: Arc<Mutex<Controller>>,
        ) -> Result<ClockPortFeed, ClockError> {
            let (port, messages) =
                input::open(wanted, 1_024).map_err(|error| ClockError(error.to_string()))?;
            let thread = StoppableThread::spawn("patchvm-clock-in", move |stop| {
                while !stop.load(Relaxed) {
                    let Ok(message) = messages.recv_timeout(FEED_TICK) else {
                        continue;
                    };
                    let mut controller = controller.lock().unwrap_or_else(PoisonError::into_inner);
                    let _ = controller.clock_in(message.bytes(), At::Now);
                }
            })
            .map_err(|error| ClockError(format!("cannot start the clock feed: {error}")))?;
            Ok(ClockPortFeed { thread, port })
        }

        /// The port's name.
        pub fn name(&self) -> &str {
            self.port.name()
        }

        /// Stops the thread and closes the port.
        pub fn stop(mut self) {
            let _ = self.thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use patchvm_engine::{Engine, EngineSettings};

    #[test]
    fn the_sender_logs_what_the_audio_half_queued_with_its_samples() {
        // No patch: the transport runs at 120 BPM, a tick every 1 000 samples from 0.
        let settings = EngineSettings {
            channels: 1,
            ..EngineSettings::default()
        };
        let (controller, mut audio) = Engine::new(settings, Default::default());
        let pacer = Pacer::new(controller.clock(), 48_000.0, Duration::ZERO);
        let path = std::env::temp_dir().join(format!("patchvm-clock-{}.log", std::process::id()));
        let receiver = audio.send_clock(256);
        let sender =
            ClockSender::spawn(receiver, Box::new(LogSink::create(&path).unwrap()), pacer).unwrap();
        let mut buffer = vec![0.0; 2_001];
        audio.process(&mut buffer);
        assert_eq!(sender.stop().unwrap(), 4);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(text, "0 start fa\n0 tick f8\n1000 tick f8\n2000 tick f8\n");
    }
}
