//! Note streams as JSON for WebSocket subscribers: a [`Destination`] for the engine's note
//! sender, and the sender's metrics in the same form.
//!
//! One JSON object per message, each with a `type`:
//!
//! | `type` | fields |
//! |---|---|
//! | `on` | `time` (engine sample), `beat`, `stream` (the sink's index), `channel` (1–16), `note`, `velocity` (1–127) |
//! | `off` | `time`, `beat`, `stream`, `channel`, `note` |
//! | `cc` | `time`, `beat`, `stream`, `channel`, `cc`, `value` (0–127) |
//! | `bend` | `time`, `beat`, `stream`, `channel`, `value` (0–16383, 8192 at rest) |
//! | `end` | `beat` (if known): the stream has ended |
//! | `metrics` | `sent`, `dropped`, `late`, `closed`, `errors`, `jitter_p50_us`, `jitter_p99_us`, `jitter_max_us`, `high_water` |
//!
//! Each event is published when the sender sends it (its due time plus the lookahead), so a
//! preview hears it with the sound.

use crate::WsServer;
use patchvm_engine::stream::{Destination, SenderMetrics};
use patchvm_engine::vm::{Message, SinkEvent};
use std::fmt::Write;
use std::sync::Arc;

/// Publishes a note stream's events to a [`WsServer`]'s subscribers.
#[derive(Debug)]
pub struct WsNotes {
    server: Arc<WsServer>,
    name: String,
    /// Reused for every message.
    text: String,
}

impl WsNotes {
    /// A destination publishing on `server`, which the caller may also publish metrics on.
    pub fn new(server: Arc<WsServer>) -> WsNotes {
        WsNotes {
            name: format!("ws://{}", server.local_addr()),
            server,
            text: String::new(),
        }
    }
}

impl Destination for WsNotes {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, event: &SinkEvent) -> Result<(), String> {
        self.text.clear();
        event_json(event, &mut self.text);
        self.server.publish(&self.text);
        Ok(())
    }

    fn finish(&mut self, end_beat: Option<f64>) -> Result<(), String> {
        match end_beat.filter(|beat| beat.is_finite()) {
            Some(beat) => self
                .server
                .publish(&format!(r#"{{"type":"end","beat":{beat}}}"#)),
            None => self.server.publish(r#"{"type":"end"}"#),
        }
        Ok(())
    }
}

/// Appends `event` as one JSON object to `out`.
pub fn event_json(event: &SinkEvent, out: &mut String) {
    let kind = match event.message {
        Message::On { .. } => "on",
        Message::Off { .. } => "off",
        Message::Cc { .. } => "cc",
        Message::Bend { .. } => "bend",
    };
    // A beat is finite (the transport's position), so `{}` writes a JSON number: Rust's
    // shortest form that reads back to the same `f64`.
    let _ = write!(
        out,
        r#"{{"type":"{kind}","time":{},"beat":{},"stream":{},"channel":{}"#,
        event.time,
        event.beat,
        event.sink,
        event.channel + 1
    );
    let _ = match event.message {
        Message::On { note, velocity } => write!(out, r#","note":{note},"velocity":{velocity}}}"#),
        Message::Off { note } => write!(out, r#","note":{note}}}"#),
        Message::Cc { cc, value } => write!(out, r#","cc":{cc},"value":{value}}}"#),
        Message::Bend { value } => write!(out, r#","value":{value}}}"#),
    };
}

/// The note sender's metrics as one JSON object of `type` `metrics`.
pub fn metrics_json(metrics: &SenderMetrics) -> String {
    format!(
        r#"{{"type":"metrics","sent":{},"dropped":{},"late":{},"closed":{},"errors":{},"jitter_p50_us":{},"jitter_p99_us":{},"jitter_max_us":{},"high_water":{}}}"#,
        metrics.sent,
        metrics.dropped,
        metrics.late,
        metrics.closed,
        metrics.errors,
        metrics.jitter_p50_us,
        metrics.jitter_p99_us,
        metrics.jitter_max_us,
        metrics.high_water
    )
}

#[cfg(test)]
mod tests {
    use super::{event_json, metrics_json};
    use patchvm_engine::stream::SenderMetrics;
    use patchvm_engine::vm::{Message, SinkEvent};
    use serde_json::{Value, json};

    fn parsed(message: Message) -> Value {
        let event = SinkEvent {
            time: 96_000,
            beat: 4.0 / 3.0,
            sink: 2,
            channel: 15,
            message,
        };
        let mut text = String::new();
        event_json(&event, &mut text);
        serde_json::from_str(&text).expect("valid JSON")
    }

    #[test]
    fn each_message_is_an_object_with_its_fields() {
        let common = |kind: &str| json!({"type": kind, "time": 96_000, "beat": 4.0 / 3.0, "stream": 2, "channel": 16});
        let with = |mut base: Value, extra: Value| {
            base.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            base
        };
        assert_eq!(
            parsed(Message::On {
                note: 61,
                velocity: 100
            }),
            with(common("on"), json!({"note": 61, "velocity": 100}))
        );
        assert_eq!(
            parsed(Message::Off { note: 61 }),
            with(common("off"), json!({"note": 61}))
        );
        assert_eq!(
            parsed(Message::Cc { cc: 7, value: 127 }),
            with(common("cc"), json!({"cc": 7, "value": 127}))
        );
        assert_eq!(
            parsed(Message::Bend { value: 16_383 }),
            with(common("bend"), json!({"value": 16_383}))
        );
        // The beat reads back to the same bits.
        let beat = parsed(Message::Off { note: 0 })["beat"].as_f64().unwrap();
        assert_eq!(beat.to_bits(), (4.0_f64 / 3.0).to_bits());
    }

    #[test]
    fn metrics_are_one_object() {
        let metrics = SenderMetrics {
            sent: 1,
            dropped: 2,
            late: 3,
            errors: 4,
            closed: 5,
            jitter_p50_us: 6,
            jitter_p99_us: 7,
            jitter_max_us: 8,
            high_water: 9,
        };
        let parsed: Value = serde_json::from_str(&metrics_json(&metrics)).unwrap();
        assert_eq!(
            parsed,
            json!({"type": "metrics", "sent": 1, "dropped": 2, "late": 3, "closed": 5,
                   "errors": 4, "jitter_p50_us": 6, "jitter_p99_us": 7, "jitter_max_us": 8,
                   "high_water": 9})
        );
    }
}
