//! The audio half: plays the current program, takes new ones at block boundaries (or, held
//! for a quantised swap, at the exact sample of the transport's next grid line), applies
//! events at their exact sample, steps the engine's transport, and plays a structural
//! change's transition program for its crossfade before the new program itself.

use crate::channels::mapped_sample;
use crate::denormals::FlushDenormals;
use crate::fault::Fault;
use crate::kernel::MAX_BLOCK;
use crate::live::clock_tap::ClockTap;
use crate::live::event::{Action, Event};
use crate::live::ghost::Ghost;
use crate::live::limiter::{Limiter, clipped};
use crate::live::link::LinkSettings;
use crate::live::loaded::{Loaded, Returned, Takeover};
use crate::live::metrics::Metrics;
use crate::live::notes_out::{ClipsOut, NotesOut};
use crate::live::probe::{OUTPUT_PROBE, ProbeBoard};
use crate::live::tap::{BlockInput, Taps};
use crate::machine::Executable;
use crate::time::{Beats, TempoMap, Transport};
use std::sync::Arc;
use std::time::Instant;

/// Samples over which a hush fades every output to silence: one block (1.3 ms at 48 kHz), a
/// ramp rather than a click (a full-scale signal moves at most 1/64 per sample) and as fast
/// as a panic button should be. An edit's fades last the engine's fade setting instead
/// ([`Loaded::fade`]).
pub const FADE_SAMPLES: u32 = MAX_BLOCK as u32;

/// The samples an edit's fade of `seconds` lasts at `sample_rate`: rounded to the nearest
/// sample, at least 1 (a fade of 0 is a step on the next sample). The one conversion, so the
/// audio half's transition and the `edit.fade` kernels inside it end on the same sample.
pub fn fade_samples(seconds: f64, sample_rate: f64) -> u32 {
    let samples = (seconds * sample_rate).round();
    if samples.is_finite() && samples >= 1.0 {
        samples.min(f64::from(u32::MAX)) as u32
    } else {
        1
    }
}

/// The audio half of a live engine: owned by whatever calls back for audio, and `Send` so it
/// can be moved into that callback. Call [`process`](AudioHalf::process) from the audio
/// callback with an interleaved output buffer of any length. Drop it off the audio thread
/// (after the stream stops): dropping it frees the program it plays.
///
/// How each real-time hazard is avoided:
/// - allocation: every buffer (registers, outputs, the pending-event list) is allocated
///   before it gets here; the pending list never grows past the capacity it was built with;
///   programs arrive as boxes built on the control side, and moving a box copies a pointer;
/// - freeing: a program that stops playing is sent back on a queue and freed by the control
///   side (with the kernels only it held); the audio half only takes a program when that
///   queue has room for what it will send back, so it never drops one;
/// - copying: a surviving node's kernel is shared by the old and new programs, so a swap
///   copies no node state but that of kernels rebuilt with new settings (see [`Takeover`]);
/// - locks and blocking: the queues are `rtrb` SPSC ring buffers (wait-free push and pop),
///   metrics are relaxed atomics; nothing here waits for the control side;
/// - panics: events name parameters by key, looked up with `binary_search`, and slots out of
///   range are ignored; programs were verified before they were built;
/// - subnormals: `process` flushes them to zero ([`FlushDenormals`]) and gives the caller's
///   thread its floating-point mode back.
pub struct AudioHalf {
    /// The program playing; `None` until the first one arrives (silence). A transition
    /// while its `then` is set.
    current: Option<Box<Loaded>>,
    /// A program that stopped playing, waiting for room on the queue back.
    retiring: Option<Box<Loaded>>,
    /// Samples of the transition still to play.
    fade_left: u32,
    programs: rtrb::Consumer<Box<Loaded>>,
    events: rtrb::Consumer<Event>,
    returned: rtrb::Producer<Returned>,
    /// Fault onsets, for the control side to name (a full queue loses the name, never the
    /// count in the metrics).
    faults: rtrb::Producer<Fault>,
    /// The output limiter, if the host asked for one ([`limit`](AudioHalf::limit)).
    limiter: Option<Limiter>,
    /// Events received and not yet due, sorted by time (stable: equal times keep their
    /// order). Invariant: `pending.len() <= pending_capacity`, which its allocation holds.
    pending: Vec<Event>,
    pending_capacity: usize,
    metrics: Arc<Metrics>,
    channels: usize,
    /// Frames rendered so far: the engine's sample time.
    time: u64,
    /// Nanoseconds of audio in one frame.
    ns_per_frame: f64,
    /// The current program's flushed-sample count already added to the metrics.
    flushed_seen: u64,
    /// The engine's one transport: the beat position of every sample.
    transport: Transport,
    /// The tempo map the transport follows while no program plays (120 BPM, 4/4).
    idle_map: TempoMap,
    /// While hushed: samples since the hush began (its fade, then silence).
    hushed: Option<u32>,
    /// The beat a program held for a quantised swap waits for, with the transport's jump
    /// count it was computed at (a jump makes it stale).
    quantized: Option<(f64, u64)>,
    /// MIDI clock out, once a host asked for it ([`send_clock`](AudioHalf::send_clock)).
    pub(crate) clock: Option<ClockTap>,
    /// Where the sinks' events go, once a sender listens.
    notes: Option<NotesOut>,
    /// Where the timelines' clip events go, once the control side listens.
    clips: Option<ClipsOut>,
    /// The board whose [`OUTPUT_PROBE`] cell the mix is published into after each block.
    output_probe: Option<Arc<ProbeBoard>>,
    /// The recordings' taps, once the control side can record.
    taps: Option<Box<Taps>>,
    /// The removed effects of the last structural edit, ringing out (see
    /// [`Tail`](crate::live::Tail)).
    ghost: Option<Ghost>,
    /// The ghost before it, fading out since `ghost` arrived.
    older: Option<Ghost>,
}

