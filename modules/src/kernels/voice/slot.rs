//! `voice.slot`: one voice of a template driven by a note stream (see
//! [`patchvm_ir::notes`]).
//!
//! Every voice copy of the template has its slot, and every slot reads the whole stream and
//! runs the same allocation, sample by sample, so all agree on which voice plays which note
//! without talking to each other; each then outputs only its own voice's note. A note starts
//! where a lane's gate rises above 0 and ends where it falls to 0 (or is NaN). Lanes are
//! taken in order within a sample. A starting note takes the lowest-numbered free voice; when
//! every voice is busy it steals the one whose note started first, and the lane that held it
//! plays on no voice until its next note. Ages count notes, not samples, and the state moves
//! per sample, so the allocation is the same at every block size.

use super::super::limit;
use super::super::spec::{setting, signal};
use super::MAX_PITCH_HZ;
use crate::module::{Dsp, Module, blocks_mut, dsp, output, port};
use patchvm_ir::notes::{LANE_PORTS, NOTE_LANES};
use patchvm_ir::voices::MAX_VOICES;
use patchvm_ir::{InputSpec, ModuleSpec, NoteSlot, OutputSpec, Part, Role, Unit};
use patchvm_vm::Kernel;

const PITCH_DOC: &str = "a lane's MIDI note number, held";
const GATE_DOC: &str = "a lane's velocity (0..1) while its note is on, 0 while off";

/// The two signals of lane `lane`.
const fn lane(lane: usize) -> [InputSpec; 2] {
    [
        signal(LANE_PORTS[lane][0], PITCH_DOC, 60.0),
        signal(LANE_PORTS[lane][1], GATE_DOC, 0.0),
    ]
}

const LANES: [[InputSpec; 2]; NOTE_LANES] = [
    lane(0),
    lane(1),
    lane(2),
    lane(3),
    lane(4),
    lane(5),
    lane(6),
    lane(7),
];

/// `voice.slot`'s inputs: the stream's lanes in order, then its settings.
const INPUTS: [InputSpec; 2 * NOTE_LANES + 3] = {
    let [l0, l1, l2, l3, l4, l5, l6, l7] = LANES;
    let [p0, g0] = l0;
    let [p1, g1] = l1;
    let [p2, g2] = l2;
    let [p3, g3] = l3;
    let [p4, g4] = l4;
    let [p5, g5] = l5;
    let [p6, g6] = l6;
    let [p7, g7] = l7;
    [
        p0,
        g0,
        p1,
        g1,
        p2,
        g2,
        p3,
        g3,
        p4,
        g4,
        p5,
        g5,
        p6,
        g6,
        p7,
        g7,
        setting(
            "index",
            "the voice this slot plays, from 0",
            0.0,
            (0.0, (MAX_VOICES - 1) as f64),
            Unit::Integer,
        ),
        setting(
            "voices",
            "how many voices share the stream",
            1.0,
            (1.0, MAX_VOICES as f64),
            Unit::Integer,
        ),
        setting(
            "tuning",
            "the frequency of A4 (MIDI note 69)",
            440.0,
            (1.0, MAX_PITCH_HZ),
            Unit::Hz,
        ),
    ]
};

/// `voice.slot`: voice `index` of `voices` sharing a note stream.
pub(super) const SLOT: Module = Module::kernel(
    ModuleSpec {
        name: "voice.slot",
        doc: "one voice's note from a note stream: every voice's slot allocates the stream's \
              notes alike (lowest free voice first, else the oldest note is stolen)",
        inputs: &INPUTS,
        outputs: &[
            OutputSpec {
                name: "freq",
                doc: "the voice's note in Hz at `tuning`, held after it ends",
                unit: Unit::Hz,
            },
            OutputSpec {
                name: "gate",
                doc: "1 while the voice's note is on, else 0; 0 for the first sample of a \
                      stolen voice's new note",
                unit: Unit::Linear,
            },
            OutputSpec {
                name: "vel",
                doc: "the note's velocity at its start, held",
                unit: Unit::Linear,
            },
            OutputSpec {
                name: "note",
                doc: "the voice's MIDI note number (0..127), held after it ends",
                unit: Unit::Integer,
            },
            OutputSpec {
                name: "trig",
                doc: "1 on the sample a note starts on the voice, else 0",
                unit: Unit::Linear,
            },
        ],
        role: Role::Kernel,
    },
    |init| {
        let [index, voices, tuning] =
            NoteSlot::SETTINGS.map(|name| super::super::param(&SLOT.spec, init, name));
        init.kernel(Slot::new(index as usize, voices as usize, tuning))
    },
)
.part(Part::NoteSlot);

