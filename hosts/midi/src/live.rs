//! MIDI into a playing engine, as control sources of a live session: a song fed a little
//! ahead of the audio at its exact samples ([`SongFeed`]), and messages from a live port
//! played at their timestamps (`InputFeed`, feature `ports`; see [`timestamps`](super::timestamps)). Each is a thread that shares the
//! controller and holds its lock for one batch of messages at a time.

use super::file::MidiSong;
use patchvm_engine::{At, Controller, StoppableThread, most_changes};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// How far ahead of the audio a song's messages are sent. Events wait in the engine's queue
/// until their sample, so what matters is that the feed is never behind: a quarter second
/// outlasts any scheduling hiccup of the feeding thread, and a song's messages of a quarter
/// second usually fit the event queue many times over. When they do not (dense pitch bend
/// over many voices: one bend moves every voice), the feed sends only what the queue has
/// room for and the rest as the audio plays what was sent, rather than have it dropped.
pub const LOOKAHEAD_SECONDS: f64 = 0.25;
/// How often the feed wakes to send the next messages.
const FEED_TICK: Duration = Duration::from_millis(10);

/// What a feed has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeedStats {
    /// Messages handed to the engine.
    pub sent: u64,
    /// Messages the engine refused (a full event queue, a binding no longer settable).
    pub refused: u64,
    /// Messages sent after their sample had already played (they took effect late).
    pub late: u64,
}

#[derive(Debug, Default)]
struct Counters {
    sent: AtomicU64,
    refused: AtomicU64,
    late: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> FeedStats {
        FeedStats {
            sent: self.sent.load(Relaxed),
            refused: self.refused.load(Relaxed),
            late: self.late.load(Relaxed),
        }
    }
}

/// A thread playing a [`MidiSong`] into a live engine, each message at its exact sample
/// counted from the engine time `start`.
#[derive(Debug)]
pub struct SongFeed {
    counters: Arc<Counters>,
    thread: StoppableThread,
}

impl SongFeed {
    /// Sends the song's first [`LOOKAHEAD_SECONDS`] now, on the calling thread — so a song
    /// started before the audio plays has its first notes exactly on time — then the rest
    /// from a thread of its own.
    pub fn spawn(
        song: MidiSong,
        start: u64,
        controller: Arc<Mutex<Controller>>,
    ) -> std::io::Result<SongFeed> {
        let counters = Arc::new(Counters::default());
        let mut cursor = Cursor {
            song,
            start,
            next: 0,
            outstanding: VecDeque::new(),
            queued: 0,
        };
        cursor.send_due(&controller, &counters);
        let thread = {
            let counters = Arc::clone(&counters);
            StoppableThread::spawn("patchvm-midi-song", move |stop| {
                while !stop.load(Relaxed) && !cursor.finished() {
                    std::thread::sleep(FEED_TICK);
                    cursor.send_due(&controller, &counters);
                }
            })?
        };
        Ok(SongFeed { counters, thread })
    }

    /// What the feed has done so far.
    pub fn stats(&self) -> FeedStats {
        self.counters.snapshot()
    }

    /// Stops the feed; messages already sent still play. (Dropping it does the same.)
    pub fn stop(mut self) {
        let _ = self.thread.join();
    }
}

/// Where a song feed is.
struct Cursor {
    song: MidiSong,
    start: u64,
    next: usize,
    /// The messages sent whose sample the audio has not reached: their time and how many
    /// queue slots each took, oldest first.
    outstanding: VecDeque<(u64, u64)>,
    /// The sum of the slots in `outstanding`.
    queued: u64,
}

impl Cursor {
    fn finished(&self) -> bool {
        self.next >= self.song.events.len()
    }

