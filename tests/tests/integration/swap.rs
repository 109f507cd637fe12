//! Structural edits on the live engine, measured from its samples: a surviving node goes on
//! bit for bit (the old and new programs share its kernel), a long delay line keeps what it
//! holds without being copied, removed nodes fade out while new ones fade in over the fade time,
//! reordering a chain — which joins the old and new graphs in a cycle — still crossfades
//! without a click, and values events set go on through the fade of a connection.

use patchvm::engine::At;
use patchvm::ir::{NodeName, Patch, PatchBuilder};
use patchvm::vm::MAX_BLOCK;
use patchvm_tests::live::{fade, mono, render};
use patchvm_tests::measure::{largest_step, peak};

/// `osc1` (a sine) into the output, and with `silent_branch` a second oscillator through a
/// gain of 0 into the output too: the same sound, another structure.
fn sine(silent_branch: bool) -> Patch {
    let patch = PatchBuilder::new()
        .node("osc1", "osc.sine", &[("freq", 440.0)])
        .node("out", "output", &[])
        .connect(("osc1", "out"), ("out", "in"));
    if !silent_branch {
        return patch.build();
    }
    patch
        .node("osc2", "osc.sine", &[("freq", 3_000.0)])
        .node("mute", "gain", &[("amp", 0.0)])
        .connect(("osc2", "out"), ("mute", "in"))
        .connect(("mute", "out"), ("out", "in"))
        .build()
}

#[test]
fn a_surviving_oscillator_plays_on_bit_for_bit_through_structural_edits() {
    let (mut reference, mut reference_audio) = mono();
    reference.load_patch(sine(false)).unwrap();
    let expected = render(&mut reference_audio, 3_000);

    let (mut controller, mut audio) = mono();
    controller.load_patch(sine(false)).unwrap();
    let mut out = render(&mut audio, 1_000);
    let added = controller.load_patch(sine(true)).unwrap();
    out.extend(render(&mut audio, 1_000));
    let removed = controller.load_patch(sine(false)).unwrap();
    out.extend(render(&mut audio, 1_000));

    assert!(added.crossfade && removed.crossfade);
    assert_eq!(added.added, ["osc2", "mute"]);
    assert_eq!(removed.removed, ["osc2", "mute"]);
    assert!(
        added.copied.is_empty() && removed.copied.is_empty(),
        "no state copied: {:?} {:?}",
        added.copied,
        removed.copied
    );
    let differing = out.iter().zip(&expected).filter(|(a, b)| a != b).count();
    assert_eq!(
        differing, 0,
        "samples that differ from the uninterrupted sine"
    );
    let peak = expected.iter().fold(0.0_f32, |p, x| p.max(x.abs()));
    assert!(
        peak > 0.99,
        "the reference plays a full-scale sine ({peak})"
    );
}

/// `g` (a level events turn into an impulse) into a delay of `time` seconds into the
/// output, and with `extra` a second, silent path to the output.
fn echo(extra: bool) -> Patch {
    let patch = PatchBuilder::new()
        .node("g", "gain", &[("in", 1.0), ("amp", 0.0)])
        .node("line", "delay", &[("time", 0.25)])
        .node("out", "output", &[])
        .connect(("g", "out"), ("line", "in"))
        .connect(("line", "out"), ("out", "in"));
    if !extra {
        return patch.build();
    }
    patch
        .node("hum", "osc.sine", &[("freq", 50.0)])
        .node("mute", "gain", &[("amp", 0.0)])
        .connect(("hum", "out"), ("mute", "in"))
        .connect(("mute", "out"), ("out", "in"))
        .build()
}

/// Plays `echo(false)`, sends an impulse through `g` at sample 200, and, if `edit`, adds
/// the silent path at sample 4 096 while the impulse is inside the delay line.
fn play_echo(edit: bool) -> (Vec<f32>, Vec<NodeName>) {
    let (mut controller, mut audio) = mono();
    controller.load_patch(echo(false)).unwrap();
    controller.set_param("g", "amp", 0.0, At::Now).unwrap();
    let mut out = render(&mut audio, 2 * MAX_BLOCK);
    controller
        .set_param("g", "amp", 1.0, At::Sample(200))
        .unwrap();
    controller
        .set_param("g", "amp", 0.0, At::Sample(201))
        .unwrap();
    out.extend(render(&mut audio, 4_096 - out.len()));
    let mut copied = Vec::new();
    if edit {
        let report = controller.load_patch(echo(true)).unwrap();
        assert!(report.crossfade);
        copied = report.copied;
    }
    out.extend(render(&mut audio, 16_000));
    (out, copied)
}

#[test]
fn a_delay_line_keeps_what_it_holds_through_a_structural_edit_without_a_copy() {
    let (expected, _) = play_echo(false);
    let (out, copied) = play_echo(true);
    let echo_at = expected
        .iter()
        .position(|&x| x.abs() > 0.5)
        .expect("the reference echoes the impulse");
    println!("echo at sample {echo_at}: {}", expected[echo_at]);
    assert_eq!(echo_at, 200 + 12_000, "0.25 s at 48 kHz after the impulse");
    assert!(copied.is_empty(), "state copied: {copied:?}");
    assert_eq!(
        out, expected,
        "the echo comes out as if nothing had changed"
    );
}

/// A constant level `value` from node `id` into the output.
fn constant(id: &str, value: f64) -> Patch {
    PatchBuilder::new()
        .node(id, "gain", &[("in", 1.0), ("amp", value)])
        .node("out", "output", &[])
        .connect((id, "out"), ("out", "in"))
        .build()
}

