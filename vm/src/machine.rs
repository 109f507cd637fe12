//! The virtual machine: a verified program, its kernels and its register file.

use crate::block::{self, Block};
use crate::clip_event::ClipEvent;
use crate::cpu::{VectorUnit, wide};
use crate::fault::{FaultGuard, KernelId, guard_registers};
use crate::index::{KernelIdx, ParamIdx, Reg};
use crate::kernel::{Kernel, KernelShape, MAX_BLOCK, MAX_LANE_ARGS, MAX_PORTS};
use crate::op::Instr;
use crate::param::ParamState;
use crate::program::Program;
use crate::shared::{KernelRef, SharedKernel};
use crate::sink::{self, SinkEvent, SinkMemory};
use crate::time::Beats;
use crate::verify::{VerifyError, verify_shapes};
use std::mem::MaybeUninit;

mod glide;

/// A program that passed the verifier, with everything it needs to run: its kernels, its
/// registers and its output buffers, all allocated here so that [`run`](Executable::run)
/// never allocates.
pub struct Executable {
    program: Program,
    /// The kernels, by `KernelIdx`, which this executable may share with the programs before
    /// and after it (see [`SharedKernel`]). Invariant: pairwise distinct.
    kernels: Vec<KernelRef>,
    /// What keeps `kernels` alive: their handles, in the same order.
    owners: Vec<SharedKernel>,
    /// Invariant: `registers.len() == program.registers`, and `registers[0]` is all zeros.
    registers: Vec<Block>,
    /// For each register of `program.args`, where its samples start in the register file
    /// (register × [`MAX_BLOCK`]): worked out once, so a call's arguments cost a load and two
    /// stores each.
    arg_offsets: Vec<u32>,
    /// For each register of `program.args`, its block as a run last sliced it: `held_frames`
    /// samples of this register file (0: not sliced). Lane calls take their inputs straight
    /// from here, re-sliced only when the block length changes or a take-over swaps register
    /// files, rather than building hundreds of slices a block.
    held: Vec<HeldSlice>,
    held_frames: usize,
    /// One block per output channel; `outputs.len() == program.channels`.
    outputs: Vec<Block>,
    /// One block per input channel; `inputs.len() == program.inputs`. Hosts fill them through
    /// [`input_mut`](Executable::input_mut) before each [`run`](Executable::run).
    inputs: Vec<Block>,
    /// Invariant: `params.len() == program.params.len()`.
    params: Vec<ParamState>,
    /// The parameters whose registers must be written before the next block: those set since
    /// their register was last written, and those ramping. Never holds one twice; its
    /// capacity is the number of parameters, so pushing never allocates.
    stale: Vec<ParamIdx>,
    /// For each parameter, whether it is in `stale`.
    is_stale: Vec<bool>,
    /// The parameters events have set or ramped (here or in a predecessor this executable
    /// took them over from): the only slots whose state may differ from the patch's value,
    /// so the only ones a take-over of another shape copies. Never holds one twice; its
    /// capacity is the number of parameters.
    touched: Vec<ParamIdx>,
    /// For each parameter, whether it is in `touched`.
    is_touched: Vec<bool>,
    /// One block per sink signal (see [`crate::sink`]), written by `WRITE_SINK`.
    sinks: Vec<Block>,
    /// What each sink of the program remembers between blocks.
    sink_memory: Vec<SinkMemory>,
    /// The kernels that report clip events, by index.
    reporters: Vec<usize>,
    /// Samples of the last block.
    frames: usize,
    /// Non-finite output samples replaced by silence, since this executable was made.
    flushed: u64,
    /// Which kernels' outputs turned non-finite (see [`crate::fault`]).
    faults: FaultGuard,
}

impl std::fmt::Debug for Executable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executable")
            .field("program", &self.program)
            .field("frames", &self.frames)
            .field("flushed", &self.flushed)
            .finish_non_exhaustive()
    }
}

impl Executable {
    /// Verifies `program` against `kernels` and prepares it to run, its kernels its own.
    pub fn new(program: Program, kernels: Vec<Box<dyn Kernel>>) -> Result<Executable, VerifyError> {
        let kernels = kernels.into_iter().map(SharedKernel::new).collect();
        // SAFETY: the kernels were just made, so no other executable holds them.
        unsafe { Executable::with_shared(program, kernels) }
    }

