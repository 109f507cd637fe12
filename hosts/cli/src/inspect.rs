//! `patchvm disasm`: compile a patch and print its bytecode; its arguments, which `check`
//! shares.

use crate::failure::Failure;
use crate::limits::LimitArgs;
use crate::output;
use patchvm::compiler::disassemble;
use patchvm::engine::source::SourceFile;
use patchvm::{Prepared, Settings};
use std::path::PathBuf;

/// A patch file and the limits to read it with.
#[derive(Debug, clap::Args)]
pub struct PatchArgs {
    /// The patch file (.lisp, .sexp, .json or .msgpack).
    patch: PathBuf,
    /// The sample rate to check memory limits at (delay lines grow with it).
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "HZ",
        default_value_t = 48_000
    )]
    sample_rate: u32,
    /// How many voices the patch's voice template plays.
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = patchvm::compiler::DEFAULT_VOICES as u16,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    voices: u16,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Prints the compiled bytecode.
pub fn disasm(args: &PatchArgs) -> Result<(), Failure> {
    output::print(&compiled_text(args)?)
}

fn compiled_text(args: &PatchArgs) -> Result<String, Failure> {
    let (prepared, _) = args.prepare()?;
    Ok(disassemble(prepared.compiled()))
}

impl PatchArgs {
    /// Reads, validates and compiles the patch at the settings given; the file comes back
    /// with it, for rendering diagnostics found later.
    pub fn prepare(&self) -> Result<(Prepared, SourceFile), Failure> {
        let limits = self.limits.limits();
        let settings = Settings {
            sample_rate: f64::from(self.sample_rate),
            voices: usize::from(self.voices),
            ..Settings::default()
        };
        Ok(Prepared::read(&self.patch, &settings, &limits)?)
    }
}
