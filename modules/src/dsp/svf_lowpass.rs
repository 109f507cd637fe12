//! The low-pass of `filter.lowpass`: Andrew Simper's trapezoidal state-variable filter in
//! `f64`, for one node or for up to eight side by side in SIMD lanes.
//!
//! The response is exactly the bilinear transform, prewarped at the cutoff, of
//! `1 / (s² + s/q + 1)` — the RBJ cookbook low-pass — with state that stays meaningful while
//! the settings move (see [`biquad`](super::svf) for the `f64` form the other cookbook
//! filters use). The coefficients are redesigned only in a sample whose settings differ from
//! the sample before. It runs in `f64`: in `f32` the state's updates at low cutoffs fall below
//! its resolution and stall (a 50 Hz low-pass settled 7.5e-6 short of unit DC gain).
//!
//! A block whose settings hold still runs without looking at them, and without checking its
//! state every sample: a state that stops being finite (after a non-finite input) is cleared,
//! but a non-finite state never turns finite again by itself, so a block that ends finite
//! never needed a clear. A block that does not end finite is run again from its start, the
//! careful way. Both ways give the same bits, as do the lanes, which run the very formula of
//! [`tick`] on eight nodes' values at once.

use super::simd::{F64x8, Isa, Lane, transpose, uniform, wide};
use crate::kernels::filter_cookbook;
use std::f64::consts::PI;

/// The limits of `cutoff` (Hz) and `q`, as `f32` (the catalog's are in `f64`).
const MIN_CUTOFF_HZ: f32 = filter_cookbook::MIN_CUTOFF_HZ as f32;
const Q_RANGE: (f32, f32) = (
    filter_cookbook::Q_RANGE.0 as f32,
    filter_cookbook::Q_RANGE.1 as f32,
);

/// Simper's coefficients for one setting, and the combinations [`tick`] steps the state with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Coefficients<T> {
    a2: T,
    a3: T,
    /// `2·a1 - 1`, `2·a2` and `2·a3`.
    a1_twice_less_one: T,
    a2_twice: T,
    a3_twice: T,
}

/// One step of the filter: takes input `v0`, moves the state `(ic1, ic2)` and returns the
/// low-pass output. The one formula of both the single and the lane forms.
///
/// Simper's step is `v3 = v0 - ic2`, `v1 = a1·ic1 + a2·v3`, `v2 = ic2 + a2·ic1 + a3·v3`,
/// then `ic1 ← 2·v1 - ic1`, `ic2 ← 2·v2 - ic2`, output `v2`. The state updates are written
/// out (`ic1 ← (2·a1 - 1)·ic1 + 2·a2·v3`, `ic2 ← (ic2 + 2·a2·ic1) + 2·a3·v3`) so that a sample
/// waits on the last for one subtraction, one multiplication and one addition — 9 cycles
/// where the textbook order takes 15 — which is what a lone filter's speed depends on.
#[inline(always)]
fn tick<T: Lane>(c: &Coefficients<T>, ic1: &mut T, ic2: &mut T, v0: T) -> T {
    let v3 = v0 - *ic2;
    let low = (*ic2 + c.a2 * *ic1) + c.a3 * v3;
    let next1 = c.a1_twice_less_one * *ic1 + c.a2_twice * v3;
    *ic2 = (*ic2 + c.a2_twice * *ic1) + c.a3_twice * v3;
    *ic1 = next1;
    low
}

/// A low-pass: its last settings, their coefficients, and its state.
#[derive(Clone, Debug)]
pub(crate) struct Lowpass {
    sample_rate: f64,
    max_cutoff: f32,
    /// The limited `(cutoff, q)` of the last sample, which `coefficients` match.
    settings: (f32, f32),
    coefficients: Coefficients<f64>,
    ic1: f64,
    ic2: f64,
}

impl Lowpass {
    /// A filter at rest with settings `cutoff` (Hz) and `q`.
    pub(crate) fn new(cutoff: f32, q: f32, sample_rate: f64) -> Lowpass {
        let mut filter = Lowpass {
            sample_rate,
            max_cutoff: (filter_cookbook::MAX_CUTOFF * sample_rate) as f32,
            settings: (f32::NAN, f32::NAN),
            coefficients: Coefficients {
                a2: 0.0,
                a3: 0.0,
                a1_twice_less_one: 0.0,
                a2_twice: 0.0,
                a3_twice: 0.0,
            },
            ic1: 0.0,
            ic2: 0.0,
        };
        filter.set(cutoff, q);
        filter
    }