    /// Verifies `program` against `kernels`, which it may share with other executables, and
    /// prepares it to run. This is how a program takes over a surviving node's kernel, state
    /// and all, in no time: it is built holding the same [`SharedKernel`].
    ///
    /// # Safety
    /// No two executables holding one kernel may be used at the same time (run, set, taken
    /// over or reset): a live engine plays one program at a time, and hands programs between
    /// threads through queues, which order those uses.
    pub unsafe fn with_shared(
        program: Program,
        owners: Vec<SharedKernel>,
    ) -> Result<Executable, VerifyError> {
        // SAFETY: `owners` keeps the kernels alive as long as `kernels`; the caller promises
        // no other executable uses them at the same time.
        let kernels: Vec<KernelRef> = owners
            .iter()
            .map(|owner| unsafe { owner.reference() })
            .collect();
        // Against the shapes the handles recorded: another program may be running a kernel
        // shared with this one, so it is not asked.
        let shapes: Vec<KernelShape> = owners.iter().map(SharedKernel::shape).collect();
        verify_shapes(&program, &shapes)?;
        let mut addresses: Vec<*const ()> = owners.iter().map(SharedKernel::address).collect();
        addresses.sort_unstable();
        if addresses.windows(2).any(|pair| pair[0] == pair[1]) {
            return Err(VerifyError {
                instr: None,
                reason: "one kernel is given twice".into(),
            });
        }
        let kernels_len = kernels.len();
        let mut executable = Executable {
            registers: vec![[0.0; MAX_BLOCK]; usize::from(program.registers)],
            outputs: vec![[0.0; MAX_BLOCK]; usize::from(program.channels)],
            inputs: vec![[0.0; MAX_BLOCK]; usize::from(program.inputs)],
            sinks: vec![[0.0; MAX_BLOCK]; program.sink_signals()],
            sink_memory: vec![SinkMemory::default(); program.sinks.len()],
            params: program.params.iter().map(|&v| ParamState::new(v)).collect(),
            stale: Vec::with_capacity(program.params.len()),
            arg_offsets: program
                .args
                .iter()
                .map(|reg| u32::from(reg.0) * MAX_BLOCK as u32)
                .collect(),
            is_stale: vec![false; program.params.len()],
            held: Vec::with_capacity(program.args.len()),
            held_frames: 0,
            touched: Vec::with_capacity(program.params.len()),
            is_touched: vec![false; program.params.len()],
            reporters: owners
                .iter()
                .enumerate()
                .filter(|(_, owner)| owner.reports_clips())
                .map(|(index, _)| index)
                .collect(),
            program,
            kernels,
            owners,
            frames: 0,
            flushed: 0,
            faults: FaultGuard::new(kernels_len),
        };
        executable.write_all_params();
        Ok(executable)
    }

    /// Writes every parameter's register with its value, as a block without ramps holds it.
    fn write_all_params(&mut self) {
        for (state, reg) in self.params.iter().zip(&self.program.param_regs) {
            state.fill(&mut self.registers[reg.index()]);
        }
    }

    /// Queues parameter `param` to have its register written before the next block.
    ///
    /// Real-time safe: the queue has room for every parameter, so it never allocates.
    fn mark_stale(&mut self, param: ParamIdx) {
        if !std::mem::replace(&mut self.is_stale[param.index()], true) {
            self.stale.push(param);
        }
    }

    /// Notes that parameter `param` may no longer hold the patch's value.
    ///
    /// Real-time safe: the list has room for every parameter, so it never allocates.
    fn mark_touched(&mut self, param: ParamIdx) {
        if !std::mem::replace(&mut self.is_touched[param.index()], true) {
            self.touched.push(param);
        }
    }

    /// Writes the registers of the parameters that changed or ramp, for a block of `frames`
    /// samples: a ramp's next `frames` values, a held value into the whole register (so it
    /// serves blocks of any length until it changes).
    fn write_stale_params(&mut self, frames: usize) {
        for &param in &self.stale {
            let state = &self.params[param.index()];
            let register = &mut self.registers[self.program.param_regs[param.index()].index()];
            let len = if state.ramping() { frames } else { MAX_BLOCK };
            state.fill(&mut register[..len]);
        }
    }

    /// Moves every ramp on by `frames` samples and forgets the parameters whose registers now
    /// hold their value for good: a parameter that ramped in this block is written once more,
    /// in full, after its ramp ends.
    fn advance_params(&mut self, frames: usize) {
        let (params, is_stale) = (&mut self.params, &mut self.is_stale);
        self.stale.retain(|&param| {
            let state = &mut params[param.index()];
            let ramped = state.ramping();
            state.advance(frames as u32);
            is_stale[param.index()] = ramped;
            ramped
        });
    }

