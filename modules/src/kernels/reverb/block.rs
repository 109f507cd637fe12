//! The block path of `reverb.stereo` and `reverb.mono`, for blocks whose settings hold still:
//! the arithmetic of [`Channel::tick`] for every sample, in the same order, arranged for
//! vectors and for the CPU to overlap.
//!
//! Within a block, no comb or allpass reads a sample written in the same block (every line
//! is longer than a block, which the kernel checks), so the lines are read and written a run
//! at a time. What a block outputs depends only on the combs' old samples: their sum (taken
//! in comb order, a vector of samples at a time), through the allpasses (in series, a block
//! at a time) and the DC blocker. The combs' low-pass recursions only make the samples they
//! write back. So the one loop that must go sample by sample steps four independent chains
//! side by side — each channel's eight combs (one vector each) and each channel's DC blocker —
//! and each chain's latency hides the others'. One channel (`reverb.mono`) steps two chains.

use super::{ALLPASS_FEEDBACK, COMBS, Channel, flush};
use crate::dsp::simd::{Isa, transpose};
use patchvm_vm::MAX_BLOCK;

/// Room for a block of up to two channels, allocated with the kernel, so a block zeroes
/// nothing.
#[derive(Debug)]
pub(super) struct Scratch {
    /// Per channel and sample, the eight combs' old samples.
    olds: [[[f32; 8]; MAX_BLOCK]; 2],
    /// Per channel and sample, what the eight combs write back.
    written: [[[f32; 8]; MAX_BLOCK]; 2],
    /// Per channel, the combs' sum, then the allpasses' output.
    sums: [[f32; MAX_BLOCK]; 2],
    /// Per channel and comb, the block's run of its line: read, then rewritten.
    runs: [[[f32; MAX_BLOCK]; COMBS.len()]; 2],
}

impl Scratch {
    pub(super) fn new() -> Box<Scratch> {
        Box::new(Scratch {
            olds: [[[0.0; 8]; MAX_BLOCK]; 2],
            written: [[[0.0; 8]; MAX_BLOCK]; 2],
            sums: [[0.0; MAX_BLOCK]; 2],
            runs: [[[0.0; MAX_BLOCK]; COMBS.len()]; 2],
        })
    }
}

/// `C` channels (one or two) over a block of `input` (already through the input gain, at
/// most as long as the shortest line) with settings `(feedback, damp, dc_pole)`, the wet
/// signals into `wet`.
///
/// Real-time safe: does not allocate, lock or block.
#[inline(always)]
pub(super) fn channels<const C: usize>(
    isa: Isa,
    channels: [&mut Channel; C],
    scratch: &mut Scratch,
    input: &[f32],
    (feedback, damp, dc_pole): (f32, f32, f32),
    mut wet: [&mut [f32]; C],
) {
    const { assert!(C == 1 || C == 2, "Scratch has room for two channels") };
    let n = input.len();
    let Scratch {
        olds,
        written,
        sums,
        runs,
    } = scratch;
    for (((channel, olds), sum), runs) in channels
        .iter()
        .zip(olds.iter_mut())
        .zip(sums.iter_mut())
        .zip(runs.iter_mut())
    {
        read_combs(isa, channel, runs, &mut olds[..n], &mut sum[..n]);
    }
    let mut channels = channels;
    for (channel, sum) in channels.iter_mut().zip(sums.iter_mut()) {
        allpasses(channel, &mut sum[..n]);
    }
    let mut store = [[0.0_f32; 8]; C];
    for (store, channel) in store.iter_mut().zip(&channels) {
        for (store, comb) in store.iter_mut().zip(&channel.combs) {
            *store = comb.store;
        }
    }
    let mut dc: [(f32, f32); C] = std::array::from_fn(|ch| channels[ch].dc);
    for i in 0..n {
        for ch in 0..C {
            let (old, written) = (&olds[ch][i], &mut written[ch][i]);
            for c in 0..8 {
                store[ch][c] = flush(old[c] * (1.0 - damp) + store[ch][c] * damp);
                written[c] = input[i] + store[ch][c] * feedback;
            }
        }
        for (ch, wet) in wet.iter_mut().enumerate() {
            let (last_in, last_out) = dc[ch];
            let sum = sums[ch][i];
            wet[i] = flush(sum - last_in + dc_pole * last_out);
            dc[ch] = (sum, wet[i]);
        }
    }
    for (ch, channel) in channels.into_iter().enumerate() {
        write_combs(isa, channel, &mut runs[ch], &written[ch][..n]);
        for (comb, &store) in channel.combs.iter_mut().zip(&store[ch]) {
            comb.line.advance(n);
            comb.store = store;
        }
        channel.dc = dc[ch];
    }
}