impl std::fmt::Debug for AudioHalf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioHalf")
            .field("time", &self.time)
            .field("channels", &self.channels)
            .field("generation", &self.generation())
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl AudioHalf {
    pub(crate) fn new(
        settings: LinkSettings,
        programs: rtrb::Consumer<Box<Loaded>>,
        events: rtrb::Consumer<Event>,
        (returned, faults): (rtrb::Producer<Returned>, rtrb::Producer<Fault>),
        metrics: Arc<Metrics>,
        event_capacity: usize,
    ) -> AudioHalf {
        AudioHalf {
            current: None,
            retiring: None,
            fade_left: 0,
            programs,
            events,
            returned,
            faults,
            limiter: None,
            pending: Vec::with_capacity(event_capacity),
            pending_capacity: event_capacity,
            metrics,
            channels: settings.channels.clamp(1, 2),
            time: 0,
            ns_per_frame: 1e9 / settings.sample_rate.max(1.0),
            flushed_seen: 0,
            transport: Transport::new(settings.sample_rate),
            idle_map: TempoMap::default(),
            hushed: None,
            quantized: None,
            clock: None,
            notes: None,
            clips: None,
            output_probe: None,
            taps: None,
            ghost: None,
            older: None,
        }
    }

    /// Fills `output` with interleaved frames of [`channels`](AudioHalf::channels) samples, any
    /// number of them: the work is split into blocks of at most [`MAX_BLOCK`] frames, and
    /// further at the sample of each event. A program published before the call starts
    /// playing at the first block boundary the audio half reaches, within one block. A mono
    /// program plays on every channel; a stereo program on a mono engine plays
    /// `(left + right) / 2` ([`mapped_sample`]). Samples past the last whole frame are set
    /// to 0.
    ///
    /// Real-time safe: does not allocate, lock or block.
    pub fn process(&mut self, output: &mut [f32]) {
        self.process_with_input(&[], 0, output);
    }

    /// Like [`process`](AudioHalf::process), with the host's audio input for the patch's `input`
    /// nodes: `input` holds interleaved frames of `input_channels` samples, one per output
    /// frame; channels or frames the host does not supply are silent.
    ///
    /// Real-time safe: does not allocate, lock or block (checked by RealtimeSanitizer in CI).
    #[cfg_attr(rtsan, sanitize(realtime = "nonblocking"))]
    pub fn process_with_input(&mut self, input: &[f32], input_channels: usize, output: &mut [f32]) {
        // Subnormal tails cost the FPU dearly; the caller's mode comes back on return.
        let _flush = FlushDenormals::new();
        let started = Instant::now();
        let channels = self.channels;
        let frames = output.len() / channels;
        self.metrics.call_began(self.time, frames as u64, started);
        let mut done = 0;
        while done < frames {
            self.receive_events();
            self.return_retired();
            self.return_ghosts();
            self.end_transition();
            let map = tempo_of(&self.current, &self.idle_map);
            self.transport.settle(self.time, map);
            self.take_programs();
            if let Some(taps) = &mut self.taps {
                taps.receive(self.time);
            }
            self.apply_due_events();
            let mut length = (frames - done).min(MAX_BLOCK);
            // Events still pending at or before now wait for their program; the block ends
            // at the first one in the future.
            let future = self.pending.partition_point(|e| e.time <= self.time);
            if let Some(next) = self.pending.get(future) {
                let until = usize::try_from(next.time - self.time).unwrap_or(usize::MAX);
                length = length.min(until);
            }
            if self.fade_left > 0 {
                length = length.min(self.fade_left as usize);
            }
            let map = tempo_of(&self.current, &self.idle_map);
            if let Some((beat, _)) = self.quantized
                && let Some(until) = self.transport.samples_until(self.time, beat, map)
                && until > 0
            {
                length = length.min(usize::try_from(until).unwrap_or(usize::MAX));
            }
            let (length, beats) = self.transport.next(self.time, length, map);
            if let Some(clock) = &mut self.clock {
                clock.block(self.time, &beats, length);
            }
            let host_input = HostInput {
                samples: input,
                channels: input_channels,
                first_frame: done,
            };
            self.render(
                &host_input,
                &beats,
                &mut output[done * channels..(done + length) * channels],
            );
            self.time += length as u64;
            self.fade_left -= self.fade_left.min(length as u32);
            self.metrics.advance(length as u64);
            let map = tempo_of(&self.current, &self.idle_map);
            let state = self.transport.state(self.time, map);
            self.metrics.publish_position(self.time, &state);
            self.metrics.will_look_at(self.time);
            done += length;
        }
        output[frames * channels..].fill(0.0);
        let dsp_ns = started.elapsed().as_nanos().min(u128::from(u64::MAX)) as u64;
        let budget_ns = (frames as f64 * self.ns_per_frame) as u64;
        self.metrics.call(dsp_ns, budget_ns);
    }

    /// Pushes the events of the playing program's sinks (see [`crate::sink`]) into `notes`
    /// from now on, each stamped with its sample and beat. Call before the audio thread
    /// starts.
    pub fn send_notes(&mut self, notes: NotesOut) {
        self.notes = Some(notes);
    }

    /// Holds the output under `limiter`'s ceiling from now on (`None`: no limiter). Call
    /// before the audio thread starts.
    pub fn limit(&mut self, limiter: Option<Limiter>) {
        self.limiter = limiter;
    }

    /// Pushes the clip events of the playing program's timelines (see
    /// [`crate::clip_event`]) into `clips` after each block, dropping and counting them when
    /// it is full.
    pub fn send_clip_events(&mut self, clips: ClipsOut) {
        self.clips = Some(clips);
    }

    /// Publishes the mix into `board`'s [`OUTPUT_PROBE`] cell after each block (its frames
    /// interleaved: the value is the last channel's last sample, the peak over every
    /// channel), as it stands before the limiter, where the clip counter counts. Call before
    /// the audio thread starts.
    pub fn probe_output(&mut self, board: Arc<ProbeBoard>) {
        self.output_probe = Some(board);
    }

    /// Feeds `taps` the output or input of every block from now on (see
    /// [`Taps`](crate::live::Taps)).
    pub fn record_with(&mut self, taps: Box<Taps>) {
        self.taps = Some(taps);
    }

    /// Output channels: 1 or 2.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Frames rendered so far: the time, in samples, of the next frame `process` renders.
    pub fn time(&self) -> u64 {
        self.time
    }

    /// The engine's transport, as it stands before the next block.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The beat position of sample `time` of the engine (one at or after
    /// [`time`](AudioHalf::time), before any command still pending takes effect).
    pub fn position(&self, time: u64) -> f64 {
        self.transport
            .position(time, tempo_of(&self.current, &self.idle_map))
    }

    /// The generation of the program playing, if any.
    pub fn generation(&self) -> Option<u64> {
        self.current.as_ref().map(|loaded| loaded.generation)
    }

    /// Moves events from the queue into the pending list, sorted by time (arrival order among
    /// equal times). When the list is full, an event due before its latest one replaces that
    /// one, which is dropped and counted; a later event waits in the queue.
    ///
    /// Real-time safe: does not allocate (the list stays within its capacity), lock or block.
    fn receive_events(&mut self) {
        while let Ok(next) = self.events.peek().copied() {
            if self.pending.len() == self.pending_capacity {
                // Full: an event due before the latest scheduled one takes its place (that
                // one is dropped and counted); a later one waits in the queue.
                match self.pending.last() {
                    Some(latest) if next.time < latest.time => {
                        self.pending.pop();
                        self.metrics.dropped_event();
                    }
                    _ => break,
                }
            }
            let _ = self.events.pop();
            let at = self.pending.partition_point(|e| e.time <= next.time);
            self.pending.insert(at, next);
        }
    }

    /// Applies, in order, every pending event due at or before the current sample.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn apply_due_events(&mut self) {
        let now = self.time;
        let playing = self.current.as_ref().map(|loaded| loaded.generation);
        let mut applied = 0;
        for at in 0..self.pending.len() {
            let event = self.pending[at];
            if event.time > now {
                // Later events stay, moved down over the applied ones.
                self.pending[at - applied] = event;
                continue;
            }
            match event.action {
                Action::Transport(command) => {
                    let map = tempo_of(&self.current, &self.idle_map);
                    self.transport.command(now, command, map);
                    self.metrics.event(true);
                    applied += 1;
                    continue;
                }
                Action::Hush => {
                    self.hushed = Some(0);
                    for ghost in [&mut self.ghost, &mut self.older].into_iter().flatten() {
                        ghost.fade_out();
                    }
                    self.metrics.event(true);
                    applied += 1;
                    continue;
                }
                Action::Set(_) | Action::Ramp { .. } => {}
            }
            // An event resolved against a program not yet playing waits for it (it is queued
            // behind a crossfade); the order of the others is kept.
            if playing.is_none_or(|generation| generation < event.generation) {
                self.pending[at - applied] = event;
                continue;
            }
            let routed = self
                .current
                .as_mut()
                .is_some_and(|loaded| apply(loaded, &event));
            self.metrics.event(routed);
            applied += 1;
        }
        let kept = self.pending.len() - applied;
        self.pending.truncate(kept);
    }

    /// Takes the programs waiting, in order, while no transition plays and the return queue
    /// has room for what taking one sends back (its receipt, and the program it replaces).
    ///
    /// Real-time safe: moves boxes; does not allocate, free, lock or block.
    fn take_programs(&mut self) {
        while self.retiring.is_none()
            && self
                .current
                .as_ref()
                .is_none_or(|loaded| loaded.then.is_none())
            && self.returned.slots() >= 2
        {
            let Ok(waiting) = self.programs.peek() else {
                break;
            };
            if let Some(quantize) = waiting.quantize
                && self.current.is_some()
            {
                let map = tempo_of(&self.current, &self.idle_map);
                let jumps = self.transport.jumps();
                let beat = match self.quantized {
                    Some((beat, computed)) if computed == jumps => beat,
                    _ => {
                        let position = self.transport.position(self.time, map);
                        quantize.boundary(position, map.beats_per_bar())
                    }
                };
                self.quantized = Some((beat, jumps));
                if self
                    .transport
                    .samples_until(self.time, beat, map)
                    .is_some_and(|until| until > 0)
                {
                    break;
                }
            }
            let Ok(mut next) = self.programs.pop() else {
                break;
            };
            self.quantized = None;
            self.hushed = None;
            let started = Instant::now();
            let old_map = tempo_of(&self.current, &self.idle_map);
            if *old_map != next.executable.program().tempo {
                self.transport.adopt(self.time, old_map);
            }
            if let Some(mut old) = self.current.take() {
                take_over(&mut next, &mut old.executable);
                self.retiring = Some(old);
            }
            if next.then.is_some() {
                self.fade_left = next.fade.max(1);
            }
            let receipt = Returned::Taken {
                generation: next.generation,
                time: self.time,
                takeover_ns: started.elapsed().as_nanos().min(u128::from(u64::MAX)) as u64,
            };
            // Cannot fail: two slots were free.
            let _ = self.returned.push(receipt);
            self.metrics.swapped();
            self.flushed_seen = next.executable.flushed_samples();
            self.current = Some(next);
            self.return_retired();
        }
    }

    /// Once a transition has played its [`fade`](Loaded::fade), hands over to the program after it
    /// and sends the transition back with a receipt. Until the queue back has room for both
    /// it plays on, which sounds the same: its fades hold their new sources.
    ///
    /// Real-time safe: moves boxes; does not allocate, free, lock or block.
    fn end_transition(&mut self) {
        if self.fade_left > 0 || self.retiring.is_some() || self.returned.slots() < 2 {
            return;
        }
        let Some(current) = self.current.as_mut() else {
            return;
        };
        // A new ghost waits while the one before the ringing one still fades: the
        // transition plays on, which sounds the same.
        if current.tail.is_some() && self.older.is_some() {
            return;
        }
        let Some(mut next) = current.then.take() else {
            return;
        };
        if let Some(mut tail) = current.tail.take() {
            take_over(&mut tail.loaded, &mut current.executable);
            if let Some(mut ringing) = self.ghost.take() {
                ringing.fade_out();
                self.older = Some(ringing);
            }
            self.ghost = Some(Ghost::new(tail));
        }
        let started = Instant::now();
        let old_map = &current.executable.program().tempo;
        if *old_map != next.executable.program().tempo {
            self.transport.adopt(self.time, old_map);
        }
        take_over(&mut next, &mut current.executable);
        let receipt = Returned::Settled {
            generation: next.generation,
            takeover_ns: started.elapsed().as_nanos().min(u128::from(u64::MAX)) as u64,
        };
        // Cannot fail: two slots were free.
        let _ = self.returned.push(receipt);
        self.flushed_seen = next.executable.flushed_samples();
        self.retiring = Some(std::mem::replace(current, next));
        self.return_retired();
    }

    /// Sends the retired program back. If the queue is full (it cannot be, by the room
    /// `take_programs` keeps) it stays here and goes back next block.
    ///
    /// Real-time safe: moves a box; does not allocate, free, lock or block.
    fn return_retired(&mut self) {
        if let Some(old) = self.retiring.take()
            && let Err(rtrb::PushError::Full(Returned::Retired(old))) =
                self.returned.push(Returned::Retired(old))
        {
            self.retiring = Some(old);
        }
    }

    /// Sends the ghosts that stopped back, as far as the queue back has room; the others, and
    /// those it has no room for, stay.
    ///
    /// Real-time safe: moves boxes; does not allocate, free, lock or block.
    fn return_ghosts(&mut self) {
        for slot in [&mut self.older, &mut self.ghost] {
            if slot.as_ref().is_some_and(Ghost::stopped)
                && self.returned.slots() > 0
                && let Some(ghost) = slot.take()
            {
                // Cannot fail: a slot was free.
                let _ = self.returned.push(Returned::Retired(ghost.into_loaded()));
            }
        }
        if self.ghost.is_none() {
            self.ghost = self.older.take();
        }
    }

    /// Renders `output.len() / channels` frames (at most one block) of the current program.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn render(&mut self, input: &HostInput, beats: &Beats, output: &mut [f32]) {
        let channels = self.channels;
        let frames = output.len() / channels;
        let Some(current) = self.current.as_mut() else {
            output.fill(0.0);
            self.tap(input, output);
            return;
        };
        let Loaded {
            executable, probes, ..
        } = &mut **current;
        executable.load_input(input.samples, input.channels, input.first_frame, frames);
        executable.run_at(frames, beats);
        probes.publish(executable, self.time + frames as u64);
        if let Some(notes) = &mut self.notes {
            executable.sink_events(self.time, beats, &mut |event| notes.push(event));
        }
        for kernel in executable.fault_onsets() {
            self.metrics.faulted();
            let _ = self.faults.push(Fault {
                kernel,
                time: self.time,
            });
        }
        if let Some(clips) = &mut self.clips {
            executable.clip_events(self.time, &mut |event| clips.push(event));
        }
        let flushed = executable.flushed_samples();
        self.metrics.flushed(flushed - self.flushed_seen);
        self.flushed_seen = flushed;
        for (i, frame) in output.chunks_exact_mut(channels).enumerate() {
            for (channel, out) in frame.iter_mut().enumerate() {
                *out = sample(executable, channels, channel, i);
            }
        }
        let mut tail = None;
        for ghost in [&mut self.ghost, &mut self.older].into_iter().flatten() {
            let peak = ghost.ring(self.time, beats, channels, output);
            tail = Some(tail.map_or(peak, |tail: f32| tail.max(peak)));
        }
        self.metrics.tail(tail);
        if let Some(since) = self.hushed {
            hush(output, channels, since);
            self.hushed = Some(since.saturating_add(frames as u32));
        }
        self.metrics.clipped(clipped(output));
        if let Some(board) = &self.output_probe {
            board.publish(OUTPUT_PROBE, output, self.time + frames as u64);
        }
        if let Some(limiter) = &mut self.limiter {
            limiter.process(output, channels);
        }
        self.tap(input, output);
    }

    /// Hands the block's `output` (as the host gets it) and `input` to the recordings.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn tap(&mut self, input: &HostInput, output: &[f32]) {
        if let Some(taps) = &mut self.taps {
            let input = BlockInput {
                samples: input.samples,
                channels: input.channels,
                first_frame: input.first_frame,
            };
            taps.block(output, self.channels, input);
        }
    }
}

