//! Arithmetic on signals: `const`, `gain`, `mul`, `math.add`, `math.sub`, `math.div`,
//! `math.min`, `math.max`, `math.abs`, `math.neg` and `math.pow`; and the memoryless kernels
//! they share with the comparisons ([`compare`](super::compare)) and the conversions
//! ([`convert`](super::convert)).
//!
//! `gain` (`out = in·amp`) and `mul` (`out = a·b`) are one product kernel; `mul` defaults both
//! factors to 1, so a side left unconnected passes the other through, and `gain` defaults `in`
//! to 0 (silence) and `amp` to 1. `gain` is also the catalog's bus, the node that sums a voice
//! template's outputs and shares its inputs.
//!
//! Each module is memoryless: sample `n` of the output depends only on sample `n` of the
//! inputs. The two-operand ones share one kernel, `Map2`, and the one-operand ones `Map1`,
//! each with its formula as a type; the formulas run in `f32`, except `math.pow`'s, which
//! runs in `f64` and rounds once. Signals pass through as they are (a NaN operand gives NaN,
//! which the VM's output guard silences), except where a formula says otherwise: `math.min`
//! and `math.max` ignore one NaN operand (IEEE `minNum`/`maxNum`).
//!
//! `math.pow` is `powf` wherever that is a real number: a negative base to an integral
//! exponent keeps its sign for odd exponents, `0^0` and `x^0` are 1, `1^e` is 1 (even for a NaN
//! exponent, as IEEE says). Where `powf` has no real value — a negative base to a fractional
//! exponent — it continues the curve oddly: `-(|base|^exponent)`, so a signal shaped by a
//! fractional power keeps its sign. The result is limited to `±f32::MAX`, so overflow (a huge
//! power, or `0` to a negative exponent) gives the largest finite value of its sign instead of
//! infinity: for finite operands it never gives NaN or infinity. Any other NaN operand gives
//! NaN.

use super::spec::{module, out, signal};
use crate::dsp::simd::wide;
use crate::dsp::state::stateless;
use crate::module::{Dsp, Module, all_lanes, output, port};
use patchvm_ir::{InputSpec, Part, Rate, Unit};
use patchvm_vm::{Kernel, KernelRef};
use std::marker::PhantomData;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[CONST, GAIN, MUL, ADD, SUB, DIV, MIN, MAX, ABS, NEG, POW];

/// A divisor smaller than this in magnitude makes `math.div` output 0.
const DIV_EPSILON: f32 = 1e-12;

/// Two operands defaulting to 0.
pub(super) const OPERANDS: &[InputSpec] = &[
    signal("a", "the first operand", 0.0),
    signal("b", "the second operand", 0.0),
];

/// One operand defaulting to 0.
const OPERAND: &[InputSpec] = &[signal("in", "the operand", 0.0)];

const FACTOR: InputSpec = signal(
    "",
    "a factor; 1 when unconnected, so the other passes through",
    1.0,
);

/// `const`: a fixed value as a signal.
pub const CONST: Module = Module::kernel(
    module(
        "const",
        "outputs its value as a signal",
        &[signal("value", "the value to output", 0.0)],
        &[out("the value")],
    ),
    |init| init.kernel(Const),
)
.fold(|inputs, outputs| outputs[CONST_OUT] = inputs[CONST_VALUE]);

