//! The compiler's output, read like the instruction set it emits.

use patchvm_compiler::{CompileOptions, Compiled, compile, compile_with};
use patchvm_ir::{
    Catalog, Feed, InputSpec, Limits, ModuleSpec, OutputSpec, Part, Patch, PatchBuilder, Rate,
    Role, Unit,
};
use patchvm_vm::{ArgRange, Instr, KernelIdx, Reg};

use crate::common::input;

const OUT: OutputSpec = OutputSpec {
    name: "out",
    doc: "",
    unit: Unit::Signal,
};

const OSC_INPUTS: &[InputSpec] = &[input("freq", 440.0, false)];
const GAIN_INPUTS: &[InputSpec] = &[input("in", 0.0, false), input("amp", 1.0, false)];
const DELAY_INPUTS: &[InputSpec] = &[input("in", 0.0, true), input("time", 0.5, false)];
const OUTPUT_INPUTS: &[InputSpec] = &[
    input("in", 0.0, false),
    input("left", 0.0, false),
    input("right", 0.0, false),
];

/// A catalog shaped like the real one, independent of the real kernels.
fn catalog() -> Catalog {
    Catalog::new(vec![
        ModuleSpec {
            name: "osc.sine",
            doc: "",
            inputs: OSC_INPUTS,
            outputs: &[OUT],
            role: Role::Kernel,
        },
        ModuleSpec {
            name: "gain",
            doc: "",
            inputs: GAIN_INPUTS,
            outputs: &[OUT],
            role: Role::Kernel,
        },
        ModuleSpec {
            name: "delay",
            doc: "",
            inputs: DELAY_INPUTS,
            outputs: &[OUT],
            role: Role::Kernel,
        },
        ModuleSpec {
            name: "output",
            doc: "",
            inputs: OUTPUT_INPUTS,
            outputs: &[],
            role: Role::Output,
        },
    ])
    .with_part("output", Part::Output(FEEDS))
}

/// The output's inputs and their channels, as in the real catalog.
const FEEDS: &[Feed] = &[
    Feed {
        port: "in",
        channel: None,
    },
    Feed {
        port: "left",
        channel: Some(0),
    },
    Feed {
        port: "right",
        channel: Some(1),
    },
];

fn compiled(patch: &Patch) -> Compiled<'static> {
    let catalog: &'static Catalog = Box::leak(Box::new(catalog()));
    compile(patch, catalog, &Limits::default()).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn call(kernel: u16, start: u32, inputs: u8, outputs: u8) -> Instr {
    Instr::CallOp {
        kernel: KernelIdx(kernel),
        args: ArgRange {
            start,
            inputs,
            outputs,
        },
    }
}

fn load(dst: u16, value: f32) -> Instr {
    Instr::LoadConst {
        dst: Reg(dst),
        value,
    }
}

fn write(channel: u8, src: u16) -> Instr {
    Instr::WriteOutput {
        channel,
        src: Reg(src),
    }
}

fn regs(indices: &[u16]) -> Vec<Reg> {
    indices.iter().map(|&i| Reg(i)).collect()
}

#[test]
fn toy_patch() {
    let patch = PatchBuilder::new()
        .node("osc1", "osc.sine", &[("freq", 440.0)])
        .node("gain1", "gain", &[("amp", 0.5)])
        .node("out", "output", &[])
        .connect(("osc1", "out"), ("gain1", "in"))
        .connect(("gain1", "out"), ("out", "in"))
        .build();
    let compiled = compiled(&patch);
    let program = &compiled.program;
    assert_eq!(
        program.instrs,
        [call(0, 0, 1, 1), call(1, 2, 2, 1), write(0, 2)]
    );
    assert_eq!(program.params, [440.0, 0.5]);
    // Each slot has its own register, above the signals' (r0..r2), which no instruction writes.
    assert_eq!(program.param_regs, regs(&[3, 4]));
    let slots: Vec<(&str, &str)> = compiled
        .params
        .iter()
        .map(|p| (p.id.as_str(), p.port))
        .collect();
    assert_eq!(slots, [("osc1", "freq"), ("gain1", "amp")]);
    assert_eq!(program.args, regs(&[3, 1, 1, 4, 2]));
    assert_eq!((program.registers, program.channels), (5, 1));
    let ids: Vec<&str> = compiled.kernels.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, ["osc1", "gain1"]);
}