    /// Runs the program for one block of `frames` samples; `frames` is clamped to
    /// `1..=MAX_BLOCK` (0 does nothing). Read the result with [`output`](Executable::output).
    ///
    /// Real-time safe: does not allocate, lock or block (kernels promise the same).
    pub fn run(&mut self, frames: usize) {
        self.run_at(frames, &Beats::STILL);
    }

    /// Runs the program for one block of `frames` samples lying at `beats` in musical time,
    /// which kernels that follow the beat read (see [`Kernel::process_at`]); otherwise as
    /// [`run`](Executable::run).
    ///
    /// Real-time safe: does not allocate, lock or block (kernels promise the same; checked by
    /// RealtimeSanitizer in CI).
    #[cfg_attr(rtsan, sanitize(realtime = "nonblocking"))]
    pub fn run_at(&mut self, frames: usize, beats: &Beats) {
        // Compiled for AVX2 where the CPU has it: the interpreter's own loops (the calls'
        // arguments, the output, the guard) in wider vectors.
        wide(
            VectorUnit::Avx2,
            #[inline(always)]
            |_| self.run_in(frames, beats),
        );
    }

    /// [`run`](Executable::run)'s body, inlined into each of its compilations.
    #[inline(always)]
    fn run_in(&mut self, frames: usize, beats: &Beats) {
        if frames == 0 {
            return;
        }
        let frames = frames.min(MAX_BLOCK);
        self.frames = frames;
        for output in &mut self.outputs {
            output.fill(0.0);
        }
        self.write_stale_params(frames);
        self.hold_arg_slices(frames);
        self.faults.begin_block();
        for instr in &self.program.instrs {
            match *instr {
                Instr::LoadConst { dst, value } => {
                    self.registers[dst.index()][..frames].fill(value);
                }
                Instr::Add { dst, lhs, rhs } => {
                    #[cfg(feature = "extra-checks")]
                    check_call_operands(self.registers.len(), &[lhs, rhs], &[dst], 2);
                    // SAFETY: the verifier established that every operand is in range and
                    // that an instruction never reads the register it writes.
                    unsafe { block::add(&mut self.registers, dst, lhs, rhs) }
                }
                Instr::Sum { dst, terms } => {
                    let terms = &self.program.args[terms.range()];
                    #[cfg(feature = "extra-checks")]
                    check_call_operands(self.registers.len(), terms, &[dst], usize::MAX);
                    // SAFETY: as for `ADD`; and the verifier established that the terms lie in
                    // the argument pool and number at least two.
                    unsafe { block::sum(&mut self.registers, dst, terms) }
                }
                Instr::CallOp { kernel, args } => {
                    #[cfg(feature = "extra-checks")]
                    {
                        let registers = &self.program.args[args.whole_range()];
                        let (inputs, outputs) = registers.split_at(usize::from(args.inputs));
                        check_call_operands(self.registers.len(), inputs, outputs, MAX_PORTS);
                    }
                    let offsets = &self.arg_offsets[args.whole_range()];
                    let (inputs, outputs) = offsets.split_at(usize::from(args.inputs));
                    call(
                        &mut *self.kernels[kernel.index()],
                        beats,
                        &mut self.registers,
                        (inputs, outputs),
                        frames,
                    );
                    let base = self.registers.as_mut_ptr().cast::<f32>();
                    // SAFETY: the offsets are the call's output registers, in range
                    // (verifier), and the call's slices are gone.
                    let finite = unsafe { guard_registers(base, outputs, frames) };
                    self.faults.record(kernel, finite);
                }
                Instr::CallLanes {
                    kernel,
                    lanes,
                    args,
                } => {
                    let first = kernel.index();
                    #[cfg(feature = "extra-checks")]
                    {
                        let registers = &self.program.args[args.lanes_range(lanes)];
                        let (inputs, outputs) =
                            registers.split_at(usize::from(args.inputs) * usize::from(lanes));
                        check_call_operands(self.registers.len(), inputs, outputs, MAX_LANE_ARGS);
                    }
                    let held = &self.held[args.lanes_input_range(lanes)];
                    let outputs = &self.arg_offsets[args.lanes_output_range(lanes)];
                    let base = self.registers.as_mut_ptr().cast::<f32>();
                    // SAFETY: `HeldSlice` is a transparent `*const [f32]`, the layout of
                    // `&[f32]`; `hold_arg_slices` made each one `frames` samples of a register
                    // in range in this register file, and no input of a call is one of its
                    // outputs (verifier), which `call_lanes` slices apart from them.
                    unsafe {
                        let inputs = &*(std::ptr::from_ref(held) as *const [&[f32]]);
                        call_lanes(
                            &mut self.kernels[first..first + usize::from(lanes)],
                            base,
                            inputs,
                            outputs,
                            usize::from(args.inputs),
                            frames,
                        );
                    }
                    // Each lane on its own: its outputs are every `lanes`-th, port by port.
                    for lane in 0..usize::from(lanes) {
                        let lane_outputs = outputs.iter().skip(lane).step_by(usize::from(lanes));
                        // SAFETY: as for `CALL`; the lane call's slices are gone.
                        let finite = unsafe { guard_registers(base, lane_outputs, frames) };
                        self.faults.record(KernelIdx((first + lane) as u16), finite);
                    }
                }
                Instr::Feed { kernel, src } => {
                    self.kernels[kernel.index()].feed(&self.registers[src.index()][..frames]);
                }
                Instr::ReadInput { dst, channel } => {
                    let input = &self.inputs[usize::from(channel)];
                    self.registers[dst.index()][..frames].copy_from_slice(&input[..frames]);
                }
                Instr::WriteOutput { channel, src } => {
                    // The whole register, a fixed length (straight vector code): the samples
                    // past the block's end are never read.
                    let src = &self.registers[src.index()];
                    let out = &mut self.outputs[usize::from(channel)];
                    for (out, &src) in out.iter_mut().zip(src) {
                        *out += src;
                    }
                }
                Instr::WriteSink { signal, src } => {
                    self.sinks[usize::from(signal)] = self.registers[src.index()];
                }
            }
        }
        for kernel in self.faults.drain_resets() {
            self.kernels[kernel.index()].reset();
        }
        self.guard_outputs();
        self.advance_params(frames);
    }

