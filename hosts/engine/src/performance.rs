//! What notes, control changes and pitch bend do to a patch: the voice allocator of each
//! instrument (voice template) and the MIDI channel it listens to, the monophonic note stack,
//! the sustain pedal and the patch's MIDI bindings, turned into parameter changes for the
//! controller to send. No I/O here, so every rule is tested alone.

use super::midi::{ALL_NOTES_OFF, ALL_SOUND_OFF, SUSTAIN, bend_fraction};
use super::notes::Held;
use super::voices::Allocator;
use patchvm_ir::midi::{DEFAULT_BEND_SEMITONES, DEFAULT_TUNING_HZ};
use patchvm_ir::voices::{self, resolve};
use patchvm_ir::{BindingSource, NodeName, Patch};
use std::sync::Arc;

/// An input of a `voice` node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VoiceInput {
    Pitch = 0,
    Gate = 1,
    Velocity = 2,
}

impl VoiceInput {
    /// The inputs in the order a note sets them: its gate last, so it opens on the new pitch.
    pub(crate) const ALL: [VoiceInput; 3] =
        [VoiceInput::Pitch, VoiceInput::Velocity, VoiceInput::Gate];

    /// The `voice` module's input.
    pub(crate) fn port(self) -> &'static str {
        match self {
            VoiceInput::Pitch => "set_pitch",
            VoiceInput::Gate => "set_gate",
            VoiceInput::Velocity => "set_velocity",
        }
    }
}

/// What a change sets.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Target {
    /// An input of voice `.1` of template `.0` (by its place in the patch).
    Voice(usize, usize, VoiceInput),
    /// An input of every `voice` node outside the template, which follow the last note held.
    Mono(VoiceInput),
    /// The legacy [`NoteBinding`](super::NoteBinding)'s frequency input.
    BoundFreq,
    /// The legacy binding's gate input (velocity / 127 while a note is held, else 0).
    BoundGate,
    /// A node input a MIDI binding names (template inputs already resolved), shared with the
    /// binding: each change clones a reference, not the names.
    Param(NodeName, Arc<str>),
    /// The level of every output of template `.0` (its summing node's
    /// [`OUTPUT_LEVEL`] input): 0 cuts every voice's sound at once, 1 plays them.
    Outputs(usize),
}

/// The input of a template output's summing node (a `gain`) that scales the voices' sum.
pub(crate) const OUTPUT_LEVEL: &str = "amp";

/// One parameter change, `delay` samples after the message's time.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Change {
    pub(crate) target: Target,
    pub(crate) value: f32,
    /// 0, or 1 to let a bound trigger fall back to its low value for one sample first.
    pub(crate) delay: u32,
}

/// A binding of the patch's MIDI section, with its target resolved in the expanded patch.
#[derive(Clone, Debug, PartialEq)]
struct Bound {
    source: BindingSource,
    node: NodeName,
    port: Arc<str>,
    range: [f64; 2],
    /// The channel (0..=15) of the template whose input the binding moves, if that template
    /// has one: its control changes and bend come from that channel alone.
    channel: Option<u8>,
}

impl Bound {
    /// Whether a control change or bend on `channel` (as in
    /// [`Performance::note_on`]) moves it.
    fn hears(&self, channel: Option<u8>) -> bool {
        match (self.channel, channel) {
            (Some(mine), Some(channel)) => mine == channel,
            _ => true,
        }
    }
}

/// A bound note's trigger: whether it is on, and the message time it last went off.
#[derive(Clone, Copy, Debug, Default)]
struct Trigger {
    on: bool,
    off_at: Option<u64>,
}

/// One voice template's playing: its channel, voices, bend and cut.
#[derive(Debug, Default)]
struct Instrument {
    /// The MIDI channel (0..=15) it listens to, or `None` for every channel.
    channel: Option<u8>,
    allocator: Allocator,
    /// The bend of its channel, -1..1 of the range.
    bend: f64,
    /// Whether all sound off cut its outputs, to be played again by its next note.
    cut: bool,
}

