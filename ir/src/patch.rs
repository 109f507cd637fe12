//! The patch data model: nodes, their parameter values and the connections between ports.
//!
//! This is what every reader produces and every writer consumes; it is not yet checked against
//! the module catalog (see [`mod@crate::validate`]). Every element keeps the span it was read from.

use crate::literal::Escape;
use crate::samples::SampleEntry;
use crate::scenes::Scene;
use crate::span::Span;
use crate::subpatch::Interface;
use crate::timelines::Timeline;
use crate::transport::Transport;

/// A patch: a graph of module instances (nodes) and connections between their ports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Patch {
    /// The nodes, in the order they were written; that order breaks ties in every later
    /// ordering, so the same file always compiles to the same program.
    pub nodes: Vec<Node>,
    /// The connections, in the order they were written.
    pub connections: Vec<Connection>,
    /// The voice templates, one per instrument that plays notes polyphonically: named
    /// sub-patches that the host instantiates once per voice (see [`mod@crate::voices`]), in
    /// the order they were written.
    pub voices: Vec<VoiceTemplate>,
    /// How MIDI drives the patch: tuning, pitch-bend range and bindings. Empty by default.
    pub midi: Midi,
    /// The transport section: tempo, meter and tempo map; `None` plays at the defaults
    /// (see [`mod@crate::transport`]).
    pub transport: Option<Transport>,
    /// The scenes: named sets of values recalled together (see [`mod@crate::scenes`]), in
    /// the order written.
    pub scenes: Vec<Scene>,
    /// The timelines: clips of audio files on their own tempo maps (see
    /// [`mod@crate::timelines`]), in the order written.
    pub timelines: Vec<Timeline>,
    /// The sample bank: words naming audio files, and folders of them (see
    /// [`mod@crate::samples`]), in the order written.
    pub samples: Vec<SampleEntry>,
    /// The inputs, outputs and parameters the patch offers when another patch uses it as a
    /// sub-patch (see [`mod@crate::subpatch`]); empty for a patch that is only played.
    pub interface: Interface,
    /// The ids of the sub-patch instances expanded into this patch, whose nodes are named
    /// `ID/NODE` ([`crate::subpatch::expand`]). No format writes it: a file keeps the
    /// instance, not its expansion.
    pub instances: Vec<String>,
}

/// A voice template: `(voice NAME (nodes …) (connections …) (inputs …) (outputs …))`.
///
/// The template is expanded, before compiling, into one copy per voice; the rest of the patch
/// connects to and from the template by its name as if it were one node whose ports are the
/// template's `inputs` and `outputs`.
#[derive(Clone, Debug, PartialEq)]
pub struct VoiceTemplate {
    /// The template's name, which the rest of the patch uses as a node id.
    pub name: Name,
    /// The nodes of one voice, in the order they were written.
    pub nodes: Vec<Node>,
    /// The connections within one voice.
    pub connections: Vec<Connection>,
    /// The template's input ports, each driving one input of one of its nodes.
    pub inputs: Vec<TemplatePort>,
    /// The template's output ports, each the sum over voices of one output of one node.
    pub outputs: Vec<TemplatePort>,
    /// The MIDI channel (1–16) whose notes and control changes reach this template; `None`
    /// takes every channel, so a patch with one template plays whatever is sent.
    pub channel: Option<Number>,
    /// How many voices this template has; `None` takes the host's count.
    pub voice_count: Option<Number>,
    /// The whole template.
    pub span: Span,
}

/// A port of a voice template: `(NAME NODE PORT)`, naming the port of a node inside the
/// template that it stands for.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplatePort {
    /// The port's name, as the rest of the patch uses it.
    pub name: Name,
    /// The node and port inside the template.
    pub target: PortRef,
    /// The whole port declaration.
    pub span: Span,
}

/// The MIDI section: `(midi (tuning 440) (bend-range 2) (cc 74 -> lp "cutoff" 200 8000) …)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Midi {
    /// The frequency of A4 (MIDI note 69) in Hz for equal temperament; 440 when absent.
    pub tuning: Option<Number>,
    /// How far pitch bend moves voice pitch, in semitones either way; 2 when absent.
    pub bend_range: Option<Number>,
    /// Control changes, pitch bend and notes bound to parameters, in the order written.
    pub bindings: Vec<Binding>,
}

