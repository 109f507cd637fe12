//! Presets of parameter values: every input events can set, as it stands now (the patch's
//! values and those events set since), kept in a JSON file beside the patch and recalled
//! later so that all of them land on one sample, as a scene does.
//!
//! `NAME.preset.json` in [`Controller::folder`]: a name is letters, digits, `-` and `_`
//! only, so it can never reach outside that folder. Files are written atomically (a
//! temporary file renamed into place, see [`write_atomically`]).

use super::Controller;
use super::scenes::RecallAt;
use crate::error::EngineError;
use crate::report::SwapReport;
use crate::save::write_atomically;
use patchvm_ir::{Name, Param, Patch, Rate, Role, Span, Value, ValueKind};
use patchvm_modules::catalog;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

/// The `format` field every preset file has.
pub const PRESET_FORMAT: &str = "patchvm-preset";
/// The preset file version this build writes and reads.
pub const PRESET_VERSION: u32 = 1;

/// A preset as stored: each settable input's value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preset {
    /// Always [`PRESET_FORMAT`]: what tells a preset from any other JSON.
    pub format: String,
    /// [`PRESET_VERSION`] when written.
    pub version: u32,
    /// The values, by node and input, in the patch's node order.
    pub values: Vec<PresetValue>,
}

/// One input's value in a preset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PresetValue {
    /// The node id.
    pub node: String,
    /// The input's name.
    pub input: String,
    /// Its value.
    pub value: f64,
}

/// What a loaded preset did.
#[derive(Debug)]
pub struct PresetLoaded {
    /// The swap that set the values.
    pub report: SwapReport,
    /// `node.input` of each value the preset holds that the patch can no longer take (the
    /// node or input is gone, or a connection now drives it), skipped.
    pub skipped: Vec<String>,
}

/// Why a preset was not saved or loaded.
#[derive(Debug)]
pub enum PresetError {
    /// The name is not letters, digits, `-` and `_`; the name.
    Name(String),
    /// The file could not be read or written, or is not a preset; why, naming it.
    File(String),
    /// The engine refused the values.
    Engine(EngineError),
}

