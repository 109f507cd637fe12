//! The audio half never allocates or frees: the binary's counting allocator watches the audio
//! thread while it plays thousands of blocks through over a thousand swaps, edits and event
//! bursts on random patches from the public generators, publishing probes of random outputs.

use patchvm::engine::{At, AudioHalf, Controller, Engine, EngineSettings};
use patchvm::ir::{Edit, Limits, Patch};
use patchvm_tests::strategies::valid_patch;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::allocations::{Allocations, counted};

/// Runs `process` as the audio thread would, adding what it allocated and freed to `total`.
fn play(audio: &mut AudioHalf, buffer: &mut [f32], total: &mut Allocations) {
    let ((), counts) = counted(|| audio.process(buffer));
    total.allocations += counts.allocations;
    total.frees += counts.frees;
}

/// A small, fixed pseudo-random sequence (no dependency, same on every machine).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize % n.max(1)
    }
}

/// An edit of the patch playing: mostly valid, sometimes not (those must change nothing).
fn random_edit(patch: &Patch, rng: &mut Lcg, serial: usize) -> Edit {
    let node = &patch.nodes[rng.below(patch.nodes.len())];
    match rng.below(5) {
        0 => Edit::AddNode {
            id: format!("added{serial}"),
            module: "osc.sine".into(),
            params: vec![("freq".into(), 50.0 + rng.below(2_000) as f64)],
        },
        1 => Edit::Connect {
            from: (node.id.text.clone(), "out".into()),
            to: ("out".into(), "in".into()),
        },
        2 => Edit::RemoveNode {
            id: node.id.text.clone(),
        },
        3 => match patch.connections.first() {
            Some(c) => Edit::Disconnect {
                from: (c.from.node.text.clone(), c.from.port.text.clone()),
                to: (c.to.node.text.clone(), c.to.port.text.clone()),
            },
            None => Edit::RemoveNode { id: "none".into() },
        },
        _ => Edit::SetParam {
            node: node.id.text.clone(),
            param: node
                .params
                .first()
                .map_or("freq".into(), |p| p.name.text.clone()),
            value: rng.below(1_000) as f64 / 100.0,
        },
    }
}

/// Sends a burst of sets and ramps to the inputs of the patch playing, at times within the
/// next few blocks. Returns how many were queued.
fn event_burst(controller: &mut Controller, rng: &mut Lcg) -> usize {
    let Some(patch) = controller.patch().cloned() else {
        return 0;
    };
    let now = controller.time();
    let mut queued = 0;
    for node in &patch.nodes {
        let Some(spec) = patchvm::modules::catalog().get(&node.module.text) else {
            continue;
        };
        for input in spec.inputs {
            let value =
                (input.min + (input.max - input.min) * rng.below(1_000) as f64 / 1e3) as f32;
            let at = At::Sample(now + rng.below(512) as u64);
            let sent = match rng.below(3) {
                0 => controller.ramp_param(
                    &node.id.text,
                    input.name,
                    value,
                    rng.below(2_000) as u32,
                    at,
                ),
                _ => controller.set_param(&node.id.text, input.name, value, at),
            };
            queued += usize::from(matches!(sent, Ok(true)));
        }
    }
    queued
}

/// Probes a random node's first output of the patch playing (or gives up one of `probes` at
/// random, so cells free up): the audio half publishes every probe after each block. Returns
/// whether a probe was subscribed.
fn probe_random(
    controller: &mut Controller,
    probes: &mut Vec<(String, String)>,
    rng: &mut Lcg,
) -> bool {
    if !probes.is_empty() && rng.below(3) == 0 {
        let (node, port) = probes.swap_remove(rng.below(probes.len()));
        controller.unprobe(&node, &port);
        return false;
    }
    let Some(patch) = controller.patch().cloned() else {
        return false;
    };
    let node = &patch.nodes[rng.below(patch.nodes.len())];
    let Some(output) = patchvm::modules::catalog()
        .get(&node.module.text)
        .and_then(|spec| spec.outputs.first())
    else {
        return false;
    };
    let subscribed = controller.probe(&node.id.text, output.name).is_ok();
    if subscribed {
        probes.push((node.id.text.clone(), output.name.to_owned()));
    }
    subscribed
}

