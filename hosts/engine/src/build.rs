//! Turning a compiled patch into programs ready for the audio half: building the kernels it
//! does not share with the program before it, working out what else it keeps, and, for a
//! structural edit, the transition program that crossfades into it.

use super::keys::Keys;
use super::report::SwapReport;
use crate::instance::{Settings, build_kernel, verify_failed};
use patchvm_audio::{AudioData, AudioFiles};
use patchvm_compiler::ghost::Carried;
use patchvm_compiler::{
    CompileOptions, Compiled, KernelNode, Origin, ParamNode, ProbePoint, Transition, compile_graph,
    transition_with_tails,
};
use patchvm_ir::text::TextSpec;
use patchvm_ir::{
    Diagnostics, Graph, ModuleSpec, NodeIdx, NodeName, Patch, TextValue, Timeline, Unit,
};
use patchvm_modules::{catalog, rebuilt_by, state_family};
use patchvm_vm::live::{Loaded, ParamKey, ProbeTap, Tail, Takeover, fade_samples};
use patchvm_vm::{Executable, Instr, KernelId, KernelIdx, ParamIdx, Reg, SharedKernel};
use std::sync::Arc;

/// What the control side remembers of the last program it published: enough to work out
/// what the next one keeps, and which node inputs events can reach.
#[derive(Debug)]
pub(crate) struct Published {
    /// The program's structure with its kernels' modules (parameter values are not part of
    /// it).
    structure: Structure,
    /// Each kernel, by `KernelIdx`.
    kernels: Vec<BuiltKernel>,
    /// `(node id, input, initial value)` of each parameter slot, by `ParamIdx`.
    params: Vec<Slot>,
    /// The key of each slot and the slot, sorted by key.
    keys: Vec<(ParamKey, ParamIdx)>,
    /// The graph it was compiled from, for the next structural edit's transition.
    graph: Graph<'static>,
}

