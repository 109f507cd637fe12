//! A live engine behind an OSC server, and the clients that talk to it: Debian's `oscsend`
//! (liblo-tools) as a subprocess (rosc's encoder where it is not installed), and an
//! in-process rosc socket that also reads replies.

use patchvm::engine::{AudioHalf, Controller, Engine, EngineSettings};
use patchvm::ir::{Limits, Patch};
use patchvm::osc::{OscHandle, OscServer, OscStats};
use rosc::{OscMessage, OscPacket, OscType, decoder, encoder};
use std::net::{SocketAddr, UdpSocket};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a test waits for the server before failing.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A mono engine at 48 kHz playing `patch`, its controller shared with an OSC server on a
/// free loopback port. The test thread renders the audio half.
#[derive(Debug)]
pub struct Rig {
    /// The controller, shared with the server.
    pub controller: Arc<Mutex<Controller>>,
    /// The audio half, rendered by the test.
    pub audio: AudioHalf,
    /// The server.
    pub server: OscHandle,
}

impl Rig {
    /// Plays `patch` and starts the server.
    pub fn new(patch: Patch) -> Rig {
        let settings = EngineSettings {
            channels: 1,
            ..EngineSettings::default()
        };
        let (mut controller, audio) = Engine::new(settings, Limits::default());
        controller.load_patch(patch).expect("the rig's patch plays");
        let controller = Arc::new(Mutex::new(controller));
        let server = OscServer::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .and_then(|server| server.spawn(Arc::clone(&controller)))
            .expect("an OSC server on a free loopback port");
        Rig {
            controller,
            audio,
            server,
        }
    }

    /// Renders `frames` mono samples.
    pub fn render(&mut self, frames: usize) -> Vec<f32> {
        let mut out = vec![0.0; frames];
        self.audio.process(&mut out);
        out
    }

    /// Waits until the server's counters satisfy `done`, rendering a block every
    /// millisecond or so meanwhile as a sound card would; panics after [`PATIENCE`].
    pub fn wait_for(&mut self, what: &str, done: impl Fn(&OscStats) -> bool) -> OscStats {
        let start = Instant::now();
        loop {
            let stats = self.server.stats();
            if done(&stats) {
                return stats;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited {PATIENCE:?} for {what}; {stats:?}"
            );
            self.render(patchvm::vm::MAX_BLOCK);
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.server.local_addr().port()
    }
}

/// Sends `ADDRESS TYPES ARGS…` to the server on `port` as `oscsend 127.0.0.1 PORT ADDRESS
/// TYPES ARGS…` would: with Debian's `oscsend` (liblo-tools,
/// which CI installs) where it is on the `PATH`, else the same message encoded by rosc (not
/// the server's code either) from a socket of its own. Which one ran is printed, so a run
/// never quietly tests less than it says.
pub fn oscsend(port: u16, address: &str, types: &str, args: &[&str]) {
    match Command::new("oscsend")
        .arg("127.0.0.1")
        .arg(port.to_string())
        .arg(address)
        .arg(types)
        .args(args)
        .output()
    {
        Ok(output) => {
            assert!(
                output.status.success(),
                "oscsend {address} {types} {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            eprintln!("{address} sent by oscsend (liblo-tools)");
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let message = message(address, typed(types, args));
            let socket = UdpSocket::bind("127.0.0.1:0").expect("a loopback socket");
            let bytes = encoder::encode(&message).expect("an encodable message");
            socket
                .send_to(&bytes, SocketAddr::from(([127, 0, 0, 1], port)))
                .expect("a datagram sent on loopback");
            eprintln!("{address} sent by rosc: `oscsend` is not installed (liblo-tools)");
        }
        Err(error) => panic!("cannot run `oscsend`: {error}"),
    }
}

/// `args` read as `oscsend` reads them, one per type tag in `types`.
fn typed(types: &str, args: &[&str]) -> Vec<OscType> {
    let mut args = args.iter();
    let mut next = |tag: char| {
        args.next()
            .unwrap_or_else(|| panic!("type `{tag}` has no argument"))
    };
    types
        .chars()
        .map(|tag| match tag {
            's' => OscType::String((*next(tag)).to_owned()),
            'i' => OscType::Int(next(tag).parse().expect("an i32")),
            'h' => OscType::Long(next(tag).parse().expect("an i64")),
            'f' => OscType::Float(next(tag).parse().expect("an f32")),
            'd' => OscType::Double(next(tag).parse().expect("an f64")),
            'T' => OscType::Bool(true),
            'F' => OscType::Bool(false),
            'N' => OscType::Nil,
            'I' => OscType::Inf,
            other => panic!("type `{other}` is not one the tests send"),
        })
        .collect()
}

/// An OSC client socket on a free loopback port.
#[derive(Debug)]
pub struct Client {
    socket: UdpSocket,
    server: SocketAddr,
}

impl Client {
    /// A client of the server at `server`.
    pub fn new(server: SocketAddr) -> Client {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("a loopback socket");
        socket
            .set_read_timeout(Some(PATIENCE))
            .expect("a read timeout");
        Client { socket, server }
    }

    /// Sends raw bytes as one datagram.
    pub fn send_bytes(&self, bytes: &[u8]) {
        self.socket
            .send_to(bytes, self.server)
            .expect("a datagram sent on loopback");
    }

    /// Sends a packet.
    pub fn send(&self, packet: &OscPacket) {
        self.send_bytes(&encoder::encode(packet).expect("an encodable packet"));
    }

    /// Sends a message.
    pub fn send_message(&self, addr: &str, args: Vec<OscType>) {
        self.send(&message(addr, args));
    }

    /// The next reply, or `None` after [`PATIENCE`].
    pub fn receive(&self) -> Option<OscMessage> {
        self.receive_within(PATIENCE)
    }

    /// The next reply, or `None` after `timeout`.
    pub fn receive_within(&self, timeout: Duration) -> Option<OscMessage> {
        self.socket
            .set_read_timeout(Some(timeout))
            .expect("a read timeout");
        let mut buffer = vec![0u8; 65_536];
        let (len, _) = self.socket.recv_from(&mut buffer).ok()?;
        match decoder::decode_udp(&buffer[..len]) {
            Ok((_, OscPacket::Message(message))) => Some(message),
            other => panic!("the server replied with something other than a message: {other:?}"),
        }
    }

    /// Sends `/ping i(tag)` and reads replies until its `/pong`, returning the replies read
    /// before it.
    pub fn sync(&self, tag: i32) -> Vec<OscMessage> {
        self.send_message("/ping", vec![OscType::Int(tag)]);
        let mut before = Vec::new();
        loop {
            let reply = self.receive().expect("a /pong before the timeout");
            if reply.addr == "/pong" && reply.args == [OscType::Int(tag)] {
                return before;
            }
            before.push(reply);
        }
    }
}

/// An OSC message packet.
pub fn message(addr: &str, args: Vec<OscType>) -> OscPacket {
    OscPacket::Message(OscMessage {
        addr: addr.into(),
        args,
    })
}

/// A string argument.
pub fn s(text: &str) -> OscType {
    OscType::String(text.into())
}
