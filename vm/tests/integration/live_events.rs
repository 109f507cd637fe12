//! Events between the control side and the audio half, at the edges: a program still waiting
//! behind a transition, a full list of scheduled events. Found in review; kept as tests.

use patchvm_vm::live::{Action, Event, LinkSettings, Loaded, ParamKey, Takeover, link};
use patchvm_vm::{Executable, Instr, ParamIdx, Program, Reg};

/// A program that outputs its parameter slot 0 (initially `value`), with `keys` mapping
/// event keys to that slot; published as a structural edit (a transition of the same
/// program, then the program) if `transition`.
fn program(
    value: f32,
    keys: Vec<(ParamKey, ParamIdx)>,
    generation: u64,
    transition: bool,
) -> Box<Loaded> {
    let build = |then| {
        let program = Program {
            instrs: vec![Instr::WriteOutput {
                channel: 0,
                src: Reg(1),
            }],
            registers: 2,
            channels: 1,
            params: vec![value],
            param_regs: vec![Reg(1)],
            ..Program::default()
        };
        Box::new(Loaded {
            executable: Executable::new(program, vec![]).unwrap(),
            keys: keys.clone(),
            generation,
            takeover: Takeover::Changed {
                copied: vec![],
                params: vec![(ParamIdx(0), ParamIdx(0))],
                glide: Vec::new(),
            },
            fade: 64,
            then,
            tail: None,
            quantize: None,
            probes: Default::default(),
        })
    };
    let steady = build(None);
    if transition {
        build(Some(steady))
    } else {
        steady
    }
}

fn set(time: u64, key: u32, value: f32, generation: u64) -> Event {
    Event {
        time,
        key: ParamKey(key),
        action: Action::Set(value),
        generation,
    }
}

#[test]
fn an_event_for_a_program_waiting_behind_a_transition_reaches_it() {
    let (mut remote, mut audio) = link(LinkSettings {
        channels: 1,
        ..LinkSettings::default()
    });
    remote.publish(program(0.1, vec![], 1, false)).unwrap();
    audio.process(&mut [0.0; 64]);
    // A structural edit (a transition), then a program that adds key 7, published before the
    // audio half runs again; the event is resolved against that newest program.
    remote.publish(program(0.2, vec![], 2, true)).unwrap();
    remote
        .publish(program(0.3, vec![(ParamKey(7), ParamIdx(0))], 3, true))
        .unwrap();
    assert!(remote.send(set(0, 7, 1.0, 3)));
    let mut out = [0.0_f32; 512];
    audio.process(&mut out);
    assert_eq!(
        out[511], 1.0,
        "the set reached the program it was meant for"
    );
    let metrics = remote.metrics().snapshot();
    assert_eq!((metrics.applied_events, metrics.unrouted_events), (1, 0));
}

#[test]
fn an_earlier_event_displaces_the_latest_from_a_full_schedule() {
    let settings = LinkSettings {
        channels: 1,
        event_capacity: 4,
        ..LinkSettings::default()
    };
    let (mut remote, mut audio) = link(settings);
    remote
        .publish(program(
            0.0,
            vec![(ParamKey(1), ParamIdx(0)), (ParamKey(2), ParamIdx(0))],
            1,
            false,
        ))
        .unwrap();
    audio.process(&mut [0.0; 64]);
    for k in 0..4 {
        assert!(remote.send(set(1_000_000 + k, 2, 0.5, 1)));
    }
    audio.process(&mut [0.0; 64]); // the schedule is now full of far events
    assert!(remote.send(set(200, 1, 1.0, 1)));
    let mut out = [0.0_f32; 512];
    audio.process(&mut out);
    // The block started at sample 128: sample 200 is index 72.
    assert_eq!(
        (out[71], out[72]),
        (0.0, 1.0),
        "the set lands on its sample"
    );
    assert_eq!(
        remote.metrics().snapshot().dropped_events,
        1,
        "the latest far event is dropped"
    );
}

