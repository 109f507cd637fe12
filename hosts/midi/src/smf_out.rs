//! Note streams written as a standard MIDI file: format 1, 960 ticks per quarter note, the
//! tempo map and meter in track 0, one track per stream (sink) after it. Ticks come from each
//! event's beat (`round(beat × 960)`), not from its sample time, so a file is the same
//! whatever the sample rate, and the tempo track is what makes its ticks play at the engine's
//! times (a tempo ramp as a tempo event every sixteenth note).

use midly::num::{u4, u7, u15, u24, u28};
use midly::{Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};
use patchvm_engine::stream::{Destination, HeldNotes};
use patchvm_engine::vm::{Message, SinkEvent, TempoMap};
use std::path::{Path, PathBuf};

/// Ticks per quarter note.
pub const PPQ: u16 = 960;

/// Tempo events per beat while the tempo ramps.
const RAMP_STEPS_PER_BEAT: f64 = 4.0;

/// The tick of `beat`: `round(beat × PPQ)`, 0 before the start.
pub fn tick(beat: f64) -> u64 {
    (beat * f64::from(PPQ)).round().max(0.0) as u64
}

/// The file's bytes: track 0 the tempo map (up to the end) and meter, then `streams`
/// tracks, event `e` in track `e.sink + 1` (events of a sink past `streams` are left out).
/// Events must be in time order, as the sender and [`offline`](patchvm_engine::stream::offline)
/// give them. A note played again while held is closed first; notes still held at the end
/// are closed at `end_beat` (or at the last event, if that is later).
pub fn write(events: &[SinkEvent], streams: usize, tempo: &TempoMap, end_beat: f64) -> Vec<u8> {
    let end = events.last().map_or(end_beat, |e| e.beat.max(end_beat));
    let mut tracks: Vec<Vec<(u64, TrackEventKind)>> = vec![tempo_track(tempo, end)];
    for stream in 0..streams {
        let mut held = HeldNotes::default();
        let mut track = Vec::new();
        let mut add = |e: SinkEvent| track.push((tick(e.beat), midi(&e)));
        for &event in events.iter().filter(|e| usize::from(e.sink) == stream) {
            if held.is_held(&event) {
                let off = again(&event);
                held.track(&off);
                add(off);
            }
            held.track(&event);
            add(event);
        }
        let at = SinkEvent {
            time: 0,
            beat: end,
            sink: stream as u16,
            channel: 0,
            message: Message::Off { note: 0 },
        };
        held.close_all(&at, &mut add);
        tracks.push(track);
    }
    let smf = Smf {
        header: Header::new(Format::Parallel, Timing::Metrical(u15::new(PPQ))),
        tracks: tracks.into_iter().map(with_deltas).collect(),
    };
    let mut bytes = Vec::new();
    smf.write(&mut bytes)
        .expect("writing into a vector cannot fail, and every value was checked");
    bytes
}

/// The note off that closes the note `on` plays again.
fn again(on: &SinkEvent) -> SinkEvent {
    let note = match on.message {
        Message::On { note, .. } => note,
        _ => 0,
    };
    SinkEvent {
        message: Message::Off { note },
        ..*on
    }
}

/// Tempo and meter, as meta events at their ticks.
fn tempo_track(tempo: &TempoMap, end: f64) -> Vec<(u64, TrackEventKind<'static>)> {
    let mut events = Vec::new();
    let per_bar = tempo.beats_per_bar();
    if per_bar.fract() == 0.0 && (1.0..=255.0).contains(&per_bar) {
        // n/4, 24 clocks per metronome click, 8 thirty-seconds per quarter.
        events.push((
            0,
            TrackEventKind::Meta(MetaMessage::TimeSignature(per_bar as u8, 2, 24, 8)),
        ));
    }
    let segments = tempo.segments();
    for (index, segment) in segments.iter().enumerate() {
        let until = segments.get(index + 1).map_or(end, |next| next.beat);
        let mut beat = segment.beat;
        loop {
            events.push((tick(beat), tempo_event(tempo.bpm_at(beat))));
            if segment.slope == 0.0 {
                break;
            }
            beat += 1.0 / RAMP_STEPS_PER_BEAT;
            if beat >= until {
                break;
            }
        }
    }
    events
}

