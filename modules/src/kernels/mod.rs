//! The modules, one file per family. Each module is one [`Module`] declaration
//! in its family's file, beside its kernel: its spec (ports, parameters, ranges, units, doc),
//! its kernel's builder, its fold if it is stateless, whether it runs in lanes and its memory
//! estimate if that grows with its parameters. The kernel's shape comes from the spec, and the
//! kernel reads its ports through constants found by name in the spec when the crate builds
//! (`inputs[SLEW_RISE]`). Each family lists its modules in `MODULES`; `FAMILIES` lists the
//! families, in catalog order, which is this table's:
//!
//! | family | modules |
//! |---|---|
//! | [`osc_waves`] | `osc.sine`, `osc.saw`, `osc.square`, `osc.triangle` |
//! | [`osc_synthesis`] | `osc.pulse`, `osc.fm`, `osc.organ`, `osc.sync_saw` |
//! | [`noise`] | `noise.white`, `noise.pink`, `noise.brown` |
//! | [`arithmetic`] | `const`, `gain`, `mul`, `math.add`, `math.sub`, `math.div`, `math.min`, `math.max`, `math.abs`, `math.neg`, `math.pow` |
//! | [`convert`] | `math.clip`, `math.scale`, `math.mtof`, `math.ftom`, `math.dbtoamp` |
//! | [`compare`] | `cmp.gt`, `cmp.lt` |
//! | [`control`] | `ctl.slew`, `ctl.smooth`, `ctl.sah`, `ctl.quantize` |
//! | [`sequence`] | `ctl.metro`, `ctl.counter`, `ctl.steps` |
//! | [`clock`] | `clock` |
//! | [`rhythm`] | `seq.euclid` |
//! | [`patterns`] | `seq.pattern`, `seq.arp` |
//! | [`lfo`] | `lfo.sine`, `lfo.triangle`, `lfo.saw`, `lfo.square`, `lfo.random` |
//! | [`filter_cookbook`] | `filter.lowpass`, `filter.highpass`, `filter.bandpass`, `filter.notch`, `filter.peak`, `filter.lowshelf`, `filter.highshelf`, `filter.allpass` |
//! | [`filter_models`] | `filter.moog`, `filter.svf`, `filter.resonator`, `filter.onepole`, `filter.dcblock` |
//! | [`delay_line`] | `delay` |
//! | [`delay_effects`] | `delay.feedback`, `delay.comb`, `delay.allpass`, `delay.multitap` |
//! | [`env`](mod@env) | `env.adsr`, `env.ar`, `env.line`, `env.follower` |
//! | [`dynamics`] | `dyn.compressor`, `dyn.limiter`, `dyn.gate` |
//! | [`shape`] | `shape.tanh`, `shape.clip`, `shape.fold`, `shape.crush` |
//! | [`stereo`] | `stereo.pan`, `stereo.balance`, `stereo.width`, `stereo.mix` |
//! | [`reverb`] | `reverb.stereo`, `reverb.mono` |
//! | [`fx`] | `fx.chorus`, `fx.flanger`, `fx.phaser` |
//! | [`pitch`] | `fx.stretch` (left out of builds without its feature) |
//! | [`drums`] | `drum.kick`, `drum.snare`, `drum.hat_closed`, `drum.hat_open`, `drum.clap`, `drum.tom` |
//! | [`sampler`] | `sample.play`, `seq.samples` |
//! | [`voice`](mod@voice) | `voice`, `voice.slot` |
//! | [`edit`] | `edit.fade` (what live edits insert) |
//! | [`output`] | `output` (no kernel: the compiler writes it) |
//! | [`input`] | `input` (no kernel: the compiler reads it) |
//! | [`sinks`] | `midi.out`, `midi.cc`, `midi.bend` (no kernels: their events leave the engine) |
//! | [`timeline`] | `timeline` (the clips of one of the patch's timelines) |
//! | [`analysis`] | `analysis.pitch`, `analysis.onset`, `analysis.amplitude`, `analysis.centroid` |
//!
//! Every kernel keeps these promises, and the tests in each file measure them from samples:
//!
//! - It allocates only when built; `process`, `feed` and `reset` never allocate, lock or block.
//! - Its output for a stream does not depend on how the stream is cut into blocks: state moves
//!   one sample at a time, so a host that splits a block at an event's sample renders the same
//!   bits as one that does not.
//! - Audio-rate inputs are read every sample. Control inputs (frequency, cutoff, q, times,
//!   levels) are limited inside the kernel to a range it can compute with, NaN counting as the
//!   bottom of that range, so no control value makes a kernel unstable or produce NaN. Signals
//!   (`in`, `a`, `b`, `value`) pass through as they are: a NaN signal gives NaN out, which the
//!   VM's output guard silences.

