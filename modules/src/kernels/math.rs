//! Arithmetic on signals: `const`, `gain` and `mul`.
//!
//! `gain` (`out = in·amp`) and `mul` (`out = a·b`) are one kernel; they differ in their ports'
//! names, units and defaults. `mul` defaults both factors to 1, so a side left unconnected
//! passes the other through; `gain` defaults `in` to 0 (silence) and `amp` to 1.

use crate::registry::Entry;
use patchvm_ir::{InputSpec, ModuleSpec, OutputSpec, Rate, Role, Unit};
use patchvm_vm::{Kernel, KernelShape};

/// The range of signal-valued parameters: wide, since a signal can carry a control value.
const SIGNAL_RANGE: f64 = 1e6;

/// `const`: a fixed value as a signal.
pub const CONST: ModuleSpec = ModuleSpec {
    name: "const",
    doc: "outputs its value as a signal",
    inputs: &[InputSpec {
        name: "value",
        doc: "the value to output",
        default: 0.0,
        min: -SIGNAL_RANGE,
        max: SIGNAL_RANGE,
        unit: Unit::Signal,
        rate: Rate::Audio,
        breaks_cycles: false,
    }],
    outputs: &[OutputSpec {
        name: "out",
        doc: "the value",
        unit: Unit::Signal,
    }],
    role: Role::Kernel,
};

/// `gain`: a signal scaled by a factor.
pub const GAIN: ModuleSpec = ModuleSpec {
    name: "gain",
    doc: "scales a signal: out = in·amp",
    inputs: &[
        InputSpec {
            name: "in",
            doc: "the signal to scale",
            default: 0.0,
            min: -SIGNAL_RANGE,
            max: SIGNAL_RANGE,
            unit: Unit::Signal,
            rate: Rate::Audio,
            breaks_cycles: false,
        },
        InputSpec {
            name: "amp",
            doc: "the linear factor",
            default: 1.0,
            min: -1e3,
            max: 1e3,
            unit: Unit::Linear,
            rate: Rate::Audio,
            breaks_cycles: false,
        },
    ],
    outputs: &[OutputSpec {
        name: "out",
        doc: "in·amp",
        unit: Unit::Signal,
    }],
    role: Role::Kernel,
};

const FACTOR: InputSpec = InputSpec {
    name: "",
    doc: "a factor; 1 when unconnected, so the other passes through",
    default: 1.0,
    min: -SIGNAL_RANGE,
    max: SIGNAL_RANGE,
    unit: Unit::Signal,
    rate: Rate::Audio,
    breaks_cycles: false,
};

/// `mul`: the product of two signals (ring modulation).
pub const MUL: ModuleSpec = ModuleSpec {
    name: "mul",
    doc: "multiplies two signals: out = a·b",
    inputs: &[
        InputSpec {
            name: "a",
            ..FACTOR
        },
        InputSpec {
            name: "b",
            ..FACTOR
        },
    ],
    outputs: &[OutputSpec {
        name: "out",
        doc: "a·b",
        unit: Unit::Signal,
    }],
    role: Role::Kernel,
};

pub(crate) const CONST_ENTRY: Entry = Entry {
    spec: CONST,
    build: Some(|_| Box::new(Const)),
    memory_bytes: None,
};
pub(crate) const GAIN_ENTRY: Entry = Entry {
    spec: GAIN,
    build: Some(|_| Box::new(Product)),
    memory_bytes: None,
};
pub(crate) const MUL_ENTRY: Entry = Entry {
    spec: MUL,
    build: Some(|_| Box::new(Product)),
    memory_bytes: None,
};

/// `const`: copies its input.
#[derive(Debug)]
struct Const;

impl Kernel for Const {
    fn shape(&self) -> KernelShape {
        KernelShape {
            inputs: 1,
            outputs: 1,
            takes_feed: false,
        }
    }

    /// Inputs `[value]`, outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        outputs[0].copy_from_slice(inputs[0]);
    }

    fn reset(&mut self) {}

    /// Stateless: there is nothing to keep, so it is always kept.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        (other as &dyn std::any::Any).is::<Const>()
    }
}

/// `gain` and `mul`: the product of its two inputs.
#[derive(Debug)]
struct Product;

impl Kernel for Product {
    fn shape(&self) -> KernelShape {
        KernelShape {
            inputs: 2,
            outputs: 1,
            takes_feed: false,
        }
    }

    /// Inputs `[in, amp]` or `[a, b]`, outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        for ((out, &a), &b) in outputs[0].iter_mut().zip(inputs[0]).zip(inputs[1]) {
            *out = a * b;
        }
    }

    fn reset(&mut self) {}

    /// Stateless: there is nothing to keep, so it is always kept.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        (other as &dyn std::any::Any).is::<Product>()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Run, kernel, sine_wave};

    #[test]
    fn const_outputs_its_value_exactly() {
        let value: Vec<f32> = (0..200).map(|n| n as f32 * 0.37 - 20.0).collect();
        let out = Run::new(&[&value], 200).on(kernel("const", &[]).as_mut());
        assert_eq!(out, value);
    }

    #[test]
    fn gain_and_mul_are_exact_products() {
        let x = sine_wave(440.0, 300);
        let y: Vec<f32> = (0..300).map(|n| 1.5 - n as f32 / 100.0).collect();
        let product: Vec<f32> = x.iter().zip(&y).map(|(a, b)| a * b).collect();
        for name in ["gain", "mul"] {
            let out = Run::new(&[&x, &y], 300).on(kernel(name, &[]).as_mut());
            assert_eq!(out, product, "{name}");
        }
        let half = Run::new(&[&x, &[0.5; 300]], 300).on(kernel("gain", &[]).as_mut());
        assert!(half.iter().zip(&x).all(|(h, x)| *h == x / 2.0));
    }

    #[test]
    fn unconnected_factors_are_identity_and_unconnected_gain_input_is_silence() {
        use crate::catalog;
        let mul = catalog().get("mul").unwrap();
        assert!(mul.inputs.iter().all(|input| input.default == 1.0));
        let gain = catalog().get("gain").unwrap();
        assert_eq!(gain.inputs[gain.input("in").unwrap()].default, 0.0);
        assert_eq!(gain.inputs[gain.input("amp").unwrap()].default, 1.0);
    }
}
