//! The catalog built from every family's declarations, and what hosts ask of a module: its
//! kernel, its memory, whether a new value needs a new kernel.

use crate::kernels;
use crate::module::{Build, Module};
use patchvm_ir::{Catalog, ModuleSpec, Rate, Role, TextValue, Timeline};
use patchvm_vm::Kernel;
use patchvm_vm::audio::{AudioData, AudioFiles};
use std::sync::Arc;
#[expect(
    clippy::disallowed_types,
    reason = "the registry is built and read on the control side (compiling, building kernels); no kernel's process reads it"
)]
use std::sync::OnceLock;

/// What a kernel is built from: the node's parameter values and the engine's settings.
///
/// Building happens off the audio thread; this is where a kernel allocates its memory.
#[derive(Clone, Copy, Debug)]
pub struct KernelInit<'a> {
    /// One value per input of the module, in catalog order: the value the patch sets, else the
    /// input's default. Already checked against the input's range.
    pub params: &'a [f64],
    /// The node's texts, one per text input that has one (see [`patchvm_ir::text`]), already
    /// checked by the module; a text input without one reads its default. The builder reads
    /// them by name ([`KernelInit::text`]), on the control side: text never reaches the audio
    /// thread except inside a built kernel.
    pub texts: &'a [TextValue],
    /// Samples per second.
    pub sample_rate: f64,
    /// The node's random seed, already combined from the render seed, the node's `seed`
    /// parameter (if it has one) and its id, so two noise nodes never share a sequence.
    pub seed: u64,
    /// Whether the node's cycle-breaking input (a delay's `in`) closes a cycle. If so the
    /// compiler calls `process` before `feed` in each block, and the kernel must not depend on
    /// the current block's fed input, so a delay keeps at least [`patchvm_vm::MAX_BLOCK`]
    /// samples.
    pub in_feedback_loop: bool,
    /// The decoded audio files the patch names (its audio-file texts, its sample bank), by
    /// those names; read through [`KernelInit::audio_file`]. A builder keeps clones of the
    /// `Arc`s it plays: the samples are shared, never copied.
    pub audio: &'a AudioFiles,
    /// The patch's timelines section, which a `timeline` node plays one of by name; empty
    /// where a host builds a node without its patch.
    pub timelines: &'a [Timeline],
}

/// What a node is built with when its host gives no audio files.
static NO_AUDIO: AudioFiles = AudioFiles::EMPTY;

impl<'a> KernelInit<'a> {
    /// Settings for a node outside any loop, with seed 0 and its text inputs at their
    /// defaults.
    pub fn new(params: &'a [f64], sample_rate: f64) -> KernelInit<'a> {
        KernelInit {
            params,
            texts: &[],
            sample_rate,
            seed: 0,
            in_feedback_loop: false,
            audio: &NO_AUDIO,
            timelines: &[],
        }
    }
}

impl<'a> KernelInit<'a> {
    /// The text of text input `name` of `spec` (the module being built, `init.spec()` in a
    /// builder): the node's, else the input's default. Read once, on the control side; the
    /// kernel keeps what it makes of it.
    ///
    /// # Panics
    /// If `spec` has no text input `name`: builders ask only for their own inputs, so this is
    /// a bug the test building every module finds.
    ///
    /// ```
    /// use patchvm_ir::text::{TextInfo, TextProblem, TextSpec};
    /// use patchvm_ir::{InputSpec, ModuleSpec, Rate, Role, TextValue, Unit};
    /// use patchvm_modules::KernelInit;
    /// fn any(_: &str) -> Result<TextInfo, TextProblem> { Ok(TextInfo::default()) }
    /// static WORDS: TextSpec =
    ///     TextSpec { default: "bd sd", check: any, outputs: None, audio_file: false };
    /// const INPUTS: &[InputSpec] = &[InputSpec { name: "words", doc: "", default: 0.0, min: 0.0,
    ///     max: 0.0, unit: Unit::Text(&WORDS), rate: Rate::Init, breaks_cycles: false }];
    /// let spec = ModuleSpec { name: "w", doc: "", inputs: INPUTS, outputs: &[], role: Role::Kernel };
    /// assert_eq!(KernelInit::new(&[0.0], 48_000.0).text(&spec, "words"), "bd sd");
    /// let texts = [TextValue { input: 0, text: "hh".into() }];
    /// let init = KernelInit { texts: &texts, ..KernelInit::new(&[0.0], 48_000.0) };
    /// assert_eq!(init.text(&spec, "words"), "hh");
    /// ```
    pub fn text(&self, spec: &ModuleSpec, name: &str) -> &'a str {
        let (input, text) = spec
            .input(name)
            .and_then(|input| Some((input, spec.text(input)?)))
            .unwrap_or_else(|| panic!("`{}` has no text input `{name}`", spec.name));
        let texts: &'a [TextValue] = self.texts;
        texts
            .iter()
            .find(|value| value.input == input)
            .map_or(text.default, |value| value.text.as_str())
    }

