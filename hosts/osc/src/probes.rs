//! Probes over OSC: `/probe/subscribe s(node) s(port) f(rate_hz)` subscribes the sender to a
//! node output ([`Controller::probe`]); the server's thread then sends it
//! `/probe s(node) s(port) f(value)` — the last sample of the latest block — once per
//! `1 / rate_hz` seconds of engine time (samples rendered, not the wall clock), at most once
//! per poll of its thread (10 ms: rates above 100 Hz are served at the poll's pace).
//! `/probe/unsubscribe s(node) s(port)` ends it. An unknown node or output, or a rate outside
//! `0 < rate <= 1000`, answers `/error`; a node an edit removes answers `/error` once and its
//! subscription ends. Nothing here runs on the audio thread: values are read from the
//! engine's probe cells (atomics).

use super::apply::Done;
use super::describe::engine_error;
use patchvm_engine::vm::live::Metrics;
use patchvm_engine::{Controller, ProbeHandle, ProbeState};
use rosc::{OscMessage, OscType};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// The highest rate a subscription takes, in answers per second.
pub const MAX_PROBE_RATE_HZ: f64 = 1_000.0;

/// A probe command.
#[derive(Clone, Debug, PartialEq)]
pub enum ProbeCommand {
    /// `/probe/subscribe s(node) s(port) f(rate_hz)`.
    Subscribe {
        /// The node.
        node: String,
        /// Its output.
        port: String,
        /// Answers per second of engine time.
        rate_hz: f64,
    },
    /// `/probe/unsubscribe s(node) s(port)`.
    Unsubscribe {
        /// The node.
        node: String,
        /// Its output.
        port: String,
    },
}

/// What the server's thread does for the sender of a probe command.
#[derive(Debug)]
pub(crate) enum ProbeRequest {
    /// Answer with `handle`'s value every `period` samples, starting one period after `now`.
    Subscribe { handle: ProbeHandle, period: f64 },
    /// Stop answering with this output.
    Unsubscribe { node: String, port: String },
}

/// Carries out `command` on `controller`: the request for the server's thread, or the text of
/// the `/error`.
pub(crate) fn apply(command: ProbeCommand, controller: &mut Controller) -> Result<Done, String> {
    match command {
        ProbeCommand::Subscribe {
            node,
            port,
            rate_hz,
        } => {
            if !(rate_hz > 0.0 && rate_hz <= MAX_PROBE_RATE_HZ) {
                return Err(format!(
                    "/probe/subscribe: rate {rate_hz} Hz is out of range; expected more than 0 \
                     and at most {MAX_PROBE_RATE_HZ} Hz"
                ));
            }
            let handle = controller
                .probe(&node, &port)
                .map_err(|error| engine_error(&error, None))?;
            Ok(Done::Probe(ProbeRequest::Subscribe {
                handle,
                period: controller.settings().sample_rate / rate_hz,
            }))
        }
        ProbeCommand::Unsubscribe { node, port } => {
            Ok(Done::Probe(ProbeRequest::Unsubscribe { node, port }))
        }
    }
}

/// One subscriber's subscription.
#[derive(Debug)]
struct Subscriber {
    to: SocketAddr,
    handle: ProbeHandle,
    period: f64,
    /// The engine time of its next answer.
    due: f64,
}

/// The subscriptions the server's thread answers, and the requests waiting for it.
#[derive(Debug)]
pub(crate) struct Subscribers {
    /// The engine's frame counter: the time answers are due by.
    clock: Arc<Metrics>,
    subscribers: Vec<Subscriber>,
}

impl Subscribers {
    pub(crate) fn new(controller: &Mutex<Controller>) -> Subscribers {
        let clock = controller
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clock();
        Subscribers {
            clock,
            subscribers: Vec::new(),
        }
    }

    /// Carries out `requests`, which `from` sent. An output no subscriber reads any longer is
    /// given up on `controller`.
    pub(crate) fn take(
        &mut self,
        requests: Vec<ProbeRequest>,
        from: SocketAddr,
        controller: &Mutex<Controller>,
    ) {
        for request in requests {
            match request {
                ProbeRequest::Subscribe { handle, period } => {
                    let now = self.clock.frames() as f64;
                    self.subscribers.retain(|s| {
                        !(s.to == from && same(&s.handle, handle.node(), handle.port()))
                    });
                    self.subscribers.push(Subscriber {
                        to: from,
                        handle,
                        period,
                        due: now + period,
                    });
                }
                ProbeRequest::Unsubscribe { node, port } => {
                    self.subscribers
                        .retain(|s| !(s.to == from && same(&s.handle, &node, &port)));
                    if !self
                        .subscribers
                        .iter()
                        .any(|s| same(&s.handle, &node, &port))
                    {
                        controller
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .unprobe(&node, &port);
                    }
                }
            }
        }
    }

    /// The answers due by now, each with its address: one per subscription whose time has
    /// come (its next time a period later, or a period after now if it fell further behind);
    /// an `/error` for each whose node was removed, which ends it.
    pub(crate) fn due(&mut self) -> Vec<(SocketAddr, OscMessage)> {
        let now = self.clock.frames() as f64;
        let mut answers = Vec::new();
        self.subscribers.retain_mut(|s| {
            if now < s.due {
                return true;
            }
            s.due += s.period;
            if s.due <= now {
                s.due = now + s.period;
            }
            let (node, port) = (s.handle.node().to_owned(), s.handle.port().to_owned());
            match s.handle.read() {
                ProbeState::Playing(reading) => {
                    answers.push((s.to, answer(node, port, reading.value)));
                    true
                }
                ProbeState::Waiting => true,
                ProbeState::Removed => {
                    let text = format!("/probe: node `{node}` (output `{port}`) was removed");
                    answers.push((
                        s.to,
                        OscMessage {
                            addr: "/error".into(),
                            args: vec![OscType::String(text)],
                        },
                    ));
                    false
                }
            }
        });
        answers
    }
}

fn same(handle: &ProbeHandle, node: &str, port: &str) -> bool {
    handle.node() == node && handle.port() == port
}

/// `/probe s(node) s(port) f(value)`.
fn answer(node: String, port: String, value: f32) -> OscMessage {
    OscMessage {
        addr: "/probe".into(),
        args: vec![
            OscType::String(node),
            OscType::String(port),
            OscType::Float(value),
        ],
    }
}
