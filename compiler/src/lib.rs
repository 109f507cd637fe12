//! patchvm's compiler: from a patch to register bytecode.
//!
//! [`compile`] validates a patch against a module catalog (see [`fn@patchvm_ir::validate`]),
//! orders it, drops nodes that reach no output, folds stateless nodes whose inputs are all
//! constant, allocates registers by liveness and emits a
//! [`Program`] plus what a host needs to build its kernels ([`KernelNode`]) and to point
//! runtime problems back at the source (an instruction → span table). [`disassemble`] prints
//! the program. [`transition()`] builds the graph a live engine plays for one block between
//! two graphs whose programs share kernels: their union, joined by fades where connections
//! change; [`compile_graph`] lowers it.
//!
//! ```
//! use patchvm_compiler::{compile, disassemble};
//! use patchvm_ir::{
//!     Catalog, Feed, Format, InputSpec, Limits, ModuleSpec, OutputSpec, Part, Rate, Role, Unit,
//! };
//!
//! // The real catalog is `patchvm_modules::catalog()`; this crate must not depend on it.
//! const fn input(name: &'static str, default: f64) -> InputSpec {
//!     InputSpec { name, doc: "", default, min: -1e6, max: 1e6, unit: Unit::Signal,
//!                 rate: Rate::Audio, breaks_cycles: false }
//! }
//! const OUT: &[OutputSpec] = &[OutputSpec { name: "out", doc: "", unit: Unit::Signal }];
//! const FREQ: &[InputSpec] = &[input("freq", 440.0)];
//! const SINK: &[InputSpec] = &[input("in", 0.0), input("left", 0.0), input("right", 0.0)];
//! const FEEDS: &[Feed] = &[Feed { port: "in", channel: None }];
//! let catalog = Catalog::new(vec![
//!     ModuleSpec { name: "osc.sine", doc: "", inputs: FREQ, outputs: OUT, role: Role::Kernel },
//!     ModuleSpec { name: "output", doc: "", inputs: SINK, outputs: &[], role: Role::Output },
//! ])
//! .with_part("output", Part::Output(FEEDS));
//! let text = r#"(patch (nodes (osc1 (type "osc.sine") (freq 440)) (out (type "output")))
//!                      (connections (osc1 "out" -> out "in")))"#;
//! let patch = Format::Sexpr.read(text.as_bytes(), &Limits::default()).unwrap();
//! let compiled = compile(&patch, &catalog, &Limits::default()).unwrap();
//! assert!(disassemble(&compiled).contains("; p0 osc1.freq = 440 in r2"));
//! assert!(disassemble(&compiled).contains("CALL_OP      osc_sine, r2 -> r1"));
//! ```
#![deny(missing_docs)]

mod disasm;
pub mod ghost;
mod lanes;
mod lower;
mod registers;
mod tempo;
mod transition;
mod values;

pub use disasm::disassemble;
pub use tempo::tempo_map;
pub use transition::{Origin, Transition, transition, transition_with_tails};

use patchvm_ir::{Catalog, Diagnostics, Graph, Limits, ModuleSpec, NodeIdx, NodeName, Patch, Span};
use patchvm_vm::Program;

/// How to compile, beyond the patch itself.
#[derive(Clone, Debug)]
pub struct CompileOptions {
    /// How many copies of the patch's voice template to make (see
    /// [`patchvm_ir::voices`]); at least 1. Patches without a template ignore it.
    pub voices: usize,
    /// Ids of nodes that must stay kernels even when they could be folded, besides those the
    /// patch itself means events for (see [`patchvm_ir::voices::event_targets`]).
    ///
    /// Every unconnected input of a kernel node becomes a parameter slot (a register the VM
    /// writes when the value changes) that events can set at any sample. A folded node has no slots: its value is baked into a
    /// constant. So a host that wants to send events to a stateless node's input (a `gain`'s
    /// `amp`) names the node here and recompiles; folding then never touches a value an event
    /// can reach.
    pub never_fold: std::collections::BTreeSet<NodeName>,
    /// Node outputs, by node id and output name, that a host reads after each block (probes):
    /// each probed node is compiled even when it reaches no output, and the register holding
    /// the output is never reused, so after a block it still holds that block's samples
    /// ([`Compiled::probes`]). A host also names probed nodes in `never_fold`, so each stays a
    /// kernel whose output has a register.
    pub probes: std::collections::BTreeSet<(NodeName, String)>,
}

/// The voices a host plays when not told otherwise.
pub const DEFAULT_VOICES: usize = 32;

