//! Writing results to stdout without panicking when the reader goes away.
//!
//! `print!` panics when stdout is a closed pipe (`patchvm disasm big.lisp | head`); a command
//! whose reader stopped listening has nothing left to do, so it ends quietly instead.

use std::io::Write;

/// Writes `text` to stdout. A closed pipe ends the process with status 0; any other write
/// error is reported as a file error.
pub fn print(text: &str) -> Result<(), crate::failure::Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(error) => Err(crate::failure::Failure::File(format!(
            "cannot write to stdout: {error}"
        ))),
    }
}