/// A tempo meta event: microseconds per quarter note.
fn tempo_event(bpm: f64) -> TrackEventKind<'static> {
    let micros = (60_000_000.0 / bpm)
        .round()
        .clamp(1.0, f64::from(0xff_ffff));
    TrackEventKind::Meta(MetaMessage::Tempo(u24::new(micros as u32)))
}

/// A sink event as a channel message.
fn midi(event: &SinkEvent) -> TrackEventKind<'static> {
    let message = match event.message {
        Message::On { note, velocity } => MidiMessage::NoteOn {
            key: u7::new(note & 0x7f),
            vel: u7::new(velocity & 0x7f),
        },
        Message::Off { note } => MidiMessage::NoteOff {
            key: u7::new(note & 0x7f),
            vel: u7::new(0),
        },
        Message::Cc { cc, value } => MidiMessage::Controller {
            controller: u7::new(cc & 0x7f),
            value: u7::new(value & 0x7f),
        },
        Message::Bend { value } => MidiMessage::PitchBend {
            bend: midly::PitchBend(midly::num::u14::new(value & 0x3fff)),
        },
    };
    TrackEventKind::Midi {
        channel: u4::new(event.channel & 0x0f),
        message,
    }
}

/// Events at absolute ticks as a track: stable-sorted by tick, deltas between them, and the
/// end of the track.
fn with_deltas(mut events: Vec<(u64, TrackEventKind<'static>)>) -> Vec<TrackEvent<'static>> {
    events.sort_by_key(|&(tick, _)| tick);
    let mut track = Vec::with_capacity(events.len() + 1);
    let mut last = 0;
    for (tick, kind) in events {
        let delta = (tick - last).min(u64::from(u32::from(u28::max_value())));
        track.push(TrackEvent {
            delta: u28::new(delta as u32),
            kind,
        });
        last = tick;
    }
    track.push(TrackEvent {
        delta: u28::new(0),
        kind: TrackEventKind::Meta(MetaMessage::EndOfTrack),
    });
    track
}

/// A [`Destination`] that records the stream and writes it as a file when it finishes. It
/// leaves out the notes the sender closes itself: the file closes what is open at its end
/// (see [`write()`]), the same way whether it was recorded live or streamed offline.
#[derive(Debug)]
pub struct SmfRecorder {
    path: PathBuf,
    name: String,
    streams: usize,
    tempo: TempoMap,
    events: Vec<SinkEvent>,
}

impl SmfRecorder {
    /// A recorder for `streams` streams played on `tempo`, writing `path` at the end. The file
    /// is created now, so a path that cannot be written is an error before anything plays.
    pub fn create(path: &Path, streams: usize, tempo: TempoMap) -> std::io::Result<SmfRecorder> {
        std::fs::write(path, write(&[], streams, &tempo, 0.0))?;
        Ok(SmfRecorder {
            path: path.to_owned(),
            name: path.display().to_string(),
            streams,
            tempo,
            events: Vec::new(),
        })
    }
}

impl Destination for SmfRecorder {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, event: &SinkEvent) -> Result<(), String> {
        self.events.push(*event);
        Ok(())
    }

    fn close(&mut self, _: &SinkEvent) -> Result<(), String> {
        Ok(())
    }

    fn finish(&mut self, end_beat: Option<f64>) -> Result<(), String> {
        let end = end_beat.unwrap_or(0.0);
        let bytes = write(&self.events, self.streams, &self.tempo, end);
        std::fs::write(&self.path, bytes).map_err(|e| e.to_string())
    }
}
