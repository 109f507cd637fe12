//! One module's declaration — its spec, kernel, fold, lane form and memory estimate in one
//! value beside its kernel — and the glue that gives every kernel the shape its spec declares.

use crate::KernelInit;
use patchvm_ir::{FoldFn, ModuleSpec, NotBuilt, Part, Rate};
use patchvm_vm::{Beats, ClipEvent, Kernel, KernelRef, KernelShape};
use std::any::Any;
use std::ops::Deref;

/// Everything patchvm knows of one module, declared once, beside its kernel, in its family's
/// file; the family lists its modules in `MODULES` and the crate's table lists the families.
#[derive(Clone, Copy, Debug)]
pub struct Module {
    /// Its name, ports, parameters, ranges, units and doc.
    pub spec: ModuleSpec,
    /// Makes its kernel; `None` for modules the compiler implements itself (`output`, `input`).
    pub(crate) build: Option<KernelBuilder>,
    /// What it computes, if it is stateless, so the compiler can fold constant nodes.
    pub(crate) fold: Option<FoldFn>,
    /// Whether its kernel runs several nodes side by side in SIMD lanes
    /// ([`Kernel::process_lanes`]), so the compiler groups its nodes.
    pub(crate) lanes: bool,
    /// The memory a kernel built with given settings allocates, when that grows with its
    /// parameters (a delay line); `None` when it is small and fixed.
    pub(crate) memory_bytes: Option<MemoryEstimate>,
    /// The part it plays for the crates that know no module by name (the voice, the bus that
    /// sums voices, the fade of live edits, the output and input), if any.
    pub(crate) part: Option<Part>,
    /// What this build leaves out of it (a cargo feature's code), if a patch cannot use it.
    pub(crate) not_built: Option<NotBuilt>,
    /// The modules whose state its kernel takes over when a live edit changes a node's
    /// module within the family (a delay line into another delay's), if any: the engine then
    /// has the new kernel copy the old one's state ([`Kernel::copy_state_from`], which each
    /// kernel of the family implements for the others).
    pub(crate) family: Option<StateFamily>,
}

/// A family of modules whose kernels hold the same kind of state, so a node whose module
/// changes within it keeps that state across a live edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateFamily {
    /// Delays built on one line of past input (`delay.feedback`, `delay.comb`,
    /// `delay.allpass`, `delay.multitap`): the line goes on, so the echoes already in it
    /// continue.
    DelayLine,
    /// Oscillators on one 64-bit fixed-point phase (`osc.sine`, `osc.saw`, `osc.square`,
    /// `osc.triangle`, `osc.pulse`): the new waveform starts at the old one's phase.
    Phase,
    /// Filters on one state-variable core (`dsp::svf`: the cookbook filters but
    /// `filter.lowpass`, and `filter.svf`): the integrators' memory goes on under the new
    /// response.
    StateVariable,
}

/// The bytes a kernel built with the given settings will allocate.
pub(crate) type MemoryEstimate = fn(&KernelInit) -> usize;

/// Makes a kernel for one node: [`Build::kernel`] gives it the shape of its module's spec.
pub(crate) type KernelBuilder = fn(&Build) -> Box<dyn Kernel>;

impl Module {
    /// A module with a kernel, made by `build`.
    pub(crate) const fn kernel(spec: ModuleSpec, build: KernelBuilder) -> Module {
        Module {
            spec,
            build: Some(build),
            fold: None,
            lanes: false,
            memory_bytes: None,
            part: None,
            not_built: None,
            family: None,
        }
    }

    /// A module the compiler implements itself, without a kernel.
    pub(crate) const fn compiled(spec: ModuleSpec) -> Module {
        Module {
            spec,
            build: None,
            fold: None,
            lanes: false,
            memory_bytes: None,
            part: None,
            not_built: None,
            family: None,
        }
    }

    /// The module, declared stateless, computing `fold` (exactly what its kernel computes).
    pub(crate) const fn fold(self, fold: FoldFn) -> Module {
        Module {
            fold: Some(fold),
            ..self
        }
    }

    /// The module, declared to run its nodes in lanes.
    pub(crate) const fn lanes(self) -> Module {
        Module {
            lanes: true,
            ..self
        }
    }

    /// The module, playing `part`.
    pub(crate) const fn part(self, part: Part) -> Module {
        Module {
            part: Some(part),
            ..self
        }
    }

