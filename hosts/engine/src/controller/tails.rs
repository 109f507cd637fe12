//! The tail setting: how long the removed effects of a structural edit (and those whose
//! module changed to one outside their state family) may ring out after it (see [`patchvm_vm::live::Tail`]) before they fade out over the fade time, and what the
//! control side sees of them.
//!
//! The default, 4 s, outlasts a large hall's reverb time (RT60 around 2–3 s) and a few
//! repeats of a long feedback delay, while keeping a forgotten tail from holding its
//! kernels (and their CPU) for long; most tails fall under −90 dBFS and stop well before.
//! A limit of 0 rings nothing: a removed node plays out over the fade, as before tails rang.

use super::Controller;
use crate::error::EngineError;
use patchvm_ir::{Code, Diagnostic, Span};
use std::ops::RangeInclusive;

/// The tail limit of a new engine, in seconds.
pub const DEFAULT_TAIL_MAX_S: f64 = 4.0;

/// The tail limits an engine takes, in seconds: up to a minute.
pub const TAIL_MAX_RANGE_S: RangeInclusive<f64> = 0.0..=60.0;

/// What is wrong with a tail limit of `seconds`, if anything: an E0201 naming the value and
/// the range.
pub fn tail_max_problem(seconds: f64) -> Option<Diagnostic> {
    if TAIL_MAX_RANGE_S.contains(&seconds) {
        return None;
    }
    Some(
        Diagnostic::new(
            Code::Setting,
            Span::NONE,
            format!(
                "tail-max {seconds} s is outside {}..={} s",
                TAIL_MAX_RANGE_S.start(),
                TAIL_MAX_RANGE_S.end()
            ),
        )
        .with_hint(format!(
            "choose how long a removed effect may ring out, e.g. {DEFAULT_TAIL_MAX_S}; 0 cuts it after the fade"
        )),
    )
}

impl Controller {
    /// Sets how long the effects the next structural edits remove may ring out, in seconds.
    /// Refuses (changing nothing) a value outside [`TAIL_MAX_RANGE_S`].
    pub fn set_tail_max(&mut self, seconds: f64) -> Result<(), EngineError> {
        if let Some(problem) = tail_max_problem(seconds) {
            return Err(EngineError::Invalid(vec![problem]));
        }
        self.settings.tail_max_s = seconds;
        Ok(())
    }

    /// How long removed effects may ring out, in seconds.
    pub fn tail_max(&self) -> f64 {
        self.settings.tail_max_s
    }

    /// The peak of the last block of the tails ringing out, as the audio half last wrote
    /// it, or `None` while none rings.
    pub fn tail_peak(&self) -> Option<f32> {
        self.remote.metrics().tail_peak()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Engine, EngineSettings};
    use patchvm_ir::Limits;

    #[test]
    fn a_tail_limit_outside_its_range_is_refused_and_changes_nothing() {
        let (mut controller, _audio) = Engine::new(EngineSettings::default(), Limits::default());
        assert_eq!(controller.tail_max(), 4.0);
        controller.set_tail_max(0.5).unwrap();
        assert_eq!(controller.tail_max(), 0.5);
        for bad in [-0.1, 60.5, f64::NAN] {
            let Err(crate::EngineError::Invalid(problems)) = controller.set_tail_max(bad) else {
                panic!("tail-max {bad} was taken");
            };
            assert!(
                problems[0]
                    .message
                    .starts_with(&format!("tail-max {bad} s"))
            );
        }
        assert_eq!(controller.tail_max(), 0.5);
        assert_eq!(controller.tail_peak(), None, "nothing rings");
    }
}
