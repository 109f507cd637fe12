//! The block path of `reverb.stereo`, for blocks whose settings hold still: the arithmetic of
//! [`Channel::tick`] for every sample, in the same order, arranged for vectors and for the
//! CPU to overlap.
//!
//! Within a block, no comb or allpass reads a sample written in the same block (every line
//! is longer than a block, which the kernel checks), so the lines are read and written a run
//! at a time. What a block outputs depends only on the combs' old samples: their sum (taken
//! in comb order, a vector of samples at a time), through the allpasses (in series, a block
//! at a time) and the DC blocker. The combs' low-pass recursions only make the samples they
//! write back. So the one loop that must go sample by sample steps four independent chains
//! side by side — each channel's eight combs (one vector each) and each channel's DC blocker —
//! and each chain's latency hides the others'.

use super::{ALLPASS_FEEDBACK, COMBS, Channel, flush};
use crate::dsp::simd::{Isa, transpose};
use patchvm_vm::MAX_BLOCK;

/// Room for a block of both channels, allocated with the kernel, so a block zeroes nothing.
#[derive(Debug)]
pub(super) struct Scratch {
    /// Per channel and sample, the eight combs' old samples.
    olds: [[[f32; 8]; MAX_BLOCK]; 2],
    /// Per channel and sample, what the eight combs write back.
    written: [[[f32; 8]; MAX_BLOCK]; 2],
    /// Per channel, the combs' sum, then the allpasses' output.
    sums: [[f32; MAX_BLOCK]; 2],
}

impl Scratch {
    pub(super) fn new() -> Box<Scratch> {
        Box::new(Scratch {
            olds: [[[0.0; 8]; MAX_BLOCK]; 2],
            written: [[[0.0; 8]; MAX_BLOCK]; 2],
            sums: [[0.0; MAX_BLOCK]; 2],
        })
    }
}

/// Both channels over a block of `input` (already through the input gain, at most as long
/// as the shortest line) with settings `(feedback, damp, dc_pole)`, the wet signals into `wet`.
///
/// Real-time safe: does not allocate, lock or block.
#[inline(always)]
pub(super) fn stereo(
    isa: Isa,
    channels: [&mut Channel; 2],
    scratch: &mut Scratch,
    input: &[f32],
    (feedback, damp, dc_pole): (f32, f32, f32),
    wet: [&mut [f32]; 2],
) {
    let n = input.len();
    let Scratch {
        olds,
        written,
        sums,
    } = scratch;
    for ((channel, olds), sum) in channels.iter().zip(olds.iter_mut()).zip(sums.iter_mut()) {
        read_combs(isa, channel, &mut olds[..n], &mut sum[..n]);
    }
    let mut channels = channels;
    for (channel, sum) in channels.iter_mut().zip(sums.iter_mut()) {
        allpasses(channel, &mut sum[..n]);
    }
    let mut store = [[0.0_f32; 8]; 2];
    for (store, channel) in store.iter_mut().zip(&channels) {
        for (store, comb) in store.iter_mut().zip(&channel.combs) {
            *store = comb.store;
        }
    }
    let mut dc = [channels[0].dc, channels[1].dc];
    let [wet_l, wet_r] = wet;
    for i in 0..n {
        for ch in 0..2 {
            let (old, written) = (&olds[ch][i], &mut written[ch][i]);
            for c in 0..8 {
                store[ch][c] = flush(old[c] * (1.0 - damp) + store[ch][c] * damp);
                written[c] = input[i] + store[ch][c] * feedback;
            }
        }
        for (ch, wet) in [&mut *wet_l, &mut *wet_r].into_iter().enumerate() {
            let (last_in, last_out) = dc[ch];
            let sum = sums[ch][i];
            wet[i] = flush(sum - last_in + dc_pole * last_out);
            dc[ch] = (sum, wet[i]);
        }
    }
    for (ch, channel) in channels.into_iter().enumerate() {
        write_combs(isa, channel, &written[ch][..n]);
        for (comb, &store) in channel.combs.iter_mut().zip(&store[ch]) {
            comb.line.advance(n);
            comb.store = store;
        }
        channel.dc = dc[ch];
    }
}

/// The combs' old samples for the block, sample by sample (`olds`), and their sum in comb
/// order (`sum`, which starts at 0 as [`Channel::tick`]'s does).
#[inline(always)]
fn read_combs(isa: Isa, channel: &Channel, olds: &mut [[f32; 8]], sum: &mut [f32]) {
    sum.fill(0.0);
    let n = olds.len();
    let whole = n - n % 8;
    // Each comb's run for the block, when it does not wrap (all but about one block in
    // twenty): its tiles are then plain vector loads.
    let mut runs: [&[f32]; COMBS.len()] = [&[]; COMBS.len()];
    for (run, comb) in runs.iter_mut().zip(&channel.combs) {
        if let (head, []) = comb.line.ring.run(comb.line.at, n) {
            *run = head;
        }
    }
    for start in (0..whole).step_by(8) {
        // Loops rather than `array::from_fn`, whose closures may stay out of line, away from
        // the vector copy of the code.
        let mut rows = [[0.0_f32; 8]; COMBS.len()];
        for ((row, comb), run) in rows.iter_mut().zip(&channel.combs).zip(&runs) {
            match run.get(start..start + 8).map(<&[f32; 8]>::try_from) {
                Some(Ok(tile)) => *row = *tile,
                _ => comb.line.read_run::<8>(start, row),
            }
        }
        for row in &rows {
            for (sum, &old) in sum[start..start + 8].iter_mut().zip(row) {
                *sum += old;
            }
        }
        olds[start..start + 8].copy_from_slice(&transpose(isa, &rows));
    }
    for i in whole..n {
        for (c, comb) in channel.combs.iter().enumerate() {
            let mut old = [0.0];
            comb.line.read_run::<1>(i, &mut old);
            let [old] = old;
            sum[i] += old;
            olds[i][c] = old;
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

/// Writes the combs' new samples, sample by sample in `written`, back into their lines.
#[inline(always)]
fn write_combs(isa: Isa, channel: &mut Channel, written: &[[f32; 8]]) {
    let n = written.len();
    let whole = n - n % 8;
    for start in (0..whole).step_by(8) {
        let mut columns = [[0.0_f32; 8]; 8];
        columns.copy_from_slice(&written[start..start + 8]);
        for (comb, row) in channel.combs.iter_mut().zip(transpose(isa, &columns)) {
            let line = &mut comb.line;
            let at = line.past(start);
            match line.ring.run_mut(at, 8) {
                (head, []) => match <&mut [f32; 8]>::try_from(head) {
                    Ok(tile) => *tile = row,
                    Err(_) => line.write_run::<8>(start, &row),
                },
                _ => line.write_run::<8>(start, &row),
            }
        }
    }
    for (i, written) in written.iter().enumerate().skip(whole) {
        for (comb, &value) in channel.combs.iter_mut().zip(written) {
            comb.line.write_run::<1>(i, &[value]);
        }
    }
}
