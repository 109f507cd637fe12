//! The kernels that run in SIMD lanes, sixteen nodes of a module at a time: through their lane
//! form (`Kernel::process_lanes`) against the same sixteen nodes one at a time, per sample of
//! one node. A lane form that stops paying shows up here.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use patchvm::modules::{KernelInit, build, catalog};
use patchvm::vm::{Kernel, KernelRef, MAX_BLOCK, SharedKernel};
use std::hint::black_box;

/// Blocks per iteration: one second at 48 kHz, rounded up.
const BLOCKS: usize = 750;
/// Nodes in the group: one lane call's worth.
const LANES: usize = 16;
/// The modules with a lane form, as the catalog declares them.
const MODULES: [&str; 5] = ["osc.sine", "osc.saw", "filter.lowpass", "gain", "mul"];

fn lanes(c: &mut Criterion) {
    let mut group = c.benchmark_group("lanes 1 s x16");
    group.throughput(Throughput::Elements((BLOCKS * MAX_BLOCK * LANES) as u64));
    for name in MODULES {
        let spec = catalog().get(name).expect("a module of the catalog");
        assert!(catalog().runs_in_lanes(name), "`{name}` has no lane form");
        let defaults: Vec<f64> = spec.inputs.iter().map(|input| input.default).collect();
        let build_all = || -> Vec<Box<dyn Kernel>> {
            (0..LANES)
                .map(|_| build(spec, &KernelInit::new(&defaults, 48_000.0)).expect("a kernel"))
                .collect()
        };
        // Port by port, each lane's block: defaults moved a little from lane to lane (as a
        // bank of oscillators or a voice's filter would be), a ramp on signal inputs.
        let ports = spec.processed_inputs().count();
        let inputs: Vec<[f32; MAX_BLOCK]> = spec
            .processed_inputs()
            .flat_map(|(_, input)| {
                (0..LANES).map(move |lane| match input.name {
                    "in" | "a" => std::array::from_fn(|i| i as f32 / MAX_BLOCK as f32 - 0.5),
                    _ => [(input.default * (1.0 + 0.01 * lane as f64)) as f32; MAX_BLOCK],
                })
            })
            .collect();
        let input_refs: Vec<&[f32]> = inputs.iter().map(|block| &block[..]).collect();
        let mut outputs = vec![[0.0_f32; MAX_BLOCK]; LANES * spec.outputs.len()];

        let owners: Vec<SharedKernel> = build_all().into_iter().map(SharedKernel::new).collect();
        // SAFETY: `owners` outlives `kernels`, whose references are its only ones.
        let mut kernels: Vec<KernelRef> = owners
            .iter()
            .map(|owner| unsafe { owner.reference() })
            .collect();
        group.bench_function(BenchmarkId::new("in lanes", name), |b| {
            b.iter(|| {
                for _ in 0..BLOCKS {
                    let mut output_refs: Vec<&mut [f32]> =
                        outputs.iter_mut().map(|block| &mut block[..]).collect();
                    let (first, rest) = kernels.split_first_mut().expect("lanes");
                    assert!(first.process_lanes(rest, &input_refs, &mut output_refs));
                }
                black_box(&mut outputs);
            })
        });

        let mut kernels = build_all();
        group.bench_function(BenchmarkId::new("one at a time", name), |b| {
            b.iter(|| {
                for _ in 0..BLOCKS {
                    for (lane, kernel) in kernels.iter_mut().enumerate() {
                        let ins: Vec<&[f32]> = (0..ports)
                            .map(|port| input_refs[port * LANES + lane])
                            .collect();
                        let mut outs: Vec<&mut [f32]> = outputs
                            .iter_mut()
                            .skip(lane)
                            .step_by(LANES)
                            .map(|block| &mut block[..])
                            .collect();
                        kernel.process(&ins, &mut outs);
                    }
                }
                black_box(&mut outputs);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, lanes);
criterion_main!(benches);