#[test]
fn the_audio_half_never_allocates_or_frees() {
    let (mut controller, mut audio) = Engine::new(EngineSettings::default(), Limits::default());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let patches = valid_patch();
    let mut rng = Lcg(7);
    let mut buffer = vec![0.0_f32; 2 * 700];
    let (mut calls, mut frames, mut edits, mut events) = (0u64, 0u64, 0u64, 0usize);
    let (mut probes, mut probed) = (Vec::new(), 0);
    let mut total = Allocations::default();
    let mut iteration = 0;
    while controller.metrics().swaps < 1_000 || calls < 10_000 {
        iteration += 1;
        let patch = patches.new_tree(&mut runner).unwrap().current();
        match iteration % 4 {
            0 | 1 => {
                controller.load_patch(patch).unwrap();
            }
            2 => {
                let current = controller.patch().cloned().unwrap();
                let edit = random_edit(&current, &mut rng, iteration);
                edits += u64::from(controller.apply(&edit).is_ok());
            }
            _ => {
                let undone = controller.undo().unwrap().is_some();
                if undone && rng.below(2) == 0 {
                    controller.redo().unwrap();
                }
            }
        }
        events += event_burst(&mut controller, &mut rng);
        probed += usize::from(probe_random(&mut controller, &mut probes, &mut rng));
        for _ in 0..10 {
            let length = 1 + rng.below(700);
            play(&mut audio, &mut buffer[..2 * length], &mut total);
            calls += 1;
            frames += length as u64;
        }
        controller.maintain();
    }
    let metrics = controller.metrics();
    let (allocations, frees) = (total.allocations, total.frees);
    println!(
        "{calls} process calls, {frames} frames (~{} blocks), {} swaps, {edits} edits, \
         {events} events queued, {} applied, {} unrouted, {probed} probes: {allocations} \
         allocations, {frees} frees on the audio thread",
        frames / 64,
        metrics.swaps,
        metrics.applied_events,
        metrics.unrouted_events,
    );
    assert!(metrics.swaps >= 1_000 && frames / 64 >= 10_000 && edits > 100 && events > 1_000);
    assert!(probed > 100, "{probed} probes");
    assert_eq!((allocations, frees), (0, 0));
}