    /// The module, left out of this build as `not_built` says.
    #[cfg_attr(
        feature = "stretch",
        expect(
            dead_code,
            reason = "only modules behind a feature this build lacks call it"
        )
    )]
    pub(crate) const fn not_built(self, not_built: NotBuilt) -> Module {
        Module {
            not_built: Some(not_built),
            ..self
        }
    }

    /// The module, whose kernels take over the state of `family`'s others.
    pub(crate) const fn family(self, family: StateFamily) -> Module {
        Module {
            family: Some(family),
            ..self
        }
    }

    /// The module, with its kernels' memory estimated by `memory`.
    pub(crate) const fn memory(self, memory: MemoryEstimate) -> Module {
        Module {
            memory_bytes: Some(memory),
            ..self
        }
    }
}

/// The index among `spec`'s processed inputs (the blocks [`Kernel::process`] receives, in the
/// order of [`ModuleSpec::processed_inputs`]) of input `name`, for reading it as
/// `inputs[FREQ]`. Evaluated in a `const`, so a name the spec lacks, or an input that is not
/// processed (set-once, or fed), fails the build.
pub(crate) const fn port(spec: &ModuleSpec, name: &str) -> usize {
    let mut index = 0;
    let mut processed = 0;
    while index < spec.inputs.len() {
        let input = &spec.inputs[index];
        let is_processed = matches!(input.rate, Rate::Audio) && !input.breaks_cycles;
        if same(input.name, name) {
            assert!(is_processed, "the input is not one `process` receives");
            return processed;
        }
        if is_processed {
            processed += 1;
        }
        index += 1;
    }
    panic!("the module has no input of that name")
}

/// [`port`] of each of `names`, for kernels that take their inputs at once:
/// `let [input, attack] = ATTACK_PORTS.map(|port| inputs[port])`.
pub(crate) const fn ports<const N: usize>(spec: &ModuleSpec, names: [&str; N]) -> [usize; N] {
    let mut found = [0; N];
    let mut index = 0;
    while index < N {
        found[index] = port(spec, names[index]);
        index += 1;
    }
    found
}

/// The index of output `name` of `spec`, for writing it as `outputs[OUT]`. A name the spec
/// lacks fails the build.
pub(crate) const fn output(spec: &ModuleSpec, name: &str) -> usize {
    let mut index = 0;
    while index < spec.outputs.len() {
        if same(spec.outputs[index].name, name) {
            return index;
        }
        index += 1;
    }
    panic!("the module has no output of that name")
}

/// The output blocks at `ports` (from [`output`]), borrowed each on its own, for kernels that
/// write several outputs at once.
///
/// # Panics
/// If two ports are the same or one is out of range: the ports come from one spec's distinct
/// output names and the VM passes every output the shape declares, so that is a bug.
///
/// Real-time safe: does not allocate, lock or block.
#[inline]
pub(crate) fn blocks_mut<'a, const N: usize>(
    outputs: &'a mut [&mut [f32]],
    ports: [usize; N],
) -> [&'a mut [f32]; N] {
    outputs
        .get_disjoint_mut(ports)
        .expect("distinct outputs of the kernel's shape")
        .map(|block| &mut **block)
}

/// String equality in a `const fn`.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The shape of a kernel of `spec`: its processed inputs, its outputs, and whether it takes a
/// feed. The one place a shape comes from.
pub(crate) fn shape_of(spec: &ModuleSpec) -> KernelShape {
    let count = |n: usize| u8::try_from(n).expect("a module has at most MAX_PORTS ports");
    KernelShape {
        inputs: count(spec.processed_inputs().count()),
        outputs: count(spec.outputs.len()),
        takes_feed: spec.fed_input().is_some(),
    }
}

/// What a kernel builder gets: the node's settings, and the shape of its module's spec, which
/// [`Build::kernel`] gives the kernel it makes.
pub(crate) struct Build<'a> {
    init: &'a KernelInit<'a>,
    spec: &'a ModuleSpec,
    shape: KernelShape,
}

impl<'a> Build<'a> {
    /// The settings `init` for a kernel of `spec`.
    pub(crate) fn new(spec: &'a ModuleSpec, init: &'a KernelInit<'a>) -> Build<'a> {
        Build {
            init,
            spec,
            shape: shape_of(spec),
        }
    }

    /// The spec of the module being built, for kernels several modules share.
    pub(crate) fn spec(&self) -> &ModuleSpec {
        self.spec
    }

    /// `dsp` as the VM's kernel, with the shape of the module being built.
    pub(crate) fn kernel<D: Dsp>(&self, dsp: D) -> Box<dyn Kernel> {
        Box::new(Shaped {
            shape: self.shape,
            dsp,
        })
    }
}

impl<'a> Deref for Build<'a> {
    type Target = KernelInit<'a>;