/// The combs' old samples for the block, comb by comb (`runs`) and sample by sample (`olds`),
/// and their sum in comb order (`sum`, which starts at 0 as [`Channel::tick`]'s does).
#[inline(always)]
fn read_combs(
    isa: Isa,
    channel: &Channel,
    runs: &mut [[f32; MAX_BLOCK]; COMBS.len()],
    olds: &mut [[f32; 8]],
    sum: &mut [f32],
) {
    let n = olds.len();
    for (run, comb) in runs.iter_mut().zip(&channel.combs) {
        let line = &comb.line;
        match line.ring.run(line.at, n) {
            // A whole block that does not wrap (all but about one block in twenty): one
            // fixed-length copy.
            (head, []) if n == MAX_BLOCK => {
                if let Ok(head) = <&[f32; MAX_BLOCK]>::try_from(head) {
                    *run = *head;
                }
            }
            (head, tail) => {
                for (slot, &x) in run.iter_mut().zip(head.iter().chain(tail)) {
                    *slot = x;
                }
            }
        }
    }
    sum.fill(0.0);
    for run in runs.iter() {
        for (sum, &old) in sum.iter_mut().zip(run) {
            *sum += old;
        }
    }
    let whole = n - n % 8;
    for start in (0..whole).step_by(8) {
        let mut rows = [[0.0_f32; 8]; COMBS.len()];
        for (row, run) in rows.iter_mut().zip(runs.iter()) {
            row.copy_from_slice(&run[start..start + 8]);
        }
        olds[start..start + 8].copy_from_slice(&transpose(isa, &rows));
    }
    for (i, old) in olds.iter_mut().enumerate().skip(whole) {
        for (old, run) in old.iter_mut().zip(runs.iter()) {
            *old = run[i];
        }
    }
}

/// The allpasses in series over the block, in place.
#[inline(always)]
fn allpasses(channel: &mut Channel, signal: &mut [f32]) {
    let n = signal.len();
    for allpass in &mut channel.allpasses {
        let line = &mut allpass.line;
        let (head, tail) = line.ring.run_mut(line.at, n);
        let (signal_head, signal_tail) = signal.split_at_mut(head.len());
        for (slots, signal) in [(head, signal_head), (tail, signal_tail)] {
            for (slot, x) in slots.iter_mut().zip(signal) {
                let old = *slot;
                *slot = flush(*x + old * ALLPASS_FEEDBACK);
                *x = old - *x;
            }
        }
        line.advance(n);
    }
}

/// Writes the combs' new samples, sample by sample in `written`, back into their lines, through
/// `runs` (comb by comb).
#[inline(always)]
fn write_combs(
    isa: Isa,
    channel: &mut Channel,
    runs: &mut [[f32; MAX_BLOCK]; COMBS.len()],
    written: &[[f32; 8]],
) {
    let n = written.len();
    let whole = n - n % 8;
    for start in (0..whole).step_by(8) {
        let mut columns = [[0.0_f32; 8]; 8];
        columns.copy_from_slice(&written[start..start + 8]);
        for (run, row) in runs.iter_mut().zip(transpose(isa, &columns)) {
            run[start..start + 8].copy_from_slice(&row);
        }
    }
    for (i, written) in written.iter().enumerate().skip(whole) {
        for (run, &value) in runs.iter_mut().zip(written) {
            run[i] = value;
        }
    }
    for (run, comb) in runs.iter().zip(channel.combs.iter_mut()) {
        let line = &mut comb.line;
        match line.ring.run_mut(line.at, n) {
            (head, []) if n == MAX_BLOCK => {
                if let Ok(head) = <&mut [f32; MAX_BLOCK]>::try_from(head) {
                    *head = *run;
                }
            }
            (head, tail) => {
                for (slot, &x) in head.iter_mut().chain(tail.iter_mut()).zip(run) {
                    *slot = x;
                }
            }
        }
    }
}
