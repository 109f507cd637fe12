//! What the compiler's tests share: their catalogs are built here, as this crate must not
//! depend on the real one.

use patchvm_ir::{InputSpec, Rate, Unit};

/// An audio-rate signal input with a wide range; `breaks_cycles` for a delay's `in`.
pub const fn input(name: &'static str, default: f64, breaks_cycles: bool) -> InputSpec {
    InputSpec {
        name,
        doc: "",
        default,
        min: -1e6,
        max: 1e6,
        unit: Unit::Signal,
        rate: Rate::Audio,
        breaks_cycles,
    }
}

/// The test module `words`: its set-once text input `words` is a space-separated list of
/// words, which name its outputs `word0`…`word3`; `count` is a fixed output. A word may hold
/// any character but a digit, so a digit is a mistake at its exact place in the string.
pub mod words {
    use patchvm_ir::text::{TextInfo, TextProblem, TextSpec};
    use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};

    /// Each distinct word of `text`, in order of first use; a digit is refused where it is.
    pub fn check(text: &str) -> Result<TextInfo, TextProblem> {
        if let Some((at, digit)) = text.char_indices().find(|(_, c)| c.is_ascii_digit()) {
            return Err(
                TextProblem::new(at..at + 1, format!("digit `{digit}` in a word"))
                    .with_hint("write words without digits"),
            );
        }
        let mut names: Vec<String> = Vec::new();
        for word in text.split_whitespace() {
            if !names.iter().any(|name| name == word) {
                names.push(word.to_owned());
            }
        }
        Ok(TextInfo::new(names))
    }

    /// The declaration of `words`.
    pub static WORDS: TextSpec = TextSpec {
        default: "a",
        check,
        outputs: Some("word"),
        audio_file: false,
    };

    const INPUTS: &[InputSpec] = &[
        InputSpec {
            name: "words",
            doc: "the words, which name the outputs",
            default: 0.0,
            min: 0.0,
            max: 0.0,
            unit: Unit::Text(&WORDS),
            rate: Rate::Init,
            breaks_cycles: false,
        },
        super::input("level", 1.0, false),
    ];

    const fn output(name: &'static str) -> OutputSpec {
        OutputSpec {
            name,
            doc: "",
            unit: Unit::Signal,
        }
    }

    /// The module.
    pub const SPEC: ModuleSpec = ModuleSpec {
        name: "words",
        doc: "a test module whose text names its outputs",
        inputs: INPUTS,
        outputs: &[
            output("count"),
            output("word0"),
            output("word1"),
            output("word2"),
            output("word3"),
        ],
        role: Role::Kernel,
    };
}