#[test]
fn fan_in_is_summed_and_every_unconnected_kernel_input_is_a_parameter_slot() {
    let patch = PatchBuilder::new()
        .node("a", "osc.sine", &[])
        .node("b", "osc.sine", &[("freq", 0.0)])
        .node("out", "output", &[])
        .connect(("a", "out"), ("out", "in"))
        .connect(("b", "out"), ("out", "in"))
        .build();
    let program = compiled(&patch).program;
    assert_eq!(
        program.instrs,
        [
            call(0, 0, 1, 1), // a: r4 -> r1
            call(1, 2, 1, 1), // b: r5 -> r2; b's freq 0 is a slot too: an event may raise it
            Instr::Add {
                dst: Reg(3),
                lhs: Reg(1),
                rhs: Reg(2)
            },
            write(0, 3),
        ]
    );
    assert_eq!(program.args, regs(&[4, 1, 5, 2]));
    assert_eq!(program.params, [440.0, 0.0]);
    assert_eq!(program.param_regs, regs(&[4, 5]));
}

#[test]
fn nodes_that_reach_no_output_are_not_compiled() {
    let patch = PatchBuilder::new()
        .node("unheard", "osc.sine", &[])
        .node("heard", "osc.sine", &[])
        .node("unheard_gain", "gain", &[])
        .node("out", "output", &[])
        .connect(("unheard", "out"), ("unheard_gain", "in"))
        .connect(("heard", "out"), ("out", "in"))
        .build();
    let compiled = compiled(&patch);
    let ids: Vec<&str> = compiled.kernels.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, ["heard"]);
}

#[test]
fn a_delay_outside_a_loop_is_fed_before_it_runs() {
    let patch = PatchBuilder::new()
        .node("osc", "osc.sine", &[])
        .node("d", "delay", &[("time", 0.25)])
        .node("out", "output", &[])
        .connect(("osc", "out"), ("d", "in"))
        .connect(("d", "out"), ("out", "in"))
        .build();
    let compiled = compiled(&patch);
    assert!(!compiled.kernels[1].in_feedback_loop);
    assert_eq!(
        compiled.program.instrs,
        [
            call(0, 0, 1, 1),
            Instr::Feed {
                kernel: KernelIdx(1),
                src: Reg(1)
            },
            call(1, 2, 1, 1),
            write(0, 1),
        ]
    );
    assert_eq!(compiled.program.args, regs(&[2, 1, 3, 1]));
}

#[test]
fn a_delay_closing_a_loop_runs_before_it_is_fed() {
    // osc -> d -> fb -> d (feedback), d -> out
    let patch = PatchBuilder::new()
        .node("osc", "osc.sine", &[])
        .node("d", "delay", &[])
        .node("fb", "gain", &[("amp", 0.5)])
        .node("out", "output", &[])
        .connect(("osc", "out"), ("d", "in"))
        .connect(("d", "out"), ("fb", "in"))
        .connect(("fb", "out"), ("d", "in"))
        .connect(("d", "out"), ("out", "in"))
        .build();
    let compiled = compiled(&patch);
    assert!(compiled.kernels[1].in_feedback_loop);
    let ops: Vec<String> = (0..compiled.program.instrs.len())
        .map(|i| compiled.program.instr_text(i))
        .collect();
    assert_eq!(
        ops,
        [
            "CALL_OP      osc_sine, r5 -> r1",
            "CALL_OP      delay, r6 -> r2",
            "CALL_OP      gain, r2, r7 -> r3",
            "ADD          r1, r3 -> r4",
            "FEED         delay, r4",
            "WRITE_OUTPUT r2",
        ]
    );
}

#[test]
fn driving_left_or_right_makes_a_stereo_program() {
    let patch = PatchBuilder::new()
        .node("l", "osc.sine", &[])
        .node("c", "osc.sine", &[])
        .node("out", "output", &[])
        .connect(("l", "out"), ("out", "left"))
        .connect(("c", "out"), ("out", "in"))
        .build();
    let program = compiled(&patch).program;
    assert_eq!(program.channels, 2);
    let writes: Vec<&Instr> = program
        .instrs
        .iter()
        .filter(|instr| matches!(instr, Instr::WriteOutput { .. }))
        .collect();
    // `l` runs first (-> r1), then `c` (-> r2); `in` (from c) goes to both channels, `left`
    // (from l) to channel 0.
    assert_eq!(writes, [&write(0, 2), &write(1, 2), &write(0, 1)]);
}

#[test]
fn a_chain_of_ten_thousand_nodes_needs_a_handful_of_registers() {
    let mut builder = PatchBuilder::new().node("n0", "osc.sine", &[]);
    for i in 1..10_000 {
        builder = builder
            .node(&format!("n{i}"), "gain", &[("amp", 0.999)])
            .connect((&format!("n{}", i - 1), "out"), (&format!("n{i}"), "in"));
    }
    let patch = builder
        .node("out", "output", &[])
        .connect(("n9999", "out"), ("out", "in"))
        .build();
    let program = compiled(&patch).program;
    assert_eq!(program.kernels.len(), 10_000);
    // Signals take registers by liveness; each parameter slot keeps one of its own.
    let signals = usize::from(program.registers) - program.params.len();
    assert!(signals <= 8, "{signals} registers for signals");
}

