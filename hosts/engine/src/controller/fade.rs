//! The fade setting: how long a live edit's crossfade lasts and how long a value an edit
//! changes glides to its new value.
//!
//! The default, 20 ms, is SuperCollider's `fadeTime` (0.02 s), the fade live coders in JITLib
//! already trust: long enough that a full-scale step becomes a ramp of 1/960 per sample at
//! 48 kHz (below the step of a 50 Hz sine at full scale, 0.0065 per sample, so no click even
//! under a bass), short enough to be heard as a change, not a swell, and to keep an edit
//! that waits behind another's fade within a frame of video. A fade of 0 steps, as patchvm
//! did before fades were a setting.

use super::Controller;
use crate::error::EngineError;
use patchvm_ir::{Code, Diagnostic, Span};
use std::ops::RangeInclusive;

/// The fade of a new engine, in milliseconds: SuperCollider's `fadeTime`.
pub const DEFAULT_FADE_MS: f64 = 20.0;

/// The fades an engine takes, in milliseconds: up to 10 s, `edit.fade`'s longest `time`.
pub const FADE_RANGE_MS: RangeInclusive<f64> = 0.0..=10_000.0;

/// What is wrong with a fade of `ms` milliseconds, if anything: an E0201 naming the value
/// and the range.
pub fn fade_problem(ms: f64) -> Option<Diagnostic> {
    if FADE_RANGE_MS.contains(&ms) {
        return None;
    }
    Some(
        Diagnostic::new(
            Code::Setting,
            Span::NONE,
            format!(
                "fade {ms} ms is outside {}..={} ms",
                FADE_RANGE_MS.start(),
                FADE_RANGE_MS.end()
            ),
        )
        .with_hint(format!(
            "choose how long an edit fades, e.g. {DEFAULT_FADE_MS} (SuperCollider's fadeTime); 0 steps"
        )),
    )
}

impl Controller {
    /// Sets how long the next edits fade, in milliseconds: a structural edit's crossfade and
    /// a changed value's glide. Refuses (changing nothing) a value outside [`FADE_RANGE_MS`].
    pub fn set_fade(&mut self, ms: f64) -> Result<(), EngineError> {
        if let Some(problem) = fade_problem(ms) {
            return Err(EngineError::Invalid(vec![problem]));
        }
        self.settings.fade_ms = ms;
        Ok(())
    }

    /// How long edits fade, in milliseconds.
    pub fn fade(&self) -> f64 {
        self.settings.fade_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Engine, EngineSettings};
    use patchvm_ir::Limits;

    #[test]
    fn a_fade_outside_its_range_is_refused_and_changes_nothing() {
        let (mut controller, _audio) = Engine::new(EngineSettings::default(), Limits::default());
        assert_eq!(controller.fade(), 20.0);
        controller.set_fade(5.0).unwrap();
        assert_eq!(controller.fade(), 5.0);
        for bad in [-1.0, 10_001.0, f64::NAN] {
            let Err(EngineError::Invalid(problems)) = controller.set_fade(bad) else {
                panic!("fade {bad} was taken");
            };
            assert_eq!(problems[0].code, Code::Setting);
            assert!(problems[0].message.starts_with(&format!("fade {bad} ms")));
            assert!(problems[0].hint.is_some());
        }
        assert_eq!(controller.fade(), 5.0);
    }
}
