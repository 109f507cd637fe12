//! Standard MIDI files (midly): every track's channel messages on one timeline of samples,
//! the tempo map honoured.

use std::path::Path;

/// The largest MIDI file read: far beyond any real song, small enough to hold.
pub const MAX_FILE_BYTES: usize = 64 << 20;
/// The most channel messages a song may hold.
pub const MAX_EVENTS: usize = 4_000_000;
/// A quarter note's length when the file sets no tempo: 120 beats per minute.
const DEFAULT_TEMPO_US: u64 = 500_000;

/// A channel message of a song at its sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SongEvent {
    /// The sample it plays at, from the song's start.
    pub time: u64,
    /// The message: a status byte and two data bytes.
    pub message: [u8; 3],
}

/// A MIDI file read for playing: its note, control-change and pitch-bend messages in time
/// order (ties keep track order, then file order), each at an exact sample.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MidiSong {
    /// The messages, in the order they play.
    pub events: Vec<SongEvent>,
    /// The sample of the song's end: its last event, end-of-track marks included.
    pub length: u64,
}

impl MidiSong {
    /// How many notes the song starts (note-on messages with a velocity above 0): a song
    /// without any plays nothing, which a host warns about.
    pub fn note_count(&self) -> usize {
        self.events
            .iter()
            .filter(|event| event.message[0] & 0xf0 == 0x90 && event.message[2] > 0)
            .count()
    }
}

/// Why a MIDI file cannot be played.
#[derive(Debug, PartialEq, Eq)]
pub enum MidiFileError {
    /// The file could not be read.
    Io(String),
    /// The bytes are not a MIDI file midly can read, or are cut short.
    Invalid(String),
    /// The file is larger than [`MAX_FILE_BYTES`].
    TooLarge(usize),
    /// The file holds more than [`MAX_EVENTS`] channel messages.
    TooManyEvents,
    /// A format 2 file: independent sequences, not one song.
    Sequential,
    /// The file's timing divides a beat or a second into zero ticks.
    NoTicks,
}

impl std::fmt::Display for MidiFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MidiFileError::Io(error) => f.write_str(error),
            MidiFileError::Invalid(error) => write!(f, "not a valid MIDI file: {error}"),
            MidiFileError::TooLarge(bytes) => write!(
                f,
                "the MIDI file is {bytes} bytes, over the limit of {MAX_FILE_BYTES}"
            ),
            MidiFileError::TooManyEvents => write!(
                f,
                "the MIDI file holds more than {MAX_EVENTS} channel messages"
            ),
            MidiFileError::Sequential => f.write_str(
                "the MIDI file is format 2 (independent sequences); only formats 0 and 1 play",
            ),
            MidiFileError::NoTicks => f.write_str("the MIDI file's timing has zero ticks"),
        }
    }
}

impl std::error::Error for MidiFileError {}

/// Reads the MIDI file at `path` for a render at `sample_rate`.
pub fn load(path: &Path, sample_rate: f64) -> Result<MidiSong, MidiFileError> {
    use std::io::Read;
    let io = |error: std::io::Error| {
        MidiFileError::Io(format!("cannot read `{}`: {error}", path.display()))
    };
    patchvm_engine::source::regular_file(path).map_err(io)?;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    read(&bytes, sample_rate)
}

/// A message before timing: its absolute tick and bytes.
struct Tick {
    tick: u64,
    message: Option<[u8; 3]>,
}

/// Reads a standard MIDI file (format 0 or 1) from `bytes`, placing
/// each message at its sample at `sample_rate` with every tempo change of every track
/// honoured. Messages the engine does not act on (program changes, aftertouch, system
/// exclusive, meta events but tempo) are left out.
///
/// Bounded: refuses more than [`MAX_FILE_BYTES`] or [`MAX_EVENTS`]; never panics, whatever
/// the bytes; takes time linear in the file's size (plus a sort).
pub fn read(bytes: &[u8], sample_rate: f64) -> Result<MidiSong, MidiFileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(MidiFileError::TooLarge(bytes.len()));
    }
    check_header(bytes)?;
    let invalid = |error: midly::Error| MidiFileError::Invalid(error.to_string());
    let (header, tracks) = midly::parse(bytes).map_err(invalid)?;
    if header.format == midly::Format::Sequential {
        return Err(MidiFileError::Sequential);
    }
    // Every track's messages, track after track; tempo changes apart.
    let mut ticks: Vec<Tick> = Vec::new();
    let mut tempos: Vec<(u64, u64)> = Vec::new();
    let (declared, _) = tracks.size_hint();
    let mut found = 0;
    for track in tracks {
        found += 1;
        let mut tick = 0u64;
        for event in track.map_err(invalid)? {
            let event = event.map_err(invalid)?;
            tick += u64::from(event.delta.as_int());
            let message = match event.kind {
                midly::TrackEventKind::Midi { channel, message } => {
                    match encode(channel.as_int(), message) {
                        Some(bytes) => Some(bytes),
                        None => continue,
                    }
                }
                midly::TrackEventKind::Meta(midly::MetaMessage::Tempo(tempo)) => {
                    tempos.push((tick, u64::from(tempo.as_int())));
                    continue;
                }
                // The end of the track marks the song's length; nothing else matters here.
                midly::TrackEventKind::Meta(midly::MetaMessage::EndOfTrack) => None,
                _ => continue,
            };
            if ticks.len() == MAX_EVENTS {
                return Err(MidiFileError::TooManyEvents);
            }
            ticks.push(Tick { tick, message });
        }
    }
    if found != declared {
        return Err(MidiFileError::Invalid(format!(
            "the header announces {declared} track(s) but the file holds {found}"
        )));
    }
    // Stable: equal ticks keep track order, then file order.
    ticks.sort_by_key(|t| t.tick);
    tempos.sort_by_key(|&(tick, _)| tick);
    let clock = Clock::new(header.timing, tempos, sample_rate)?;
    let mut song = MidiSong::default();
    for Tick { tick, message } in ticks {
        let time = clock.sample(tick);
        song.length = song.length.max(time);
        if let Some(message) = message {
            song.events.push(SongEvent { time, message });
        }
    }
    Ok(song)
}

