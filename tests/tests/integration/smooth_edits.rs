//! Edits without clicks, measured from the live engine's samples: a value edit glides to its
//! new value over the fade time (whole numbers still jump), a structural edit crossfades for
//! the fade time, the fade is a setting, and all of it is the same bits at any host buffer
//! and allocates nothing on the audio thread.

use patchvm::engine::{AudioHalf, Controller, Engine, EngineSettings};
use patchvm::ir::{Limits, Patch, PatchBuilder};
use patchvm_tests::measure::largest_step;

use crate::allocations::counted;

/// A mono engine with the default fade (20 ms: 960 samples at 48 kHz).
fn engine() -> (Controller, AudioHalf) {
    let settings = EngineSettings {
        channels: 1,
        ..EngineSettings::default()
    };
    Engine::new(settings, Limits::default())
}

/// The next `frames` samples, in host buffers of `buffer` frames.
fn render(audio: &mut AudioHalf, frames: usize, buffer: usize) -> Vec<f32> {
    let mut out = vec![0.0; frames];
    for chunk in out.chunks_mut(buffer) {
        audio.process(chunk);
    }
    out
}

/// A 110 Hz sine through gain `g` at `amp` into the output.
fn sine_at(amp: f64) -> Patch {
    PatchBuilder::new()
        .node("osc", "osc.sine", &[("freq", 110.0)])
        .node("g", "gain", &[("amp", amp)])
        .node("out", "output", &[])
        .connect(("osc", "out"), ("g", "in"))
        .connect(("g", "out"), ("out", "in"))
        .build()
}

/// Samples played before an edit: 11.23 periods of the 110 Hz sine, so the edit lands near
/// a peak, where a step in gain is largest.
const BEFORE: usize = 4_900;

/// The sine at gain 0.5, then edited to 0.2, in buffers of `buffer` frames: the samples
/// before the edit and from it on.
fn gain_edit(controller: &mut Controller, audio: &mut AudioHalf, buffer: usize) -> [Vec<f32>; 2] {
    controller.load_patch(sine_at(0.5)).unwrap();
    let before = render(audio, BEFORE, buffer);
    let report = controller.load_patch(sine_at(0.2)).unwrap();
    assert!(!report.crossfade, "a value edit, not a structural one");
    [before, render(audio, 2_400, buffer)]
}

#[test]
fn a_value_edit_glides_over_the_fade_instead_of_stepping() {
    let (mut controller, mut audio) = engine();
    let [before, after] = gain_edit(&mut controller, &mut audio, 256);
    // The sine's own largest step at gain 0.5 (0.5 · 2π · 110 / 48 000 = 0.0072).
    let own = largest_step(&before[BEFORE - 2_000..]);
    let mut edit = vec![*before.last().unwrap()];
    edit.extend(&after[..1_200]);
    let ratio = largest_step(&edit) / own;
    println!("glide: largest step {ratio:.3}× the sine's own");
    assert!(ratio < 1.3, "largest step {ratio}× the signal's own");

    // Its shape: the gain ramps linearly from 0.5 to 0.2 over 960 samples, sample `k` of
    // the edit at `0.5 - 0.3 · (k + 1) / 960`, against the same sine at gain 1.
    let (mut unit, mut reference) = engine();
    unit.load_patch(sine_at(1.0)).unwrap();
    let sine = render(&mut reference, BEFORE + 2_400, 256);
    for (k, &sample) in after.iter().enumerate() {
        let gain = 0.5 - 0.3 * ((k + 1).min(960) as f32 / 960.0);
        let expected = sine[BEFORE + k] * gain;
        assert!(
            (sample - expected).abs() < 1e-6,
            "sample {k}: {sample}, gain {gain} gives {expected}"
        );
    }

    // The same edit at a fade of 0 steps, as every edit did before: the measure can fail.
    let (mut stepping, mut audio) = engine();
    stepping.set_fade(0.0).unwrap();
    let [before, after] = gain_edit(&mut stepping, &mut audio, 256);
    let mut edit = vec![*before.last().unwrap()];
    edit.extend(&after[..1_200]);
    let stepped = largest_step(&edit) / own;
    println!("step: largest step {stepped:.3}× the sine's own");
    assert!(stepped > 10.0, "a step of {stepped}×");
}

