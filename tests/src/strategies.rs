//! Public proptest strategies over the whole module catalog: random valid patches, and
//! near-valid invalid ones one mutation away, each with the error code it must produce.
//!
//! They read every fact from `patchvm_modules::catalog()` (ports, ranges, units, rates, which
//! inputs break cycles), so a module added to the catalog is generated without touching this
//! file.
//!
//! ```
//! use proptest::prelude::*;
//! use patchvm_tests::strategies::valid_patch;
//!
//! proptest! {
//!     #![proptest_config(ProptestConfig::with_cases(4))]
//!     fn compiles(patch in valid_patch()) {
//!         let limits = patchvm::ir::Limits::default();
//!         prop_assert!(patchvm::compiler::compile(&patch, patchvm::modules::catalog(), &limits).is_ok());
//!     }
//! }
//! # compiles();
//! ```

use patchvm::ir::validate::transport::{BPM, MAX_METER};
use patchvm::ir::{
    Code, Connection, InputSpec, Meter, ModuleSpec, Name, Node, Param, Patch, PortRef, Rate, Role,
    Scene, SceneValue, Span, TemplatePort, TempoChange, TempoShape, Transport, Unit, Value,
    ValueKind, VoiceTemplate,
};
use patchvm::modules::catalog;
use patchvm::vm::MAX_PORTS;
use proptest::prelude::*;

/// Bounds on the patches generated.
#[derive(Clone, Copy, Debug)]
pub struct PatchShape {
    /// Most kernel nodes (an `output` node is always added).
    pub max_kernels: usize,
    /// Most connections between kernel nodes.
    pub max_connections: usize,
    /// Largest value given to an input measured in seconds (keeps delay memory small);
    /// never more than the input's own maximum.
    pub max_seconds: f64,
}

impl Default for PatchShape {
    fn default() -> PatchShape {
        PatchShape {
            max_kernels: 8,
            max_connections: 16,
            max_seconds: 0.5,
        }
    }
}

/// How a generated parameter value is chosen within its input's range.
#[derive(Clone, Copy, Debug)]
enum ParamGene {
    /// Not set: the input takes its default.
    Unset,
    /// The range's minimum.
    Min,
    /// The range's maximum.
    Max,
    /// Uniform in the range, at this fraction.
    Uniform(f64),
    /// Logarithmic in the positive part of the range, at this fraction: small values as
    /// often as large ones.
    Logarithmic(f64),
}

fn param_gene() -> impl Strategy<Value = ParamGene> {
    prop_oneof![
        3 => Just(ParamGene::Unset),
        1 => Just(ParamGene::Min),
        1 => Just(ParamGene::Max),
        2 => (0.0..=1.0f64).prop_map(ParamGene::Uniform),
        2 => (0.0..=1.0f64).prop_map(ParamGene::Logarithmic),
    ]
}

/// Values for every input of `spec`, each anywhere in its range (its minimum, maximum, a
/// uniform or a logarithmic draw) or its default, with inputs in seconds capped as `shape`
/// says.
pub fn params_in_range(
    spec: &'static ModuleSpec,
    shape: PatchShape,
) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(param_gene(), spec.inputs.len()).prop_map(move |genes| {
        spec.inputs
            .iter()
            .zip(genes)
            .map(|(input, gene)| gene_value(input, gene, &shape).unwrap_or(input.default))
            .collect()
    })
}

/// A connection's raw choices, resolved against the nodes drawn: source, target, output,
/// input, each taken modulo what is there.
type EdgeGene = (usize, usize, usize, usize);

/// Random valid patches with the default [`PatchShape`].
pub fn valid_patch() -> impl Strategy<Value = Patch> {
    valid_patch_with(PatchShape::default())
}

