//! Probes from outside: each block's reading equals the same output rendered offline (its
//! last sample and its peak, block by block), subscriptions survive edits while their node
//! does and report its removal, unknown nodes and outputs are refused with E0132, and the
//! audio thread allocates nothing while publishing them.

use crate::allocations::counted;
use patchvm::engine::{
    AudioHalf, Controller, Engine, EngineError, EngineSettings, Instance, ProbeHandle,
    ProbeReading, ProbeState, Settings,
};
use patchvm::ir::{Edit, Format, Limits, Patch};

/// A saw through a filter to the output, and a sine that reaches nothing.
const PATCH: &str = r#"(patch
  (nodes
    (osc1 (type "osc.saw") (freq 220))
    (f (type "filter.lowpass") (cutoff 1000))
    (lfo (type "osc.sine") (freq 3))
    (out (type "output")))
  (connections (osc1 "out" -> f "in") (f "out" -> out "in")))"#;

const BLOCK: usize = 64;

fn read(text: &str) -> Patch {
    Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .unwrap()
}

/// `frames` samples of node `node`'s `out` as the offline render gives them: the node alone
/// into the output (what feeds it is nothing here, so these are its samples in `PATCH`).
fn offline(node: &str, module: &str, freq: f64, frames: usize) -> Vec<f32> {
    let text = format!(
        r#"(patch (nodes ({node} (type "{module}") (freq {freq})) (out (type "output")))
             (connections ({node} "out" -> out "in")))"#
    );
    let mut instance = Instance::new(&read(&text), &Settings::default(), &Limits::default())
        .expect("the reference patch builds");
    assert_eq!(instance.channels(), 1);
    let mut samples = vec![0.0; frames];
    instance.process_interleaved(&mut samples, BLOCK);
    samples
}

fn engine() -> (Controller, AudioHalf) {
    let (mut controller, audio) = Engine::new(
        EngineSettings {
            channels: 1,
            ..EngineSettings::default()
        },
        Limits::default(),
    );
    controller
        .load_text(PATCH.as_bytes(), Format::Sexpr)
        .unwrap();
    (controller, audio)
}

/// What the block of `reference` starting at `start` publishes: its last sample, its peak
/// and the time after it.
fn expected(reference: &[f32], start: usize) -> (f32, f32, u64) {
    let block = &reference[start..start + BLOCK];
    (
        block[BLOCK - 1],
        block.iter().fold(0.0_f32, |peak, x| peak.max(x.abs())),
        (start + BLOCK) as u64,
    )
}

fn published(reading: ProbeReading) -> (f32, f32, u64) {
    (reading.value, reading.peak, reading.end)
}

/// Plays blocks until both probes publish (each subscription swapped a program in; the audio
/// half takes them at block boundaries), at most 4; returns how many it played.
fn until_published(audio: &mut AudioHalf, probes: &[&ProbeHandle]) -> usize {
    let mut block = [0.0_f32; BLOCK];
    for played in 1..=4 {
        audio.process(&mut block);
        if probes.iter().all(|p| p.value().is_some()) {
            return played;
        }
    }
    panic!("the probes never published");
}

/// The probe's value if it published block `index` (it may not have yet: its program
/// arrives a block or so after the subscription).
fn playing_now(handle: &ProbeHandle, index: usize) -> Option<f32> {
    match handle.read() {
        ProbeState::Playing(reading) if reading.end == ((index + 1) * BLOCK) as u64 => {
            Some(reading.value)
        }
        ProbeState::Playing(reading) => panic!("stale {reading:?} after block {index}"),
        _ => None,
    }
}

fn playing(handle: &ProbeHandle) -> ProbeReading {
    match handle.read() {
        ProbeState::Playing(reading) => reading,
        other => panic!("{}.{} is {other:?}", handle.node(), handle.port()),
    }
}

