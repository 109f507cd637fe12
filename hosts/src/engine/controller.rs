//! The control half: loads and edits patches, keeps the undo history, sends events, and
//! reads what the audio half reports. Any thread; it allocates freely.

use super::build::{Published, build};
use super::error::EngineError;
use super::history::History;
use super::keys::Keys;
use super::notes::{Held, NoteBinding};
use super::report::SwapReport;
use super::{At, EngineSettings};
use crate::instance::prepare_with;
use crate::source;
use patchvm_compiler::CompileOptions;
use patchvm_ir::{Edit, Format, Limits, Patch, Rate, Role};
use patchvm_modules::catalog;
use patchvm_vm::live::{Action, Event, MetricsSnapshot, ParamKey, Remote, Returned};
use std::collections::{BTreeSet, VecDeque};
use std::path::Path;

/// The control half of an engine (see [`Engine`](super::Engine)). Every call that changes
/// the patch compiles and builds the new program here, then publishes it to the audio half;
/// an invalid patch or edit returns its diagnostics and changes nothing.
#[derive(Debug)]
pub struct Controller {
    remote: Remote,
    settings: EngineSettings,
    limits: Limits,
    /// The patch of the last program published.
    patch: Option<Patch>,
    history: History,
    published: Option<Published>,
    keys: Keys,
    /// Stateless nodes that events have addressed: never folded, so their inputs stay slots.
    never_fold: BTreeSet<String>,
    generation: u64,
    /// Reports of programs published and not yet taken, oldest first.
    in_flight: VecDeque<SwapReport>,
    /// Reports of programs taken, not yet read.
    taken: Vec<SwapReport>,
    notes: NoteBinding,
    held: Held,
}

impl Controller {
    pub(crate) fn new(remote: Remote, settings: EngineSettings, limits: Limits) -> Controller {
        Controller {
            remote,
            settings,
            limits,
            patch: None,
            history: History::default(),
            published: None,
            keys: Keys::default(),
            never_fold: BTreeSet::new(),
            generation: 0,
            in_flight: VecDeque::new(),
            taken: Vec::new(),
            notes: NoteBinding::default(),
            held: Held::default(),
        }
    }

    /// Reads a patch from `text` in `format` and plays it (an undoable replacement).
    pub fn load_text(&mut self, text: &[u8], format: Format) -> Result<SwapReport, EngineError> {
        let patch = format.read(text, &self.limits)?;
        self.load_patch(patch)
    }

    /// Reads the patch file at `path` (format from its extension) and plays it.
    pub fn load_file(&mut self, path: &Path) -> Result<SwapReport, EngineError> {
        let (patch, _) = source::load(path, &self.limits).map_err(EngineError::Load)?;
        self.load_patch(patch)
    }

    /// Plays `patch`, replacing the one playing: nodes whose id and module survive keep
    /// their state. Undoable.
    pub fn load_patch(&mut self, patch: Patch) -> Result<SwapReport, EngineError> {
        self.apply(&Edit::ReplacePatch(patch))
    }

    /// Applies `edit` to the patch playing and plays the result. Undoable. Needs a patch,
    /// except for [`Edit::ReplacePatch`].
    pub fn apply(&mut self, edit: &Edit) -> Result<SwapReport, EngineError> {
        let base = match (&self.patch, edit) {
            (Some(patch), _) => patch.clone(),
            (None, Edit::ReplacePatch(_)) => Patch::default(),
            (None, _) => return Err(EngineError::NoPatch),
        };
        let edited = edit.apply(&base, catalog(), &self.limits)?;
        let previous = self.patch.clone();
        let report = self.commit(edited)?;
        if let Some(previous) = previous {
            self.history.edited(previous);
        }
        Ok(report)
    }

    /// Goes back to the patch before the last edit; `Ok(None)` if there is none.
    pub fn undo(&mut self) -> Result<Option<SwapReport>, EngineError> {
        let Some(target) = self.history.undo_target().cloned() else {
            return Ok(None);
        };
        let current = self.patch.clone().ok_or(EngineError::NoPatch)?;
        let report = self.commit(target)?;
        self.history.undone(current);
        Ok(Some(report))
    }