#[test]
fn a_wide_sum_is_added_up_as_its_terms_are_computed_in_connection_order() {
    // 512 oscillators into one input: the terms are added in chunks as they come, each
    // `SUM` going on from the last one's total, so a handful of registers hold signals
    // instead of 512; the terms, over all the `SUM`s, are the connections in order.
    let mut builder = PatchBuilder::new().node("out", "output", &[]);
    for i in 0..512 {
        builder = builder
            .node(
                &format!("osc{i}"),
                "osc.sine",
                &[("freq", 100.0 + f64::from(i))],
            )
            .connect((&format!("osc{i}"), "out"), ("out", "in"));
    }
    let program = compiled(&builder.build()).program;
    let signals = usize::from(program.registers) - program.params.len();
    assert!(signals <= 24, "{signals} registers for signals");
    // Each call's output register, by kernel (= oscillator, in connection order).
    let mut output_of = Vec::new();
    let mut summed = Vec::new();
    let mut total = None;
    for instr in &program.instrs {
        match *instr {
            Instr::CallOp { args, .. } => {
                let at = (args.start + u32::from(args.inputs)) as usize;
                output_of.push(program.args[at]);
            }
            Instr::Sum { dst, terms } => {
                let terms = &program.args[terms.start as usize..][..usize::from(terms.count)];
                let (first, rest) = terms.split_first().expect("a SUM has terms");
                match total {
                    // Each SUM but the first starts from the running total.
                    Some(total) => assert_eq!(*first, total),
                    None => summed.push(*first),
                }
                // Every term is the latest output of its register's oscillator.
                summed.extend(rest);
                total = Some(dst);
            }
            _ => {}
        }
    }
    let sums = program
        .instrs
        .iter()
        .filter(|instr| matches!(instr, Instr::Sum { .. }))
        .count();
    assert!(sums > 1, "the sum runs: {sums} SUMs");
    // The terms' registers are reused, so check the order by position: the n-th term summed
    // is the output of the n-th call, whose register still held it.
    assert_eq!(summed.len(), 512);
    assert_eq!(summed, output_of);
    assert_eq!(program.instrs.last(), Some(&write(0, total.unwrap().0)));
}

#[test]
fn the_same_patch_always_compiles_to_the_same_program() {
    let patch = PatchBuilder::new()
        .node("b", "osc.sine", &[])
        .node("a", "osc.sine", &[])
        .node("g", "gain", &[])
        .node("out", "output", &[])
        .connect(("a", "out"), ("g", "in"))
        .connect(("b", "out"), ("g", "amp"))
        .connect(("g", "out"), ("out", "in"))
        .build();
    let first = compiled(&patch);
    for _ in 0..10 {
        assert_eq!(compiled(&patch).program, first.program);
    }
    // Ties are broken by patch order: `b` is declared first, so it runs first.
    assert_eq!(first.kernels[0].id, "b");
}

/// The catalog above, with `gain` declared stateless as the real catalog declares it.
fn folding_catalog() -> &'static Catalog {
    Box::leak(Box::new(catalog().with_fold("gain", |inputs, outputs| {
        outputs[0] = inputs[0] * inputs[1]
    })))
}

#[test]
fn constant_subgraphs_fold_into_one_constant() {
    // (3 · 0.5) · 2 feeds a sine's frequency: both gains fold into LOAD_CONST 3.
    let patch = PatchBuilder::new()
        .node("g1", "gain", &[("in", 3.0), ("amp", 0.5)])
        .node("g2", "gain", &[("amp", 2.0)])
        .node("osc", "osc.sine", &[])
        .node("out", "output", &[])
        .connect(("g1", "out"), ("g2", "in"))
        .connect(("g2", "out"), ("osc", "freq"))
        .connect(("osc", "out"), ("out", "in"))
        .build();
    let compiled = compile(&patch, folding_catalog(), &Limits::default()).unwrap();
    assert_eq!(
        compiled.program.instrs,
        [load(1, 3.0), call(0, 0, 1, 1), write(0, 2)]
    );
    let ids: Vec<&str> = compiled.kernels.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, ["osc"]);
}

#[test]
fn a_stateless_node_with_a_signal_input_is_not_folded() {
    let patch = PatchBuilder::new()
        .node("osc", "osc.sine", &[])
        .node("g", "gain", &[("amp", 0.5)])
        .node("out", "output", &[])
        .connect(("osc", "out"), ("g", "in"))
        .connect(("g", "out"), ("out", "in"))
        .build();
    let compiled = compile(&patch, folding_catalog(), &Limits::default()).unwrap();
    assert_eq!(compiled.kernels.len(), 2);
}