pub mod analysis;
pub mod arithmetic;
pub mod clock;
pub mod compare;
pub mod control;
pub mod convert;
pub mod delay_effects;
pub mod delay_line;
pub mod drums;
pub mod dynamics;
pub mod edit;
pub mod env;
pub mod filter_cookbook;
pub mod filter_models;
pub mod fx;
pub mod input;
pub mod lfo;
pub mod noise;
pub mod osc_synthesis;
pub mod osc_waves;
pub mod output;
pub mod patterns;
pub mod pitch;
pub mod reverb;
pub mod rhythm;
pub mod sampler;
pub mod sequence;
pub mod shape;
pub mod sinks;
mod spec;
pub mod stereo;
pub mod timeline;
pub mod voice;

#[cfg(test)]
mod lanes_tests;
#[cfg(test)]
mod test_support;

use crate::KernelInit;
use crate::module::Module;
use patchvm_ir::ModuleSpec;

/// Every family, in catalog order: the one list a new family joins (a new module joins its
/// family's `MODULES`).
pub(crate) const FAMILIES: &[&[Module]] = &[
    osc_waves::MODULES,
    osc_synthesis::MODULES,
    noise::MODULES,
    arithmetic::MODULES,
    convert::MODULES,
    compare::MODULES,
    control::MODULES,
    sequence::MODULES,
    clock::MODULES,
    rhythm::MODULES,
    patterns::MODULES,
    lfo::MODULES,
    filter_cookbook::MODULES,
    filter_models::MODULES,
    delay_line::MODULES,
    delay_effects::MODULES,
    env::MODULES,
    dynamics::MODULES,
    shape::MODULES,
    stereo::MODULES,
    reverb::MODULES,
    fx::MODULES,
    pitch::MODULES,
    drums::MODULES,
    sampler::MODULES,
    voice::MODULES,
    edit::MODULES,
    output::MODULES,
    input::MODULES,
    sinks::MODULES,
    timeline::MODULES,
    analysis::MODULES,
];

/// Every module, in catalog order.
pub(crate) fn modules() -> impl Iterator<Item = Module> {
    FAMILIES.iter().flat_map(|family| family.iter().copied())
}

/// The value `init` gives input `name` of `spec`.
///
/// # Panics
/// If `spec` has no input `name`: kernels ask only for their own inputs, so this is a bug that
/// the test building every module finds.
fn param(spec: &ModuleSpec, init: &KernelInit, name: &str) -> f64 {
    let index = spec
        .input(name)
        .unwrap_or_else(|| panic!("`{}` has no input `{name}`", spec.name));
    init.params[index]
}

/// `x` limited to `lo..=hi`, with NaN read as `lo` (`f64::max` returns the operand that is not
/// NaN), so a kernel never carries a NaN from its inputs into its state.
#[inline]
pub(crate) fn limit(x: f64, lo: f64, hi: f64) -> f64 {
    x.max(lo).min(hi)
}

#[cfg(test)]
mod tests {
    use super::test_support::{Chunks, Run, SR, defaults, kernel};
    use super::*;
    use crate::build;
    use assert_no_alloc::assert_no_alloc;
    use patchvm_ir::{InputSpec, Role};
    use patchvm_vm::{Kernel, KernelShape, MAX_BLOCK, MAX_PORTS};
    use rand_pcg::Pcg32;
    use rand_pcg::rand_core::{Rng, SeedableRng};