#[test]
fn the_transport_allocates_nothing_on_the_audio_thread() {
    // A clock, a pattern and an arpeggio over a tempo map with a ramp, while the transport
    // is commanded, loops, waits for a tempo change's beat, takes swaps held for the bar
    // line, and hushes; MIDI clock goes out of it into a queue too small for a round, which
    // drops the rest.
    use patchvm::ir::PatchBuilder;
    use patchvm::ir::transport::{TempoChange, TempoShape, Transport};
    use patchvm::vm::{Quantize, TransportCommand};
    let patch = |amp: f64| Patch {
        transport: Some(Transport {
            bpm: 133.0,
            tempo: vec![TempoChange {
                beat: 4.0,
                bpm: 150.0,
                shape: TempoShape::Ramp,
                span: patchvm::ir::Span::NONE,
            }],
            ..Transport::default()
        }),
        ..PatchBuilder::new()
            .node("clk", "clock", &[])
            .node(
                "seq",
                "seq.pattern",
                &[("swing", 0.5), ("humanise", 0.02), ("legato", 3.0)],
            )
            .node("arp", "seq.arp", &[("octaves", 3.0), ("step", 0.125)])
            .node("g", "gain", &[("amp", amp)])
            .node("out", "output", &[])
            .connect(("clk", "phase"), ("g", "in"))
            .connect(("seq", "gate"), ("g", "in"))
            .connect(("arp", "notes1.gate"), ("g", "in"))
            .connect(("g", "out"), ("out", "in"))
            .build()
    };
    let (mut controller, mut audio) = Engine::new(EngineSettings::default(), Limits::default());
    controller.load_patch(patch(0.5)).unwrap();
    controller.quantize_swaps(Some(Quantize::Beat));
    let mut clock = audio.send_clock(2);
    let mut clock_messages = 0;
    let mut buffer = vec![0.0_f32; 2 * 999];
    let mut total = Allocations::default();
    let commands = [
        TransportCommand::Loop {
            start: 1.0,
            end: 3.0,
        },
        TransportCommand::Tempo {
            bpm: 99.0,
            next_beat: true,
        },
        TransportCommand::Seek(2.5),
        TransportCommand::Stop,
        TransportCommand::Play,
        TransportCommand::LoopOff,
        TransportCommand::Resume {
            anchor_beat: 4.0,
            since: 12_345,
        },
    ];
    for round in 0..60 {
        let now = controller.time();
        controller
            .transport(commands[round % commands.len()], At::Sample(now + 500))
            .unwrap();
        if round % 5 == 0 {
            controller
                .load_patch(patch(0.5 + round as f64 / 1e3))
                .unwrap();
        }
        if round % 7 == 0 {
            controller.hush();
        }
        for length in [999, 64, 17, 500] {
            play(&mut audio, &mut buffer[..2 * length], &mut total);
        }
        controller.maintain();
        clock_messages += std::iter::from_fn(|| clock.pop()).count();
    }
    assert!(controller.metrics().swaps >= 12);
    assert!(clock_messages > 50 && clock.dropped() > 0);
    assert_eq!((total.allocations, total.frees), (0, 0));
}

#[test]
fn scenes_recalled_on_the_bar_and_at_once_allocate_nothing_on_the_audio_thread() {
    use patchvm::engine::RecallAt;
    use patchvm::ir::Format;
    use patchvm::vm::Quantize;
    let (mut controller, mut audio) = Engine::new(EngineSettings::default(), Limits::default());
    let text = crate::scenes::PATCH;
    controller
        .load_text(text.as_bytes(), Format::Sexpr)
        .unwrap();
    let mut buffer = vec![0.0_f32; 2 * 4_099];
    let mut total = Allocations::default();
    for round in 0..20 {
        let (name, at) = match round % 3 {
            0 => ("verse", RecallAt::Grid(Quantize::Bars(1))),
            1 => ("quiet", RecallAt::Now),
            _ => ("verse", RecallAt::Grid(Quantize::Beat)),
        };
        controller.recall_scene(name, at).unwrap();
        // A bar and a little more, so each recall has landed before the next.
        for length in [4_099; 24].into_iter().chain([64, 17]) {
            play(&mut audio, &mut buffer[..2 * length], &mut total);
        }
        controller.maintain();
    }
    assert_eq!(controller.metrics().swaps, 21);
    assert_eq!((total.allocations, total.frees), (0, 0));
}

