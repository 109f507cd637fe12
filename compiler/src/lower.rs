//! Lowering: walks the graph in evaluation order and emits one instruction sequence per node.

use crate::lanes::{Step, schedule};
use crate::registers::Registers;
use crate::values::{ValueId, ValueMap};
use crate::{CompileOptions, Compiled, KernelNode, ParamNode, ProbePoint};
use patchvm_ir::{
    Catalog, Code, Diagnostic, Edge, Graph, GraphNode, NodeIdx, Role, SinkKind, Span,
};
use patchvm_vm::{
    ArgRange, Instr, KernelDecl, KernelIdx, KernelShape, Program, Reg, RegList, SinkDecl,
};
use running::RunningSums;

mod running;

struct Lowering<'g, 'c> {
    graph: &'g Graph<'c>,
    /// Whether each node reaches an output; nodes that do not are not compiled.
    live: Vec<bool>,
    program: Program,
    spans: Vec<Span>,
    kernels: Vec<KernelNode<'c>>,
    /// The node input behind each parameter slot, by `ParamIdx`.
    params: Vec<ParamNode>,
    /// Nodes that must not be folded because events may address their inputs.
    options: &'g CompileOptions,
    registers: Registers,
    /// The register holding each computed value that still has readers.
    value_regs: ValueMap<Reg>,
    /// The values of folded nodes, known at compile time.
    constants: ValueMap<f32>,
    /// Where to find the functions of stateless modules.
    catalog: &'c Catalog,
    /// How many edges will still read each value.
    readers_left: ValueMap<usize>,
    /// Cycle-closing kernels whose `FEED` is waiting for its sources: kernel, node.
    pending_feeds: Vec<(KernelIdx, NodeIdx)>,
    /// Inputs summing many connections, added up as their terms are computed.
    running: RunningSums,
}

/// Lowers a validated graph to a program. Fails only if the patch needs more registers or
/// kernels than the bytecode can address.
pub(crate) fn lower<'c>(
    graph: &Graph<'c>,
    catalog: &'c Catalog,
    options: &CompileOptions,
) -> Result<Compiled<'c>, Diagnostic> {
    let probed = probed_values(graph, options);
    let live = reaches_output(graph, &probed);
    let mut readers_left = ValueMap::new(graph);
    for edge in &graph.edges {
        if live[edge.to.index()] {
            *readers_left.or_insert((edge.from, edge.output), 0) += 1;
        }
    }
    // A probed value has one reader more, which never reads: its register is never reused.
    for &(value, _) in &probed {
        *readers_left.or_insert(value, 0) += 1;
    }
    let mut lowering = Lowering {
        graph,
        program: Program {
            channels: channel_count(graph, catalog, &live),
            ..Program::default()
        },
        running: RunningSums::new(graph, &live),
        live,
        spans: Vec::new(),
        kernels: Vec::new(),
        params: Vec::new(),
        options,
        registers: Registers::new(),
        value_regs: ValueMap::new(graph),
        constants: ValueMap::new(graph),
        catalog,
        readers_left,
        pending_feeds: Vec::new(),
    };
    // Kernels in evaluation order, with lane groups as single steps (see `lanes`); then the
    // outputs, in patch order, so that several output nodes add up in an order the language
    // defines (nothing reads an output node, so moving them last changes no other value).
    let is_output = |node: NodeIdx| {
        matches!(
            graph.nodes[node.index()].spec.role,
            Role::Output | Role::Sink
        )
    };
    for step in schedule(graph, &lowering.live, catalog, options) {
        match step {
            Step::Node(node) => lowering.node(node)?,
            Step::Lanes(nodes) => lowering.lanes(&nodes)?,
        }
        lowering.advance_running_sums()?;
        lowering.emit_ready_feeds()?;
    }
    for node in (0..graph.nodes.len() as u32)
        .map(NodeIdx)
        .filter(|&node| is_output(node))
    {
        lowering.node(node)?;
    }
    debug_assert!(
        lowering.pending_feeds.is_empty(),
        "every feed's sources run at some point"
    );
    place_params(&mut lowering.program, lowering.registers.count());
    let probes = probed
        .into_iter()
        .filter_map(|(value, port)| {
            let reg = *lowering.value_regs.get(&value)?;
            Some(ProbePoint {
                id: graph.nodes[value.0.index()].id.clone(),
                port,
                reg,
            })
        })
        .collect();
    Ok(Compiled {
        probes,
        program: lowering.program,
        spans: lowering.spans,
        kernels: lowering.kernels,
        params: lowering.params,
        nodes: graph.nodes.len(),
    })
}