    /// Every module with a kernel, and a builder of its kernels at its spec's shape.
    fn kernel_entries()
    -> impl Iterator<Item = (ModuleSpec, impl Fn(&KernelInit) -> Box<dyn Kernel>)> {
        modules()
            .filter(|module| module.build.is_some())
            .map(|module| {
                let spec = module.spec;
                (spec, move |init: &KernelInit| {
                    build(&spec, init).expect("a kernel")
                })
            })
    }

    /// The family table at the top of this file names every module, once, and nothing else.
    #[test]
    fn the_family_table_lists_every_module() {
        let table = include_str!("mod.rs")
            .lines()
            .take_while(|line| line.starts_with("//!"))
            .filter(|line| line.starts_with("//! | ["))
            .flat_map(|line| line.split('`').skip(1).step_by(2).skip(1))
            .map(str::to_owned);
        let mut listed: Vec<String> = table.collect();
        listed.sort();
        let mut names: Vec<String> = crate::catalog().names().map(str::to_owned).collect();
        names.sort();
        assert_eq!(listed, names);
    }

    #[test]
    fn every_kernel_has_the_shape_its_spec_declares() {
        for module in modules() {
            let spec = module.spec;
            let params = defaults(&spec);
            for in_feedback_loop in [false, true] {
                let init = KernelInit {
                    in_feedback_loop,
                    ..KernelInit::new(&params, SR)
                };
                let Some(kernel) = build(&spec, &init) else {
                    let left_out = module.not_built.is_some();
                    assert!(
                        spec.role != Role::Kernel || left_out,
                        "`{}` has no kernel",
                        spec.name
                    );
                    assert!(module.build.is_none());
                    continue;
                };
                assert_eq!(spec.role, Role::Kernel);
                let expected = KernelShape {
                    inputs: u8::try_from(spec.processed_inputs().count()).unwrap(),
                    outputs: u8::try_from(spec.outputs.len()).unwrap(),
                    takes_feed: spec.fed_input().is_some(),
                };
                assert_eq!(kernel.shape(), expected, "shape of `{}`", spec.name);
            }
        }
    }

    /// Inputs that probe the corners of f32 arithmetic as well as ordinary values.
    fn probe(rng: &mut Pcg32) -> f32 {
        const CORNERS: [f32; 8] = [0.0, -0.0, 1.0, -1.0, 1e-30, -1e30, 0.5, 3.0e38];
        match rng.next_u32() % 4 {
            0 => CORNERS[rng.next_u32() as usize % CORNERS.len()],
            _ => (rng.next_u32() as f32 / u32::MAX as f32 - 0.5) * 2e3,
        }
    }

