//! The control side of a C engine: the controller, poisoned by a caught panic, with the last
//! error and the metrics text.

use crate::status::{
    PVM_ERR_BUSY, PVM_ERR_INVALID_PATCH, PVM_ERR_IO, PVM_ERR_NO_PATCH, PVM_ERR_PANIC,
    PVM_ERR_PARAM, PVM_ERR_QUEUE_FULL, PVM_ERR_RANGE, PVM_OK,
};
use patchvm_engine::Controller;
use patchvm_engine::diagnostics::{Renderer, Style};
use patchvm_engine::ir::{Diagnostics, Format};
use patchvm_engine::source::{LoadError, SourceFile};
use patchvm_engine::{EngineError, MetricsSnapshot};
use std::ffi::CString;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

/// Why a control call failed: its status code and the message `pvm_engine_last_error`
/// returns.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: i32,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(code: i32, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }
}

/// What the control calls own. Touched only by control calls, which the caller serialises
/// (one at a time, from any thread), never by `pvm_engine_process`, so it needs no lock.
#[derive(Debug)]
pub(crate) struct PoisonableController {
    pub(crate) controller: Controller,
    /// The message of the last status-returning control call: empty if it succeeded.
    last_error: CString,
    /// The text `pvm_engine_metrics_json` returned last.
    metrics: CString,
    /// Set when a panic was caught: from then on every call fails with `PVM_ERR_PANIC`.
    poisoned: bool,
    /// The timelines' playheads as this ABI's calls moved them (`state.rs`).
    pub(crate) playheads: crate::state::Playheads,
    /// The text `pvm_engine_state_json` returned last.
    pub(crate) state: CString,
    /// The finished recordings collected so far (`record.rs`).
    pub(crate) takes: crate::record::Takes,
}

impl PoisonableController {
    pub(crate) fn new(controller: Controller) -> PoisonableController {
        PoisonableController {
            controller,
            last_error: CString::default(),
            metrics: CString::default(),
            poisoned: false,
            playheads: crate::state::Playheads::default(),
            state: CString::default(),
            takes: crate::record::Takes::default(),
        }
    }

    /// Runs one control call: frees what the audio side retired, runs `call` with panics
    /// caught, and records its message. Returns its status code.
    pub(crate) fn run(
        &mut self,
        call: impl FnOnce(&mut PoisonableController) -> Result<(), Failure>,
    ) -> i32 {
        if self.poisoned {
            return self.fail(Failure::new(
                PVM_ERR_PANIC,
                "an earlier call hit an internal error; free the engine and make a new one",
            ));
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            self.controller.maintain();
            crate::record::collect(self);
            call(self)
        }));
        match outcome {
            Ok(Ok(())) => {
                self.last_error = CString::default();
                PVM_OK
            }
            Ok(Err(failure)) => self.fail(failure),
            Err(payload) => {
                self.poisoned = true;
                let what = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                self.fail(Failure::new(
                    PVM_ERR_PANIC,
                    format!("internal error (a bug in patchvm): {what}"),
                ))
            }
        }
    }

    fn fail(&mut self, failure: Failure) -> i32 {
        self.last_error = c_string(failure.message);
        failure.code
    }

    /// The message of the last status-returning call, `""` after a success.
    pub(crate) fn last_error(&self) -> &CString {
        &self.last_error
    }

    /// The metrics as JSON, kept until the next call replaces it.
    pub(crate) fn metrics_json(&mut self) -> &CString {
        if !self.poisoned {
            let snapshot = catch_unwind(AssertUnwindSafe(|| {
                self.controller.maintain();
                self.controller.metrics()
            }));
            match snapshot {
                Ok(snapshot) => self.metrics = c_string(metrics_json(&snapshot)),
                Err(_) => self.poisoned = true,
            }
        }
        &self.metrics
    }

    /// Compiles `text` in `format` and publishes it, or explains why not.
    pub(crate) fn load_text(&mut self, text: &[u8], format: Format) -> Result<(), Failure> {
        let source = SourceFile {
            path: PathBuf::from("<text>"),
            format,
            bytes: text.to_vec(),
            included: Vec::new(),
        };
        self.controller
            .load_text(text, format)
            .map(drop)
            .map_err(|error| engine_failure(error, Some(&source)))
    }

    /// Reads the file at `path`, compiles it and publishes it, or explains why not.
    pub(crate) fn load_file(&mut self, path: &str) -> Result<(), Failure> {
        let limits = patchvm_engine::ir::Limits::default();
        let source = SourceFile::read(path.as_ref(), &limits)
            .map_err(|error| engine_failure(EngineError::Load(error), None))?;
        // Its audio files and presets are beside it, as for `patchvm play`; a file that is
        // refused leaves the playing patch's folder.
        let playing = self.controller.folder().to_path_buf();
        self.controller
            .set_folder(patchvm_engine::folder_of(path.as_ref()));
        self.controller
            .load_text(&source.bytes, source.format)
            .map(drop)
            .map_err(|error| {
                self.controller.set_folder(playing);
                engine_failure(error, Some(&source))
            })
    }
}