/// A parameter slot as a node input and its value in the patch.
type Slot = (NodeName, &'static str, f32);

/// A node input: the node's id and the input's name.
type Input = (NodeName, &'static str);

/// Which node input a slot stands for: in the program before (whose value it goes on from)
/// and in the program after (the key events reach it by, and the slot it goes on into).
/// The same for every slot but a transition's: a fade's `from` goes on from its input's old
/// slot, its `to` stands for the input's new one, and a renamed ghost's slots go on from
/// the node it is the old side of.
struct SlotNames {
    before: Input,
    after: Input,
}

/// For a program whose slots all stand for themselves.
fn unrenamed(_: &ParamNode) -> Option<SlotNames> {
    None
}

/// A program's instructions, arguments, parameter registers and channel count.
type Structure = (Vec<Instr>, Vec<Reg>, Vec<Reg>, u8);

/// A kernel as the control side remembers it: what identifies its state across edits (node
/// id and module), what it was built from, and the kernel itself, to share with the next
/// program.
#[derive(Debug)]
struct BuiltKernel {
    id: NodeName,
    module: &'static ModuleSpec,
    /// The node's values, one per input of the module.
    values: Vec<f64>,
    /// The node's texts, one per text input.
    texts: Vec<TextValue>,
    in_feedback_loop: bool,
    /// The timeline it plays, if it is a `timeline` node: a clip edit builds it again.
    timeline: Option<Timeline>,
    /// The decoded audio it was built with ([`audio_of`], and a timeline's clips' files).
    audio: Vec<Option<Arc<AudioData>>>,
    kernel: SharedKernel,
}

/// The decoded audio `node`'s kernel is built with: the file each of its audio-file texts
/// names, in order, and, for a node with any, every word of the sample bank (a sampler may
/// play words). Empty for every other node, so it costs them nothing.
fn audio_of(node: &KernelNode, audio: &AudioFiles) -> Vec<Option<Arc<AudioData>>> {
    let files: Vec<Option<Arc<AudioData>>> = node
        .texts
        .iter()
        .filter(|text| {
            matches!(
                node.spec.inputs[text.input].unit,
                Unit::Text(TextSpec {
                    audio_file: true,
                    ..
                })
            )
        })
        .map(|text| audio.file(&text.text).cloned())
        .collect();
    if files.is_empty() {
        return files;
    }
    let words = audio.words().map(|word| audio.word(word).cloned());
    files.into_iter().chain(words).collect()
}

/// Whether two lists of decoded audio are the same samples, `Arc` for `Arc`: the cache gives
/// one `Arc` per content, so a file whose bytes changed is another.
fn same_audio(a: &[Option<Arc<AudioData>>], b: &[Option<Arc<AudioData>>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|pair| match pair {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        })
}

impl BuiltKernel {
    /// Whether `node` (of the same id and module) is built from the same settings as `self`,
    /// so that the kernel already running can go on for it: the same texts, and the same
    /// values, bit for bit, for every input the kernel is built from ([`rebuilt_by`]); the
    /// others only start parameter slots. A new text builds a new kernel, which copies what
    /// state it can from this one, and so do an edited timeline (`timeline`, the one it
    /// plays) and a file read anew (`audio`, the node's [`audio_of`]) whose content changed.
    fn built_alike(
        &self,
        node: &KernelNode,
        timeline: Option<&Timeline>,
        audio: &[Option<Arc<AudioData>>],
    ) -> bool {
        self.in_feedback_loop == node.in_feedback_loop
            && self.texts == node.texts
            && self.timeline.as_ref() == timeline
            && same_audio(&self.audio, audio)
            && self.values.len() == node.values.len()
            && self
                .values
                .iter()
                .zip(&node.values)
                .enumerate()
                .all(|(input, (a, b))| {
                    a.to_bits() == b.to_bits() || !rebuilt_by(self.module, input)
                })
    }
}

/// The timeline `node` plays, if it is a `timeline` node naming one of `timelines`.
fn played_timeline<'t>(node: &KernelNode, timelines: &'t [Timeline]) -> Option<&'t Timeline> {
    let spec = &patchvm_modules::kernels::timeline::TIMELINE.spec;
    if node.spec.name != spec.name {
        return None;
    }
    let input = spec.input("name")?;
    let name = node.texts.iter().find(|text| text.input == input)?;
    timelines
        .iter()
        .find(|timeline| timeline.name.text == name.text)
}

/// Which node of the program before a new kernel's node carries on.
enum Lineage {
    /// The node of the same id and module, if there is one: one kernel if built alike.
    /// Failing that, the node of the same id whose module is of the same state family (see
    /// [`state_family`]): the new kernel copies its state.
    Same,
    /// The old graph's node: one kernel if built alike and `share`, else the new kernel copies
    /// the old one's state.
    Old(NodeIdx, bool),
    /// None: the kernel starts afresh.
    Fresh,
}

impl Published {
    /// The identity of each kernel and the id of the node it runs.
    pub(crate) fn kernel_names(&self) -> impl Iterator<Item = (KernelId, &NodeName)> {
        self.kernels
            .iter()
            .map(|built| (KernelId::of(&built.kernel), &built.id))
    }

    /// The key of input `input` of node `node`, if it is a parameter slot of this program.
    pub(crate) fn slot(&self, keys: &Keys, node: &str, input: &str) -> Option<ParamKey> {
        let key = keys.get(node, input)?;
        self.keys
            .binary_search_by_key(&key, |&(key, _)| key)
            .ok()
            .map(|_| key)
    }
}

/// Everything a program is built with, beside its predecessor.
pub(crate) struct Build<'a> {
    /// The patch it comes from (the compiler keeps its event targets unfolded).
    pub patch: &'a Patch,
    pub options: &'a CompileOptions,
    pub settings: &'a Settings,
    pub generation: u64,
    /// The decoded audio files the patch names.
    pub audio: &'a AudioFiles,
    /// How long its fades last, in seconds: a transition's crossfade, a changed value's glide.
    pub fade: f64,
    /// The tap a program publishes its probed outputs with, from where they live in it.
    pub probes: &'a dyn Fn(&[ProbePoint]) -> ProbeTap,
    /// How long removed effects may ring out after a transition, in seconds; 0 rings none.
    pub tail_max: f64,
}