    /// A stateless module's fold is what the compiler puts in place of its kernel, so the two
    /// must agree bit for bit; the property that the VM (which folds) equals the reference
    /// interpreter (which never does) checks it again on random patches.
    #[test]
    fn every_fold_equals_its_kernel_bit_for_bit() {
        let mut rng = Pcg32::seed_from_u64(7);
        for module in modules() {
            let Some(fold) = module.fold else { continue };
            let (spec, name) = (module.spec, module.spec.name);
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

    /// Kernels read their ports through constants taken from one module's spec; where several
    /// modules share a kernel, a port of one name sits at the same place in each.
    #[test]
    fn modules_sharing_a_kernel_lay_out_their_common_ports_alike() {
        let mut by_kernel: Vec<(std::any::TypeId, ModuleSpec)> = Vec::new();
        for (spec, builder) in kernel_entries() {
            let params = defaults(&spec);
            let kernel = builder(&KernelInit::new(&params, SR));
            let kind = (&*kernel as &dyn std::any::Any).type_id();
            for (other_kind, other) in &by_kernel {
                if *other_kind != kind {
                    continue;
                }
                let places = |spec: &ModuleSpec| -> Vec<(&str, usize)> {
                    let processed = spec.processed_inputs().map(|(_, input)| input.name);
                    processed.enumerate().map(|(at, name)| (name, at)).collect()
                };
                for (name, at) in places(&spec) {
                    if let Some(&(_, other_at)) = places(other).iter().find(|(n, _)| *n == name) {
                        assert_eq!(
                            at, other_at,
                            "`{}` and `{}`: `{name}`",
                            spec.name, other.name
                        );
                    }
                }
                for (at, output) in spec.outputs.iter().enumerate() {
                    if let Some(other_at) = other.output(output.name) {
                        assert_eq!(at, other_at, "`{}` and `{}`", spec.name, other.name);
                    }
                }
            }
            by_kernel.push((kind, spec));
        }
    }

    #[test]
    fn every_port_has_a_one_line_doc_and_a_range() {
        for module in modules() {
            let spec = module.spec;
            let one_line = |doc: &str| !doc.is_empty() && !doc.contains('\n');
            assert!(one_line(spec.doc), "{}", spec.name);
            for input in spec.inputs {
                assert!(one_line(input.doc), "{}.{}", spec.name, input.name);
                let text = matches!(input.unit, patchvm_ir::Unit::Text(_));
                assert!(
                    text || input.min < input.max,
                    "{}.{}",
                    spec.name,
                    input.name
                );
            }
            for output in spec.outputs {
                assert!(one_line(output.doc), "{}.{}", spec.name, output.name);
            }
        }
    }

    /// A signal for `input` that holds its default, then steps to another value in its range,
    /// and back, every 700 samples: enough change to exercise every kernel's state.
    fn stepping(input: &InputSpec, len: usize) -> Vec<f32> {
        let other = if input.default == 0.0 {
            input.max.min(1.0)
        } else {
            input.default * 0.5
        };
        (0..len)
            .map(|n| {
                if (n / 700) % 2 == 0 {
                    input.default as f32
                } else {
                    other as f32
                }
            })
            .collect()
    }

    /// Signals for every processed input of `spec`, and for its fed input if it has one.
    fn drive(spec: &ModuleSpec, len: usize) -> (Vec<Vec<f32>>, Option<Vec<f32>>) {
        let inputs = spec
            .processed_inputs()
            .map(|(_, input)| stepping(input, len))
            .collect();
        let fed = spec.fed_input().map(|_| {
            (0..len)
                .map(|n| ((n * 7919) % 255) as f32 / 128.0 - 1.0)
                .collect()
        });
        (inputs, fed)
    }

    fn run<'a>(inputs: &'a [&'a [f32]], fed: Option<&'a [f32]>, len: usize) -> Run<'a> {
        let run = Run::new(inputs, len);
        match fed {
            Some(fed) => run.fed(fed),
            None => run,
        }
    }

    #[test]
    fn every_kernel_renders_the_same_bits_whatever_the_block_sizes() {
        let len = 5_000;
        for (spec, builder) in kernel_entries() {
            let params = defaults(&spec);
            let (inputs, fed) = drive(&spec, len);
            let inputs: Vec<&[f32]> = inputs.iter().map(Vec::as_slice).collect();
            let run = run(&inputs, fed.as_deref(), len);
            let mut kernel = builder(&KernelInit::new(&params, SR));
            let whole = run.on_all(kernel.as_mut()).concat();
            kernel.reset();
            let after_reset = run.on_all(kernel.as_mut()).concat();
            let mut others = vec![("reset", after_reset)];
            for (name, chunks) in [
                ("random", Chunks::Random(7)),
                ("single-sample", Chunks::Fixed(1)),
                ("13-sample", Chunks::Fixed(13)),
            ] {
                let mut kernel = builder(&KernelInit::new(&params, SR));
                others.push((name, run.chunks(chunks).on_all(kernel.as_mut()).concat()));
            }
            for (name, other) in others {
                assert!(
                    whole
                        .iter()
                        .zip(&other)
                        .all(|(a, b)| a.to_bits() == b.to_bits()),
                    "`{}` differs with {name} blocks",
                    spec.name
                );
            }
            assert!(
                whole.iter().all(|x| x.is_finite()),
                "`{}` made a non-finite sample",
                spec.name
            );
        }
    }

    #[test]
    fn no_kernel_allocates_while_processing() {
        for (spec, builder) in kernel_entries() {
            let params = defaults(&spec);
            let (inputs, fed) = drive(&spec, 2 * MAX_BLOCK);
            let inputs: Vec<&[f32]> = inputs.iter().map(Vec::as_slice).collect();
            let run = run(&inputs, fed.as_deref(), 2 * MAX_BLOCK);
            let mut out = [0.0_f32; 2 * MAX_BLOCK];
            let mut kernel = builder(&KernelInit::new(&params, SR));
            assert_no_alloc(|| {
                for range in [0..MAX_BLOCK, MAX_BLOCK..MAX_BLOCK + 1, 100..117] {
                    run.block(kernel.as_mut(), range.clone(), &mut out[range]);
                }
                kernel.reset();
            });
        }
    }

    /// Kernels whose state lives in a library that cannot copy it (Signalsmith Stretch's C++
    /// object): they refuse another's state, and start from silence if rebuilt. None has a
    /// set-once input, so a live engine never rebuilds one; their inputs change on the running
    /// kernel.
    const UNCOPYABLE: [&str; 1] = ["fx.stretch"];

    #[test]
    fn a_kernel_that_copies_another_s_state_goes_on_exactly_as_the_other_does() {
        let len = 3_000;
        for (spec, builder) in kernel_entries() {
            let params = defaults(&spec);
            let (inputs, fed) = drive(&spec, len);
            let inputs: Vec<&[f32]> = inputs.iter().map(Vec::as_slice).collect();
            let run = run(&inputs, fed.as_deref(), len);
            let mut old = builder(&KernelInit::new(&params, SR));
            let mut new = builder(&KernelInit::new(&params, SR));
            let mut before = vec![0.0_f32; 1_000];
            for start in (0..1_000).step_by(40) {
                run.block(
                    old.as_mut(),
                    start..start + 40,
                    &mut before[start..start + 40],
                );
            }
            let copied = assert_no_alloc(|| new.copy_state_from(&*old));
            if UNCOPYABLE.contains(&spec.name) {
                assert!(!copied, "`{}` copied a state it cannot", spec.name);
                continue;
            }
            assert!(copied, "`{}` keeps no state", spec.name);
            let (mut a, mut b) = (vec![0.0_f32; 2_000], vec![0.0_f32; 2_000]);
            for start in (1_000..len).step_by(50) {
                let range = start..start + 50;
                run.block(
                    old.as_mut(),
                    range.clone(),
                    &mut a[start - 1_000..start - 950],
                );
                run.block(new.as_mut(), range, &mut b[start - 1_000..start - 950]);
            }
            assert!(
                a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()),
                "`{}` does not go on from the copied state",
                spec.name
            );
        }
    }

