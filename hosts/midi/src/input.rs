//! Live MIDI input (midir; the `midi` feature): opens a port by name or index and forwards
//! each message, with its timestamp, to a bounded `std::sync::mpsc` channel that the control
//! side drains into [`Controller::midi`](patchvm_engine::Controller::midi).
//!
//! midir calls back on a thread of its own, never the audio thread, so a channel is the
//! right hand-off: the callback never blocks (a full channel drops the message and counts
//! it), and whoever owns the controller receives at its own pace.
//!
//! ```no_run
//! use patchvm_engine::{At, Engine, EngineSettings};
//! use patchvm_midi::input;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let (mut controller, _audio) = Engine::new(EngineSettings::default(), Default::default());
//! println!("{:?}", input::port_names()?);
//! let (_port, messages) = input::open("0", 1024)?; // the first port; or part of its name
//! for message in messages.iter().take(16) {
//!     controller.midi(message.bytes(), At::Now)?;
//! }
//! # Ok(()) }
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::Instant;

/// The longest message forwarded: channel messages are at most 3 bytes; system exclusive
/// and the like are dropped (the engine ignores them anyway) and counted.
const MAX_MESSAGE: usize = 3;

/// A MIDI message as it arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimedMessage {
    /// midir's timestamp, in microseconds from an arbitrary origin of the port's.
    pub micros: u64,
    /// When the callback received it: what the port's origin is learnt from
    /// ([`PortTimer`](crate::timestamps::PortTimer)).
    pub arrived: Instant,
    bytes: [u8; MAX_MESSAGE],
    len: u8,
}

impl TimedMessage {
    /// The message's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// Why a port could not be opened.
#[derive(Debug, PartialEq, Eq)]
pub enum MidiInError {
    /// The system's MIDI (ALSA's sequencer on Linux) is not available.
    Unavailable(String),
    /// No port has this index or a name containing this text; the ports there are.
    NoSuchPort {
        /// What was asked for.
        wanted: String,
        /// The ports' names.
        ports: Vec<String>,
    },
    /// The port was found but could not be connected to.
    Connect(String),
}

impl std::fmt::Display for MidiInError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MidiInError::Unavailable(why) => write!(f, "MIDI input is not available: {why}"),
            MidiInError::NoSuchPort { wanted, ports } if ports.is_empty() => {
                write!(f, "no MIDI input port `{wanted}`: there are no ports")
            }
            MidiInError::NoSuchPort { wanted, ports } => write!(
                f,
                "no MIDI input port `{wanted}`; the ports are: {}",
                ports
                    .iter()
                    .enumerate()
                    .map(|(index, name)| format!("{index} `{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            MidiInError::Connect(why) => write!(f, "cannot connect to the MIDI port: {why}"),
        }
    }
}

impl std::error::Error for MidiInError {}

/// An open input port: messages flow while it lives; dropping it closes the port.
pub struct MidiIn {
    _connection: midir::MidiInputConnection<()>,
    name: String,
    dropped: Arc<AtomicU64>,
}

impl std::fmt::Debug for MidiIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MidiIn")
            .field("name", &self.name)
            .field("dropped", &self.dropped())
            .finish_non_exhaustive()
    }
}

impl MidiIn {
    /// The port's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Messages dropped because the channel was full or they were too long.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Relaxed)
    }
}

/// The input ports there are, by index.
pub fn port_names() -> Result<Vec<String>, MidiInError> {
    let input = new_input()?;
    Ok(names(&input, &input.ports()))
}

/// Opens the input port `wanted` — its index, or text its name contains (case-insensitive;
/// the first match) — and forwards its messages to the returned receiver, which holds up to
/// `capacity` of them.
pub fn open(
    wanted: &str,
    capacity: usize,
) -> Result<(MidiIn, Receiver<TimedMessage>), MidiInError> {
    let mut input = new_input()?;
    input.ignore(midir::Ignore::None);
    // Listed once: the index chosen by name is the index of the port connected.
    let ports = input.ports();
    let names = names(&input, &ports);
    let index = choose(&names, wanted)?;
    let (sender, receiver) = sync_channel(capacity.max(1));
    let forwarder = Forwarder::new(sender);
    let dropped = Arc::clone(&forwarder.dropped);
    let connection = input
        .connect(
            &ports[index],
            "patchvm-in",
            move |micros, bytes, _| forwarder.forward(micros, bytes),
            (),
        )
        .map_err(|error| MidiInError::Connect(error.to_string()))?;
    let port = MidiIn {
        _connection: connection,
        name: names[index].clone(),
        dropped,
    };
    Ok((port, receiver))
}

fn new_input() -> Result<midir::MidiInput, MidiInError> {
    midir::MidiInput::new("patchvm").map_err(|error| MidiInError::Unavailable(error.to_string()))
}

