//! `patchvm new [TEMPLATE] FILE`: a starting patch written to a new file, so a first session
//! begins from something that plays rather than from an empty page.

use crate::failure::Failure;
use crate::output_file::cannot_write;
use patchvm::ir::{Format, Limits};
use std::io::Write;
use std::path::Path;

/// The templates, by name: the first is the default.
const TEMPLATES: [(&str, &str); 3] = [
    ("synth", include_str!("templates/synth.lisp")),
    ("beat", include_str!("templates/beat.lisp")),
    ("effect", include_str!("templates/effect.lisp")),
];

/// Which template, and where.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// `synth` (the default), `beat` or `effect`, then the file to write (.lisp, .sexp,
    /// .json or .msgpack); an existing file is never overwritten.
    #[arg(value_name = "[TEMPLATE] FILE", num_args = 1..=2, required = true)]
    words: Vec<String>,
}

/// Writes the template the arguments name to a file that must not exist yet.
pub fn run(args: &NewArgs) -> Result<(), Failure> {
    let Some((file, before)) = args.words.split_last() else {
        return Err(Failure::Usage("name the file to write".into()));
    };
    let name = before.first().map_or(TEMPLATES[0].0, String::as_str);
    let Some(&(_, text)) = TEMPLATES.iter().find(|(known, _)| *known == name) else {
        let names: Vec<String> = TEMPLATES.iter().map(|(n, _)| format!("`{n}`")).collect();
        return Err(Failure::Usage(format!(
            "unknown template `{name}`; expected one of {}",
            names.join(", ")
        )));
    };
    let path = Path::new(file);
    let format = Format::from_path(path).ok_or_else(|| {
        Failure::Usage(format!(
            "cannot tell the format of `{file}`: use the extension .lisp, .sexp, .json or \
             .msgpack"
        ))
    })?;
    let bytes = match format {
        Format::Sexpr => text.as_bytes().to_vec(),
        other => {
            let patch = Format::Sexpr
                .read(text.as_bytes(), &Limits::default())
                .expect("the templates are valid patches (tested)");
            other.write(&patch)
        }
    };
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::AlreadyExists => Failure::Usage(format!(
                "`{file}` exists already; `new` never overwrites a file: name another"
            )),
            _ => cannot_write(path, &error),
        })?;
    out.write_all(&bytes)
        .map_err(|error| cannot_write(path, &error))?;
    println!("wrote the {name} template to {file}");
    Ok(())
}