    /// Uses `cutoff` and `q`, limited to their ranges with NaN at the bottom, redesigning
    /// the coefficients if they changed.
    #[inline(always)]
    fn set(&mut self, cutoff: f32, q: f32) {
        // `max` first: it reads NaN as the bottom of the range.
        let settings = (
            cutoff.max(MIN_CUTOFF_HZ).min(self.max_cutoff),
            q.max(Q_RANGE.0).min(Q_RANGE.1),
        );
        if settings != self.settings {
            self.settings = settings;
            self.coefficients = self.design(settings);
        }
    }

    /// The coefficients for limited settings.
    fn design(&self, (cutoff, q): (f32, f32)) -> Coefficients<f64> {
        let g = (PI * f64::from(cutoff) / self.sample_rate).tan();
        let k = 1.0 / f64::from(q);
        let a1 = 1.0 / (1.0 + g * (g + k));
        let a2 = g * a1;
        let a3 = g * a2;
        Coefficients {
            a2,
            a3,
            a1_twice_less_one: 2.0 * a1 - 1.0,
            a2_twice: 2.0 * a2,
            a3_twice: 2.0 * a3,
        }
    }

    /// Clears the state; the coefficients always match the settings.
    pub(crate) fn clear(&mut self) {
        self.ic1 = 0.0;
        self.ic2 = 0.0;
    }

    /// Takes over `other`'s state.
    pub(crate) fn take_over(&mut self, other: &Lowpass) {
        self.ic1 = other.ic1;
        self.ic2 = other.ic2;
    }

    fn finite(&self) -> bool {
        self.ic1.is_finite() && self.ic2.is_finite()
    }

    /// Filters `input` into `out` with settings read every sample.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub(crate) fn run(&mut self, input: &[f32], cutoff: &[f32], q: &[f32], out: &mut [f32]) {
        if let (Some(cutoff), Some(q)) = (uniform(cutoff), uniform(q)) {
            self.set(cutoff, q);
            let saved = (self.ic1, self.ic2);
            self.run_held(input, out);
            if self.finite() {
                return;
            }
            (self.ic1, self.ic2) = saved;
        }
        for (i, out) in out.iter_mut().enumerate() {
            self.set(cutoff[i], q[i]);
            *out = tick(
                &self.coefficients,
                &mut self.ic1,
                &mut self.ic2,
                input[i].into(),
            ) as f32;
            if !self.finite() {
                // A non-finite input (a runaway loop upstream) would otherwise stay in the
                // filter's memory for good; clearing lets it recover when its input does.
                self.clear();
            }
        }
    }

    /// The block with the current settings and no check of the state.
    #[inline(always)]
    fn run_held(&mut self, input: &[f32], out: &mut [f32]) {
        let (mut ic1, mut ic2) = (self.ic1, self.ic2);
        let c = self.coefficients;
        for (out, &x) in out.iter_mut().zip(input) {
            *out = tick(&c, &mut ic1, &mut ic2, x.into()) as f32;
        }
        (self.ic1, self.ic2) = (ic1, ic2);
    }
}

/// Runs up to sixteen filters side by side over one block, if every one's settings hold still
/// in it and every one ends finite; otherwise changes nothing but the outputs and returns
/// `false`, and each filter must run [`Lowpass::run`] alone. Eight filters share a vector;
/// sixteen make two vectors whose recursions the CPU overlaps.
///
/// `filters[l]` reads `inputs[l]`, `cutoffs[l]` and `qs[l]` and writes `outputs[l]`; a lane
/// whose filter is `None` (a kernel of another type) makes the call return `false` at once.
///
/// Real-time safe: does not allocate, lock or block.
pub(crate) fn run_lanes(
    filters: &mut [Option<&mut Lowpass>],
    inputs: &[&[f32]],
    cutoffs: &[&[f32]],
    qs: &[&[f32]],
    outputs: &mut [&mut [f32]],
) -> bool {
    let lanes = filters.len();
    if !(1..=16).contains(&lanes) || filters.iter().any(Option::is_none) {
        return false;
    }
    wide(
        #[inline(always)]
        |isa| {
            for ((filter, cutoff), q) in filters.iter_mut().flatten().zip(cutoffs).zip(qs) {
                match (uniform(cutoff), uniform(q)) {
                    (Some(cutoff), Some(q)) => filter.set(cutoff, q),
                    _ => return false,
                }
            }
            if lanes <= 8 {
                run_groups::<1>(isa, filters, inputs, outputs)
            } else {
                run_groups::<2>(isa, filters, inputs, outputs)
            }
        },
    )
}