/// A number with its span, where the patch takes a number and nothing else.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Number {
    /// The number; always finite.
    pub value: f64,
    /// Where it was written.
    pub span: Span,
}

/// A MIDI message bound to a parameter: its value moves the parameter within `range`.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    /// Which messages drive it.
    pub source: BindingSource,
    /// The parameter: a node of the patch (or the voice template's name) and an input (or a
    /// template input).
    pub target: PortRef,
    /// The parameter's value at the source's lowest and highest value.
    pub range: [Number; 2],
    /// The whole binding.
    pub span: Span,
}

/// What drives a [`Binding`].
#[derive(Clone, Debug, PartialEq)]
pub enum BindingSource {
    /// Control change number `.0` (0..=127): value 0 gives `range[0]`, 127 gives `range[1]`.
    Control(Number),
    /// Pitch bend: fully down gives `range[0]`, fully up `range[1]`, centred the midpoint.
    Bend,
    /// Note `.0` (0..=127): a note on sets `range[0] + velocity·(range[1] - range[0])` with
    /// velocity in 0..1, a note off sets `range[0]`. Bound notes do not play voices.
    Note(Number),
}

impl Midi {
    /// Whether the section says nothing (and is then not written).
    pub fn is_empty(&self) -> bool {
        self.tuning.is_none() && self.bend_range.is_none() && self.bindings.is_empty()
    }
}

impl Number {
    /// A number with no source position.
    pub fn new(value: f64) -> Number {
        Number::at(value, Span::NONE)
    }

    /// A number written at `span`.
    pub fn at(value: f64, span: Span) -> Number {
        Number { value, span }
    }
}

/// A name as written in the source: a node id, module type, port or parameter name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Name {
    /// The name itself.
    pub text: String,
    /// Where it was written.
    pub span: Span,
}

/// One module instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The node's id, unique in its patch.
    pub id: Name,
    /// The module type, e.g. `osc.sine`.
    pub module: Name,
    /// Parameter values, in the order they were written.
    pub params: Vec<Param>,
    /// The whole node definition.
    pub span: Span,
}

/// A parameter value set on a node: `(freq 440)` or `"freq": 440`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The parameter, which is also the input port of the same name.
    pub name: Name,
    /// Its value.
    pub value: Value,
}

/// A parameter value with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// The value.
    pub kind: ValueKind,
    /// Where it was written.
    pub span: Span,
    /// The escape sequences of a text value's literal, so that a place inside the text maps
    /// to its characters in the source ([`Value::text_span`]); empty for every other value
    /// and for literals without escapes.
    pub escapes: Vec<Escape>,
}

/// What a parameter value can be. The readers accept all of these so that the validator,
/// which knows what each parameter takes, can say "wrong type" with a span.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    /// A number; always finite (the readers refuse NaN and infinities).
    Number(f64),
    /// A string.
    Text(String),
    /// A list of values.
    List(Vec<Value>),
}

impl ValueKind {
    /// What the value is, for messages: "a number", "a string", "a list".
    pub fn describe(&self) -> &'static str {
        match self {
            ValueKind::Number(_) => "a number",
            ValueKind::Text(_) => "a string",
            ValueKind::List(_) => "a list",
        }
    }
}

/// One end of a connection: a node and one of its ports.
#[derive(Clone, Debug, PartialEq)]
pub struct PortRef {
    /// The node's id.
    pub node: Name,
    /// The port's name.
    pub port: Name,
}

/// A connection from an output port to an input port: `(osc1 "out" -> gain1 "in")`.
#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    /// The output port the signal comes from.
    pub from: PortRef,
    /// The input port it drives; several connections into one input are summed.
    pub to: PortRef,
    /// The whole connection.
    pub span: Span,
}

impl Name {
    /// A name with no source position, for patches built in code.
    pub fn new(text: impl Into<String>) -> Name {
        Name {
            text: text.into(),
            span: Span::NONE,
        }
    }
}

