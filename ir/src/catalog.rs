//! The module catalog's types: what a module is called, its ports, and its parameters'
//! defaults, ranges and units. The catalog's *contents* live in `patchvm-modules`; the
//! validator, compiler, CLI, spec generator and property generators all read this one data.

use crate::not_built::NotBuilt;
use crate::text::TextSpec;
use serde::Serialize;

/// Every module patchvm knows, in a stable order.
#[derive(Debug)]
pub struct Catalog {
    modules: Vec<ModuleSpec>,
    /// For each module, its function if it is stateless (see [`FoldFn`]).
    folds: Vec<Option<FoldFn>>,
    /// Every module's index in `modules`, by name.
    by_name: foldhash::HashMap<&'static str, usize>,
    /// For each module, whether its kernel runs several nodes side by side in SIMD lanes.
    lanes: Vec<bool>,
    /// For each module, the part it plays for the crates that know no module by name.
    parts: Vec<Option<Part>>,
    /// For each module, what this build leaves out of it, if a patch cannot use it here.
    not_built: Vec<Option<NotBuilt>>,
    /// What this build leaves out of clips: their stretch and pitch, without time-stretch.
    clips_not_built: Option<NotBuilt>,
}

/// A part a module plays that the validator, the voice expansion, the compiler and the engine
/// rely on. They know no module or port by name: the catalog's contents declare which module
/// plays each part ([`Catalog::with_part`]) and with which ports, and they ask the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The per-voice note source: the engine sets its inputs from notes, a voice template
    /// holds exactly one, and events never address it.
    Voice,
    /// The node that sums the copies of a voice template's output, and hands a template input
    /// to every copy: `output` carries `input` unchanged when nothing else is set.
    Bus {
        /// The input that takes the copies, or the host's value.
        input: &'static str,
        /// The output that carries it on.
        output: &'static str,
    },
    /// The crossfade a live edit inserts on an input whose connections changed: over the
    /// setting `time`, `out` moves from `from` (the old connections) to `to` (the new ones).
    Fade {
        /// The input the old connections feed.
        from: &'static str,
        /// The input the new connections feed.
        to: &'static str,
        /// The setting, in seconds, the fade lasts: the engine's fade time.
        time: &'static str,
        /// The faded signal.
        out: &'static str,
    },
    /// A patch output (role [`Role::Output`]): each input feeds the channels its [`Feed`]
    /// says.
    Output(&'static [Feed]),
    /// A host input (role [`Role::Input`]): the set-once input `channel` names the host's
    /// channel that its output carries.
    Input {
        /// The input naming the channel, from 0.
        channel: &'static str,
    },
    /// The allocator a note stream reaches each voice copy through (see
    /// [`mod@crate::notes`]): inputs named by [`LANE_PORTS`](crate::notes::LANE_PORTS),
    /// settings [`NoteSlot::SETTINGS`], outputs named by
    /// [`SLOT_OUTPUTS`](crate::notes::SLOT_OUTPUTS).
    NoteSlot,
    /// A sink (role [`Role::Sink`]): its signals leave the engine as MIDI-like events.
    Sink(Sink),
}

/// What a sink sends, and the ports the compiler reads for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sink {
    /// Notes, control changes or pitch bend.
    pub kind: SinkKind,
    /// The inputs whose signals leave, in order (a note stream's lanes: pitch, gate, …).
    pub signals: &'static [&'static str],
    /// The set-once input naming the MIDI channel, 1–16.
    pub channel: &'static str,
    /// The set-once input naming the controller number (control changes only).
    pub number: Option<&'static str>,
}

/// The kinds of [`Sink`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkKind {
    /// A note stream's 8 lanes.
    Notes,
    /// A control change from a signal in 0..1.
    Cc,
    /// Pitch bend from a signal in -1..1.
    Bend,
}

/// The settings of the [`Part::NoteSlot`] module, which the expansion sets on every copy.
#[derive(Debug)]
pub struct NoteSlot;

impl NoteSlot {
    /// Which voice the copy plays (from 0), how many voices the template has, and the
    /// frequency of A4.
    pub const SETTINGS: [&'static str; 3] = ["index", "voices", "tuning"];
}

/// Where one input of an output module goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Feed {
    /// The input.
    pub port: &'static str,
    /// The one channel it feeds, which a program has only if some such input of a live output
    /// node is driven; `None` for every channel the program has.
    pub channel: Option<u8>,
}

