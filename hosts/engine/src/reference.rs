//! The module reference, generated from the catalog: the JSON and Markdown files in `spec/`
//! and the pages `patchvm modules` prints. A test fails when the files in `spec/` are stale.

use patchvm_ir::{InputSpec, ModuleSpec, Rate, Unit};
use std::fmt::Write;

/// The modules as pretty JSON (the form of `spec/modules.json`), ending in a newline.
pub fn json(modules: &[&ModuleSpec]) -> String {
    let mut text = serde_json::to_string_pretty(modules).expect("the catalog serialises");
    text.push('\n');
    text
}

/// The modules as a Markdown reference (the form of `spec/modules.md`).
pub fn markdown(modules: &[&ModuleSpec]) -> String {
    let mut text = String::from(
        "# Module reference\n\n\
         Generated from the catalog by `UPDATE_GOLDEN=1 cargo test -p patchvm-tests --test integration spec_files`; \
         do not edit by hand. Every input is also a parameter of the same name. *Audio* inputs \
         take a signal or a value; *set once* inputs take only a value, read when the node is \
         built.\n\n",
    );
    let _ = writeln!(text, "{} modules.\n", modules.len());
    for module in modules {
        let _ = writeln!(
            text,
            "## `{}`\n\n{}.\n",
            module.name,
            capitalised(module.doc)
        );
        if !module.inputs.is_empty() {
            text.push_str("| input | default | range | rate | |\n|---|---|---|---|---|\n");
            for input in module.inputs {
                let _ = writeln!(
                    text,
                    "| `{}` | {} | {} | {} | {} |",
                    input.name,
                    default_of(input),
                    range(input),
                    rate(input),
                    input.doc
                );
            }
            text.push('\n');
        }
        if !module.outputs.is_empty() {
            text.push_str("| output | |\n|---|---|\n");
            for output in module.outputs {
                let _ = writeln!(text, "| `{}` | {} |", output.name, output.doc);
            }
            text.push('\n');
        }
    }
    text
}

/// One module as text for a terminal: its name and doc, then a line per port.
pub fn page(module: &ModuleSpec) -> String {
    let mut text = format!("{} — {}\n", module.name, module.doc);
    for input in module.inputs {
        let _ = writeln!(
            text,
            "  in  {:<10} default {}, range {}, {}: {}",
            input.name,
            default_of(input),
            range(input),
            rate(input),
            input.doc
        );
    }
    for output in module.outputs {
        let _ = writeln!(text, "  out {:<10} {}", output.name, output.doc);
    }
    text.push('\n');
    text
}

/// The default with its unit, or a text input's default text, quoted.
fn default_of(input: &InputSpec) -> String {
    let value = input.default;
    match (input.unit, input.unit.symbol()) {
        (Unit::Text(text), _) => format!("{:?}", text.default),
        (_, "") => format!("{value}"),
        (_, symbol) => format!("{value} {symbol}"),
    }
}

fn range(input: &InputSpec) -> String {
    if let Unit::Text(text) = input.unit {
        return match text.outputs {
            Some(prefix) => format!("text, naming `{prefix}…` outputs"),
            None => "text".to_owned(),
        };
    }
    match input.unit.symbol() {
        "" => format!("{}..={}", input.min, input.max),
        symbol => format!("{}..={} {symbol}", input.min, input.max),
    }
}

fn rate(input: &InputSpec) -> &'static str {
    match (input.rate, input.breaks_cycles) {
        (Rate::Init, _) => "set once",
        (Rate::Audio, true) => "audio, may close a cycle",
        (Rate::Audio, false) => "audio",
    }
}

fn capitalised(doc: &str) -> String {
    let mut chars = doc.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use patchvm_ir::text::{TextInfo, TextProblem, TextSpec};
    use patchvm_ir::{OutputSpec, Role};

    fn any(_: &str) -> Result<TextInfo, TextProblem> {
        Ok(TextInfo::default())
    }

    static PATTERN: TextSpec = TextSpec {
        default: "bd sd",
        check: any,
        outputs: Some("word"),
        audio_file: false,
    };

    static SPEC: ModuleSpec = ModuleSpec {
        name: "test.pattern",
        doc: "plays words",
        inputs: &[InputSpec {
            name: "pattern",
            doc: "the words",
            default: 0.0,
            min: 0.0,
            max: 0.0,
            unit: Unit::Text(&PATTERN),
            rate: Rate::Init,
            breaks_cycles: false,
        }],
        outputs: &[OutputSpec {
            name: "word0",
            doc: "the first word",
            unit: Unit::Signal,
        }],
        role: Role::Kernel,
    };

    #[test]
    fn a_text_input_shows_its_default_text_and_the_outputs_it_names() {
        let spec = &SPEC;
        let line = page(spec).lines().nth(1).unwrap().to_owned();
        assert_eq!(
            line,
            "  in  pattern    default \"bd sd\", range text, naming `word…` outputs, set once: the words"
        );
        assert!(json(&[spec]).contains(r#""text": {"#));
    }
}
