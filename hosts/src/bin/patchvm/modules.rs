//! `patchvm modules`: the module catalog, as text or JSON.

use crate::failure::Failure;
use patchvm::ir::{ModuleSpec, Rate, suggest};
use patchvm::modules::catalog;
use std::fmt::Write;

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
        let json = serde_json::to_string_pretty(&modules).expect("the catalog serialises");
        println!("{json}");
    } else {
        for module in modules {
            print!("{}", page(module));
        }
    }
    Ok(())
}

/// One module as text: its name and doc, then a line per port.
fn page(module: &ModuleSpec) -> String {
    let mut text = format!("{} — {}\n", module.name, module.doc);
    for input in module.inputs {
        let unit = match input.unit.symbol() {
            "" => String::new(),
            symbol => format!(" {symbol}"),
        };
        let rate = match (input.rate, input.breaks_cycles) {
            (Rate::Init, _) => ", set once",
            (Rate::Audio, true) => ", audio rate, may close a cycle",
            (Rate::Audio, false) => ", audio rate",
        };
        let _ = writeln!(
            text,
            "  in  {:<10} default {}{unit}, range {}..={}{unit}{rate}: {}",
            input.name, input.default, input.min, input.max, input.doc
        );
    }
    for output in module.outputs {
        let _ = writeln!(text, "  out {:<10} {}", output.name, output.doc);
    }
    text.push('\n');
    text
}
