//! `patchvm modules`: the module catalog, as text or JSON.

use crate::failure::Failure;
use crate::output;
use patchvm::engine::reference;
use patchvm::ir::{ModuleSpec, suggest};
use patchvm::modules::catalog;

/// Which modules to show, and how.
#[derive(Debug, clap::Args)]
pub struct ModulesArgs {
    /// Show only this module, or the modules whose names start with or contain this text
    /// (`drum` shows every `drum.*` module).
    name: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// The module named `name`; else those whose names start with it, in catalog order; else
/// those whose names contain it; else a usage error naming the nearest module.
fn matching(name: &str) -> Result<Vec<&'static ModuleSpec>, Failure> {
    if let Some(module) = catalog().get(name) {
        return Ok(vec![module]);
    }
    let modules = catalog().modules();
    let prefixed: Vec<&ModuleSpec> = modules
        .iter()
        .filter(|m| m.name.starts_with(name))
        .collect();
    if !prefixed.is_empty() {
        return Ok(prefixed);
    }
    let containing: Vec<&ModuleSpec> = modules.iter().filter(|m| m.name.contains(name)).collect();
    if !containing.is_empty() {
        return Ok(containing);
    }
    let names: Vec<&str> = catalog().names().collect();
    Err(Failure::Usage(format!(
        "no module is named `{name}`, starts with it or contains it; {}",
        suggest::hint_for(name, &names)
    )))
}

/// Prints the catalog, or the pages of the modules `name` picks.
pub fn run(args: &ModulesArgs) -> Result<(), Failure> {
    let modules: Vec<&ModuleSpec> = match &args.name {
        None => catalog().modules().iter().collect(),
        Some(name) => matching(name)?,
    };
    if args.json {
        output::print(&reference::json(&modules))
    } else {
        let pages: String = modules.into_iter().map(reference::page).collect();
        output::print(&pages)
    }
}
