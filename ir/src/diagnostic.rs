//! Diagnostics as plain data: a stable code, a message, labelled spans and a hint.
//!
//! The library never prints; hosts render diagnostics (the CLI with the source line and a
//! `file:line:column` header).

use crate::span::Span;
use std::fmt;

/// A stable identifier for each kind of problem a patch can have.
///
/// Codes never change meaning once published, so scripts and tests can match on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// The text is not well-formed S-expression, JSON or MessagePack.
    Syntax,
    /// The text is well-formed but does not have the shape of a patch.
    Shape,
    /// A resource limit (nesting depth, size, node count …) was exceeded.
    Limit,
    /// A node names a module the catalog does not have.
    UnknownModule,
    /// A connection or parameter names a port the module does not have.
    UnknownPort,
    /// A connection names a node the patch does not have.
    UnknownNode,
    /// A value has the wrong type for its parameter.
    WrongType,
    /// A value is outside its parameter's range.
    OutOfRange,
    /// Two nodes have the same id.
    DuplicateNode,
    /// A node sets the same parameter twice.
    DuplicateParam,
    /// Connections form a cycle that no delay breaks.
    Cycle,
    /// The patch has no `output` node.
    NoOutput,
    /// A signal is connected to a parameter that is read only once, when the node is built.
    NotConnectable,
    /// An edit removes a connection the patch does not have.
    UnknownConnection,
    /// A voice template breaks a rule of templates (one `voice` node, no `output` node, no
    /// `/` in names, ports that exist), or a name uses the `/` reserved for its copies.
    Template,
    /// A MIDI binding targets something events cannot set, or a MIDI number is out of range.
    Binding,
    /// The transport section is malformed or out of range: a tempo outside 1–999 BPM, a meter
    /// that is not 1–64 notes of a power-of-two value, tempo changes out of order.
    Transport,
    /// A shorthand form cannot be expanded: a chain shorter than two nodes, an inline node
    /// whose entries are not parameters, a link into a node without inputs or out of one
    /// without outputs.
    Shorthand,
    /// A text parameter's problem: a mistake inside its string (at the exact character), a
    /// number given where text is taken, or an output its text does not name.
    Text,
    /// Several instruments: two voice templates share a name, a template's `channel` or
    /// `voices` is out of range, or a note stream is connected where none can go.
    Notes,
    /// A command that sends note streams (`stream`) was given a patch with none: no
    /// `midi.out`, `midi.cc` or `midi.bend` node.
    NoStream,
    /// A scene cannot be recalled as written: two scenes share a name, a scene sets an input
    /// twice, or names an input no recall can set (a connected one, a voice template's, a
    /// `voice` node's, one of a node that runs no kernel).
    Scene,
    /// An audio file the patch names cannot be used: missing, unreadable, not audio,
    /// truncated, or over the sample budget (`--max-sample-bytes`).
    AudioFile,
    /// The sample bank section is wrong: a word twice, a word that is not one, a folder
    /// that is not one.
    SampleBank,
    /// A word of a pattern that plays the sample bank (`seq.samples`) names no sample of the
    /// bank the patch is built with.
    SampleWord,
    /// A node asks for something this build of patchvm leaves out (a cargo feature it was
    /// built without), such as a pitch shift without the `stretch` feature.
    NotBuilt,
    /// A timeline or clip is malformed: an unknown or repeated key, a value of the wrong type
    /// or out of range, two timelines or two clips of one timeline sharing a name.
    Timeline,
    /// A timeline command or follow action names a timeline or clip that does not exist.
    UnknownTimeline,
    /// A timeline's clips follow into more timelines than a `timeline` node has follow
    /// outputs for.
    FollowTargets,
    /// A recording cannot be started or stopped: an id already recording or stopping, an
    /// unknown id, a source that is not one, a file that cannot be created.
    Recording,
    /// A probe names a node the patch playing does not have, or an output its module does not
    /// have (a controller error: probes are asked for while playing, not written in patches).
    UnknownProbe,
    /// A sub-patch file cannot be used: missing, unreadable, not a valid patch, with a section
    /// only a played patch may have, or a port that names no node of it.
    Subpatch,
    /// Sub-patch files use each other in a cycle (a file using itself, directly or through
    /// others).
    SubpatchCycle,
    /// An instance of a sub-patch is given a parameter, input or output the sub-patch does
    /// not declare.
    SubpatchPort,
    /// A setting of the host (not of the patch) is out of range, such as the sample rate.
    Setting,
    /// patchvm failed its own invariants: a bug to report, never the patch's fault.
    Internal,
    /// Warning: nodes whose signal is never heard, having no path to an output, a sink or a
    /// voice template's output.
    Unheard,
    /// Warning: a value written on an input that a connection drives, which the running
    /// kernel ignores (the connection's signal replaces it).
    DrivenValue,
    /// Warning: the same output connected to the same input twice, which sums the signal
    /// with itself (twice as loud).
    DuplicateConnection,
    /// Warning: the patch's output peaks above 0 dBFS in its first second (`check --listen`).
    Clipping,
}

