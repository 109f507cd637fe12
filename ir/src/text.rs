//! Text parameters: inputs that take a string (a pattern, a word list) instead of a number.
//!
//! A module declares a text input as [`Unit::Text`](crate::Unit::Text) with a [`TextSpec`]:
//! its default text and the function that checks a text, which says where in the string a
//! mistake is ([`TextProblem`]) or what the text defines ([`TextInfo`]). The validator runs it
//! on every text value, so a mistake inside a string is a diagnostic at its exact character;
//! the kernel's builder gets the checked text (never the audio thread). A text input is a
//! setting, read when the node is built: it is never connected nor set by events, and a new
//! text builds the node's kernel again.
//!
//! A text may name outputs: the module declares a group of outputs `{prefix}0`,
//! `{prefix}1`, … in its spec ([`TextSpec::outputs`]), and a connection from port `"bd"`
//! resolves to the output of the group at `bd`'s position in [`TextInfo::names`]. The module's
//! other outputs win over a name they share.
//!
//! ```
//! use patchvm_ir::text::{TextInfo, TextProblem, TextSpec};
//! fn words(text: &str) -> Result<TextInfo, TextProblem> {
//!     match text.find(|c: char| !c.is_ascii_lowercase() && c != ' ') {
//!         Some(at) => Err(TextProblem::new(at..at + 1, "a word has a character that is not a letter")
//!             .with_hint("write words of the letters a to z")),
//!         None => Ok(TextInfo::new(text.split_whitespace().map(str::to_owned).collect())),
//!     }
//! }
//! const WORDS: TextSpec =
//!     TextSpec { default: "a b", check: words, outputs: Some("word"), audio_file: false };
//! assert_eq!((WORDS.check)("bd sd").unwrap().names, ["bd", "sd"]);
//! assert_eq!((WORDS.check)("bd 5d").unwrap_err().range, 3..4);
//! ```

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::fmt;
use std::ops::Range;

/// Checks a text value: what it defines, or the first mistake in it.
pub type TextCheck = fn(&str) -> Result<TextInfo, TextProblem>;

/// A text input's declaration: its default and its check.
#[derive(Clone, Copy)]
pub struct TextSpec {
    /// The text when the patch gives none; it passes `check` (the catalog asserts it).
    pub default: &'static str,
    /// Checks a text value; run by the validator on every value the input is given.
    pub check: TextCheck,
    /// The prefix of the group of outputs this text names, if it names any: the spec's
    /// outputs `{prefix}0`, `{prefix}1`, … stand for the text's names in order, and as many
    /// names as the group has outputs are allowed.
    pub outputs: Option<&'static str>,
    /// Whether the text is the path of an audio file (relative to the patch file's folder, or
    /// a sample bank's word where the module says so): the host decodes the file on the
    /// control side and the kernel's builder receives it decoded, never the path.
    pub audio_file: bool,
}

/// The text a node's text input holds once validated: what its kernel is built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextValue {
    /// The input's index in its module's inputs.
    pub input: usize,
    /// The text, checked.
    pub text: String,
}

/// What a valid text defines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInfo {
    /// The names it defines, each once, in the order their outputs take: the words a
    /// pattern uses. Only read when the input names outputs ([`TextSpec::outputs`]).
    pub names: Vec<String>,
}

/// A mistake in a text value, located inside the string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextProblem {
    /// Where, as byte offsets into the string's value (escapes resolved, quotes excluded);
    /// the validator maps it to the source through the literal's quotes and escapes. An
    /// empty range points at the character after it.
    pub range: Range<usize>,
    /// What is wrong, lowercase, without a final period, naming the offender.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl TextInfo {
    /// A text defining `names`.
    pub fn new(names: Vec<String>) -> TextInfo {
        TextInfo { names }
    }
}

impl TextProblem {
    /// A problem at `range` of the string's value.
    pub fn new(range: Range<usize>, message: impl Into<String>) -> TextProblem {
        TextProblem {
            range,
            message: message.into(),
            hint: None,
        }
    }

    /// Sets the hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> TextProblem {
        self.hint = Some(hint.into());
        self
    }
}

impl TextSpec {
    /// The number of outputs of `outputs` (a module's) in this text's group: how many names
    /// the text may define.
    pub fn group_len(&self, outputs: &[crate::OutputSpec]) -> usize {
        self.outputs.map_or(0, |prefix| {
            (0..)
                .take_while(|&i| group_index(outputs, prefix, i).is_some())
                .count()
        })
    }

    /// The index in `outputs` (a module's) of the output standing for the text's name number
    /// `name`, if the group has one.
    pub fn output_of(&self, outputs: &[crate::OutputSpec], name: usize) -> Option<usize> {
        group_index(outputs, self.outputs?, name)
    }

    /// Whether output `name` of the module belongs to this text's group (and so is reached
    /// only by the text's names).
    pub fn in_group(&self, name: &str) -> bool {
        self.outputs
            .is_some_and(|prefix| group_number(name, prefix).is_some())
    }
}

/// The index of output `{prefix}{name}` in `outputs`.
fn group_index(outputs: &[crate::OutputSpec], prefix: &str, name: usize) -> Option<usize> {
    outputs
        .iter()
        .position(|output| group_number(output.name, prefix) == Some(name))
}

/// `n` if output `output` is `{prefix}{n}`, `n` written in decimal digits without a leading
/// zero.
fn group_number(output: &str, prefix: &str) -> Option<usize> {
    let digits = output.strip_prefix(prefix)?;
    let plain = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    plain.then(|| digits.parse().ok()).flatten()
}

impl fmt::Debug for TextSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextSpec")
            .field("default", &self.default)
            .field("outputs", &self.outputs)
            .field("audio_file", &self.audio_file)
            .finish_non_exhaustive()
    }
}

/// Two declarations are equal when they say the same, check included (compared by address:
/// the same function declared once).
impl PartialEq for TextSpec {
    fn eq(&self, other: &TextSpec) -> bool {
        self.default == other.default
            && self.outputs == other.outputs
            && self.audio_file == other.audio_file
            && std::ptr::fn_addr_eq(self.check, other.check)
    }
}

impl Eq for TextSpec {}

/// The reference shows the default, the group of outputs and, for paths, that the text names
/// an audio file; a check is code, not data.
impl Serialize for TextSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = serializer.serialize_struct("TextSpec", 3)?;
        text.serialize_field("default", self.default)?;
        text.serialize_field("outputs", &self.outputs)?;
        if self.audio_file {
            text.serialize_field("audio_file", &true)?;
        } else {
            text.skip_field("audio_file")?;
        }
        text.end()
    }
}
