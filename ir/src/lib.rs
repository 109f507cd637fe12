//! patchvm's patch data model, as data.
//!
//! A patch is a graph of module instances written as an S-expression, JSON or MessagePack file.
//! This crate reads and writes those forms ([`mod@format`]), holds the [`patch`] model with a byte
//! [`span`] on every element, describes modules as data ([`catalog`]), and checks a patch against
//! a catalog into an ordered [`graph`] ([`mod@validate`]), and applies [`edit`]s to a patch.
//! Problems are [`diagnostic`]s: plain data with spans, codes and hints, never panics and
//! never printed here.
//!
//! It has no audio, I/O or thread dependencies and knows nothing of bytecode.
//!
//! ```
//! use patchvm_ir::{Format, Limits};
//! let text = r#"(patch (nodes (osc1 (type "osc.sine") (freq 440)) (out (type "output")))
//!                      (connections (osc1 "out" -> out "in")))"#;
//! let patch = Format::Sexpr.read(text.as_bytes(), &Limits::default()).unwrap();
//! assert_eq!(patch.nodes[0].id.text, "osc1");
//! let json = Format::Json.write(&patch);
//! let again = Format::Json.read(&json, &Limits::default()).unwrap();
//! assert_eq!(again.without_spans(), patch.without_spans());
//! ```
#![deny(missing_docs)]

pub mod catalog;
pub mod diagnostic;
pub mod edit;
pub mod format;
pub mod graph;
pub mod limits;
pub mod literal;
pub mod midi;
pub mod node_name;
pub mod not_built;
pub mod notes;
pub mod patch;
pub mod samples;
pub mod scenes;
pub mod shorthand;
pub mod span;
pub mod subpatch;
pub mod suggest;
pub mod text;
pub mod timelines;
pub mod transport;
pub mod validate;
pub mod voices;

pub use catalog::{
    Bus, Catalog, Fade, Feed, FoldFn, InputSpec, ModuleSpec, NoteSlot, OutputSpec, Part, Rate,
    Role, Sink, SinkKind, Unit,
};
pub use diagnostic::{Code, Diagnostic, Diagnostics, Label, Severity};
pub use edit::Edit;
pub use format::Format;
pub use graph::{Edge, Graph, GraphNode, NodeIdx};
pub use limits::Limits;
pub use literal::Escape;
pub use node_name::NodeName;
pub use not_built::NotBuilt;
pub use patch::{
    Binding, BindingSource, Connection, Midi, Name, Node, Number, Param, Patch, PatchBuilder,
    PortRef, TemplatePort, Value, ValueKind, VoiceTemplate,
};
pub use samples::SampleEntry;
pub use scenes::{Scene, SceneValue};
pub use span::{LineColumn, LineIndex, Span};
pub use subpatch::{Interface, Library, SubpatchFile};
pub use text::{TextCheck, TextInfo, TextProblem, TextSpec, TextValue};
pub use timelines::{Clip, Follow, FollowAction, Position, Timeline};
pub use transport::{Meter, TempoChange, TempoShape, Transport};
pub use validate::{validate, validate_voices, validate_with};