impl Instrument {
    /// Whether a message on `channel` (0..=15, or `None` for "every instrument") reaches it.
    fn hears(&self, channel: Option<u8>) -> bool {
        match (self.channel, channel) {
            (Some(mine), Some(channel)) => mine == channel,
            _ => true,
        }
    }
}

/// The state of playing: notes held, voices, pedal, bend.
#[derive(Debug)]
pub(crate) struct Performance {
    /// One per voice template, in the patch's order.
    instruments: Vec<Instrument>,
    held: Held,
    tuning: f64,
    bend_range: f64,
    /// The last bend on any channel, -1..1 of the range: what the `voice` nodes outside the
    /// templates and the bindings follow.
    bend: f64,
    bindings: Vec<Bound>,
    triggers: Vec<Trigger>,
    /// The gate value the `voice` nodes outside the template last opened with: 1 or 2,
    /// alternating, so a note started on the sample the last one ended still restarts.
    mono_gate: f32,
    /// The note whose release closed the gate of the `voice` nodes outside the template last,
    /// held again if that close could not be sent.
    mono_released: Option<u8>,
}

impl Default for Performance {
    fn default() -> Performance {
        Performance {
            instruments: Vec::new(),
            held: Held::default(),
            tuning: DEFAULT_TUNING_HZ,
            bend_range: DEFAULT_BEND_SEMITONES,
            bend: 0.0,
            bindings: Vec::new(),
            triggers: Vec::new(),
            mono_gate: 2.0,
            mono_released: None,
        }
    }
}

/// The frequency of `note` (fractions allowed) in equal temperament with A4 at `tuning` Hz.
pub fn pitch_hz(note: f64, tuning: f64) -> f32 {
    (tuning * ((note - 69.0) / 12.0).exp2()) as f32
}

/// The most parameter changes one MIDI message can make in `patch` played with `voices`
/// voices: a bend moves every voice; a note sets pitch, velocity and gate of its voice in
/// every template and of every `voice` node outside them, the note binding's two inputs, and
/// each binding of the note twice (a retrigger); all notes off closes every voice; all sound
/// off and the note after it set the level of each template output. Hosts that schedule
/// ahead size the event queue, or their pace, with it.
pub fn most_changes(patch: &Patch, voices: usize) -> usize {
    let mono = patch
        .nodes
        .iter()
        .filter(|node| patchvm_modules::catalog().is_voice(&node.module.text))
        .count();
    let templates = &patch.voices;
    let template: usize = templates.iter().map(|t| voices::count(t, voices)).sum();
    let outputs: usize = templates.iter().map(|t| t.outputs.len()).sum();
    template
        .max(3 * templates.len().max(1))
        .saturating_add(outputs)
        .saturating_add(3 * mono)
        .saturating_add(2 * patch.midi.bindings.len())
        .saturating_add(2)
}

impl Performance {
    /// Takes the tuning, bend range and bindings of `patch`, which plays with `voices` voices
    /// if it has a template. Notes held and the voices playing them carry on.
    pub(crate) fn configure(&mut self, patch: &Patch, voices: usize) {
        let midi = &patch.midi;
        self.tuning = midi.tuning.map_or(DEFAULT_TUNING_HZ, |t| t.value);
        self.bend_range = midi.bend_range.map_or(DEFAULT_BEND_SEMITONES, |r| r.value);
        let bindings: Vec<Bound> = midi
            .bindings
            .iter()
            .map(|binding| {
                let (node, port) = resolve(
                    patch,
                    patchvm_modules::catalog(),
                    &binding.target.node.text,
                    &binding.target.port.text,
                );
                Bound {
                    source: binding.source.clone(),
                    node: NodeName::from(&*node),
                    port: Arc::from(&*port),
                    range: binding.range.map(|end| end.value),
                    channel: voices::template(patch, &binding.target.node.text)
                        .and_then(voices::channel)
                        .map(|channel| channel - 1),
                }
            })
            .collect();
        if bindings != self.bindings {
            self.triggers = vec![Trigger::default(); bindings.len()];
            self.bindings = bindings;
        }
        self.instruments
            .resize_with(patch.voices.len(), Instrument::default);
        for (instrument, template) in self.instruments.iter_mut().zip(&patch.voices) {
            instrument.channel = voices::channel(template).map(|channel| channel - 1);
            instrument.allocator.resize(voices::count(template, voices));
        }
    }

