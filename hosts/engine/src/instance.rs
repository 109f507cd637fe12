//! A patch made runnable: compiled, its kernels built, its program verified.

use crate::audio_files::{self, Resolved};
use crate::load::BlockLoads;
use crate::seed::node_seed;
use patchvm_audio::{AudioCache, AudioFiles};
use patchvm_compiler::{
    CompileOptions, Compiled, DEFAULT_VOICES, KernelNode, compile_graph, compile_with,
};
use patchvm_ir::{
    Code, Diagnostic, Diagnostics, Graph, Limits, Patch, Timeline, validate_voices, validate_with,
};
use patchvm_modules::{KernelInit, build, catalog, memory_bytes};
use patchvm_vm::{Executable, FlushDenormals, MAX_BLOCK, SinkEvent, Transport};
use std::path::Path;
use std::time::Instant;

/// What a patch is instantiated with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// Samples per second.
    pub sample_rate: f64,
    /// The render seed; the same patch, seed and events always give the same samples.
    pub seed: u64,
    /// How many voices a voice template plays: its copies in the compiled program, 1 to
    /// [`MAX_VOICES`](patchvm_ir::voices::MAX_VOICES).
    pub voices: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            sample_rate: 48_000.0,
            seed: 0,
            voices: DEFAULT_VOICES,
        }
    }
}

/// A compiled patch with its kernels, ready to produce samples. It plays from beat 0 of
/// its patch's tempo map, its transport running as a live engine's does, so a render follows
/// the map sample for sample.
#[derive(Debug)]
pub struct Instance {
    executable: Executable,
    sample_rate: f64,
    /// The beat line, over the program's tempo map.
    transport: Transport,
    /// Frames rendered so far.
    time: u64,
    /// The load of every block run since [`time_blocks`](Instance::time_blocks), if called.
    loads: Option<BlockLoads>,
}

impl Instance {
    /// Validates, compiles and builds `patch`, its audio files read relative to the working
    /// directory. All allocation happens here.
    pub fn new(
        patch: &Patch,
        settings: &Settings,
        limits: &Limits,
    ) -> Result<Instance, Diagnostics> {
        // Timelines without a `timeline` node play through implicit ones.
        let implicit;
        let patch = if patch.timelines.is_empty() {
            patch
        } else {
            let mut copy = patch.clone();
            patchvm_ir::timelines::play_implicitly(&mut copy);
            implicit = copy;
            &implicit
        };
        let compiled = prepare(patch, settings, limits)?;
        let audio = load_audio(patch, &compiled, Path::new(""), settings, limits)?;
        Instance::from_compiled(compiled, settings, &audio.files, &patch.timelines)
    }

    /// Builds the kernels of a patch compiled at `settings`, with the decoded files it names,
    /// and verifies its program.
    pub(crate) fn from_compiled(
        compiled: Compiled,
        settings: &Settings,
        audio: &AudioFiles,
        timelines: &[Timeline],
    ) -> Result<Instance, Diagnostics> {
        let executable = build_executable(
            compiled.program,
            &compiled.kernels,
            settings,
            audio,
            timelines,
        )?;
        Ok(Instance {
            executable,
            sample_rate: settings.sample_rate,
            transport: Transport::new(settings.sample_rate),
            time: 0,
            loads: None,
        })
    }

    /// The compiled program: its instructions, registers, kernels and slots.
    pub fn program(&self) -> &patchvm_vm::Program {
        self.executable.program()
    }

    /// From now on, times every block [`process`](Instance::process) runs (two clock reads a
    /// block) into [`block_loads`](Instance::block_loads), starting from none.
    pub fn time_blocks(&mut self) {
        self.loads = Some(BlockLoads::new(self.sample_rate));
    }

    /// The load of each block run since [`time_blocks`](Instance::time_blocks); `None` if
    /// it was not called.
    pub fn block_loads(&self) -> Option<&BlockLoads> {
        self.loads.as_ref()
    }

    /// Output channels the patch drives: 1, or 2 if it drives `left` or `right`.
    pub fn channels(&self) -> usize {
        self.executable.channels()
    }