/// The tempo map the transport follows: the program playing's, or `idle` while none does.
///
/// Real-time safe: does not allocate, lock or block.
fn tempo_of<'a>(current: &'a Option<Box<Loaded>>, idle: &'a TempoMap) -> &'a TempoMap {
    current
        .as_ref()
        .map_or(idle, |loaded| &loaded.executable.program().tempo)
}

/// Fades interleaved `output` (frames of `channels` samples) from `since` samples into a
/// hush: gain `1 - (n + 1) / FADE_SAMPLES` at the hush's `n`-th sample, so the last sample
/// of its first block of [`FADE_SAMPLES`] is silent, and silence after.
///
/// Real-time safe: does not allocate, lock or block.
fn hush(output: &mut [f32], channels: usize, since: u32) {
    for (i, frame) in output.chunks_exact_mut(channels).enumerate() {
        let n = u64::from(since) + i as u64;
        let gain = (1.0 - (n + 1) as f32 / FADE_SAMPLES as f32).max(0.0);
        for out in frame {
            *out *= gain;
        }
    }
}

/// The host's input for one block: interleaved frames of `channels` samples, of which the
/// block starts at frame `first_frame`.
struct HostInput<'a> {
    samples: &'a [f32],
    channels: usize,
    first_frame: usize,
}

