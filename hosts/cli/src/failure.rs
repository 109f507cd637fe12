//! How a command fails: what it prints and which exit status it returns.

use patchvm::engine::diagnostics::{Renderer, Style};
use patchvm::engine::source::{LoadError, SourceFile};
use patchvm::ir::Diagnostics;
use patchvm::ir::diagnostic::MAX_DIAGNOSTICS;
use std::io::IsTerminal;
use std::process::ExitCode;

/// A failed command.
#[derive(Debug)]
pub enum Failure {
    /// The patch has problems: exit status 1.
    Patch(Box<SourceFile>, Diagnostics),
    /// The patch file, or an output file, could not be read or written: exit status 1.
    File(String),
    /// The command line asks for something impossible: exit status 2.
    Usage(String),
}

impl Failure {
    /// Prints the failure on stderr and returns its exit status.
    pub fn report(self) -> ExitCode {
        match self {
            Failure::Patch(source, diagnostics) => {
                print_diagnostics(&source, &diagnostics);
                eprintln!("error: {}", problems(&source, &diagnostics));
                ExitCode::from(1)
            }
            Failure::File(message) => {
                eprintln!("error: {message}");
                ExitCode::from(1)
            }
            Failure::Usage(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
        }
    }
}

/// Prints every diagnostic with its source line on stderr, in colour on a terminal.
pub fn print_diagnostics(source: &SourceFile, diagnostics: &Diagnostics) {
    let style = if std::io::stderr().is_terminal() {
        Style::Terminal
    } else {
        Style::Plain
    };
    let renderer = Renderer::new(source, style);
    for diagnostic in diagnostics {
        eprint!("{}", renderer.render(diagnostic));
    }
}

/// "`file` has N problem(s)"; at the cap, "at least N", since reading stopped collecting.
pub fn problems(source: &SourceFile, diagnostics: &Diagnostics) -> String {
    let count = diagnostics.len();
    let at_least = if count >= MAX_DIAGNOSTICS {
        "at least "
    } else {
        ""
    };
    format!(
        "`{}` has {at_least}{count} problem{}",
        source.path.display(),
        if count == 1 { "" } else { "s" }
    )
}

impl From<LoadError> for Failure {
    fn from(error: LoadError) -> Failure {
        match error {
            LoadError::Invalid(source, diagnostics) => {
                Failure::Patch(Box::new(source), diagnostics)
            }
            LoadError::UnknownFormat(_) => Failure::Usage(error.to_string()),
            LoadError::Io(..) => Failure::File(error.to_string()),
        }
    }
}
