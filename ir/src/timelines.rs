//! The timelines section: clips of audio files placed on timelines, each timeline with its
//! own tempo map, played side by side on the engine's one sample clock.
//!
//! ```text
//! (timelines
//!   (main (bpm 120) (tempo (step 32 140))
//!     (clip c1 (file "kit/kick.wav") (position 4) (offset 0.5) (length 2) (gain -6)
//!       (pan 0.25) (fade_in 0.01) (fade_out 0.01) (loop false) (stretch 1) (pitch 0)
//!       (follow (choose (2 next) (1 stop))))))
//! ```
//!
//! A clip starts at `position` beats of its timeline (or at `seconds`), plays its file from
//! `offset` seconds for `length` seconds (to the file's end without one), at `gain` dB and
//! `pan` (-1 left … 1 right), faded in and out over `fade_in`/`fade_out` seconds; with
//! `loop` it repeats its stretch of the file until its timeline stops. `stretch` scales its
//! duration (2: twice as long, same pitch; 0.25–4) and `pitch` shifts it in semitones (±24,
//! same duration), so a pass lasts `length * stretch`; both need the `stretch` feature
//! (else E0125). When it ends, its `follow` action runs ([`Follow`]). Clip fields are read
//! by one function for both formats (`timelines/read.rs`), so JSON's clip is the same map of
//! the same keys, as issue 17's C ABI sends it. Validation is `validate/timelines.rs`.

pub mod follows;
mod implicit;
mod read;

pub use implicit::play_implicitly;
pub(crate) use read::clip_fields;
pub use read::{CLIP_KEYS, ClipField, clip_from_fields};

use crate::patch::Name;
use crate::span::Span;
use crate::transport::Transport;

/// One timeline: `(NAME (bpm …) (tempo …) (clip …) …)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// The name a `timeline` node and the play, stop and seek commands give.
    pub name: Name,
    /// Its own tempo and tempo map, shaped as the transport section's (the meter is unused).
    pub tempo: Transport,
    /// Its clips, in the order written.
    pub clips: Vec<Clip>,
    /// The whole timeline.
    pub span: Span,
}

/// Where a clip starts on its timeline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Position {
    /// At this beat of the timeline's tempo map.
    Beats(f64),
    /// This many seconds after the timeline's beat 0.
    Seconds(f64),
}

/// A clip: a stretch of one audio file placed on a timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Clip {
    /// Its id, unique within its timeline.
    pub id: Name,
    /// The audio file's path as written (relative to the patch file).
    pub file: Name,
    /// Where it starts.
    pub position: Position,
    /// Where in the file it starts playing, in seconds.
    pub offset: f64,
    /// How long it plays, in seconds; `None` to the file's end.
    pub length: Option<f64>,
    /// Its level, in decibels.
    pub gain: f64,
    /// Equal-power pan, -1 (left) to 1 (right).
    pub pan: f64,
    /// The fade at its start, in seconds.
    pub fade_in: f64,
    /// The fade at its end, in seconds.
    pub fade_out: f64,
    /// Whether it repeats its stretch of the file until its timeline stops.
    pub looping: bool,
    /// Its duration over its length in the file (2: twice as long at the same pitch),
    /// 0.25–4; `offset` and `length` stay in the file's seconds.
    pub stretch: f64,
    /// Pitch shift in semitones (+12: an octave up, the same duration), ±24.
    pub pitch: f64,
    /// What happens when it ends.
    pub follow: FollowAction,
    /// Where each field was written, for diagnostics (the whole clip's span when defaulted).
    pub spans: ClipSpans,
    /// The whole clip.
    pub span: Span,
}

/// Where a clip's fields were written.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ClipSpans {
    /// `position` or `seconds`.
    pub position: Span,
    /// `offset`.
    pub offset: Span,
    /// `length`.
    pub length: Span,
    /// `gain`.
    pub gain: Span,
    /// `pan`.
    pub pan: Span,
    /// `fade_in`.
    pub fade_in: Span,
    /// `fade_out`.
    pub fade_out: Span,
    /// `stretch`.
    pub stretch: Span,
    /// `pitch`.
    pub pitch: Span,
    /// `follow`.
    pub follow: Span,
}

impl Clip {
    /// A clip of `file` at beat `beat`, every other field at its default: the whole file,
    /// 0 dB, centred, no fades, no loop, no follow action.
    pub fn new(id: &str, file: &str, beat: f64) -> Clip {
        Clip {
            id: Name {
                text: id.to_owned(),
                span: Span::NONE,
            },
            file: Name {
                text: file.to_owned(),
                span: Span::NONE,
            },
            position: Position::Beats(beat),
            offset: 0.0,
            length: None,
            gain: 0.0,
            pan: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
            looping: false,
            stretch: 1.0,
            pitch: 0.0,
            follow: FollowAction::default(),
            spans: ClipSpans::default(),
            span: Span::NONE,
        }
    }
}

/// What a clip's end does: one [`Follow`], or a seeded choice among several by weight. No
/// choice at all (the default) does nothing: the timeline plays on.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FollowAction {
    /// The actions and their weights; one with weight 1 is written plainly (`(follow next)`).
    pub choices: Vec<(f64, Follow)>,
}

/// One follow action.
#[derive(Clone, Debug, PartialEq)]
pub enum Follow {
    /// Seek the timeline to the next clip (by position) and play it.
    Next,
    /// Play the clip again this many more times, then end it.
    Loop(u32),
    /// Start the named timeline from its beat 0.
    Timeline(Name),
    /// Stop the clip's timeline.
    Stop,
}

impl Timeline {
    /// A timeline named `name` at `bpm`, without clips.
    pub fn new(name: &str, bpm: f64) -> Timeline {
        Timeline {
            name: Name {
                text: name.to_owned(),
                span: Span::NONE,
            },
            tempo: Transport {
                bpm,
                ..Transport::default()
            },
            clips: Vec::new(),
            span: Span::NONE,
        }
    }

    /// The clip with id `id`, if there is one.
    pub fn clip(&self, id: &str) -> Option<&Clip> {
        self.clips.iter().find(|clip| clip.id.text == id)
    }
}

/// Every audio file the timelines name, with where each is written, in order (a file named
/// twice is listed twice): what a host decodes before it builds a patch with timelines.
pub fn files(timelines: &[Timeline]) -> impl Iterator<Item = &Name> {
    timelines
        .iter()
        .flat_map(|timeline| timeline.clips.iter().map(|clip| &clip.file))
}

/// Clears every span of `timelines`, for comparing patches read from different formats.
pub(crate) fn clear_spans(timelines: &mut [Timeline]) {
    for timeline in timelines {
        timeline.span = Span::NONE;
        timeline.name.span = Span::NONE;
        timeline.tempo.span = Span::NONE;
        timeline.tempo.bpm_span = Span::NONE;
        timeline.tempo.meter_span = Span::NONE;
        for change in &mut timeline.tempo.tempo {
            change.span = Span::NONE;
        }
        for clip in &mut timeline.clips {
            clip.span = Span::NONE;
            clip.id.span = Span::NONE;
            clip.file.span = Span::NONE;
            clip.spans = ClipSpans::default();
            for (_, follow) in &mut clip.follow.choices {
                if let Follow::Timeline(name) = follow {
                    name.span = Span::NONE;
                }
            }
        }
    }
}
