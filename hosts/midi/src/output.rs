//! Note streams to a live MIDI port (midir; the `ports` feature): a [`Destination`] for the
//! engine's note sender. With no port named, on Linux and macOS, a virtual output port named
//! `patchvm` that other programs connect to. A named port that vanishes mid-session is
//! reported (each failed send is the sender's error) and reconnected, at most once a second,
//! while the audio plays on.

use crate::input::{MidiInError, choose};
use patchvm_engine::stream::Destination;
use patchvm_engine::vm::SinkEvent;
use std::time::{Duration, Instant};

/// How often a lost port is looked for again.
const RETRY: Duration = Duration::from_secs(1);

/// A MIDI output port the note sender sends to.
pub struct MidiPortOut {
    /// The port asked for; `None` for the virtual port.
    wanted: Option<String>,
    name: String,
    connection: Option<midir::MidiOutputConnection>,
    last_try: Instant,
}

impl std::fmt::Debug for MidiPortOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MidiPortOut")
            .field("name", &self.name)
            .field("connected", &self.connection.is_some())
            .finish_non_exhaustive()
    }
}

impl MidiPortOut {
    /// Connects to the output port `wanted` names (its index, or text its name contains), or
    /// with `None` opens a virtual port named `patchvm`.
    pub fn open(wanted: Option<&str>) -> Result<MidiPortOut, MidiInError> {
        let (connection, name) = connect(wanted)?;
        Ok(MidiPortOut {
            wanted: wanted.map(str::to_owned),
            name,
            connection: Some(connection),
            last_try: Instant::now(),
        })
    }
}

fn connect(wanted: Option<&str>) -> Result<(midir::MidiOutputConnection, String), MidiInError> {
    let output = midir::MidiOutput::new("patchvm")
        .map_err(|error| MidiInError::Unavailable(error.to_string()))?;
    let Some(wanted) = wanted else {
        return virtual_port(output);
    };
    let ports = output.ports();
    let names: Vec<String> = ports
        .iter()
        .map(|port| output.port_name(port).unwrap_or_else(|_| "?".to_owned()))
        .collect();
    let index = choose(&names, wanted)?;
    let connection = output
        .connect(&ports[index], "patchvm-out")
        .map_err(|error| MidiInError::Connect(error.to_string()))?;
    Ok((connection, names[index].clone()))
}

#[cfg(unix)]
fn virtual_port(
    output: midir::MidiOutput,
) -> Result<(midir::MidiOutputConnection, String), MidiInError> {
    use midir::os::unix::VirtualOutput;
    let connection = output
        .create_virtual("patchvm")
        .map_err(|error| MidiInError::Connect(error.to_string()))?;
    Ok((connection, "patchvm (virtual)".to_owned()))
}

#[cfg(not(unix))]
fn virtual_port(
    _: midir::MidiOutput,
) -> Result<(midir::MidiOutputConnection, String), MidiInError> {
    Err(MidiInError::Connect(
        "this system has no virtual MIDI ports; name a port".to_owned(),
    ))
}

impl Destination for MidiPortOut {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, event: &SinkEvent) -> Result<(), String> {
        if self.connection.is_none() && self.last_try.elapsed() >= RETRY {
            self.last_try = Instant::now();
            if let Ok((connection, _)) = connect(self.wanted.as_deref()) {
                self.connection = Some(connection);
            }
        }
        let Some(connection) = &mut self.connection else {
            return Err("the port is gone; looking for it again every second".to_owned());
        };
        let bytes = event.message.bytes(event.channel);
        let length = match bytes[0] & 0xf0 {
            0xc0 | 0xd0 => 2,
            _ => 3,
        };
        connection.send(&bytes[..length]).map_err(|error| {
            self.connection = None;
            self.last_try = Instant::now();
            format!("{error}; looking for the port again every second")
        })
    }
}
