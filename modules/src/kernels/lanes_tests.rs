//! Every kernel with a lane form computes in lanes exactly what its nodes compute alone, bit
//! for bit, whatever the block sizes and whether or not the lane form takes a block.

use super::modules;
use super::test_support::{SR, defaults};
use crate::{KernelInit, build};
use patchvm_ir::Unit;
use patchvm_vm::{Kernel, KernelRef, MAX_BLOCK, SharedKernel};

/// Input `port` of lane `lane` over `len` samples: a signal (with a burst of NaN and infinity
/// on lane 1, which a filter must recover from) or a control that holds its default and steps
/// away from it at times that differ from lane to lane, so blocks are sometimes held and
/// sometimes not.
fn signal(unit: Unit, default: f64, max: f64, lane: usize, len: usize) -> Vec<f32> {
    (0..len)
        .map(|n| match unit {
            Unit::Signal if lane == 1 && (700..703).contains(&n) => {
                [f32::NAN, f32::INFINITY, 1.0][n - 700]
            }
            Unit::Signal => ((n * (7 + lane) % 97) as f32 / 48.0 - 1.0) * (1.0 + lane as f32),
            _ if (n / (300 + 70 * lane)).is_multiple_of(2) => default as f32,
            _ => (default + (max - default) * 0.01 * (1 + lane) as f64) as f32,
        })
        .collect()
}

#[test]
fn lanes_compute_what_their_nodes_compute_alone() {
    let len = 4_000;
    for module in modules().filter(|module| module.lanes) {
        let spec = &module.spec;
        let name = spec.name;
        let params = defaults(spec);
        let ports: Vec<_> = spec.processed_inputs().map(|(_, input)| input).collect();
        let outputs = spec.outputs.len();
        for lanes in [2, 3, 8, 11, 16] {
            let build_all = || -> Vec<Box<dyn Kernel>> {
                (0..lanes)
                    .map(|_| build(spec, &KernelInit::new(&params, SR)).expect("a kernel"))
                    .collect()
            };
            let owners: Vec<SharedKernel> =
                build_all().into_iter().map(SharedKernel::new).collect();
            // SAFETY: `owners` outlives `grouped`, whose references are its only ones.
            let mut grouped: Vec<KernelRef> = owners
                .iter()
                .map(|owner| unsafe { owner.reference() })
                .collect();
            let mut alone = build_all();
            // signals[port][lane]
            let signals: Vec<Vec<Vec<f32>>> = ports
                .iter()
                .map(|input| {
                    (0..lanes)
                        .map(|lane| signal(input.unit, input.default, input.max, lane, len))
                        .collect()
                })
                .collect();
            let mut taken = 0;
            let (mut start, mut size) = (0, 1);
            while start < len {
                let end = (start + size).min(len);
                let frames = end - start;
                let inputs: Vec<&[f32]> = signals
                    .iter()
                    .flat_map(|port| port.iter().map(|lane| &lane[start..end]))
                    .collect();
                let mut lane_out = vec![[0.0_f32; MAX_BLOCK]; outputs * lanes];
                let mut outs: Vec<&mut [f32]> = lane_out
                    .iter_mut()
                    .map(|block| &mut block[..frames])
                    .collect();
                let (first, rest) = grouped.split_first_mut().expect("lanes");
                if first.process_lanes(rest, &inputs, &mut outs) {
                    taken += 1;
                } else {
                    for (lane, kernel) in grouped.iter_mut().enumerate() {
                        let ins: Vec<&[f32]> = (0..ports.len())
                            .map(|port| inputs[port * lanes + lane])
                            .collect();
                        let mut lane_outs: Vec<&mut [f32]> = outs
                            .iter_mut()
                            .skip(lane)
                            .step_by(lanes)
                            .map(|block| &mut **block)
                            .collect();
                        kernel.process(&ins, &mut lane_outs);
                    }
                }
                for (lane, kernel) in alone.iter_mut().enumerate() {
                    let ins: Vec<&[f32]> = (0..ports.len())
                        .map(|port| inputs[port * lanes + lane])
                        .collect();
                    let mut own = vec![[0.0_f32; MAX_BLOCK]; outputs];
                    let mut own_outs: Vec<&mut [f32]> =
                        own.iter_mut().map(|block| &mut block[..frames]).collect();
                    kernel.process(&ins, &mut own_outs);
                    for (output, block) in own.iter().enumerate() {
                        let grouped = &lane_out[output * lanes + lane][..frames];
                        assert!(
                            grouped
                                .iter()
                                .zip(&block[..frames])
                                .all(|(a, b)| a.to_bits() == b.to_bits()),
                            "`{name}` lane {lane} of {lanes} differs in samples {start}..{end}"
                        );
                    }
                }
                start = end;
                size = (size * 5 + 3) % MAX_BLOCK + 1;
            }
            println!("`{name}` x{lanes}: {taken} blocks in lanes");
            assert!(taken > 0, "`{name}` never took a block in lanes");
        }
    }
}
