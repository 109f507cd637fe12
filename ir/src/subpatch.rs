//! Reusable sub-patches: a patch file that declares the `(inputs ...)`, `(outputs ...)` and
//! `(params ...)` it offers, used by other patches as a node whose type is its path.
//!
//! ```lisp
//! ; lib/voice.lisp
//! (patch
//!   (inputs (cutoff lp "cutoff"))          ; (NAME NODE PORT): a signal driving lp.cutoff
//!   (params (freq osc "freq"))             ; a value set on the instance lands on osc.freq
//!   (outputs (out lp "out"))               ; what the instance's `out` reads
//!   (nodes (osc (type "osc.saw") (freq 110)) (lp (type "filter.lowpass")))
//!   (connections (osc "out" -> lp "in")))
//!
//! ; song.lisp
//! (patch (nodes (bass (type "lib/voice.lisp") (freq 55)) (out (type "output")))
//!        (connections (bass "out" -> out "in")))
//! ```
//!
//! A parameter's default is the value its node has in the sub-patch file. The instance is
//! expanded (see [`expand`]) before validation into the sub-patch's nodes named under it
//! (`bass/osc`, `bass/lp`), so live edits, events and diagnostics reach inside; a node type is
//! a sub-patch when it ends in a patch format's extension ([`is_instance`]). Where the files
//! come from is the host's [`Library`]; the engine reads them relative to the file that uses
//! them.

mod expand;

pub use expand::{MAX_DEPTH, expand};

use crate::diagnostic::Diagnostics;
use crate::format::Format;
use crate::patch::{Connection, Node, Patch, PortRef, TemplatePort, Value, ValueKind};
use crate::span::Span;

/// What a patch offers as a sub-patch: ports named as the instance's ports, each standing for
/// one port of one of its nodes (`(NAME NODE PORT)`, as a voice template's are).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Interface {
    /// Inputs an instance's incoming connections drive.
    pub inputs: Vec<TemplatePort>,
    /// Outputs an instance's outgoing connections read.
    pub outputs: Vec<TemplatePort>,
    /// Parameters an instance's values set (connections may drive them too).
    pub params: Vec<TemplatePort>,
}

impl Interface {
    /// Whether the patch declares no port (and is then no sub-patch, and writes no section).
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty() && self.outputs.is_empty() && self.params.is_empty()
    }

    /// Every port, inputs first, then outputs, then parameters.
    pub fn ports(&self) -> impl Iterator<Item = &TemplatePort> {
        self.inputs.iter().chain(&self.outputs).chain(&self.params)
    }

    /// Every port, mutably, in the order of [`Interface::ports`].
    pub fn ports_mut(&mut self) -> impl Iterator<Item = &mut TemplatePort> {
        self.inputs
            .iter_mut()
            .chain(&mut self.outputs)
            .chain(&mut self.params)
    }
}

/// Whether a node's type names a sub-patch file rather than a module: it ends in an extension
/// a patch format reads (`.lisp`, `.sexp`, `.json`, `.msgpack`), which no module name does.
pub fn is_instance(module: &str) -> bool {
    Format::from_path(std::path::Path::new(module)).is_some()
}

/// A sub-patch file as a [`Library`] opens it.
#[derive(Clone, Debug)]
pub struct SubpatchFile {
    /// The same for every path that reaches the file, so a cycle of files is recognised.
    pub id: usize,
    /// The file as messages name it (its path).
    pub name: String,
    /// Its patch, or the problems that make it none; spans point into the file as the
    /// library places it among the sources (see [`shift_spans`]).
    pub patch: Result<Patch, Diagnostics>,
}

/// Where sub-patch files come from: the engine reads them from disk, a test from a map.
pub trait Library {
    /// The file `path` names, as written in the file `from` (`None`: the patch expanded), or
    /// why it cannot be read, in a few lowercase words (`no such file`).
    fn open(&mut self, from: Option<usize>, path: &str) -> Result<SubpatchFile, String>;
}

/// Moves every span of `patch`'s nodes, connections and interface `base` bytes on (spans of
/// nothing stay so), so that spans into several files read one after another stay apart and
/// a diagnostic's span says which file it is in.
pub fn shift_spans(patch: &mut Patch, base: u32) {
    for node in &mut patch.nodes {
        shift_node(node, base);
    }
    for connection in &mut patch.connections {
        shift_connection(connection, base);
    }
    for port in patch.interface.ports_mut() {
        shift(&mut port.span, base);
        shift(&mut port.name.span, base);
        shift_end(&mut port.target, base);
    }
}

/// `span` moved `base` bytes on, unless it is [`Span::NONE`].
pub fn shift(span: &mut Span, base: u32) {
    if !span.is_none() {
        span.start = span.start.saturating_add(base);
        span.end = span.end.saturating_add(base);
    }
}

fn shift_node(node: &mut Node, base: u32) {
    shift(&mut node.span, base);
    shift(&mut node.id.span, base);
    shift(&mut node.module.span, base);
    for param in &mut node.params {
        shift(&mut param.name.span, base);
        shift_value(&mut param.value, base);
    }
}

/// Recursion is bounded: the readers refuse nesting past `Limits::max_depth`.
fn shift_value(value: &mut Value, base: u32) {
    shift(&mut value.span, base);
    if let ValueKind::List(items) = &mut value.kind {
        for item in items {
            shift_value(item, base);
        }
    }
}

fn shift_connection(connection: &mut Connection, base: u32) {
    shift(&mut connection.span, base);
    shift_end(&mut connection.from, base);
    shift_end(&mut connection.to, base);
}

fn shift_end(end: &mut PortRef, base: u32) {
    shift(&mut end.node.span, base);
    shift(&mut end.port.span, base);
}

#[cfg(test)]
mod tests;