    fn deref(&self) -> &KernelInit<'a> {
        self.init
    }
}

/// What a module's kernel implements: [`Kernel`] without `shape`, which its module's spec gives
/// (see [`Build::kernel`]). The methods mean what [`Kernel`]'s do; `other` in
/// `copy_state_from` and the kernels of `rest` in `process_lanes` are the VM's kernels, which
/// [`same`](crate::dsp::state::same) and [`lane`] see through.
pub(crate) trait Dsp: Send + 'static {
    /// [`Kernel::process`].
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]);

    /// [`Kernel::process_at`]; by default the kernel ignores musical time.
    #[inline]
    fn process_at(&mut self, beats: &Beats, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let _ = beats;
        self.process(inputs, outputs);
    }

    /// [`Kernel::process_lanes`]; by default the kernel has no lane form.
    fn process_lanes(
        &mut self,
        rest: &mut [KernelRef],
        inputs: &[&[f32]],
        outputs: &mut [&mut [f32]],
    ) -> bool {
        let _ = (rest, inputs, outputs);
        false
    }

    /// [`Kernel::feed`].
    fn feed(&mut self, input: &[f32]) {
        let _ = input;
    }

    /// [`Kernel::reset`].
    fn reset(&mut self);

    /// [`Kernel::copy_state_from`]; by default the kernel keeps no state.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        let _ = other;
        false
    }

    /// [`Kernel::reports_clips`]; by default the kernel reports none.
    fn reports_clips(&self) -> bool {
        false
    }

    /// [`Kernel::clip_events`]; by default the kernel has none.
    fn clip_events(&mut self, time: u64, emit: &mut dyn FnMut(ClipEvent)) {
        let _ = (time, emit);
    }
}

/// A [`Dsp`] with the shape of its module's spec: what the VM runs. Every call goes straight
/// to the `Dsp`, statically, so the VM's dispatch is the one virtual call it always was.
pub(crate) struct Shaped<D> {
    shape: KernelShape,
    pub(crate) dsp: D,
}

impl<D: Dsp> Kernel for Shaped<D> {
    fn shape(&self) -> KernelShape {
        self.shape
    }

    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        self.dsp.process(inputs, outputs);
    }

    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    fn process_at(&mut self, beats: &Beats, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        self.dsp.process_at(beats, inputs, outputs);
    }

    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    fn process_lanes(
        &mut self,
        rest: &mut [KernelRef],
        inputs: &[&[f32]],
        outputs: &mut [&mut [f32]],
    ) -> bool {
        self.dsp.process_lanes(rest, inputs, outputs)
    }

    /// Real-time safe: does not allocate, lock or block.
    #[inline]
    fn feed(&mut self, input: &[f32]) {
        self.dsp.feed(input);
    }

    fn reset(&mut self) {
        self.dsp.reset();
    }

    /// Real-time safe: does not allocate, lock or block.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        self.dsp.copy_state_from(other)
    }

    fn reports_clips(&self) -> bool {
        self.dsp.reports_clips()
    }

    /// Real-time safe: does not allocate, lock or block.
    fn clip_events(&mut self, time: u64, emit: &mut dyn FnMut(ClipEvent)) {
        self.dsp.clip_events(time, emit);
    }
}

/// The `D` behind the VM's kernel `kernel`, if it is one.
pub(crate) fn dsp<D: Dsp>(kernel: &dyn Kernel) -> Option<&D> {
    (kernel as &dyn Any)
        .downcast_ref::<Shaped<D>>()
        .map(|shaped| &shaped.dsp)
}

/// The `D` behind lane `kernel` of a `CALL_LANES` group, if it is one.
pub(crate) fn lane<D: Dsp>(kernel: &mut KernelRef) -> Option<&mut D> {
    (&mut **kernel as &mut dyn Any)
        .downcast_mut::<Shaped<D>>()
        .map(|shaped| &mut shaped.dsp)
}

/// Whether every kernel of `rest` is a `D`, so a lane form may run them.
pub(crate) fn all_lanes<D: Dsp>(rest: &[KernelRef]) -> bool {
    rest.iter()
        .all(|kernel| (&**kernel as &dyn Any).is::<Shaped<D>>())
}