/// Random valid patches: kernel nodes of any module with parameters anywhere in their ranges,
/// a random DAG of connections (fan-in included, parameters driven by signals), connections
/// into cycle-breaking inputs in any direction (so feedback loops through delays), and one
/// `output` node fed by one to three of them, on `in`, `left` or `right`. A third of them have
/// a transport section ([`transport`]), a third scenes setting some of their unconnected
/// inputs, and a third a voice template: a `voice` node and up to three kernel nodes wired the same way, one
/// or two outputs summed into the `output` node, and sometimes an input driven by a node of
/// the patch.
pub fn valid_patch_with(shape: PatchShape) -> impl Strategy<Value = Patch> {
    let kernel_modules = kernel_modules().len();
    (1..=shape.max_kernels.max(1))
        .prop_flat_map(move |kernels| {
            (
                prop::collection::vec(node_gene(kernel_modules), kernels),
                prop::collection::vec(any::<EdgeGene>(), 0..=shape.max_connections),
                prop::collection::vec((any::<usize>(), 0..3usize), 1..=3),
                prop::option::weighted(0.3, template_gene(kernel_modules)),
                prop::option::weighted(0.3, transport()),
                prop::option::weighted(0.3, scene_genes()),
            )
        })
        .prop_map(
            move |(nodes, edges, outputs, template, transport, scenes)| {
                let mut patch = assemble(&shape, &nodes, &edges, &outputs);
                if let Some(template) = template {
                    add_template(&mut patch, &shape, &template);
                }
                patch.transport = transport;
                patch.scenes = scenes_of(&patch, &shape, &scenes.unwrap_or_default());
                patch
            },
        )
}

/// Random sample banks: up to six entries, each a word (unique, letters, digits, `_`, `-`,
/// `.`) naming a file or a folder, with paths holding spaces, quotes, backslashes and
/// non-ASCII letters, so every format's escapes are exercised. Validation takes them (it does
/// not look at the files); loading them is the engine's, which would find none.
pub fn sample_bank() -> impl Strategy<Value = Vec<patchvm::ir::SampleEntry>> {
    use patchvm::ir::SampleEntry;
    prop::collection::vec(
        (
            any::<bool>(),
            "[a-z][a-z0-9_.-]{0,6}",
            "[a-z/ \"\\\\é.]{1,12}",
        ),
        0..=6,
    )
    .prop_map(|genes| {
        genes
            .into_iter()
            .enumerate()
            .map(|(index, (folder, word, path))| {
                let path = Name::new(path);
                if folder {
                    SampleEntry::Folder { path }
                } else {
                    let word = Name::new(format!("{word}{index}"));
                    SampleEntry::File { word, path }
                }
            })
            .collect()
    })
}

/// What a patch offers as a sub-patch: up to three inputs, outputs and parameters, each
/// naming a node and port (any text, escapes and `/` included: the formats carry names as
/// written, validation checks them).
pub fn interface() -> impl Strategy<Value = patchvm::ir::Interface> {
    use patchvm::ir::{PortRef, Span, TemplatePort};
    let port = ("[a-z][a-z0-9_]{0,5}", "[a-z/ \"\\\\é.]{1,8}", "[a-z]{1,5}").prop_map(
        |(name, node, port)| TemplatePort {
            name: Name::new(name),
            target: PortRef {
                node: Name::new(node),
                port: Name::new(port),
            },
            span: Span::NONE,
        },
    );
    let ports = || prop::collection::vec(port.clone(), 0..=3);
    (ports(), ports(), ports()).prop_map(|(inputs, outputs, params)| {
        // Port names are keys of one map per kind in the document formats: distinct.
        let distinct = |ports: Vec<TemplatePort>| {
            let mut seen = Vec::new();
            ports
                .into_iter()
                .filter(|p| {
                    let new = !seen.contains(&p.name.text);
                    seen.push(p.name.text.clone());
                    new
                })
                .collect()
        };
        patchvm::ir::Interface {
            inputs: distinct(inputs),
            outputs: distinct(outputs),
            params: distinct(params),
        }
    })
}

/// A scene's raw choices: for each value, a node, one of its inputs and a gene for the value.
type SceneGene = Vec<(usize, usize, ParamGene)>;

