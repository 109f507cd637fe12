//! The transport section: the patch's tempo, meter and tempo map.
//!
//! `(transport (bpm 120) (meter 4 4) (tempo (step 32 140) (ramp 64 90)))`: the tempo starts
//! at `bpm`; each change of the tempo map names the beat (a quarter note, counted from the
//! transport's zero) at which the tempo is reached, either at once (`step`) or by a ramp
//! linear in time from the tempo before it (`ramp`). Without a section a patch plays at
//! [`DEFAULT_BPM`] in [`DEFAULT_METER`].

use crate::span::Span;

/// The tempo of a patch without a transport section, in quarter notes per minute.
pub const DEFAULT_BPM: f64 = 120.0;

/// The meter of a patch without a transport section: 4/4.
pub const DEFAULT_METER: Meter = Meter { beats: 4, unit: 4 };

/// A patch's transport section.
#[derive(Clone, Debug, PartialEq)]
pub struct Transport {
    /// The tempo at beat 0, in quarter notes per minute.
    pub bpm: f64,
    /// Where `bpm` was written ([`Span::NONE`] when defaulted).
    pub bpm_span: Span,
    /// The meter: how the beat line is grouped into bars.
    pub meter: Meter,
    /// Where `meter` was written ([`Span::NONE`] when defaulted).
    pub meter_span: Span,
    /// The tempo map's changes after beat 0, in the order written (validation requires
    /// strictly increasing beats).
    pub tempo: Vec<TempoChange>,
    /// The whole section.
    pub span: Span,
}

impl Default for Transport {
    fn default() -> Transport {
        Transport {
            bpm: DEFAULT_BPM,
            bpm_span: Span::NONE,
            meter: DEFAULT_METER,
            meter_span: Span::NONE,
            tempo: Vec::new(),
            span: Span::NONE,
        }
    }
}

/// A meter: `beats` notes of value `1/unit` to the bar (6/8: six eighths).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Meter {
    /// Notes to the bar.
    pub beats: u32,
    /// The note value counted, as a fraction of a whole note's denominator (4: quarters).
    pub unit: u32,
}

impl Meter {
    /// The bar's length in quarter-note beats: 4 in 4/4, 3 in 6/8.
    pub fn beats_per_bar(self) -> f64 {
        f64::from(self.beats) * 4.0 / f64::from(self.unit)
    }
}

/// One change of the tempo map.
#[derive(Clone, Debug, PartialEq)]
pub struct TempoChange {
    /// The beat at which the tempo is `bpm`.
    pub beat: f64,
    /// The tempo reached, in quarter notes per minute.
    pub bpm: f64,
    /// How the tempo gets there.
    pub shape: TempoShape,
    /// The change as written.
    pub span: Span,
}

/// How a tempo change is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TempoShape {
    /// At once, at the change's beat.
    Step,
    /// Linearly in time, from the previous point of the map to the change's beat.
    Ramp,
}
