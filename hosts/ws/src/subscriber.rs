//! One connected subscriber: its bounded queue and the thread that writes it to the socket.

use patchvm_engine::StoppableThread;
use std::io;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TrySendError};
use std::time::Duration;
use tungstenite::{Message, WebSocket};

/// Messages a subscriber may fall behind by before it loses them: at a note per 10 ms,
/// ten seconds of a stalled connection.
pub(crate) const QUEUE: usize = 1024;

/// How long a handshake may take: a client that connects and says nothing is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a subscriber may take to accept one message before it is dropped: a client
/// that stopped reading (a phone gone to sleep) costs nothing for longer than this.
const STALL_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the writer waits for a message before it reads the socket (for the client's
/// close and pings) and looks at its stop flag.
const POLL: Duration = Duration::from_millis(50);

/// A subscriber as the publisher sees it: a queue. Dropping it stops its thread.
#[derive(Debug)]
pub(crate) struct Subscriber {
    queue: SyncSender<Arc<str>>,
    /// Kept so the thread is joined when the subscriber is forgotten.
    _thread: StoppableThread,
}

/// The subscriber has gone: its connection closed or failed.
#[derive(Debug)]
pub(crate) struct Gone;

impl Subscriber {
    /// Completes the WebSocket handshake on a thread of its own, then writes what is
    /// offered to it until the client leaves or the subscriber is dropped.
    pub(crate) fn spawn(stream: TcpStream) -> io::Result<Subscriber> {
        let (queue, messages) = mpsc::sync_channel::<Arc<str>>(QUEUE);
        stream.set_nonblocking(false)?;
        stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT))?;
        stream.set_write_timeout(Some(HANDSHAKE_TIMEOUT))?;
        let thread = StoppableThread::spawn("patchvm-ws-subscriber", move |stop| {
            let Ok(mut socket) = tungstenite::accept(stream) else {
                return;
            };
            let stream = socket.get_ref();
            if stream.set_read_timeout(Some(POLL)).is_err()
                || stream.set_write_timeout(Some(STALL_TIMEOUT)).is_err()
            {
                return;
            }
            // What was published before the server stopped is still written (the end of a
            // stream is its last message); the stop is heeded once the queue is empty.
            loop {
                match messages.recv_timeout(POLL) {
                    Ok(text) => {
                        if socket.send(Message::text(&*text)).is_err() {
                            return;
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        if stop.load(Ordering::Acquire) || !still_open(&mut socket) {
                            break;
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            }
            let _ = socket.close(None);
            let _ = socket.flush();
        })?;
        Ok(Subscriber {
            queue,
            _thread: thread,
        })
    }

    /// Queues `message`: `Ok(true)` if queued, `Ok(false)` if the queue was full and the
    /// message is lost for this subscriber.
    pub(crate) fn offer(&self, message: &Arc<str>) -> Result<bool, Gone> {
        match self.queue.try_send(Arc::clone(message)) {
            Ok(()) => Ok(true),
            Err(TrySendError::Full(_)) => Ok(false),
            Err(TrySendError::Disconnected(_)) => Err(Gone),
        }
    }
}

/// Reads what the client sent (pings are answered by tungstenite, messages ignored: a
/// subscriber only listens) and says whether the connection is still open.
fn still_open(socket: &mut WebSocket<TcpStream>) -> bool {
    match socket.read() {
        Ok(Message::Close(_)) => false,
        Ok(_) => true,
        Err(tungstenite::Error::Io(error))
            if matches!(
                error.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            true
        }
        Err(_) => false,
    }
}