/// Eight lanes' coefficients and state, a vector each.
#[derive(Clone, Copy, Debug, Default)]
struct Group {
    c: Coefficients<F64x8>,
    ic1: F64x8,
    ic2: F64x8,
}

impl Default for Coefficients<F64x8> {
    fn default() -> Self {
        Coefficients {
            a2: F64x8::default(),
            a3: F64x8::default(),
            a1_twice_less_one: F64x8::default(),
            a2_twice: F64x8::default(),
            a3_twice: F64x8::default(),
        }
    }
}

/// [`run_lanes`] with `G` groups of eight lanes (lanes past the last filter compute on lane
/// 0's input and are dropped). Inlined into each of [`wide`]'s copies.
#[inline(always)]
fn run_groups<const G: usize>(
    isa: Isa,
    filters: &mut [Option<&mut Lowpass>],
    inputs: &[&[f32]],
    outputs: &mut [&mut [f32]],
) -> bool {
    let lanes = filters.len();
    let mut groups = [Group::default(); G];
    for (l, filter) in filters.iter().flatten().enumerate() {
        let group = &mut groups[l / 8];
        let k = l % 8;
        let c = &filter.coefficients;
        group.c.a2.0[k] = c.a2;
        group.c.a3.0[k] = c.a3;
        group.c.a1_twice_less_one.0[k] = c.a1_twice_less_one;
        group.c.a2_twice.0[k] = c.a2_twice;
        group.c.a3_twice.0[k] = c.a3_twice;
        group.ic1.0[k] = filter.ic1;
        group.ic2.0[k] = filter.ic2;
    }
    let frames = outputs[0].len();
    let whole = frames - frames % 8;
    for start in (0..whole).step_by(8) {
        // A constant length: the copies are single vector moves.
        tile::<G, 8>(isa, &mut groups, inputs, outputs, start);
    }
    for start in whole..frames {
        tile::<G, 1>(isa, &mut groups, inputs, outputs, start);
    }
    let finite = (0..lanes).all(|l| {
        let (group, k) = (&groups[l / 8], l % 8);
        group.ic1.0[k].is_finite() && group.ic2.0[k].is_finite()
    });
    if finite {
        for (l, filter) in filters.iter_mut().flatten().enumerate() {
            let (group, k) = (&groups[l / 8], l % 8);
            (filter.ic1, filter.ic2) = (group.ic1.0[k], group.ic2.0[k]);
        }
    }
    finite
}

/// Samples `start..start + N` (`N` is 8, or 1 for a block's last few) of every lane: the lanes'
/// blocks transposed to vectors of the lanes' values sample by sample, stepped, and back.
#[inline(always)]
fn tile<const G: usize, const N: usize>(
    isa: Isa,
    groups: &mut [Group; G],
    inputs: &[&[f32]],
    outputs: &mut [&mut [f32]],
    start: usize,
) {
    let mut x = [[[0.0_f32; 8]; 8]; G];
    for (g, x) in x.iter_mut().enumerate() {
        let mut rows = [[0.0_f32; 8]; 8];
        for (row, input) in rows.iter_mut().zip(inputs.iter().skip(8 * g)) {
            row[..N].copy_from_slice(&input[start..start + N]);
        }
        *x = transpose(isa, &rows);
    }
    let mut y = [[[0.0_f32; 8]; 8]; G];
    for s in 0..N {
        // The groups' recursions side by side: independent chains the CPU overlaps.
        for g in 0..G {
            let group = &mut groups[g];
            let out = tick(
                &group.c,
                &mut group.ic1,
                &mut group.ic2,
                F64x8(x[g][s].map(f64::from)),
            );
            y[g][s] = out.0.map(|y| y as f32);
        }
    }
    for (g, y) in y.iter().enumerate() {
        for (output, row) in outputs.iter_mut().skip(8 * g).zip(transpose(isa, y)) {
            output[start..start + N].copy_from_slice(&row[..N]);
        }
    }
}
