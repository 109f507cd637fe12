//! WebSocket out: a server that hands every subscriber (a browser or phone preview of a
//! playing patch) the same stream of text messages: JSON note events and metrics
//! ([`WsNotes`], a destination of the engine's note sender).
//!
//! Publishing never waits for the network. Each subscriber has a bounded queue served by a
//! thread of its own; a subscriber too slow to keep up loses messages (counted), never
//! slows the publisher or the other subscribers, and one that hangs up is forgotten.
//!
//! ```
//! use patchvm_ws::WsServer;
//! use std::net::SocketAddr;
//! use std::time::Duration;
//!
//! let server = WsServer::bind(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
//! let url = format!("ws://{}", server.local_addr());
//! let (mut client, _) = tungstenite::connect(url.as_str()).unwrap();
//! assert!(server.wait_for_subscribers(1, Duration::from_secs(10)));
//! server.publish(r#"{"type":"note","note":60}"#);
//! let message = client.read().unwrap();
//! assert_eq!(message.to_text().unwrap(), r#"{"type":"note","note":60}"#);
//! ```

#![deny(missing_docs)]

mod notes;
mod server;
mod subscriber;

pub use notes::{WsNotes, event_json, metrics_json};
pub use server::{WsServer, WsStats};