    /// Goes forward again to the patch the last undo left; `Ok(None)` if there is none.
    pub fn redo(&mut self) -> Result<Option<SwapReport>, EngineError> {
        let Some(target) = self.history.redo_target().cloned() else {
            return Ok(None);
        };
        let current = self.patch.clone().ok_or(EngineError::NoPatch)?;
        let report = self.commit(target)?;
        self.history.redone(current);
        Ok(Some(report))
    }

    /// The patch playing (the last one published), if any.
    pub fn patch(&self) -> Option<&Patch> {
        self.patch.as_ref()
    }

    /// Sets input `param` of node `node` to `value` at `at`, exactly at that sample. Returns
    /// whether the event was queued: `false` means the queue was full and the event was
    /// dropped (and counted in the metrics), never waited for.
    ///
    /// The input must be unconnected and audio-rate. The first event for a stateless node
    /// that the compiler folded into a constant recompiles the patch with that node kept
    /// (a swap, within a block), so that folding never hides a value an event can change.
    pub fn set_param(
        &mut self,
        node: &str,
        param: &str,
        value: f32,
        at: At,
    ) -> Result<bool, EngineError> {
        let key = self.key(node, param)?;
        Ok(self.send(key, Action::Set(value), at))
    }

    /// Ramps input `param` of node `node` linearly from its value at `at` to `target`,
    /// reaching it `samples` samples later. Like [`set_param`](Controller::set_param)
    /// otherwise.
    pub fn ramp_param(
        &mut self,
        node: &str,
        param: &str,
        target: f32,
        samples: u32,
        at: At,
    ) -> Result<bool, EngineError> {
        let key = self.key(node, param)?;
        Ok(self.send(key, Action::Ramp { target, samples }, at))
    }

    /// Chooses the parameters that [`note_on`](Controller::note_on) and
    /// [`note_off`](Controller::note_off) drive.
    pub fn bind_notes(&mut self, binding: NoteBinding) {
        self.notes = binding;
    }

    /// Plays MIDI note `note` at `velocity` (0..=127) from `at`, through the
    /// [`NoteBinding`]. Monophonic; voices are a later issue.
    pub fn note_on(&mut self, note: u8, velocity: u8, at: At) -> Result<(), EngineError> {
        let change = self.held.on(note, velocity);
        self.note_change(change.freq, change.gate, at)
    }

    /// Releases MIDI note `note` at `at`.
    pub fn note_off(&mut self, note: u8, at: At) -> Result<(), EngineError> {
        let change = self.held.off(note);
        self.note_change(change.freq, change.gate, at)
    }

    /// How the engine was built: its sample rate, seed, channels and queue sizes.
    pub fn settings(&self) -> EngineSettings {
        self.settings
    }

    /// The limits patches and edits are checked against.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The metrics, as the audio half last wrote them.
    pub fn metrics(&self) -> MetricsSnapshot {
        self.remote.metrics().snapshot()
    }

    /// The engine time: frames the audio half has rendered, within one block.
    pub fn time(&self) -> u64 {
        self.remote.metrics().frames()
    }

    /// Reports of the programs the audio half has taken since the last call, oldest first.
    pub fn take_reports(&mut self) -> Vec<SwapReport> {
        self.maintain();
        std::mem::take(&mut self.taken)
    }

    /// Frees the programs the audio half retired and collects its receipts. Every other
    /// call does this too; call it now and then when nothing else happens, so retired
    /// programs do not wait long to be freed.
    pub fn maintain(&mut self) {
        while let Some(returned) = self.remote.receive() {
            match returned {
                Returned::Taken { generation, time } => {
                    while let Some(mut report) = self.in_flight.pop_front() {
                        if report.generation == generation {
                            report.taken_at = Some(time);
                            self.taken.push(report);
                            break;
                        }
                    }
                }
                // Dropped here: the program is freed on the control side.
                Returned::Retired(program) => drop(program),
            }
        }
    }

