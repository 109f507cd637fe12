//! Comparisons of two signals: `cmp.gt` and `cmp.lt`, each 1 where its comparison holds and 0
//! elsewhere, a comparison with NaN reading as false. They run on the memoryless two-operand
//! kernel of [`arithmetic`](super::arithmetic), with its lane form.

use super::arithmetic::OPERANDS;
use super::arithmetic::{Map2, Op2, fold2};
use super::spec::{module, out};
use crate::module::Module;

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[GT, LT];

/// `cmp.gt`: 1 where one signal is above another.
pub const GT: Module = Module::kernel(
    module(
        "cmp.gt",
        "compares two signals: 1 where a > b, else 0 (also 0 when either is NaN)",
        OPERANDS,
        &[out("1 or 0")],
    ),
    |init| init.kernel(Map2::<Greater>::new()),
)
.fold(fold2::<Greater>)
.lanes();

/// `cmp.lt`: 1 where one signal is below another.
pub const LT: Module = Module::kernel(
    module(
        "cmp.lt",
        "compares two signals: 1 where a < b, else 0 (also 0 when either is NaN)",
        OPERANDS,
        &[out("1 or 0")],
    ),
    |init| init.kernel(Map2::<Less>::new()),
)
.fold(fold2::<Less>)
.lanes();

/// `cmp.gt`: 1 where `a > b`.
#[derive(Debug)]
pub(super) struct Greater;

impl Op2 for Greater {
    #[inline]
    fn apply(a: f32, b: f32) -> f32 {
        if a > b { 1.0 } else { 0.0 }
    }
}

/// `cmp.lt`: 1 where `a < b`.
#[derive(Debug)]
pub(super) struct Less;

impl Op2 for Less {
    #[inline]
    fn apply(a: f32, b: f32) -> f32 {
        if a < b { 1.0 } else { 0.0 }
    }
}
#[cfg(test)]
mod tests {
    use super::super::test_support::{Run, kernel, sine_wave};

    fn run2(name: &str, a: &[f32], b: &[f32]) -> Vec<f32> {
        Run::new(&[a, b], a.len()).on(kernel(name, &[]).as_mut())
    }

    #[test]
    fn comparators_measure_the_fraction_of_a_sine_above_a_level() {
        // A sine is above 0.5 for a third of each period (arcsin), below it for two thirds.
        // One second of 101 Hz is 101 whole periods whose 48 000 samples fall on 48 000
        // evenly spread phases, so counting samples measures those fractions to 1/24 000.
        let len = 48_000;
        let x = sine_wave(101.0, len);
        let level = vec![0.5; len];
        let above = run2("cmp.gt", &x, &level);
        let below = run2("cmp.lt", &x, &level);
        let fraction = |v: &[f32]| v.iter().map(|&x| f64::from(x)).sum::<f64>() / len as f64;
        println!(
            "sine above 0.5 for {:.4}, below for {:.4} of the time",
            fraction(&above),
            fraction(&below)
        );
        assert!((fraction(&above) - 1.0 / 3.0).abs() < 1e-3);
        assert!((fraction(&below) - 2.0 / 3.0).abs() < 1e-3);
        assert!(above.iter().chain(&below).all(|&x| x == 0.0 || x == 1.0));
        // Equal operands are neither greater nor less.
        assert_eq!(run2("cmp.gt", &x, &x), vec![0.0; len]);
        assert_eq!(run2("cmp.lt", &x, &x), vec![0.0; len]);
    }
}