    /// Slices every register of `program.args` to `frames` samples into `held`, unless it
    /// already holds them for this block length and this register file.
    ///
    /// Real-time safe: `held` refills within its capacity; does not allocate, lock or block.
    fn hold_arg_slices(&mut self, frames: usize) {
        if self.held_frames == frames {
            return;
        }
        let base = self.registers.as_mut_ptr().cast::<f32>();
        self.held.clear();
        self.held.extend(self.arg_offsets.iter().map(|&offset| {
            // SAFETY: the offset is a register's start, and the verifier established that
            // every register of `args` is in range, so `frames <= MAX_BLOCK` samples from it
            // lie inside the register file.
            HeldSlice(std::ptr::slice_from_raw_parts(
                unsafe { base.add(offset as usize) },
                frames,
            ))
        }));
        self.held_frames = frames;
    }

    /// Replaces NaN and infinite output samples by silence, counting them.
    fn guard_outputs(&mut self) {
        for output in &mut self.outputs {
            let output = &mut output[..self.frames];
            // A branch-free look first, a few vector instructions a block; the repair is rare.
            let finite = output
                .iter()
                .fold(true, |finite, sample| finite & sample.is_finite());
            if finite {
                continue;
            }
            for sample in output {
                if !sample.is_finite() {
                    *sample = 0.0;
                    self.flushed += 1;
                }
            }
        }
    }

    /// The last block's samples on output channel `channel`.
    ///
    /// # Panics
    /// If `channel >= self.channels()`.
    pub fn output(&self, channel: usize) -> &[f32] {
        &self.outputs[channel][..self.frames]
    }