/// A lane that plays on no voice, or a voice that plays no lane.
const NONE: u16 = u16::MAX;

/// The allocation every slot runs, and its own voice's note.
#[derive(Clone, Debug)]
struct Slot {
    /// The voice this slot outputs.
    index: usize,
    /// The frequency of A4.
    tuning: f64,
    /// The lane each voice plays, or [`NONE`].
    lane_of: Box<[u16]>,
    /// When each voice's note started, in notes counted.
    started: Box<[u64]>,
    /// The voice each lane plays on, or [`NONE`].
    voice_of: [u16; NOTE_LANES],
    /// Whether each lane's gate was open at the last sample.
    open: [bool; NOTE_LANES],
    /// Notes started so far.
    clock: u64,
    /// The own voice's note number, and its frequency.
    note: f32,
    freq: f32,
    /// The own voice's velocity.
    vel: f32,
}

impl Slot {
    fn new(index: usize, voices: usize, tuning: f64) -> Slot {
        let voices = voices.clamp(1, MAX_VOICES);
        let mut slot = Slot {
            index: index.min(voices - 1),
            tuning,
            lane_of: vec![NONE; voices].into_boxed_slice(),
            started: vec![0; voices].into_boxed_slice(),
            voice_of: [NONE; NOTE_LANES],
            open: [false; NOTE_LANES],
            clock: 0,
            note: 0.0,
            freq: 0.0,
            vel: 0.0,
        };
        slot.reset();
        slot
    }

    /// Sets the own voice's note to `note` (limited to 0..127), recomputing its frequency only
    /// when it changed.
    #[inline]
    fn tune(&mut self, note: f32) {
        let note = limit(f64::from(note), 0.0, 127.0) as f32;
        if note != self.note || self.freq == 0.0 {
            self.note = note;
            let hz = self.tuning * ((f64::from(note) - 69.0) / 12.0).exp2();
            self.freq = limit(hz, 0.0, MAX_PITCH_HZ) as f32;
        }
    }

    /// The voice a note starting now takes: the lowest free one, else the oldest note's.
    fn choose(&self) -> usize {
        if let Some(free) = self.lane_of.iter().position(|&lane| lane == NONE) {
            return free;
        }
        let mut oldest = 0;
        for (voice, &started) in self.started.iter().enumerate() {
            if started < self.started[oldest] {
                oldest = voice;
            }
        }
        oldest
    }

    /// Lane `lane`'s note starts: allocates it; whether it took the own voice.
    fn start(&mut self, lane: usize) -> bool {
        let voice = self.choose();
        let stolen = self.lane_of[voice];
        if stolen != NONE {
            self.voice_of[usize::from(stolen)] = NONE;
        }
        self.clock += 1;
        self.lane_of[voice] = lane as u16;
        self.started[voice] = self.clock;
        self.voice_of[lane] = voice as u16;
        voice == self.index
    }

    /// Lane `lane`'s note ends: frees its voice, if it still has one.
    fn end(&mut self, lane: usize) {
        let voice = self.voice_of[lane];
        if voice != NONE {
            self.lane_of[usize::from(voice)] = NONE;
            self.voice_of[lane] = NONE;
        }
    }
}

// Where `Slot` finds the ports of `voice.slot`.
const PITCHES: [usize; NOTE_LANES] = lane_ports(0);
const GATES: [usize; NOTE_LANES] = lane_ports(1);
const OUTPUTS: [usize; 5] = [
    output(&SLOT.spec, "freq"),
    output(&SLOT.spec, "gate"),
    output(&SLOT.spec, "vel"),
    output(&SLOT.spec, "note"),
    output(&SLOT.spec, "trig"),
];

/// The processed input of signal `signal` of every lane.
const fn lane_ports(signal: usize) -> [usize; NOTE_LANES] {
    let mut found = [0; NOTE_LANES];
    let mut lane = 0;
    while lane < NOTE_LANES {
        found[lane] = port(&SLOT.spec, LANE_PORTS[lane][signal]);
        lane += 1;
    }
    found
}