fn scene_genes() -> impl Strategy<Value = Vec<SceneGene>> {
    prop::collection::vec(
        prop::collection::vec((any::<usize>(), any::<usize>(), param_gene()), 1..=4),
        1..=3,
    )
}

/// Scenes `scene0`, `scene1`, … of `patch` from `genes`: each value on an unconnected input
/// of a kernel node (not a `voice` node) that the scene does not set yet, a number in the
/// input's range or, for a text input, its default text.
fn scenes_of(patch: &Patch, shape: &PatchShape, genes: &[SceneGene]) -> Vec<Scene> {
    let mut scenes = Vec::new();
    for (index, gene) in genes.iter().enumerate() {
        let mut values: Vec<SceneValue> = Vec::new();
        for &(node, input, value) in gene {
            let node = &patch.nodes[node % patch.nodes.len()];
            let Some(spec) = catalog().get(&node.module.text) else {
                continue;
            };
            if spec.role != Role::Kernel || catalog().is_voice(spec.name) {
                continue;
            }
            let free: Vec<&InputSpec> = spec
                .inputs
                .iter()
                .filter(|i| {
                    !patch
                        .connections
                        .iter()
                        .any(|c| c.to.node.text == node.id.text && c.to.port.text == i.name)
                })
                .collect();
            let Some(&input) = free.get(input % free.len().max(1)) else {
                continue;
            };
            let key = format!("{}.{}", node.id.text, input.name);
            if values.iter().any(|v| v.key.text == key) {
                continue;
            }
            let value = match input.unit {
                Unit::Text(text) => Value {
                    kind: ValueKind::Text(text.default.to_owned()),
                    span: Span::NONE,
                    escapes: Vec::new(),
                },
                _ => number(gene_value(input, value, shape).unwrap_or(input.default)),
            };
            values.push(SceneValue {
                key: name(&key),
                value,
                span: Span::NONE,
            });
        }
        scenes.push(Scene {
            name: name(&format!("scene{index}")),
            values,
            span: Span::NONE,
        });
    }
    scenes
}

/// A valid transport section: a tempo within the transport's range, a meter of 1–64 notes of
/// a power-of-two value, and up to four tempo changes at increasing beats, stepped or ramped.
pub fn transport() -> impl Strategy<Value = Transport> {
    let bpm = || prop_oneof![Just(*BPM.start()), Just(*BPM.end()), BPM];
    (
        bpm(),
        1..=MAX_METER,
        0..=MAX_METER.trailing_zeros(),
        prop::collection::vec((0.001..64.0f64, bpm(), any::<bool>()), 0..=4),
    )
        .prop_map(|(bpm, beats, unit, changes)| {
            let mut beat = 0.0;
            let tempo = changes
                .into_iter()
                .map(|(after, bpm, step)| {
                    beat += after;
                    TempoChange {
                        beat,
                        bpm,
                        shape: if step {
                            TempoShape::Step
                        } else {
                            TempoShape::Ramp
                        },
                        span: Span::NONE,
                    }
                })
                .collect();
            Transport {
                bpm,
                meter: Meter {
                    beats,
                    unit: 1 << unit,
                },
                tempo,
                ..Transport::default()
            }
        })
}

/// A node's raw choices: its module (among the kernel modules) and a gene per input.
type NodeGene = (usize, Vec<ParamGene>);

fn node_gene(kernel_modules: usize) -> impl Strategy<Value = NodeGene> {
    (
        0..kernel_modules,
        prop::collection::vec(param_gene(), MAX_PORTS),
    )
}

/// A voice template's raw choices.
#[derive(Clone, Debug)]
struct TemplateGene {
    /// Its kernel nodes besides the `voice` node.
    nodes: Vec<NodeGene>,
    /// Connections among them, resolved as in [`assemble`], the `voice` node first.
    edges: Vec<EdgeGene>,
    /// Outputs: a node (the `voice` node counted) and one of its outputs, each summed into
    /// the patch's `output` on `in`, `left` or `right`.
    outputs: Vec<(usize, usize, usize)>,
    /// An input: a node (not the `voice` node), one of its audio inputs, and whether (and
    /// from which node of the patch) a connection drives it.
    input: Option<(usize, usize, Option<usize>)>,
}

