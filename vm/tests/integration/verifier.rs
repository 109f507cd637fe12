//! The verifier refuses every program whose indices or arities could make the VM misbehave.

use crate::common;
use patchvm_vm::{
    ArgRange, Executable, Instr, Kernel, KernelDecl, KernelIdx, KernelShape, ParamIdx, Program, Reg,
};

/// Adds its two inputs; takes a feed that it ignores, so feeds can be verified too.
struct Sum;

const SUM: KernelShape = KernelShape {
    inputs: 2,
    outputs: 1,
    takes_feed: true,
};

impl Kernel for Sum {
    fn shape(&self) -> KernelShape {
        SUM
    }
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        for (i, out) in outputs[0].iter_mut().enumerate() {
            *out = inputs[0][i] + inputs[1][i];
        }
    }
    fn reset(&mut self) {}
}

/// `out = 0.25 + 0.5`, through the `Sum` kernel.
fn valid() -> Program {
    Program {
        instrs: vec![
            Instr::LoadConst {
                dst: Reg(1),
                value: 0.25,
            },
            Instr::CallOp {
                kernel: KernelIdx(0),
                args: ArgRange {
                    start: 0,
                    inputs: 2,
                    outputs: 1,
                },
            },
            Instr::Feed {
                kernel: KernelIdx(0),
                src: Reg(3),
            },
            Instr::WriteOutput {
                channel: 0,
                src: Reg(3),
            },
        ],
        args: vec![Reg(1), Reg(2), Reg(3)],
        registers: 4,
        kernels: vec![KernelDecl {
            name: "sum".into(),
            shape: SUM,
        }],
        channels: 1,
        inputs: 0,
        params: vec![0.5],
        param_regs: vec![Reg(2)],
        ..Program::default()
    }
}

fn refusal(program: Program) -> String {
    Executable::new(program, vec![Box::new(Sum)])
        .expect_err("the verifier must refuse this program")
        .to_string()
}

#[test]
fn a_valid_program_runs_and_computes_its_formula() {
    let mut vm = Executable::new(valid(), vec![Box::new(Sum)]).unwrap();
    for frames in [1, 37, 64] {
        vm.run(frames);
        assert_eq!(vm.output(0), vec![0.75; frames].as_slice());
    }
}

#[test]
fn register_out_of_range_is_refused() {
    let mut program = valid();
    program.instrs[3] = Instr::WriteOutput {
        channel: 0,
        src: Reg(4),
    };
    assert_eq!(
        refusal(program),
        "instruction 3: register r4 is out of range (the program has 4)"
    );
}

#[test]
fn writing_the_zero_register_is_refused() {
    let mut program = valid();
    program.instrs[0] = Instr::LoadConst {
        dst: Reg::ZERO,
        value: 1.0,
    };
    assert_eq!(
        refusal(program),
        "instruction 0: writes the zero register r0"
    );
}

#[test]
fn an_output_aliasing_an_input_is_refused() {
    let mut program = valid();
    program.args[2] = Reg(1);
    assert!(refusal(program).contains("both read and written"));
}

#[test]
fn arguments_outside_the_pool_are_refused() {
    let mut program = valid();
    program.instrs[1] = Instr::CallOp {
        kernel: KernelIdx(0),
        args: ArgRange {
            start: 2,
            inputs: 2,
            outputs: 1,
        },
    };
    assert!(refusal(program).contains("outside the argument pool"));
}

#[test]
fn wrong_arity_is_refused() {
    let mut program = valid();
    program.instrs[1] = Instr::CallOp {
        kernel: KernelIdx(0),
        args: ArgRange {
            start: 1,
            inputs: 1,
            outputs: 1,
        },
    };
    assert!(
        refusal(program).contains("`sum` takes 2 inputs and 1 outputs, the call passes 1 and 1")
    );
}

#[test]
fn kernel_index_out_of_range_is_refused() {
    let mut program = valid();
    program.instrs[2] = Instr::Feed {
        kernel: KernelIdx(1),
        src: Reg(3),
    };
    assert_eq!(refusal(program), "instruction 2: kernel 1 is out of range");
}