    /// What a live engine relies on when a node's module changes within a state family: every
    /// kernel of a family takes over the state of every other (after 1 000 samples of its
    /// own inputs) without allocating, and refuses the state of a kernel of no family.
    #[test]
    fn every_kernel_of_a_state_family_takes_over_every_other_s_state_without_allocating() {
        let len = 1_000;
        let members: Vec<Module> = modules().filter(|m| m.family.is_some()).collect();
        let mut pairs = 0;
        for from in &members {
            let params = defaults(&from.spec);
            let (inputs, fed) = drive(&from.spec, len);
            let inputs: Vec<&[f32]> = inputs.iter().map(Vec::as_slice).collect();
            let mut old = build(&from.spec, &KernelInit::new(&params, SR)).expect("a kernel");
            run(&inputs, fed.as_deref(), len).on(old.as_mut());
            for to in members.iter().filter(|to| to.family == from.family) {
                let params = defaults(&to.spec);
                let mut new = build(&to.spec, &KernelInit::new(&params, SR)).expect("a kernel");
                let copied = assert_no_alloc(|| new.copy_state_from(&*old));
                assert!(copied, "`{}` into `{}`", from.spec.name, to.spec.name);
                pairs += 1;
            }
        }
        // 4 delays, 5 oscillators, 8 state-variable filters: 16 + 25 + 64 pairs.
        assert_eq!(pairs, 105);
        let gain = kernel("gain", &[]);
        for member in &members {
            let params = defaults(&member.spec);
            let mut new = build(&member.spec, &KernelInit::new(&params, SR)).expect("a kernel");
            assert!(!new.copy_state_from(&*gain), "`{}`", member.spec.name);
        }
    }

