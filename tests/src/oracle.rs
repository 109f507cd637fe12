//! The reference interpreter: evaluates a patch straight from its graph, one sample at a time,
//! by demand from the outputs — no evaluation order computed in advance, no registers, no
//! bytecode. It shares only the kernels (and the per-node seeds) with the VM, so comparing the
//! two bit for bit checks the compiler, the verifier and the VM.
//!
//! A voice template is expanded first (`patchvm::ir::voices`, `settings.voices` copies): the
//! oracle checks the compiler and VM on the expanded patch, not the expansion itself.
//!
//! It follows the language's definitions, written independently of the compiler:
//! - an input sums its connections in patch order; an unconnected input is its value as `f32`;
//! - a node runs only if an output depends on it; `input` nodes read silence;
//! - a cycle-breaking input (a delay's `in`) is fed after the node runs when the node's output
//!   reaches that input's sources (a loop), and before it otherwise;
//! - each output channel starts at 0 and adds, for each `output` node in patch order, `in` and
//!   then `left` (channel 0) or `right` (channel 1); non-finite samples become 0.

use patchvm::compiler::tempo_map;
use patchvm::ir::{Diagnostics, Graph, Limits, Patch, Role, validate_with};
use patchvm::modules::{KernelInit, build, catalog};
use patchvm::vm::{Beats, FlushDenormals, Kernel, TempoMap, Transport};
use patchvm::{Settings, node_seed};

/// Renders `frames` interleaved frames of `patch`, or the diagnostics it fails validation with.
pub fn render(patch: &Patch, settings: &Settings, frames: usize) -> Result<Vec<f32>, Diagnostics> {
    let graph = validate_with(patch, catalog(), &Limits::default(), settings.voices)?;
    let tempo = tempo_map(patch.transport.as_ref()).map_err(|diagnostic| vec![diagnostic])?;
    let mut interpreter = Interpreter::new(&graph, settings, tempo);
    let channels = interpreter.channels;
    let mut out = Vec::with_capacity(frames * channels);
    // The VM's paths flush subnormals; so does the reference, so the bits agree.
    let _flush = FlushDenormals::new();
    for _ in 0..frames {
        out.extend_from_slice(&interpreter.sample()[..channels]);
    }
    Ok(out)
}

struct Interpreter<'g> {
    graph: &'g Graph<'g>,
    /// Built kernels of the nodes an output depends on.
    kernels: Vec<Option<Box<dyn Kernel>>>,
    /// Whether each node's cycle-breaking input closes a loop.
    in_loop: Vec<bool>,
    /// This sample's outputs of each node, once computed.
    values: Vec<Option<Vec<f32>>>,
    channels: usize,
    /// The beat line, as a live engine's transport plays it over the patch's tempo map.
    transport: Transport,
    tempo: TempoMap,
    /// This sample's place on it, and the sample's time.
    beats: Beats,
    time: u64,
}

