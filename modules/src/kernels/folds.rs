//! The functions of the stateless modules, which the compiler evaluates at compile time when
//! all of a node's inputs are constant.
//!
//! Each is built from the very formula its kernel applies per sample (`Op1`/`Op2`), so the
//! two agree bit for bit by construction; the test below checks it anyway, and the property
//! that the VM (which folds) equals the reference interpreter (which never does) checks it
//! again on random patches.

use super::arith::{Abs, Add, Div, Greater, Less, Max, Min, Mul, Neg, Op1, Op2, Sub};
use super::math::{DbToAmp, Ftom, Mtof};
use patchvm_ir::FoldFn;

/// The fold of a two-operand formula.
fn fold2<Op: Op2>(inputs: &[f32], outputs: &mut [f32]) {
    outputs[0] = Op::apply(inputs[0], inputs[1]);
}

/// The fold of a one-operand formula.
fn fold1<Op: Op1>(inputs: &[f32], outputs: &mut [f32]) {
    outputs[0] = Op::apply(inputs[0]);
}

/// Every stateless module and its function.
pub(crate) const FOLDS: &[(&str, FoldFn)] = &[
    ("const", |inputs, outputs| outputs[0] = inputs[0]),
    ("gain", fold2::<Mul>),
    ("mul", fold2::<Mul>),
    ("math.add", fold2::<Add>),
    ("math.sub", fold2::<Sub>),
    ("math.div", fold2::<Div>),
    ("math.min", fold2::<Min>),
    ("math.max", fold2::<Max>),
    ("cmp.gt", fold2::<Greater>),
    ("cmp.lt", fold2::<Less>),
    ("math.abs", fold1::<Abs>),
    ("math.neg", fold1::<Neg>),
    ("math.mtof", fold1::<Mtof>),
    ("math.ftom", fold1::<Ftom>),
    ("math.dbtoamp", fold1::<DbToAmp>),
];
#[cfg(test)]
mod tests {
    use super::FOLDS;
    use crate::catalog;
    use crate::kernels::test_support::kernel;
    use patchvm_vm::MAX_PORTS;
    use rand_pcg::Pcg32;
    use rand_pcg::rand_core::{Rng, SeedableRng};

    /// Inputs that probe the corners of f32 arithmetic as well as ordinary values.
    fn probe(rng: &mut Pcg32) -> f32 {
        const CORNERS: [f32; 8] = [0.0, -0.0, 1.0, -1.0, 1e-30, -1e30, 0.5, 3.0e38];
        match rng.next_u32() % 4 {
            0 => CORNERS[rng.next_u32() as usize % CORNERS.len()],
            _ => (rng.next_u32() as f32 / u32::MAX as f32 - 0.5) * 2e3,
        }
    }

    #[test]
    fn every_fold_equals_its_kernel_bit_for_bit() {
        let mut rng = Pcg32::seed_from_u64(7);
        for &(name, fold) in FOLDS {
            let spec = catalog()
                .get(name)
                .expect("folded modules are in the catalog");
            let inputs = spec.processed_inputs().count();
            let mut kernel = kernel(name, &[]);
            for _ in 0..1_000 {
                let values: Vec<f32> = (0..inputs).map(|_| probe(&mut rng)).collect();
                let mut folded = [0.0_f32; MAX_PORTS];
                fold(&values, &mut folded[..spec.outputs.len()]);
                let blocks: Vec<[f32; 1]> = values.iter().map(|&x| [x]).collect();
                let input_refs: Vec<&[f32]> = blocks.iter().map(|x| &x[..]).collect();
                let mut outs = vec![[0.0_f32; 1]; spec.outputs.len()];
                let mut output_refs: Vec<&mut [f32]> =
                    outs.iter_mut().map(|x| &mut x[..]).collect();
                kernel.process(&input_refs, &mut output_refs);
                for (output, out) in outs.iter().enumerate() {
                    assert_eq!(
                        out[0].to_bits(),
                        folded[output].to_bits(),
                        "`{name}` output {output} on {values:?}"
                    );
                }
            }
        }
    }
}
