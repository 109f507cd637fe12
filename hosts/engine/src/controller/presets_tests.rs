//! Presets measured from samples: a round trip restores every value bit for bit, all values
//! of a load land on one sample (the bar line's), nothing allocates on the audio thread while
//! they do, and bad names, corrupt files and vanished inputs are refused or reported.

use super::*;
use crate::{At, AudioHalf, Engine, EngineSettings};
use assert_no_alloc::assert_no_alloc;
use patchvm_ir::{Format, Limits};
use patchvm_vm::Quantize;
use std::path::PathBuf;

/// `a` and `b` gain the transport's `playing` (1 while it plays), summed on one channel: the
/// output is `a.amp + b.amp` on every sample, so a value landing alone shows as a sum of
/// one old and one new value.
fn patch(a: f64, b: f64) -> String {
    format!(
        r#"(patch
  (nodes (clk (type "clock")) (a (type "gain") (amp {a})) (b (type "gain") (amp {b}))
         (out (type "output")))
  (connections (clk "playing" -> a "in") (clk "playing" -> b "in")
               (a "out" -> out "in") (b "out" -> out "in")))"#
    )
}

/// A mono engine playing `text`, its presets kept in `folder`.
fn engine(text: &str, folder: &PathBuf) -> (Controller, AudioHalf) {
    let settings = EngineSettings {
        channels: 1,
        ..EngineSettings::default()
    };
    let (mut controller, audio) = Engine::new(settings, Limits::default());
    controller.set_folder(folder);
    controller
        .load_text(text.as_bytes(), Format::Sexpr)
        .unwrap();
    (controller, audio)
}

/// The next `frames` samples, rendered in host calls of `chunk`, none of them allocating.
fn render(audio: &mut AudioHalf, frames: usize, chunk: usize) -> Vec<f32> {
    let mut samples = vec![0.0; frames];
    for part in samples.chunks_mut(chunk) {
        assert_no_alloc(|| audio.process(part));
    }
    samples
}