/// The module that sums voices (see [`Part::Bus`]), with its ports' indices.
#[derive(Clone, Copy, Debug)]
pub struct Bus<'c> {
    /// Its spec.
    pub spec: &'c ModuleSpec,
    /// The index of its input.
    pub input: usize,
    /// The index of its output.
    pub output: usize,
}

/// The crossfade of live edits (see [`Part::Fade`]), with its ports' indices.
#[derive(Clone, Copy, Debug)]
pub struct Fade<'c> {
    /// Its spec.
    pub spec: &'c ModuleSpec,
    /// The index of the input of the old connections.
    pub from: usize,
    /// The index of the input of the new connections.
    pub to: usize,
    /// The index of the setting of its length, in seconds.
    pub time: usize,
    /// The index of its output.
    pub out: usize,
}

/// The function a stateless module computes: one sample of its processed inputs (in the order
/// of [`ModuleSpec::processed_inputs`]) to one sample of each output. Its kernel computes
/// exactly this, bit for bit, so the compiler may evaluate a node whose inputs are all
/// constant once, at compile time, instead of every sample.
pub type FoldFn = fn(inputs: &[f32], outputs: &mut [f32]);

/// One module type: its name, documentation and ports.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ModuleSpec {
    /// The name used in patches, `family.kind` (`osc.sine`) or a single word (`gain`).
    pub name: &'static str,
    /// One line saying what it does.
    pub doc: &'static str,
    /// Its inputs; every input is also a parameter of the same name.
    pub inputs: &'static [InputSpec],
    /// Its outputs.
    pub outputs: &'static [OutputSpec],
    /// How the compiler treats it.
    pub role: Role,
}

/// How the compiler treats a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A DSP kernel called once per block.
    Kernel,
    /// The patch's audio output, which runs no kernel: the channels each input feeds are its
    /// [`Part::Output`]'s [`Feed`]s.
    Output,
    /// The host's audio input, which runs no kernel: its output carries the host channel its
    /// [`Part::Input`] names (silence where the host has no such channel).
    Input,
    /// A sink, which runs no kernel: its signals leave the engine as events (its
    /// [`Part::Sink`] says which), and like an output it keeps what drives it alive.
    Sink,
}

/// An input port, which is also a parameter.
#[derive(Debug, Serialize)]
pub struct InputSpec {
    /// The port and parameter name.
    pub name: &'static str,
    /// One line saying what it controls.
    pub doc: &'static str,
    /// The value when neither a parameter value nor a connection is given.
    pub default: f64,
    /// The smallest value a parameter may be set to.
    pub min: f64,
    /// The largest value a parameter may be set to.
    pub max: f64,
    /// The unit of values and signals.
    pub unit: Unit,
    /// When the input is read.
    pub rate: Rate,
    /// Whether a connection into this input may close a cycle: the module's outputs lag this
    /// input by at least one maximal block, so the compiler can run them before it.
    pub breaks_cycles: bool,
}

/// An output port.
#[derive(Debug, Serialize)]
pub struct OutputSpec {
    /// The port name.
    pub name: &'static str,
    /// One line saying what it carries.
    pub doc: &'static str,
    /// The unit of its signal.
    pub unit: Unit,
}

/// When an input is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rate {
    /// Every sample: the input accepts audio-rate signals as well as a fixed value.
    Audio,
    /// Once, when the node is built: only a parameter value, never a connection.
    Init,
}

/// The unit of a port's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Text, not a number (a pattern, a word list): a set-once input whose value is a string,
    /// checked and located by its [`TextSpec`] (see [`mod@crate::text`]). Its numeric
    /// `default`, `min` and `max` are unused and 0.
    Text(&'static TextSpec),
    /// An audio signal, nominally within -1..1.
    Signal,
    /// Frequency in hertz.
    Hz,
    /// Time in seconds.
    Seconds,
    /// A linear factor (gain, level, resonance).
    Linear,
    /// A level or gain in decibels.
    Decibels,
    /// A whole number (seeds, counts); parameter values must be integral.
    Integer,
}

impl Unit {
    /// The unit's symbol as written after a value; empty for unitless ones.
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Hz => "Hz",
            Unit::Seconds => "s",
            Unit::Decibels => "dB",
            Unit::Signal | Unit::Linear | Unit::Integer | Unit::Text(_) => "",
        }
    }
}

