//! `seq.samples`' kernel: a pattern's onsets, each starting the bank's file of its word on a
//! free voice of a fixed set, at the first sample whose beat reaches the onset's beat (as
//! `seq.pattern` places them, so both play on one grid).

use super::voice::{Region, Voice};
use super::{Levels, PLAYERS, RATE_RANGE, SAMPLES, declick, write};
use crate::kernels::patterns::player::{Held, Placed, before, cycle_of, held_cycles};
use crate::kernels::patterns::sequencer::STRAIGHT;
use crate::kernels::{limit, param};
use crate::module::{Build, Dsp, dsp, ports};
use patchvm_pattern::mini::{Pattern, Value};
use patchvm_vm::audio::AudioData;
use patchvm_vm::{Beats, Kernel};
use std::sync::Arc;

/// Where `process_at` finds its inputs.
const PORTS: [usize; 3] = ports(&SAMPLES.spec, ["rate", "gain", "pan"]);

/// `seq.samples`' kernel.
pub(super) struct Samples {
    pattern: Held,
    /// The bank's file of each of the pattern's words, `None` where the bank has none.
    files: Vec<Option<Arc<AudioData>>>,
    cycle_bars: f64,
    voices: [Voice; PLAYERS],
    /// Onsets played so far: a voice's `started`, so the oldest is the one to steal.
    onsets: u64,
    /// The beat of the last sample played, while the transport plays.
    previous: Option<f64>,
    levels: Levels,
    declick: u32,
}

/// Makes `seq.samples`' kernel from its checked pattern and the build's sample bank.
pub(super) fn build(init: &Build) -> Box<dyn Kernel> {
    let spec = init.spec();
    let setting = |name| param(spec, init, name);
    let pattern = Pattern::parse(init.text(spec, "pattern"))
        .or_else(|_| Pattern::parse("~"))
        .expect("the validator checked it");
    let files = pattern
        .words()
        .iter()
        .map(|word| init.audio.word(word).cloned())
        .collect();
    let cycle_bars = limit(setting("cycle"), 1.0 / 16.0, 64.0);
    let seed = setting("seed") as u64;
    init.kernel(Samples {
        pattern: Held::new(pattern, seed, held_cycles(0.0, cycle_bars)),
        files,
        cycle_bars,
        voices: [Voice::default(); PLAYERS],
        onsets: 0,
        previous: None,
        levels: Levels::default(),
        declick: declick(init.sample_rate),
    })
}

impl Samples {
    /// Starts the file of `placed`'s word, if the bank has it, on a free voice, else on the
    /// one that started longest ago.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn onset(&mut self, placed: Placed, rate: f64) {
        let Value::Word(word) = placed.event.value else {
            return;
        };
        let Some(Some(data)) = self.files.get(word) else {
            return;
        };
        let region = Region::of(data, 0.0, 0.0);
        let free = self.voices.iter().position(|voice| !voice.active);
        let oldest = || {
            (0..PLAYERS)
                .min_by_key(|&at| self.voices[at].started)
                .unwrap_or(0)
        };
        let voice = &mut self.voices[free.unwrap_or_else(oldest)];
        voice.start(word, region, rate, false);
        voice.with_amp(limit(placed.event.velocity.unwrap_or(1.0), 0.0, 1.0) as f32);
        voice.started = self.onsets;
        self.onsets += 1;
    }
}

impl Dsp for Samples {
    /// With no transport, as a transport standing still: no onsets; what rings rings on.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        self.process_at(&Beats::STILL, inputs, outputs);
    }

    /// Inputs `[rate, gain, pan]`; outputs `[out, left, right]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process_at(&mut self, beats: &Beats, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let len = outputs[0].len();
        let last = beats.at(len.saturating_sub(1));
        let playing = beats.playing && len > 0 && last.is_finite();
        let mut next = usize::MAX;
        if playing {
            let previous = match self.previous {
                Some(previous) if !beats.jumped => previous,
                _ => before(beats),
            };
            let cycle_beats = self.cycle_bars * beats.beats_per_bar.max(1.0 / 64.0);
            let (first, end) = (cycle_of(previous, cycle_beats), cycle_of(last, cycle_beats));
            self.pattern.hold(first, end, cycle_beats, &STRAIGHT);
            next = self.pattern.after(previous);
            self.previous = Some(last);
        } else {
            self.previous = None;
        }
        let [rate, gain, pan] = PORTS.map(|port| inputs[port]);
        for (i, &rate) in rate[..len].iter().enumerate() {
            let rate = limit(f64::from(rate), RATE_RANGE.0, RATE_RANGE.1);
            if playing {
                let beat = beats.at(i);
                while let Some(&placed) = self.pattern.events().get(next) {
                    if placed.time > beat {
                        break;
                    }
                    self.onset(placed, rate);
                    next += 1;
                }
            }
            let (mut left, mut right) = (0.0, 0.0);
            for voice in &mut self.voices {
                let Some(Some(data)) = self.files.get(voice.sample) else {
                    continue;
                };
                let (l, r) = voice.tick(data, rate, self.declick);
                left += l;
                right += r;
            }
            let levels = self.levels.get(gain[i], pan[i]);
            write(outputs, i, (left, right), levels);
        }
    }

    fn reset(&mut self) {
        self.voices = [Voice::default(); PLAYERS];
        self.onsets = 0;
        self.previous = None;
    }

    /// Keeps where the beat was, so a new pattern swapped in neither replays nor drops an
    /// onset, and every voice whose file this kernel's bank also plays, so hits ring on.
    ///
    /// Real-time safe: compares pointers and copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        let Some(other) = dsp::<Samples>(other) else {
            return false;
        };
        self.previous = other.previous;
        self.onsets = other.onsets;
        for (mine, theirs) in self.voices.iter_mut().zip(&other.voices) {
            let file = other.files.get(theirs.sample).and_then(Option::as_ref);
            let here = file.and_then(|file| {
                self.files
                    .iter()
                    .position(|own| own.as_ref().is_some_and(|own| Arc::ptr_eq(own, file)))
            });
            *mine = match here {
                Some(sample) if theirs.active => theirs.playing(sample),
                _ => Voice::default(),
            };
        }
        true
    }
}