#[test]
fn a_removed_node_fades_out_as_a_new_one_fades_in_over_the_fade() {
    let (mut controller, mut audio) = mono();
    controller.load_patch(constant("a", 0.25)).unwrap();
    render(&mut audio, 2 * MAX_BLOCK);
    let report = controller.load_patch(constant("b", 0.75)).unwrap();
    assert!(report.crossfade);
    let fade = fade();
    let out = render(&mut audio, 4 * MAX_BLOCK + fade);
    for (k, &sample) in out[..fade].iter().enumerate() {
        let expected = 0.25 + 0.5 * (k + 1) as f32 / fade as f32;
        assert!(
            (sample - expected).abs() < 1e-6,
            "sample {k}: {sample}, a linear fade gives {expected}"
        );
    }
    assert!(out[fade..].iter().all(|&x| x == 0.75), "then the new level");
}

/// A saw through `first` then `second` (a low-pass and a clipper) into the output.
fn chain(first: &str, second: &str) -> Patch {
    PatchBuilder::new()
        .node("saw", "osc.saw", &[("freq", 110.0)])
        .node("lp", "filter.lowpass", &[("cutoff", 800.0)])
        .node("clip", "shape.tanh", &[("drive", 2.0)])
        .node("out", "output", &[])
        .connect(("saw", "out"), (first, "in"))
        .connect((first, "out"), (second, "in"))
        .connect((second, "out"), ("out", "in"))
        .build()
}

#[test]
fn reordering_a_chain_crossfades_without_a_click() {
    let (mut controller, mut audio) = mono();
    controller.load_patch(chain("lp", "clip")).unwrap();
    let mut out = render(&mut audio, 4_000);
    let step = largest_step(&out[1_000..]);
    // Joined, the old `lp → clip` and the new `clip → lp` would be a cycle: the low-pass
    // plays twice during the fade, its old side on a copy of its state.
    let report = controller.load_patch(chain("clip", "lp")).unwrap();
    assert!(report.crossfade);
    assert!(
        report.copied.iter().any(|id| id == "lp"),
        "copied: {:?}",
        report.copied
    );
    out.extend(render(&mut audio, 4_000));
    let after = render(&mut audio, 4_000);
    let step_after = largest_step(&after);
    let jump = largest_step(&out[3_900..4_200]);
    println!("reorder: largest jump {jump:.4}, steps {step:.4} before, {step_after:.4} after");
    assert!(
        jump <= step.max(step_after) * 1.05,
        "jump {jump} against steps {step} and {step_after}"
    );
}

/// A sine through `g` (amp 1 in the patch), with `source` a silent node connected to its amp.
fn voice(source: bool) -> Patch {
    let patch = PatchBuilder::new()
        .node("osc", "osc.sine", &[("freq", 440.0)])
        .node("g", "gain", &[("amp", 1.0)])
        .node("out", "output", &[])
        .connect(("osc", "out"), ("g", "in"))
        .connect(("g", "out"), ("out", "in"));
    if !source {
        return patch.build();
    }
    patch
        .node("zero", "gain", &[("in", 0.0), ("amp", 0.0)])
        .connect(("zero", "out"), ("g", "amp"))
        .build()
}

#[test]
fn connecting_a_source_to_an_input_events_set_fades_from_its_live_value() {
    let (mut controller, mut audio) = mono();
    controller.load_patch(voice(false)).unwrap();
    controller.set_param("g", "amp", 0.0, At::Now).unwrap();
    let before = render(&mut audio, 4 * MAX_BLOCK);
    assert!(peak(&before[MAX_BLOCK..]) < 1e-6, "muted by the event");
    assert!(controller.load_patch(voice(true)).unwrap().crossfade);
    let during = render(&mut audio, fade());
    let after = render(&mut audio, 256);
    assert!(peak(&after) < 1e-6, "the zero source holds it muted");
    assert!(
        peak(&during) < 1e-6,
        "the fade plays {} dBFS from the patch's amp instead of the muted one",
        20.0 * peak(&during).log10()
    );
}

#[test]
fn an_event_sent_right_after_a_disconnect_reaches_the_new_slot() {
    let (mut controller, mut audio) = mono();
    controller.load_patch(voice(true)).unwrap();
    render(&mut audio, 256);
    assert!(controller.load_patch(voice(false)).unwrap().crossfade);
    controller.set_param("g", "amp", 0.0, At::Now).unwrap();
    render(&mut audio, 256);
    let after = render(&mut audio, 512);
    assert!(
        peak(&after) < 1e-6,
        "amp set to 0, playing at {}",
        peak(&after)
    );
    assert_eq!(controller.metrics().unrouted_events, 0);
}

#[test]
fn an_output_s_own_constant_fades_to_its_new_value() {
    let level = |value: f64| {
        PatchBuilder::new()
            .node("out", "output", &[("in", value)])
            .build()
    };
    let (mut controller, mut audio) = mono();
    controller.load_patch(level(0.5)).unwrap();
    render(&mut audio, 2 * MAX_BLOCK);
    assert!(controller.load_patch(level(0.25)).unwrap().crossfade);
    let fade = fade();
    let out = render(&mut audio, 4 * MAX_BLOCK + fade);
    for (k, &sample) in out[..fade].iter().enumerate() {
        let expected = 0.5 - 0.25 * (k + 1) as f32 / fade as f32;
        assert!(
            (sample - expected).abs() < 1e-6,
            "sample {k}: {sample}, a linear fade gives {expected}"
        );
    }
    assert!(out[fade..].iter().all(|&x| x == 0.25), "then the new level");
}
