//! The control half: loads and edits patches, keeps the undo history, sends events, and
//! reads what the audio half reports. Any thread; it allocates freely.

use super::build::{Build, Published, build};
use super::error::EngineError;
use super::event_range;
use super::history::History;
use super::keys::Keys;
use super::midi::MidiMessage;
use super::notes::NoteBinding;
use super::performance::{Change, OUTPUT_LEVEL, Performance, Target, VoiceInput};
use super::report::SwapReport;
use super::sync::TempoSync;
use super::{At, EngineSettings};
use crate::audio_files::{self, Resolved};
use crate::instance::{Prepared, prepare_edit};
use crate::source;
use crate::stream::{SenderMetrics, SenderProbe};
use patchvm_audio::AudioCache;
use patchvm_compiler::CompileOptions;
use patchvm_ir::voices;
use patchvm_ir::{Edit, Format, InputSpec, Limits, NodeName, Patch, Rate, Role};
use patchvm_modules::catalog;
use patchvm_vm::live::{Action, Event, MetricsSnapshot, ParamKey, Remote, Returned};
use patchvm_vm::{Quantize, TempoMap, TransportCommand};
use std::collections::{BTreeSet, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

mod audio;
mod fade;
mod faults;
mod files;
mod presets;
mod probes;
mod recording;
mod routing;
mod scenes;
mod snapshot;
mod tails;
mod tempo;
mod timelines;
mod timing;

pub use audio::{AudioLoader, HeldAudio};
pub use fade::{DEFAULT_FADE_MS, FADE_RANGE_MS, fade_problem};
pub use faults::NodeFaults;
pub use files::LoadedFile;
pub use presets::{PRESET_FORMAT, PRESET_VERSION, Preset, PresetError, PresetLoaded, PresetValue};
pub use probes::{ProbeHandle, ProbeState};
pub(crate) use recording::Recordings;
pub use scenes::RecallAt;
pub(crate) use snapshot::Recorded;
pub use tails::{DEFAULT_TAIL_MAX_S, TAIL_MAX_RANGE_S, tail_max_problem};
pub(crate) use timelines::ClipQueue;
pub use timelines::{ClipReport, clip_from_json};

/// The control half of an engine (see [`Engine`](super::Engine)). Every call that changes
/// the patch compiles and builds the new program here, then publishes it to the audio half;
/// an invalid patch or edit returns its diagnostics and changes nothing.
#[derive(Debug)]
pub struct Controller {
    remote: Remote,
    settings: EngineSettings,
    limits: Limits,
    /// The patch of the last program published.
    patch: Option<Patch>,
    history: History,
    published: Option<Published>,
    keys: Keys,
    /// Stateless nodes that events have addressed: never folded, so their inputs stay slots.
    never_fold: BTreeSet<NodeName>,
    generation: u64,
    /// Reports of programs published and not yet taken, oldest first.
    in_flight: VecDeque<SwapReport>,
    /// Reports of programs taken, not yet read.
    taken: Vec<SwapReport>,
    /// Reports of structural edits taken whose transition has not ended: they wait for the
    /// second take-over's time.
    settling: VecDeque<SwapReport>,
    notes: NoteBinding,
    /// The patch playing with its voice template expanded: where events' targets live.
    flat: Option<Patch>,
    performance: Performance,
    /// For each template, for each of its voices, the keys of its `voice` node's inputs (by
    /// [`VoiceInput`]); `None` where the program has no slot (the node reaches no output).
    voice_keys: Vec<Vec<[Option<ParamKey>; 3]>>,
    /// The same for every `voice` node outside the template.
    mono_keys: Vec<[Option<ParamKey>; 3]>,
    /// For each template, the keys of the level of its outputs, which all sound off cuts.
    output_keys: Vec<Vec<ParamKey>>,
    /// MIDI messages ignored: garbage, system messages, messages no rule uses.
    ignored_midi: u64,
    /// Events queued for the audio half so far (dropped ones not counted).
    queued_events: u64,
    /// The grid every swap waits for, if any (see [`Controller::quantize_swaps`]).
    quantize: Option<Quantize>,
    /// Tap tempo and the clock follower (`sync.rs`).
    pub(crate) tempo_sync: TempoSync,
    /// The catalog's input behind each key events were sent to, for their range check;
    /// cleared by every program published (an edit may change a node's module).
    inputs: foldhash::HashMap<ParamKey, &'static InputSpec>,
    /// What a snapshot keeps that the patch does not: values set by events, notes held, the
    /// scene last recalled.
    recorded: Recorded,
    /// The note sender playing this engine's note streams, if a host started one.
    notes_out: Option<SenderProbe>,
    /// Decoded audio files, kept across reloads (`controller/audio.rs`); shared with the
    /// [`AudioLoader`]s that fill it before a reload takes the controller's lock.
    audio: Arc<Mutex<AudioCache>>,
    /// The folder the patch's audio paths are relative to: the patch file's.
    folder: std::path::PathBuf,
    /// The audio files of the program published, held so reloading them decodes nothing.
    audio_files: Resolved,
    /// The model of the audio clock that time tags and MIDI timestamps map through.
    audio_clock: crate::AudioClock,
    /// Faults the audio half reported, by node (`controller/faults.rs`).
    faults: faults::Faults,
    /// How many timeline jumps were sent: each steps a `timeline` node's `jump` input.
    timeline_jumps: u32,
    /// The clip events the audio half pushes (`controller/timelines.rs`).
    clips: ClipQueue,
    /// Audio files loaded by id (`controller/files.rs`).
    files: Vec<LoadedFile>,
    /// Node outputs read after each block (`controller/probes.rs`).
    probes: probes::Probes,
    /// The recordings and their takes (`controller/recording.rs`).
    recordings: Recordings,
}

impl Controller {
    pub(crate) fn new(
        remote: Remote,
        settings: EngineSettings,
        limits: Limits,
        (clips, recordings): (ClipQueue, Recordings),
    ) -> Controller {
        let remote_metrics = remote.metrics().clone();
        Controller {
            remote,
            settings,
            audio: Arc::new(Mutex::new(AudioCache::new(limits.max_sample_bytes))),
            limits,
            patch: None,
            history: History::default(),
            published: None,
            keys: Keys::default(),
            never_fold: BTreeSet::new(),
            generation: 0,
            in_flight: VecDeque::new(),
            taken: Vec::new(),
            settling: VecDeque::new(),
            notes: NoteBinding::default(),
            flat: None,
            performance: Performance::default(),
            voice_keys: Vec::new(),
            mono_keys: Vec::new(),
            output_keys: Vec::new(),
            ignored_midi: 0,
            queued_events: 0,
            quantize: None,
            tempo_sync: TempoSync::default(),
            inputs: foldhash::HashMap::default(),
            recorded: Recorded::default(),
            notes_out: None,
            folder: std::path::PathBuf::new(),
            audio_files: Resolved::default(),
            audio_clock: crate::AudioClock::new(remote_metrics, settings.sample_rate),
            faults: faults::Faults::default(),
            timeline_jumps: 0,
            clips,
            files: Vec::new(),
            probes: probes::Probes::default(),
            recordings,
        }
    }

    /// Reads a patch from `text` in `format` and plays it (an undoable replacement).
    pub fn load_text(&mut self, text: &[u8], format: Format) -> Result<SwapReport, EngineError> {
        let patch = format.read(text, &self.limits)?;
        self.load_patch(patch)
    }

    /// Reads the patch file at `path` (format from its extension) and plays it, its audio
    /// files relative to its folder from now on.
    pub fn load_file(&mut self, path: &Path) -> Result<SwapReport, EngineError> {
        let (patch, _) = source::load(path, &self.limits).map_err(EngineError::Load)?;
        let folder = std::mem::replace(&mut self.folder, crate::folder_of(path));
        self.load_patch(patch).inspect_err(|_| self.folder = folder)
    }

    /// Plays `patch`, replacing the one playing: nodes whose id and module survive keep
    /// their state. Undoable.
    pub fn load_patch(&mut self, patch: Patch) -> Result<SwapReport, EngineError> {
        self.edited(patch)
    }

    /// Applies `edit` to the patch playing and plays the result. Undoable. Needs a patch,
    /// except for [`Edit::ReplacePatch`].
    pub fn apply(&mut self, edit: &Edit) -> Result<SwapReport, EngineError> {
        let edited = match (&self.patch, edit) {
            (_, Edit::ReplacePatch(patch)) => patch.clone(),
            (Some(patch), _) => edit.apply_unvalidated(patch.clone())?,
            (None, _) => return Err(EngineError::NoPatch),
        };
        self.edited(edited)
    }

    /// Plays `edited`, the result of an edit (validated by compiling it), and makes the patch
    /// it replaces undoable.
    fn edited(&mut self, mut edited: Patch) -> Result<SwapReport, EngineError> {
        // The patch kept names every port the shorthand left out; one that cannot be named is
        // reported by validating it.
        let _reported_by_validation = patchvm_ir::shorthand::resolve(&mut edited, catalog());
        let (report, previous) = self.commit(edited)?;
        if let Some(previous) = previous {
            self.history.edited(previous);
        }
        Ok(report)
    }

    /// Goes back to the patch before the last edit; `Ok(None)` if there is none.
    pub fn undo(&mut self) -> Result<Option<SwapReport>, EngineError> {
        let Some(target) = self.history.undo_target().cloned() else {
            return Ok(None);
        };
        if self.patch.is_none() {
            return Err(EngineError::NoPatch);
        }
        let (report, current) = self.commit(target)?;
        self.history.undone(current.ok_or(EngineError::NoPatch)?);
        Ok(Some(report))
    }

    /// Goes forward again to the patch the last undo left; `Ok(None)` if there is none.
    pub fn redo(&mut self) -> Result<Option<SwapReport>, EngineError> {
        let Some(target) = self.history.redo_target().cloned() else {
            return Ok(None);
        };
        if self.patch.is_none() {
            return Err(EngineError::NoPatch);
        }
        let (report, current) = self.commit(target)?;
        self.history.redone(current.ok_or(EngineError::NoPatch)?);
        Ok(Some(report))
    }

    /// The patch playing (the last one published), if any.
    pub fn patch(&self) -> Option<&Patch> {
        self.patch.as_ref()
    }

    /// Sets input `param` of node `node` to `value` at `at`, exactly at that sample. Returns
    /// whether the event was queued: `false` means the queue was full and the event was
    /// dropped (and counted in the metrics), never waited for.
    ///
    /// The input must be unconnected and audio-rate, and `value` finite and within the
    /// input's range in the catalog (else [`EngineError::OutOfRange`], and nothing is sent). The first event for a stateless node
    /// that the compiler folded into a constant recompiles the patch with that node kept
    /// (a swap, within a block), so that folding never hides a value an event can change.
    pub fn set_param(
        &mut self,
        node: &str,
        param: &str,
        value: f32,
        at: At,
    ) -> Result<bool, EngineError> {
        let key = self.checked_key(node, param, value)?;
        self.recorded.param(node, param, value);
        Ok(self.send(key, Action::Set(value), at))
    }

    /// Ramps input `param` of node `node` linearly from its value at `at` to `target`,
    /// reaching it `samples` samples later. Like [`set_param`](Controller::set_param)
    /// otherwise (`target` is held to the input's range).
    pub fn ramp_param(
        &mut self,
        node: &str,
        param: &str,
        target: f32,
        samples: u32,
        at: At,
    ) -> Result<bool, EngineError> {
        let key = self.checked_key(node, param, target)?;
        self.recorded.param(node, param, target);
        Ok(self.send(key, Action::Ramp { target, samples }, at))
    }

    /// Sends `command` to the engine's transport, to take effect at `at`. Returns whether it
    /// was queued (`false`: the queue was full and it was dropped and counted). A tempo
    /// outside 1..=10000 BPM, a loop not `0 <= start < end` or a beat that is not finite is
    /// refused.
    pub fn transport(&mut self, command: TransportCommand, at: At) -> Result<bool, EngineError> {
        let refuse = |reason: String| Err(EngineError::Transport(reason));
        match command {
            TransportCommand::Tempo { bpm, .. }
                if !(TempoMap::MIN_BPM..=TempoMap::MAX_BPM).contains(&bpm) =>
            {
                return refuse(format!(
                    "tempo {bpm} BPM is out of range; expected {} to {}",
                    TempoMap::MIN_BPM,
                    TempoMap::MAX_BPM
                ));
            }
            TransportCommand::Seek(beat) if !beat.is_finite() => {
                return refuse(format!("seek to beat {beat}; expected a finite beat"));
            }
            TransportCommand::Loop { start, end }
                if !(start.is_finite() && end.is_finite() && 0.0 <= start && start < end) =>
            {
                return refuse(format!(
                    "loop from beat {start} to {end}; expected 0 <= start < end"
                ));
            }
            _ => {}
        }
        Ok(self.send(ParamKey(0), Action::Transport(command), at))
    }

    /// Fades every output to silence within one block ([`FADE_SAMPLES`](crate::FADE_SAMPLES))
    /// and keeps it silent until the next program plays (a reload or edit); the transport
    /// goes on. Returns whether it was queued.
    pub fn hush(&mut self) -> bool {
        self.send(ParamKey(0), Action::Hush, At::Now)
    }

    /// Makes every later swap (file reloads, OSC edits, commits through this API) wait for
    /// the transport's next grid line and land on exactly its sample; `None` swaps at the
    /// next block again. While the transport is stopped swaps land at the next block.
    pub fn quantize_swaps(&mut self, quantize: Option<Quantize>) {
        self.quantize = quantize;
    }

    /// Chooses the parameters that [`note_on`](Controller::note_on) and
    /// [`note_off`](Controller::note_off) drive.
    pub fn bind_notes(&mut self, binding: NoteBinding) {
        self.notes = binding;
    }

    /// Plays MIDI note `note` at `velocity` (1..=127; 0 is a note off) from `at`: on a
    /// voice of the patch's template (see the voice allocator in
    /// [`Engine`](super::Engine)'s docs), on the patch's `voice` nodes outside the template
    /// (last-note priority), through the [`NoteBinding`], or, if the patch binds the note,
    /// only through its bindings.
    pub fn note_on(&mut self, note: u8, velocity: u8, at: At) -> Result<(), EngineError> {
        self.channel_note_on(None, note, velocity, at)
    }

    /// [`note_on`](Controller::note_on) on MIDI channel `channel` (0..=15, `None` for
    /// every template).
    fn channel_note_on(
        &mut self,
        channel: Option<u8>,
        note: u8,
        velocity: u8,
        at: At,
    ) -> Result<(), EngineError> {
        if velocity == 0 {
            return self.channel_note_off(channel, note, at);
        }
        self.recorded.note_on(channel, note, velocity);
        let mut changes = Vec::new();
        self.performance
            .note_on(channel, note.min(127), velocity, time_of(at), &mut changes);
        self.play(changes, at)
    }

    /// Releases MIDI note `note` at `at` (or, while the sustain pedal is down, its voices
    /// when the pedal lifts).
    pub fn note_off(&mut self, note: u8, at: At) -> Result<(), EngineError> {
        self.channel_note_off(None, note, at)
    }

    fn channel_note_off(
        &mut self,
        channel: Option<u8>,
        note: u8,
        at: At,
    ) -> Result<(), EngineError> {
        self.recorded.note_off(channel, note);
        let mut changes = Vec::new();
        self.performance
            .note_off(channel, note.min(127), time_of(at), &mut changes);
        self.play(changes, at)
    }

    /// Control change `number` to `value` (both 0..=127) at `at`: the sustain pedal (64),
    /// all sound off (120: every gate closes and the template's outputs are cut on that
    /// sample, until its next note), all notes off (123: every gate closes, voices release),
    /// and the patch's bindings of that controller.
    pub fn control_change(&mut self, number: u8, value: u8, at: At) -> Result<(), EngineError> {
        self.channel_control(None, number, value, at)
    }

    fn channel_control(
        &mut self,
        channel: Option<u8>,
        number: u8,
        value: u8,
        at: At,
    ) -> Result<(), EngineError> {
        self.recorded.control(channel, number);
        let mut changes = Vec::new();
        self.performance
            .control(channel, number, value, &mut changes);
        self.play(changes, at)
    }

    /// Pitch bend to `value` (0..=16383, centred at 8192) at `at`: voice pitch moves by the
    /// patch's bend range, and the patch's bend bindings follow.
    pub fn pitch_bend(&mut self, value: u16, at: At) -> Result<(), EngineError> {
        self.channel_bend(None, value, at)
    }

    fn channel_bend(&mut self, channel: Option<u8>, value: u16, at: At) -> Result<(), EngineError> {
        let mut changes = Vec::new();
        self.performance
            .bend(channel, value.min(16_383), &mut changes);
        self.play(changes, at)
    }

    /// Acts on one raw MIDI channel message (note on or off, control change, pitch bend) at
    /// `at`: the templates whose `(channel N)` is the message's, and those without one, play
    /// it (multitimbral); `voice` nodes outside templates and the patch's bindings hear every
    /// channel. Anything else — garbage, system messages, program changes — is ignored and
    /// counted ([`ignored_midi`](Controller::ignored_midi)); no input panics.
    pub fn midi(&mut self, message: &[u8], at: At) -> Result<(), EngineError> {
        let channel = message.first().map(|status| status & 0x0F);
        match MidiMessage::parse(message) {
            Some(MidiMessage::NoteOn { note, velocity }) => {
                self.channel_note_on(channel, note, velocity, at)
            }
            Some(MidiMessage::NoteOff { note }) => self.channel_note_off(channel, note, at),
            Some(MidiMessage::Control { number, value }) => {
                self.channel_control(channel, number, value, at)
            }
            Some(MidiMessage::Bend { value }) => self.channel_bend(channel, value, at),
            None => {
                self.ignored_midi += 1;
                Ok(())
            }
        }
    }

    /// MIDI messages [`midi`](Controller::midi) ignored so far.
    pub fn ignored_midi(&self) -> u64 {
        self.ignored_midi
    }

    /// Events queued for the audio half so far, by every call that sends any; dropped ones
    /// (the queue was full) are not counted. A source that schedules ahead compares it before
    /// and after a call to learn how many queue slots the call took.
    pub fn queued_events(&self) -> u64 {
        self.queued_events
    }

    /// Voices of the template whose gate is open (held, or kept by the sustain pedal); also
    /// in the [`metrics`](Controller::metrics).
    pub fn active_voices(&self) -> usize {
        self.performance.active_voices()
    }

    /// How the engine was built: its sample rate, seed, channels, queue sizes and voices.
    pub fn settings(&self) -> EngineSettings {
        self.settings
    }

    /// The limits patches and edits are checked against.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The metrics, as the audio half last wrote them.
    pub fn metrics(&self) -> MetricsSnapshot {
        self.remote.metrics().snapshot()
    }

    /// Tells the controller which note sender plays its note streams, so
    /// [`note_metrics`](Controller::note_metrics) (and OSC `/status`) can report it.
    pub fn attach_note_sender(&mut self, probe: SenderProbe) {
        self.notes_out = Some(probe);
    }

    /// The note sender's metrics (sent, dropped, late, jitter, queue high-water), if one is
    /// attached.
    pub fn note_metrics(&self) -> Option<SenderMetrics> {
        self.notes_out.as_ref().map(SenderProbe::metrics)
    }

    /// The engine's shared metrics, whose frame counter the audio half advances: the clock a
    /// note sender maps sample times through ([`crate::stream::NoteSender`]).
    pub fn clock(&self) -> Arc<patchvm_vm::live::Metrics> {
        self.remote.metrics().clone()
    }

    /// The engine time: frames the audio half has rendered, within one block.
    pub fn time(&self) -> u64 {
        self.remote.metrics().frames()
    }

    /// Reports of the programs the audio half has taken since the last call, oldest first; a
    /// structural edit's once its transition has ended too (its `takeover_ns` counts both).
    pub fn take_reports(&mut self) -> Vec<SwapReport> {
        self.maintain();
        std::mem::take(&mut self.taken)
    }

    /// Frees the programs the audio half retired and collects its receipts. Every other
    /// call does this too; call it now and then when nothing else happens, so retired
    /// programs do not wait long to be freed.
    pub fn maintain(&mut self) {
        self.poll_recordings();
        // Freed after the faults are read, so no kernel they name was freed meanwhile.
        let mut retired = Vec::new();
        while let Some(returned) = self.remote.receive() {
            match returned {
                Returned::Taken {
                    generation,
                    time,
                    takeover_ns,
                } => {
                    while let Some(mut report) = self.in_flight.pop_front() {
                        if report.generation == generation {
                            report.taken_at = Some(time);
                            report.takeover_ns = Some(takeover_ns);
                            match report.crossfade {
                                true => self.settling.push_back(report),
                                false => self.taken.push(report),
                            }
                            break;
                        }
                    }
                }
                Returned::Settled {
                    generation,
                    takeover_ns,
                } => {
                    while let Some(mut report) = self.settling.pop_front() {
                        if report.generation == generation {
                            *report.takeover_ns.get_or_insert(0) += takeover_ns;
                            self.taken.push(report);
                            break;
                        }
                    }
                }
                Returned::Retired(program) => retired.push(program),
            }
        }
        self.faults.collect(&mut self.remote);
        // Dropped here: the programs are freed on the control side.
        drop(retired);
    }

    /// Sends `changes`, each at `at` plus its delay. Every change is tried; the error is the
    /// first refusal, else how many events the full queue dropped.
    fn play(&mut self, changes: Vec<Change>, at: At) -> Result<(), EngineError> {
        let mut result = Ok(());
        let mut dropped = 0;
        for Change {
            target,
            value,
            delay,
        } in changes
        {
            let at = match at {
                // "Now" is the audio half's next sample; a delayed change (a retrigger's
                // rise) goes that many samples after it, not on the same sample as the fall.
                At::Now if delay > 0 => At::Sample(self.time().saturating_add(u64::from(delay))),
                At::Now => At::Now,
                At::Sample(time) => At::Sample(time.saturating_add(u64::from(delay))),
            };
            let action = Action::Set(value);
            match target {
                Target::Voice(template, voice, input) => {
                    let key = self
                        .voice_keys
                        .get(template)
                        .and_then(|voices| voices.get(voice))
                        .and_then(|keys| keys[input as usize]);
                    // A voice without a slot plays nothing, as one whose event was dropped.
                    let sent = key.map(|key| self.send(key, action, at));
                    dropped += usize::from(sent == Some(false));
                    if sent != Some(true) {
                        self.performance.gate_not_sent(&target, value);
                    }
                }
                Target::Mono(input) => {
                    let keys: Vec<ParamKey> = self
                        .mono_keys
                        .iter()
                        .filter_map(|keys| keys[input as usize])
                        .collect();
                    let mut sent = true;
                    for key in keys {
                        let queued = self.send(key, action, at);
                        dropped += usize::from(!queued);
                        sent &= queued;
                    }
                    if !sent {
                        self.performance.gate_not_sent(&target, value);
                    }
                }
                Target::Outputs(template) => {
                    let keys = self.output_keys.get(template).cloned().unwrap_or_default();
                    for key in keys {
                        dropped += usize::from(!self.send(key, action, at));
                    }
                }
                Target::BoundFreq | Target::BoundGate => {
                    let bound = match target {
                        Target::BoundFreq => self.notes.freq.clone(),
                        _ => self.notes.gate.clone(),
                    };
                    if let Some((node, param)) = bound {
                        match self.set_param(&node, &param, value, at) {
                            Ok(queued) => dropped += usize::from(!queued),
                            Err(error) => result = result.and(Err(error)),
                        }
                    }
                }
                Target::Param(node, param) => match self.set_param(&node, &param, value, at) {
                    Ok(queued) => dropped += usize::from(!queued),
                    Err(error) => result = result.and(Err(error)),
                },
            }
        }
        self.remote
            .metrics()
            .set_active_voices(self.performance.active_voices() as u64);
        match dropped {
            0 => result,
            dropped => result.and(Err(EngineError::EventsDropped(dropped))),
        }
    }

    fn send(&mut self, key: ParamKey, action: Action, at: At) -> bool {
        self.maintain();
        let time = match at {
            At::Now => 0,
            At::Sample(time) => time,
        };
        let queued = self.remote.send(Event {
            time,
            key,
            action,
            generation: self.generation,
        });
        self.queued_events += u64::from(queued);
        queued
    }

    /// Compiles, builds and publishes `patch`; on success it is the patch playing, and the
    /// one it replaced comes back.
    fn commit(&mut self, patch: Patch) -> Result<(SwapReport, Option<Patch>), EngineError> {
        self.commit_at(patch, self.quantize)
    }

    /// [`commit`](Controller::commit) with the swap waiting for `quantize`'s grid line.
    fn commit_at(
        &mut self,
        patch: Patch,
        quantize: Option<Quantize>,
    ) -> Result<(SwapReport, Option<Patch>), EngineError> {
        let mut patch = patch;
        patchvm_ir::timelines::play_implicitly(&mut patch);
        self.maintain();
        self.keep_scene_slots(&patch);
        let options = CompileOptions {
            never_fold: self
                .never_fold
                .iter()
                .chain(self.probes.nodes())
                .cloned()
                .collect(),
            probes: self.probes.wanted(),
            ..CompileOptions::default()
        };
        if let Some(problem) = fade_problem(self.settings.fade_ms) {
            return Err(EngineError::Invalid(vec![problem]));
        }
        let settings = self.settings.instance();
        let Prepared {
            compiled,
            graph,
            expanded,
        } = prepare_edit(&patch, &settings, &self.limits, &options)?;
        let resolved = audio_files::resolve(
            &patch,
            &compiled.kernels,
            (&self.folder, &self.recordings.paths),
            settings.sample_rate,
            &mut self.audio.lock().unwrap_or_else(PoisonError::into_inner),
        )?;
        let generation = self.generation + 1;
        let how = Build {
            patch: &patch,
            options: &options,
            settings: &settings,
            generation,
            audio: &resolved.files,
            fade: self.settings.fade_ms / 1000.0,
            probes: &|points| self.probes.tap(points),
            tail_max: self.settings.tail_max_s,
        };
        let points = compiled.probes.clone();
        let (mut loaded, published, mut report) = build(
            compiled,
            graph,
            &how,
            self.published.as_ref(),
            &mut self.keys,
        )?;
        loaded.quantize = quantize;
        // On failure the program comes back and is dropped here, on the control side.
        if self.remote.publish(loaded).is_err() {
            return Err(EngineError::Busy {
                waiting: self.remote.waiting(),
                started: self.remote.metrics().frames() > 0,
            });
        }
        // The audio half's next look for programs as the push lands: the program is taken at
        // that look, or at the one after if the look was already under way.
        report.published_at = self.remote.metrics().next_look();
        self.generation = generation;
        self.probes.published(&points, generation);
        self.faults.remember(self.published.as_ref(), &published);
        self.published = Some(published);
        self.audio_files = resolved;
        self.inputs.clear();
        // Expanded once, by the validation: without a template the patch is its own
        // expansion, and no copy of it is kept.
        self.flat = expanded;
        self.performance.configure(&patch, self.settings.voices);
        self.find_voice_keys(&patch);
        self.clips.remember(&patch);
        let previous = self.patch.replace(patch);
        self.in_flight.push_back(report.clone());
        Ok((report, previous))
    }

    /// The key of an input events can reach, once `value` passed the input's range check
    /// ([`event_range::check`]); the input is looked up once per program.
    fn checked_key(
        &mut self,
        node: &str,
        param: &str,
        value: f32,
    ) -> Result<ParamKey, EngineError> {
        let key = self.key(node, param)?;
        let input = match self.inputs.get(&key) {
            Some(&input) => input,
            None => {
                let input = self.input_spec(node, param)?;
                self.inputs.insert(key, input);
                input
            }
        };
        event_range::check(node, param, input, value)?;
        Ok(key)
    }

    /// The catalog's description of input `param` of node `node` in the patch playing.
    fn input_spec(&self, node: &str, param: &str) -> Result<&'static InputSpec, EngineError> {
        let refuse = |reason: &str| EngineError::Param {
            node: node.to_owned(),
            param: param.to_owned(),
            reason: reason.to_owned(),
        };
        let written = self.patch.as_ref().ok_or(EngineError::NoPatch)?;
        let (resolved, port) = voices::resolve(written, catalog(), node, param);
        let found = self
            .flat
            .as_ref()
            .unwrap_or(written)
            .node(&resolved)
            .ok_or_else(|| refuse("no such node"))?;
        let spec = catalog()
            .get(&found.module.text)
            .ok_or_else(|| refuse("unknown module"))?;
        spec.input(&port)
            .map(|input| &spec.inputs[input])
            .ok_or_else(|| refuse("no such input"))
    }

    /// The key of an input events can reach, or why it cannot be reached.
    fn key(&mut self, node: &str, param: &str) -> Result<ParamKey, EngineError> {
        let refuse = |reason: String| EngineError::Param {
            node: node.to_owned(),
            param: param.to_owned(),
            reason,
        };
        let written = self.patch.as_ref().ok_or(EngineError::NoPatch)?;
        let (node, param) = voices::resolve(written, catalog(), node, param);
        let (node, param) = (node.as_ref(), param.as_ref());
        let published = self.published.as_ref().ok_or(EngineError::NoPatch)?;
        if let Some(key) = published.slot(&self.keys, node, param) {
            return Ok(key);
        }
        let patch = self.flat.as_ref().unwrap_or(written);
        let found = patch
            .node(node)
            .ok_or_else(|| refuse("no such node".into()))?;
        let spec = catalog()
            .get(&found.module.text)
            .ok_or_else(|| refuse("unknown module".into()))?;
        let input = spec.input(param).ok_or_else(|| {
            let names: Vec<String> = spec
                .inputs
                .iter()
                .map(|i| format!("`{}`", i.name))
                .collect();
            refuse(format!(
                "module `{}` has no input `{param}`; expected one of {}",
                spec.name,
                names.join(", ")
            ))
        })?;
        if spec.role != Role::Kernel {
            return Err(refuse(format!("`{}` nodes take no events", spec.name)));
        }
        if spec.inputs[input].rate == Rate::Init {
            return Err(refuse(
                "it is read once, when the node is built; change it with an edit".into(),
            ));
        }
        let connected = patch
            .connections
            .iter()
            .any(|c| c.to.node.text == node && c.to.port.text == param);
        if connected {
            return Err(refuse("a connection drives it".into()));
        }
        if !self.never_fold.insert(node.into()) {
            return Err(refuse("the node reaches no output".into()));
        }
        // A folded node: keep it a kernel from now on, so its inputs are slots.
        let patch = written.clone();
        if let Err(error) = self.commit(patch) {
            self.never_fold.remove(node);
            return Err(error);
        }
        let published = self.published.as_ref().ok_or(EngineError::NoPatch)?;
        published
            .slot(&self.keys, node, param)
            .ok_or_else(|| refuse("the node reaches no output".into()))
    }

    /// Finds the slots of the `voice` nodes: each voice's copy of the template's, and those
    /// outside the template.
    fn find_voice_keys(&mut self, patch: &Patch) {
        let Some(published) = self.published.as_ref() else {
            return;
        };
        let engine_keys = &self.keys;
        let keys_of = |node: &str| {
            let mut keys = [None; 3];
            for input in VoiceInput::ALL {
                keys[input as usize] = published.slot(engine_keys, node, input.port());
            }
            keys
        };
        let mut id = String::new();
        self.voice_keys = patch
            .voices
            .iter()
            .map(|template| match voices::voice_node(template, catalog()) {
                Some(voice_node) => (0..voices::count(template, self.settings.voices))
                    .map(|voice| {
                        voices::write_copy_id(&mut id, &template.name.text, voice, voice_node);
                        keys_of(&id)
                    })
                    .collect(),
                None => Vec::new(),
            })
            .collect();
        self.output_keys = patch
            .voices
            .iter()
            .map(|template| {
                template
                    .outputs
                    .iter()
                    .filter_map(|output| {
                        let bus = voices::port_id(&template.name.text, &output.name.text);
                        published.slot(engine_keys, &bus, OUTPUT_LEVEL)
                    })
                    .collect()
            })
            .collect();
        self.mono_keys = patch
            .nodes
            .iter()
            .filter(|node| catalog().is_voice(&node.module.text))
            .map(|node| keys_of(&node.id.text))
            .collect();
    }
}

/// The time a message at `at` happens at, for comparing two messages: `u64::MAX` for "now".
fn time_of(at: At) -> u64 {
    match at {
        At::Now => u64::MAX,
        At::Sample(time) => time,
    }
}