impl fmt::Display for PresetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PresetError::Name(name) => write!(
                f,
                "`{name}` is no preset name; expected letters, digits, `-` and `_` only"
            ),
            PresetError::File(reason) => f.write_str(reason),
            PresetError::Engine(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for PresetError {}

impl From<EngineError> for PresetError {
    fn from(error: EngineError) -> PresetError {
        PresetError::Engine(error)
    }
}

impl Controller {
    /// The file preset `name` is kept in: `NAME.preset.json` beside the patch.
    pub fn preset_path(&self, name: &str) -> Result<PathBuf, PresetError> {
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        match valid {
            true => Ok(self.folder().join(format!("{name}.preset.json"))),
            false => Err(PresetError::Name(name.to_owned())),
        }
    }

    /// Every input events can set, with its value now: the value an event set last, else
    /// the patch's, else the catalog's default. Allocates; call it off the audio thread.
    pub fn preset(&self) -> Result<Preset, EngineError> {
        let patch = self.patch.as_ref().ok_or(EngineError::NoPatch)?;
        let mut values = Vec::new();
        for node in &patch.nodes {
            for input in settable_inputs(patch, &node.id.text) {
                let written = node.params.iter().find(|param| param.name.text == input);
                let value = match (self.recorded.value(&node.id.text, input), written) {
                    (Some(value), _) => f64::from(value),
                    (
                        None,
                        Some(Param {
                            value:
                                Value {
                                    kind: ValueKind::Number(number),
                                    ..
                                },
                            ..
                        }),
                    ) => *number,
                    (None, Some(_)) => continue,
                    (None, None) => default_of(patch, &node.id.text, input),
                };
                values.push(PresetValue {
                    node: node.id.text.clone(),
                    input: input.to_owned(),
                    value,
                });
            }
        }
        Ok(Preset {
            format: PRESET_FORMAT.to_owned(),
            version: PRESET_VERSION,
            values,
        })
    }

    /// Writes [`preset`](Controller::preset) to `NAME.preset.json` beside the patch,
    /// atomically, and returns its path.
    pub fn save_preset(&self, name: &str) -> Result<PathBuf, PresetError> {
        let path = self.preset_path(name)?;
        let preset = self.preset()?;
        let mut bytes = serde_json::to_vec_pretty(&preset)
            .map_err(|error| PresetError::File(error.to_string()))?;
        bytes.push(b'\n');
        write_atomically(&path, &bytes).map_err(PresetError::File)?;
        Ok(path)
    }

    /// Reads preset `name` from beside the patch and sets its values, all on one sample,
    /// `at`'s, as a scene recall does (an undoable edit of the patch's values, sent as
    /// events too so a value an event had moved is set again). Values of inputs the patch
    /// no longer has are skipped and named in the answer.
    pub fn load_preset(&mut self, name: &str, at: RecallAt) -> Result<PresetLoaded, PresetError> {
        let path = self.preset_path(name)?;
        let bytes = std::fs::read(&path).map_err(|error| {
            PresetError::File(format!("cannot read `{}`: {error}", path.display()))
        })?;
        let preset = parse(&bytes).map_err(|reason| {
            PresetError::File(format!("`{}` is not a preset: {reason}", path.display()))
        })?;
        self.apply_preset(&preset, at)
    }

    /// Sets `preset`'s values, as [`load_preset`](Controller::load_preset) does.
    pub fn apply_preset(
        &mut self,
        preset: &Preset,
        at: RecallAt,
    ) -> Result<PresetLoaded, PresetError> {
        let patch = self.patch.as_ref().ok_or(EngineError::NoPatch)?;
        let mut edited = patch.clone();
        let mut numbers = Vec::new();
        let mut skipped = Vec::new();
        for value in &preset.values {
            let takes = settable_inputs(patch, &value.node).any(|input| input == value.input);
            let node = edited
                .nodes
                .iter_mut()
                .find(|node| node.id.text == value.node);
            let (Some(node), true) = (node, takes) else {
                skipped.push(format!("{}.{}", value.node, value.input));
                continue;
            };
            match node.params.iter_mut().find(|p| p.name.text == value.input) {
                Some(param) => param.value.kind = ValueKind::Number(value.value),
                None => node.params.push(Param {
                    name: Name::new(value.input.as_str()),
                    value: Value {
                        kind: ValueKind::Number(value.value),
                        span: Span::NONE,
                        escapes: Vec::new(),
                    },
                }),
            }
            numbers.push((value.node.clone(), value.input.clone(), value.value));
        }
        for (node, _, _) in &numbers {
            self.never_fold.insert(node.as_str().into());
        }
        let report = self.land_values(edited, numbers, at)?;
        Ok(PresetLoaded { report, skipped })
    }
}

/// `bytes` as a preset, or why not, in lowercase words.
fn parse(bytes: &[u8]) -> Result<Preset, String> {
    let preset: Preset = serde_json::from_slice(bytes).map_err(|error| {
        format!("{error}; expected {{\"format\": \"{PRESET_FORMAT}\", \"version\": {PRESET_VERSION}, \"values\": [...]}}")
    })?;
    if preset.format != PRESET_FORMAT {
        return Err(format!(
            "its format is `{}`; expected `{PRESET_FORMAT}`",
            preset.format
        ));
    }
    if preset.version != PRESET_VERSION {
        return Err(format!(
            "its version is {}; expected {PRESET_VERSION}",
            preset.version
        ));
    }
    if let Some(bad) = preset.values.iter().find(|value| !value.value.is_finite()) {
        return Err(format!(
            "`{}.{}` is not a finite number",
            bad.node, bad.input
        ));
    }
    Ok(preset)
}

/// The inputs of node `id` events can set: a kernel's inputs read while it runs and driven
/// by no connection.
fn settable_inputs<'a>(patch: &'a Patch, id: &'a str) -> impl Iterator<Item = &'static str> + 'a {
    let spec = patch
        .nodes
        .iter()
        .find(|node| node.id.text == id)
        .and_then(|node| catalog().get(&node.module.text))
        .filter(|spec| spec.role == Role::Kernel);
    spec.into_iter()
        .flat_map(|spec| spec.inputs.iter())
        .filter(|input| input.rate != Rate::Init)
        .map(|input| input.name)
        .filter(move |name| {
            !patch
                .connections
                .iter()
                .any(|c| c.to.node.text == id && c.to.port.text == *name)
        })
}

/// The catalog's default for input `input` of node `id`.
fn default_of(patch: &Patch, id: &str, input: &str) -> f64 {
    patch
        .node(id)
        .and_then(|node| catalog().get(&node.module.text))
        .and_then(|spec| spec.inputs.iter().find(|i| i.name == input))
        .map_or(0.0, |input| input.default)
}

#[cfg(test)]
#[path = "presets_tests.rs"]
mod tests;