/// Sample `i` of the last block on channel `channel` of an engine of `channels` channels
/// playing `executable`, by the one channel mapping.
#[inline]
fn sample(executable: &Executable, channels: usize, channel: usize, i: usize) -> f32 {
    mapped_sample(executable.channels(), channels, channel, |c| {
        executable.output(c)[i]
    })
}

/// Hands `next` what it keeps of `old`, the program it replaces, as its
/// [`Takeover`](crate::live::Takeover) says.
///
/// Real-time safe: does not allocate, free, lock or block.
fn take_over(next: &mut Loaded, old: &mut Executable) {
    next.executable.adopt_sink_memory(old);
    match &next.takeover {
        Takeover::Whole {
            rebuilt,
            reset,
            glide,
        } => {
            next.executable.take_over(old, rebuilt, reset);
            next.executable.glide_params(glide, next.fade);
        }
        Takeover::Changed {
            copied,
            params,
            glide,
        } => {
            next.executable.take_over_changed(old, copied, params);
            next.executable.glide_params_from(old, glide, next.fade);
        }
    }
}

/// Applies `event` to `loaded` if it has the event's parameter; returns whether it had.
///
/// Real-time safe: does not allocate, lock or block.
fn apply(loaded: &mut Loaded, event: &Event) -> bool {
    let Some(slot) = loaded.slot(event.key) else {
        return false;
    };
    match event.action {
        Action::Set(value) => loaded.executable.set_param(slot, value),
        Action::Ramp { target, samples } => {
            loaded.executable.ramp_param(slot, target, samples);
        }
        // Carried out by the audio half itself, never routed to a program.
        Action::Transport(_) | Action::Hush => return false,
    }
    true
}
