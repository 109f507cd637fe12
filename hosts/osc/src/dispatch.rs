//! What the server does with one datagram, without the socket: guard, decode, read the
//! commands, apply them in order under one hold of the controller's lock (its edits played
//! with one swap), and say what to send back.

use super::apply::{Done, apply};
use super::batch::Batch;
use super::command::{ADDRESSES, Command, Refused};
use super::describe::engine_error;
use super::guard;
use super::probes::ProbeRequest;
use super::schedule::{Clock, Now};
use super::session;
use super::stats::{Counters, OscStats};
use patchvm_engine::stream::SenderMetrics;
use patchvm_engine::{Controller, MetricsSnapshot};
use patchvm_ir::Limits;
use rosc::{OscMessage, OscPacket, OscTime, OscType};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The longest `/error` text sent, in bytes: a reply must fit a datagram.
const MAX_ERROR_BYTES: usize = 8_192;

/// The `/error` text for a command when the controller's lock is poisoned.
const UNAVAILABLE: &str = "the engine is unavailable: a thread using it panicked";

/// Turns datagrams into commands on a shared [`Controller`] and counts what it sees. The
/// [`OscServer`](super::OscServer) runs one on its thread; tests and the fuzzer call it
/// directly.
#[derive(Debug)]
pub struct Dispatcher {
    limits: Limits,
    counters: Arc<Counters>,
    /// Whether each good command without an answer of its own is answered `/ack ADDRESS`.
    ack: bool,
    /// Probe requests for the server's thread, which knows who sent them (`probes.rs`).
    probes: Mutex<Vec<ProbeRequest>>,
}

impl Dispatcher {
    /// A dispatcher for `controller`'s engine: patch text is read within its limits, time
    /// tags are mapped at its sample rate.
    pub fn new(controller: &Controller) -> Dispatcher {
        Dispatcher {
            limits: controller.limits().clone(),
            counters: Arc::default(),
            ack: false,
            probes: Mutex::default(),
        }
    }

    /// Answers each good command that has no answer of its own (`/pong`, `/status`,
    /// `/engine/snapshot`) with `/ack ADDRESS`, so a client knows it was applied: `--osc-ack`.
    pub fn acknowledging(mut self, ack: bool) -> Dispatcher {
        self.ack = ack;
        self
    }

    /// The counters so far.
    pub fn stats(&self) -> OscStats {
        self.counters.snapshot()
    }

    pub(crate) fn counters(&self) -> Arc<Counters> {
        Arc::clone(&self.counters)
    }