    /// The last block's samples in register `reg` (`None` if the program has no such
    /// register): what a probe reads ([`crate::live::ProbeTap`]), valid for a register the
    /// compiler kept for it.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn register(&self, reg: Reg) -> Option<&[f32]> {
        self.registers
            .get(reg.index())
            .map(|block| &block[..self.frames])
    }

    /// The events the program's sinks give for the last block, which began at sample `time`
    /// and lay at `beats` (what [`run_at`](Executable::run_at) was given): see
    /// [`sink::extract`]. Call it once after each block.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn sink_events(&mut self, time: u64, beats: &Beats, emit: &mut dyn FnMut(SinkEvent)) {
        let mut signals: [&[f32]; 2 * sink::NOTE_LANES] = [&[]; 2 * sink::NOTE_LANES];
        for (index, (decl, memory)) in self
            .program
            .sinks
            .iter()
            .zip(&mut self.sink_memory)
            .enumerate()
        {
            let first = usize::from(decl.first);
            let count = decl.kind.signals();
            for (slot, block) in signals.iter_mut().zip(&self.sinks[first..first + count]) {
                *slot = &block[..self.frames];
            }
            sink::extract(
                decl,
                index as u16,
                &signals[..count],
                self.frames,
                time,
                beats,
                memory,
                emit,
            );
        }
    }

    /// The clip events of the last block, which began at sample `time`, kernel by kernel
    /// (see [`Kernel::clip_events`]). Call it once after each block.
    ///
    /// Real-time safe: does not allocate, lock or block (kernels promise the same).
    pub fn clip_events(&mut self, time: u64, emit: &mut dyn FnMut(ClipEvent)) {
        for &index in &self.reporters {
            self.kernels[index].clip_events(time, emit);
        }
    }

    /// The notes each sink holds, by sink index and channel: what must be closed when this
    /// program stops for good.
    pub fn held_notes(&self) -> impl Iterator<Item = (u16, u8, u8)> + '_ {
        self.program
            .sinks
            .iter()
            .zip(&self.sink_memory)
            .enumerate()
            .flat_map(|(index, (decl, memory))| {
                memory
                    .held()
                    .map(move |note| (index as u16, decl.channel, note))
            })
    }

    /// Carries on what the sinks of `from` remember, sink by sink where both programs have
    /// the same sink at the same index, so a note held across a swap is neither sent again
    /// nor lost.
    ///
    /// Real-time safe: copies in place; does not allocate, lock or block.
    pub fn adopt_sink_memory(&mut self, from: &Executable) {
        for ((decl, memory), (old, old_memory)) in self
            .program
            .sinks
            .iter()
            .zip(&mut self.sink_memory)
            .zip(from.program.sinks.iter().zip(&from.sink_memory))
        {
            if decl.kind == old.kind && decl.channel == old.channel {
                *memory = *old_memory;
            }
        }
    }

    /// The block of input channel `channel` that the next [`run`](Executable::run) reads;
    /// hosts write the block's input samples here first. Stays as written until overwritten.
    ///
    /// # Panics
    /// If `channel >= self.input_channels()`.
    pub fn input_mut(&mut self, channel: usize) -> &mut [f32; MAX_BLOCK] {
        &mut self.inputs[channel]
    }

    /// Fills the input blocks the next [`run`](Executable::run) of `frames` frames reads from
    /// interleaved host input: frame `first_frame + i` of `input`, which holds frames of
    /// `input_channels` samples. Channels the host lacks, and frames past the end of `input`,
    /// are silent.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn load_input(
        &mut self,
        input: &[f32],
        input_channels: usize,
        first_frame: usize,
        frames: usize,
    ) {
        let frames = frames.min(MAX_BLOCK);
        for (channel, block) in self.inputs.iter_mut().enumerate() {
            for (frame, sample) in block[..frames].iter_mut().enumerate() {
                *sample = if channel < input_channels {
                    input
                        .get((first_frame + frame) * input_channels + channel)
                        .copied()
                        .unwrap_or(0.0)
                } else {
                    0.0
                };
            }
        }
    }

    /// Number of input channels the program reads.
    pub fn input_channels(&self) -> usize {
        self.inputs.len()
    }

    /// Number of output channels.
    pub fn channels(&self) -> usize {
        self.outputs.len()
    }

    /// The program being run.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The kernels whose outputs turned NaN or infinite in the last block after a clean one
    /// (see [`Fault`](crate::Fault)): muted, reset, and to be reported once.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn fault_onsets(&self) -> impl Iterator<Item = KernelId> + '_ {
        self.faults
            .onsets()
            .iter()
            .map(|kernel| KernelId::of(&self.owners[kernel.index()]))
    }

    /// Fault onsets since this executable was made (see
    /// [`fault_onsets`](Executable::fault_onsets)).
    pub fn fault_count(&self) -> u64 {
        self.faults.total()
    }

    /// How many non-finite output samples were replaced by silence so far.
    pub fn flushed_samples(&self) -> u64 {
        self.flushed
    }

    /// Returns every kernel to its initial state, every parameter to its initial value, and
    /// clears the other registers.
    pub fn reset(&mut self) {
        self.kernels.iter_mut().for_each(|kernel| kernel.reset());
        self.registers.iter_mut().for_each(|block| block.fill(0.0));
        for (state, &value) in self.params.iter_mut().zip(&self.program.params) {
            *state = ParamState::new(value);
        }
        self.stale.clear();
        self.is_stale.fill(false);
        self.touched.clear();
        self.is_touched.fill(false);
        self.write_all_params();
    }

    /// Sets parameter `param` to `value` from the next sample on, ending any ramp on it.
    /// Out-of-range slots and non-finite values are ignored: events come from outside.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn set_param(&mut self, param: ParamIdx, value: f32) {
        if let Some(state) = self.params.get_mut(param.index()) {
            state.set(value);
            self.mark_stale(param);
            self.mark_touched(param);
        }
    }

    /// Ramps parameter `param` linearly from its current value to `target`, reaching it on
    /// the `samples`-th sample from now (0: at once). Ignored like
    /// [`set_param`](Executable::set_param).
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn ramp_param(&mut self, param: ParamIdx, target: f32, samples: u32) {
        if let Some(state) = self.params.get_mut(param.index()) {
            state.ramp(target, samples);
            self.mark_stale(param);
            self.mark_touched(param);
        }
    }

    /// The value parameter `param` had at the last sample run, if the slot exists.
    pub fn param(&self, param: ParamIdx) -> Option<f32> {
        self.params.get(param.index()).map(ParamState::current)
    }

    /// The kernels, by `KernelIdx`, for the control side to share with the next program (see
    /// [`with_shared`](Executable::with_shared)).
    pub fn shared_kernels(&self) -> &[SharedKernel] {
        &self.owners
    }

    /// Takes over from `from`, the executable playing before it, of another structure. The
    /// kernels of nodes that survive are already this executable's own (it was built sharing
    /// them); what is left to do is short:
    /// - each `(old, new)` in `copied` — a kernel that could not be shared (rebuilt with new
    ///   settings, or the old side of a node that plays twice in a transition) — copies the
    ///   state of `from`'s kernel `old` (see [`Kernel::copy_state_from`]);
    /// - each parameter `from` has seen set or ramped goes on (value and running ramp) in every
    ///   slot `params`, `(old, new)` pairs sorted by `old`, pairs it with; every other slot
    ///   starts from the patch's value, which is what the untouched ones held anyway.
    ///
    /// Time: the `copied` kernels' state, plus the parameters events have moved; not the
    /// patch's size. Entries out of range are skipped; returns how many kernel states were
    /// copied.
    ///
    /// Real-time safe: does not allocate, lock or block (kernels copy into memory they own).
    pub fn take_over_changed(
        &mut self,
        from: &Executable,
        copied: &[(KernelIdx, KernelIdx)],
        params: &[(ParamIdx, ParamIdx)],
    ) -> usize {
        let mut adopted = 0;
        for &(old, new) in copied {
            if self.copy_kernel_state(from, old, new) {
                adopted += 1;
            }
        }
        for &old in &from.touched {
            let Some(&old_state) = from.params.get(old.index()) else {
                continue;
            };
            let first = params.partition_point(|&(slot, _)| slot < old);
            for &(_, new) in params[first..].iter().take_while(|&&(slot, _)| slot == old) {
                if let Some(state) = self.params.get_mut(new.index()) {
                    *state = old_state;
                    self.mark_stale(new);
                    self.mark_touched(new);
                }
            }
        }
        adopted
    }

    /// Kernel `new` copies the state of `from`'s kernel `old`, unless either is out of range
    /// or the two are one shared kernel (which would hand it a reference to itself). Returns
    /// whether a state was copied.
    ///
    /// Real-time safe: does not allocate, lock or block (kernels copy into memory they own).
    fn copy_kernel_state(&mut self, from: &Executable, old: KernelIdx, new: KernelIdx) -> bool {
        let (old, new) = (old.index(), new.index());
        new < self.kernels.len()
            && old < from.kernels.len()
            && !self.owners[new].same(&from.owners[old])
            && self.kernels[new].copy_state_from(&*from.kernels[old])
    }

    /// Takes over, in constant time, the parameter states and registers of `from`, an
    /// executable of the same structure (kernel for kernel, slot for slot, register for
    /// register; see [`Takeover::Whole`](crate::live::Takeover::Whole)), whose kernels it was
    /// built sharing: the two swap those lists, so `from` is left with this executable's fresh
    /// ones and must not play on. The registers move too because parameter registers hold
    /// their slot's value from block to block (every other register is written before it is
    /// read in each block). Then each kernel in `rebuilt` (this program's own, built with new
    /// settings) copies the state of the one it replaces, and each slot in `reset` starts from
    /// this program's initial value. Returns `false`, changing nothing, if the two do not have
    /// as many kernels, slots and registers; indices out of range are skipped.
    ///
    /// Sound whatever `from` is: a kernel of another shape than its declaration here would
    /// only see slices of other lengths in `process`. The control side guarantees the
    /// structures agree; `extra-checks` asserts it.
    ///
    /// Real-time safe: swaps vectors and copies the state of the `rebuilt` kernels into memory
    /// they own; does not allocate, free, lock or block.
    pub fn take_over(
        &mut self,
        from: &mut Executable,
        rebuilt: &[KernelIdx],
        reset: &[ParamIdx],
    ) -> bool {
        if self.kernels.len() != from.kernels.len()
            || self.params.len() != from.params.len()
            || self.registers.len() != from.registers.len()
        {
            return false;
        }
        #[cfg(feature = "extra-checks")]
        {
            assert_eq!(self.program.kernels, from.program.kernels);
            assert_eq!(self.program.param_regs, from.program.param_regs);
        }
        std::mem::swap(&mut self.params, &mut from.params);
        std::mem::swap(&mut self.registers, &mut from.registers);
        // Each one's held slices point into the other's register file now.
        self.held_frames = 0;
        from.held_frames = 0;
        std::mem::swap(&mut self.stale, &mut from.stale);
        std::mem::swap(&mut self.is_stale, &mut from.is_stale);
        std::mem::swap(&mut self.touched, &mut from.touched);
        std::mem::swap(&mut self.is_touched, &mut from.is_touched);
        for &kernel in rebuilt {
            self.copy_kernel_state(from, kernel, kernel);
        }
        for &param in reset {
            if let (Some(state), Some(&value)) = (
                self.params.get_mut(param.index()),
                self.program.params.get(param.index()),
            ) {
                *state = ParamState::new(value);
                self.mark_stale(param);
            }
        }
        true
    }
}

