//! Structural edits through transitions, measured: edits inside a voice template while a
//! chord is held (insert, reorder, remove; undo and redo) keep every voice sounding without a
//! click, notes played during a transition land, and a node that is reordered or changes
//! module keeps the value events gave its slot. Found in review; kept as tests.

use patchvm::engine::{At, AudioHalf, Controller};
use patchvm::ir::{Format, PatchBuilder};
use patchvm_tests::live::{mono, mono_with_voices, render};
use patchvm_tests::measure::{largest_step, peak, rms, spectral_peaks};

const SYNTH: &str = include_str!("../../../patches/poly-synth.lisp");

fn engine() -> (Controller, AudioHalf) {
    mono_with_voices(32)
}

fn hz(note: u8) -> f64 {
    440.0 * 2f64.powf((f64::from(note) - 69.0) / 12.0)
}

/// The three strongest peaks between 200 and 450 Hz, sorted by frequency.
fn chord(samples: &[f32]) -> Vec<(f64, f64)> {
    let mut peaks = spectral_peaks(samples, 48_000.0, 200.0, 450.0, 3);
    peaks.sort_by(|a, b| a.0.total_cmp(&b.0));
    peaks
}

fn check_chord(label: &str, samples: &[f32]) {
    let peaks = chord(samples);
    println!("{label}: peaks {peaks:?} rms {:.4}", rms(samples));
    for (note, &(f, a)) in [60u8, 64, 67].iter().zip(&peaks) {
        assert!(
            (f - hz(*note)).abs() < 1.0 && a > 1e-3,
            "{label}: note {note} ({:.2} Hz) not sounding: {peaks:?}",
            hz(*note)
        );
    }
}

/// Holds C-E-G, swaps to `edited` (then undo, redo), and measures each switch.
fn hold_and_edit(label: &str, edited: &str) {
    let (mut controller, mut audio) = engine();
    controller
        .load_text(SYNTH.as_bytes(), Format::Sexpr)
        .unwrap();
    for note in [60, 64, 67] {
        controller.note_on(note, 100, At::Sample(0)).unwrap();
    }
    let before = render(&mut audio, 24_000);
    check_chord(&format!("{label} before"), &before[12_000..]);
    let mut steps = vec![largest_step(&before[12_000..])];
    let mut levels = vec![rms(&before[12_000..])];
    let mut tail = before[before.len() - 200..].to_vec();
    for stage in ["edit", "undo", "redo"] {
        let report = match stage {
            "edit" => controller.load_text(edited.as_bytes(), Format::Sexpr),
            "undo" => controller.undo().map(Option::unwrap),
            _ => controller.redo().map(Option::unwrap),
        }
        .unwrap_or_else(|e| panic!("{label} {stage}: {e}"));
        println!(
            "{label} {stage}: crossfade {} copied {} added {} removed {}",
            report.crossfade,
            report.copied.len(),
            report.added.len(),
            report.removed.len()
        );
        let after = render(&mut audio, 24_000);
        check_chord(&format!("{label} {stage}"), &after[12_000..]);
        let step_after = largest_step(&after[12_000..]);
        let mut around = std::mem::take(&mut tail);
        around.extend_from_slice(&after[..400]);
        let jump = largest_step(&around);
        let own = steps.last().copied().unwrap().max(step_after);
        println!("{label} {stage}: jump {jump:.5} own steps {own:.5}");
        assert!(
            jump <= own * 1.25,
            "{label} {stage}: jump {jump} against the signal's own {own}"
        );
        steps.push(step_after);
        levels.push(rms(&after[12_000..]));
        tail = after[after.len() - 200..].to_vec();
    }
    println!("{label}: levels {levels:?}");
    assert_eq!(controller.active_voices(), 3, "{label}");
}

#[test]
fn inserting_a_filter_in_the_template_keeps_the_chord() {
    let edited = SYNTH
        .replace(
            "(touch (type \"mul\")))",
            "(touch (type \"mul\"))\n      (hp (type \"filter.highpass\") (cutoff 60)))",
        )
        .replace(
            "(lp \"out\" -> vca \"a\")",
            "(lp \"out\" -> hp \"in\")\n      (hp \"out\" -> vca \"a\")",
        );
    assert_ne!(edited, SYNTH);
    hold_and_edit("insert", &edited);
}

#[test]
fn reordering_two_template_nodes_keeps_the_chord() {
    // osc -> lp -> vca  becomes  osc -> vca -> lp: the union closes a cycle, both split.
    let edited = SYNTH
        .replace("(osc \"out\" -> lp \"in\")", "(osc \"out\" -> vca \"a\")")
        .replace("(lp \"out\" -> vca \"a\")", "(vca \"out\" -> lp \"in\")")
        .replace(
            "(vca \"out\" -> touch \"a\")",
            "(lp \"out\" -> touch \"a\")",
        );
    assert_ne!(edited, SYNTH);
    hold_and_edit("reorder", &edited);
}

#[test]
fn reordering_the_voice_node_chain_keeps_the_chord() {
    // `touch` (velocity) moved before the filter: osc -> touch -> lp -> vca.
    let edited = SYNTH
        .replace(
            "(osc \"out\" -> lp \"in\")",
            "(osc \"out\" -> touch \"a\")\n      (touch \"out\" -> lp \"in\")",
        )
        .replace("(vca \"out\" -> touch \"a\")", "")
        .replace("(out touch \"out\")", "(out vca \"out\")");
    assert_ne!(edited, SYNTH);
    hold_and_edit("move-touch", &edited);
}

