//! MIDI clock out of the audio half: messages stamped with their engine samples whatever the
//! host's buffers, and a full queue dropping and counting rather than waiting.

use patchvm_vm::TransportCommand;
use patchvm_vm::live::{Action, ClockEvent, Event, LinkSettings, ParamKey, link};
use patchvm_vm::time::ClockMessage::{self, Continue, SongPosition, Start, Stop, Tick};

/// The clock of 30 000 samples played in host buffers of `buffer`, with a seek to beat 5.3
/// at sample 10 000; no program plays, so the transport runs at 120 BPM.
fn clock(buffer: usize) -> Vec<(u64, ClockMessage)> {
    let (mut remote, mut audio) = link(LinkSettings {
        channels: 1,
        ..LinkSettings::default()
    });
    let mut receiver = audio.send_clock(1_024);
    remote.send(Event {
        time: 10_000,
        key: ParamKey(0),
        action: Action::Transport(TransportCommand::Seek(5.3)),
        generation: 0,
    });
    let mut out = vec![0.0; 30_000];
    let mut messages = Vec::new();
    for chunk in out.chunks_mut(buffer) {
        audio.process(chunk);
        while let Some(ClockEvent { time, message }) = receiver.pop() {
            messages.push((time, message));
        }
    }
    assert_eq!(receiver.dropped(), 0);
    messages
}

#[test]
fn the_audio_half_stamps_clock_messages_with_their_samples() {
    // 120 BPM at 48 kHz: a tick every 1 000 samples from sample 0; at 10 000 the seek to
    // beat 5.3 stops the clock, points at sixteenth 22 (beat 5.5) and continues with its
    // tick 4 800 samples later.
    let messages = clock(256);
    let mut expected = vec![(0, Start)];
    expected.extend((0..10).map(|k| (k * 1_000, Tick)));
    expected.extend([
        (10_000, Stop),
        (10_000, SongPosition(22)),
        (14_800, Continue),
    ]);
    expected.extend((0..16).map(|k| (14_800 + k * 1_000, Tick)));
    assert_eq!(messages, expected);
    for buffer in [1, 63, 64, 700, 4_096] {
        assert_eq!(clock(buffer), expected, "buffers of {buffer}");
    }
}

#[test]
fn a_full_clock_queue_drops_and_counts() {
    // Nobody reads: of the 26 messages of samples 0 to 24 000 (start, ticks 0 to 24), the
    // first 4 fit and the other 22 are dropped and counted.
    let (_remote, mut audio) = link(LinkSettings {
        channels: 1,
        ..LinkSettings::default()
    });
    let mut receiver = audio.send_clock(4);
    let mut out = vec![0.0; 24_001];
    audio.process(&mut out);
    assert_eq!(receiver.dropped(), 22);
    let kept: Vec<ClockEvent> = std::iter::from_fn(|| receiver.pop()).collect();
    let times: Vec<u64> = kept.iter().map(|event| event.time).collect();
    assert_eq!(times, [0, 0, 1_000, 2_000]);
}
