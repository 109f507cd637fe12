//! `patchvm convert`: rewrite a patch in another format, without loss.

use crate::failure::Failure;
use crate::limits::LimitArgs;
use crate::output_file::{Replacement, cannot_write, refuse_same_file};
use patchvm::engine::source::load_as_written;
use patchvm::ir::Format;
use std::path::PathBuf;

/// Input and output files; their extensions name the formats.
#[derive(Debug, clap::Args)]
pub struct ConvertArgs {
    /// The patch to convert.
    input: PathBuf,
    /// Where to write it: .lisp, .sexp, .json or .msgpack.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Reads `input` and writes it to `output` in the format `output`'s extension names; the
/// output replaces any file of that name only once written whole.
pub fn run(args: &ConvertArgs) -> Result<(), Failure> {
    let format = Format::from_path(&args.output).ok_or_else(|| {
        Failure::Usage(format!(
            "cannot tell the format of `{}`: use the extension .lisp, .sexp, .json or .msgpack",
            args.output.display()
        ))
    })?;
    refuse_same_file(&args.output, "--output", &[("the patch", &args.input)])?;
    let (patch, _) = load_as_written(&args.input, &args.limits.limits())?;
    let output = Replacement::new(&args.output)?;
    std::fs::write(output.path(), format.write(&patch))
        .map_err(|error| cannot_write(&args.output, &error))?;
    output.commit()
}