    /// Voices whose gate is open, over every template.
    pub(crate) fn active_voices(&self) -> usize {
        self.instruments.iter().map(|i| i.allocator.active()).sum()
    }

    /// The bend, in semitones.
    fn bend_semitones(&self) -> f64 {
        self.bend * self.bend_range
    }

    fn hz(&self, note: u8) -> f32 {
        pitch_hz(f64::from(note) + self.bend_semitones(), self.tuning)
    }

    /// Note `note` pressed at `velocity` (1..=127) at message time `time`, on MIDI channel
    /// `channel` (0..=15; `None` reaches every template).
    pub(crate) fn note_on(
        &mut self,
        channel: Option<u8>,
        note: u8,
        velocity: u8,
        time: u64,
        out: &mut Vec<Change>,
    ) {
        let level = f32::from(velocity.min(127)) / 127.0;
        if self.note_bindings(note, Some(level), time, out) {
            return;
        }
        for (template, instrument) in self.instruments.iter_mut().enumerate() {
            if !instrument.hears(channel) {
                continue;
            }
            let Some(start) = instrument.allocator.note_on(note) else {
                continue;
            };
            if std::mem::take(&mut instrument.cut) {
                out.push(change(Target::Outputs(template), 1.0));
            }
            let bent = f64::from(start.note) + instrument.bend * self.bend_range;
            let values = [pitch_hz(bent, self.tuning), start.gate, level];
            for input in VoiceInput::ALL {
                out.push(change(
                    Target::Voice(template, start.voice, input),
                    values[input as usize],
                ));
            }
        }
        let was_empty = self.held.is_empty();
        self.held.on(note);
        out.push(change(Target::Mono(VoiceInput::Pitch), self.hz(note)));
        out.push(change(Target::Mono(VoiceInput::Velocity), level));
        out.push(change(Target::BoundFreq, self.hz(note)));
        out.push(change(Target::BoundGate, level));
        if was_empty {
            // Legato: a note played over another keeps the gate open.
            self.mono_gate = if self.mono_gate == 1.0 { 2.0 } else { 1.0 };
            out.push(change(Target::Mono(VoiceInput::Gate), self.mono_gate));
        }
    }

    /// Note `note` released at message time `time` on channel `channel` (as
    /// [`note_on`](Performance::note_on)).
    pub(crate) fn note_off(
        &mut self,
        channel: Option<u8>,
        note: u8,
        time: u64,
        out: &mut Vec<Change>,
    ) {
        if self.note_bindings(note, None, time, out) {
            return;
        }
        for (template, instrument) in self.instruments.iter_mut().enumerate() {
            if instrument.hears(channel) {
                for voice in instrument.allocator.note_off(note) {
                    out.push(change(
                        Target::Voice(template, voice, VoiceInput::Gate),
                        0.0,
                    ));
                }
            }
        }
        let was_last = self.held.last() == Some(note);
        self.held.off(note);
        match (was_last, self.held.last()) {
            (true, Some(previous)) => {
                out.push(change(Target::Mono(VoiceInput::Pitch), self.hz(previous)));
                out.push(change(Target::BoundFreq, self.hz(previous)));
            }
            (true, None) => {
                self.mono_released = Some(note);
                out.push(change(Target::Mono(VoiceInput::Gate), 0.0));
                out.push(change(Target::BoundGate, 0.0));
            }
            (false, _) => {}
        }
    }

