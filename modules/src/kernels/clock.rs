//! The transport as signals: `clock`, the one module of its family, reads the beat position
//! the host's transport hands each block ([`Beats`]) and outputs it sample by sample. Every
//! output follows from the transport alone, so two clocks anywhere in a patch, or in two
//! versions of it across a live edit, agree on every sample.

use super::spec::module;
use crate::dsp::state::copy_whole;
use crate::module::{Dsp, Module, blocks_mut, output};
use patchvm_ir::{OutputSpec, Unit};
use patchvm_vm::{Beats, Kernel};

/// This family's modules, in catalog order.
pub(crate) const MODULES: &[Module] = &[CLOCK];

/// `clock`: the transport's position, phase and tempo.
pub const CLOCK: Module = Module::kernel(
    module(
        "clock",
        "the transport as signals: beats since its zero, phase in the beat and bar, tempo, playing",
        &[],
        &[
            OutputSpec {
                name: "beat",
                doc: "quarter-note beats since the transport's zero",
                unit: Unit::Linear,
            },
            OutputSpec {
                name: "phase",
                doc: "0 to 1 within the beat, 0 on each beat",
                unit: Unit::Linear,
            },
            OutputSpec {
                name: "bar_phase",
                doc: "0 to 1 within the bar, 0 on each bar line",
                unit: Unit::Linear,
            },
            OutputSpec {
                name: "bpm",
                doc: "the tempo in quarter notes per minute",
                unit: Unit::Linear,
            },
            OutputSpec {
                name: "playing",
                doc: "1 while the transport plays, 0 while it is stopped",
                unit: Unit::Linear,
            },
        ],
    ),
    |init| {
        init.kernel(Clock {
            sample_rate: init.sample_rate,
        })
    },
);

// Where `Clock` finds the outputs of `clock`.
const BEAT: usize = output(&CLOCK.spec, "beat");
const PHASE: usize = output(&CLOCK.spec, "phase");
const BAR_PHASE: usize = output(&CLOCK.spec, "bar_phase");
const BPM: usize = output(&CLOCK.spec, "bpm");
const PLAYING: usize = output(&CLOCK.spec, "playing");

/// The largest `f32` below 1: a phase just short of the next beat stays below it.
const BELOW_ONE: f32 = 1.0 - f32::EPSILON / 2.0;

/// `clock`: no state; the transport's beats, sample by sample.
#[derive(Clone, Debug)]
struct Clock {
    sample_rate: f64,
}

/// `x`'s place in cycles of `length`, 0 to 1 (below 1 as an `f32`).
#[inline]
fn phase(x: f64, length: f64) -> f32 {
    let cycles = x / length;
    ((cycles - cycles.floor()) as f32).min(BELOW_ONE)
}

impl Dsp for Clock {
    /// No inputs; outputs `[beat, phase, bar_phase, bpm, playing]`, a transport standing
    /// still at beat 0 ([`Beats::STILL`]) without musical time.
    ///
    /// Real-time safe: does not allocate, lock or block.
    fn process(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        self.process_at(&Beats::STILL, inputs, outputs);
    }

    /// Real-time safe: does not allocate, lock or block.
    fn process_at(&mut self, beats: &Beats, _: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let [beat, beat_phase, bar_phase, bpm, playing] =
            blocks_mut(outputs, [BEAT, PHASE, BAR_PHASE, BPM, PLAYING]);
        let bar = beats.beats_per_bar;
        for i in 0..beat.len() {
            let position = beats.at(i);
            beat[i] = position as f32;
            beat_phase[i] = phase(position, 1.0);
            bar_phase[i] = phase(position, bar);
            bpm[i] = match beats.playing && beats.accel != 0.0 {
                true => (beats.per_sample_at(i) * 60.0 * self.sample_rate) as f32,
                false => beats.bpm as f32,
            };
        }
        playing.fill(if beats.playing { 1.0 } else { 0.0 });
    }

    fn reset(&mut self) {}