fn template_gene(kernel_modules: usize) -> impl Strategy<Value = TemplateGene> {
    (
        prop::collection::vec(node_gene(kernel_modules), 1..=3),
        prop::collection::vec(any::<EdgeGene>(), 0..=5),
        prop::collection::vec((any::<usize>(), any::<usize>(), 0..3usize), 1..=2),
        prop::option::of((
            any::<usize>(),
            any::<usize>(),
            prop::option::of(any::<usize>()),
        )),
    )
        .prop_map(|(nodes, edges, outputs, input)| TemplateGene {
            nodes,
            edges,
            outputs,
            input,
        })
}

/// Random patches of voices: a random valid patch (its kernel nodes and their connections),
/// with a node of every module that runs in lanes added (fed by the first node, feeding the
/// output), copied 2 to 20 times, every copy feeding the `output` node as the original does,
/// so the output sums the voices. Each copy's numeric parameters are moved towards the bottom of
/// their ranges by a little more than the last copy's (1.3 % of the way per voice), so no two
/// voices compute the same thing: identical nodes in different voices are what the compiler
/// runs side by side in lanes, and a lane that read another lane's values would show.
pub fn voices_patch() -> impl Strategy<Value = Patch> {
    let shape = PatchShape {
        max_kernels: 5,
        max_connections: 8,
        ..PatchShape::default()
    };
    (valid_patch_with(shape), 2..=20usize)
        .prop_map(|(voice, voices)| copy_voices(&with_lane_modules(voice), voices))
}

/// `voice` with one node of each module that runs in lanes, every input set to its default (so
/// the voices' copies move it), its first input fed by the first node, its first output fed
/// to the output node's `in`.
fn with_lane_modules(mut voice: Patch) -> Patch {
    let output = voice
        .nodes
        .iter()
        .find(|node| node.module.text == output_module().name)
        .map(|node| node.id.text.clone())
        .expect("generated patches have an output");
    let first = voice.nodes[0].id.text.clone();
    let first_out = catalog()
        .get(&voice.nodes[0].module.text)
        .and_then(|spec| spec.outputs.first())
        .map(|port| port.name);
    let lane_modules = kernel_modules()
        .into_iter()
        .filter(|spec| catalog().runs_in_lanes(spec.name));
    for (index, spec) in lane_modules.enumerate() {
        let id = format!("lanes{index}");
        voice.nodes.push(Node {
            id: name(&id),
            module: name(spec.name),
            params: spec
                .inputs
                .iter()
                .filter(|input| input.rate == Rate::Audio)
                .map(|input| Param {
                    name: name(input.name),
                    value: number(input.default),
                })
                .collect(),
            span: Span::NONE,
        });
        if let (Some(port), Some((_, input))) = (first_out, spec.processed_inputs().next()) {
            voice
                .connections
                .push(connection((&first, port), (&id, input.name)));
        }
        if let Some(port) = spec.outputs.first() {
            voice
                .connections
                .push(connection((&id, port.name), (&output, "in")));
        }
    }
    voice
}

