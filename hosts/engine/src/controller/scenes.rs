//! Recalling a scene of the patch: every value it names lands on one sample, at once or on
//! the transport's next grid line.

use super::Controller;
use crate::At;
use crate::error::EngineError;
use crate::report::SwapReport;
use patchvm_ir::{Param, Patch, ValueKind};
use patchvm_vm::Quantize;
use patchvm_vm::live::Action;

/// When a recalled scene lands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecallAt {
    /// At the next block, whatever grid swaps otherwise wait for.
    Now,
    /// On the transport's next grid line (`Quantize::Bars(1)`: the next bar line), at exactly
    /// its sample; at the next block while the transport is stopped.
    Grid(Quantize),
}

impl Controller {
    /// Recalls scene `name` of the patch playing: its values and texts become the patch's
    /// (an undoable edit, which a snapshot's patch text keeps), and all of them take effect
    /// on one sample, `at`'s. The texts rebuild their nodes' kernels in the program that
    /// swap brings; the numbers are also sent as events resolved against that program, which
    /// the audio half applies on the sample it takes it, so a value an event had moved since
    /// is set again too.
    pub fn recall_scene(&mut self, name: &str, at: RecallAt) -> Result<SwapReport, EngineError> {
        let patch = self.patch.as_ref().ok_or(EngineError::NoPatch)?;
        let Some(scene) = patch.scenes.iter().find(|scene| scene.name.text == name) else {
            let names: Vec<String> = patch
                .scenes
                .iter()
                .map(|scene| format!("`{}`", scene.name.text))
                .collect();
            let expected = match names.is_empty() {
                true => "the patch has no scenes".to_owned(),
                false => format!("expected one of {}", names.join(", ")),
            };
            return Err(EngineError::Scene(format!("no scene `{name}`; {expected}")));
        };
        let numbers: Vec<(String, String, f64)> = scene
            .values
            .iter()
            .filter_map(|value| match (&value.value.kind, value.target(patch)) {
                (ValueKind::Number(number), Some(target)) => {
                    Some((target.node.text, target.port.text, *number))
                }
                _ => None,
            })
            .collect();
        let edited = with_scene(patch, name);
        let report = self.land_values(edited, numbers, at)?;
        self.recorded.scene = Some(name.to_owned());
        Ok(report)
    }

    /// Plays `edited` (the patch with new values, an undoable edit) and sends each of
    /// `numbers` (node, input, value) as an event resolved against the program it brings, so
    /// every value lands on one sample, `at`'s: a scene's recall, a preset's load.
    pub(super) fn land_values(
        &mut self,
        edited: Patch,
        numbers: Vec<(String, String, f64)>,
        at: RecallAt,
    ) -> Result<SwapReport, EngineError> {
        let quantize = match at {
            RecallAt::Now => None,
            RecallAt::Grid(quantize) => Some(quantize),
        };
        let (report, previous) = self.commit_at(edited, quantize)?;
        if let Some(previous) = previous {
            self.history.edited(previous);
        }
        for (node, param, value) in numbers {
            self.recorded.forget(&node, &param);
            if let Some(key) = self
                .published
                .as_ref()
                .and_then(|published| published.slot(&self.keys, &node, &param))
            {
                self.send(key, Action::Set(value as f32), At::Now);
            }
        }
        Ok(report)
    }

    /// Keeps every node a scene of `patch` gives a number from being folded, from the first
    /// program on: its inputs are slots, so a recall is a change of values that lands on its
    /// sample, never a structural change that crossfades.
    pub(super) fn keep_scene_slots(&mut self, patch: &Patch) {
        for scene in &patch.scenes {
            for value in &scene.values {
                if let (ValueKind::Number(_), Some(target)) =
                    (&value.value.kind, value.target(patch))
                {
                    self.never_fold.insert(target.node.text.as_str().into());
                }
            }
        }
    }

    /// The scene recalled last, if any.
    pub fn current_scene(&self) -> Option<&str> {
        self.recorded.scene.as_deref()
    }
}

/// `patch` with every value of its scene `name` set on its node.
fn with_scene(patch: &Patch, name: &str) -> Patch {
    let mut edited = patch.clone();
    let Some(scene) = patch.scenes.iter().find(|scene| scene.name.text == name) else {
        return edited;
    };
    for value in &scene.values {
        let Some(target) = value.target(patch) else {
            continue;
        };
        if let Some(node) = edited
            .nodes
            .iter_mut()
            .find(|node| node.id.text == target.node.text)
        {
            node.params
                .retain(|param| param.name.text != target.port.text);
            node.params.push(Param {
                name: target.port,
                value: value.value.clone(),
            });
        }
    }
    edited
}