/// Calls one kernel with its input and output registers, sliced to `frames` samples.
#[inline(always)]
fn call(
    kernel: &mut dyn Kernel,
    beats: &Beats,
    registers: &mut [Block],
    (inputs, outputs): (&[u32], &[u32]),
    frames: usize,
) {
    // Most kernels have one output and a few inputs: their slices are built straight into
    // small arrays, without the loops' set-up (half of the VM's work per block on a two-node
    // patch went to it).
    if let [output] = outputs {
        let base = registers.as_mut_ptr().cast::<f32>();
        let frames = frames.min(MAX_BLOCK);
        // SAFETY: as in `blocks`: each offset is a register's start, in range (verifier), and
        // the output is distinct from every input, so the `&mut` is unique.
        let (input, output) = unsafe {
            (
                |at: usize| std::slice::from_raw_parts(base.add(inputs[at] as usize), frames),
                std::slice::from_raw_parts_mut(base.add(*output as usize), frames),
            )
        };
        match inputs.len() {
            1 => return kernel.process_at(beats, &[input(0)], &mut [output]),
            2 => return kernel.process_at(beats, &[input(0), input(1)], &mut [output]),
            3 => return kernel.process_at(beats, &[input(0), input(1), input(2)], &mut [output]),
            _ => {}
        }
    }
    let (mut input_blocks, mut output_blocks) = (
        [const { MaybeUninit::uninit() }; MAX_PORTS],
        [const { MaybeUninit::uninit() }; MAX_PORTS],
    );
    let (inputs, outputs) = blocks(
        (&mut input_blocks, &mut output_blocks),
        registers,
        (inputs, outputs),
        frames,
    );
    kernel.process_at(beats, inputs, outputs);
}