/// A parameter slot's register while lowering: slots count down from the top of the register
/// numbers, temporaries up from the bottom, so neither can take the other's.
fn param_placeholder(slot: usize) -> Reg {
    Reg(u16::MAX - slot as u16)
}

/// Moves the parameters' registers from their placeholders to just above the `temporaries`
/// (their number including the zero register), so that no instruction, at any point of the
/// block, writes a parameter's register, and sets the program's register count. Taking
/// registers and slots kept `temporaries + slots` below `u16::MAX`.
fn place_params(program: &mut Program, temporaries: u16) {
    program.registers = temporaries + program.params.len() as u16;
    let lowest = u16::MAX as usize + 1 - program.params.len();
    let place = |reg: &mut Reg| {
        if usize::from(reg.0) >= lowest {
            *reg = Reg(temporaries + (u16::MAX - reg.0));
        }
    };
    program.param_regs.iter_mut().for_each(place);
    program.args.iter_mut().for_each(place);
    for instr in &mut program.instrs {
        // Parameters are read only as call arguments (above) and as a delay's unconnected fed
        // input; nothing else reads an unconnected input.
        if let Instr::Feed { src, .. } = instr {
            place(src);
        }
    }
}

/// The values [`CompileOptions::probes`] names that `graph` has (a node's output), with the
/// output's name, in the options' order.
fn probed_values(graph: &Graph, options: &CompileOptions) -> Vec<(ValueId, String)> {
    options
        .probes
        .iter()
        .filter_map(|(id, port)| {
            let node = graph.nodes.iter().position(|node| node.id == *id)?;
            let spec = graph.nodes[node].spec;
            let output = spec.outputs.iter().position(|out| out.name == port)?;
            Some(((NodeIdx(node as u32), output), port.clone()))
        })
        .collect()
}

/// Marks the nodes from which some output or a probed value can be reached, walking edges
/// backwards.
fn reaches_output(graph: &Graph, probed: &[(ValueId, String)]) -> Vec<bool> {
    let mut live: Vec<bool> = graph
        .nodes
        .iter()
        .map(|node| matches!(node.spec.role, Role::Output | Role::Sink))
        .collect();
    for &((node, _), _) in probed {
        live[node.index()] = true;
    }
    let mut stack: Vec<usize> = (0..live.len()).filter(|&i| live[i]).collect();
    while let Some(node) = stack.pop() {
        for edge in graph.edges_to(NodeIdx(node as u32)) {
            if !live[edge.from.index()] {
                live[edge.from.index()] = true;
                stack.push(edge.from.index());
            }
        }
    }
    live
}

/// One channel, unless a live output node drives an input that feeds one channel alone (the
/// catalog's [`Feed`](patchvm_ir::Feed)s: `left` or `right`): then every channel such inputs
/// name.
fn channel_count(graph: &Graph, catalog: &Catalog, live: &[bool]) -> u8 {
    let driven = |index: usize, node: &GraphNode, input: usize| {
        node.values[input] != 0.0
            || graph
                .edges_into(NodeIdx(index as u32), input)
                .next()
                .is_some()
    };
    let mut channels = 1;
    for (index, node) in graph.nodes.iter().enumerate() {
        if !live[index] || node.spec.role != Role::Output {
            continue;
        }
        let feeds = || catalog.feeds(node.spec.name);
        let one_channel = |(input, channel): (usize, Option<u8>)| channel.map(|c| (input, c));
        if feeds()
            .filter_map(one_channel)
            .any(|(input, _)| driven(index, node, input))
        {
            let widest = feeds().filter_map(one_channel).map(|(_, c)| c + 1).max();
            channels = channels.max(widest.unwrap_or(1));
        }
    }
    channels
}

