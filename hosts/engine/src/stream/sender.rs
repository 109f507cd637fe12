//! The sender thread: takes the audio half's stamped events off the note queue and sends each
//! to every destination at its due time plus the lookahead, the due time mapped from sample
//! time through the engine's clock (its frame counter, and the wall clock when that count was
//! read).

use super::{Destination, HeldNotes, Jitter, Pacer};
use crate::StoppableThread;
use patchvm_vm::SinkEvent;
use patchvm_vm::live::{Metrics, NotesOut, QueueCounters};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How the sender runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SenderSettings {
    /// The engine's samples per second.
    pub sample_rate: f64,
    /// How long after its sample plays an event is sent: room for the sender to be woken
    /// late without the event being late (default 10 ms).
    pub lookahead: Duration,
    /// Events the queue holds; more are dropped and counted.
    pub capacity: usize,
}

impl Default for SenderSettings {
    fn default() -> SenderSettings {
        SenderSettings {
            sample_rate: 48_000.0,
            lookahead: Duration::from_millis(10),
            capacity: 4_096,
        }
    }
}

/// What the sender has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SenderMetrics {
    /// Events sent (to every destination), the notes it closed itself included.
    pub sent: u64,
    /// Events the audio half dropped because the queue was full.
    pub dropped: u64,
    /// Events sent after their due time plus the lookahead: after their sound.
    pub late: u64,
    /// Sends a destination refused (a port gone, a socket error).
    pub errors: u64,
    /// Notes the sender closed because their off never came.
    pub closed: u64,
    /// How late the sends were against their due time, in microseconds: the median, the 99th
    /// percentile and the maximum.
    pub jitter_p50_us: u64,
    /// See [`jitter_p50_us`](SenderMetrics::jitter_p50_us).
    pub jitter_p99_us: u64,
    /// See [`jitter_p50_us`](SenderMetrics::jitter_p50_us).
    pub jitter_max_us: u64,
    /// The most events the queue held at once.
    pub high_water: u64,
}

/// Counts the thread keeps; read under a short lock by [`SenderProbe::metrics`].
#[derive(Debug, Default)]
struct Counts {
    sent: u64,
    late: u64,
    errors: u64,
    closed: u64,
    jitter: Jitter,
    last_error: Option<String>,
}

/// Reads a [`NoteSender`]'s metrics from any control-side thread.
#[derive(Clone, Debug)]
pub struct SenderProbe {
    counts: Arc<Mutex<Counts>>,
    queue: Arc<QueueCounters>,
}

impl SenderProbe {
    /// The metrics so far.
    pub fn metrics(&self) -> SenderMetrics {
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        SenderMetrics {
            sent: counts.sent,
            dropped: self.queue.dropped(),
            late: counts.late,
            errors: counts.errors,
            closed: counts.closed,
            jitter_p50_us: counts.jitter.quantile_us(0.5),
            jitter_p99_us: counts.jitter.quantile_us(0.99),
            jitter_max_us: counts.jitter.max_us(),
            high_water: self.queue.high_water(),
        }
    }

    /// The last error a destination reported, if any.
    pub fn last_error(&self) -> Option<String> {
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.last_error.clone()
    }
}

/// The sender thread and what it reports. Dropping it stops the thread, which closes every
/// held note and finishes its destinations.
#[derive(Debug)]
pub struct NoteSender {
    thread: StoppableThread<Vec<String>>,
    probe: SenderProbe,
    /// The beat the stream ended at, as `f64` bits (NaN: unknown), for the destinations'
    /// `finish`.
    end: Arc<AtomicU64>,
}

impl NoteSender {
    /// Makes the note queue and starts the sender over it: returns the queue's producer end
    /// for [`AudioHalf::send_notes`](patchvm_vm::live::AudioHalf::send_notes) and the sender.
    /// `clock` is the engine's metrics, whose frame counter the audio half advances.
    pub fn start(
        settings: SenderSettings,
        clock: Arc<Metrics>,
        destinations: Vec<Box<dyn Destination>>,
    ) -> std::io::Result<(NotesOut, NoteSender)> {
        let (out, consumer, queue) = NotesOut::new(settings.capacity);
        let counts = Arc::new(Mutex::new(Counts::default()));
        let run = Run {
            settings,
            pacer: Pacer::new(clock.clone(), settings.sample_rate, settings.lookahead),
            clock,
            consumer,
            queue: queue.clone(),
            destinations,
            counts: counts.clone(),
            held: HeldNotes::default(),
            last: None,
            dropped_seen: 0,
        };
        let end = Arc::new(AtomicU64::new(f64::NAN.to_bits()));
        let thread = StoppableThread::spawn("patchvm-notes", {
            let end = end.clone();
            move |stop| run.run(stop, &end)
        })?;
        Ok((
            out,
            NoteSender {
                thread,
                probe: SenderProbe { counts, queue },
                end,
            },
        ))
    }

    /// The metrics so far.
    pub fn metrics(&self) -> SenderMetrics {
        self.probe.metrics()
    }

    /// The last error a destination reported, if any.
    pub fn last_error(&self) -> Option<String> {
        self.probe.last_error()
    }

