//! The UDP socket and the thread that serves it.

use super::clip_events;
use super::dispatch::Dispatcher;
use super::guard::MAX_DATAGRAM;
use super::probes::Subscribers;
use super::stats::{Counters, OscStats};
use patchvm_engine::{Controller, StoppableThread};
use rosc::{OscMessage, OscPacket, encoder};
use std::io::{self, ErrorKind};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long the thread waits for a datagram before looking whether it should stop (a stop
/// also wakes it at once with an empty datagram) and taking the audio half's latest call into
/// the model of the audio clock that time tags map through, so the model follows the audio
/// while no datagram comes.
const POLL: Duration = Duration::from_millis(10);

/// A bound OSC socket, not yet serving.
#[derive(Debug)]
pub struct OscServer {
    socket: UdpSocket,
    /// Whether good commands are answered `/ack ADDRESS` ([`Dispatcher::acknowledging`]).
    ack: bool,
}

impl OscServer {
    /// Binds a UDP socket at `addr` (port 0 picks a free port). Bind to `127.0.0.1` (see
    /// [`address`](super::address)) unless other machines must reach it: OSC has no
    /// authentication, and whoever can send to the port can change the patch.
    pub fn bind(addr: SocketAddr) -> io::Result<OscServer> {
        let socket = UdpSocket::bind(addr)?;
        socket.set_read_timeout(Some(POLL))?;
        Ok(OscServer { socket, ack: false })
    }

    /// Answers each good command that has no answer of its own with `/ack ADDRESS`.
    pub fn acknowledging(mut self, ack: bool) -> OscServer {
        self.ack = ack;
        self
    }

    /// The address the socket is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Serves on a thread of its own until the handle is stopped or dropped. Each datagram
    /// is decoded with the lock free, then its commands run under one hold of
    /// `controller`'s lock, released before any reply is sent.
    pub fn spawn(self, controller: Arc<Mutex<Controller>>) -> io::Result<OscHandle> {
        let local_addr = self.socket.local_addr()?;
        let dispatcher = match controller.lock() {
            Ok(controller) => Dispatcher::new(&controller),
            Err(poisoned) => Dispatcher::new(&poisoned.into_inner()),
        }
        .acknowledging(self.ack);
        let counters = dispatcher.counters();
        let thread = StoppableThread::spawn("patchvm-osc", move |stop| {
            serve(&self.socket, &dispatcher, &controller, stop);
        })?;
        Ok(OscHandle {
            local_addr,
            counters,
            thread,
        })
    }
}

/// A running OSC server. Stopping it (or dropping it) ends its thread and waits for it.
#[derive(Debug)]
pub struct OscHandle {
    local_addr: SocketAddr,
    counters: Arc<Counters>,
    thread: StoppableThread,
}

impl OscHandle {
    /// The address clients send to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The server's counters so far.
    pub fn stats(&self) -> OscStats {
        self.counters.snapshot()
    }

    /// Stops the server and waits for its thread to end.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if self.thread.is_finished() {
            return;
        }
        self.thread.request_stop();
        // Wake the thread from its wait. If this fails it wakes within `POLL` anyway.
        wake(self.local_addr);
        // A panic on the server thread has already been reported by the panic hook; there
        // is nothing more to do with it here, least of all in a destructor.
        let _ = self.thread.join();
    }
}

impl Drop for OscHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Sends an empty datagram to the server at `addr` (its loopback address if it listens on
/// every interface).
fn wake(mut addr: SocketAddr) {
    let (loopback, unspecified): (IpAddr, IpAddr) = match addr {
        SocketAddr::V4(_) => (Ipv4Addr::LOCALHOST.into(), Ipv4Addr::UNSPECIFIED.into()),
        SocketAddr::V6(_) => (Ipv6Addr::LOCALHOST.into(), Ipv6Addr::UNSPECIFIED.into()),
    };
    if addr.ip().is_unspecified() {
        addr.set_ip(loopback);
    }
    if let Ok(socket) = UdpSocket::bind(SocketAddr::new(unspecified, 0)) {
        let _ = socket.send_to(&[], addr);
    }
}

fn serve(
    socket: &UdpSocket,
    dispatcher: &Dispatcher,
    controller: &Mutex<Controller>,
    stop: &AtomicBool,
) {
    // One byte more than the largest datagram taken, so a truncated read shows as too large.
    let mut buffer = vec![0u8; MAX_DATAGRAM + 1];
    let counters = dispatcher.counters();
    let clock = controller
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .audio_clock();
    // Who hears the clip events: whoever last sent a datagram.
    let mut listener: Option<SocketAddr> = None;
    let mut probes = Subscribers::new(controller);
    while !stop.load(Ordering::Acquire) {
        let received = match socket.recv_from(&mut buffer) {
            Ok(received) => Some(received),
            Err(error)
                if matches!(
                    error.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) =>
            {
                clock.update();
                None
            }
            Err(_) => {
                // An error about an earlier datagram (e.g. ICMP port unreachable for a
                // reply): nothing to do but not spin on it.
                std::thread::sleep(Duration::from_millis(1));
                None
            }
        };
        if stop.load(Ordering::Acquire) {
            break;
        }
        if let Some((len, from)) = received {
            if len > 0 {
                listener = Some(from);
            }
            for reply in dispatcher.datagram(&buffer[..len], controller) {
                send(socket, &reply, from, &counters);
            }
            probes.take(dispatcher.take_probe_requests(), from, controller);
        }
        for (to, message) in probes.due() {
            send(socket, &message, to, &counters);
        }
        for message in clip_events::take(controller) {
            if let Some(to) = listener {
                send(socket, &message, to, &counters);
            }
        }
    }
}

/// Sends `message` to `to`, counting it lost if it cannot go.
fn send(socket: &UdpSocket, message: &OscMessage, to: SocketAddr, counters: &Counters) {
    let sent = encoder::encode(&OscPacket::Message(message.clone()))
        .ok()
        .and_then(|bytes| socket.send_to(&bytes, to).ok());
    if sent.is_none() {
        Counters::count(&counters.replies_lost);
    }
}