/// Room for a call's input block, filled by [`blocks`].
type InputSlot<'r> = MaybeUninit<&'r [f32]>;
/// Room for a call's output block, filled by [`blocks`].
type OutputSlot<'r> = MaybeUninit<&'r mut [f32]>;

/// The blocks of one call's registers (given by their offsets in the register file, see
/// [`Executable::arg_offsets`]), sliced to the block's length, written into the start
/// of `input_blocks` and `output_blocks` (the rest is left untouched: a call costs what it
/// passes, not the arrays' length) and returned as slices of those starts.
#[inline(always)]
fn blocks<'b, 'r>(
    (input_blocks, output_blocks): (&'b mut [InputSlot<'r>], &'b mut [OutputSlot<'r>]),
    registers: &'r mut [Block],
    (inputs, outputs): (&[u32], &[u32]),
    frames: usize,
) -> (&'b [&'r [f32]], &'b mut [&'r mut [f32]]) {
    let base = registers.as_mut_ptr().cast::<f32>();
    // Counts fixed up front and raw parts rather than indexing: the loops then do one address
    // computation and one store a block, with no check or counter between them.
    let frames = frames.min(MAX_BLOCK);
    let input_count = inputs.len().min(input_blocks.len());
    let output_count = outputs.len().min(output_blocks.len());
    for (slot, &offset) in input_blocks[..input_count].iter_mut().zip(inputs) {
        // SAFETY: the offset is a register's start (`arg_offsets`), and the verifier
        // established `reg < registers.len()` for every operand, so the `frames <= MAX_BLOCK`
        // samples from it lie inside the register file; no register read here is also an
        // output of this call, so no `&mut` created below aliases this shared borrow.
        slot.write(unsafe { std::slice::from_raw_parts(base.add(offset as usize), frames) });
    }
    for (slot, &offset) in output_blocks[..output_count].iter_mut().zip(outputs) {
        // SAFETY: in range as above; the verifier established that a call's outputs are
        // pairwise distinct and distinct from its inputs, so each `&mut` is unique.
        slot.write(unsafe { std::slice::from_raw_parts_mut(base.add(offset as usize), frames) });
    }
    // SAFETY: the first `input_count` and `output_count` entries were written just above, and
    // `MaybeUninit<T>` has the layout of `T`.
    unsafe {
        (
            &*(&raw const input_blocks[..input_count] as *const [&'r [f32]]),
            &mut *(&raw mut output_blocks[..output_count] as *mut [&'r mut [f32]]),
        )
    }
}

/// The verifier's guarantees for one call, re-checked at run time for fuzzing.
#[cfg(feature = "extra-checks")]
fn check_call_operands(registers: usize, inputs: &[Reg], outputs: &[Reg], most: usize) {
    assert!(inputs.len() <= most && outputs.len() <= most);
    for (at, reg) in outputs.iter().enumerate() {
        assert!(reg.index() < registers && *reg != Reg::ZERO);
        assert!(!outputs[..at].contains(reg) && !inputs.contains(reg));
    }
    assert!(inputs.iter().all(|reg| reg.index() < registers));
}

/// Runs a group of kernels of one module side by side: their lane form if they have one, else
/// each in turn. `inputs_of_all` holds every lane's input blocks, port by port, `inputs` ports
/// a lane; `output_offsets` the offsets of every lane's outputs, port by port, in the register
/// file at `base`. Inlined into each of [`Executable::run`]'s compilations.
///
/// # Safety
/// Each output offset is a register's start in the register file at `base`, the outputs are
/// pairwise distinct, and none is a register `inputs_of_all` reads; `frames <= MAX_BLOCK`.
#[inline(always)]
unsafe fn call_lanes(
    kernels: &mut [KernelRef],
    base: *mut f32,
    inputs_of_all: &[&[f32]],
    output_offsets: &[u32],
    inputs: usize,
    frames: usize,
) {
    let lanes = kernels.len();
    let mut output_blocks = [const { MaybeUninit::<&mut [f32]>::uninit() }; MAX_LANE_ARGS];
    let count = output_offsets.len().min(MAX_LANE_ARGS);
    for (slot, &offset) in output_blocks[..count].iter_mut().zip(output_offsets) {
        // SAFETY: in range and unique, as the caller promises.
        slot.write(unsafe { std::slice::from_raw_parts_mut(base.add(offset as usize), frames) });
    }
    // SAFETY: the first `count` entries were written just above, and `MaybeUninit<T>` has
    // the layout of `T`.
    let outputs_of_all = unsafe { &mut *(&raw mut output_blocks[..count] as *mut [&mut [f32]]) };
    let Some((first, rest)) = kernels.split_first_mut() else {
        return; // the verifier allows no empty lane group
    };
    if first.process_lanes(rest, inputs_of_all, outputs_of_all) {
        return;
    }
    // No lane form: one kernel at a time, each with its lane of every port.
    for (lane, kernel) in kernels.iter_mut().enumerate() {
        let mut lane_inputs: [&[f32]; MAX_PORTS] = [&[]; MAX_PORTS];
        for (slot, port) in lane_inputs.iter_mut().zip(inputs_of_all.chunks(lanes)) {
            *slot = port[lane];
        }
        let mut lane_outputs: [&mut [f32]; MAX_PORTS] = std::array::from_fn(|_| &mut [][..]);
        for (slot, port) in lane_outputs
            .iter_mut()
            .zip(outputs_of_all.chunks_mut(lanes))
        {
            *slot = &mut *port[lane];
        }
        let shape = (inputs, count / lanes);
        kernel.process(&lane_inputs[..shape.0], &mut lane_outputs[..shape.1]);
    }
}

/// A call input's block as [`Executable::hold_arg_slices`] last sliced it: a pointer into the
/// executable's own register file, with the layout of `&[f32]`.
#[derive(Clone, Copy)]
#[repr(transparent)]
struct HeldSlice(*const [f32]);

// SAFETY: it points into a register file, a heap block that moves with its executable; it is
// only dereferenced in `run`, after `hold_arg_slices` has made it point into the file of the
// executable running.
unsafe impl Send for HeldSlice {}