impl Catalog {
    /// A catalog of `modules`.
    ///
    /// # Panics
    /// If two modules share a name, or a module has two ports of one name, or a default lies
    /// outside its range, or a text input is not set-once, or its default text fails its
    /// own check, or it names a group of outputs the module lacks: the catalog is program
    /// data, so these are bugs, caught by the first test that builds it.
    pub fn new(modules: Vec<ModuleSpec>) -> Catalog {
        for (i, module) in modules.iter().enumerate() {
            assert!(
                modules[..i].iter().all(|other| other.name != module.name),
                "module `{}` is defined twice",
                module.name
            );
            let names: Vec<&str> = module.port_names().collect();
            for (j, name) in names.iter().enumerate() {
                assert!(
                    !names[..j].contains(name),
                    "module `{}` has two ports named `{name}`",
                    module.name
                );
            }
            for input in module.inputs {
                assert!(
                    input.min <= input.default && input.default <= input.max,
                    "default of `{}.{}` is outside its range",
                    module.name,
                    input.name
                );
                if let Unit::Text(text) = input.unit {
                    assert!(
                        text.outputs.is_none()
                            || module
                                .naming_input()
                                .is_some_and(|(_, first)| std::ptr::eq(first, text)),
                        "`{}` has two text inputs naming outputs",
                        module.name
                    );
                    assert!(
                        input.rate == Rate::Init && !input.breaks_cycles,
                        "text input `{}.{}` must be set once",
                        module.name,
                        input.name
                    );
                    assert!(
                        (text.check)(text.default).is_ok(),
                        "the default text of `{}.{}` fails its check",
                        module.name,
                        input.name
                    );
                    assert!(
                        text.outputs.is_none() || text.group_len(module.outputs) > 0,
                        "text input `{}.{}` names outputs the module lacks",
                        module.name,
                        input.name
                    );
                }
            }
        }
        let folds = vec![None; modules.len()];
        let by_name = modules
            .iter()
            .enumerate()
            .map(|(index, module)| (module.name, index))
            .collect();
        let lanes = vec![false; modules.len()];
        let parts = vec![None; modules.len()];
        let not_built = vec![None; modules.len()];
        Catalog {
            modules,
            folds,
            by_name,
            lanes,
            parts,
            not_built,
            clips_not_built: None,
        }
    }

    /// Declares that module `name` plays `part`.
    ///
    /// # Panics
    /// If the catalog has no module `name`, or it lacks a port the part names, or its role does
    /// not fit the part, or another module already plays a part only one module may play
    /// (voice, bus, fade): program data, so a bug.
    pub fn with_part(mut self, name: &str, part: Part) -> Catalog {
        let index = self
            .position(name)
            .unwrap_or_else(|| panic!("no module `{name}` to play {part:?}"));
        let spec = &self.modules[index];
        let has_input = |port: &str| spec.input(port).is_some();
        let has_output = |port: &str| spec.output(port).is_some();
        let fits = match part {
            Part::Voice => spec.role == Role::Kernel,
            Part::Bus { input, output } => {
                spec.role == Role::Kernel && has_input(input) && has_output(output)
            }
            Part::Fade {
                from,
                to,
                time,
                out,
            } => {
                spec.role == Role::Kernel
                    && has_input(from)
                    && has_input(to)
                    && has_input(time)
                    && has_output(out)
            }
            Part::Output(feeds) => {
                spec.role == Role::Output && feeds.iter().all(|feed| has_input(feed.port))
            }
            Part::Input { channel } => spec.role == Role::Input && has_input(channel),
            Part::Sink(sink) => {
                spec.role == Role::Sink
                    && sink.signals.iter().all(|p| has_input(p))
                    && has_input(sink.channel)
                    && sink.number.is_none_or(has_input)
            }
            Part::NoteSlot => {
                spec.role == Role::Kernel
                    && crate::notes::LANE_PORTS
                        .iter()
                        .flatten()
                        .all(|p| has_input(p))
                    && NoteSlot::SETTINGS.iter().all(|p| has_input(p))
                    && crate::notes::SLOT_OUTPUTS.iter().all(|p| has_output(p))
            }
        };
        assert!(fits, "`{name}` cannot play {part:?}");
        let unique = !matches!(part, Part::Output(_) | Part::Input { .. } | Part::Sink(_));
        assert!(
            !unique
                || !self
                    .parts
                    .iter()
                    .flatten()
                    .any(|other| std::mem::discriminant(other) == std::mem::discriminant(&part)),
            "two modules play {part:?}"
        );
        self.parts[index] = Some(part);
        self
    }

    /// What sink module `name` sends ([`Part::Sink`]), if it is one.
    pub fn sink(&self, name: &str) -> Option<Sink> {
        match self.part(name)? {
            Part::Sink(sink) => Some(sink),
            _ => None,
        }
    }