/// `gain`: a signal scaled by a factor.
pub const GAIN: Module = Module::kernel(
    module(
        "gain",
        "scales a signal: out = in·amp",
        &[
            signal("in", "the signal to scale", 0.0),
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
        &[out("in·amp")],
    ),
    |init| init.kernel(Map2::<Mul>::new()),
)
.fold(fold2::<Mul>)
.lanes()
.part(Part::Bus {
    input: "in",
    output: "out",
});

/// `mul`: the product of two signals (ring modulation).
pub const MUL: Module = Module::kernel(
    module(
        "mul",
        "multiplies two signals: out = a·b",
        &[
            InputSpec {
                name: "a",
                ..FACTOR
            },
            InputSpec {
                name: "b",
                ..FACTOR
            },
        ],
        &[out("a·b")],
    ),
    |init| init.kernel(Map2::<Mul>::new()),
)
.fold(fold2::<Mul>)
.lanes();

/// `math.add`: the sum of two signals.
pub const ADD: Module = Module::kernel(
    module(
        "math.add",
        "adds two signals: out = a + b",
        OPERANDS,
        &[out("a + b")],
    ),
    |init| init.kernel(Map2::<Add>::new()),
)
.fold(fold2::<Add>)
.lanes();

/// `math.sub`: the difference of two signals.
pub const SUB: Module = Module::kernel(
    module(
        "math.sub",
        "subtracts one signal from another: out = a - b",
        OPERANDS,
        &[out("a - b")],
    ),
    |init| init.kernel(Map2::<Sub>::new()),
)
.fold(fold2::<Sub>)
.lanes();

/// `math.div`: the quotient of two signals, 0 for a divisor near 0.
pub const DIV: Module = Module::kernel(
    module(
        "math.div",
        "divides one signal by another: out = a / b, and 0 where |b| < 1e-12",
        &[
            signal("a", "the dividend", 0.0),
            signal(
                "b",
                "the divisor; 1 when unconnected, and |b| < 1e-12 gives 0 out",
                1.0,
            ),
        ],
        &[out("a / b, or 0 where |b| < 1e-12")],
    ),
    |init| init.kernel(Map2::<Div>::new()),
)
.fold(fold2::<Div>)
.lanes();

/// `math.min`: the smaller of two signals.
pub const MIN: Module = Module::kernel(
    module(
        "math.min",
        "the smaller of two signals; a NaN operand is ignored",
        OPERANDS,
        &[out("min(a, b)")],
    ),
    |init| init.kernel(Map2::<Min>::new()),
)
.fold(fold2::<Min>)
.lanes();

/// `math.max`: the larger of two signals.
pub const MAX: Module = Module::kernel(
    module(
        "math.max",
        "the larger of two signals; a NaN operand is ignored",
        OPERANDS,
        &[out("max(a, b)")],
    ),
    |init| init.kernel(Map2::<Max>::new()),
)
.fold(fold2::<Max>)
.lanes();

/// `math.abs`: the magnitude of a signal (full-wave rectifier).
pub const ABS: Module = Module::kernel(
    module(
        "math.abs",
        "the magnitude of a signal (full-wave rectification): out = |in|",
        OPERAND,
        &[out("|in|")],
    ),
    |init| init.kernel(Map1::<Abs>::new()),
)
.fold(fold1::<Abs>)
.lanes();

/// `math.neg`: a signal with its sign flipped.
pub const NEG: Module = Module::kernel(
    module(
        "math.neg",
        "flips the sign of a signal: out = -in",
        OPERAND,
        &[out("-in")],
    ),
    |init| init.kernel(Map1::<Neg>::new()),
)
.fold(fold1::<Neg>)
.lanes();

/// `math.pow`: a signal raised to a power.
pub const POW: Module = Module::kernel(
    module(
        "math.pow",
        "raises a signal to a power: out = base^exponent, -(|base|^exponent) for a negative base and fractional exponent, limited to ±3.4e38",
        &[
            signal("base", "the signal raised; 0 when unconnected", 0.0),
            signal(
                "exponent",
                "the power; 1 when unconnected, so the base passes through",
                1.0,
            ),
        ],
        &[out("base^exponent, finite for finite operands")],
    ),
    |init| init.kernel(Map2::<Pow>::new()),
)
.fold(fold2::<Pow>)
.lanes();

/// `const`: copies its input.
#[derive(Debug)]
struct Const;

// Where `Const` finds the ports of `const`.
const CONST_VALUE: usize = port(&CONST.spec, "value");
const CONST_OUT: usize = output(&CONST.spec, "out");

impl Dsp for Const {
    /// Inputs `[value]`, outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        outputs[CONST_OUT].copy_from_slice(inputs[CONST_VALUE]);
    }

    fn reset(&mut self) {}

    /// Stateless: there is nothing to keep, so it is kept whenever `other` is the same kernel.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        stateless::<Self>(other)
    }
}