    /// Holds nothing that moves; taking a predecessor's state is copying its sample rate.
    ///
    /// Real-time safe: copies plain fields; does not allocate.
    fn copy_state_from(&mut self, other: &dyn Kernel) -> bool {
        copy_whole(self, other)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{SR, kernel};
    use patchvm_vm::time::{TempoPoint, TempoShape};
    use patchvm_vm::{Beats, MAX_BLOCK, TempoMap, Transport, TransportCommand};

    /// The clock's five outputs over `frames` samples of `transport` on `map`, in blocks as
    /// the transport cuts them.
    fn clock(transport: &mut Transport, map: &TempoMap, frames: usize) -> [Vec<f32>; 5] {
        let mut kernel = kernel("clock", &[]);
        let mut outs: [Vec<f32>; 5] = Default::default();
        let mut now = 0;
        while now < frames {
            let (length, beats) = transport.next(now as u64, (frames - now).min(MAX_BLOCK), map);
            let mut block = [[0.0_f32; MAX_BLOCK]; 5];
            let mut refs: Vec<&mut [f32]> = block.iter_mut().map(|b| &mut b[..length]).collect();
            kernel.process_at(&beats, &[], &mut refs);
            for (out, block) in outs.iter_mut().zip(&block) {
                out.extend_from_slice(&block[..length]);
            }
            now += length;
        }
        outs
    }

    /// Samples where `phase` wraps (falls), i.e. where a new beat (or bar) starts.
    fn wraps(phase: &[f32]) -> Vec<usize> {
        (1..phase.len())
            .filter(|&n| phase[n] < phase[n - 1])
            .collect()
    }

    #[test]
    fn at_137_bpm_beats_and_bars_start_on_their_samples() {
        // Beat k at k·60/137 s: sample ⌈k · 2 880 000 / 137⌉ at 48 kHz (the first at
        // 21 021.9, so 21 022); 3/4, so a bar every third beat.
        let map = TempoMap::new(137.0, 3.0, &[]).unwrap();
        let [beat, phase, bar_phase, bpm, playing] = clock(&mut Transport::new(SR), &map, 200_000);
        let expected: Vec<usize> = (1..=9)
            .map(|k: u64| (k * 2_880_000).div_ceil(137) as usize)
            .collect();
        assert_eq!(expected[0], 21_022);
        assert_eq!(wraps(&phase), expected);
        let bars: Vec<usize> = expected.iter().copied().skip(2).step_by(3).collect();
        assert_eq!(wraps(&bar_phase), bars);
        assert_eq!(beat[21_022], (21_022.0 * 137.0 / 2_880_000.0) as f32);
        assert!(bpm.iter().all(|&x| x == 137.0));
        assert!(playing.iter().all(|&x| x == 1.0));
    }

    #[test]
    fn during_a_ramp_the_tempo_output_climbs_with_time() {
        // 120 to 180 BPM over 4 s: 150 BPM at 2 s (sample 96 000).
        let ramp = TempoPoint {
            beat: 10.0,
            bpm: 180.0,
            shape: TempoShape::Ramp,
        };
        let map = TempoMap::new(120.0, 4.0, &[ramp]).unwrap();
        let [_, _, _, bpm, _] = clock(&mut Transport::new(SR), &map, 200_000);
        assert!((bpm[96_000] - 150.0).abs() < 1e-3);
        assert!((bpm[48_000] - 135.0).abs() < 1e-3);
        assert!(bpm.windows(2).all(|w| w[1] >= w[0]));
    }

    #[test]
    fn stopped_it_holds_its_place_and_says_so() {
        let map = TempoMap::default();
        let mut transport = Transport::new(SR);
        transport.command(0, TransportCommand::Seek(6.5), &map);
        transport.command(0, TransportCommand::Stop, &map);
        let [beat, phase, bar_phase, bpm, playing] = clock(&mut transport, &map, 1_000);
        assert!(beat.iter().all(|&x| x == 6.5));
        assert!(phase.iter().all(|&x| x == 0.5));
        assert!(bar_phase.iter().all(|&x| x == 2.5 / 4.0));
        assert!(bpm.iter().all(|&x| x == 120.0));
        assert!(playing.iter().all(|&x| x == 0.0));
    }

    #[test]
    fn without_musical_time_it_stands_at_zero() {
        let mut kernel = kernel("clock", &[]);
        let mut block = [[9.0_f32; 4]; 5];
        let mut refs: Vec<&mut [f32]> = block.iter_mut().map(|b| &mut b[..]).collect();
        kernel.process(&[], &mut refs);
        assert_eq!(
            block,
            [
                [0.0; 4],
                [0.0; 4],
                [0.0; 4],
                [Beats::STILL.bpm as f32; 4],
                [0.0; 4]
            ]
        );
    }
}