/// Builds the program `compiled` from `graph` to replace `previous`, the program published
/// before it: the kernels of surviving nodes are `previous`'s own, shared; the others are
/// built here (all allocation happens here, on the control side). When nodes or connections
/// changed, what is published is a transition program — the two graphs joined, every input
/// whose connections changed crossfading from its old sources to its new ones over the fade
/// time, removed nodes playing out — followed by the new program. A slot whose value in the
/// patch changed glides to it over the fade time, unless it takes whole numbers (seeds,
/// choices), which jump. Fails only if a program does not verify, which is a bug of patchvm's.
pub(crate) fn build(
    compiled: Compiled<'static>,
    graph: Graph<'static>,
    how: &Build,
    previous: Option<&Published>,
    keys: &mut Keys,
) -> Result<(Box<Loaded>, Published, SwapReport), Diagnostics> {
    // The keys of the new program's slots first: the transition's slots look theirs up.
    let new_keys: Vec<ParamKey> = compiled
        .params
        .iter()
        .map(|slot| keys.key(&slot.id, slot.port))
        .collect();
    let own_keys = |index: usize, _: &str, _: &str| new_keys.get(index).copied();
    let keys = &*keys;
    let looked_up = |_: usize, node: &str, input: &str| keys.get(node, input);
    let report = report(&compiled, previous, how.generation);
    let by_id = |_: &KernelNode| Lineage::Same;
    let joined = match previous {
        Some(previous) => {
            let carried: Carried = &|old, new| carries_state(old, new);
            let tails = (how.tail_max > 0.0).then_some(carried);
            transition_with_tails(&previous.graph, &graph, catalog(), how.fade, tails)
                .map_err(|bug| vec![bug])?
        }
        None => None,
    };
    // A transition too large for a program (both graphs whole, past the limits on kernels
    // or registers) leaves the switch unfaded rather than refusing the patch.
    let union = joined.and_then(|joined| {
        let union = compile_graph(how.patch, &joined.graph, catalog(), how.options).ok()?;
        Some((joined, union))
    });
    let tap = (how.probes)(&compiled.probes);
    let (Some(previous), Some((joined, union))) = (previous, union) else {
        let (mut loaded, published) = assemble(
            compiled, graph, how, previous, &own_keys, &by_id, &unrenamed,
        )?;
        loaded.probes = tap;
        let copied = copied(&loaded, previous);
        return Ok((loaded, published, SwapReport { copied, ..report }));
    };
    let ghost = patchvm_compiler::ghost::ghost(&previous.graph, &graph, &joined.ring)
        .map_err(|bug| vec![bug])?;
    let origins = &joined.origins;
    let from_origin = |node: &KernelNode| match origins[node.node.index()] {
        Origin::New(_) => Lineage::Same,
        Origin::Removed(index) => Lineage::Old(index, true),
        Origin::Split(index) => Lineage::Old(index, false),
        Origin::Fade => Lineage::Fresh,
    };
    let faded = faded_inputs(&joined);
    let renamed = |slot: &ParamNode| match origins[slot.node.index()] {
        Origin::New(_) => None,
        Origin::Removed(index) | Origin::Split(index) => Some(SlotNames {
            before: (previous.graph.nodes[index.index()].id.clone(), slot.port),
            after: (slot.id.clone(), slot.port),
        }),
        Origin::Fade => {
            let input = faded[&slot.node].clone();
            Some(match slot.port {
                "to" => SlotNames {
                    before: input.clone(),
                    after: input,
                },
                _ => SlotNames {
                    before: input,
                    after: (slot.id.clone(), slot.port),
                },
            })
        }
    };
    // A probed node that survives has its id in the joined graph: the transition publishes it.
    let transition_tap = (how.probes)(&union.probes);
    let (mut first, between) = assemble(
        union,
        joined.graph,
        how,
        Some(previous),
        &looked_up,
        &from_origin,
        &renamed,
    )?;
    first.probes = transition_tap;
    let (mut then, published) = assemble(
        compiled,
        graph,
        how,
        Some(&between),
        &own_keys,
        &by_id,
        &unrenamed,
    )?;
    let mut copied = copied(&first, Some(previous));
    copied.extend(self::copied(&then, Some(&between)));
    then.probes = tap;
    first.then = Some(then);
    first.tail = tail(ghost, how, &between)?;
    let report = SwapReport {
        crossfade: true,
        copied,
        ..report
    };
    Ok((first, published, report))
}

