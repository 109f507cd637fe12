//! `patchvm modules`: the module catalog, as text or JSON.

use crate::failure::Failure;
use crate::output;
use patchvm::engine::reference;
use patchvm::ir::{ModuleSpec, suggest};
use patchvm::modules::catalog;

/// Which modules to show, and how.
#[derive(Debug, clap::Args)]
pub struct ModulesArgs {
    /// Show only this module.
    name: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Prints the catalog, or one module's page.
pub fn run(args: &ModulesArgs) -> Result<(), Failure> {
    let modules: Vec<&ModuleSpec> = match &args.name {
        None => catalog().modules().iter().collect(),
        Some(name) => {
            let module = catalog().get(name).ok_or_else(|| {
                let names: Vec<&str> = catalog().names().collect();
                Failure::Usage(format!(
                    "unknown module `{name}`; {}",
                    suggest::hint_for(name, &names)
                ))
            })?;
            vec![module]
        }
    };
    if args.json {
        output::print(&reference::json(&modules))
    } else {
        let pages: String = modules.into_iter().map(reference::page).collect();
        output::print(&pages)
    }
}
