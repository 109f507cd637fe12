//! Turning a compiled patch into a program ready for the audio half: building its kernels
//! and working out what it keeps of the program before it.

use super::keys::Keys;
use super::report::SwapReport;
use crate::instance::{Settings, build_executable};
use patchvm_compiler::Compiled;
use patchvm_ir::Diagnostics;
use patchvm_vm::live::{Loaded, ParamKey};
use patchvm_vm::{Instr, KernelDecl, KernelIdx, ParamIdx, Reg};
use std::collections::HashMap;

/// What the control side remembers of the last program it published: enough to work out
/// what the next one keeps, and which node inputs events can reach.
#[derive(Debug)]
pub(crate) struct Published {
    /// The program's structure: instructions, arguments, kernels, channels (not the
    /// parameter values, whose change is not structural).
    structure: (Vec<Instr>, Vec<Reg>, Vec<KernelDecl>, u8),
    /// `(node id, module)` of each kernel, by `KernelIdx`.
    kernels: Vec<(String, &'static str)>,
    /// `(node id, input, initial value)` of each parameter slot, by `ParamIdx`.
    params: Vec<(String, &'static str, f32)>,
    /// The key of each node input that has a slot.
    slots: HashMap<(String, String), ParamKey>,
}

impl Published {
    /// The key of input `input` of node `node`, if it is a parameter slot of this program.
    pub(crate) fn slot(&self, node: &str, input: &str) -> Option<ParamKey> {
        self.slots
            .get(&(node.to_owned(), input.to_owned()))
            .copied()
    }
}

/// Builds `compiled`'s kernels (all allocation happens here, on the control side) and pairs
/// its kernels and parameters with those of `previous`, the program it will replace. Fails
/// only if the program does not verify, which is a bug of patchvm's.
pub(crate) fn build(
    compiled: Compiled,
    settings: &Settings,
    previous: Option<&Published>,
    keys: &mut Keys,
    generation: u64,
) -> Result<(Box<Loaded>, Published, SwapReport), Diagnostics> {
    let kernels: Vec<(String, &'static str)> = compiled
        .kernels
        .iter()
        .map(|node| (node.id.clone(), node.spec.name))
        .collect();
    let params: Vec<(String, &'static str, f32)> = compiled
        .params
        .iter()
        .zip(&compiled.program.params)
        .map(|(slot, &value)| (slot.id.clone(), slot.port, value))
        .collect();
    let mut slots = HashMap::new();
    let mut key_table: Vec<(ParamKey, ParamIdx)> = Vec::with_capacity(params.len());
    for (index, (node, input, _)) in params.iter().enumerate() {
        let key = keys.key(node, input);
        slots.insert((node.clone(), (*input).to_owned()), key);
        key_table.push((key, ParamIdx(index as u16)));
    }
    key_table.sort_unstable();

    let program = &compiled.program;
    let structure = (
        program.instrs.clone(),
        program.args.clone(),
        program.kernels.clone(),
        program.channels,
    );
    let mut report = SwapReport {
        generation,
        ..SwapReport::default()
    };
    let (mut kept_kernels, mut kept_params) = (Vec::new(), Vec::new());
    match previous {
        None => report.added = kernels.iter().map(|(id, _)| id.clone()).collect(),
        Some(previous) => {
            let old_kernels: HashMap<&(String, &str), usize> = previous
                .kernels
                .iter()
                .enumerate()
                .map(|(index, node)| (node, index))
                .collect();
            let mut survived = vec![false; previous.kernels.len()];
            for (new, node) in kernels.iter().enumerate() {
                match old_kernels.get(node) {
                    Some(&old) => {
                        survived[old] = true;
                        kept_kernels.push((KernelIdx(old as u16), KernelIdx(new as u16)));
                        report.kept.push(node.0.clone());
                    }
                    None => report.added.push(node.0.clone()),
                }
            }
            report.removed = previous
                .kernels
                .iter()
                .zip(&survived)
                .filter(|(_, survived)| !**survived)
                .map(|((id, _), _)| id.clone())
                .collect();
            // A slot goes on from its old value (set by events, maybe ramping) unless the
            // patch's value for it changed: an edit or a reload of that value wins.
            let old_params: HashMap<(&str, &str, u32), usize> = previous
                .params
                .iter()
                .enumerate()
                .map(|(index, (id, input, value))| ((id.as_str(), *input, value.to_bits()), index))
                .collect();
            for (new, (id, input, value)) in params.iter().enumerate() {
                if let Some(&old) = old_params.get(&(id.as_str(), *input, value.to_bits())) {
                    kept_params.push((ParamIdx(old as u16), ParamIdx(new as u16)));
                }
            }
            report.crossfade = previous.structure != structure;
        }
    }
    let executable = build_executable(compiled.program, &compiled.kernels, settings)?;
    let loaded = Box::new(Loaded {
        executable,
        keys: key_table,
        generation,
        kept_kernels,
        kept_params,
        crossfade: report.crossfade,
    });
    let published = Published {
        structure,
        kernels,
        params,
        slots,
    };
    Ok((loaded, published, report))
}