    /// The part module `name` plays, if any.
    pub fn part(&self, name: &str) -> Option<Part> {
        self.parts[self.position(name)?]
    }

    /// Whether module `name` is the voice ([`Part::Voice`]).
    pub fn is_voice(&self, name: &str) -> bool {
        self.part(name) == Some(Part::Voice)
    }

    /// The module that is the voice ([`Part::Voice`]), if one is.
    pub fn voice(&self) -> Option<&ModuleSpec> {
        let index = self
            .parts
            .iter()
            .position(|part| *part == Some(Part::Voice))?;
        Some(&self.modules[index])
    }

    /// The module that allocates a note stream's notes to voices ([`Part::NoteSlot`]), if one
    /// does.
    pub fn note_slot(&self) -> Option<&ModuleSpec> {
        let index = self
            .parts
            .iter()
            .position(|part| *part == Some(Part::NoteSlot))?;
        Some(&self.modules[index])
    }

    /// The module that sums voices ([`Part::Bus`]), if one does.
    pub fn bus(&self) -> Option<Bus<'_>> {
        self.parts
            .iter()
            .zip(&self.modules)
            .find_map(|(part, spec)| match *part {
                Some(Part::Bus { input, output }) => Some(Bus {
                    spec,
                    input: spec.input(input)?,
                    output: spec.output(output)?,
                }),
                _ => None,
            })
    }

    /// The crossfade of live edits ([`Part::Fade`]), if the catalog has one.
    pub fn fade(&self) -> Option<Fade<'_>> {
        self.parts
            .iter()
            .zip(&self.modules)
            .find_map(|(part, spec)| match *part {
                Some(Part::Fade {
                    from,
                    to,
                    time,
                    out,
                }) => Some(Fade {
                    spec,
                    from: spec.input(from)?,
                    to: spec.input(to)?,
                    time: spec.input(time)?,
                    out: spec.output(out)?,
                }),
                _ => None,
            })
    }

    /// Where the inputs of output module `name` go ([`Part::Output`]): each input's index and
    /// the channel it alone feeds (`None`: every channel). Empty for other modules.
    pub fn feeds(&self, name: &str) -> impl Iterator<Item = (usize, Option<u8>)> + '_ {
        let index = self.position(name);
        let feeds = match index.and_then(|index| self.parts[index]) {
            Some(Part::Output(feeds)) => feeds,
            _ => &[],
        };
        let spec = index.map(|index| &self.modules[index]);
        feeds
            .iter()
            .filter_map(move |feed| Some((spec?.input(feed.port)?, feed.channel)))
    }

    /// The index of the input of host-input module `name` that names its channel
    /// ([`Part::Input`]).
    pub fn input_channel(&self, name: &str) -> Option<usize> {
        match self.part(name)? {
            Part::Input { channel } => self.get(name)?.input(channel),
            _ => None,
        }
    }

    /// The index of module `name` in [`modules`](Catalog::modules): hashed, since every node
    /// of every patch looks its module up.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// Declares that this build leaves module `name` out (see [`NotBuilt`]): validation
    /// refuses a node of it with E0125.
    ///
    /// # Panics
    /// If the catalog has no module `name`, or it has no input `not_built.input`: program
    /// data, so a bug.
    pub fn with_not_built(mut self, name: &str, not_built: NotBuilt) -> Catalog {
        let index = self
            .position(name)
            .unwrap_or_else(|| panic!("no module `{name}` to leave out"));
        assert!(
            self.modules[index].input(not_built.input).is_some(),
            "`{name}` has no input `{}`",
            not_built.input
        );
        self.not_built[index] = Some(not_built);
        self
    }

    /// Declares that this build cannot play a clip's stretch or pitch (see [`NotBuilt`]):
    /// validation refuses a clip with either with E0125 at that field.
    pub fn with_clips_not_built(mut self, not_built: NotBuilt) -> Catalog {
        self.clips_not_built = Some(not_built);
        self
    }

    /// What this build leaves out of clips (their stretch and pitch), if anything.
    pub fn clips_not_built(&self) -> Option<NotBuilt> {
        self.clips_not_built
    }

    /// What this build leaves out of module `name`, if a patch cannot use it here.
    pub fn not_built(&self, name: &str) -> Option<NotBuilt> {
        self.not_built[self.position(name)?]
    }

    /// Declares module `name` stateless, computing `fold`.
    ///
    /// # Panics
    /// If the catalog has no module `name`, or the module has a cycle-breaking or set-once
    /// input (such modules have state): program data, so a bug.
    pub fn with_fold(mut self, name: &str, fold: FoldFn) -> Catalog {
        let index = self
            .position(name)
            .unwrap_or_else(|| panic!("no module `{name}` to fold"));
        let module = &self.modules[index];
        assert!(
            module
                .inputs
                .iter()
                .all(|input| input.rate == Rate::Audio && !input.breaks_cycles),
            "`{name}` has state and cannot be folded"
        );
        self.folds[index] = Some(fold);
        self
    }

    /// The function of module `name`, if it is stateless.
    pub fn fold(&self, name: &str) -> Option<FoldFn> {
        self.folds[self.position(name)?]
    }

    /// Declares that the kernel of module `name` runs several nodes side by side in SIMD
    /// lanes, so the compiler groups the module's independent nodes into lane calls (those it
    /// does not fold into constants). The lanes compute exactly what the nodes alone would;
    /// this only says it pays.
    ///
    /// # Panics
    /// If the catalog has no module `name`, or it is not a kernel: program data, so a bug.
    pub fn with_lanes(mut self, name: &str) -> Catalog {
        let index = self
            .modules
            .iter()
            .position(|module| module.name == name)
            .unwrap_or_else(|| panic!("no module `{name}` to run in lanes"));
        assert_eq!(
            self.modules[index].role,
            Role::Kernel,
            "`{name}` has no kernel to run in lanes"
        );
        self.lanes[index] = true;
        self
    }

    /// Whether the kernel of module `name` runs in lanes (see [`Catalog::with_lanes`]).
    pub fn runs_in_lanes(&self, name: &str) -> bool {
        self.modules
            .iter()
            .position(|module| module.name == name)
            .is_some_and(|index| self.lanes[index])
    }

    /// The module called `name`.
    pub fn get(&self, name: &str) -> Option<&ModuleSpec> {
        Some(&self.modules[self.position(name)?])
    }

    /// Every module, in catalog order.
    pub fn modules(&self) -> &[ModuleSpec] {
        &self.modules
    }

    /// Every module's name, in catalog order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.modules.iter().map(|module| module.name)
    }
}