    /// ([`crate::rebuilt_by`] false): a kernel built with other values for those inputs and
    /// given the running one's state goes on exactly as the running one does.
    #[test]
    fn a_kernel_built_with_other_slot_values_goes_on_as_the_one_it_took_over_from() {
        let len = 3_000;
        let mut kept = 0;
        for (spec, builder) in kernel_entries() {
            let params = defaults(&spec);
            // Every input the engine keeps the kernel for, moved to another value in range.
            let mut other = params.clone();
            for (index, input) in spec.inputs.iter().enumerate() {
                if !crate::rebuilt_by(&spec, index) {
                    other[index] = if input.default == input.max {
                        input.min
                    } else {
                        (input.default + input.max) / 2.0
                    };
                }
            }
            if other == params || UNCOPYABLE.contains(&spec.name) {
                continue;
            }
            kept += 1;
            let (inputs, fed) = drive(&spec, len);
            let inputs: Vec<&[f32]> = inputs.iter().map(Vec::as_slice).collect();
            let run = run(&inputs, fed.as_deref(), len);
            let mut running = builder(&KernelInit::new(&params, SR));
            let mut rebuilt = builder(&KernelInit::new(&other, SR));
            let mut before = vec![0.0_f32; 1_000];
            for start in (0..1_000).step_by(40) {
                let range = start..start + 40;
                run.block(running.as_mut(), range.clone(), &mut before[range]);
            }
            assert!(rebuilt.copy_state_from(&*running), "`{}`", spec.name);
            let (mut a, mut b) = (vec![0.0_f32; 2_000], vec![0.0_f32; 2_000]);
            for start in (1_000..len).step_by(50) {
                let range = start..start + 50;
                let out = start - 1_000..start - 950;
                run.block(running.as_mut(), range.clone(), &mut a[out.clone()]);
                run.block(rebuilt.as_mut(), range, &mut b[out]);
            }
            assert!(
                a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()),
                "`{}` built with other values does not go on as the running kernel",
                spec.name
            );
        }
        assert!(kept > 50, "only {kept} modules checked");
    }

    #[test]
    fn only_seeded_kernels_refuse_the_state_of_another_seed() {
        const SEEDED: [&str; 6] = [
            "noise.white",
            "noise.pink",
            "noise.brown",
            "lfo.random",
            "drum.snare",
            "drum.clap",
        ];
        for (spec, builder) in kernel_entries() {
            let params = defaults(&spec);
            let [mut a, b] = [1, 2].map(|seed| {
                builder(&KernelInit {
                    seed,
                    ..KernelInit::new(&params, SR)
                })
            });
            let copied = assert_no_alloc(|| a.copy_state_from(&*b));
            let refused = SEEDED.contains(&spec.name) || UNCOPYABLE.contains(&spec.name);
            assert_eq!(copied, !refused, "`{}`", spec.name);
        }
    }

    #[test]
    fn a_delay_keeps_its_line_when_its_ring_grows_or_shrinks() {
        let impulse: Vec<f32> = (0..64).map(|n| if n == 10 { 1.0 } else { 0.0 }).collect();
        for new_time in [0.01, 0.002] {
            let mut old = kernel("delay", &[("time", 0.005)]);
            old.feed(&impulse);
            let mut out = [0.0_f32; 64];
            old.process(&[&[0.001; 64]], &mut [&mut out]);
            let mut new = kernel("delay", &[("time", new_time)]);
            assert!(new.copy_state_from(&*old));
            // The impulse went in at sample 10; delayed by 0.002 s it comes out in the next
            // block, whichever ring holds it now.
            new.feed(&[0.0; 64]);
            new.process(&[&[0.002; 64]], &mut [&mut out]);
            let hit = out.iter().position(|&x| x == 1.0);
            let expected = 10 + (0.002 * SR) as usize - 64;
            assert_eq!(hit, Some(expected), "after resizing for {new_time} s");
        }
    }

    #[test]
    fn limit_reads_nan_as_the_bottom() {
        assert_eq!(limit(f64::NAN, -1.0, 2.0), -1.0);
        assert_eq!(limit(5.0, -1.0, 2.0), 2.0);
        assert_eq!(limit(-5.0, -1.0, 2.0), -1.0);
        assert_eq!(limit(0.5, -1.0, 2.0), 0.5);
    }
}