fn copy_voices(voice: &Patch, voices: usize) -> Patch {
    let is_output = |id: &str| {
        voice
            .nodes
            .iter()
            .any(|node| node.id.text == id && node.module.text == output_module().name)
    };
    let id = |v: usize, node: &str| format!("v{v}_{node}");
    let mut patch = Patch::default();
    for v in 0..voices {
        for node in voice.nodes.iter().filter(|node| !is_output(&node.id.text)) {
            let spec = catalog()
                .get(&node.module.text)
                .expect("generated modules exist");
            let params = node
                .params
                .iter()
                .map(|param| {
                    let input = spec
                        .inputs
                        .iter()
                        .find(|input| input.name == param.name.text);
                    let value = match (&param.value.kind, input) {
                        (ValueKind::Number(value), Some(input)) if input.unit != Unit::Integer => {
                            number(input.min + (value - input.min) * (1.0 - 0.013 * v as f64))
                        }
                        _ => param.value.clone(),
                    };
                    Param {
                        name: param.name.clone(),
                        value,
                    }
                })
                .collect();
            patch.nodes.push(Node {
                id: name(&id(v, &node.id.text)),
                module: node.module.clone(),
                params,
                span: Span::NONE,
            });
        }
        // Only the plain nodes are copied: connections to a voice template the generator may
        // have added are left out with it.
        let known = |node: &str| voice.nodes.iter().any(|n| n.id.text == node);
        for edge in voice
            .connections
            .iter()
            .filter(|edge| known(&edge.from.node.text) && known(&edge.to.node.text))
        {
            let rename = |node: &str| {
                if is_output(node) {
                    node.to_owned()
                } else {
                    id(v, node)
                }
            };
            patch.connections.push(connection(
                (&rename(&edge.from.node.text), &edge.from.port.text),
                (&rename(&edge.to.node.text), &edge.to.port.text),
            ));
        }
    }
    patch.nodes.extend(
        voice
            .nodes
            .iter()
            .filter(|node| is_output(&node.id.text))
            .cloned(),
    );
    patch
}

/// Random invalid patches, each one mutation away from a valid one, with the code of the
/// diagnostic the mutation must cause.
pub fn invalid_patch() -> impl Strategy<Value = (Patch, Code)> {
    (valid_patch(), mutation(), any::<usize>()).prop_filter_map(
        "mutation does not apply to this patch",
        |(patch, mutation, pick)| mutate(patch, mutation, pick),
    )
}

fn kernel_modules() -> Vec<&'static ModuleSpec> {
    catalog()
        .modules()
        .iter()
        // A module this build leaves out (`fx.stretch` without its feature) is refused.
        .filter(|module| module.role == Role::Kernel && catalog().not_built(module.name).is_none())
        .collect()
}

/// The nodes of a module's spec, with parameters drawn from `genes`.
fn node(id: &str, spec: &ModuleSpec, genes: &[ParamGene], shape: &PatchShape) -> Node {
    let params = spec
        .inputs
        .iter()
        .zip(genes)
        .filter_map(|(input, &gene)| {
            gene_value(input, gene, shape).map(|value| Param {
                name: name(input.name),
                value: number(value),
            })
        })
        .collect();
    Node {
        id: name(id),
        module: name(spec.name),
        params,
        span: Span::NONE,
    }
}

/// Connections among `specs` (named by `id`) from edge genes: into audio-rate inputs, forward
/// in node order unless into a cycle-breaking input; none into nodes `to_skip` says.
fn wire(
    specs: &[&ModuleSpec],
    edges: &[EdgeGene],
    id: &dyn Fn(usize) -> String,
    to_skip: &dyn Fn(usize) -> bool,
) -> Vec<Connection> {
    let count = specs.len();
    let mut connections = Vec::new();
    for &(a, b, output, input) in edges {
        let (from, to) = (a % count, b % count);
        if to_skip(to) {
            continue;
        }
        let connectable: Vec<&InputSpec> = specs[to]
            .inputs
            .iter()
            .filter(|input| input.rate == Rate::Audio)
            .collect();
        if connectable.is_empty() || specs[from].outputs.is_empty() {
            continue;
        }
        let target = connectable[input % connectable.len()];
        // Only a cycle-breaking input may be driven from a node at or after its own; every
        // other connection goes forward in node order, so the patch stays legal.
        if !target.breaks_cycles && from >= to {
            continue;
        }
        // Outputs a text names are reached by its names, not their own.
        let sources: Vec<usize> = (0..specs[from].outputs.len())
            .filter(|&index| !specs[from].named_by_text(index))
            .collect();
        if sources.is_empty() {
            continue;
        }
        let source = &specs[from].outputs[sources[output % sources.len()]];
        connections.push(connection((&id(from), source.name), (&id(to), target.name)));
    }
    connections
}