/// The ghost program of the removed effects that ring out after the transition `between`
/// (see [`patchvm_compiler::ghost`]): their kernels are the transition's, shared, and no
/// event reaches its slots. `None` when nothing rings, or when it does not compile (past the
/// limits), which leaves the tails cut after the fade as before.
fn tail(
    ghost: Option<Graph<'static>>,
    how: &Build,
    between: &Published,
) -> Result<Option<Tail>, Diagnostics> {
    let Some(ghost) = ghost else {
        return Ok(None);
    };
    let Ok(compiled) = compile_graph(how.patch, &ghost, catalog(), how.options) else {
        return Ok(None);
    };
    let no_keys = |_: usize, _: &str, _: &str| None;
    let by_id = |_: &KernelNode| Lineage::Same;
    let (loaded, _) = assemble(
        compiled,
        ghost,
        how,
        Some(between),
        &no_keys,
        &by_id,
        &unrenamed,
    )?;
    let max_samples = (how.tail_max * how.settings.sample_rate).round() as u64;
    Ok(Some(Tail {
        loaded,
        max_samples,
    }))
}

/// For each fade of a transition, the node input it feeds: `(node id, input)`.
fn faded_inputs(joined: &Transition) -> foldhash::HashMap<NodeIdx, Input> {
    let graph = &joined.graph;
    graph
        .edges
        .iter()
        .filter(|edge| joined.origins[edge.from.index()] == Origin::Fade)
        .map(|edge| {
            let target = &graph.nodes[edge.to.index()];
            (
                edge.from,
                (target.id.clone(), target.spec.inputs[edge.input].name),
            )
        })
        .collect()
}