#[test]
fn a_kernel_whose_shape_disagrees_is_refused() {
    let mut program = valid();
    program.kernels[0].shape.takes_feed = false;
    assert!(refusal(program).contains("has shape"));
}

#[test]
fn missing_kernels_and_bad_channels_are_refused() {
    assert!(
        Executable::new(valid(), Vec::new())
            .unwrap_err()
            .to_string()
            .contains("declares 1 kernels but 0 were supplied")
    );
    let mut program = valid();
    program.instrs[3] = Instr::WriteOutput {
        channel: 1,
        src: Reg(3),
    };
    assert!(refusal(program).contains("output channel 1 is out of range"));
    let mut program = valid();
    program.channels = 3;
    assert!(refusal(program).contains("3 output channels"));
}

#[test]
fn non_finite_constants_are_refused() {
    let mut program = valid();
    program.instrs[0] = Instr::LoadConst {
        dst: Reg(1),
        value: f32::NAN,
    };
    assert!(refusal(program).contains("is not finite"));
}

#[test]
fn non_finite_output_is_replaced_by_silence_and_counted() {
    /// Outputs infinity.
    struct Blow;
    impl Kernel for Blow {
        fn shape(&self) -> KernelShape {
            common::SOURCE
        }
        fn process(&mut self, _: &[&[f32]], outputs: &mut [&mut [f32]]) {
            outputs[0].fill(f32::INFINITY);
        }
        fn reset(&mut self) {}
    }
    // A kernel's infinite output is muted at the kernel (a fault, its onset once).
    let program = common::one_kernel("blow");
    let mut vm = Executable::new(program, vec![Box::new(Blow)]).unwrap();
    vm.run(64);
    assert_eq!(vm.fault_onsets().count(), 1);
    vm.run(10);
    assert_eq!(vm.output(0), &[0.0; 10]);
    assert_eq!(vm.fault_onsets().count(), 0, "held muted, not a new onset");
    assert_eq!(vm.flushed_samples(), 0);
    // A sum of finite values overflowing reaches the output guard.
    let program = Program {
        instrs: vec![
            Instr::Add {
                dst: Reg(3),
                lhs: Reg(1),
                rhs: Reg(2),
            },
            Instr::WriteOutput {
                channel: 0,
                src: Reg(3),
            },
        ],
        registers: 4,
        channels: 1,
        params: vec![3e38, 3e38],
        param_regs: vec![Reg(1), Reg(2)],
        ..Program::default()
    };
    let mut vm = Executable::new(program, vec![]).unwrap();
    vm.run(64);
    vm.run(10);
    assert_eq!(vm.output(0), &[0.0; 10]);
    assert_eq!(vm.flushed_samples(), 74);
}

#[test]
fn parameter_registers_must_be_one_per_slot_in_range_apart_and_never_written() {
    let mut program = valid();
    program.param_regs.clear();
    assert_eq!(
        refusal(program),
        "0 parameter registers for 1 parameter slots"
    );
    let mut program = valid();
    program.param_regs[0] = Reg(4);
    assert_eq!(
        refusal(program),
        "parameter p0's register r4 is out of range (the program has 4)"
    );
    let mut program = valid();
    program.param_regs[0] = Reg::ZERO;
    assert_eq!(refusal(program), "parameter p0 is in the zero register r0");
    let mut program = valid();
    program.params.push(1.0);
    program.param_regs.push(Reg(2));
    assert_eq!(refusal(program), "parameter p1 shares register r2");
    let mut program = valid();
    program.param_regs[0] = Reg(1);
    program.args[1] = Reg(1);
    assert_eq!(
        refusal(program),
        "instruction 0: writes r1, a parameter's register"
    );
}

#[test]
fn a_non_finite_initial_parameter_is_refused() {
    let mut program = valid();
    program.params[0] = f32::NAN;
    assert_eq!(refusal(program), "parameter p0 starts at NaN, not finite");
}