impl Default for CompileOptions {
    fn default() -> CompileOptions {
        CompileOptions {
            voices: DEFAULT_VOICES,
            never_fold: std::collections::BTreeSet::new(),
            probes: std::collections::BTreeSet::new(),
        }
    }
}

/// A compiled patch: the program and what is needed to run and explain it.
#[derive(Clone, Debug)]
pub struct Compiled<'c> {
    /// The bytecode, ready to be verified with its kernels.
    pub program: Program,
    /// For each instruction, the span of the node (or connection) it comes from.
    pub spans: Vec<Span>,
    /// For each kernel the program calls (by `KernelIdx`), the node it runs.
    pub kernels: Vec<KernelNode<'c>>,
    /// For each parameter slot (by `ParamIdx`), the node input it holds.
    pub params: Vec<ParamNode>,
    /// How many nodes it was compiled from: a voice template's copies and buses count, so a
    /// host can report it without expanding the template again.
    pub nodes: usize,
    /// Where each probed output of [`CompileOptions::probes`] that the program computes
    /// lives: in the order of the options' set, those that name no node or output, or a
    /// folded node's, left out.
    pub probes: Vec<ProbePoint>,
}

/// A probed node output and the register that holds its samples after each block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbePoint {
    /// The node's id.
    pub id: NodeName,
    /// The output's name.
    pub port: String,
    /// The register, never reused for another value within the block.
    pub reg: patchvm_vm::Reg,
}

/// The node input behind a parameter slot: what events address it by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamNode {
    /// The node's position in the patch.
    pub node: NodeIdx,
    /// The node's id.
    pub id: NodeName,
    /// The input's index in the node's module's inputs.
    pub input: usize,
    /// The input's name.
    pub port: &'static str,
}

/// A node that runs as a kernel: what a host needs to build it.
#[derive(Clone, Debug)]
pub struct KernelNode<'c> {
    /// The node's position in the patch.
    pub node: NodeIdx,
    /// The node's id; with the module, what identifies its state across edits.
    pub id: NodeName,
    /// Its module.
    pub spec: &'c ModuleSpec,
    /// One value per input, in catalog order (the parameter value or the default).
    pub values: Vec<f64>,
    /// One text per text input, in input order (the parameter's text or the default): what
    /// its kernel is built from, beside `values`.
    pub texts: Vec<patchvm_ir::TextValue>,
    /// Where the node is defined.
    pub span: Span,
    /// Whether its cycle-breaking input closes a cycle, so that its `CALL_OP` runs before its
    /// `FEED` in each block.
    pub in_feedback_loop: bool,
}

/// Validates and compiles `patch` with the default options (a voice template expanded into
/// [`DEFAULT_VOICES`] copies). Deterministic: the same patch gives the same program.
pub fn compile<'c>(
    patch: &Patch,
    catalog: &'c Catalog,
    limits: &Limits,
) -> Result<Compiled<'c>, Diagnostics> {
    compile_with(patch, catalog, limits, &CompileOptions::default())
}

/// Validates and compiles `patch` with `options`. Deterministic, like [`compile`].
pub fn compile_with<'c>(
    patch: &Patch,
    catalog: &'c Catalog,
    limits: &Limits,
    options: &CompileOptions,
) -> Result<Compiled<'c>, Diagnostics> {
    let graph = patchvm_ir::validate_with(patch, catalog, limits, options.voices)?;
    compile_graph(patch, &graph, catalog, options)
}

/// Compiles `graph`, which [`validate_with`](fn@patchvm_ir::validate_with) made from `patch`
/// against `catalog` with `options.voices`: the second half of [`compile_with`], for a host
/// that validates first. The program carries the patch's tempo map ([`tempo_map`]). Fails
/// only if the patch needs more registers, kernels or slots than the bytecode can address,
/// or its tempo map is out of range.
pub fn compile_graph<'c>(
    patch: &Patch,
    graph: &Graph<'c>,
    catalog: &'c Catalog,
    options: &CompileOptions,
) -> Result<Compiled<'c>, Diagnostics> {
    let tempo = tempo_map(patch.transport.as_ref()).map_err(|diagnostic| vec![diagnostic])?;
    let targets = patchvm_ir::voices::event_targets(patch, catalog);
    let mut compiled = if targets.iter().all(|node| options.never_fold.contains(node)) {
        lower::lower(graph, catalog, options)
    } else {
        let mut options = options.clone();
        options.never_fold.extend(targets);
        lower::lower(graph, catalog, &options)
    }
    .map_err(|diagnostic| vec![diagnostic])?;
    compiled.program.tempo = tempo;
    Ok(compiled)
}