impl<'g> Interpreter<'g> {
    fn new(graph: &'g Graph<'g>, settings: &Settings, tempo: TempoMap) -> Interpreter<'g> {
        let live = depended_on(graph);
        let in_loop: Vec<bool> = (0..graph.nodes.len())
            .map(|node| closes_loop(graph, node))
            .collect();
        let kernels = graph
            .nodes
            .iter()
            .enumerate()
            .map(|(index, node)| {
                if !live[index] || node.spec.role != Role::Kernel {
                    return None;
                }
                let param_seed = node
                    .spec
                    .input("seed")
                    .map_or(0, |input| node.values[input] as u64);
                let init = KernelInit {
                    texts: &node.texts,
                    seed: node_seed(settings.seed, param_seed, &node.id),
                    in_feedback_loop: in_loop[index],
                    ..KernelInit::new(&node.values, settings.sample_rate)
                };
                build(node.spec, &init)
            })
            .collect();
        let stereo = graph.nodes.iter().enumerate().any(|(index, node)| {
            node.spec.role == Role::Output
                && ["left", "right"].iter().any(|port| {
                    let input = node.spec.input(port).expect("output has left and right");
                    node.values[input] != 0.0
                        || graph
                            .edges
                            .iter()
                            .any(|e| e.to.index() == index && e.input == input)
                })
        });
        Interpreter {
            graph,
            kernels,
            in_loop,
            values: vec![None; graph.nodes.len()],
            channels: if stereo { 2 } else { 1 },
            transport: Transport::new(settings.sample_rate),
            tempo,
            beats: Beats::STILL,
            time: 0,
        }
    }

    /// Computes one frame.
    fn sample(&mut self) -> [f32; 2] {
        self.values.iter_mut().for_each(|value| *value = None);
        self.beats = self.transport.next(self.time, 1, &self.tempo).1;
        self.time += 1;
        let mut frame = [0.0_f32; 2];
        for (index, node) in self.graph.nodes.iter().enumerate() {
            if node.spec.role != Role::Output {
                continue;
            }
            let input = |name: &str| node.spec.input(name).expect("output ports are fixed");
            let centre = self.input(index, input("in"));
            frame[0] += centre;
            if self.channels == 2 {
                frame[1] += centre;
                frame[0] += self.input(index, input("left"));
                frame[1] += self.input(index, input("right"));
            }
        }
        // Loops close after everything else of the sample has run.
        for index in 0..self.graph.nodes.len() {
            if self.kernels[index].is_some() && self.in_loop[index] {
                self.feed(index);
            }
        }
        frame.map(|x| if x.is_finite() { x } else { 0.0 })
    }

    /// The value of input `input` of node `node` for this sample.
    fn input(&mut self, node: usize, input: usize) -> f32 {
        let graph = self.graph;
        let mut sum: Option<f32> = None;
        for edge in graph
            .edges
            .iter()
            .filter(|e| e.to.index() == node && e.input == input)
        {
            let value = self.output(edge.from.index(), edge.output);
            sum = Some(sum.map_or(value, |partial| partial + value));
        }
        sum.unwrap_or(graph.nodes[node].values[input] as f32)
    }

    /// Output `output` of node `node` for this sample, running the node if it has not run yet.
    fn output(&mut self, node: usize, output: usize) -> f32 {
        if self.values[node].is_none() {
            self.run(node);
        }
        self.values[node].as_ref().expect("the node has run")[output]
    }

    fn run(&mut self, node: usize) {
        let spec = self.graph.nodes[node].spec;
        if spec.role == Role::Input {
            // The oracle renders without a host input: every input channel is silent.
            self.values[node] = Some(vec![0.0]);
            return;
        }
        if spec.fed_input().is_some() && !self.in_loop[node] {
            self.feed(node);
        }
        let inputs: Vec<[f32; 1]> = spec
            .processed_inputs()
            .map(|(input, _)| [self.input(node, input)])
            .collect();
        let input_refs: Vec<&[f32]> = inputs.iter().map(|x| &x[..]).collect();
        let mut outputs = vec![[0.0_f32; 1]; spec.outputs.len()];
        let mut output_refs: Vec<&mut [f32]> = outputs.iter_mut().map(|x| &mut x[..]).collect();
        self.kernels[node]
            .as_mut()
            .expect("a node that runs has a kernel")
            .process_at(&self.beats, &input_refs, &mut output_refs);
        self.values[node] = Some(outputs.iter().map(|x| x[0]).collect());
    }

    fn feed(&mut self, node: usize) {
        let input = self.graph.nodes[node]
            .spec
            .fed_input()
            .expect("only fed kernels are fed");
        let value = self.input(node, input);
        self.kernels[node]
            .as_mut()
            .expect("a fed node has a kernel")
            .feed(&[value]);
    }
}

/// Whether an `output` node depends on each node, through any connection.
fn depended_on(graph: &Graph) -> Vec<bool> {
    fn visit(graph: &Graph, node: usize, seen: &mut Vec<bool>) {
        if seen[node] {
            return;
        }
        seen[node] = true;
        for edge in graph.edges.iter().filter(|e| e.to.index() == node) {
            visit(graph, edge.from.index(), seen);
        }
    }
    let mut seen = vec![false; graph.nodes.len()];
    for (index, node) in graph.nodes.iter().enumerate() {
        if node.spec.role == Role::Output {
            visit(graph, index, &mut seen);
        }
    }
    seen
}

/// Whether `node` has a cycle-breaking input and one of that input's sources can be reached
/// from `node` by following connections forward: then its output feeds back into it.
fn closes_loop(graph: &Graph, node: usize) -> bool {
    let Some(fed) = graph.nodes[node].spec.fed_input() else {
        return false;
    };
    let mut reached = vec![false; graph.nodes.len()];
    let mut stack = vec![node];
    while let Some(at) = stack.pop() {
        for edge in graph.edges.iter().filter(|e| e.from.index() == at) {
            if !reached[edge.to.index()] {
                reached[edge.to.index()] = true;
                stack.push(edge.to.index());
            }
        }
    }
    graph
        .edges
        .iter()
        .any(|e| e.to.index() == node && e.input == fed && reached[e.from.index()])
}