/// Adds a voice template `voices` to `patch` (whose `output` node is `out`).
fn add_template(patch: &mut Patch, shape: &PatchShape, gene: &TemplateGene) {
    let modules: Vec<&ModuleSpec> = kernel_modules()
        .into_iter()
        .filter(|module| !catalog().is_voice(module.name))
        .collect();
    let voice = catalog().voice().expect("the catalog has a voice");
    let mut specs = vec![voice];
    specs.extend(
        gene.nodes
            .iter()
            .map(|(module, _)| modules[module % modules.len()]),
    );
    let id = |index: usize| {
        if index == 0 {
            "v".to_owned()
        } else {
            format!("t{}", index - 1)
        }
    };
    let mut nodes = vec![node("v", voice, &[], shape)];
    for (index, (_, genes)) in gene.nodes.iter().enumerate() {
        nodes.push(node(&id(index + 1), specs[index + 1], genes, shape));
    }
    let connections = wire(&specs, &gene.edges, &id, &|to| to == 0);
    let mut outputs = Vec::new();
    for (index, &(node, output, port)) in gene.outputs.iter().enumerate() {
        let node = node % specs.len();
        // Outputs a text names are reached by its names, not their own.
        let sources: Vec<usize> = (0..specs[node].outputs.len())
            .filter(|&index| !specs[node].named_by_text(index))
            .collect();
        let Some(source) = sources
            .get(output % sources.len().max(1))
            .map(|&index| &specs[node].outputs[index])
        else {
            continue;
        };
        let port_name = format!("o{index}");
        outputs.push(TemplatePort {
            name: name(&port_name),
            target: PortRef {
                node: name(&id(node)),
                port: name(source.name),
            },
            span: Span::NONE,
        });
        let to = ["in", "left", "right"][port];
        patch
            .connections
            .push(connection(("voices", &port_name), ("out", to)));
    }
    let mut inputs = Vec::new();
    if let Some((node, input, from)) = gene.input {
        let node = 1 + node % (specs.len() - 1);
        let audio: Vec<&InputSpec> = specs[node]
            .inputs
            .iter()
            .filter(|input| input.rate == Rate::Audio)
            .collect();
        if let Some(target) = audio.get(input % audio.len().max(1)) {
            inputs.push(TemplatePort {
                name: name("i0"),
                target: PortRef {
                    node: name(&id(node)),
                    port: name(target.name),
                },
                span: Span::NONE,
            });
            let kernels = patch.nodes.len() - 1;
            let source = from.map(|from| &patch.nodes[from % kernels]);
            let driver = source.and_then(|source| {
                let spec = catalog().get(&source.module.text)?;
                Some((source.id.text.clone(), spec.outputs.first()?.name))
            });
            if let Some((source, output)) = driver {
                patch
                    .connections
                    .push(connection((&source, output), ("voices", "i0")));
            }
        }
    }
    patch.voices = vec![VoiceTemplate {
        name: name("voices"),
        nodes,
        connections,
        inputs,
        outputs,
        channel: None,
        voice_count: None,
        span: Span::NONE,
    }];
}

fn output_module() -> &'static ModuleSpec {
    catalog()
        .modules()
        .iter()
        .find(|module| module.role == Role::Output)
        .expect("the catalog has an output module")
}

fn name(text: &str) -> Name {
    Name::new(text)
}

fn number(value: f64) -> Value {
    Value {
        kind: ValueKind::Number(value),
        span: Span::NONE,
        escapes: Vec::new(),
    }
}

fn connection(from: (&str, &str), to: (&str, &str)) -> Connection {
    Connection {
        from: PortRef {
            node: name(from.0),
            port: name(from.1),
        },
        to: PortRef {
            node: name(to.0),
            port: name(to.1),
        },
        span: Span::NONE,
    }
}

