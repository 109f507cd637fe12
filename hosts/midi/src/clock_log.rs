//! The clock log: MIDI clock messages as text, one a line with the engine sample it belongs
//! on (`48000 tick f8`), so clock out can be recorded and clock in replayed without a MIDI
//! port (`--clock-out FILE.log`, `--clock-in FILE.log`).

use patchvm_engine::vm::live::ClockEvent;
use patchvm_engine::vm::time::ClockMessage;
use std::fmt::Write;

/// Whether `destination` names a clock log (ends in `.log`) rather than a MIDI port.
pub fn is_log(destination: &str) -> bool {
    destination.to_lowercase().ends_with(".log")
}

/// `event` as a line of the log, without its line end: the sample, the message's name and
/// its bytes in hex.
pub fn line(event: &ClockEvent) -> String {
    let (bytes, len) = event.message.bytes();
    let mut text = format!("{} {}", event.time, event.message.name());
    for byte in &bytes[..len] {
        let _ = write!(text, " {byte:02x}");
    }
    text
}

/// Why a log cannot be read: the line (from 1) and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockLogError {
    /// The line, counted from 1.
    pub line: usize,
    /// What is wrong, in lowercase words.
    pub problem: String,
}

impl std::fmt::Display for ClockLogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.problem)
    }
}

impl std::error::Error for ClockLogError {}

/// Reads a log: each line not empty and not starting with `#` is a sample, a name (which is
/// not checked: the bytes say what the message is) and the message's bytes in hex; samples
/// never go back.
pub fn read(text: &str) -> Result<Vec<ClockEvent>, ClockLogError> {
    let mut events: Vec<ClockEvent> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let refuse = |problem: String| ClockLogError {
            line: index + 1,
            problem,
        };
        let mut words = line.split_whitespace();
        let time = words.next().unwrap_or_default();
        let time: u64 = time
            .parse()
            .map_err(|_| refuse(format!("`{time}` is not a sample number")))?;
        let _name = words.next();
        let bytes = words
            .map(|word| u8::from_str_radix(word, 16).map_err(|_| word))
            .collect::<Result<Vec<u8>, &str>>()
            .map_err(|word| refuse(format!("`{word}` is not a byte in hex")))?;
        let message = ClockMessage::parse(&bytes).ok_or_else(|| {
            refuse("expected a clock message: f8 (tick), fa (start), fb (continue), fc (stop) or f2 with two data bytes (song position)".into())
        })?;
        if events.last().is_some_and(|last| last.time > time) {
            return Err(refuse(format!(
                "sample {time} comes before the line above's"
            )));
        }
        events.push(ClockEvent { time, message });
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_back_as_the_events_they_were() {
        let events = [
            ClockEvent {
                time: 0,
                message: ClockMessage::Start,
            },
            ClockEvent {
                time: 0,
                message: ClockMessage::Tick,
            },
            ClockEvent {
                time: 10_000,
                message: ClockMessage::SongPosition(200),
            },
        ];
        let text: Vec<String> = events.iter().map(line).collect();
        assert_eq!(text, ["0 start fa", "0 tick f8", "10000 spp f2 48 01"]);
        let read_back = read(&format!("# a comment\n\n{}\n", text.join("\n"))).unwrap();
        assert_eq!(read_back, events);
        assert!(is_log("out/clock.LOG") && !is_log("IAC Driver"));
    }

    #[test]
    fn a_broken_line_is_named() {
        let problem = |text: &str| read(text).unwrap_err().to_string();
        assert_eq!(
            problem("0 tick f8\nx tick f8"),
            "line 2: `x` is not a sample number"
        );
        assert_eq!(problem("5 tick zz"), "line 1: `zz` is not a byte in hex");
        assert!(problem("5 note 90 3c 64").starts_with("line 1: expected a clock message"));
        assert_eq!(
            problem("9 tick f8\n8 tick f8"),
            "line 2: sample 8 comes before the line above's"
        );
    }
}