#[test]
fn removing_a_template_node_keeps_the_chord() {
    // `sweep` removed: the cutoff no longer follows the envelope.
    let edited = SYNTH
        .replace("      (sweep (type \"mul\") (b 2500))                       ; the envelope's reach: 2500 Hz\n", "")
        .replace("(env \"out\" -> sweep \"a\")", "")
        .replace("(sweep \"out\" -> lp \"cutoff\")", "");
    assert!(!edited.contains("sweep"), "{edited}");
    hold_and_edit("remove", &edited);
}

/// A sine through `first` then `second` (a gain whose amp events set, and a clipper).
fn chain(first: &str, second: &str) -> patchvm::ir::Patch {
    PatchBuilder::new()
        .node("osc", "osc.sine", &[("freq", 440.0)])
        .node("g", "gain", &[("amp", 1.0)])
        .node("clip", "shape.tanh", &[("drive", 1.0)])
        .node("out", "output", &[])
        .connect(("osc", "out"), (first, "in"))
        .connect((first, "out"), (second, "in"))
        .connect((second, "out"), ("out", "in"))
        .build()
}

#[test]
fn reordering_a_node_keeps_the_value_events_gave_its_slot() {
    let (mut controller, mut audio) = mono();
    controller.load_patch(chain("g", "clip")).unwrap();
    controller.set_param("g", "amp", 0.1, At::Now).unwrap();
    let before = render(&mut audio, 4_800);
    println!("before: peak {}", peak(&before[1_000..]));
    let report = controller.load_patch(chain("clip", "g")).unwrap();
    println!("reorder: copied {:?}", report.copied);
    let during = render(&mut audio, 256);
    let after = render(&mut audio, 4_800);
    println!(
        "during: peak {} step {} / after: peak {}",
        peak(&during[..64]),
        largest_step(&during),
        peak(&after)
    );
    // tanh(0.1 sin) peaks ~0.0997; 0.1 tanh(sin) ~0.0762. amp back at 1 would give ~0.76.
    assert!(
        peak(&after) < 0.11,
        "the amp events set (0.1) was lost: peak {} after the reorder",
        peak(&after)
    );
    assert!(
        peak(&during) < 0.11,
        "the transition played the amp at its patch value: peak {}",
        peak(&during)
    );
}

/// A 1 kHz sine through `lp`, a filter of module `module` whose cutoff events set.
fn filtered(module: &str) -> patchvm::ir::Patch {
    PatchBuilder::new()
        .node("osc", "osc.sine", &[("freq", 1_000.0)])
        .node("lp", module, &[("cutoff", 20_000.0)])
        .node("out", "output", &[])
        .connect(("osc", "out"), ("lp", "in"))
        .connect(("lp", "out"), ("out", "in"))
        .build()
}

#[test]
fn a_module_change_carries_the_value_events_set_as_an_unfaded_switch_does() {
    // filter.lowpass -> filter.highpass at the same id: the unfaded path (`carried` against
    // the old program) carries `lp.cutoff` (same node input, same value in the patch).
    let (mut controller, mut audio) = mono();
    controller.load_patch(filtered("filter.lowpass")).unwrap();
    controller
        .set_param("lp", "cutoff", 100.0, At::Now)
        .unwrap();
    let before = render(&mut audio, 4_800);
    println!("lowpass at 100 Hz: peak {}", peak(&before[2_000..]));
    let report = controller.load_patch(filtered("filter.highpass")).unwrap();
    println!("crossfade {} copied {:?}", report.crossfade, report.copied);
    render(&mut audio, 256);
    let after = render(&mut audio, 4_800);
    // Highpass at 100 Hz passes 1 kHz (~1); at 20 kHz it would be ~0.
    println!("highpass after: peak {}", peak(&after[2_000..]));
    assert!(
        peak(&after[2_000..]) > 0.5,
        "the highpass plays at the patch's cutoff, not the 100 Hz events set"
    );
}

#[test]
fn notes_played_during_a_template_transition_land() {
    let (mut controller, mut audio) = engine();
    controller
        .load_text(SYNTH.as_bytes(), Format::Sexpr)
        .unwrap();
    for note in [60, 64] {
        controller.note_on(note, 100, At::Sample(0)).unwrap();
    }
    render(&mut audio, 12_000);
    let edited = SYNTH
        .replace("(osc \"out\" -> lp \"in\")", "(osc \"out\" -> vca \"a\")")
        .replace("(lp \"out\" -> vca \"a\")", "(vca \"out\" -> lp \"in\")")
        .replace(
            "(vca \"out\" -> touch \"a\")",
            "(lp \"out\" -> touch \"a\")",
        );
    controller
        .load_text(edited.as_bytes(), Format::Sexpr)
        .unwrap();
    let t = controller.time();
    // During the transition's block.
    controller.note_on(67, 100, At::Sample(t + 20)).unwrap();
    controller.note_off(60, At::Sample(t + 30)).unwrap();
    let out = render(&mut audio, 48_000);
    let peaks = chord(&out[24_000..]);
    println!("{peaks:?}");
    let near = |f: f64| peaks.iter().any(|p| (p.0 - f).abs() < 1.0 && p.1 > 0.02);
    assert!(near(hz(64)) && near(hz(67)), "{peaks:?}");
    assert!(!near(hz(60)), "60 was released: {peaks:?}");
}
