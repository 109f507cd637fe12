//! The transport inside the audio half: commands and hush as events at their sample, a
//! program's tempo map, swaps held for the next grid line.

use crate::common::{SOURCE, one_kernel};
use patchvm_vm::live::{
    Action, AudioHalf, Event, LinkSettings, Loaded, ParamKey, Remote, Takeover, link,
};
use patchvm_vm::time::{TempoPoint, TempoShape};
use patchvm_vm::{
    Beats, Executable, Instr, Kernel, KernelShape, Quantize, Reg, TempoMap, TransportCommand,
};

/// Outputs the beat position of each sample, as the transport hands it over.
struct BeatSource;

impl Kernel for BeatSource {
    fn shape(&self) -> KernelShape {
        SOURCE
    }
    fn process(&mut self, _: &[&[f32]], outputs: &mut [&mut [f32]]) {
        outputs[0].fill(-1.0);
    }
    fn process_at(&mut self, beats: &Beats, _: &[&[f32]], outputs: &mut [&mut [f32]]) {
        for (i, out) in outputs[0].iter_mut().enumerate() {
            *out = beats.at(i) as f32;
        }
    }
    fn reset(&mut self) {}
}

/// A program playing its beat position, over `tempo`, generation `generation`.
fn beats(tempo: TempoMap, generation: u64, quantize: Option<Quantize>) -> Box<Loaded> {
    let program = patchvm_vm::Program {
        tempo,
        ..one_kernel("beats")
    };
    Box::new(Loaded {
        executable: Executable::new(program, vec![Box::new(BeatSource)]).unwrap(),
        keys: vec![],
        generation,
        takeover: Takeover::NOTHING,
        fade: 64,
        then: None,
        tail: None,
        quantize,
        probes: Default::default(),
    })
}

/// A program playing the constant `level`.
fn level(level: f32, generation: u64, quantize: Option<Quantize>) -> Box<Loaded> {
    let program = patchvm_vm::Program {
        instrs: vec![
            Instr::LoadConst {
                dst: Reg(1),
                value: level,
            },
            Instr::WriteOutput {
                channel: 0,
                src: Reg(1),
            },
        ],
        registers: 2,
        channels: 1,
        ..patchvm_vm::Program::default()
    };
    Box::new(Loaded {
        executable: Executable::new(program, vec![]).unwrap(),
        keys: vec![],
        generation,
        takeover: Takeover::NOTHING,
        fade: 64,
        then: None,
        tail: None,
        quantize,
        probes: Default::default(),
    })
}

fn mono() -> (Remote, AudioHalf) {
    link(LinkSettings {
        channels: 1,
        ..LinkSettings::default()
    })
}

fn command(time: u64, action: Action) -> Event {
    Event {
        time,
        key: ParamKey(0),
        action,
        generation: 0,
    }
}

/// Renders `frames` samples in host buffers of `buffer`.
fn render(audio: &mut AudioHalf, frames: usize, buffer: usize) -> Vec<f32> {
    let mut out = vec![0.0; frames];
    for chunk in out.chunks_mut(buffer) {
        audio.process(chunk);
    }
    out
}

#[test]
fn a_program_plays_on_its_tempo_map_from_beat_zero() {
    // 60 BPM at 48 kHz: beat 1 at sample 48 000, beat 2 at 96 000.
    let (mut remote, mut audio) = mono();
    remote
        .publish(beats(TempoMap::new(60.0, 4.0, &[]).unwrap(), 1, None))
        .unwrap();
    let out = render(&mut audio, 100_000, 1000);
    assert_eq!((out[0], out[48_000], out[96_000]), (0.0, 1.0, 2.0));
}

#[test]
fn seek_stop_play_and_loop_land_on_their_samples() {
    // 120 BPM: 24 000 samples a beat.
    let (mut remote, mut audio) = mono();
    remote.publish(beats(TempoMap::default(), 1, None)).unwrap();
    remote.send(command(
        1_000,
        Action::Transport(TransportCommand::Seek(8.0)),
    ));
    remote.send(command(25_000, Action::Transport(TransportCommand::Stop)));
    remote.send(command(30_000, Action::Transport(TransportCommand::Play)));
    remote.send(command(
        30_000,
        Action::Transport(TransportCommand::Loop {
            start: 8.0,
            end: 10.0,
        }),
    ));
    let out = render(&mut audio, 100_000, 700);
    assert_eq!(out[999], 999.0 / 24_000.0);
    assert_eq!((out[1_000], out[25_000]), (8.0, 9.0));
    // Stopped from 25 000 to 30 000: the position holds at beat 9.
    assert_eq!((out[29_999], out[30_000]), (9.0, 9.0));
    // Beat 10 would be 24 000 samples after 30 000: the loop sends it back to 8.
    assert_eq!(out[53_999], (9.0 + 23_999.0 / 24_000.0) as f32);
    assert_eq!(out[54_000], 8.0);
    assert_eq!(out[54_000 + 23_998], 8.0 + 23_998.0 / 24_000.0);
}