    /// The decoded audio of audio-file text input `name` of `spec` (see
    /// [`TextSpec::audio_file`](patchvm_ir::text::TextSpec::audio_file)): the file its text
    /// names, if the host loaded one. `None` for an empty text, and where a host built the
    /// node without its files (a kernel then plays silence rather than fail).
    pub fn audio_file(&self, spec: &ModuleSpec, name: &str) -> Option<Arc<AudioData>> {
        let path = self.text(spec, name);
        self.audio.file(path).cloned()
    }
}

/// The catalog and, at the same index as each module, its declaration.
struct Registry {
    catalog: Catalog,
    modules: Vec<Module>,
}

#[expect(
    clippy::disallowed_types,
    reason = "the registry is built and read on the control side (compiling, building kernels); no kernel's process reads it"
)]
fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let modules: Vec<Module> = kernels::modules().collect();
        let catalog = Catalog::new(modules.iter().map(|module| module.spec).collect());
        let catalog = modules
            .iter()
            .filter_map(|module| module.fold.map(|fold| (module.spec.name, fold)))
            .fold(catalog, |catalog, (name, fold)| {
                catalog.with_fold(name, fold)
            });
        let catalog = modules
            .iter()
            .filter(|module| module.lanes)
            .fold(catalog, |catalog, module| {
                catalog.with_lanes(module.spec.name)
            });
        let catalog = modules
            .iter()
            .filter_map(|module| module.part.map(|part| (module.spec.name, part)))
            .fold(catalog, |catalog, (name, part)| {
                catalog.with_part(name, part)
            });
        let catalog = modules
            .iter()
            .filter_map(|module| module.not_built.map(|not| (module.spec.name, not)))
            .fold(catalog, |catalog, (name, not_built)| {
                catalog.with_not_built(name, not_built)
            });
        let catalog = match crate::STRETCH_BUILT {
            true => catalog,
            false => catalog.with_clips_not_built(crate::NO_STRETCH),
        };
        Registry { catalog, modules }
    })
}

/// Every module patchvm knows.
pub fn catalog() -> &'static Catalog {
    &registry().catalog
}

/// Builds the kernel for one node of module `spec`; `None` for modules without a kernel
/// (role [`Role::Output`]) or not in this crate's catalog.
///
/// # Panics
/// If `init.params` does not have one value per input of `spec`: callers build it from the
/// same catalog entry, so a mismatch is a bug.
pub fn build(spec: &ModuleSpec, init: &KernelInit) -> Option<Box<dyn Kernel>> {
    if spec.role != Role::Kernel {
        return None;
    }
    assert_eq!(
        init.params.len(),
        spec.inputs.len(),
        "`{}` takes one value per input",
        spec.name
    );
    let index = position(spec)?;
    let build = registry().modules[index].build?;
    Some(build(&Build::new(spec, init)))
}

/// The bytes a kernel of `spec` built with `init` would allocate for its state, counting only
/// state that grows with parameters (delay lines); hosts check it against
/// `Limits::max_state_bytes` before building anything.
pub fn memory_bytes(spec: &ModuleSpec, init: &KernelInit) -> usize {
    position(spec)
        .and_then(|index| registry().modules[index].memory_bytes)
        .map_or(0, |memory| memory(init))
}

/// Whether a kernel of `spec` has to be built again when the value of its input `input`
/// changes, to honour it: the input is read once when the kernel is built (set-once inputs),
/// or the kernel sizes its memory from its values (a delay line from its time). For every
/// other input the value only starts a parameter slot, which a running kernel reads every
/// block, so the kernel already running goes on exactly as one built with the new value and
/// given its state would (the kernels' tests check this for every module): a live engine
/// keeps it instead of building and copying.
pub fn rebuilt_by(spec: &ModuleSpec, input: usize) -> bool {
    let init = spec
        .inputs
        .get(input)
        .is_none_or(|input| input.rate == Rate::Init);
    init || position(spec).is_none_or(|index| registry().modules[index].memory_bytes.is_some())
}

/// The family whose state a kernel of `spec` takes over across a change of module (see
/// [`StateFamily`](crate::StateFamily)), if it has one: a live engine has a node's new kernel
/// copy its old one's state when both modules are of one family.
pub fn state_family(spec: &ModuleSpec) -> Option<crate::StateFamily> {
    position(spec).and_then(|index| registry().modules[index].family)
}

fn position(spec: &ModuleSpec) -> Option<usize> {
    registry().catalog.position(spec.name)
}

#[cfg(test)]
mod tests {
    use super::catalog;
    use patchvm_ir::{Part, Role};

    /// A module's role and its part say the same thing twice for outputs and inputs (the role
    /// for the compiler's treatment, the part for the ports): `with_part` checks a part fits
    /// the role, and this checks every such role has its part, so neither can drift alone.
    #[test]
    fn every_output_and_input_role_has_its_part_and_no_other_module_does() {
        let catalog = catalog();
        for spec in catalog.modules() {
            let part = catalog.part(spec.name);
            assert_eq!(
                spec.role == Role::Output,
                matches!(part, Some(Part::Output(_))),
                "`{}`: role {:?}, part {part:?}",
                spec.name,
                spec.role
            );
            assert_eq!(
                spec.role == Role::Input,
                matches!(part, Some(Part::Input { .. })),
                "`{}`: role {:?}, part {part:?}",
                spec.name,
                spec.role
            );
        }
    }
}