#[test]
fn constants_summed_with_signals_keep_the_connection_order() {
    // out.in = osc + g, with g folded to 0.25: the sum stays `osc + 0.25`, in that order.
    let patch = PatchBuilder::new()
        .node("osc", "osc.sine", &[])
        .node("g", "gain", &[("in", 0.5), ("amp", 0.5)])
        .node("out", "output", &[])
        .connect(("osc", "out"), ("out", "in"))
        .connect(("g", "out"), ("out", "in"))
        .build();
    let compiled = compile(&patch, folding_catalog(), &Limits::default()).unwrap();
    assert_eq!(
        compiled.program.instrs,
        [
            call(0, 0, 1, 1),
            load(2, 0.25),
            Instr::Add {
                dst: Reg(3),
                lhs: Reg(1),
                rhs: Reg(2)
            },
            write(0, 3),
        ]
    );
}

#[test]
fn input_nodes_read_the_host_input() {
    const CHANNEL: &[InputSpec] = &[InputSpec {
        rate: Rate::Init,
        unit: Unit::Integer,
        ..input("channel", 0.0, false)
    }];
    let mut modules: Vec<ModuleSpec> = catalog().modules().to_vec();
    modules.push(ModuleSpec {
        name: "input",
        doc: "",
        inputs: CHANNEL,
        outputs: &[OUT],
        role: Role::Input,
    });
    let catalog = Catalog::new(modules)
        .with_part("output", Part::Output(FEEDS))
        .with_part("input", Part::Input { channel: "channel" });
    let catalog: &'static Catalog = Box::leak(Box::new(catalog));
    let patch = PatchBuilder::new()
        .node("mic", "input", &[("channel", 3.0)])
        .node("out", "output", &[])
        .connect(("mic", "out"), ("out", "in"))
        .build();
    let program = compile(&patch, catalog, &Limits::default())
        .unwrap()
        .program;
    assert_eq!(
        program.instrs,
        [
            Instr::ReadInput {
                dst: Reg(1),
                channel: 3
            },
            write(0, 1)
        ]
    );
    assert_eq!(program.inputs, 4);
}

#[test]
fn a_node_that_must_not_fold_keeps_its_inputs_as_parameter_slots() {
    // The same patch as above, but events will address `g`: it stays a kernel, and its
    // unconnected inputs stay slots an event can reach.
    let patch = PatchBuilder::new()
        .node("osc", "osc.sine", &[])
        .node("g", "gain", &[("in", 0.5), ("amp", 0.5)])
        .node("out", "output", &[])
        .connect(("osc", "out"), ("out", "in"))
        .connect(("g", "out"), ("out", "in"))
        .build();
    let options = CompileOptions {
        never_fold: ["g".into()].into(),
        ..CompileOptions::default()
    };
    let compiled = compile_with(&patch, folding_catalog(), &Limits::default(), &options).unwrap();
    assert_eq!(
        compiled.program.instrs,
        [
            call(0, 0, 1, 1),
            call(1, 2, 2, 1),
            Instr::Add {
                dst: Reg(3),
                lhs: Reg(1),
                rhs: Reg(2)
            },
            write(0, 3),
        ]
    );
    assert_eq!(compiled.program.args, regs(&[4, 1, 5, 6, 2]));
    assert_eq!(compiled.program.params, [440.0, 0.5, 0.5]);
}

/// Found by hand while fuzzing: folding a chain of products into `inf` gave `LOAD_CONST inf`,
/// which the verifier refuses. A product that would overflow stays a run-time computation.
#[test]
fn a_fold_that_would_overflow_stays_a_kernel() {
    // 1e6 · 1e6 · … : g1..g5 fold to 1e36; g6 would give 1e42, beyond f32.
    let mut builder = PatchBuilder::new().node("g1", "gain", &[("in", 1e6), ("amp", 1e6)]);
    for i in 2..=6 {
        builder = builder
            .node(&format!("g{i}"), "gain", &[("amp", 1e6)])
            .connect((&format!("g{}", i - 1), "out"), (&format!("g{i}"), "in"));
    }
    let patch = builder
        .node("out", "output", &[])
        .connect(("g6", "out"), ("out", "in"))
        .build();
    let compiled = compile(&patch, folding_catalog(), &Limits::default()).unwrap();
    let ids: Vec<&str> = compiled.kernels.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, ["g6"]);
    assert!(compiled.program.instrs.iter().all(|instr| match instr {
        Instr::LoadConst { value, .. } => value.is_finite(),
        _ => true,
    }));
}
