//! Recalling a scene of the patch: every value it names lands on one sample, at once or on
//! the transport's next grid line.

use super::Controller;
use crate::error::EngineError;
use crate::report::SwapReport;
use crate::At;
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
            .filter_map(|value| match value.value.kind {
                ValueKind::Number(number) => Some((
                    value.target.node.text.clone(),
                    value.target.port.text.clone(),
                    number,
                )),
                _ => None,
            })
            .collect();
        let edited = with_scene(patch, name);
        // Slots for every number, in the program this commit publishes: a folded node would
        // otherwise be kept by a second swap.
        for (node, _, _) in &numbers {
            self.never_fold.insert(node.as_str().into());
        }
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
        self.recorded.scene = Some(name.to_owned());
        Ok(report)
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
        if let Some(node) = edited
            .nodes
            .iter_mut()
            .find(|node| node.id.text == value.target.node.text)
        {
            node.params
                .retain(|param| param.name.text != value.target.port.text);
            node.params.push(Param {
                name: value.target.port.clone(),
                value: value.value.clone(),
            });
        }
    }
    edited
}