    /// Sends every message due before the engine time plus the look-ahead.
    fn send_due(&mut self, controller: &Mutex<Controller>, counters: &Counters) {
        let mut controller = controller.lock().unwrap_or_else(PoisonError::into_inner);
        let now = controller.time();
        let lookahead = (LOOKAHEAD_SECONDS * controller.settings().sample_rate) as u64;
        let horizon = now.saturating_add(lookahead);
        // Events before `now` have left the queue: the audio half has applied them.
        while let Some(&(time, slots)) = self.outstanding.front()
            && time < now
        {
            self.queued -= slots;
            self.outstanding.pop_front();
        }
        let settings = controller.settings();
        let capacity = settings.event_capacity as u64;
        let most = controller
            .patch()
            .map_or(0, |patch| most_changes(patch, settings.voices)) as u64;
        while let Some(event) = self.song.events.get(self.next) {
            let at = self.start.saturating_add(event.time);
            // With nothing outstanding, a message goes whatever it makes: waiting would not
            // make room.
            if at >= horizon || (self.queued > 0 && self.queued + most > capacity) {
                break;
            }
            if at < now {
                counters.late.fetch_add(1, Relaxed);
            }
            let before = controller.queued_events();
            match controller.midi(&event.message, At::Sample(at)) {
                Ok(()) => counters.sent.fetch_add(1, Relaxed),
                Err(_) => counters.refused.fetch_add(1, Relaxed),
            };
            let slots = controller.queued_events() - before;
            if slots > 0 {
                // A late message is applied at the audio's next block, as if at `now`.
                self.outstanding.push_back((at.max(now), slots));
                self.queued += slots;
            }
            self.next += 1;
        }
    }
}

/// A thread playing messages from a live MIDI port with the timing they were played with:
/// each at its timestamp's sample on the engine's model of its audio clock, a constant delay
/// later ([`PortTimer`](super::timestamps::PortTimer)).
#[cfg(feature = "ports")]
#[derive(Debug)]
pub struct InputFeed {
    /// Stopped before the port closes (fields drop in order), so the thread never sees the
    /// port's channel end.
    thread: StoppableThread,
    port: super::input::MidiIn,
    counters: Arc<Counters>,
}

#[cfg(feature = "ports")]
impl InputFeed {
    /// Opens the port `wanted` (see [`input::open`](super::input::open)) and plays what it
    /// sends into the engine.
    pub fn open(
        wanted: &str,
        controller: Arc<Mutex<Controller>>,
    ) -> Result<InputFeed, super::input::MidiInError> {
        let (port, messages) = super::input::open(wanted, 1_024)?;
        let counters = Arc::new(Counters::default());
        let (clock, sample_rate) = {
            let controller = controller.lock().unwrap_or_else(PoisonError::into_inner);
            (controller.audio_clock(), controller.settings().sample_rate)
        };
        let thread = {
            let counters = Arc::clone(&counters);
            StoppableThread::spawn("patchvm-midi-in", move |stop| {
                let mut timer = super::timestamps::PortTimer::new();
                while !stop.load(Relaxed) {
                    let Ok(message) = messages.recv_timeout(FEED_TICK) else {
                        // Idle: the clock model follows the audio meanwhile.
                        clock.update();
                        continue;
                    };
                    let at = timer.at(message.micros, message.arrived, &clock, sample_rate);
                    let mut controller = controller.lock().unwrap_or_else(PoisonError::into_inner);
                    match controller.midi(message.bytes(), at) {
                        Ok(()) => counters.sent.fetch_add(1, Relaxed),
                        Err(_) => counters.refused.fetch_add(1, Relaxed),
                    };
                }
            })
            .map_err(|error| super::input::MidiInError::Connect(error.to_string()))?
        };
        Ok(InputFeed {
            thread,
            port,
            counters,
        })
    }

    /// The port's name.
    pub fn name(&self) -> &str {
        self.port.name()
    }

    /// What the feed has done so far (messages the port dropped are in
    /// [`MidiIn::dropped`](super::input::MidiIn::dropped)).
    pub fn stats(&self) -> FeedStats {
        self.counters.snapshot()
    }

    /// Stops the thread and closes the port. (Dropping it does the same.)
    pub fn stop(mut self) {
        let _ = self.thread.join();
    }
}