impl InputSpec {
    /// Whether it takes text (a string) rather than a number.
    pub fn takes_text(&self) -> bool {
        matches!(self.unit, Unit::Text(_))
    }
}

impl ModuleSpec {
    /// Whether output `output` belongs to the group of outputs a text input names (see
    /// [`TextSpec::outputs`]): a patch reaches it only by a name its text gives.
    pub fn named_by_text(&self, output: usize) -> bool {
        let named = self.naming_input().zip(self.outputs.get(output));
        named.is_some_and(|((_, text), output)| text.in_group(output.name))
    }

    /// The index of input `name`.
    pub fn input(&self, name: &str) -> Option<usize> {
        self.inputs.iter().position(|input| input.name == name)
    }

    /// The index of output `name`.
    pub fn output(&self, name: &str) -> Option<usize> {
        self.outputs.iter().position(|output| output.name == name)
    }

    /// The inputs a kernel's `process` receives, in order, with their indices in
    /// [`inputs`](ModuleSpec::inputs): the audio-rate inputs except one that breaks cycles
    /// (that one arrives through the kernel's `feed`). The compiler and the kernels both follow
    /// this one rule.
    pub fn processed_inputs(&self) -> impl Iterator<Item = (usize, &'static InputSpec)> + '_ {
        self.inputs
            .iter()
            .enumerate()
            .filter(|(_, input)| input.rate == Rate::Audio && !input.breaks_cycles)
    }

    /// The index of the input that breaks cycles, if the module has one.
    pub fn fed_input(&self) -> Option<usize> {
        self.inputs.iter().position(|input| input.breaks_cycles)
    }

    /// The text declaration of input `input`, if it takes text.
    pub fn text(&self, input: usize) -> Option<&'static TextSpec> {
        match self.inputs.get(input)?.unit {
            Unit::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The input whose text names a group of outputs, with its declaration, if one does.
    pub fn naming_input(&self) -> Option<(usize, &'static TextSpec)> {
        (0..self.inputs.len())
            .filter_map(|input| Some((input, self.text(input)?)))
            .find(|(_, text)| text.outputs.is_some())
    }

    /// The names of all inputs, then all outputs.
    pub fn port_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.inputs
            .iter()
            .map(|input| input.name)
            .chain(self.outputs.iter().map(|output| output.name))
    }
}