/// How serious a diagnostic is: an error refuses the patch, a warning never does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The patch cannot play.
    Error,
    /// The patch plays, but probably not as meant.
    Warning,
}

impl Severity {
    /// The word a rendered diagnostic starts with: `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl Code {
    /// The code as printed, e.g. `E0101`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "E0001",
            Code::Shape => "E0002",
            Code::Limit => "E0003",
            Code::UnknownModule => "E0101",
            Code::UnknownPort => "E0102",
            Code::UnknownNode => "E0103",
            Code::WrongType => "E0104",
            Code::OutOfRange => "E0105",
            Code::DuplicateNode => "E0106",
            Code::DuplicateParam => "E0107",
            Code::Cycle => "E0108",
            Code::NoOutput => "E0109",
            Code::NotConnectable => "E0110",
            Code::UnknownConnection => "E0111",
            Code::Template => "E0112",
            Code::Binding => "E0113",
            Code::Transport => "E0114",
            Code::Shorthand => "E0115",
            Code::Text => "E0116",
            Code::Notes => "E0117",
            Code::NoStream => "E0119",
            Code::Scene => "E0118",
            Code::AudioFile => "E0120",
            Code::SampleBank => "E0121",
            Code::SampleWord => "E0122",
            Code::NotBuilt => "E0125",
            Code::Timeline => "E0123",
            Code::UnknownTimeline => "E0124",
            Code::FollowTargets => "E0127",
            Code::Recording => "E0130",
            Code::UnknownProbe => "E0132",
            Code::Subpatch => "E0133",
            Code::SubpatchCycle => "E0134",
            Code::SubpatchPort => "E0135",
            Code::Setting => "E0201",
            Code::Internal => "E0900",
            Code::Unheard => "W0101",
            Code::DrivenValue => "W0102",
            Code::DuplicateConnection => "W0103",
            Code::Clipping => "W0104",
        }
    }

    /// Whether the code names an error or a warning (codes `W…`).
    pub fn severity(self) -> Severity {
        match self {
            Code::Unheard | Code::DrivenValue | Code::DuplicateConnection | Code::Clipping => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A span with a short message saying what is there.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What, in a few lowercase words; may be empty.
    pub message: String,
}

/// One problem found in a patch.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// What kind of problem.
    pub code: Code,
    /// A lowercase sentence without a final period, naming the offender.
    pub message: String,
    /// The main place of the problem.
    pub primary: Label,
    /// Other places that explain it (the first definition of a duplicate, the rest of a cycle).
    pub secondary: Vec<Label>,
    /// What to do about it, naming the valid choices where there are few.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with a primary span and no label text, secondary labels or hint.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            message: message.into(),
            primary: Label {
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
            hint: None,
        }
    }

    /// Sets the text under the primary span.
    pub fn with_label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    /// The one-line form `error[E0101]: message` (or `warning[W0101]: …`), for logs; hosts
    /// render the full form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = self.code.severity().as_str();
        write!(f, "{severity}[{}]: {}", self.code, self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// The problems found in one patch, in the order they were found; never empty.
pub type Diagnostics = Vec<Diagnostic>;

/// The most problems collected from one patch. A file of garbage could otherwise make millions,
/// costing memory to hold and time to print; the first hundred say what is wrong.
pub const MAX_DIAGNOSTICS: usize = 100;

/// Adds `diagnostic` to `problems` unless [`MAX_DIAGNOSTICS`] are there already.
pub fn push_capped(problems: &mut Diagnostics, diagnostic: Diagnostic) {
    if problems.len() < MAX_DIAGNOSTICS {
        problems.push(diagnostic);
    }
}

/// Adds `diagnostic`, the problem that stopped reading (an exceeded limit), as the last of
/// `problems`: in place of the last one collected if [`MAX_DIAGNOSTICS`] are there already, so
/// the list stays capped and still says why reading stopped.
pub fn push_final(problems: &mut Diagnostics, diagnostic: Diagnostic) {
    problems.truncate(MAX_DIAGNOSTICS - 1);
    problems.push(diagnostic);
}