#[test]
fn each_block_s_reading_is_the_offline_render_s_last_sample_and_peak_of_that_block() {
    const BLOCKS: usize = 300;
    let saw = offline("osc1", "osc.saw", 220.0, BLOCKS * BLOCK);
    let sine = offline("lfo", "osc.sine", 3.0, BLOCKS * BLOCK);
    let (mut controller, mut audio) = engine();
    let probe = controller.probe("osc1", "out").unwrap();
    // A node no output hears is compiled for its probe.
    let unheard = controller.probe("lfo", "out").unwrap();
    assert_eq!(probe.read(), ProbeState::Waiting);
    let first = until_published(&mut audio, &[&probe, &unheard]);
    let mut block = [0.0_f32; BLOCK];
    let blocks_before = playing(&unheard).blocks;
    // Block `first - 1` was the last played; each block after it is read as it ends.
    for index in first - 1..BLOCKS {
        if index >= first {
            audio.process(&mut block);
        }
        let start = index * BLOCK;
        assert_eq!(
            published(playing(&probe)),
            expected(&saw, start),
            "block {index}"
        );
        let reading = playing(&unheard);
        assert_eq!(published(reading), expected(&sine, start), "block {index}");
        assert_eq!(reading.blocks, blocks_before + (index + 1 - first) as u64);
    }
    assert_eq!(probe.value(), Some(saw[BLOCKS * BLOCK - 1]));
    // The sine's peak over the 299 blocks read: its amplitude, within a 3 Hz step.
    let held = unheard.take_peak();
    let most = sine[BLOCK..]
        .iter()
        .fold(0.0_f32, |peak, x| peak.max(x.abs()));
    assert_eq!(held, most);
    assert!((held - 1.0).abs() < 1e-3, "{held}");
    assert_eq!(unheard.take_peak(), 0.0, "taken");
}

#[test]
fn a_probe_survives_edits_while_its_node_does_and_reports_its_removal() {
    const BLOCKS: usize = 40;
    let saw = offline("osc1", "osc.saw", 220.0, BLOCKS * BLOCK);
    let (mut controller, mut audio) = engine();
    let probe = controller.probe("osc1", "out").unwrap();
    let unheard = controller.probe("lfo", "out").unwrap();
    let mut block = [0.0_f32; BLOCK];
    for _ in until_published(&mut audio, &[&probe, &unheard])..10 {
        audio.process(&mut block);
    }
    let edit = Edit::SetParam {
        node: "f".into(),
        param: "cutoff".into(),
        value: 500.0,
    };
    controller.apply(&edit).unwrap();
    controller
        .apply(&Edit::RemoveNode { id: "lfo".into() })
        .unwrap();
    assert_eq!(unheard.read(), ProbeState::Removed);
    assert_eq!(unheard.value(), None);
    for index in 10..BLOCKS {
        audio.process(&mut block);
        // The saw kept its phase through both swaps: still the offline render's samples.
        assert_eq!(
            published(playing(&probe)),
            expected(&saw, index * BLOCK),
            "block {index}"
        );
    }
    // Asking again gives the same cell; a removed output can be probed again once back.
    let again = controller.probe("osc1", "out").unwrap();
    assert_eq!(again.read(), probe.read());
    assert!(controller.unprobe("osc1", "out"));
    assert!(!controller.unprobe("osc1", "out"));
    assert_eq!(probe.read(), ProbeState::Removed);
}

#[test]
fn unknown_nodes_and_outputs_are_refused_with_e0132_naming_the_choices() {
    let (mut controller, _audio) = engine();
    let problem = |error: EngineError| match error {
        EngineError::Invalid(mut diagnostics) => {
            let d = diagnostics.remove(0);
            (
                d.code.as_str(),
                d.message,
                d.hint.unwrap_or_default(),
                diagnostics.len(),
            )
        }
        other => panic!("{other}"),
    };
    assert_eq!(
        problem(controller.probe("osc2", "out").unwrap_err()),
        (
            "E0132",
            "no node `osc2` to probe".into(),
            "did you mean `osc1`?".into(),
            0
        )
    );
    assert_eq!(
        problem(controller.probe("f", "output").unwrap_err()),
        (
            "E0132",
            "node `f` (`filter.lowpass`) has no output `output`".into(),
            "expected `out`".into(),
            0
        )
    );
    assert_eq!(
        problem(controller.probe("f", "uot").unwrap_err()).2,
        "did you mean `out`?"
    );
    assert_eq!(
        problem(controller.probe("out", "in").unwrap_err()),
        (
            "E0132",
            "node `out` (`output`) has no output `in`".into(),
            "`output` nodes have no outputs to probe".into(),
            0
        )
    );
}