#[test]
fn a_tempo_command_waits_for_the_next_beat() {
    // At sample 100 of 120 BPM, 60 BPM from beat 1 (sample 24 000): beat 2 at 72 000.
    let (mut remote, mut audio) = mono();
    remote.publish(beats(TempoMap::default(), 1, None)).unwrap();
    let tempo = TransportCommand::Tempo {
        bpm: 60.0,
        next_beat: true,
    };
    remote.send(command(100, Action::Transport(tempo)));
    let out = render(&mut audio, 80_000, 333);
    assert_eq!((out[24_000], out[48_000], out[72_000]), (1.0, 1.5, 2.0));
}

#[test]
fn a_quantised_swap_lands_on_the_bar_line() {
    // 120 BPM in 4/4: the first bar line after sample 10 000 is beat 4, sample 96 000.
    let (mut remote, mut audio) = mono();
    remote.publish(level(0.25, 1, None)).unwrap();
    let mut first = render(&mut audio, 10_000, 512);
    remote
        .publish(level(1.0, 2, Some(Quantize::Bars(1))))
        .unwrap();
    first.extend(render(&mut audio, 100_000, 512));
    assert_eq!((first[95_999], first[96_000]), (0.25, 1.0));
    assert!(first[..96_000].iter().all(|&x| x == 0.25));
}

#[test]
fn a_quantised_swap_waits_for_the_beat_on_the_programs_map() {
    // 100 BPM then a ramp to 140 over beats 0..2 (mean 120: 1 s); beat 2 at sample 48 000.
    let ramp = TempoPoint {
        beat: 2.0,
        bpm: 140.0,
        shape: TempoShape::Ramp,
    };
    let map = TempoMap::new(100.0, 4.0, &[ramp]).unwrap();
    let (mut remote, mut audio) = mono();
    remote.publish(beats(map.clone(), 1, None)).unwrap();
    let mut out = render(&mut audio, 30_000, 1000);
    remote.publish(level(1.0, 2, Some(Quantize::Beat))).unwrap();
    out.extend(render(&mut audio, 30_000, 1000));
    let boundary = (map.sample_at(2.0, 48_000.0)).ceil() as usize;
    assert_eq!(boundary, 48_000);
    assert!(out[boundary - 1] < 2.0 && out[boundary - 1] > 1.99);
    assert_eq!(out[boundary], 1.0);
}

#[test]
fn a_quantised_swap_while_stopped_takes_the_next_block() {
    let (mut remote, mut audio) = mono();
    remote.publish(level(0.25, 1, None)).unwrap();
    remote.send(command(0, Action::Transport(TransportCommand::Stop)));
    render(&mut audio, 640, 64);
    remote
        .publish(level(1.0, 2, Some(Quantize::Bars(4))))
        .unwrap();
    assert_eq!(render(&mut audio, 64, 64)[0], 1.0);
}

#[test]
fn hush_fades_to_silence_within_a_block_and_holds_until_the_next_program() {
    let (mut remote, mut audio) = mono();
    remote.publish(level(1.0, 1, None)).unwrap();
    remote.send(command(100, Action::Hush));
    let out = render(&mut audio, 10_000, 50);
    assert_eq!(out[99], 1.0);
    assert_eq!(out[100], 1.0 - 1.0 / 64.0);
    assert_eq!(out[131], 1.0 - 32.0 / 64.0);
    assert!(out[163..].iter().all(|&x| x == 0.0));
    // The transport goes on: nothing else stops.
    assert!(audio.transport().playing());
    remote.publish(level(0.5, 2, None)).unwrap();
    assert_eq!(render(&mut audio, 64, 64)[0], 0.5);
}