#[test]
fn faults_and_the_limiter_allocate_nothing_on_the_audio_thread() {
    // An overflow to infinity (a stateless sum) and a low-pass driven unstable by 3.4e38 (a
    // kernel reset), muted and mended over and over, through the limiter, with the clip
    // counter counting.
    use patchvm::ir::PatchBuilder;
    use patchvm::vm::live::{DEFAULT_CEILING_DB, Limiter};
    let patch = PatchBuilder::new()
        .node("lfo", "osc.sine", &[("freq", 100.0)])
        .node("loud", "mul", &[("b", 1e6)])
        .node("big", "math.pow", &[("exponent", 7.0)])
        .node("boom", "math.add", &[])
        .node("lp", "filter.lowpass", &[("cutoff", 500.0)])
        .node("hot", "gain", &[("amp", 4.0)])
        .node("out", "output", &[])
        .connect(("lfo", "out"), ("loud", "a"))
        .connect(("loud", "out"), ("big", "base"))
        .connect(("big", "out"), ("boom", "a"))
        .connect(("big", "out"), ("boom", "b"))
        .connect(("big", "out"), ("lp", "in"))
        .connect(("lfo", "out"), ("hot", "in"))
        .connect(("boom", "out"), ("out", "in"))
        .connect(("lp", "out"), ("out", "in"))
        .connect(("hot", "out"), ("out", "in"))
        .build();
    let (mut controller, mut audio) = Engine::new(EngineSettings::default(), Limits::default());
    audio.limit(Some(Limiter::new(DEFAULT_CEILING_DB, 48_000.0)));
    controller.load_patch(patch).unwrap();
    let mut buffer = vec![0.0_f32; 2 * 999];
    let mut total = Allocations::default();
    for round in 0..40 {
        let gain = if round % 2 == 0 { 1e6 } else { 1.0 };
        controller.set_param("loud", "b", gain, At::Now).unwrap();
        for length in [999, 64, 17, 500] {
            play(&mut audio, &mut buffer[..2 * length], &mut total);
        }
        controller.maintain();
    }
    let faults = controller.faults();
    let names: Vec<&str> = faults.iter().map(|(name, _)| &**name).collect();
    assert_eq!(names, ["boom", "lp"]);
    // At least one onset in each of the 20 faulty rounds (more where a short block falls in
    // the sum's finite window, or the reset low-pass overflows again).
    assert!(
        faults.iter().all(|(_, faults)| faults.count >= 20),
        "{faults:?}"
    );
    assert!(controller.metrics().clipped_samples > 0);
    assert_eq!((total.allocations, total.frees), (0, 0));
}

#[test]
fn the_analysis_modules_allocate_nothing_on_the_audio_thread() {
    // A sawtooth through the four analysis modules, their outputs into the output, played in
    // buffers of odd lengths while edits of their settings build their kernels again (FFT
    // plans and rings made on the control side) and swap them in.
    use patchvm::ir::PatchBuilder;
    let patch = PatchBuilder::new()
        .node("saw", "osc.saw", &[("freq", 220.0)])
        .node("pitch", "analysis.pitch", &[])
        .node("onset", "analysis.onset", &[])
        .node("level", "analysis.amplitude", &[])
        .node("bright", "analysis.centroid", &[])
        .node("quiet", "gain", &[("amp", 1e-6)])
        .node("out", "output", &[])
        .connect(("saw", "out"), ("pitch", "in"))
        .connect(("saw", "out"), ("onset", "in"))
        .connect(("saw", "out"), ("level", "in"))
        .connect(("saw", "out"), ("bright", "in"))
        .connect(("pitch", "freq"), ("quiet", "in"))
        .connect(("onset", "trig"), ("quiet", "in"))
        .connect(("level", "rms"), ("quiet", "in"))
        .connect(("bright", "freq"), ("quiet", "in"))
        .connect(("quiet", "out"), ("out", "in"))
        .build();
    let (mut controller, mut audio) = Engine::new(EngineSettings::default(), Limits::default());
    controller.load_patch(patch).unwrap();
    let mut buffer = vec![0.0_f32; 2 * 999];
    let mut total = Allocations::default();
    for round in 0..20 {
        let edit = Edit::SetParam {
            node: "pitch".into(),
            param: "min".into(),
            value: if round % 2 == 0 { 50.0 } else { 60.0 },
        };
        controller.apply(&edit).unwrap();
        for length in [999, 64, 17, 500, 1] {
            play(&mut audio, &mut buffer[..2 * length], &mut total);
        }
        controller.maintain();
    }
    assert!(controller.metrics().swaps >= 20);
    assert_eq!((total.allocations, total.frees), (0, 0));
}