    /// The probe requests of the datagrams handled since the last call.
    pub(crate) fn take_probe_requests(&self) -> Vec<ProbeRequest> {
        std::mem::take(&mut *self.probes.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Handles one datagram and returns the replies for its sender, in order (the errors of
    /// edits the engine refuses as a whole come where their batch is played: before the
    /// next command that is not an edit, or last). The lock is taken once, after decoding
    /// and reading every message (patch text included), and only if a command needs the
    /// engine.
    pub fn datagram(&self, bytes: &[u8], controller: &Mutex<Controller>) -> Vec<OscMessage> {
        self.handle(bytes, controller, None)
    }

    /// [`datagram`](Dispatcher::datagram) as if it arrived at `now`: time tags are mapped
    /// against it instead of the clocks when the lock is taken. For hosts (and tests) that
    /// run the engine on a timeline of their own.
    pub fn datagram_at(
        &self,
        bytes: &[u8],
        controller: &Mutex<Controller>,
        now: Now,
    ) -> Vec<OscMessage> {
        self.handle(bytes, controller, Some(now))
    }

    fn handle(
        &self,
        bytes: &[u8],
        controller: &Mutex<Controller>,
        now: Option<Now>,
    ) -> Vec<OscMessage> {
        let counters = &self.counters;
        Counters::count(&counters.datagrams);
        let Some(messages) = decode(bytes) else {
            Counters::count(&counters.malformed);
            return Vec::new();
        };
        let commands: Vec<(OscTime, String, Result<Command, Refused>)> = messages
            .into_iter()
            .map(|(tag, message)| {
                Counters::count(&counters.messages);
                let command = Command::parse(&message, &self.limits);
                (tag, message.addr, command)
            })
            .collect();
        let needs_engine = commands
            .iter()
            .any(|(_, _, command)| matches!(command, Ok(c) if !matches!(c, Command::Ping(_))));
        let mut engine = needs_engine.then(|| controller.lock());
        let mut replies = Vec::new();
        let mut batch = Batch::default();
        // Snapshots to write once the lock is released, with the address that asked.
        let mut snapshots = Vec::new();
        // Patches to save once the lock is released, likewise.
        let mut saves = Vec::new();
        for (tag, address, command) in commands {
            let outcome = match command {
                Err(Refused::UnknownAddress) => {
                    Counters::count(&counters.unknown_address);
                    replies.push(error(unknown(&address), counters));
                    continue;
                }
                Err(Refused::WrongArguments(text)) => {
                    Counters::count(&counters.wrong_arguments);
                    replies.push(error(text, counters));
                    continue;
                }
                Err(Refused::BadValue(text)) => Err(text),
                Ok(command) => match engine.as_mut() {
                    Some(Ok(guard)) => {
                        if !command.is_edit() {
                            self.play(&mut batch, guard, &mut replies);
                        }
                        self.run(command, &address, guard, tag, now, &mut batch)
                    }
                    // Without the lock (none taken, or poisoned) only pings are answered.
                    _ => match command {
                        Command::Ping(args) => Ok(Done::Pong(args)),
                        _ => Err(UNAVAILABLE.into()),
                    },
                },
            };
            match outcome {
                // Counted and answered when the batch is played.
                Ok(Done::Batched) => {}
                Ok(Done::Snapshot(snapshot, path)) => snapshots.push((snapshot, path, address)),
                Ok(Done::SavePatch(patch, path)) => saves.push((patch, path, address)),
                Ok(Done::Probe(request)) => {
                    Counters::count(&counters.applied);
                    (self.probes.lock().unwrap_or_else(PoisonError::into_inner)).push(request);
                    replies.extend(self.ack(address));
                }
                Ok(done) => {
                    Counters::count(&counters.applied);
                    match self.reply(done) {
                        Some(reply) => replies.push(reply),
                        None => replies.extend(self.ack(address)),
                    }
                }
                Err(text) => {
                    Counters::count(&counters.failed);
                    replies.push(error(format!("{address}: {text}"), counters));
                }
            }
        }
        if let Some(Ok(guard)) = engine.as_mut() {
            self.play(&mut batch, guard, &mut replies);
        }
        drop(engine);
        for (snapshot, path, address) in snapshots {
            match snapshot.write_file(std::path::Path::new(&path)) {
                Ok(()) => {
                    Counters::count(&counters.applied);
                    replies.push(OscMessage {
                        addr: address,
                        args: vec![OscType::String(path)],
                    });
                }
                Err(why) => {
                    Counters::count(&counters.failed);
                    replies.push(error(format!("{address}: {why}"), counters));
                }
            }
        }
        for (patch, path, address) in saves {
            match session::save(&patch, path, address.clone()) {
                Ok(reply) => {
                    Counters::count(&counters.applied);
                    replies.push(reply);
                }
                Err(why) => {
                    Counters::count(&counters.failed);
                    replies.push(error(format!("{address}: {why}"), counters));
                }
            }
        }
        replies
    }

    fn run(
        &self,
        command: Command,
        address: &str,
        controller: &mut MutexGuard<'_, Controller>,
        tag: OscTime,
        now: Option<Now>,
        batch: &mut Batch,
    ) -> Result<Done, String> {
        let at = Clock::modelled(controller, now.unwrap_or_else(Now::read)).at(tag);
        apply(command, address, controller, at, batch)
    }

    /// Plays the edits in `batch`, if any, with one swap, and counts their messages applied;
    /// if the engine refuses the patch they make, each is counted failed and answered.
    fn play(&self, batch: &mut Batch, controller: &mut Controller, replies: &mut Vec<OscMessage>) {
        let Some(pending) = batch.take() else {
            return;
        };
        let counters = &self.counters;
        let found = session::new_warnings(controller.patch(), &pending.patch);
        match controller.load_patch(pending.patch) {
            Ok(_) => {
                for address in pending.addresses {
                    Counters::count(&counters.applied);
                    replies.extend(self.ack(address));
                }
                replies.extend(session::warnings(&found));
            }
            Err(refused) => {
                let text = engine_error(&refused, pending.text.as_deref());
                for address in &pending.addresses {
                    Counters::count(&counters.failed);
                    replies.push(error(format!("{address}: {text}"), counters));
                }
            }
        }
    }

    /// `/ack ADDRESS` if acknowledging.
    fn ack(&self, address: String) -> Option<OscMessage> {
        self.ack.then(|| OscMessage {
            addr: "/ack".into(),
            args: vec![OscType::String(address)],
        })
    }

    fn reply(&self, done: Done) -> Option<OscMessage> {
        match done {
            Done::Quietly
            | Done::Batched
            | Done::Snapshot(..)
            | Done::SavePatch(..)
            | Done::Probe(_) => None,
            Done::Answer(message) => Some(message),
            Done::PatchText(text) => Some(OscMessage {
                addr: "/patch/get".into(),
                args: vec![OscType::String(text)],
            }),
            Done::Pong(args) => Some(OscMessage {
                addr: "/pong".into(),
                args,
            }),
            Done::Status(metrics, notes, faults) => {
                Some(status(&metrics, notes.as_ref(), &faults, &self.stats()))
            }
        }
    }
}

/// The messages in `bytes`, each with its bundle's time tag, if the guard lets it through
/// and rosc decodes all of it: every byte, and every message the guard counted.
fn decode(bytes: &[u8]) -> Option<Vec<(OscTime, OscMessage)>> {
    let count = guard::check(bytes).ok()?;
    let Ok((&[], packet)) = rosc::decoder::decode_udp(bytes) else {
        return None;
    };
    let mut messages = Vec::with_capacity(count);
    flatten(packet, super::schedule::IMMEDIATELY, &mut messages);
    (messages.len() == count).then_some(messages)
}

/// The messages of `packet` in order, each with the time tag of the bundle holding it.
/// Recursion is bounded by the guard's bundle depth.
fn flatten(packet: OscPacket, tag: OscTime, out: &mut Vec<(OscTime, OscMessage)>) {
    match packet {
        OscPacket::Message(message) => out.push((tag, message)),
        OscPacket::Bundle(bundle) => {
            for packet in bundle.content {
                flatten(packet, bundle.timetag, out);
            }
        }
    }
}

/// The `/error` text for a message to an address the server does not have.
fn unknown(address: &str) -> String {
    let names: Vec<&str> = ADDRESSES.iter().map(|(name, _)| *name).collect();
    format!(
        "{address}: no such address; {}",
        patchvm_ir::suggest::hint_for(address, &names)
    )
}

fn error(mut text: String, counters: &Counters) -> OscMessage {
    Counters::count(&counters.errors_replied);
    if text.len() > MAX_ERROR_BYTES {
        let mut end = MAX_ERROR_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    OscMessage {
        addr: "/error".into(),
        args: vec![OscType::String(text)],
    }
}

/// `/status` with name-value pairs: the engine's metrics, then the server's counters, then
/// the note sender's if one plays, then `fault:NODE` and its count for each node whose output
/// turned non-finite.
fn status(
    metrics: &MetricsSnapshot,
    notes: Option<&SenderMetrics>,
    faults: &[(String, u64)],
    stats: &OscStats,
) -> OscMessage {
    let count = |name: &str, value: u64| {
        [
            OscType::String(name.into()),
            OscType::Long(i64::try_from(value).unwrap_or(i64::MAX)),
        ]
    };
    let load =
        |name: &str, value: f64| [OscType::String(name.into()), OscType::Float(value as f32)];
    let args = [
        count("frames", metrics.frames),
        count("swaps", metrics.swaps),
        count("late_calls", metrics.late_calls),
        load("last_load", metrics.last_load),
        load("peak_load", metrics.peak_load),
        count("applied_events", metrics.applied_events),
        count("dropped_events", metrics.dropped_events),
        count("unrouted_events", metrics.unrouted_events),
        count("flushed_samples", metrics.flushed_samples),
        count("faults", metrics.faults),
        count("clipped_samples", metrics.clipped_samples),
        count("datagrams", stats.datagrams),
        count("malformed", stats.malformed),
        count("messages", stats.messages),
        count("applied", stats.applied),
        count("unknown_address", stats.unknown_address),
        count("wrong_arguments", stats.wrong_arguments),
        count("failed", stats.failed),
        count("errors_replied", stats.errors_replied),
    ]
    .concat();
    // The note sender's, when the session sends note streams out.
    let notes = notes.map(|notes| {
        [
            count("notes_sent", notes.sent),
            count("notes_dropped", notes.dropped),
            count("notes_late", notes.late),
            count("notes_closed", notes.closed),
            count("notes_errors", notes.errors),
            count("notes_jitter_p50_us", notes.jitter_p50_us),
            count("notes_jitter_p99_us", notes.jitter_p99_us),
            count("notes_jitter_max_us", notes.jitter_max_us),
            count("notes_high_water", notes.high_water),
        ]
        .concat()
    });
    let faults = faults
        .iter()
        .flat_map(|(node, faults)| count(&format!("fault:{node}"), *faults));
    let args = [args, notes.unwrap_or_default()]
        .concat()
        .into_iter()
        .chain(faults)
        .collect();
    OscMessage {
        addr: "/status".into(),
        args,
    }
}