impl<'c> Lowering<'_, 'c> {
    fn node(&mut self, index: NodeIdx) -> Result<(), Diagnostic> {
        let node = &self.graph.nodes[index.index()];
        match node.spec.role {
            Role::Kernel => self.kernel_node(index, node),
            Role::Output => self.output_node(index, node),
            Role::Input => self.input_node(index, node),
            Role::Sink => self.sink_node(index, node),
        }
    }

    fn kernel_node(&mut self, index: NodeIdx, node: &GraphNode<'c>) -> Result<(), Diagnostic> {
        if self.fold(index, node) {
            return Ok(());
        }
        let fed = node.spec.fed_input();
        let in_feedback_loop = fed.is_some_and(|input| {
            self.graph
                .edges_into(index, input)
                .any(|edge| edge.closes_cycle)
        });
        let kernel = KernelIdx(
            u16::try_from(self.kernels.len())
                .map_err(|_| too_many(node.span, "kernels", u16::MAX.into()))?,
        );
        let shape = KernelShape {
            inputs: node.spec.processed_inputs().count() as u8,
            outputs: node.spec.outputs.len() as u8,
            takes_feed: fed.is_some(),
        };
        self.kernels.push(KernelNode {
            node: index,
            id: node.id.clone(),
            spec: node.spec,
            values: node.values.clone(),
            texts: node.texts.clone(),
            span: node.span,
            in_feedback_loop,
        });
        self.program.kernels.push(KernelDecl {
            name: node.spec.name.replace('.', "_"),
            shape,
        });

        if let Some(input) = fed {
            if in_feedback_loop {
                self.pending_feeds.push((kernel, index));
            } else {
                self.feed(kernel, index, input)?;
            }
        }

        let mut inputs = Vec::with_capacity(usize::from(shape.inputs));
        for (input, _) in node.spec.processed_inputs() {
            inputs.push(self.materialize(index, input)?);
        }
        let mut outputs = Vec::with_capacity(usize::from(shape.outputs));
        for _ in node.spec.outputs {
            outputs.push(self.take_register(node.span)?);
        }
        let start = u32::try_from(self.program.args.len())
            .map_err(|_| too_many(node.span, "call arguments", u32::MAX.into()))?;
        self.program
            .args
            .extend(inputs.iter().map(|input| input.reg()));
        self.program.args.extend(&outputs);
        self.emit(
            Instr::CallOp {
                kernel,
                args: ArgRange {
                    start,
                    inputs: shape.inputs,
                    outputs: shape.outputs,
                },
            },
            node.span,
        );
        for input in inputs {
            self.release(input);
        }
        for (output, reg) in outputs.into_iter().enumerate() {
            if self
                .readers_left
                .get(&(index, output))
                .copied()
                .unwrap_or(0)
                > 0
            {
                self.keep((index, output), reg);
            } else {
                self.registers.release(reg);
            }
        }
        Ok(())
    }

    /// Emits one `CALL_LANES` for `nodes`: kernel nodes of one module without a fed input,
    /// none depending on another (see `lanes`). Their kernels get consecutive indices.
    fn lanes(&mut self, nodes: &[NodeIdx]) -> Result<(), Diagnostic> {
        let first = &self.graph.nodes[nodes[0].index()];
        let span = first.span;
        // The last lane's index must fit too.
        u16::try_from(self.kernels.len() + nodes.len() - 1)
            .map_err(|_| too_many(span, "kernels", u16::MAX.into()))?;
        let kernel = KernelIdx(self.kernels.len() as u16);
        let spec = first.spec;
        let shape = KernelShape {
            inputs: spec.processed_inputs().count() as u8,
            outputs: spec.outputs.len() as u8,
            takes_feed: false,
        };
        for &index in nodes {
            let node = &self.graph.nodes[index.index()];
            debug_assert!(std::ptr::eq(node.spec, spec) && spec.fed_input().is_none());
            self.kernels.push(KernelNode {
                node: index,
                id: node.id.clone(),
                spec: node.spec,
                values: node.values.clone(),
                texts: node.texts.clone(),
                span: node.span,
                in_feedback_loop: false,
            });
            self.program.kernels.push(KernelDecl {
                name: spec.name.replace('.', "_"),
                shape,
            });
        }
        // Port by port, each port's lanes in order, as `CALL_LANES` reads them.
        let mut inputs = Vec::with_capacity(usize::from(shape.inputs) * nodes.len());
        for (input, _) in spec.processed_inputs() {
            for &index in nodes {
                inputs.push(self.materialize(index, input)?);
            }
        }
        let mut outputs = Vec::with_capacity(usize::from(shape.outputs) * nodes.len());
        for _ in spec.outputs {
            for _ in nodes {
                outputs.push(self.take_register(span)?);
            }
        }
        let start = u32::try_from(self.program.args.len())
            .map_err(|_| too_many(span, "call arguments", u32::MAX.into()))?;
        self.program
            .args
            .extend(inputs.iter().map(|input| input.reg()));
        self.program.args.extend(&outputs);
        self.emit(
            Instr::CallLanes {
                kernel,
                lanes: nodes.len() as u8,
                args: ArgRange {
                    start,
                    inputs: shape.inputs,
                    outputs: shape.outputs,
                },
            },
            span,
        );
        for input in inputs {
            self.release(input);
        }
        for (at, reg) in outputs.into_iter().enumerate() {
            let value = (nodes[at % nodes.len()], at / nodes.len());
            if self.readers_left.get(&value).copied().unwrap_or(0) > 0 {
                self.keep(value, reg);
            } else {
                self.registers.release(reg);
            }
        }
        Ok(())
    }

    /// Reads the host's input channel into a register for the node's readers.
    fn input_node(&mut self, index: NodeIdx, node: &GraphNode) -> Result<(), Diagnostic> {
        let channel_input = self
            .catalog
            .input_channel(node.spec.name)
            .expect("an input module names its channel (the catalog's `Part::Input`)");
        // The validator keeps the value within the catalog's range, below `MAX_INPUTS`.
        let channel = node.values[channel_input] as u8;
        self.program.inputs = self.program.inputs.max(channel + 1);
        let dst = self.take_register(node.span)?;
        self.emit(Instr::ReadInput { dst, channel }, node.span);
        if self.readers_left.get(&(index, 0)).copied().unwrap_or(0) > 0 {
            self.keep((index, 0), dst);
        } else {
            self.registers.release(dst);
        }
        Ok(())
    }

    /// Evaluates a stateless node whose inputs are all known at compile time, recording its
    /// outputs as constants instead of emitting a call; `false` if it cannot be folded.
    /// Nodes named in [`CompileOptions::never_fold`] are never folded: their unconnected
    /// inputs stay parameter slots that events can change.
    fn fold(&mut self, index: NodeIdx, node: &GraphNode) -> bool {
        let Some(fold) = self.catalog.fold(node.spec.name) else {
            return false;
        };
        if self.options.never_fold.contains(&node.id) {
            return false;
        }
        let inputs: Option<Vec<f32>> = node
            .spec
            .processed_inputs()
            .map(|(input, _)| self.constant_input(index, input))
            .collect();
        let Some(inputs) = inputs else {
            return false;
        };
        let mut outputs = vec![0.0_f32; node.spec.outputs.len()];
        fold(&inputs, &mut outputs);
        // A non-finite result stays a run-time computation: constants in bytecode are finite
        // (the verifier insists), and the VM's output guard handles what the kernel makes.
        if !outputs.iter().all(|value| value.is_finite()) {
            return false;
        }
        for (output, value) in outputs.into_iter().enumerate() {
            self.constants.insert((index, output), value);
        }
        true
    }

    /// Adds each input of the node to the channels the catalog says it feeds: `in` to every
    /// channel, and in a stereo program `left` and `right` to their own (in a mono program
    /// they are zero by definition of the channel count).
    fn output_node(&mut self, index: NodeIdx, node: &GraphNode) -> Result<(), Diagnostic> {
        let count = self.program.channels;
        let feeds: Vec<(usize, Option<u8>)> = self.catalog.feeds(node.spec.name).collect();
        for (input, feed) in feeds {
            let channels = match feed {
                None => 0..count,
                Some(channel) if channel < count => channel..channel + 1,
                Some(_) => continue,
            };
            let operand = self.materialize(index, input)?;
            if operand.reg() != Reg::ZERO {
                for channel in channels {
                    self.emit(
                        Instr::WriteOutput {
                            channel,
                            src: operand.reg(),
                        },
                        node.span,
                    );
                }
            }
            self.release(operand);
        }
        Ok(())
    }

    /// Hands a sink's signals to the host (`WRITE_SINK`, one signal each, numbered on from
    /// the sinks before it) and lists it in the program with its kind and channel, read from
    /// its set-once inputs.
    fn sink_node(&mut self, index: NodeIdx, node: &GraphNode) -> Result<(), Diagnostic> {
        let sink = self
            .catalog
            .sink(node.spec.name)
            .expect("a sink module plays the catalog's `Part::Sink`");
        let setting = |port: &str| {
            node.spec
                .input(port)
                .map_or(0.0, |input| node.values[input])
        };
        let kind = match sink.kind {
            SinkKind::Notes => patchvm_vm::SinkKind::Notes,
            SinkKind::Cc => {
                patchvm_vm::SinkKind::Cc(sink.number.map_or(0.0, setting).clamp(0.0, 127.0) as u8)
            }
            SinkKind::Bend => patchvm_vm::SinkKind::Bend,
        };
        debug_assert_eq!(kind.signals(), sink.signals.len());
        let first = self.program.sink_signals();
        let first = u16::try_from(first + sink.signals.len())
            .map(|_| first as u16)
            .map_err(|_| too_many(node.span, "sink signals", u16::MAX.into()))?;
        for (k, port) in sink.signals.iter().enumerate() {
            let input = node
                .spec
                .input(port)
                .expect("the catalog checked the sink's ports");
            let operand = self.materialize(index, input)?;
            self.emit(
                Instr::WriteSink {
                    signal: first + k as u16,
                    src: operand.reg(),
                },
                node.span,
            );
            self.release(operand);
        }
        let channel = (setting(sink.channel) - 1.0).clamp(0.0, 15.0) as u8;
        self.program.sinks.push(SinkDecl {
            kind,
            channel,
            first,
        });
        Ok(())
    }

    /// Emits the `FEED` of every cycle-closing kernel whose fed input's sources have all run.
    fn emit_ready_feeds(&mut self) -> Result<(), Diagnostic> {
        let mut waiting = std::mem::take(&mut self.pending_feeds);
        let mut result = Ok(());
        waiting.retain(|&(kernel, node)| {
            if result.is_err() {
                return true;
            }
            let input = self.graph.nodes[node.index()]
                .spec
                .fed_input()
                .expect("only kernels with a fed input wait for a feed");
            let ready = self.graph.edges_into(node, input).all(|edge| {
                let value = (edge.from, edge.output);
                self.value_regs.contains_key(&value) || self.constants.contains_key(&value)
            });
            if ready {
                result = self.feed(kernel, node, input);
            }
            !ready
        });
        self.pending_feeds = waiting;
        result
    }

    fn feed(&mut self, kernel: KernelIdx, node: NodeIdx, input: usize) -> Result<(), Diagnostic> {
        let operand = self.materialize(node, input)?;
        self.emit(
            Instr::Feed {
                kernel,
                src: operand.reg(),
            },
            self.graph.nodes[node.index()].span,
        );
        self.release(operand);
        Ok(())
    }

    /// Puts the value of input `input` of `node` in a register: the sum of its connections,
    /// else, for a kernel node, a parameter slot holding its value (events may change it),
    /// and for an output node its constant value (the zero register for +0).
    fn materialize(&mut self, node: NodeIdx, input: usize) -> Result<Operand, Diagnostic> {
        let graph = self.graph;
        let graph_node = &graph.nodes[node.index()];
        let span = graph_node.span;
        let mut edges = graph.edges_into(node, input).peekable();
        if edges.peek().is_none() {
            let value = graph_node.values[input] as f32;
            return match graph_node.spec.role {
                Role::Kernel => self.load_param(node, input, value, span),
                Role::Output | Role::Input | Role::Sink => self.load(value, span),
            };
        }
        // Sums in connection order, `((a + b) + c)`, exactly as the VM's ADD and SUM do: a run
        // of constants at the front is added at compile time; the rest with one ADD (two
        // terms) or SUM (more), going on from the running sum of the first terms if there is
        // one (see `running`).
        let mut terms: Vec<Term> = match self.running.take(node, input) {
            Some((total, added)) => {
                edges.by_ref().take(added).for_each(drop);
                vec![Term::Register(Operand::Temporary(total))]
            }
            None => {
                // One connection, the usual case: its value as it is, nothing to add.
                let first = self.term(edges.next().expect("an edge was peeked"));
                if edges.peek().is_none() {
                    return self.register(first, span);
                }
                vec![first]
            }
        };
        for edge in edges {
            let value = self.term(edge);
            match (terms.as_slice(), value) {
                ([Term::Constant(a)], Term::Constant(b)) if (a + b).is_finite() => {
                    terms[0] = Term::Constant(a + b);
                }
                _ => terms.push(value),
            }
        }
        let mut operands = Vec::with_capacity(terms.len());
        for term in terms {
            operands.push(self.register(term, span)?);
        }
        self.sum(operands, span)
    }

    /// One register holding `((operands[0] + operands[1]) + …)`: the operand itself if there
    /// is one, else an `ADD` of two or `SUM`s of more (a `SUM` takes at most `u16::MAX`
    /// terms; a longer sum continues from the last one's result).
    fn sum(&mut self, operands: Vec<Operand>, span: Span) -> Result<Operand, Diagnostic> {
        let mut operands = operands.into_iter();
        let Some(mut acc) = operands.next() else {
            return self.load(0.0, span);
        };
        let rest: Vec<Operand> = operands.collect();
        for chunk in rest.chunks(usize::from(u16::MAX) - 1) {
            let dst = self.take_register(span)?;
            if let [rhs] = chunk {
                self.emit(
                    Instr::Add {
                        dst,
                        lhs: acc.reg(),
                        rhs: rhs.reg(),
                    },
                    span,
                );
            } else {
                let start = u32::try_from(self.program.args.len())
                    .map_err(|_| too_many(span, "call arguments", u32::MAX.into()))?;
                self.program.args.push(acc.reg());
                self.program
                    .args
                    .extend(chunk.iter().map(|term| term.reg()));
                self.emit(
                    Instr::Sum {
                        dst,
                        terms: RegList {
                            start,
                            count: chunk.len() as u16 + 1,
                        },
                    },
                    span,
                );
            }
            self.release(acc);
            for &term in chunk {
                self.release(term);
            }
            acc = Operand::Temporary(dst);
        }
        Ok(acc)
    }

    /// What the value an edge carries is to the sum it goes into: a constant, or a register.
    fn term(&self, edge: &Edge) -> Term {
        let value = (edge.from, edge.output);
        match self.constants.get(&value) {
            Some(&constant) => Term::Constant(constant),
            None => Term::Register(Operand::Value(value, self.value_regs[&value])),
        }
    }

    /// The input's value if it is known at compile time: its parameter value when unconnected,
    /// else the sum of its connections when they all come from folded nodes.
    fn constant_input(&self, node: NodeIdx, input: usize) -> Option<f32> {
        let mut sum: Option<f32> = None;
        for edge in self.graph.edges_into(node, input) {
            let value = *self.constants.get(&(edge.from, edge.output))?;
            sum = Some(sum.map_or(value, |partial| partial + value));
        }
        Some(sum.unwrap_or(self.graph.nodes[node.index()].values[input] as f32))
            .filter(|value| value.is_finite())
    }

    /// A term in a register.
    fn register(&mut self, term: Term, span: Span) -> Result<Operand, Diagnostic> {
        match term {
            Term::Register(operand) => Ok(operand),
            Term::Constant(value) => self.load(value, span),
        }
    }

    /// A register holding `value`: the zero register for +0 (only +0: a -0 keeps its sign
    /// through products), else a `LOAD_CONST`.
    fn load(&mut self, value: f32, span: Span) -> Result<Operand, Diagnostic> {
        if value.to_bits() == 0 {
            return Ok(Operand::Temporary(Reg::ZERO));
        }
        let dst = self.take_register(span)?;
        self.emit(Instr::LoadConst { dst, value }, span);
        Ok(Operand::Temporary(dst))
    }

    /// The register of a new parameter slot for input `input` of `node`, starting at `value`:
    /// the slot's own register, which no instruction writes (the VM fills it when the value
    /// changes), so it is never released.
    fn load_param(
        &mut self,
        node: NodeIdx,
        input: usize,
        value: f32,
        span: Span,
    ) -> Result<Operand, Diagnostic> {
        let slot = self.program.params.len();
        if usize::from(self.registers.count()) + slot >= usize::from(u16::MAX) {
            return Err(too_many(
                span,
                "live signals and parameters",
                u16::MAX.into(),
            ));
        }
        let reg = param_placeholder(slot);
        self.program.params.push(value);
        self.program.param_regs.push(reg);
        let graph_node = &self.graph.nodes[node.index()];
        self.params.push(ParamNode {
            node,
            id: graph_node.id.clone(),
            input,
            port: graph_node.spec.inputs[input].name,
        });
        Ok(Operand::Param(reg))
    }

    /// Marks one read of `operand` done, freeing its register when nothing else reads it.
    fn release(&mut self, operand: Operand) {
        match operand {
            Operand::Param(_) => {}
            Operand::Temporary(reg) => self.registers.release(reg),
            Operand::Value(value, reg) => {
                let left = self
                    .readers_left
                    .get_mut(&value)
                    .expect("a value being read has readers");
                *left -= 1;
                if *left == 0 {
                    self.value_regs.remove(&value);
                    self.registers.release(reg);
                }
            }
        }
    }

    /// Keeps `value` in `reg` for its readers.
    fn keep(&mut self, value: ValueId, reg: Reg) {
        self.value_regs.insert(value, reg);
        self.running.computed(value);
    }

    /// A free register for a temporary, below the parameters' placeholders.
    fn take_register(&mut self, span: Span) -> Result<Reg, Diagnostic> {
        self.registers
            .take()
            .filter(|reg| usize::from(reg.0) + self.program.params.len() < usize::from(u16::MAX))
            .ok_or_else(|| too_many(span, "live signals and parameters", u16::MAX.into()))
    }

    fn emit(&mut self, instr: Instr, span: Span) {
        self.program.instrs.push(instr);
        self.spans.push(span);
    }
}

/// An input's register and how it got there.
#[derive(Clone, Copy)]
enum Operand {
    /// A node's output, freed after its last reader.
    Value(ValueId, Reg),
    /// A constant or a partial sum, freed after its one reader.
    Temporary(Reg),
    /// A parameter slot's register, never freed.
    Param(Reg),
}

/// One connection's contribution to an input, before it is in a register.
#[derive(Clone, Copy)]
enum Term {
    /// Known at compile time.
    Constant(f32),
    /// Computed while running.
    Register(Operand),
}

impl Operand {
    fn reg(self) -> Reg {
        match self {
            Operand::Value(_, reg) | Operand::Temporary(reg) | Operand::Param(reg) => reg,
        }
    }
}

fn too_many(span: Span, what: &str, limit: u64) -> Diagnostic {
    Diagnostic::new(
        Code::Limit,
        span,
        format!("the patch needs more than {limit} {what}, more than the bytecode can address"),
    )
    .with_label("compiling stopped here")
    .with_hint("split the patch into smaller patches")
}