    fn note_change(
        &mut self,
        freq: Option<f32>,
        gate: Option<f32>,
        at: At,
    ) -> Result<(), EngineError> {
        let binding = self.notes.clone();
        for (target, value) in [(binding.freq, freq), (binding.gate, gate)] {
            if let (Some((node, param)), Some(value)) = (target, value) {
                self.set_param(&node, &param, value, at)?;
            }
        }
        Ok(())
    }

    fn send(&mut self, key: ParamKey, action: Action, at: At) -> bool {
        self.maintain();
        let time = match at {
            At::Now => 0,
            At::Sample(time) => time,
        };
        self.remote.send(Event {
            time,
            key,
            action,
            generation: self.generation,
        })
    }

    /// Compiles, builds and publishes `patch`; on success it is the patch playing.
    fn commit(&mut self, patch: Patch) -> Result<SwapReport, EngineError> {
        self.maintain();
        let options = CompileOptions {
            never_fold: self.never_fold.clone(),
        };
        let settings = self.settings.instance();
        let compiled = prepare_with(&patch, &settings, &self.limits, &options)?;
        let generation = self.generation + 1;
        let (loaded, published, mut report) = build(
            compiled,
            &settings,
            self.published.as_ref(),
            &mut self.keys,
            generation,
        )?;
        // On failure the program comes back and is dropped here, on the control side.
        self.remote
            .publish(loaded)
            .map_err(|_| EngineError::AudioHalfNotRunning)?;
        // The audio half's next look for programs as the push lands: the program is taken at
        // that look, or at the one after if the look was already under way.
        report.published_at = self.remote.metrics().next_look();
        self.generation = generation;
        self.published = Some(published);
        self.patch = Some(patch);
        self.in_flight.push_back(report.clone());
        Ok(report)
    }

    /// The key of an input events can reach, or why it cannot be reached.
    fn key(&mut self, node: &str, param: &str) -> Result<ParamKey, EngineError> {
        let published = self.published.as_ref().ok_or(EngineError::NoPatch)?;
        if let Some(key) = published.slot(node, param) {
            return Ok(key);
        }
        let refuse = |reason: String| EngineError::Param {
            node: node.to_owned(),
            param: param.to_owned(),
            reason,
        };
        let patch = self.patch.as_ref().ok_or(EngineError::NoPatch)?;
        let found = patch
            .node(node)
            .ok_or_else(|| refuse("no such node".into()))?;
        let spec = catalog()
            .get(&found.module.text)
            .ok_or_else(|| refuse("unknown module".into()))?;
        let input = spec.input(param).ok_or_else(|| {
            let names: Vec<String> = spec
                .inputs
                .iter()
                .map(|i| format!("`{}`", i.name))
                .collect();
            refuse(format!(
                "module `{}` has no input `{param}`; expected one of {}",
                spec.name,
                names.join(", ")
            ))
        })?;
        if spec.role == Role::Output {
            return Err(refuse("output nodes take no events".into()));
        }
        if spec.inputs[input].rate == Rate::Init {
            return Err(refuse(
                "it is read once, when the node is built; change it with an edit".into(),
            ));
        }
        let connected = patch
            .connections
            .iter()
            .any(|c| c.to.node.text == node && c.to.port.text == param);
        if connected {
            return Err(refuse("a connection drives it".into()));
        }
        if !self.never_fold.insert(node.to_owned()) {
            return Err(refuse("the node reaches no output".into()));
        }
        // A folded node: keep it a kernel from now on, so its inputs are slots.
        let patch = patch.clone();
        if let Err(error) = self.commit(patch) {
            self.never_fold.remove(node);
            return Err(error);
        }
        let published = self.published.as_ref().ok_or(EngineError::NoPatch)?;
        published
            .slot(node, param)
            .ok_or_else(|| refuse("the node reaches no output".into()))
    }
}
