//! Presets over OSC: `/preset/save s(name)` keeps every settable input's value in
//! `NAME.preset.json` beside the patch, `/preset/load s(name)` sets them all on the next
//! block's sample (see [`Controller::load_preset`]). Each answers its address with the name;
//! a load's answer also names, one string each, the inputs the patch no longer has that it
//! skipped. A bad name, an unreadable file or one that is not a preset answers `/error`.

use patchvm_engine::{Controller, RecallAt};
use rosc::{OscMessage, OscType};

/// A preset command.
#[derive(Clone, Debug, PartialEq)]
pub enum PresetCommand {
    /// `/preset/save s(name)`.
    Save(String),
    /// `/preset/load s(name)`.
    Load(String),
}

/// `address` with `name` as a preset command, if it is one.
pub(crate) fn parse(address: &str, name: String) -> Option<PresetCommand> {
    match address {
        "/preset/save" => Some(PresetCommand::Save(name)),
        "/preset/load" => Some(PresetCommand::Load(name)),
        _ => None,
    }
}

/// Carries out `command`: the answer, or the text of the `/error`.
pub(crate) fn apply(
    command: PresetCommand,
    controller: &mut Controller,
) -> Result<OscMessage, String> {
    let (address, name, skipped) = match command {
        PresetCommand::Save(name) => {
            controller
                .save_preset(&name)
                .map_err(|error| error.to_string())?;
            ("/preset/save", name, Vec::new())
        }
        PresetCommand::Load(name) => {
            let loaded = controller
                .load_preset(&name, RecallAt::Now)
                .map_err(|error| error.to_string())?;
            ("/preset/load", name, loaded.skipped)
        }
    };
    let args = std::iter::once(name)
        .chain(skipped)
        .map(OscType::String)
        .collect();
    Ok(OscMessage {
        addr: address.into(),
        args,
    })
}

#[cfg(test)]
#[path = "presets_tests.rs"]
mod tests;
