//! What the OSC server has seen and done, counted.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The server's counters, as read at one moment.
///
/// They add up: every datagram is either `malformed` or decoded into messages (a bundle
/// into as many as it holds, possibly none), and every message is exactly one of
/// `applied`, `unknown_address`, `wrong_arguments` or `failed`. Each of the last two is
/// answered with an `/error`, so `errors_replied` is their sum; `replies_lost` counts the
/// replies (of any kind) the socket then failed to send.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OscStats {
    /// Datagrams received.
    pub datagrams: u64,
    /// Datagrams refused by the pre-decoding guard or that rosc could not decode.
    pub malformed: u64,
    /// Messages decoded, bundles counted by the messages they hold.
    pub messages: u64,
    /// Messages that did what they ask (including `/ping` and `/status`).
    pub applied: u64,
    /// Messages to an address the server does not know (ignored, not answered).
    pub unknown_address: u64,
    /// Messages to a known address with the wrong argument types or count.
    pub wrong_arguments: u64,
    /// Well-typed messages the engine refused: an unknown node, an invalid patch, a value
    /// out of range.
    pub failed: u64,
    /// `/error` replies made.
    pub errors_replied: u64,
    /// Replies that could not be sent.
    pub replies_lost: u64,
}

/// The live counters, shared by the server's thread and its handle.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) datagrams: AtomicU64,
    pub(crate) malformed: AtomicU64,
    pub(crate) messages: AtomicU64,
    pub(crate) applied: AtomicU64,
    pub(crate) unknown_address: AtomicU64,
    pub(crate) wrong_arguments: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) errors_replied: AtomicU64,
    pub(crate) replies_lost: AtomicU64,
}

impl Counters {
    pub(crate) fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }

    pub(crate) fn snapshot(&self) -> OscStats {
        OscStats {
            datagrams: self.datagrams.load(Relaxed),
            malformed: self.malformed.load(Relaxed),
            messages: self.messages.load(Relaxed),
            applied: self.applied.load(Relaxed),
            unknown_address: self.unknown_address.load(Relaxed),
            wrong_arguments: self.wrong_arguments.load(Relaxed),
            failed: self.failed.load(Relaxed),
            errors_replied: self.errors_replied.load(Relaxed),
            replies_lost: self.replies_lost.load(Relaxed),
        }
    }
}