#[test]
fn the_audio_thread_publishes_probes_and_the_mix_without_allocating() {
    const BLOCKS: usize = 200;
    let (mut controller, mut audio) = engine();
    let probes: Vec<ProbeHandle> = [("osc1", "out"), ("f", "out"), ("lfo", "out")]
        .iter()
        .map(|(node, port)| controller.probe(node, port).unwrap())
        .collect();
    let mix = controller.probe_output();
    let mut block = [0.0_f32; BLOCK];
    let mut loudest = 0.0_f32;
    for index in 0..BLOCKS {
        let ((), counts) = counted(|| audio.process(&mut block));
        assert_eq!((counts.allocations, counts.frees), (0, 0), "block {index}");
        let peak = block.iter().fold(0.0_f32, |peak, x| peak.max(x.abs()));
        loudest = loudest.max(peak);
        // The mix as the output buffer holds it: the engine plays one channel.
        let reading = playing(&mix);
        assert_eq!(
            (reading.value, reading.peak, reading.end),
            (block[BLOCK - 1], peak, ((index + 1) * BLOCK) as u64)
        );
        // The filter's output is what the output node plays, once its probe publishes.
        if let Some(filtered) = playing_now(&probes[1], index) {
            assert_eq!(filtered, block[BLOCK - 1]);
        }
    }
    assert_eq!(mix.take_peak(), loudest);
    assert!(probes.iter().all(|p| p.value().is_some()));
}

/// `/probe/subscribe` answers at its rate in engine time: the test renders one period of
/// samples at a time and reads one `/probe` after each, whose value is the last sample the
/// output played; with nothing rendered nothing more comes, and after `/probe/unsubscribe`
/// nothing at all.
#[test]
fn osc_subscribers_get_one_answer_per_period_of_engine_time_with_the_block_s_value() {
    use patchvm_tests::osc::{Client, Rig, s};
    use rosc::OscType;
    use std::time::Duration;
    const RATE: f32 = 15.0;
    const PERIOD: usize = 3_200; // 48 kHz / 15 Hz: 50 blocks
    const PERIODS: usize = 30; // two seconds of engine time
    let mut rig = Rig::new(read(
        r#"(patch (nodes (osc1 (type "osc.saw") (freq 220)) (out (type "output")))
             (connections (osc1 "out" -> out "in")))"#,
    ));
    let client = Client::new(rig.server.local_addr());
    let subscribe = vec![s("osc1"), s("out"), OscType::Float(RATE)];
    client.send_message("/probe/subscribe", subscribe);
    assert_eq!(client.sync(1), [], "subscribed quietly");
    // Exactly one answer per period: a second would be read in the next period's place and
    // carry the previous period's value; one missing times out.
    for period in 0..PERIODS {
        let mut last = 0.0;
        for _ in 0..PERIOD / BLOCK {
            last = *rig.render(BLOCK).last().unwrap();
        }
        let answer = client
            .receive_within(Duration::from_secs(10))
            .expect("an answer for each period");
        assert_eq!(answer.addr, "/probe", "period {period}: {answer:?}");
        assert_eq!(
            answer.args,
            [s("osc1"), s("out"), OscType::Float(last)],
            "period {period}"
        );
    }
    // 30 answers over 2 s of engine time at 15 Hz, and no engine time passes now: none due.
    assert_eq!(client.sync(2), []);
    client.send_message("/probe/unsubscribe", vec![s("osc1"), s("out")]);
    assert_eq!(client.sync(3), []);
    for _ in 0..(2 * PERIOD) / BLOCK {
        rig.render(BLOCK);
    }
    assert_eq!(client.receive_within(Duration::from_millis(100)), None);
    // Unknown outputs and rates out of range are refused.
    client.send_message(
        "/probe/subscribe",
        vec![s("osc1"), s("nope"), OscType::Float(10.0)],
    );
    let refused = client.receive().unwrap();
    assert_eq!(refused.addr, "/error");
    let text = format!("{:?}", refused.args);
    assert!(
        text.contains("E0132") || text.contains("no output `nope`"),
        "{text}"
    );
    client.send_message(
        "/probe/subscribe",
        vec![s("osc1"), s("out"), OscType::Float(0.0)],
    );
    let refused = client.receive().unwrap();
    assert_eq!(refused.addr, "/error");
    assert!(format!("{:?}", refused.args).contains("out of range"));
}