    /// How many NaN or infinite output samples were replaced by silence so far.
    pub fn flushed_samples(&self) -> u64 {
        self.executable.flushed_samples()
    }

    /// How many times a node's output turned NaN or infinite and was muted by blocks (see
    /// `patchvm_vm::Fault`): where that happens, which samples were muted depends on where
    /// the blocks fell.
    pub fn faults(&self) -> u64 {
        self.executable.fault_count()
    }

    /// Input channels the patch reads (one past the highest `input` node's channel).
    pub fn input_channels(&self) -> usize {
        self.executable.input_channels()
    }

    /// Runs one block of at most `frames` samples (shorter where the tempo map's segments
    /// meet) with silent input, writing no audio anywhere, and calls `emit` with the events
    /// of the patch's sinks in it (see [`patchvm_vm::sink`]); returns the block's length.
    ///
    /// Real-time safe: does not allocate, lock or block (`emit` aside).
    pub fn run_sinks(&mut self, frames: usize, emit: &mut dyn FnMut(SinkEvent)) -> usize {
        // As the live audio half runs, so the events are the same.
        let _flush = FlushDenormals::new();
        let tempo = &self.executable.program().tempo;
        let (frames, beats) = self
            .transport
            .next(self.time, frames.clamp(1, MAX_BLOCK), tempo);
        self.executable.run_at(frames, &beats);
        self.executable.sink_events(self.time, &beats, emit);
        self.time += frames as u64;
        frames
    }

    /// Fills `out` with interleaved frames of [`channels`](Instance::channels) samples, with
    /// silent input, running the program in blocks of at most `block` (1..=64) frames (and
    /// shorter where the tempo map's segments meet). The samples do not depend on `block`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn process_interleaved(&mut self, out: &mut [f32], block: usize) {
        self.process(&[], 0, out, block);
    }

    /// Like [`process_interleaved`](Instance::process_interleaved), reading the patch's
    /// `input` nodes from `input`: interleaved frames of `input_channels` samples, one frame
    /// per output frame. Channels the patch reads beyond `input_channels`, and frames beyond
    /// the end of `input`, are silent. A partial frame at the end of `out` is zeroed.
    ///
    /// Real-time safe: does not allocate, lock or block, and does not panic.
    pub fn process(&mut self, input: &[f32], input_channels: usize, out: &mut [f32], block: usize) {
        let channels = self.channels();
        let whole = out.len() - out.len() % channels;
        let (out, partial) = out.split_at_mut(whole);
        partial.fill(0.0);
        // As the live audio half does, so both compute the same bits.
        let _flush = FlushDenormals::new();
        let block = block.clamp(1, MAX_BLOCK);
        let mut done = 0;
        while done * channels < out.len() {
            let first_frame = done;
            let left = out.len() / channels - first_frame;
            let tempo = &self.executable.program().tempo;
            let (frames, beats) = self.transport.next(self.time, left.min(block), tempo);
            let chunk = &mut out[first_frame * channels..(first_frame + frames) * channels];
            done += frames;
            self.time += frames as u64;
            // Most patches read no input, and the call costs twenty instructions a block even
            // then: 1.5 % of a sine-into-gain render's (callgrind).
            if self.executable.input_channels() > 0 {
                self.executable
                    .load_input(input, input_channels, first_frame, frames);
            }
            match &mut self.loads {
                None => self.executable.run_at(frames, &beats),
                Some(loads) => {
                    let started = Instant::now();
                    self.executable.run_at(frames, &beats);
                    loads.record(frames, started.elapsed());
                }
            }
            if channels == 1 {
                chunk.copy_from_slice(self.executable.output(0));
                continue;
            }
            for channel in 0..channels {
                let samples = self.executable.output(channel);
                for (frame, &sample) in samples.iter().enumerate() {
                    chunk[frame * channels + channel] = sample;
                }
            }
        }
    }
}

/// Validates and compiles `patch`, and checks that its kernels' memory at `settings` fits
/// `limits` — everything [`Instance::new`] checks, without allocating any kernel. Hosts reach
/// it through [`Prepared`](crate::Prepared), the one public entry to the pipeline.
pub(crate) fn prepare(
    patch: &Patch,
    settings: &Settings,
    limits: &Limits,
) -> Result<Compiled<'static>, Diagnostics> {
    prepare_with(patch, settings, limits, &CompileOptions::default())
}