    /// Control change `number` to `value` on channel `channel` (as
    /// [`note_on`](Performance::note_on)): the pedal and the all-off messages act on the
    /// templates of that channel. All notes off closes every gate, so voices release as their
    /// envelopes say; all sound off closes them too and cuts the template's outputs on the
    /// same sample, until the next note of the template plays them again.
    pub(crate) fn control(
        &mut self,
        channel: Option<u8>,
        number: u8,
        value: u8,
        out: &mut Vec<Change>,
    ) {
        if matches!(number, ALL_SOUND_OFF | ALL_NOTES_OFF) {
            if let Some(note) = self.held.last() {
                self.mono_released = Some(note);
                out.push(change(Target::Mono(VoiceInput::Gate), 0.0));
                out.push(change(Target::BoundGate, 0.0));
            }
            self.held.clear();
        }
        for (template, instrument) in self.instruments.iter_mut().enumerate() {
            if !instrument.hears(channel) {
                continue;
            }
            let released = match number {
                SUSTAIN => instrument.allocator.sustain(value >= 64),
                ALL_SOUND_OFF | ALL_NOTES_OFF => {
                    if number == ALL_SOUND_OFF {
                        instrument.cut = true;
                        out.push(change(Target::Outputs(template), 0.0));
                    }
                    instrument.allocator.all_off()
                }
                _ => Vec::new(),
            };
            for voice in released {
                out.push(change(
                    Target::Voice(template, voice, VoiceInput::Gate),
                    0.0,
                ));
            }
        }
        let fraction = f64::from(value.min(127)) / 127.0;
        for bound in &self.bindings {
            if matches!(bound.source, BindingSource::Control(n) if n.value == f64::from(number))
                && bound.hears(channel)
            {
                out.push(param(bound, fraction));
            }
        }
    }

    /// A gate change of `target` to `value` could not be sent (the event queue was full, or
    /// the program has no slot for it): the notes held follow what plays, not what was asked.
    pub(crate) fn gate_not_sent(&mut self, target: &Target, value: f32) {
        let opened = value > 0.0;
        match target {
            Target::Voice(template, voice, VoiceInput::Gate) => {
                if let Some(instrument) = self.instruments.get_mut(*template) {
                    if opened {
                        instrument.allocator.not_opened(*voice);
                    } else {
                        instrument.allocator.not_closed(*voice);
                    }
                }
            }
            // The gate opened only for a first note: none sounds, so the next one opens it.
            Target::Mono(VoiceInput::Gate) if opened => self.held.clear(),
            Target::Mono(VoiceInput::Gate) => {
                if let Some(note) = self.mono_released.take() {
                    self.held.on(note);
                }
            }
            _ => {}
        }
    }

    /// Pitch bend to `value` (0..=16383, centre 8192) on channel `channel` (as
    /// [`note_on`](Performance::note_on)): it moves the templates of that channel.
    pub(crate) fn bend(&mut self, channel: Option<u8>, value: u16, out: &mut Vec<Change>) {
        self.bend = bend_fraction(value);
        for (template, instrument) in self.instruments.iter_mut().enumerate() {
            if !instrument.hears(channel) {
                continue;
            }
            instrument.bend = self.bend;
            for (voice, note) in instrument.allocator.tuned() {
                let hz = pitch_hz(f64::from(note) + self.bend * self.bend_range, self.tuning);
                out.push(change(
                    Target::Voice(template, voice, VoiceInput::Pitch),
                    hz,
                ));
            }
        }
        if let Some(note) = self.held.last() {
            out.push(change(Target::Mono(VoiceInput::Pitch), self.hz(note)));
            out.push(change(Target::BoundFreq, self.hz(note)));
        }
        let fraction = (self.bend + 1.0) / 2.0;
        for bound in &self.bindings {
            if bound.source == BindingSource::Bend && bound.hears(channel) {
                out.push(param(bound, fraction));
            }
        }
    }