/// The value `gene` picks for `input`.
fn gene_value(input: &InputSpec, gene: ParamGene, shape: &PatchShape) -> Option<f64> {
    // A text input keeps its default text, which its module's check passes.
    if input.takes_text() {
        return None;
    }
    let lo = input.min;
    let hi = if input.unit == Unit::Seconds {
        input.max.min(shape.max_seconds.max(lo))
    } else {
        input.max
    };
    let value = match gene {
        ParamGene::Unset => return None,
        ParamGene::Min => lo,
        ParamGene::Max => hi,
        ParamGene::Uniform(at) => lo + at * (hi - lo),
        ParamGene::Logarithmic(at) if hi > 0.0 => {
            let bottom = lo.max(hi * 1e-6).max(f64::MIN_POSITIVE);
            (bottom.ln() + at * (hi.ln() - bottom.ln())).exp()
        }
        ParamGene::Logarithmic(at) => lo + at * (hi - lo),
    };
    let value = if input.unit == Unit::Integer {
        value.round()
    } else {
        value
    };
    Some(value.clamp(lo, hi))
}

fn assemble(
    shape: &PatchShape,
    nodes: &[NodeGene],
    edges: &[EdgeGene],
    outputs: &[(usize, usize)],
) -> Patch {
    let modules = kernel_modules();
    let specs: Vec<&ModuleSpec> = nodes.iter().map(|(module, _)| modules[*module]).collect();
    let id = |index: usize| format!("n{index}");
    let mut patch = Patch::default();
    for (index, ((_, genes), spec)) in nodes.iter().zip(&specs).enumerate() {
        patch.nodes.push(node(&id(index), spec, genes, shape));
    }
    patch.connections = wire(&specs, edges, &id, &|_| false);
    let count = specs.len();
    let out = output_module();
    patch.nodes.push(node("out", out, &[], shape));
    for &(from, port) in outputs {
        let from = from % count;
        if let Some(source) = specs[from].outputs.first() {
            let port = ["in", "left", "right"][port];
            patch
                .connections
                .push(connection((&id(from), source.name), ("out", port)));
        }
    }
    patch
}

/// One way to break a valid patch.
#[derive(Clone, Copy, Debug)]
enum Mutation {
    UnknownModule,
    UnknownPort,
    UnknownNode,
    WrongType,
    OutOfRange,
    DuplicateNode,
    DuplicateParam,
    Cycle,
    NoOutput,
    NotConnectable,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop::sample::select(vec![
        Mutation::UnknownModule,
        Mutation::UnknownPort,
        Mutation::UnknownNode,
        Mutation::WrongType,
        Mutation::OutOfRange,
        Mutation::DuplicateNode,
        Mutation::DuplicateParam,
        Mutation::Cycle,
        Mutation::NoOutput,
        Mutation::NotConnectable,
    ])
}