#[test]
fn a_parameter_set_between_blocks_changes_the_next_sample_and_a_ramp_is_per_sample() {
    let mut vm = Executable::new(valid(), vec![Box::new(Sum)]).unwrap();
    vm.run(3);
    assert_eq!(vm.output(0), [0.75; 3]);
    vm.set_param(ParamIdx(0), 1.0);
    vm.run(2);
    assert_eq!(vm.output(0), [1.25; 2]);
    vm.ramp_param(ParamIdx(0), 2.0, 4);
    vm.run(3);
    assert_eq!(vm.output(0), [1.5, 1.75, 2.0]);
    vm.run(2);
    assert_eq!(vm.output(0), [2.25, 2.25]);
    assert_eq!(vm.param(ParamIdx(0)), Some(2.0));
    // Slots that do not exist and values that are not finite change nothing.
    vm.set_param(ParamIdx(9), 1.0);
    vm.set_param(ParamIdx(0), f32::NAN);
    vm.run(1);
    assert_eq!(vm.output(0), [2.25]);
}

/// Two `Sum`s in one lane call: lane 0 adds r1 and r2, lane 1 adds r2 and r2; the program
/// writes both lanes' outputs.
fn two_lanes() -> Program {
    Program {
        instrs: vec![
            Instr::LoadConst {
                dst: Reg(1),
                value: 0.25,
            },
            Instr::LoadConst {
                dst: Reg(2),
                value: 0.5,
            },
            Instr::CallLanes {
                kernel: KernelIdx(0),
                lanes: 2,
                args: ArgRange {
                    start: 0,
                    inputs: 2,
                    outputs: 1,
                },
            },
            Instr::WriteOutput {
                channel: 0,
                src: Reg(3),
            },
            Instr::WriteOutput {
                channel: 1,
                src: Reg(4),
            },
        ],
        // Port by port: `in0` of lanes 0 and 1, `in1` of both, then `out` of both.
        args: vec![Reg(1), Reg(2), Reg(2), Reg(2), Reg(3), Reg(4)],
        registers: 5,
        kernels: vec![
            KernelDecl {
                name: "sum".into(),
                shape: SUM,
            };
            2
        ],
        channels: 2,
        ..Program::default()
    }
}

#[test]
fn a_lane_call_without_a_lane_form_runs_each_kernel_with_its_lane_of_every_port() {
    let mut vm = Executable::new(two_lanes(), vec![Box::new(Sum), Box::new(Sum)]).unwrap();
    vm.run(5);
    assert_eq!(
        (vm.output(0), vm.output(1)),
        (&[0.75; 5][..], &[1.0; 5][..])
    );
}

#[test]
fn lane_calls_of_a_wrong_width_shape_or_range_are_refused() {
    let refuse = |program: Program| {
        Executable::new(program, vec![Box::new(Sum), Box::new(Sum)])
            .expect_err("the verifier must refuse this program")
            .to_string()
    };
    // A lane call of these counts, reading r1 everywhere and writing r10, r11, …
    let with = |lanes: u8, kernel: u16, inputs: u8| {
        let mut program = two_lanes();
        program.instrs[2] = Instr::CallLanes {
            kernel: KernelIdx(kernel),
            lanes,
            args: ArgRange {
                start: 0,
                inputs,
                outputs: 1,
            },
        };
        program.args = vec![Reg(1); usize::from(lanes) * usize::from(inputs)];
        program
            .args
            .extend((0..u16::from(lanes)).map(|lane| Reg(10 + lane)));
        program.registers = 30;
        program
    };
    assert_eq!(
        refuse(with(1, 0, 2)),
        "instruction 2: 1 lanes; a lane call runs 2 to 16"
    );
    assert_eq!(
        refuse(with(17, 0, 2)),
        "instruction 2: 17 lanes; a lane call runs 2 to 16"
    );
    assert_eq!(
        refuse(with(2, 1, 2)),
        "instruction 2: kernel 2 is out of range"
    );
    assert!(refuse(with(2, 0, 1)).contains("lane 0 (`sum`) takes 2 inputs and 1 outputs"));
    // 8 lanes of 8 inputs and 1 output: 72 registers.
    assert_eq!(
        refuse(with(8, 0, 8)),
        "instruction 2: 72 registers; a lane call passes at most 64"
    );
}