impl Dsp for Slot {
    /// Inputs: each lane's pitch and gate; outputs `[freq, gate, vel, note, trig]`.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [freq, gate, vel, note, trig] = blocks_mut(outputs, OUTPUTS);
        for i in 0..freq.len() {
            let mut started = false;
            let mut restarted = false;
            for lane in 0..NOTE_LANES {
                let level = inputs[GATES[lane]][i];
                let on = level > 0.0;
                if on == self.open[lane] {
                    continue;
                }
                self.open[lane] = on;
                if !on {
                    self.end(lane);
                    continue;
                }
                // A stolen voice closes for the sample its new note starts on.
                let busy = self.lane_of[self.index] != NONE;
                if self.start(lane) {
                    restarted |= busy;
                    started = true;
                    self.vel = limit(f64::from(level), 0.0, 1.0) as f32;
                }
            }
            let lane = self.lane_of[self.index];
            if lane != NONE {
                self.tune(inputs[PITCHES[usize::from(lane)]][i]);
            }
            freq[i] = self.freq;
            gate[i] = if lane != NONE && !restarted { 1.0 } else { 0.0 };
            vel[i] = self.vel;
            note[i] = self.note;
            trig[i] = if started { 1.0 } else { 0.0 };
        }
    }

    /// Real-time safe: clears in place; does not allocate.
    fn reset(&mut self) {
        self.lane_of.fill(NONE);
        self.started.fill(0);
        self.voice_of = [NONE; NOTE_LANES];
        self.open = [false; NOTE_LANES];
        self.clock = 0;
        self.vel = 0.0;
        self.freq = 0.0;
        self.tune(69.0);
    }

    /// Keeps the allocation and the own note when the voice count is the same, so notes held
    /// across an edit play on.
    ///
    /// Real-time safe: copies into slices of the same length; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        let Some(other) = dsp::<Slot>(other) else {
            return false;
        };
        if other.lane_of.len() != self.lane_of.len() {
            return false;
        }
        self.lane_of.copy_from_slice(&other.lane_of);
        self.started.copy_from_slice(&other.started);
        self.voice_of = other.voice_of;
        self.open = other.open;
        self.clock = other.clock;
        self.vel = other.vel;
        self.note = other.note;
        self.freq = 0.0;
        let note = other.note;
        self.tune(note);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::test_support::{Chunks, Run, kernel};
    use super::*;

    const LEN: usize = 600;

    /// `len` samples holding each `(from, value)` step's value from its sample on, 0 before.
    fn steps(steps: &[(usize, f32)]) -> Vec<f32> {
        (0..LEN)
            .map(|n| {
                steps
                    .iter()
                    .rev()
                    .find(|(from, _)| *from <= n)
                    .map_or(0.0, |&(_, value)| value)
            })
            .collect()
    }

    /// Runs slot `index` of `voices` on the lanes `(pitch, gate)` (the rest silent) and
    /// returns its outputs.
    fn run(
        lanes: &[(Vec<f32>, Vec<f32>)],
        index: usize,
        voices: usize,
        chunks: Chunks,
    ) -> Vec<Vec<f32>> {
        let silent = vec![0.0; LEN];
        let mut inputs: Vec<&[f32]> = Vec::new();
        for lane in 0..NOTE_LANES {
            match lanes.get(lane) {
                Some((pitch, gate)) => inputs.extend([pitch.as_slice(), gate.as_slice()]),
                None => inputs.extend([silent.as_slice(), silent.as_slice()]),
            }
        }
        let mut slot = kernel(
            "voice.slot",
            &[("index", index as f64), ("voices", voices as f64)],
        );
        Run::new(&inputs, LEN).chunks(chunks).on_all(slot.as_mut())
    }

    /// The samples where `signal` rises from 0.
    fn rises(signal: &[f32]) -> Vec<usize> {
        (0..signal.len())
            .filter(|&n| signal[n] > 0.0 && (n == 0 || signal[n - 1] == 0.0))
            .collect()
    }

    #[test]
    fn a_fourth_note_on_three_voices_steals_the_oldest_at_every_block_size() {
        // Lanes 0..3 start notes 60, 64, 67 at 10, 20, 30; lane 3 starts 72 at 100 and ends
        // at 300; lane 1 ends at 200 and starts 65 at 400.
        let lanes = [
            (steps(&[(0, 60.0)]), steps(&[(10, 0.5)])),
            (
                steps(&[(0, 64.0), (400, 65.0)]),
                steps(&[(20, 0.75), (200, 0.0), (400, 1.0)]),
            ),
            (steps(&[(0, 67.0)]), steps(&[(30, 1.0)])),
            (steps(&[(0, 72.0)]), steps(&[(100, 0.25), (300, 0.0)])),
        ];
        for chunks in [
            Chunks::Full,
            Chunks::Fixed(1),
            Chunks::Fixed(7),
            Chunks::Random(5),
        ] {
            let v: Vec<Vec<Vec<f32>>> = (0..3).map(|i| run(&lanes, i, 3, chunks)).collect();
            let [freq, gate, vel, note, trig] = [0, 1, 2, 3, 4];
            // Voice 0: note 60 from 10, stolen by 72 at 100 (gate shut for that sample),
            // free at 300; then 65 at 400 takes the lowest free voice, 0.
            assert_eq!(rises(&v[0][trig]), [10, 100, 400], "{chunks:?}");
            assert_eq!(rises(&v[0][gate]), [10, 101, 400], "{chunks:?}");
            assert_eq!(v[0][gate][99..102], [1.0, 0.0, 1.0]);
            assert_eq!(v[0][gate][299..301], [1.0, 0.0]);
            assert_eq!(v[0][note][50], 60.0);
            assert_eq!(v[0][note][150], 72.0);
            assert_eq!(v[0][note][350], 72.0, "held after the note ends");
            assert_eq!(v[0][note][450], 65.0);
            assert_eq!(v[0][vel][50], 0.5);
            assert_eq!(v[0][vel][150], 0.25);
            assert_eq!(v[0][vel][450], 1.0);
            // Voice 1: note 64 from 20 to 200. Voice 2: note 67 from 30 on.
            assert_eq!(rises(&v[1][trig]), [20], "{chunks:?}");
            assert_eq!(rises(&v[1][gate]), [20]);
            assert_eq!(v[1][gate][199..201], [1.0, 0.0]);
            assert_eq!(v[1][note][100], 64.0);
            assert_eq!(rises(&v[2][gate]), [30]);
            assert_eq!(v[2][gate][LEN - 1], 1.0);
            assert_eq!(v[2][note][LEN - 1], 67.0);
            // 440 Hz at A4; 60 is 261.63 Hz.
            let c4 = 440.0 * (-9.0f64 / 12.0).exp2();
            assert!((f64::from(v[0][freq][50]) - c4).abs() < 1e-3);
            let c5 = 440.0 * (3.0f64 / 12.0).exp2();
            assert!((f64::from(v[0][freq][150]) - c5).abs() < 1e-3);
        }
    }

    #[test]
    fn a_stolen_lane_ending_frees_nothing() {
        // One voice: lane 1 steals it from lane 0 at 50; lane 0's end at 100 must not close
        // lane 1's note, which ends at 200.
        let lanes = [
            (steps(&[(0, 60.0)]), steps(&[(10, 1.0), (100, 0.0)])),
            (steps(&[(0, 62.0)]), steps(&[(50, 1.0), (200, 0.0)])),
        ];
        let outs = run(&lanes, 0, 1, Chunks::Fixed(13));
        assert_eq!(rises(&outs[1]), [10, 51]);
        assert_eq!(outs[1][150], 1.0);
        assert_eq!(outs[1][200], 0.0);
        assert_eq!(outs[3][150], 62.0);
    }

    #[test]
    fn a_tuning_moves_every_frequency() {
        let lanes = [(steps(&[(0, 69.0)]), steps(&[(0, 1.0)]))];
        let silent = vec![0.0; LEN];
        let mut inputs: Vec<&[f32]> = vec![&lanes[0].0, &lanes[0].1];
        inputs.extend(std::iter::repeat_n(silent.as_slice(), 2 * NOTE_LANES - 2));
        let mut slot = kernel("voice.slot", &[("tuning", 432.0)]);
        let outs = Run::new(&inputs, LEN).on_all(slot.as_mut());
        assert_eq!(outs[0][0], 432.0);
    }
}