/// [`prepare`] with compile options (nodes that must not be folded); the voice count comes
/// from `settings`.
pub(crate) fn prepare_with(
    patch: &Patch,
    settings: &Settings,
    limits: &Limits,
    options: &CompileOptions,
) -> Result<Compiled<'static>, Diagnostics> {
    check_settings(settings)?;
    let options = CompileOptions {
        voices: settings.voices,
        ..options.clone()
    };
    let compiled = compile_with(patch, catalog(), limits, &options)?;
    check_memory(&compiled, settings, limits)?;
    Ok(compiled)
}

/// Loads the audio files `compiled` (from `patch`) names, relative to `folder`, through a
/// cache of its own within `limits`' sample budget: an offline instance's.
pub(crate) fn load_audio(
    patch: &Patch,
    compiled: &Compiled,
    folder: &Path,
    settings: &Settings,
    limits: &Limits,
) -> Result<Resolved, Diagnostics> {
    let mut cache = AudioCache::new(limits.max_sample_bytes);
    audio_files::resolve(
        patch,
        &compiled.kernels,
        (folder, &Default::default()),
        settings.sample_rate,
        &mut cache,
    )
}

/// A patch prepared for the live engine by [`prepare_edit`].
pub(crate) struct Prepared {
    pub(crate) compiled: Compiled<'static>,
    /// The graph, for the next edit's transition.
    pub(crate) graph: Graph<'static>,
    /// The patch with its voice template expanded, which the graph was resolved from (where
    /// events' targets live); `None` without a template, the patch being its own expansion.
    pub(crate) expanded: Option<Patch>,
}

/// [`prepare_with`] for an edit on the live engine: the same checks, the patch's own problems
/// reported before the settings' (as validating the edit first always did), the template
/// checked on one voice once and expanded into the settings' voices once.
pub(crate) fn prepare_edit(
    patch: &Patch,
    settings: &Settings,
    limits: &Limits,
    options: &CompileOptions,
) -> Result<Prepared, Diagnostics> {
    let single = validate_with(patch, catalog(), limits, 1)?;
    check_settings(settings)?;
    let options = CompileOptions {
        voices: settings.voices,
        ..options.clone()
    };
    // The voices, once the settings say how many is sane.
    let (graph, expanded) = if patch.voices.is_empty() {
        (single, None)
    } else {
        let (graph, expanded) = validate_voices(patch, catalog(), limits, settings.voices)?;
        (graph, Some(expanded.into_owned()))
    };
    let compiled = compile_graph(patch, &graph, catalog(), &options)?;
    check_memory(&compiled, settings, limits)?;
    Ok(Prepared {
        compiled,
        graph,
        expanded,
    })
}

/// The sample rates kernels are built and tested for: the one range every host (the
/// engine, the command line, the C ABI, the WAV sink) checks, through
/// [`sample_rate_problem`].
pub const SAMPLE_RATES: std::ops::RangeInclusive<f64> = 1_000.0..=768_000.0;

/// Why `sample_rate` (Hz) is refused, or `None` when it is within [`SAMPLE_RATES`].
pub fn sample_rate_problem(sample_rate: f64) -> Option<String> {
    (!SAMPLE_RATES.contains(&sample_rate)).then(|| {
        format!(
            "sample rate {sample_rate} Hz is outside {}..={} Hz",
            SAMPLE_RATES.start(),
            SAMPLE_RATES.end()
        )
    })
}

/// Refuses settings no kernel is built for.
fn check_settings(settings: &Settings) -> Result<(), Diagnostics> {
    let max_voices = patchvm_ir::voices::MAX_VOICES;
    if !(1..=max_voices).contains(&settings.voices) {
        return Err(vec![
            Diagnostic::new(
                Code::Setting,
                patchvm_ir::Span::NONE,
                format!("{} voices is outside 1..={max_voices}", settings.voices),
            )
            .with_hint("choose how many notes may sound at once, e.g. 32"),
        ]);
    }
    let Some(problem) = sample_rate_problem(settings.sample_rate) else {
        return Ok(());
    };
    Err(vec![
        Diagnostic::new(Code::Setting, patchvm_ir::Span::NONE, problem)
            .with_hint("choose a sample rate a sound card would use, such as 44100 or 48000"),
    ])
}