impl Patch {
    /// The same patch with every span cleared, so that patches read from different formats can
    /// be compared for equality of content.
    pub fn without_spans(mut self) -> Patch {
        clear_nodes(&mut self.nodes, &mut self.connections);
        for template in &mut self.voices {
            template.span = Span::NONE;
            for number in template.channel.iter_mut().chain(&mut template.voice_count) {
                number.span = Span::NONE;
            }
            template.name.span = Span::NONE;
            clear_nodes(&mut template.nodes, &mut template.connections);
            for port in template.inputs.iter_mut().chain(&mut template.outputs) {
                port.span = Span::NONE;
                port.name.span = Span::NONE;
                clear_end(&mut port.target);
            }
        }
        if let Some(transport) = &mut self.transport {
            transport.span = Span::NONE;
            transport.bpm_span = Span::NONE;
            transport.meter_span = Span::NONE;
            for change in &mut transport.tempo {
                change.span = Span::NONE;
            }
        }
        for entry in &mut self.samples {
            if let SampleEntry::File { word, .. } = entry {
                word.span = Span::NONE;
            }
            match entry {
                SampleEntry::File { path, .. } | SampleEntry::Folder { path } => {
                    path.span = Span::NONE;
                }
            }
        }
        for scene in &mut self.scenes {
            scene.span = Span::NONE;
            scene.name.span = Span::NONE;
            for value in &mut scene.values {
                value.span = Span::NONE;
                value.key.span = Span::NONE;
                clear_value(&mut value.value);
            }
        }
        crate::timelines::clear_spans(&mut self.timelines);
        for port in self.interface.ports_mut() {
            port.span = Span::NONE;
            port.name.span = Span::NONE;
            clear_end(&mut port.target);
        }
        let midi = &mut self.midi;
        for number in midi.tuning.iter_mut().chain(&mut midi.bend_range) {
            number.span = Span::NONE;
        }
        for binding in &mut midi.bindings {
            binding.span = Span::NONE;
            clear_end(&mut binding.target);
            for number in &mut binding.range {
                number.span = Span::NONE;
            }
            if let BindingSource::Control(number) | BindingSource::Note(number) =
                &mut binding.source
            {
                number.span = Span::NONE;
            }
        }
        self
    }

    /// The node with id `id`, if there is one (the first, if ids are duplicated).
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|node| node.id.text == id)
    }
}

fn clear_value(value: &mut Value) {
    value.span = Span::NONE;
    value.escapes.clear();
    if let ValueKind::List(items) = &mut value.kind {
        items.iter_mut().for_each(clear_value);
    }
}

fn clear_nodes(nodes: &mut [Node], connections: &mut [Connection]) {
    for node in nodes {
        node.span = Span::NONE;
        node.id.span = Span::NONE;
        node.module.span = Span::NONE;
        for param in &mut node.params {
            param.name.span = Span::NONE;
            clear_value(&mut param.value);
        }
    }
    for connection in connections {
        connection.span = Span::NONE;
        clear_end(&mut connection.from);
        clear_end(&mut connection.to);
    }
}

fn clear_end(end: &mut PortRef) {
    end.node.span = Span::NONE;
    end.port.span = Span::NONE;
}

/// Builds patches in code, e.g. in tests and generators.
///
/// ```
/// use patchvm_ir::patch::PatchBuilder;
/// let patch = PatchBuilder::new()
///     .node("osc1", "osc.sine", &[("freq", 440.0)])
///     .node("out", "output", &[])
///     .connect(("osc1", "out"), ("out", "in"))
///     .build();
/// assert_eq!(patch.nodes.len(), 2);
/// ```
#[derive(Debug, Default)]
pub struct PatchBuilder {
    patch: Patch,
}

impl PatchBuilder {
    /// An empty patch.
    pub fn new() -> PatchBuilder {
        PatchBuilder::default()
    }

    /// Adds a node with numeric parameters.
    pub fn node(mut self, id: &str, module: &str, params: &[(&str, f64)]) -> PatchBuilder {
        self.patch.nodes.push(Node {
            id: Name::new(id),
            module: Name::new(module),
            params: params
                .iter()
                .map(|&(name, value)| Param {
                    name: Name::new(name),
                    value: Value {
                        kind: ValueKind::Number(value),
                        span: Span::NONE,
                        escapes: Vec::new(),
                    },
                })
                .collect(),
            span: Span::NONE,
        });
        self
    }

    /// Connects output `from = (node, port)` to input `to = (node, port)`.
    pub fn connect(mut self, from: (&str, &str), to: (&str, &str)) -> PatchBuilder {
        let end = |(node, port): (&str, &str)| PortRef {
            node: Name::new(node),
            port: Name::new(port),
        };
        self.patch.connections.push(Connection {
            from: end(from),
            to: end(to),
            span: Span::NONE,
        });
        self
    }

    /// The finished patch.
    pub fn build(self) -> Patch {
        self.patch
    }
}