/// The code and message for `error`; diagnostics are rendered with their source lines when
/// `source` has them.
pub(crate) fn engine_failure(error: EngineError, source: Option<&SourceFile>) -> Failure {
    match error {
        EngineError::Invalid(diagnostics) => match source {
            Some(source) => Failure::new(PVM_ERR_INVALID_PATCH, rendered(&diagnostics, source)),
            None => Failure::new(
                PVM_ERR_INVALID_PATCH,
                EngineError::Invalid(diagnostics).to_string(),
            ),
        },
        EngineError::Load(LoadError::Invalid(source, diagnostics)) => {
            Failure::new(PVM_ERR_INVALID_PATCH, rendered(&diagnostics, &source))
        }
        EngineError::Load(error) => Failure::new(PVM_ERR_IO, error.to_string()),
        error @ EngineError::NoPatch => Failure::new(PVM_ERR_NO_PATCH, error.to_string()),
        error @ EngineError::Param { .. } => Failure::new(PVM_ERR_PARAM, error.to_string()),
        error @ EngineError::Transport(_) => Failure::new(PVM_ERR_RANGE, error.to_string()),
        error @ EngineError::OutOfRange { .. } => Failure::new(PVM_ERR_RANGE, error.to_string()),
        error @ EngineError::EventsDropped(_) => {
            Failure::new(PVM_ERR_QUEUE_FULL, error.to_string())
        }
        error @ EngineError::Busy { .. } => Failure::new(PVM_ERR_BUSY, error.to_string()),
        error @ EngineError::Scene(_) => Failure::new(PVM_ERR_PARAM, error.to_string()),
    }
}

/// Every diagnostic in the plain style (ASCII, no colour), then a summary line.
fn rendered(diagnostics: &Diagnostics, source: &SourceFile) -> String {
    let mut text = Renderer::new(source, Style::Plain).render_all(diagnostics);
    text.push_str(&format!(
        "error: `{}` has {} problem(s)",
        source.path.display(),
        diagnostics.len()
    ));
    text
}

/// `text` as a C string; a NUL inside (a patch can quote one back) becomes U+FFFD.
fn c_string(text: String) -> CString {
    CString::new(text).unwrap_or_else(|error| {
        let text = String::from_utf8_lossy(&error.into_vec()).replace('\0', "\u{FFFD}");
        CString::new(text).unwrap_or_default()
    })
}

/// The metrics as one JSON object, one field per [`MetricsSnapshot`] field.
fn metrics_json(metrics: &MetricsSnapshot) -> String {
    let MetricsSnapshot {
        calls,
        frames,
        late_calls,
        last_dsp_ns,
        dsp_ns,
        last_load,
        peak_load,
        swaps,
        unrouted_events,
        applied_events,
        dropped_events,
        flushed_samples,
        active_voices,
        faults,
        clipped_samples,
    } = *metrics;
    serde_json::json!({
        "calls": calls,
        "frames": frames,
        "late_calls": late_calls,
        "last_dsp_ns": last_dsp_ns,
        "dsp_ns": dsp_ns,
        "last_load": last_load,
        "peak_load": peak_load,
        "swaps": swaps,
        "unrouted_events": unrouted_events,
        "applied_events": applied_events,
        "dropped_events": dropped_events,
        "flushed_samples": flushed_samples,
        "active_voices": active_voices,
        "faults": faults,
        "clipped_samples": clipped_samples,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::PVM_ERR_NULL;
    use patchvm_engine::ir::Limits;
    use patchvm_engine::{Engine, EngineSettings};

    fn side() -> PoisonableController {
        let (controller, _) = Engine::new(EngineSettings::default(), Limits::default());
        PoisonableController::new(controller)
    }

    #[test]
    fn a_panic_in_a_call_becomes_a_code_and_a_message() {
        let mut side = side();
        assert_eq!(side.run(|_| Ok(())), PVM_OK);
        assert_eq!(side.run(|_| panic!("boom")), PVM_ERR_PANIC);
        let message = side.last_error().to_str().unwrap().to_owned();
        assert_eq!(message, "internal error (a bug in patchvm): boom");
        // Poisoned: later calls are refused, even ones that would work.
        assert_eq!(side.run(|_| Ok(())), PVM_ERR_PANIC);
        assert!(
            side.last_error()
                .to_str()
                .unwrap()
                .contains("free the engine")
        );
    }

    #[test]
    fn a_failure_sets_the_message_and_a_success_clears_it() {
        let mut side = side();
        assert_eq!(
            side.run(|_| Err(Failure::new(PVM_ERR_NULL, "`text` is NULL"))),
            PVM_ERR_NULL
        );
        assert_eq!(side.last_error().to_str().unwrap(), "`text` is NULL");
        assert_eq!(side.run(|_| Ok(())), PVM_OK);
        assert_eq!(side.last_error().to_str().unwrap(), "");
    }

    #[test]
    fn a_nul_inside_a_message_does_not_truncate_it() {
        assert_eq!(
            c_string("node `a\0b`".into()).to_str().unwrap(),
            "node `a\u{FFFD}b`"
        );
    }

    #[test]
    fn metrics_are_json_with_every_field() {
        let text = metrics_json(&MetricsSnapshot {
            frames: 48_000,
            swaps: 2,
            ..MetricsSnapshot::default()
        });
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["frames"], 48_000);
        assert_eq!(value["swaps"], 2);
        assert_eq!(value.as_object().unwrap().len(), 15);
    }
}