    /// A handle that reads the metrics from elsewhere (the controller, for OSC `/status`),
    /// and outlives the sender.
    pub fn probe(&self) -> SenderProbe {
        self.probe.clone()
    }

    /// Stops the sender once it has sent what the queue holds (at once, not at their due
    /// times), closing every held note and finishing each destination (a file is written):
    /// the errors of those finishes. Call after the audio half stopped, with the beat it
    /// stopped at if known (a file closes the notes still open there).
    pub fn finish(mut self, end_beat: Option<f64>) -> Vec<String> {
        let bits = end_beat.unwrap_or(f64::NAN).to_bits();
        self.end.store(bits, Ordering::Release);
        match self.thread.join() {
            Some(Ok(errors)) => errors,
            Some(Err(_)) => vec!["the note sender panicked".into()],
            None => Vec::new(),
        }
    }
}

/// The sender thread's state.
struct Run {
    settings: SenderSettings,
    clock: Arc<Metrics>,
    pacer: Pacer,
    consumer: rtrb::Consumer<SinkEvent>,
    queue: Arc<QueueCounters>,
    destinations: Vec<Box<dyn Destination>>,
    counts: Arc<Mutex<Counts>>,
    held: HeldNotes,
    /// The last event taken, which the notes the sender closes are stamped like.
    last: Option<SinkEvent>,
    dropped_seen: u64,
}

/// How long the sender sleeps while the queue is empty.
const IDLE: Duration = Duration::from_micros(500);

impl Run {
    fn run(mut self, stop: &AtomicBool, end: &AtomicU64) -> Vec<String> {
        loop {
            let stopping = stop.load(Ordering::Acquire);
            match self.consumer.pop() {
                Ok(event) => {
                    if !stopping {
                        let due = self.pacer.due(event.time);
                        Pacer::wait_until(due, stop);
                        self.send(&event, Some(due));
                    } else {
                        self.send(&event, None);
                    }
                }
                Err(_) if stopping => break,
                Err(_) => {
                    self.close_after_drops();
                    self.pacer.check_anchor();
                    std::thread::sleep(IDLE);
                }
            }
        }
        let end = f64::from_bits(end.load(Ordering::Acquire));
        let end = end.is_finite().then_some(end);
        self.close_at_end(end);
        self.destinations
            .iter_mut()
            .filter_map(|d| d.finish(end).err().map(|e| format!("{}: {e}", d.name())))
            .collect()
    }

    /// Sends `event` to every destination, closing first a note it would play again, and
    /// counts how late it went out.
    fn send(&mut self, event: &SinkEvent, due: Option<Instant>) {
        if self.held.is_held(event) {
            let off = SinkEvent {
                message: patchvm_vm::Message::Off {
                    note: match event.message {
                        patchvm_vm::Message::On { note, .. } => note,
                        _ => 0,
                    },
                },
                ..*event
            };
            self.held.track(&off);
            self.deliver(&off, None, true);
            self.lock().closed += 1;
        }
        self.held.track(event);
        self.last = Some(*event);
        self.deliver(event, due, false);
    }

    /// Hands `event` to every destination (as a note the sender closes itself when
    /// `closing`) and counts it.
    fn deliver(&mut self, event: &SinkEvent, due: Option<Instant>, closing: bool) {
        let mut errors = Vec::new();
        for destination in &mut self.destinations {
            let sent = if closing {
                destination.close(event)
            } else {
                destination.send(event)
            };
            if let Err(error) = sent {
                errors.push(format!("{}: {error}", destination.name()));
            }
        }
        let lookahead = self.settings.lookahead;
        let mut counts = self.lock();
        counts.sent += 1;
        counts.errors += errors.len() as u64;
        if let Some(error) = errors.pop() {
            counts.last_error = Some(error);
        }
        if let Some(due) = due {
            let late = Instant::now().saturating_duration_since(due);
            counts.jitter.record(late.as_micros() as u64);
            if late > lookahead {
                counts.late += 1;
            }
        }
    }

    /// After the audio half dropped events, once the queue is empty, closes every held
    /// note: one of them may have lost its off.
    fn close_after_drops(&mut self) {
        let dropped = self.queue.dropped();
        if dropped != self.dropped_seen {
            self.dropped_seen = dropped;
            self.close_all();
        }
    }

    /// Closes every held note where the stream ended: at the engine's last sample and the
    /// end beat if the caller knows it, so a note held to the end lasts to the end (its
    /// duration, for OSC and WebSocket subscribers).
    fn close_at_end(&mut self, end_beat: Option<f64>) {
        if let Some(last) = &mut self.last {
            last.time = last.time.max(self.clock.frames());
            last.beat = last.beat.max(end_beat.unwrap_or(last.beat));
        }
        self.close_all();
    }

    /// Closes every held note, stamped like the last event taken.
    fn close_all(&mut self) {
        let Some(last) = self.last else {
            return;
        };
        let mut offs = Vec::new();
        self.held.close_all(&last, &mut |off| offs.push(off));
        for off in &offs {
            self.deliver(off, None, true);
        }
        self.lock().closed += offs.len() as u64;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