/// Applies `mutation` to a kernel node chosen by `pick`, or `None` if no node suits it.
fn mutate(mut patch: Patch, mutation: Mutation, pick: usize) -> Option<(Patch, Code)> {
    let kernels = patch.nodes.len() - 1; // the output node is last
    let spec_of = |node: &Node| {
        catalog()
            .get(&node.module.text)
            .expect("generated modules exist")
    };
    // The first kernel node at or after `pick` (cyclically) that satisfies `suits`.
    let find = |patch: &Patch, suits: &dyn Fn(&ModuleSpec) -> bool| {
        (0..kernels)
            .map(|offset| (pick + offset) % kernels)
            .find(|&index| suits(spec_of(&patch.nodes[index])))
    };
    let code = match mutation {
        Mutation::UnknownModule => {
            patch.nodes[pick % kernels].module.text.push_str("_nope");
            Code::UnknownModule
        }
        Mutation::UnknownPort => {
            let id = patch.nodes[pick % kernels].id.text.clone();
            patch
                .connections
                .push(connection((&id, "nope"), ("out", "in")));
            // A module whose text names outputs reports a port that is neither an output
            // nor one of the text's names as a mistake of its text.
            match spec_of(&patch.nodes[pick % kernels]).naming_input() {
                Some(_) => Code::Text,
                None => Code::UnknownPort,
            }
        }
        Mutation::UnknownNode => {
            patch
                .connections
                .push(connection(("ghost", "out"), ("out", "in")));
            Code::UnknownNode
        }
        Mutation::WrongType => {
            let numeric = |spec: &ModuleSpec| -> Vec<&'static str> {
                let inputs = spec.inputs.iter().filter(|input| !input.takes_text());
                inputs.map(|input| input.name).collect()
            };
            let index = find(&patch, &|spec| !numeric(spec).is_empty())?;
            let inputs = numeric(spec_of(&patch.nodes[index]));
            let input = inputs[pick % inputs.len()];
            set_param(
                &mut patch.nodes[index],
                input,
                ValueKind::Text("loud".into()),
            );
            Code::WrongType
        }
        Mutation::OutOfRange => {
            let bounded = |i: &&InputSpec| i.max < 1e300 && !i.takes_text();
            let index = find(&patch, &|spec| spec.inputs.iter().any(|i| bounded(&i)))?;
            let spec = spec_of(&patch.nodes[index]);
            let input = spec.inputs.iter().find(bounded).expect("found above");
            let beyond = input.max + input.max.abs().max(1.0);
            set_param(
                &mut patch.nodes[index],
                input.name,
                ValueKind::Number(beyond),
            );
            Code::OutOfRange
        }
        Mutation::DuplicateNode => {
            let copy = patch.nodes[pick % kernels].clone();
            patch.nodes.insert(kernels, copy);
            Code::DuplicateNode
        }
        Mutation::DuplicateParam => {
            let numeric = |spec: &ModuleSpec| spec.inputs.iter().find(|i| !i.takes_text());
            let index = find(&patch, &|spec| numeric(spec).is_some())?;
            let input = numeric(spec_of(&patch.nodes[index])).expect("found above");
            let value = number(input.default);
            let node = &mut patch.nodes[index];
            for _ in 0..2 {
                node.params.push(Param {
                    name: name(input.name),
                    value: value.clone(),
                });
            }
            Code::DuplicateParam
        }
        Mutation::Cycle => {
            let suits = |spec: &ModuleSpec| {
                !spec.outputs.is_empty()
                    && spec
                        .inputs
                        .iter()
                        .any(|i| i.rate == Rate::Audio && !i.breaks_cycles)
            };
            let index = find(&patch, &suits)?;
            let spec = spec_of(&patch.nodes[index]);
            let input = spec
                .inputs
                .iter()
                .find(|i| i.rate == Rate::Audio && !i.breaks_cycles)
                .expect("found above");
            let id = patch.nodes[index].id.text.clone();
            patch
                .connections
                .push(connection((&id, spec.outputs[0].name), (&id, input.name)));
            Code::Cycle
        }
        Mutation::NoOutput => {
            patch.nodes.pop();
            patch.connections.retain(|c| c.to.node.text != "out");
            Code::NoOutput
        }
        Mutation::NotConnectable => {
            let index = find(&patch, &|spec| {
                spec.inputs.iter().any(|i| i.rate == Rate::Init)
            })?;
            let source = find(&patch, &|spec| !spec.outputs.is_empty())?;
            let spec = spec_of(&patch.nodes[index]);
            let input = spec
                .inputs
                .iter()
                .find(|i| i.rate == Rate::Init)
                .expect("found above");
            let from = (
                patch.nodes[source].id.text.clone(),
                spec_of(&patch.nodes[source]).outputs[0].name,
            );
            let to = patch.nodes[index].id.text.clone();
            patch
                .connections
                .push(connection((&from.0, from.1), (&to, input.name)));
            Code::NotConnectable
        }
    };
    Some((patch, code))
}

/// Sets parameter `input` of `node` to `kind`, replacing a value already set.
fn set_param(node: &mut Node, input: &str, kind: ValueKind) {
    let value = Value {
        kind,
        span: Span::NONE,
        escapes: Vec::new(),
    };
    match node
        .params
        .iter_mut()
        .find(|param| param.name.text == input)
    {
        Some(param) => param.value = value,
        None => node.params.push(Param {
            name: name(input),
            value,
        }),
    }
}