    /// Plays the bindings of `note`: on at `level`, or off; whether it has any (a bound note
    /// plays no voice). A trigger still on, or turned off at this very time, first falls back
    /// to its low value for one sample, so the node sees a new rise.
    fn note_bindings(
        &mut self,
        note: u8,
        level: Option<f32>,
        time: u64,
        out: &mut Vec<Change>,
    ) -> bool {
        let mut bound = false;
        for (bound_note, trigger) in self.bindings.iter().zip(&mut self.triggers) {
            if !matches!(bound_note.source, BindingSource::Note(n) if n.value == f64::from(note)) {
                continue;
            }
            bound = true;
            match level {
                Some(level) => {
                    let retrigger = trigger.on || trigger.off_at == Some(time);
                    if retrigger {
                        out.push(param(bound_note, 0.0));
                    }
                    out.push(Change {
                        delay: u32::from(retrigger),
                        ..param(bound_note, f64::from(level))
                    });
                    trigger.on = true;
                }
                None => {
                    out.push(param(bound_note, 0.0));
                    *trigger = Trigger {
                        on: false,
                        off_at: Some(time),
                    };
                }
            }
        }
        bound
    }
}

fn change(target: Target, value: f32) -> Change {
    Change {
        target,
        value,
        delay: 0,
    }
}

