//! The patch's transport section as the [`TempoMap`] a program carries.

use patchvm_ir::transport::{DEFAULT_BPM, DEFAULT_METER, TempoShape as Shape, Transport};
use patchvm_ir::{Code, Diagnostic, Span};
use patchvm_vm::TempoMap;
use patchvm_vm::time::{TempoError, TempoPoint, TempoShape};

/// The tempo map of a patch's transport section; without one, [`DEFAULT_BPM`] in
/// [`DEFAULT_METER`]. Validation refuses a bad section first; what slips through (a tempo
/// out of range, beats that do not increase) is refused here, at the value's span.
pub fn tempo_map(transport: Option<&Transport>) -> Result<TempoMap, Diagnostic> {
    let Some(transport) = transport else {
        return TempoMap::new(DEFAULT_BPM, DEFAULT_METER.beats_per_bar(), &[]).map_err(|_| {
            Diagnostic::new(
                Code::Internal,
                Span::NONE,
                "the default tempo map is invalid",
            )
        });
    };
    let points: Vec<TempoPoint> = transport
        .tempo
        .iter()
        .map(|change| TempoPoint {
            beat: change.beat,
            bpm: change.bpm,
            shape: match change.shape {
                Shape::Step => TempoShape::Step,
                Shape::Ramp => TempoShape::Ramp,
            },
        })
        .collect();
    TempoMap::new(transport.bpm, transport.meter.beats_per_bar(), &points).map_err(|error| {
        let at = |found: &dyn Fn(&TempoPoint) -> bool| {
            points
                .iter()
                .position(found)
                .map_or(transport.span, |at| transport.tempo[at].span)
        };
        let (span, message, hint) = match error {
            TempoError::Bpm(bpm) => (
                at(&|point| point.bpm.to_bits() == bpm.to_bits()),
                format!("tempo {bpm} BPM is out of range"),
                format!(
                    "a tempo lies between {} and {} BPM",
                    TempoMap::MIN_BPM,
                    TempoMap::MAX_BPM
                ),
            ),
            TempoError::Beat(beat) => (
                at(&|point| point.beat.to_bits() == beat.to_bits()),
                format!("tempo change at beat {beat} is not after the one before it"),
                "the tempo map's beats start after 0 and increase".to_owned(),
            ),
            TempoError::BeatsPerBar(beats) => (
                transport.span,
                format!("a bar of {beats} beats has no length"),
                "a meter counts at least one note of a positive value".to_owned(),
            ),
        };
        Diagnostic::new(Code::OutOfRange, span, message).with_hint(hint)
    })
}

#[cfg(test)]
mod tests {
    use super::tempo_map;
    use patchvm_ir::transport::{Meter, TempoChange, TempoShape, Transport};
    use patchvm_ir::{Code, Span};

    fn change(beat: f64, bpm: f64, shape: TempoShape, at: usize) -> TempoChange {
        TempoChange {
            beat,
            bpm,
            shape,
            span: Span::new(at, at + 1),
        }
    }

    #[test]
    fn no_section_is_120_bpm_in_four_four() {
        let map = tempo_map(None).unwrap();
        assert_eq!((map.bpm_at(0.0), map.beats_per_bar()), (120.0, 4.0));
    }

    #[test]
    fn a_section_becomes_its_map() {
        // 6/8 at 90 BPM, 180 from beat 6: beat 6 at 4 s, beat 9 one second later.
        let transport = Transport {
            bpm: 90.0,
            meter: Meter { beats: 6, unit: 8 },
            tempo: vec![change(6.0, 180.0, TempoShape::Step, 3)],
            ..Transport::default()
        };
        let map = tempo_map(Some(&transport)).unwrap();
        assert_eq!(map.beats_per_bar(), 3.0);
        assert_eq!((map.seconds_at(6.0), map.seconds_at(9.0)), (4.0, 5.0));
    }

    #[test]
    fn a_bad_change_is_refused_at_its_span() {
        let transport = Transport {
            tempo: vec![
                change(4.0, 100.0, TempoShape::Ramp, 10),
                change(8.0, 0.5, TempoShape::Step, 20),
            ],
            ..Transport::default()
        };
        let diagnostic = tempo_map(Some(&transport)).unwrap_err();
        assert_eq!(diagnostic.code, Code::OutOfRange);
        assert_eq!(diagnostic.primary.span, Span::new(20, 21));
        assert_eq!(diagnostic.message, "tempo 0.5 BPM is out of range");
    }
}