/// A program that outputs the sum of its three parameter slots (initially `values`); key `k`
/// names slot `k`; it takes over its predecessor whole, slots in `reset` starting afresh.
fn summing(
    values: [f32; 3],
    generation: u64,
    reset: Vec<ParamIdx>,
    glide: Vec<ParamIdx>,
) -> Box<Loaded> {
    let program = Program {
        instrs: vec![
            Instr::Add {
                dst: Reg(4),
                lhs: Reg(1),
                rhs: Reg(2),
            },
            Instr::Add {
                dst: Reg(5),
                lhs: Reg(4),
                rhs: Reg(3),
            },
            Instr::WriteOutput {
                channel: 0,
                src: Reg(5),
            },
        ],
        registers: 6,
        channels: 1,
        params: values.to_vec(),
        param_regs: vec![Reg(1), Reg(2), Reg(3)],
        ..Program::default()
    };
    Box::new(Loaded {
        executable: Executable::new(program, vec![]).unwrap(),
        keys: (0..3).map(|k| (ParamKey(k), ParamIdx(k as u16))).collect(),
        generation,
        takeover: Takeover::Whole {
            rebuilt: vec![],
            reset,
            glide,
        },
        fade: 64,
        then: None,
        tail: None,
        quantize: None,
        probes: Default::default(),
    })
}

#[test]
fn a_whole_take_over_keeps_values_set_by_events_and_ramps_under_way() {
    let (mut remote, mut audio) = link(LinkSettings {
        channels: 1,
        ..LinkSettings::default()
    });
    remote
        .publish(summing([0.0, 0.0, 0.0], 1, vec![], vec![]))
        .unwrap();
    audio.process(&mut [0.0; 64]);
    // Slot 0 set by an event, slot 1 ramping to 64 over 128 samples (one per sample).
    assert!(remote.send(set(64, 0, 1000.0, 1)));
    assert!(remote.send(Event {
        time: 64,
        key: ParamKey(1),
        action: Action::Ramp {
            target: 128.0,
            samples: 128,
        },
        generation: 1,
    }));
    audio.process(&mut [0.0; 64]);
    // A value edit of slot 2 only: the new program takes over whole.
    remote
        .publish(summing([0.0, 0.0, 0.5], 2, vec![ParamIdx(2)], vec![]))
        .unwrap();
    let mut out = [0.0_f32; 64];
    audio.process(&mut out);
    assert_eq!(
        out[0], 1065.5,
        "the set value, the ramp's 65th step and the edited slot"
    );
    assert_eq!(out[63], 1128.5);
    audio.process(&mut out);
    assert_eq!(out[63], 1128.5, "the ramp ended on its target");
}

/// A value edit that glides: slot 1 goes from 0.0 to 1.0 over the program's fade (64 samples)
/// while slot 0, set by an event, keeps its value and slot 2 jumps (a whole number). Sample
/// `k` of the glide is `(k + 1) / 64`, cut into host buffers of 1, 7 and 64 samples alike.
#[test]
fn a_whole_take_over_glides_the_slots_it_is_told_to_and_jumps_the_others() {
    let mut runs = Vec::new();
    for buffer in [1, 7, 64] {
        let (mut remote, mut audio) = link(LinkSettings {
            channels: 1,
            ..LinkSettings::default()
        });
        remote
            .publish(summing([0.0, 0.0, 0.0], 1, vec![], vec![]))
            .unwrap();
        assert!(remote.send(set(0, 0, 10.0, 1)));
        audio.process(&mut [0.0; 64]);
        remote
            .publish(summing(
                [0.0, 1.0, 100.0],
                2,
                vec![ParamIdx(2)],
                vec![ParamIdx(1)],
            ))
            .unwrap();
        let mut out = vec![0.0_f32; 128];
        for chunk in out.chunks_mut(buffer) {
            audio.process(chunk);
        }
        runs.push(out);
    }
    for (k, &sample) in runs[0].iter().enumerate() {
        let glide = ((k + 1).min(64) as f32) / 64.0;
        assert_eq!(sample, 110.0 + glide, "sample {k}");
    }
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[0], runs[2]);
}