/// `bound`'s target at `fraction` (0..1) of its range.
fn param(bound: &Bound, fraction: f64) -> Change {
    let [lo, hi] = bound.range;
    change(
        Target::Param(bound.node.clone(), bound.port.clone()),
        (lo + fraction * (hi - lo)) as f32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use patchvm_ir::{Format, Limits};

    fn configured(text: &str, voices: usize) -> Performance {
        let patch = Format::Sexpr
            .read(text.as_bytes(), &Limits::default())
            .unwrap();
        let mut performance = Performance::default();
        performance.configure(&patch, voices);
        performance
    }

    const BOUND: &str = r#"(patch (nodes (kick (type "drum.kick")) (lp (type "filter.lowpass")))
        (voice s (nodes (v (type "voice"))))
        (midi (tuning 432) (bend-range 12) (note 36 -> kick "trig" 0 1)
              (cc 74 -> lp "cutoff" 200 8000) (bend -> lp "q" 1 3)))"#;

    fn params(changes: &[Change]) -> Vec<(String, f32, u32)> {
        changes
            .iter()
            .filter_map(|c| match &c.target {
                Target::Param(node, port) => Some((format!("{node}.{port}"), c.value, c.delay)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn bound_notes_trigger_their_parameter_and_play_no_voice() {
        let mut p = configured(BOUND, 4);
        let mut out = Vec::new();
        p.note_on(None, 36, 127, 100, &mut out);
        assert_eq!(params(&out), [("kick.trig".into(), 1.0, 0)]);
        assert_eq!(out.len(), 1, "no voice plays a bound note");
        out.clear();
        // Released and struck again at the same time: low for one sample, then high.
        p.note_off(None, 36, 200, &mut out);
        p.note_on(None, 36, 64, 200, &mut out);
        assert_eq!(
            params(&out),
            [
                ("kick.trig".into(), 0.0, 0),
                ("kick.trig".into(), 0.0, 0),
                ("kick.trig".into(), 64.0 / 127.0, 1)
            ]
        );
    }

    #[test]
    fn control_changes_and_bend_move_their_parameters_and_voice_pitch() {
        let mut p = configured(BOUND, 4);
        let mut out = Vec::new();
        p.control(None, 74, 127, &mut out);
        p.control(None, 74, 0, &mut out);
        p.control(None, 75, 0, &mut out);
        assert_eq!(
            params(&out),
            [
                ("lp.cutoff".into(), 8000.0, 0),
                ("lp.cutoff".into(), 200.0, 0)
            ]
        );
        out.clear();
        p.note_on(None, 69, 100, 0, &mut out);
        let pitch = |out: &[Change]| {
            out.iter()
                .find(|c| c.target == Target::Voice(0, 0, VoiceInput::Pitch))
                .map(|c| c.value)
        };
        assert_eq!(pitch(&out), Some(432.0), "A4 at the patch's tuning");
        out.clear();
        p.bend(None, 0, &mut out);
        assert_eq!(
            pitch(&out),
            Some(216.0),
            "an octave down: 12 semitones of bend"
        );
        assert_eq!(params(&out), [("lp.q".into(), 1.0, 0)]);
    }

    #[test]
    fn a_fresh_mono_note_restarts_the_gate_even_on_the_sample_the_last_one_ended() {
        let mut p = configured("(patch)", 0);
        let gates = |out: &[Change]| -> Vec<f32> {
            out.iter()
                .filter(|c| c.target == Target::Mono(VoiceInput::Gate))
                .map(|c| c.value)
                .collect()
        };
        let mut out = Vec::new();
        p.note_on(None, 60, 100, 0, &mut out);
        p.note_on(None, 62, 100, 10, &mut out);
        assert_eq!(gates(&out), [1.0], "legato: the gate stays open");
        out.clear();
        p.note_off(None, 62, 20, &mut out);
        p.note_off(None, 60, 20, &mut out);
        p.note_on(None, 64, 100, 20, &mut out);
        // Closed and opened on one sample: a new held value, which the `voice` node restarts on.
        assert_eq!(gates(&out), [0.0, 2.0]);
    }

    #[test]
    fn a_template_s_channel_takes_its_notes_and_the_controls_bound_to_its_inputs() {
        let text = r#"(patch (nodes (lp (type "filter.lowpass")))
            (voice a (channel 1) (nodes (v (type "voice")) (f (type "filter.lowpass")))
              (inputs (cutoff f "cutoff")))
            (voice b (channel 2) (voices 2) (nodes (v (type "voice"))))
            (midi (cc 74 -> a "cutoff" 0 127) (cc 74 -> lp "cutoff" 0 127)))"#;
        let mut p = configured(text, 4);
        let mut out = Vec::new();
        let voices = |out: &[Change]| -> Vec<(usize, usize)> {
            out.iter()
                .filter_map(|c| match c.target {
                    Target::Voice(t, v, VoiceInput::Gate) => Some((t, v)),
                    _ => None,
                })
                .collect()
        };
        p.note_on(Some(1), 60, 100, 0, &mut out);
        p.note_on(Some(0), 62, 100, 0, &mut out);
        p.note_on(Some(5), 64, 100, 0, &mut out);
        p.note_on(None, 65, 100, 0, &mut out);
        // b's first voice, a's first, nobody (channel 6), then both templates' next voices.
        assert_eq!(voices(&out), [(1, 0), (0, 0), (0, 1), (1, 1)]);
        out.clear();
        // Channel 2's CC 74 moves only the binding outside the templates; channel 1's both.
        p.control(Some(1), 74, 127, &mut out);
        assert_eq!(params(&out), [("lp.cutoff".into(), 127.0, 0)]);
        out.clear();
        p.control(Some(0), 74, 127, &mut out);
        assert_eq!(params(&out).len(), 2);
    }

    #[test]
    fn the_pedal_closes_gates_only_when_it_lifts() {
        let mut p = configured(BOUND, 4);
        let mut out = Vec::new();
        p.note_on(None, 60, 100, 0, &mut out);
        p.control(None, SUSTAIN, 127, &mut out);
        out.clear();
        p.note_off(None, 60, 10, &mut out);
        let gates = |out: &[Change]| {
            out.iter()
                .filter(|c| matches!(c.target, Target::Voice(_, _, VoiceInput::Gate)))
                .count()
        };
        assert_eq!(gates(&out), 0);
        assert_eq!(p.active_voices(), 1);
        p.control(None, SUSTAIN, 0, &mut out);
        assert_eq!(gates(&out), 1);
        assert_eq!(p.active_voices(), 0);
    }
}
