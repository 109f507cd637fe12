//! The clip events the server sends unasked: `/clip/started s(timeline) s(id) h(sample)` and
//! `/clip/ended s(timeline) s(id) h(sample)`, the engine sample as a 64-bit integer (a 32-bit
//! one runs out after 12 hours at 48 kHz). They go to the address that last sent the server a
//! datagram, within one poll of the server's thread (100 ms) of the block that played them;
//! while nobody has sent one they are taken and forgotten, so the queue never fills.

use patchvm_engine::{ClipHappened, ClipReport, Controller};
use rosc::{OscMessage, OscType};
use std::sync::Mutex;

/// The clip events `controller` has gathered since the last call, as messages.
pub(crate) fn take(controller: &Mutex<Controller>) -> Vec<OscMessage> {
    let reports = match controller.lock() {
        Ok(mut controller) => controller.take_clip_events(),
        Err(poisoned) => poisoned.into_inner().take_clip_events(),
    };
    reports.into_iter().map(message).collect()
}

/// The message of `report`.
fn message(report: ClipReport) -> OscMessage {
    let addr = match report.what {
        ClipHappened::Started => "/clip/started",
        ClipHappened::Ended => "/clip/ended",
    };
    OscMessage {
        addr: addr.to_owned(),
        args: vec![
            OscType::String(report.timeline),
            OscType::String(report.clip),
            OscType::Long(i64::try_from(report.sample).unwrap_or(i64::MAX)),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ended_clip_is_its_timeline_id_and_sample() {
        let report = ClipReport {
            timeline: "main".to_owned(),
            clip: "c1".to_owned(),
            what: ClipHappened::Ended,
            sample: 5_000_000_000,
        };
        let message = message(report);
        assert_eq!(message.addr, "/clip/ended");
        assert_eq!(
            message.args,
            [
                OscType::String("main".to_owned()),
                OscType::String("c1".to_owned()),
                OscType::Long(5_000_000_000),
            ]
        );
    }
}
