//! Note streams sent as OSC: a [`Destination`] for the engine's note sender.
//!
//! - `/note i f f`: note number, velocity (0 to 1), duration in beats. A note's duration is
//!   known only when it ends, so the message goes out at its note off (the sender's due time
//!   for the off); a receiver that wants to play it as it starts must delay by the longest
//!   note, or follow the port or file instead.
//! - `/cc i i i`: channel (1–16), controller, value (0–127).
//! - `/bend i i`: channel (1–16), value (0–16383, 8192 at rest).

use patchvm_engine::stream::Destination;
use patchvm_engine::vm::{Message, SinkEvent};
use rosc::{OscMessage, OscPacket, OscType, encoder};
use std::net::{SocketAddr, UdpSocket};

/// Where and how loud a held note started: its beat and velocity.
type Started = Option<(f64, u8)>;

/// Sends a note stream to one OSC address over UDP.
#[derive(Debug)]
pub struct OscNotes {
    socket: UdpSocket,
    to: SocketAddr,
    name: String,
    /// The beat and velocity each (channel, note) started at, until its off.
    started: Box<[[Started; 128]; 16]>,
}

impl OscNotes {
    /// A sender to `to`, from an ephemeral local port.
    pub fn connect(to: SocketAddr) -> std::io::Result<OscNotes> {
        let local: SocketAddr = if to.is_ipv4() {
            "0.0.0.0:0".parse().expect("a valid address")
        } else {
            "[::]:0".parse().expect("a valid address")
        };
        Ok(OscNotes {
            socket: UdpSocket::bind(local)?,
            to,
            name: format!("osc {to}"),
            started: Box::new([[None; 128]; 16]),
        })
    }

    fn send_message(&self, addr: &str, args: Vec<OscType>) -> Result<(), String> {
        let packet = OscPacket::Message(OscMessage {
            addr: addr.into(),
            args,
        });
        let bytes = encoder::encode(&packet).map_err(|e| e.to_string())?;
        self.socket
            .send_to(&bytes, self.to)
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

impl Destination for OscNotes {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, event: &SinkEvent) -> Result<(), String> {
        let channel = usize::from(event.channel & 0x0f);
        match event.message {
            Message::On { note, velocity } => {
                self.started[channel][usize::from(note & 0x7f)] = Some((event.beat, velocity));
                Ok(())
            }
            Message::Off { note } => {
                let Some((beat, velocity)) = self.started[channel][usize::from(note & 0x7f)].take()
                else {
                    return Ok(());
                };
                self.send_message(
                    "/note",
                    vec![
                        OscType::Int(i32::from(note)),
                        OscType::Float(f32::from(velocity) / 127.0),
                        OscType::Float((event.beat - beat) as f32),
                    ],
                )
            }
            Message::Cc { cc, value } => self.send_message(
                "/cc",
                vec![
                    OscType::Int(channel as i32 + 1),
                    OscType::Int(i32::from(cc)),
                    OscType::Int(i32::from(value)),
                ],
            ),
            Message::Bend { value } => self.send_message(
                "/bend",
                vec![
                    OscType::Int(channel as i32 + 1),
                    OscType::Int(i32::from(value)),
                ],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rosc::decoder;

    #[test]
    fn a_note_goes_out_at_its_off_with_its_duration_in_beats() {
        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        let mut notes = OscNotes::connect(receiver.local_addr().unwrap()).unwrap();
        let event = |beat, message| SinkEvent {
            time: 0,
            beat,
            sink: 0,
            channel: 1,
            message,
        };
        let on = Message::On {
            note: 64,
            velocity: 127,
        };
        notes.send(&event(1.0, on)).unwrap();
        notes.send(&event(2.5, Message::Off { note: 64 })).unwrap();
        notes
            .send(&event(3.0, Message::Cc { cc: 7, value: 100 }))
            .unwrap();
        let mut buffer = [0; 512];
        let mut received = Vec::new();
        for _ in 0..2 {
            let n = receiver.recv(&mut buffer).unwrap();
            match decoder::decode_udp(&buffer[..n]).unwrap().1 {
                OscPacket::Message(message) => received.push((message.addr, message.args)),
                OscPacket::Bundle(_) => panic!("a bundle"),
            }
        }
        assert_eq!(
            received,
            [
                (
                    "/note".to_owned(),
                    vec![OscType::Int(64), OscType::Float(1.0), OscType::Float(1.5)]
                ),
                (
                    "/cc".to_owned(),
                    vec![OscType::Int(2), OscType::Int(7), OscType::Int(100)]
                ),
            ]
        );
    }
}