/// Refuses what midly would trip over rather than report: anything but a plain standard MIDI
/// file (RMID files wrap one in RIFF; none are read), and an SMPTE division of -128 frames a
/// second, whose negation midly 0.5 computes with overflow (a panic with overflow checks on).
fn check_header(bytes: &[u8]) -> Result<(), MidiFileError> {
    if !bytes.starts_with(b"MThd") {
        return Err(MidiFileError::Invalid(
            "not a standard MIDI file (it does not start with `MThd`)".to_owned(),
        ));
    }
    // The header chunk's data: format, tracks, division; the division's high byte is the
    // negated frame rate when its top bit is set.
    if bytes.get(12) == Some(&0x80) {
        return Err(MidiFileError::Invalid(
            "invalid SMPTE frame rate -128".to_owned(),
        ));
    }
    Ok(())
}

/// The message's bytes, if the engine acts on it: note off and on, control change, pitch
/// bend.
fn encode(channel: u8, message: midly::MidiMessage) -> Option<[u8; 3]> {
    use midly::MidiMessage::{Controller, NoteOff, NoteOn, PitchBend};
    let (status, a, b) = match message {
        NoteOff { key, vel } => (0x80, key.as_int(), vel.as_int()),
        NoteOn { key, vel } => (0x90, key.as_int(), vel.as_int()),
        Controller { controller, value } => (0xB0, controller.as_int(), value.as_int()),
        PitchBend { bend } => {
            let raw = bend.0.as_int();
            (0xE0, (raw & 0x7F) as u8, (raw >> 7) as u8)
        }
        _ => return None,
    };
    Some([status | (channel & 0x0F), a, b])
}

/// Ticks to samples.
enum Clock {
    /// Ticks per quarter note, and the tempo map: `(tick, µs per quarter, µs·ppq at that
    /// tick)`, exact integers so that no rounding accumulates over a long song.
    Metrical {
        ppq: u64,
        map: Vec<(u64, u64, u128)>,
        sample_rate: f64,
    },
    /// Ticks per second.
    Timecode { per_second: f64, sample_rate: f64 },
}

impl Clock {
    fn new(
        timing: midly::Timing,
        tempos: Vec<(u64, u64)>,
        sample_rate: f64,
    ) -> Result<Clock, MidiFileError> {
        match timing {
            midly::Timing::Metrical(ppq) => {
                let ppq = u64::from(ppq.as_int());
                if ppq == 0 {
                    return Err(MidiFileError::NoTicks);
                }
                let mut map = vec![(0, DEFAULT_TEMPO_US, 0u128)];
                for (tick, tempo) in tempos {
                    let &(start, previous, at) = map.last().unwrap_or(&(0, DEFAULT_TEMPO_US, 0));
                    let at = at + u128::from(tick - start) * u128::from(previous);
                    if start == tick {
                        // A later change at the same tick wins.
                        map.pop();
                    }
                    map.push((tick, tempo, at));
                }
                Ok(Clock::Metrical {
                    ppq,
                    map,
                    sample_rate,
                })
            }
            midly::Timing::Timecode(fps, subframes) => {
                let per_second = f64::from(fps.as_f32()) * f64::from(subframes);
                if per_second <= 0.0 {
                    return Err(MidiFileError::NoTicks);
                }
                Ok(Clock::Timecode {
                    per_second,
                    sample_rate,
                })
            }
        }
    }

    /// The sample of `tick`, rounded to the nearest; saturates for absurd times.
    fn sample(&self, tick: u64) -> u64 {
        let seconds = match self {
            Clock::Metrical { ppq, map, .. } => {
                let segment = map.partition_point(|&(start, _, _)| start <= tick);
                let (start, tempo, at) = map[segment.saturating_sub(1)];
                let micros_ppq = at + u128::from(tick - start) * u128::from(tempo);
                micros_ppq as f64 / (*ppq as f64 * 1e6)
            }
            Clock::Timecode { per_second, .. } => tick as f64 / per_second,
        };
        let sample_rate = match self {
            Clock::Metrical { sample_rate, .. } | Clock::Timecode { sample_rate, .. } => {
                *sample_rate
            }
        };
        // `as` saturates: an absurd tempo gives a far time, never a wrap or a panic.
        (seconds * sample_rate).round() as u64
    }
}