/// Builds one program against `previous`: each kernel whose `lineage` leads into `previous`
/// shares its kernel (or copies its state, when it may not share it or is built from other
/// settings); the rest are built new. Slot `i`, standing for a node input (its own unless
/// `renamed` says otherwise), gets the key `key_of(i, node, input)` gives, if any.
fn assemble(
    compiled: Compiled<'static>,
    graph: Graph<'static>,
    how: &Build,
    previous: Option<&Published>,
    key_of: &dyn Fn(usize, &str, &str) -> Option<ParamKey>,
    lineage: &dyn Fn(&KernelNode) -> Lineage,
    renamed: &dyn Fn(&ParamNode) -> Option<SlotNames>,
) -> Result<(Box<Loaded>, Published), Diagnostics> {
    let old_kernels: foldhash::HashMap<(&str, &str), usize> = previous
        .iter()
        .flat_map(|previous| previous.kernels.iter().enumerate())
        .map(|(index, kernel)| ((kernel.id.as_str(), kernel.module.name), index))
        .collect();
    let mut copied = Vec::new();
    let mut kernels = Vec::with_capacity(compiled.kernels.len());
    // A kernel runs in one place in a program: an old kernel two nodes carry on from (a
    // stateless node whose values changed plays its old and new versions side by side in a
    // transition) is shared by the first and copied by the second.
    let mut shared = vec![false; previous.map_or(0, |previous| previous.kernels.len())];
    // Whether each slot must jump to a new value rather than glide: a whole number.
    let jumps: Vec<bool> = compiled
        .params
        .iter()
        .map(|slot| {
            let input = &graph.nodes[slot.node.index()].spec.inputs[slot.input];
            input.unit == Unit::Integer
        })
        .collect();
    for (index, node) in compiled.kernels.into_iter().enumerate() {
        let timeline = played_timeline(&node, &how.patch.timelines);
        let mut audio = audio_of(&node, how.audio);
        if let Some(timeline) = timeline {
            let clips = timeline.clips.iter();
            audio.extend(clips.map(|clip| how.audio.file(&clip.file.text).cloned()));
        }
        let old = match (lineage(&node), previous) {
            (Lineage::Same, _) => old_kernels
                .get(&(node.id.as_str(), node.spec.name))
                .map(|&old| (old, true))
                .or_else(|| of_family(previous?, &node).map(|old| (old, false))),
            (Lineage::Old(index, share), Some(previous)) => {
                let old = &previous.graph.nodes[index.index()];
                old_kernels
                    .get(&(old.id.as_str(), old.spec.name))
                    .map(|&old| (old, share))
            }
            _ => None,
        };
        let kernel = match (old, previous) {
            (Some((old, true)), Some(previous))
                if !shared[old] && previous.kernels[old].built_alike(&node, timeline, &audio) =>
            {
                shared[old] = true;
                previous.kernels[old].kernel.clone()
            }
            (Some((old, _)), _) => {
                copied.push((KernelIdx(old as u16), KernelIdx(index as u16)));
                let timelines = &how.patch.timelines;
                SharedKernel::new(build_kernel(&node, how.settings, how.audio, timelines))
            }
            (None, _) => SharedKernel::new(build_kernel(
                &node,
                how.settings,
                how.audio,
                &how.patch.timelines,
            )),
        };
        kernels.push(BuiltKernel {
            id: node.id,
            module: node.spec,
            values: node.values,
            texts: node.texts,
            in_feedback_loop: node.in_feedback_loop,
            timeline: timeline.cloned(),
            audio,
            kernel,
        });
    }
    let handles = kernels.iter().map(|kernel| kernel.kernel.clone()).collect();
    // SAFETY: the kernels shared with `previous` run only in the program playing: the audio
    // half plays one program at a time, taking them in the order they are published.
    let executable = unsafe { Executable::with_shared(compiled.program, handles) }
        .map_err(|error| verify_failed(&error))?;
    let program = executable.program();
    let (params, renamed): (Vec<Slot>, Vec<Option<Input>>) = compiled
        .params
        .into_iter()
        .zip(&program.params)
        .map(|(slot, &value)| match renamed(&slot) {
            Some(names) => ((names.after.0, names.after.1, value), Some(names.before)),
            None => ((slot.id, slot.port, value), None),
        })
        .unzip();
    // Each slot as the program before knows it.
    let before: Vec<(&str, &'static str, f32)> = params
        .iter()
        .zip(&renamed)
        .map(|((id, input, value), renamed)| match renamed {
            Some((id, input)) => (id.as_str(), *input, *value),
            None => (id.as_str(), *input, *value),
        })
        .collect();
    let mut key_table: Vec<(ParamKey, ParamIdx)> = params
        .iter()
        .enumerate()
        .filter_map(|(index, (node, input, _))| {
            Some((key_of(index, node, input)?, ParamIdx(index as u16)))
        })
        .collect();
    key_table.sort_unstable();
    let structure = (
        program.instrs.clone(),
        program.args.clone(),
        program.param_regs.clone(),
        program.channels,
    );
    let takeover = match previous {
        None => Takeover::NOTHING,
        Some(previous) if same_shape(previous, &structure, &kernels, &before) => {
            let (glide, reset) = reset(previous, &before)
                .into_iter()
                .partition(|slot| !jumps[slot.index()]);
            Takeover::Whole {
                rebuilt: copied.iter().map(|&(_, new)| new).collect(),
                reset,
                glide,
            }
        }
        Some(previous) => Takeover::Changed {
            copied,
            params: carried(previous, &before),
            glide: glided(previous, &before, &jumps),
        },
    };
    let loaded = Box::new(Loaded {
        executable,
        keys: key_table.clone(),
        generation: how.generation,
        takeover,
        fade: fade_samples(how.fade, how.settings.sample_rate),
        then: None,
        tail: None,
        quantize: None,
        probes: Default::default(),
    });
    let published = Published {
        structure,
        kernels,
        params,
        keys: key_table,
        graph,
    };
    Ok((loaded, published))
}

/// The kernel of `previous` whose state `node`'s copies when the node's module changed
/// within a family ([`state_family`]: a delay line into another delay's): the one of the
/// same id whose module is of the node's module's family.
fn of_family(previous: &Published, node: &KernelNode) -> Option<usize> {
    let family = state_family(node.spec)?;
    previous
        .kernels
        .iter()
        .position(|old| old.id == node.id && state_family(old.module) == Some(family))
}

/// Whether a node whose module changed from `old` to `new` carries its state on: both of one
/// state family, as [`of_family`] finds for the new kernel to copy.
fn carries_state(old: &ModuleSpec, new: &ModuleSpec) -> bool {
    state_family(old).is_some_and(|family| state_family(new) == Some(family))
}

/// Whether the new program has `previous`'s structure kernel for kernel (same node, same
/// module) and slot for slot (same node input): then it takes the old slots over whole.
fn same_shape(
    previous: &Published,
    structure: &Structure,
    kernels: &[BuiltKernel],
    params: &[(&str, &'static str, f32)],
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

/// For a program of `previous`'s shape: the slots whose value in the patch changed (an edit or
/// a reload of that value wins over the value events gave them).
fn reset(previous: &Published, params: &[(&str, &'static str, f32)]) -> Vec<ParamIdx> {
    previous
        .params
        .iter()
        .zip(params)
        .enumerate()
        .filter(|(_, (old, new))| old.2.to_bits() != new.2.to_bits())
        .map(|(index, _)| ParamIdx(index as u16))
        .collect()
}

/// For a program of another shape: `(old, new)` slots, sorted by `old`, where slot `new`
/// stands for the node input of `previous`'s slot `old` with the same value in the patch, and
/// goes on from its value (set by events, maybe ramping); a changed value in the patch wins.
/// Several slots may stand for one (a transition's split or re-moduled node and its old side):
/// every one of them goes on from it.
fn carried(
    previous: &Published,
    params: &[(&str, &'static str, f32)],
) -> Vec<(ParamIdx, ParamIdx)> {
    let old_params: foldhash::HashMap<(&str, &str, u32), usize> = previous
        .params
        .iter()
        .enumerate()
        .map(|(index, (id, input, value))| ((id.as_str(), *input, value.to_bits()), index))
        .collect();
    let mut pairs: Vec<(ParamIdx, ParamIdx)> = params
        .iter()
        .enumerate()
        .filter_map(|(new, &(id, input, value))| {
            let old = old_params.get(&(id, input, value.to_bits()))?;
            Some((ParamIdx(*old as u16), ParamIdx(new as u16)))
        })
        .collect();
    pairs.sort_unstable();
    pairs
}

/// For a program of another shape: `(old, new)` slots where slot `new` stands for the node
/// input of `previous`'s slot `old` with another value in the patch and may glide (not
/// `jumps`): it goes on from the old slot's value and glides to its own. Sorted by `old`.
fn glided(
    previous: &Published,
    params: &[(&str, &'static str, f32)],
    jumps: &[bool],
) -> Vec<(ParamIdx, ParamIdx)> {
    let old_params: foldhash::HashMap<(&str, &str), (usize, u32)> = previous
        .params
        .iter()
        .enumerate()
        .map(|(index, (id, input, value))| ((id.as_str(), *input), (index, value.to_bits())))
        .collect();
    let mut pairs: Vec<(ParamIdx, ParamIdx)> = params
        .iter()
        .enumerate()
        .filter(|&(new, _)| !jumps[new])
        .filter_map(|(new, &(id, input, value))| {
            let &(old, bits) = old_params.get(&(id, input))?;
            (bits != value.to_bits()).then_some((ParamIdx(old as u16), ParamIdx(new as u16)))
        })
        .collect();
    pairs.sort_unstable();
    pairs
}

/// What the new program keeps of `previous`, by node: kept, added and removed (whether it
/// crossfades is for [`build`] to say).
fn report(compiled: &Compiled, previous: Option<&Published>, generation: u64) -> SwapReport {
    let mut report = SwapReport {
        generation,
        ..SwapReport::default()
    };
    let old: foldhash::HashSet<(&str, &str)> = previous
        .iter()
        .flat_map(|previous| &previous.kernels)
        .map(|kernel| (kernel.id.as_str(), kernel.module.name))
        .collect();
    let new: foldhash::HashSet<(&str, &str)> = compiled
        .kernels
        .iter()
        .map(|node| (node.id.as_str(), node.spec.name))
        .collect();
    for node in &compiled.kernels {
        if old.contains(&(node.id.as_str(), node.spec.name)) {
            report.kept.push(node.id.clone());
        } else {
            report.added.push(node.id.clone());
        }
    }
    report.removed = previous
        .iter()
        .flat_map(|previous| &previous.kernels)
        .filter(|kernel| !new.contains(&(kernel.id.as_str(), kernel.module.name)))
        .map(|kernel| kernel.id.clone())
        .collect();
    report
}

/// The nodes of `previous` whose state `loaded` copies when it takes over.
fn copied(loaded: &Loaded, previous: Option<&Published>) -> Vec<NodeName> {
    let Some(previous) = previous else {
        return Vec::new();
    };
    let old: Vec<KernelIdx> = match &loaded.takeover {
        // Same structure: the same index in both programs.
        Takeover::Whole { rebuilt, .. } => rebuilt.clone(),
        Takeover::Changed { copied, .. } => copied.iter().map(|&(old, _)| old).collect(),
    };
    old.iter()
        .map(|kernel| previous.kernels[kernel.index()].id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use patchvm_ir::text::{TextInfo, TextProblem, TextSpec};
    use patchvm_ir::{InputSpec, Rate, Role, Span, Unit};
    use patchvm_modules::KernelInit;

    fn any(_: &str) -> Result<TextInfo, TextProblem> {
        Ok(TextInfo::default())
    }

    static WORDS: TextSpec = TextSpec {
        default: "a",
        check: any,
        outputs: None,
        audio_file: false,
    };

    /// A module with one text input, as a pattern player has.
    static SPEC: ModuleSpec = ModuleSpec {
        name: "test.words",
        doc: "",
        inputs: &[InputSpec {
            name: "words",
            doc: "",
            default: 0.0,
            min: 0.0,
            max: 0.0,
            unit: Unit::Text(&WORDS),
            rate: Rate::Init,
            breaks_cycles: false,
        }],
        outputs: &[],
        role: Role::Kernel,
    };

    fn node(text: &str) -> KernelNode<'static> {
        KernelNode {
            node: NodeIdx(0),
            id: "w".into(),
            spec: &SPEC,
            values: vec![0.0],
            texts: vec![TextValue {
                input: 0,
                text: text.into(),
            }],
            span: Span::NONE,
            in_feedback_loop: false,
        }
    }

    #[test]
    fn a_kernel_goes_on_for_the_same_text_and_is_built_again_for_another() {
        let gain = catalog().get("gain").unwrap();
        let kernel = patchvm_modules::build(gain, &KernelInit::new(&[0.0, 1.0], 48_000.0));
        let built = BuiltKernel {
            id: "w".into(),
            module: &SPEC,
            values: vec![0.0],
            texts: node("bd sd").texts,
            in_feedback_loop: false,
            timeline: None,
            audio: Vec::new(),
            kernel: SharedKernel::new(kernel.unwrap()),
        };
        assert!(built.built_alike(&node("bd sd"), None, &[]));
        assert!(!built.built_alike(&node("bd hh"), None, &[]));
    }
}