/// A fresh folder for one test's presets.
fn folder(name: &str) -> PathBuf {
    let folder =
        std::env::temp_dir().join(format!("patchvm-presets-{name}-{}", std::process::id()));
    let _absent = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

#[test]
fn a_preset_round_trip_restores_every_value_bit_for_bit() {
    let folder = folder("round-trip");
    let (mut saver, mut audio) = engine(&patch(0.5, 0.25), &folder);
    render(&mut audio, 256, 64);
    // One value from the patch (b's), one set by an event since (a's).
    saver.set_param("a", "amp", 0.3, At::Now).unwrap();
    render(&mut audio, 256, 64);
    let path = saver.save_preset("warm").unwrap();
    assert_eq!(path, folder.join("warm.preset.json"));
    let saved = saver.preset().unwrap();
    let amp = |node: &str| {
        saved
            .values
            .iter()
            .find(|v| v.node == node && v.input == "amp")
    };
    assert_eq!(amp("a").map(|v| v.value), Some(f64::from(0.3_f32)));
    assert_eq!(amp("b").map(|v| v.value), Some(0.25));

    // Another engine, other values: after the load, one second equals the patch written
    // with the preset's values, sample for sample.
    let (mut loader, mut loaded) = engine(&patch(0.0625, 0.75), &folder);
    let before = render(&mut loaded, 1_000, 100);
    assert!(before.iter().all(|&x| x == 0.0625 + 0.75));
    let done = loader.load_preset("warm", RecallAt::Now).unwrap();
    assert!(done.skipped.is_empty());
    let after = render(&mut loaded, 48_000, 100);
    let (_, mut reference) = engine(&patch(f64::from(0.3_f32), 0.25), &folder);
    let expected = render(&mut reference, 48_000, 100);
    assert_eq!(expected[0], 0.3_f32 + 0.25);
    assert!(
        after
            .iter()
            .zip(&expected)
            .all(|(x, y)| x.to_bits() == y.to_bits())
    );
    // The patch playing holds the values, as a saved patch would.
    assert_eq!(loader.preset().unwrap(), saved);
}

#[test]
fn every_value_of_a_preset_lands_on_the_bar_line_without_allocating() {
    let folder = folder("bar-line");
    let preset = Preset {
        format: PRESET_FORMAT.to_owned(),
        version: PRESET_VERSION,
        values: vec![
            PresetValue {
                node: "a".into(),
                input: "amp".into(),
                value: 0.125,
            },
            PresetValue {
                node: "b".into(),
                input: "amp".into(),
                value: 1.0,
            },
        ],
    };
    let bytes = serde_json::to_vec(&preset).unwrap();
    std::fs::write(folder.join("up.preset.json"), bytes).unwrap();
    let (mut controller, mut audio) = engine(&patch(0.5, 0.25), &folder);
    let mut samples = render(&mut audio, 10_000, 64);
    controller
        .load_preset("up", RecallAt::Grid(Quantize::Bars(1)))
        .unwrap();
    // 120 BPM in 4/4 at 48 kHz: the bar line is sample 96 000; rendered in odd chunks.
    samples.extend(render(&mut audio, 110_000, 777));
    assert!(samples[..96_000].iter().all(|&x| x == 0.5 + 0.25));
    assert!(samples[96_000..].iter().all(|&x| x == 0.125 + 1.0));
}

#[test]
fn bad_names_corrupt_files_and_vanished_inputs_are_refused_or_reported() {
    let folder = folder("refused");
    let (mut controller, _audio) = engine(&patch(0.5, 0.25), &folder);
    for name in ["../escape", "a b", "", "x.json"] {
        let error = controller.save_preset(name).unwrap_err();
        assert!(matches!(error, PresetError::Name(_)), "{name}");
        assert_eq!(
            error.to_string(),
            format!("`{name}` is no preset name; expected letters, digits, `-` and `_` only")
        );
    }
    assert!(matches!(
        controller.load_preset("../escape", RecallAt::Now),
        Err(PresetError::Name(_))
    ));
    let file = |name: &str, text: &str| {
        std::fs::write(folder.join(format!("{name}.preset.json")), text).unwrap()
    };
    file("corrupt", "{\"format\": \"patchvm-preset\", \"vers");
    file(
        "other",
        r#"{"format": "patchvm-snapshot", "version": 1, "values": []}"#,
    );
    file(
        "future",
        r#"{"format": "patchvm-preset", "version": 9, "values": []}"#,
    );
    let refused = |controller: &mut Controller, name: &str| match controller
        .load_preset(name, RecallAt::Now)
        .unwrap_err()
    {
        PresetError::File(reason) => reason,
        other => panic!("{name}: {other:?}"),
    };
    let shown = folder.join("corrupt.preset.json").display().to_string();
    assert!(
        refused(&mut controller, "corrupt").starts_with(&format!("`{shown}` is not a preset: "))
    );
    assert!(
        refused(&mut controller, "other")
            .ends_with("its format is `patchvm-snapshot`; expected `patchvm-preset`")
    );
    assert!(refused(&mut controller, "future").ends_with("its version is 9; expected 1"));
    assert!(refused(&mut controller, "missing").starts_with("cannot read `"));
    // A value of a node the patch no longer has is skipped and named; the others land.
    file(
        "old",
        r#"{"format": "patchvm-preset", "version": 1, "values": [
            {"node": "gone", "input": "amp", "value": 1},
            {"node": "a", "input": "nope", "value": 1},
            {"node": "b", "input": "amp", "value": 0.5}]}"#,
    );
    let done = controller.load_preset("old", RecallAt::Now).unwrap();
    assert_eq!(done.skipped, ["gone.amp", "a.nope"]);
    let b = controller.preset().unwrap();
    assert!(
        b.values
            .iter()
            .any(|v| v.node == "b" && v.input == "amp" && v.value == 0.5)
    );
}