#[test]
fn a_glide_is_the_same_bits_at_any_host_buffer_and_allocates_nothing() {
    let runs: Vec<Vec<f32>> = [64, 256, 1_024]
        .into_iter()
        .map(|buffer| {
            let (mut controller, mut audio) = engine();
            controller.load_patch(sine_at(0.5)).unwrap();
            let mut out = render(&mut audio, BEFORE, buffer);
            controller.load_patch(sine_at(0.2)).unwrap();
            let (after, counts) = counted(|| render(&mut audio, 2_048, buffer));
            assert_eq!(
                (counts.allocations, counts.frees),
                (1, 0),
                "the output vector only"
            );
            out.extend(after);
            out
        })
        .collect();
    let bits = |run: &Vec<f32>| run.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&runs[0]), bits(&runs[1]));
    assert_eq!(bits(&runs[0]), bits(&runs[2]));
}

/// `ctl.quantize` of note 61 to the major scale on root `root`, its input held by an event
/// so the node is not folded.
fn quantized(root: f64) -> Patch {
    PatchBuilder::new()
        .node(
            "q",
            "ctl.quantize",
            &[("in", 61.0), ("scale", 1.0), ("root", root)],
        )
        .node("out", "output", &[])
        .connect(("q", "out"), ("out", "in"))
        .build()
}

#[test]
fn a_whole_number_jumps_to_its_new_value() {
    let (mut controller, mut audio) = engine();
    controller.load_patch(quantized(0.0)).unwrap();
    controller
        .set_param("q", "in", 61.0, patchvm::engine::At::Now)
        .unwrap();
    // Held by the event, the node is compiled again as a kernel: a crossfade of 960 samples
    // from the folded constant to it, 60 on both sides.
    let before = render(&mut audio, 2_048, 64);
    // C major: C♯ (61) is half way between C and D, and ties go down.
    assert!(before.iter().all(|&x| x == 60.0), "{:?}", &before[..4]);
    controller.load_patch(quantized(1.0)).unwrap();
    let after = render(&mut audio, 256, 64);
    // C♯ major has C♯: from the edit's first sample on, not after a glide through 0.5.
    assert!(after.iter().all(|&x| x == 61.0), "{:?}", &after[..4]);
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
fn a_structural_crossfade_lasts_the_fade_time_at_any_host_buffer() {
    let runs: Vec<Vec<f32>> = [64, 256, 1_024]
        .into_iter()
        .map(|buffer| {
            let (mut controller, mut audio) = engine();
            controller.set_fade(10.0).unwrap();
            controller.load_patch(constant("a", 0.25)).unwrap();
            render(&mut audio, 1_024, buffer);
            assert!(
                controller
                    .load_patch(constant("b", 0.75))
                    .unwrap()
                    .crossfade
            );
            let (out, counts) = counted(|| render(&mut audio, 2_048, buffer));
            assert_eq!(
                (counts.allocations, counts.frees),
                (1, 0),
                "the output vector only"
            );
            out
        })
        .collect();
    // 10 ms at 48 kHz: 480 samples, sample `k` at `0.25 + 0.5 · (k + 1) / 480`.
    let fade = 480;
    for (k, &sample) in runs[0][..fade].iter().enumerate() {
        let expected = 0.25 + 0.5 * (k + 1) as f32 / fade as f32;
        assert!(
            (sample - expected).abs() < 1e-6,
            "sample {k}: {sample}, a linear fade gives {expected}"
        );
    }
    assert!(
        runs[0][fade..].iter().all(|&x| x == 0.75),
        "then the new level"
    );
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[0], runs[2]);
}

/// A 110 Hz sine into the output, straight or through a gain of 1.
fn sine_path(through_gain: bool) -> Patch {
    if through_gain {
        return sine_at(1.0);
    }
    PatchBuilder::new()
        .node("osc", "osc.sine", &[("freq", 110.0)])
        .node("out", "output", &[])
        .connect(("osc", "out"), ("out", "in"))
        .build()
}

/// The rule for crossfades: linear (equal gain). Where the old and new sides carry the same
/// signal (here a gain of 1 taken out of the path), a linear fade keeps every sample of it;
/// equal power would swell it by up to √2 (3 dB) half way through the fade.
#[test]
fn a_crossfade_between_correlated_sides_keeps_the_level() {
    let (mut controller, mut audio) = engine();
    controller.load_patch(sine_path(true)).unwrap();
    let mut out = render(&mut audio, BEFORE, 256);
    assert!(controller.load_patch(sine_path(false)).unwrap().crossfade);
    out.extend(render(&mut audio, 2_000, 256));
    let (mut plain, mut reference) = engine();
    plain.load_patch(sine_path(false)).unwrap();
    let sine = render(&mut reference, BEFORE + 2_000, 256);
    assert_eq!(out, sine, "the fade from a signal to itself is that signal");
}