/// A formula of two operands.
pub(super) trait Op2: Send + 'static {
    /// The output for operands `a` and `b`.
    fn apply(a: f32, b: f32) -> f32;
}

/// A formula of one operand.
pub(super) trait Op1: Send + 'static {
    /// The output for operand `x`.
    fn apply(x: f32) -> f32;
}

/// The memoryless kernel `out[i] = Op::apply(a[i], b[i])`.
#[derive(Debug)]
pub(super) struct Map2<Op>(PhantomData<Op>);

impl<Op: Op2> Map2<Op> {
    pub(super) fn new() -> Map2<Op> {
        Map2(PhantomData)
    }
}

/// Where `Map2` finds its operands and writes its result: `math.add`'s `a` and `b`, which
/// every module on `Map2` has at the same places (`gain`'s `in` and `amp`, checked here).
const A: usize = port(&ADD.spec, "a");
const B: usize = port(&ADD.spec, "b");
const OUT: usize = output(&ADD.spec, "out");
const _: () = assert!(port(&GAIN.spec, "in") == A && port(&GAIN.spec, "amp") == B);

impl<Op: Op2> Dsp for Map2<Op> {
    /// Inputs `[a, b]` (or `[in, amp]`), outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        wide(
            #[inline(always)]
            |_| map2::<Op>(inputs[A], inputs[B], &mut *outputs[OUT]),
        );
    }

    /// Each lane's block in turn, in one vector copy of the loop: a stateless kernel's lanes
    /// are independent, so this saves the calls, not arithmetic.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process_lanes(
        &mut self,
        rest: &mut [KernelRef],
        inputs: &[&[f32]],
        outputs: &mut [&mut [f32]],
    ) -> bool {
        let lanes = 1 + rest.len();
        if !all_lanes::<Self>(rest) {
            return false;
        }
        let (a, b) = inputs.split_at(lanes);
        wide(
            #[inline(always)]
            |_| {
                for ((out, a), b) in outputs.iter_mut().zip(a).zip(b) {
                    map2::<Op>(a, b, out);
                }
            },
        );
        true
    }

    fn reset(&mut self) {}

    /// Stateless: there is nothing to keep, so it is kept whenever `other` is the same kernel.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        stateless::<Self>(other)
    }
}

/// The memoryless kernel `out[i] = Op::apply(in[i])`.
#[derive(Debug)]
pub(super) struct Map1<Op>(PhantomData<Op>);

impl<Op: Op1> Map1<Op> {
    pub(super) fn new() -> Map1<Op> {
        Map1(PhantomData)
    }
}

/// Where `Map1` finds its operand: `math.abs`'s `in`, the only processed input of every
/// module on `Map1`, as its result is the only output.
const X: usize = port(&ABS.spec, "in");

impl<Op: Op1> Dsp for Map1<Op> {
    /// Inputs `[in]`, outputs `[out]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        wide(
            #[inline(always)]
            |_| map1::<Op>(inputs[X], &mut *outputs[OUT]),
        );
    }

    /// Each lane's block in turn, in one vector copy of the loop (see [`Map2`]'s).
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process_lanes(
        &mut self,
        rest: &mut [KernelRef],
        inputs: &[&[f32]],
        outputs: &mut [&mut [f32]],
    ) -> bool {
        if !all_lanes::<Self>(rest) {
            return false;
        }
        wide(
            #[inline(always)]
            |_| {
                for (out, x) in outputs.iter_mut().zip(inputs) {
                    map1::<Op>(x, out);
                }
            },
        );
        true
    }

    fn reset(&mut self) {}

    /// Stateless: there is nothing to keep, so it is kept whenever `other` is the same kernel.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        stateless::<Self>(other)
    }
}

