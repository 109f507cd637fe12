//! Turning a compiled patch into a program ready for the audio half: building its kernels
//! and working out what it keeps of the program before it.

use super::keys::Keys;
use super::report::SwapReport;
use crate::instance::{Settings, build_executable};
use patchvm_compiler::Compiled;
use patchvm_ir::{Diagnostics, ModuleSpec};
use patchvm_modules::{catalog, rebuilt_by};
use patchvm_vm::live::{Loaded, ParamKey, Takeover};
use patchvm_vm::{Instr, KernelIdx, ParamIdx, Reg};

/// What the control side remembers of the last program it published: enough to work out
/// what the next one keeps, and which node inputs events can reach.
#[derive(Debug)]
pub(crate) struct Published {
    /// The program's instructions, arguments and channel count: with its kernels' modules,
    /// its structure (parameter values are not part of it).
    structure: (Vec<Instr>, Vec<Reg>, u8),
    /// Each kernel, by `KernelIdx`.
    kernels: Vec<BuiltKernel>,
    /// `(node id, input, initial value)` of each parameter slot, by `ParamIdx`.
    params: Vec<(String, &'static str, f32)>,
    /// The key of each slot and the slot, sorted by key.
    keys: Vec<(ParamKey, ParamIdx)>,
}

/// A kernel as the control side remembers it: what identifies its state across edits (node
/// id and module) and what it was built from.
#[derive(Debug)]
struct BuiltKernel {
    id: String,
    module: &'static ModuleSpec,
    /// The node's values, one per input of the module.
    values: Vec<f64>,
    in_feedback_loop: bool,
}

impl BuiltKernel {
    /// Whether `other` (of the same node and module) was built from the same settings as
    /// `self`, so that the kernel already running can go on for it: the same values, bit for
    /// bit, for every input the kernel is built from ([`rebuilt_by`]); the others only start
    /// parameter slots.
    fn built_alike(&self, other: &BuiltKernel) -> bool {
        self.in_feedback_loop == other.in_feedback_loop
            && self.values.len() == other.values.len()
            && self
                .values
                .iter()
                .zip(&other.values)
                .enumerate()
                .all(|(input, (a, b))| {
                    a.to_bits() == b.to_bits() || !rebuilt_by(self.module, input)
                })
    }
}

impl Published {
    /// The key of input `input` of node `node`, if it is a parameter slot of this program.
    pub(crate) fn slot(&self, keys: &Keys, node: &str, input: &str) -> Option<ParamKey> {
        let key = keys.get(node, input)?;
        self.keys
            .binary_search_by_key(&key, |&(key, _)| key)
            .ok()
            .map(|_| key)
    }
}

/// Builds `compiled`'s kernels (all allocation happens here, on the control side) and pairs
/// its kernels and parameters with those of `previous`, the program it will replace. Fails
/// only if the program does not verify, which is a bug of patchvm's.
pub(crate) fn build(
    compiled: Compiled<'static>,
    settings: &Settings,
    previous: Option<&Published>,
    keys: &mut Keys,
    generation: u64,
) -> Result<(Box<Loaded>, Published, SwapReport), Diagnostics> {
    let executable = build_executable(compiled.program, &compiled.kernels, settings)?;
    let program = executable.program();
    let kernels: Vec<BuiltKernel> = compiled
        .kernels
        .into_iter()
        .map(|node| BuiltKernel {
            id: node.id,
            module: node.spec,
            values: node.values,
            in_feedback_loop: node.in_feedback_loop,
        })
        .collect();
    let params: Vec<(String, &'static str, f32)> = compiled
        .params
        .into_iter()
        .zip(&program.params)
        .map(|(slot, &value)| (slot.id, slot.port, value))
        .collect();
    let mut key_table: Vec<(ParamKey, ParamIdx)> = params
        .iter()
        .enumerate()
        .map(|(index, (node, input, _))| (keys.key(node, input), ParamIdx(index as u16)))
        .collect();
    key_table.sort_unstable();
    let structure = (
        program.instrs.clone(),
        program.args.clone(),
        program.channels,
    );
    let mut report = SwapReport {
        generation,
        ..SwapReport::default()
    };
    let takeover = match previous {
        None => {
            report.added = kernels.iter().map(|kernel| kernel.id.clone()).collect();
            Takeover::NOTHING
        }
        Some(previous) if same_shape(previous, &structure, &kernels, &params) => {
            report.kept = kernels.iter().map(|kernel| kernel.id.clone()).collect();
            whole(previous, &kernels, &params)
        }
        Some(previous) => pairs(previous, &structure, &kernels, &params, &mut report),
    };
    let loaded = Box::new(Loaded {
        executable,
        keys: key_table.clone(),
        generation,
        takeover,
    });
    let published = Published {
        structure,
        kernels,
        params,
        keys: key_table,
    };
    Ok((loaded, published, report))
}

/// Whether the new program has `previous`'s structure kernel for kernel (same node, same
/// module) and slot for slot (same node input): then it can take the old kernels over whole.
fn same_shape(
    previous: &Published,
    structure: &(Vec<Instr>, Vec<Reg>, u8),
    kernels: &[BuiltKernel],
    params: &[(String, &'static str, f32)],
) -> bool {
    previous.structure == *structure
        && previous.kernels.len() == kernels.len()
        && previous
            .kernels
            .iter()
            .zip(kernels)
            .all(|(old, new)| old.id == new.id && old.module.name == new.module.name)
        && previous.params.len() == params.len()
        && previous
            .params
            .iter()
            .zip(params)
            .all(|(old, new)| old.0 == new.0 && old.1 == new.1)
}

/// The take-over of a program with its predecessor's shape: everything moves, except the
/// kernels built from other settings (rebuilt, copying their predecessor's state) and the
/// slots whose value in the patch changed (an edit or a reload of that value wins).
fn whole(
    previous: &Published,
    kernels: &[BuiltKernel],
    params: &[(String, &'static str, f32)],
) -> Takeover {
    let rebuilt = previous
        .kernels
        .iter()
        .zip(kernels)
        .enumerate()
        .filter(|(_, (old, new))| !old.built_alike(new))
        .map(|(index, _)| KernelIdx(index as u16))
        .collect();
    let reset = previous
        .params
        .iter()
        .zip(params)
        .enumerate()
        .filter(|(_, (old, new))| old.2.to_bits() != new.2.to_bits())
        .map(|(index, _)| ParamIdx(index as u16))
        .collect();
    Takeover::Whole { rebuilt, reset }
}

/// The take-over of a program of another shape: kernels of the same node and module copy
/// their predecessor's state, slots of the same node input and value keep theirs, and a
/// structural change crossfades.
fn pairs(
    previous: &Published,
    structure: &(Vec<Instr>, Vec<Reg>, u8),
    kernels: &[BuiltKernel],
    params: &[(String, &'static str, f32)],
    report: &mut SwapReport,
) -> Takeover {
    let old_kernels: foldhash::HashMap<(&str, &str), usize> = previous
        .kernels
        .iter()
        .enumerate()
        .map(|(index, kernel)| ((kernel.id.as_str(), kernel.module.name), index))
        .collect();
    let mut survived = vec![false; previous.kernels.len()];
    let mut kept_kernels = Vec::new();
    for (new, kernel) in kernels.iter().enumerate() {
        match old_kernels.get(&(kernel.id.as_str(), kernel.module.name)) {
            Some(&old) => {
                survived[old] = true;
                // A stateless module's kernel has nothing to copy: the audio half skips it.
                if catalog().fold(kernel.module.name).is_none() {
                    kept_kernels.push((KernelIdx(old as u16), KernelIdx(new as u16)));
                }
                report.kept.push(kernel.id.clone());
            }
            None => report.added.push(kernel.id.clone()),
        }
    }
    report.removed = previous
        .kernels
        .iter()
        .zip(&survived)
        .filter(|(_, survived)| !**survived)
        .map(|(kernel, _)| kernel.id.clone())
        .collect();
    // A slot goes on from its old value (set by events, maybe ramping) unless the patch's
    // value for it changed: an edit or a reload of that value wins.
    let old_params: foldhash::HashMap<(&str, &str, u32), usize> = previous
        .params
        .iter()
        .enumerate()
        .map(|(index, (id, input, value))| ((id.as_str(), *input, value.to_bits()), index))
        .collect();
    let kept_params = params
        .iter()
        .enumerate()
        .filter_map(|(new, (id, input, value))| {
            let old = old_params.get(&(id.as_str(), *input, value.to_bits()))?;
            Some((ParamIdx(*old as u16), ParamIdx(new as u16)))
        })
        .collect();
    let same_modules = previous.kernels.len() == kernels.len()
        && previous
            .kernels
            .iter()
            .zip(kernels)
            .all(|(old, new)| old.module.name == new.module.name);
    report.crossfade = previous.structure != *structure || !same_modules;
    Takeover::Pairs {
        kernels: kept_kernels,
        params: kept_params,
        crossfade: report.crossfade,
    }
}
