//! The listening socket, its accept thread and the list of subscribers.

use crate::subscriber::Subscriber;
use patchvm_engine::StoppableThread;
use std::io::{self, ErrorKind};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How long the accept thread sleeps when no one is connecting before it looks again (and at
/// its stop flag): a subscriber connects at most this late.
const ACCEPT_POLL: Duration = Duration::from_millis(20);

/// A WebSocket server broadcasting text to its subscribers. Dropping it closes every
/// connection and ends its threads.
#[derive(Debug)]
pub struct WsServer {
    local_addr: SocketAddr,
    shared: Arc<Shared>,
    /// Declared last so it stops after the subscribers' queues are dropped.
    accept: StoppableThread,
}

/// What the server has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WsStats {
    /// Subscribers connected now.
    pub subscribers: usize,
    /// Messages published.
    pub published: u64,
    /// Copies of messages a subscriber lost because its queue was full.
    pub dropped: u64,
}

/// The state the accept thread and the publisher share.
#[derive(Debug, Default)]
struct Shared {
    subscribers: Mutex<Vec<Subscriber>>,
    /// Signalled when a subscriber joins, for [`WsServer::wait_for_subscribers`].
    joined: Condvar,
    published: AtomicU64,
    dropped: AtomicU64,
}

impl Shared {
    fn subscribers(&self) -> MutexGuard<'_, Vec<Subscriber>> {
        // A panic while holding the list leaves it a plain list of queues: still usable.
        self.subscribers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl WsServer {
    /// Listens at `addr` (port 0 picks a free port). Bind to loopback unless other machines
    /// must subscribe: there is no authentication, though subscribers can only listen.
    pub fn bind(addr: SocketAddr) -> io::Result<WsServer> {
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let local_addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let accept = StoppableThread::spawn("patchvm-ws", {
            let shared = Arc::clone(&shared);
            move |stop| {
                while !stop.load(Ordering::Acquire) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            if let Ok(subscriber) = Subscriber::spawn(stream) {
                                shared.subscribers().push(subscriber);
                                shared.joined.notify_all();
                            }
                        }
                        Err(error) if error.kind() == ErrorKind::WouldBlock => {
                            std::thread::sleep(ACCEPT_POLL);
                        }
                        // A connection that failed before it was accepted is the client's
                        // problem; keep listening.
                        Err(_) => std::thread::sleep(ACCEPT_POLL),
                    }
                }
            }
        })?;
        Ok(WsServer {
            local_addr,
            shared,
            accept,
        })
    }

    /// The address subscribers connect to (`ws://ADDR`).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Queues `text` for every subscriber without waiting; a subscriber whose queue is full
    /// loses it (counted in [`WsStats::dropped`]), and one that has hung up is forgotten.
    pub fn publish(&self, text: &str) {
        let message: Arc<str> = Arc::from(text);
        let mut dropped = 0;
        self.shared
            .subscribers()
            .retain(|subscriber| match subscriber.offer(&message) {
                Ok(true) => true,
                Ok(false) => {
                    dropped += 1;
                    true
                }
                Err(_) => false,
            });
        self.shared.published.fetch_add(1, Ordering::Relaxed);
        self.shared.dropped.fetch_add(dropped, Ordering::Relaxed);
    }

    /// The counters so far.
    pub fn stats(&self) -> WsStats {
        WsStats {
            subscribers: self.shared.subscribers().len(),
            published: self.shared.published.load(Ordering::Relaxed),
            dropped: self.shared.dropped.load(Ordering::Relaxed),
        }
    }

    /// Waits until at least `count` subscribers have completed their handshake, or `timeout`
    /// has passed: whether they have. For a caller that must not publish before its first
    /// listener is there (tests, a preview page that wants the stream from its start).
    pub fn wait_for_subscribers(&self, count: usize, timeout: Duration) -> bool {
        let subscribers = self.shared.subscribers();
        let (subscribers, _) = self
            .shared
            .joined
            .wait_timeout_while(subscribers, timeout, |subscribers| {
                subscribers.len() < count
            })
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        subscribers.len() >= count
    }
}

impl Drop for WsServer {
    fn drop(&mut self) {
        // Dropping the subscribers closes their queues, which ends their threads.
        self.shared.subscribers().clear();
        self.accept.request_stop();
    }
}