/// A 440 Hz sine through gain `g` into delay `d` of module `delay` (10 ms: 480 samples) at
/// level 0.5 (`feedback` or `gain`), into the output.
fn echo(delay: &str) -> Patch {
    let level = if delay == "delay.feedback" {
        "feedback"
    } else {
        "gain"
    };
    let mut settings = vec![("time", 0.01), (level, 0.5)];
    if delay == "delay.feedback" {
        settings.push(("mix", 1.0));
    }
    PatchBuilder::new()
        .node("osc", "osc.sine", &[("freq", 440.0)])
        .node("g", "gain", &[("amp", 1.0)])
        .node("d", delay, &settings)
        .node("out", "output", &[])
        .connect(("osc", "out"), ("g", "in"))
        .connect(("g", "out"), ("d", "in"))
        .connect(("d", "out"), ("out", "in"))
        .build()
}

/// A sine into an echo, muted at sample 1 000; with `edit`, the echo's module changes to
/// `delay.comb` at sample 1 200. Samples 1 200..1 680.
fn echo_after(edit: bool) -> (Vec<f32>, Vec<String>) {
    let (mut controller, mut audio) = engine();
    controller.load_patch(echo("delay.feedback")).unwrap();
    render(&mut audio, 1_000, 100);
    controller
        .set_param("g", "amp", 0.0, patchvm::engine::At::Now)
        .unwrap();
    render(&mut audio, 200, 100);
    let mut copied = Vec::new();
    if edit {
        let report = controller.load_patch(echo("delay.comb")).unwrap();
        copied = report.copied.iter().map(|id| id.to_string()).collect();
    }
    (render(&mut audio, 480, 100), copied)
}

/// `delay.feedback` → `delay.comb` on one node keeps the line: the echo of what went in
/// before the edit comes out of the comb (`0.5·x[n-D]`) as the feedback delay would have
/// played it (`0.5·y[n-D]`, its line holding `y`), sample for sample, for the line's length.
#[test]
fn a_delay_changed_into_a_comb_keeps_its_echo() {
    let (kept, copied) = echo_after(true);
    let (reference, _) = echo_after(false);
    assert_eq!(copied, ["d"], "the comb copies the delay's line");
    assert!(
        reference.iter().fold(0.0_f32, |p, x| p.max(x.abs())) > 0.3,
        "the echo sounds in this window"
    );
    for (n, (&got, &expected)) in kept.iter().zip(&reference).enumerate() {
        assert!(
            (got - expected).abs() < 1e-4,
            "sample {}: {got}, the echo plays {expected}",
            1_200 + n
        );
    }
}

/// Oscillator `o` of module `osc` at 1 000 Hz (48 samples a period) into the output.
fn oscillator(osc: &str) -> Patch {
    PatchBuilder::new()
        .node("o", osc, &[("freq", 1_000.0)])
        .node("out", "output", &[])
        .connect(("o", "out"), ("out", "in"))
        .build()
}

/// `osc.sine` → `osc.triangle` on one node keeps the phase: 1 000 samples of the sine
/// (20 5/6 periods), then (a change of module, so crossfaded over the 960-sample fade) the
/// triangle that comes out of the fade is at the phase the sine would have reached, as
/// computed by hand (`4φ` up to a quarter turn, `2 - 4φ` to three quarters, `4φ - 4` after),
/// at any buffer. A triangle started cold would be 40 samples (5/6 of a period) behind.
#[test]
fn a_sine_changed_into_a_triangle_starts_at_the_sine_s_phase() {
    for buffer in [64, 256, 1_024] {
        let (mut controller, mut audio) = engine();
        controller.load_patch(oscillator("osc.sine")).unwrap();
        render(&mut audio, 1_000, buffer);
        let report = controller.load_patch(oscillator("osc.triangle")).unwrap();
        let copied: Vec<String> = report.copied.iter().map(|id| id.to_string()).collect();
        assert_eq!(copied, ["o"], "the triangle copies the sine's phase");
        let out = render(&mut audio, 1_152, buffer);
        for (n, &got) in out.iter().enumerate().skip(1_056) {
            let phase = ((1_000 + n) % 48) as f64 / 48.0;
            let expected = if phase < 0.25 {
                4.0 * phase
            } else if phase < 0.75 {
                2.0 - 4.0 * phase
            } else {
                4.0 * phase - 4.0
            };
            assert!(
                (f64::from(got) - expected).abs() < 1e-5,
                "buffer {buffer}, sample {}: {got}, the triangle at phase {phase} is {expected}",
                1_000 + n
            );
        }
    }
}