/// The fold of a two-operand formula: the very formula its kernel applies per sample, so the
/// two agree bit for bit by construction (a test in the family table checks it anyway).
pub(super) fn fold2<Op: Op2>(inputs: &[f32], outputs: &mut [f32]) {
    outputs[OUT] = Op::apply(inputs[A], inputs[B]);
}

/// The fold of a one-operand formula (see [`fold2`]).
pub(super) fn fold1<Op: Op1>(inputs: &[f32], outputs: &mut [f32]) {
    outputs[OUT] = Op::apply(inputs[X]);
}

/// `out[i] = Op::apply(a[i], b[i])`. Inlined into each of `wide`'s copies.
#[inline(always)]
fn map2<Op: Op2>(a: &[f32], b: &[f32], out: &mut [f32]) {
    for ((out, &a), &b) in out.iter_mut().zip(a).zip(b) {
        *out = Op::apply(a, b);
    }
}

/// `out[i] = Op::apply(x[i])`. Inlined into each of `wide`'s copies.
#[inline(always)]
fn map1<Op: Op1>(x: &[f32], out: &mut [f32]) {
    for (out, &x) in out.iter_mut().zip(x) {
        *out = Op::apply(x);
    }
}

/// `gain` and `mul`: `a·b`.
#[derive(Debug)]
pub(super) struct Mul;

impl Op2 for Mul {
    #[inline]
    fn apply(a: f32, b: f32) -> f32 {
        a * b
    }
}

/// `math.add`: `a + b`.
#[derive(Debug)]
pub(super) struct Add;

impl Op2 for Add {
    #[inline]
    fn apply(a: f32, b: f32) -> f32 {
        a + b
    }
}

/// `math.sub`: `a - b`.
#[derive(Debug)]
pub(super) struct Sub;

impl Op2 for Sub {
    #[inline]
    fn apply(a: f32, b: f32) -> f32 {
        a - b
    }
}

/// `math.div`: `a / b`, or 0 where `|b| <` [`DIV_EPSILON`]. Within the parameters' ranges the
/// quotient stays below 1e18, far inside `f32`.
#[derive(Debug)]
pub(super) struct Div;

impl Op2 for Div {
    #[inline]
    fn apply(a: f32, b: f32) -> f32 {
        if b.abs() < DIV_EPSILON { 0.0 } else { a / b }
    }
}

/// `math.min`: IEEE `minNum`, which ignores one NaN operand.
#[derive(Debug)]
pub(super) struct Min;

impl Op2 for Min {
    #[inline]
    fn apply(a: f32, b: f32) -> f32 {
        a.min(b)
    }
}

/// `math.max`: IEEE `maxNum`, which ignores one NaN operand.
#[derive(Debug)]
pub(super) struct Max;

impl Op2 for Max {
    #[inline]
    fn apply(a: f32, b: f32) -> f32 {
        a.max(b)
    }
}

/// `math.abs`: `|x|`.
#[derive(Debug)]
pub(super) struct Abs;

impl Op1 for Abs {
    #[inline]
    fn apply(x: f32) -> f32 {
        x.abs()
    }
}

/// `math.neg`: `-x`.
#[derive(Debug)]
pub(super) struct Neg;

impl Op1 for Neg {
    #[inline]
    fn apply(x: f32) -> f32 {
        -x
    }
}

/// `math.pow`: `base^exponent` in `f64`, continued oddly where `powf` has no real value, and
/// limited to `±f32::MAX` (see the file's doc).
#[derive(Debug)]
pub(super) struct Pow;

impl Op2 for Pow {
    #[inline]
    fn apply(base: f32, exponent: f32) -> f32 {
        let (base, exponent) = (f64::from(base), f64::from(exponent));
        let power = base.powf(exponent);
        // `powf` is NaN for a NaN operand (kept) and for a negative base to a fractional
        // exponent (continued oddly). A finite exponent is what tells them apart.
        let power = if power.is_nan() && base < 0.0 && exponent.is_finite() {
            -(-base).powf(exponent)
        } else {
            power
        };
        let limit = f64::from(f32::MAX);
        power.clamp(-limit, limit) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Run, kernel, sine_wave};