/// The names of `ports`, in their order.
fn names(input: &midir::MidiInput, ports: &[midir::MidiInputPort]) -> Vec<String> {
    ports
        .iter()
        .map(|port| input.port_name(port).unwrap_or_else(|_| "?".to_owned()))
        .collect()
}

/// The index of the port `wanted` names: an index in range, else the first name containing
/// it, ignoring case.
pub fn choose(names: &[String], wanted: &str) -> Result<usize, MidiInError> {
    let by_index = wanted
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|&index| index < names.len());
    let lower = wanted.to_lowercase();
    by_index
        .or_else(|| {
            names
                .iter()
                .position(|name| !lower.is_empty() && name.to_lowercase().contains(&lower))
        })
        .ok_or_else(|| MidiInError::NoSuchPort {
            wanted: wanted.to_owned(),
            ports: names.to_vec(),
        })
}

/// What midir's callback runs: copies a message into the channel without blocking.
#[derive(Debug)]
pub struct Forwarder {
    sender: SyncSender<TimedMessage>,
    dropped: Arc<AtomicU64>,
}

impl Forwarder {
    /// A forwarder into `sender`.
    pub fn new(sender: SyncSender<TimedMessage>) -> Forwarder {
        Forwarder {
            sender,
            dropped: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Sends `bytes` stamped `micros`, arrived now; drops (and counts) an empty or too long
    /// message, or one the full channel cannot take. Never blocks.
    pub fn forward(&self, micros: u64, bytes: &[u8]) {
        self.forward_at(micros, Instant::now(), bytes);
    }

    /// [`forward`](Forwarder::forward) for a message that arrived at `arrived`.
    pub fn forward_at(&self, micros: u64, arrived: Instant, bytes: &[u8]) {
        if bytes.is_empty() || bytes.len() > MAX_MESSAGE {
            self.dropped.fetch_add(1, Relaxed);
            return;
        }
        let mut message = TimedMessage {
            micros,
            arrived,
            bytes: [0; MAX_MESSAGE],
            len: bytes.len() as u8,
        };
        message.bytes[..bytes.len()].copy_from_slice(bytes);
        match self.sender.try_send(message) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => {
                self.dropped.fetch_add(1, Relaxed);
            }
        }
    }

    /// Messages dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use patchvm_engine::{At, Engine, EngineSettings};

    #[test]
    fn ports_are_chosen_by_index_or_by_part_of_their_name() {
        let names = ["Midi Through Port-0".to_owned(), "KeyStep 37".to_owned()];
        assert_eq!(choose(&names, "1"), Ok(1));
        assert_eq!(choose(&names, "keystep"), Ok(1));
        assert_eq!(choose(&names, "through"), Ok(0));
        for wanted in ["2", "nanoKEY", ""] {
            let error = choose(&names, wanted).unwrap_err();
            assert!(error.to_string().contains("1 `KeyStep 37`"), "{error}");
        }
        assert!(
            choose(&[], "0")
                .unwrap_err()
                .to_string()
                .contains("no ports")
        );
    }

    #[test]
    fn forwarded_messages_reach_the_controller_and_overflow_is_counted() {
        let (sender, receiver) = sync_channel(3);
        let forwarder = Forwarder::new(sender);
        forwarder.forward(10, &[0x90, 69, 127]);
        forwarder.forward(20, &[0xF0, 1, 2, 3, 0xF7]);
        forwarder.forward(30, &[]);
        forwarder.forward(40, &[0xC0, 5]);
        forwarder.forward(50, &[0x80, 69, 0]);
        forwarder.forward(60, &[0xB0, 64, 127]);
        assert_eq!(
            forwarder.dropped(),
            3,
            "too long, empty, and one over capacity"
        );
        let messages: Vec<TimedMessage> = receiver.try_iter().collect();
        let stamps: Vec<u64> = messages.iter().map(|m| m.micros).collect();
        assert_eq!(stamps, [10, 40, 50]);
        assert_eq!(messages[1].bytes(), [0xC0, 5]);

        let settings = EngineSettings {
            channels: 1,
            ..EngineSettings::default()
        };
        let (mut controller, _audio) = Engine::new(settings, Default::default());
        for message in &messages {
            controller.midi(message.bytes(), At::Now).unwrap();
        }
        assert_eq!(controller.ignored_midi(), 1, "the program change");
    }

    #[test]
    fn a_missing_port_is_a_clean_error() {
        // Whether or not this machine has MIDI at all, there is no such port.
        match open("no such port anywhere 7f3a", 16) {
            Err(MidiInError::Unavailable(_) | MidiInError::NoSuchPort { .. }) => {}
            other => panic!("expected a clean error, got {other:?}"),
        }
    }
}