/// What node `node`'s kernel is built from, reading the decoded files of `audio`, in a patch
/// whose timelines are `timelines`.
pub(crate) fn kernel_init<'n>(
    node: &'n KernelNode,
    settings: &Settings,
    audio: &'n AudioFiles,
    timelines: &'n [Timeline],
) -> KernelInit<'n> {
    let param_seed = node
        .spec
        .input("seed")
        .map_or(0, |input| node.values[input] as u64);
    KernelInit {
        texts: &node.texts,
        seed: node_seed(settings.seed, param_seed, &node.id),
        in_feedback_loop: node.in_feedback_loop,
        audio,
        timelines,
        ..KernelInit::new(&node.values, settings.sample_rate)
    }
}

/// Refuses a patch whose kernels would allocate more state than `limits` allow — one node
/// over `max_delay_bytes`, or all together over `max_state_bytes` — naming the node at fault,
/// before anything is allocated.
fn check_memory(
    compiled: &Compiled,
    settings: &Settings,
    limits: &Limits,
) -> Result<(), Diagnostics> {
    let over = |node: &KernelNode, what: &str, limit: usize, flag: &str| {
        vec![
            Diagnostic::new(
                Code::Limit,
                node.span,
                format!(
                    "{what} needs more than the limit of {limit} bytes at {} Hz",
                    settings.sample_rate
                ),
            )
            .with_label(format!("node `{}` crosses the limit", node.id))
            .with_hint(format!(
                "shorten the delays, or raise the limit with `{flag}`"
            )),
        ]
    };
    let mut total = 0usize;
    for node in &compiled.kernels {
        // Decoded samples are shared and counted by the sample budget, not here.
        let bytes = memory_bytes(node.spec, &kernel_init(node, settings, &NO_AUDIO, &[]));
        if bytes > limits.max_delay_bytes {
            let what = format!("the delay line of node `{}`", node.id);
            return Err(over(
                node,
                &what,
                limits.max_delay_bytes,
                "--max-delay-bytes",
            ));
        }
        total = total.saturating_add(bytes);
        if total > limits.max_state_bytes {
            let what = "the patch's state (delay lines)";
            return Err(over(
                node,
                what,
                limits.max_state_bytes,
                "--max-state-bytes",
            ));
        }
    }
    Ok(())
}

/// What a kernel's memory is estimated with: no files.
static NO_AUDIO: AudioFiles = AudioFiles::EMPTY;

/// Builds the kernels of `nodes`, with the decoded files of `audio`, and verifies `program`
/// against them. Allocates: control side only.
pub(crate) fn build_executable(
    program: patchvm_vm::Program,
    nodes: &[KernelNode],
    settings: &Settings,
    audio: &AudioFiles,
    timelines: &[Timeline],
) -> Result<Executable, Diagnostics> {
    let kernels = nodes
        .iter()
        .map(|node| build_kernel(node, settings, audio, timelines))
        .collect();
    Executable::new(program, kernels).map_err(|error| verify_failed(&error))
}

/// Builds the kernel of `node`, with the decoded files of `audio`, in a patch whose timelines
/// are `timelines`. Allocates: control side only.
pub(crate) fn build_kernel(
    node: &KernelNode,
    settings: &Settings,
    audio: &AudioFiles,
    timelines: &[Timeline],
) -> Box<dyn patchvm_vm::Kernel> {
    build(node.spec, &kernel_init(node, settings, audio, timelines))
        .expect("the compiler makes kernel nodes only of kernel modules")
}

/// The diagnostic for a compiled program that failed verification: a bug of patchvm's.
pub(crate) fn verify_failed(error: &patchvm_vm::VerifyError) -> Diagnostics {
    vec![
        Diagnostic::new(
            Code::Internal,
            patchvm_ir::Span::NONE,
            format!("internal error: the compiled program failed verification: {error}"),
        )
        .with_hint("this is a bug in patchvm, not in the patch; please report it with the patch"),
    ]
}
