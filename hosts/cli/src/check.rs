//! `patchvm check`: validate and compile a patch, print its warnings, then `ok`.

use crate::failure::{Failure, print_diagnostics};
use crate::inspect::PatchArgs;
use crate::output;
use patchvm::engine::warnings::{listen, warnings};

/// A patch to check, and whether to listen to it.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    patch: PatchArgs,
    /// Also render the first second and warn (W0104) if the output peaks above 0 dBFS.
    #[arg(long)]
    listen: bool,
}

/// Validates and compiles; prints every warning on stderr (they never fail the check) and
/// `ok` on stdout.
pub fn run(args: &CheckArgs) -> Result<(), Failure> {
    let (prepared, source) = args.patch.prepare()?;
    let mut found = warnings(prepared.patch());
    if args.listen {
        let heard = listen(prepared)
            .map_err(|diagnostics| Failure::Patch(Box::new(source.clone()), diagnostics))?;
        found.extend(heard);
    }
    print_diagnostics(&source, &found);
    output::print("ok\n")
}