    /// Operands that cover signs, zero, tiny and huge magnitudes, and non-finite values.
    const VALUES: [f32; 12] = [
        0.0,
        -0.0,
        1.0,
        -2.5,
        0.375,
        1e-13,
        -1e-12,
        1e6,
        -1e6,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
    ];

    /// Every pair of [`VALUES`] as two input streams.
    fn pairs() -> (Vec<f32>, Vec<f32>) {
        VALUES
            .iter()
            .flat_map(|&a| VALUES.iter().map(move |&b| (a, b)))
            .unzip()
    }

    fn run2(name: &str, a: &[f32], b: &[f32]) -> Vec<f32> {
        Run::new(&[a, b], a.len()).on(kernel(name, &[]).as_mut())
    }

    fn run1(name: &str, x: &[f32]) -> Vec<f32> {
        Run::new(&[x], x.len()).on(kernel(name, &[]).as_mut())
    }

    /// Whether `x` and `y` are the same value, NaN equal to NaN.
    fn same(x: f32, y: f32) -> bool {
        x == y || (x.is_nan() && y.is_nan())
    }

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

    #[test]
    fn two_operand_modules_follow_their_formulas_on_every_pair() {
        let (a, b) = pairs();
        type Formula = fn(f32, f32) -> f32;
        let formulas: [(&str, Formula); 6] = [
            ("math.add", |a, b| a + b),
            ("math.sub", |a, b| a - b),
            ("math.div", |a, b| if b.abs() < 1e-12 { 0.0 } else { a / b }),
            ("math.min", f32::min),
            ("math.max", f32::max),
            ("cmp.gt", |a, b| f32::from(u8::from(a > b))),
        ];
        for (name, formula) in formulas {
            let out = run2(name, &a, &b);
            for ((&a, &b), &out) in a.iter().zip(&b).zip(&out) {
                assert!(same(out, formula(a, b)), "{name}({a}, {b}) = {out}");
            }
        }
        let lt = run2("cmp.lt", &a, &b);
        let gt_swapped = run2("cmp.gt", &b, &a);
        assert_eq!(lt, gt_swapped, "a < b is b > a");
    }

    #[test]
    fn division_by_near_zero_is_zero_and_otherwise_exact() {
        let a = [1.0, -3.0, 1e6, 0.5, 7.0];
        let b = [1e-13, -9e-13, 1e-12, -1e-12, 0.0];
        let out = run2("math.div", &a, &b);
        // |b| < 1e-12 gives 0; |b| = 1e-12 (as f32) divides.
        assert_eq!(out[0], 0.0);
        assert_eq!(out[1], 0.0);
        assert_eq!(out[2], 1e6 / 1e-12_f32);
        assert_eq!(out[3], -0.5e12);
        assert_eq!(out[4], 0.0);
        // The unconnected divisor is 1: a passes through.
        let x = sine_wave(440.0, 200);
        let one = vec![1.0; 200];
        assert_eq!(run2("math.div", &x, &one), x);
    }

    #[test]
    fn abs_rectifies_and_neg_inverts() {
        let x = sine_wave(1000.0, 4_800);
        let rectified = run1("math.abs", &x);
        let inverted = run1("math.neg", &x);
        for ((&x, &r), &n) in x.iter().zip(&rectified).zip(&inverted) {
            assert_eq!(r, x.abs());
            assert_eq!(n, -x);
        }
        // A rectified 1000 Hz sine repeats at 2000 Hz: every 24 samples exactly.
        assert!(
            rectified[..4_776]
                .iter()
                .zip(&rectified[24..])
                .all(|(a, b)| (a - b).abs() < 1e-6)
        );
        let mean = rectified.iter().map(|&x| f64::from(x)).sum::<f64>() / 4_800.0;
        println!(
            "mean of a rectified sine {mean:.5} (2/π = {:.5})",
            2.0 / std::f64::consts::PI
        );
        assert!((mean - 2.0 / std::f64::consts::PI).abs() < 1e-3);
    }

    /// `math.pow` against `f64::powf` on a grid of bases and exponents: equal to `powf`
    /// rounded once wherever that is a real number within `f32`, the odd continuation where it
    /// is not real, the largest finite value of its sign where it overflows.
    #[test]
    fn pow_is_f64_powf_rounded_once_and_finite_for_finite_operands() {
        const BASES: [f32; 14] = [
            -1e6, -8.0, -2.0, -1.0, -0.5, -0.0, 0.0, 1e-30, 0.25, 0.5, 1.0, 2.0, 10.0, 1e6,
        ];
        const EXPONENTS: [f32; 15] = [
            -1e6,
            -3.0,
            -2.0,
            -1.0,
            -0.5,
            0.0,
            1.0 / 3.0,
            0.5,
            1.0,
            2.0,
            2.5,
            3.0,
            12.0,
            40.0,
            1e6,
        ];
        let (base, exponent): (Vec<f32>, Vec<f32>) = BASES
            .iter()
            .flat_map(|&b| EXPONENTS.iter().map(move |&e| (b, e)))
            .unzip();
        let out = run2("math.pow", &base, &exponent);
        let (mut exact, mut continued, mut limited) = (0, 0, 0);
        for ((&b, &e), &y) in base.iter().zip(&exponent).zip(&out) {
            let reference = f64::from(b).powf(f64::from(e));
            let what = format!("{b}^{e} gave {y}, powf {reference}");
            assert!(y.is_finite(), "{what}");
            if reference.is_nan() {
                // A negative base to a fractional exponent.
                assert!(b < 0.0 && e.fract() != 0.0, "{what}");
                assert_eq!(y, (-(-f64::from(b)).powf(f64::from(e))) as f32, "{what}");
                continued += 1;
            } else if reference.abs() > f64::from(f32::MAX) {
                assert_eq!(y, f32::MAX.copysign(reference as f32), "{what}");
                limited += 1;
            } else {
                assert_eq!(y.to_bits(), (reference as f32).to_bits(), "{what}");
                exact += 1;
            }
        }
        println!("{exact} exact, {continued} continued, {limited} limited");
        assert!(exact > 100 && continued >= 10 && limited >= 10);
        // Landmarks: an odd power keeps the sign, an even one does not, a root of a negative
        // signal keeps it, an unconnected exponent passes the base through.
        let landmarks = run2(
            "math.pow",
            &[-2.0, -2.0, -8.0, 0.75, 3.0],
            &[3.0, 2.0, 1.0 / 3.0, 1.0, 0.0],
        );
        assert_eq!(landmarks[..2], [-8.0, 4.0]);
        assert!((landmarks[2] + 2.0).abs() < 1e-6, "{}", landmarks[2]);
        assert_eq!(landmarks[3..], [0.75, 1.0]);
        // NaN stays NaN, except where IEEE defines the power without it.
        let nan = run2(
            "math.pow",
            &[f32::NAN, 2.0, 1.0, f32::NAN],
            &[2.0, f32::NAN, f32::NAN, 0.0],
        );
        assert!(nan[0].is_nan() && nan[1].is_nan());
        assert_eq!(nan[2..], [1.0, 1.0]);
    }

    /// Finite operands never give NaN or infinity: a sweep over the whole range of `f32`
    /// magnitudes, both signs.
    #[test]
    fn pow_of_finite_operands_is_always_finite() {
        let values: Vec<f32> = (-40..=40)
            .flat_map(|k| {
                let magnitude = 10.0_f32.powi(k) * 1.37;
                [magnitude, -magnitude, k as f32 * 0.25]
            })
            .collect();
        let (base, exponent): (Vec<f32>, Vec<f32>) = values
            .iter()
            .flat_map(|&b| values.iter().map(move |&e| (b, e)))
            .unzip();
        let out = run2("math.pow", &base, &exponent);
        assert!(out.iter().all(|y| y.is_finite()));
    }
}
