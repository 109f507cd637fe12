//! Several instruments, measured: note streams play chords polyphonically through a
//! template's note slots (every note's frequency found in the samples, a fourth note on three
//! voices stealing the oldest, the same samples at every block size), MIDI reaches templates
//! by channel, templates' channels, voice counts and names are checked, and the three formats
//! carry several templates losslessly.

use patchvm::Settings;
use patchvm::engine::{At, Frames};
use patchvm::ir::notes::{LANE_PORTS, NOTE_LANES};
use patchvm::ir::voices::{expand, slot_id};
use patchvm::ir::{Catalog, Code, Format, Limits, ModuleSpec, OutputSpec, Part, Patch, Role, Unit};
use patchvm::midi::{Playback, file};
use patchvm_tests::live::{mono_with_voices as engine, render};
use patchvm_tests::measure::{channel, spectral_peaks};
use patchvm_tests::smf::{Track, file as smf};
use patchvm_tests::{diagnose, render_with};

const SR: f64 = 48_000.0;

/// Four lanes driven by ordinary modules: notes 57, 64 and 69 from sample 0, note 76 from
/// 0.1 s (4800 samples, a delayed constant), into a three-voice template of sines.
const CHORD: &str = r#"(patch
  (nodes
    (p0 (type "const") (value 57))
    (p1 (type "const") (value 64))
    (p2 (type "const") (value 69))
    (p3 (type "const") (value 76))
    (on (type "const") (value 1))
    (later (type "delay") (time 0.1))
    (mix (type "gain") (amp 0.25))
    (out (type "output")))
  (connections
    (p0 "out" -> pad "notes0.pitch")
    (on "out" -> pad "notes0.gate")
    (p1 "out" -> pad "notes1.pitch")
    (on "out" -> pad "notes1.gate")
    (p2 "out" -> pad "notes2.pitch")
    (on "out" -> pad "notes2.gate")
    (p3 "out" -> pad "notes3.pitch")
    (on "out" -> later "in")
    (later "out" -> pad "notes3.gate")
    (pad "out" -> mix "in")
    (mix "out" -> out "in"))
  (voice pad
    (voices 3)
    (nodes
      (osc (type "osc.sine"))
      (vca (type "mul")))
    (connections
      (osc "out" -> vca "a"))
    (inputs
      (freq osc "freq")
      (gate vca "b"))
    (outputs
      (out vca "out"))))
"#;

fn read(text: &str) -> Patch {
    Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .unwrap()
}

/// The frequency of MIDI note `note` at A4 = 440 Hz.
fn hz(note: f64) -> f64 {
    440.0 * ((note - 69.0) / 12.0).exp2()
}

/// The `count` strongest frequencies between 100 and 1000 Hz, rising, each with its level.
fn strongest(samples: &[f32], count: usize) -> Vec<(f64, f64)> {
    let mut peaks = spectral_peaks(samples, SR, 100.0, 1_000.0, count);
    peaks.sort_by(|a, b| a.0.total_cmp(&b.0));
    peaks
}

fn assert_notes(peaks: &[(f64, f64)], notes: &[f64], level: f64) {
    assert_eq!(peaks.len(), notes.len(), "{peaks:?}");
    for (&(found, amplitude), &note) in peaks.iter().zip(notes) {
        assert!(
            (found - hz(note)).abs() < 0.05,
            "{found} Hz for note {note}: {peaks:?}"
        );
        assert!((amplitude - level).abs() < 0.01, "{peaks:?}");
    }
}

#[test]
fn a_chord_on_a_note_stream_sounds_every_note_and_a_fourth_steals_the_oldest() {
    let patch = read(CHORD);
    let samples = render_with(&patch, 9_600, 64, &Settings::default());
    // Before 4800: the three notes, each a sine at the mix's 0.25.
    assert_notes(
        &strongest(&samples[1_200..4_800], 3),
        &[57.0, 64.0, 69.0],
        0.25,
    );
    // After: 76 took voice 0 from 57, the oldest note (lanes start in order on one sample).
    let after = &samples[6_000..9_600];
    assert_notes(&strongest(after, 3), &[64.0, 69.0, 76.0], 0.25);
    let gone = spectral_peaks(after, SR, hz(57.0) - 2.0, hz(57.0) + 2.0, 1);
    assert!(
        gone.iter().all(|p| p.1 < 0.01),
        "220 Hz still sounds: {gone:?}"
    );
}

#[test]
fn voice_assignment_is_the_same_at_every_block_size() {
    let patch = read(CHORD);
    let whole = render_with(&patch, 9_600, 64, &Settings::default());
    for block in [1, 7, 33] {
        let cut = render_with(&patch, 9_600, block, &Settings::default());
        assert!(whole == cut, "block {block} differs");
    }
    // The host's voice count does not change a template that sets its own.
    let many = Settings {
        voices: 16,
        ..Settings::default()
    };
    assert!(whole == render_with(&patch, 9_600, 64, &many));
}

/// A catalog with every module and one that emits a note stream, `test.notes`.
fn with_stream_module() -> Catalog {
    static OUTPUTS: std::sync::OnceLock<Vec<OutputSpec>> = std::sync::OnceLock::new();
    let outputs = OUTPUTS.get_or_init(|| {
        LANE_PORTS
            .iter()
            .flatten()
            .map(|&name| OutputSpec {
                name,
                doc: "a lane",
                unit: Unit::Signal,
            })
            .collect()
    });
    let real = patchvm::modules::catalog();
    let mut specs: Vec<ModuleSpec> = real.modules().to_vec();
    specs.push(ModuleSpec {
        name: "test.notes",
        doc: "a note stream",
        inputs: &[],
        outputs,
        role: Role::Kernel,
    });
    let mut catalog = Catalog::new(specs);
    for module in real.modules() {
        if let Some(part) = real.part(module.name) {
            catalog = catalog.with_part(module.name, part);
        }
    }
    catalog
}

#[test]
fn a_whole_stream_reaches_every_lane_of_every_voice_s_slot() {
    let text = CHORD
        .replace(
            r#"(p0 (type "const") (value 57))"#,
            r#"(seq (type "test.notes")) (p0 (type "const") (value 57))"#,
        )
        .replace(
            r#"(p3 "out" -> pad "notes3.pitch")"#,
            r#"(seq "notes" -> pad "notes")"#,
        );
    let catalog = with_stream_module();
    let patch = read(&text);
    let (flat, problems) = expand(&patch, &catalog, 8);
    assert!(problems.is_empty(), "{problems:#?}");
    for voice in 0..3 {
        let slot = slot_id("pad", voice);
        let node = flat.node(&slot).unwrap();
        assert_eq!(node.module.text, "voice.slot");
        let from_seq: Vec<(&str, &str)> = flat
            .connections
            .iter()
            .filter(|c| c.to.node.text == slot && c.from.node.text == "seq")
            .map(|c| (c.from.port.text.as_str(), c.to.port.text.as_str()))
            .collect();
        let lanes: Vec<(&str, &str)> = LANE_PORTS.iter().flatten().map(|&p| (p, p)).collect();
        assert_eq!(from_seq, lanes, "voice {voice}");
        assert_eq!(from_seq.len(), 2 * NOTE_LANES);
        // The slot plays the template's `freq` and `gate` in its own voice only.
        let played: Vec<(&str, String)> = flat
            .connections
            .iter()
            .filter(|c| c.from.node.text == slot)
            .map(|c| (c.from.port.text.as_str(), c.to.node.text.clone()))
            .collect();
        assert_eq!(
            played,
            [
                ("freq", format!("pad/{voice}/osc")),
                ("gate", format!("pad/{voice}/vca"))
            ]
        );
    }
    assert!(
        flat.node("pad/freq").is_none(),
        "no shared node for a slot's input"
    );
    patchvm::ir::validate_with(&patch, &catalog, &Limits::default(), 8).unwrap();
}

/// Two instruments: `lead` (sines) on channel 1 to the left, `bass` (sines) on channel 2 to
/// the right.
const DUO: &str = r#"(patch
  (nodes
    (high (type "gain") (amp 0.25))
    (low (type "gain") (amp 0.25))
    (out (type "output")))
  (connections
    (lead "out" -> high "in")
    (high "out" -> out "left")
    (bass "out" -> low "in")
    (low "out" -> out "right"))
  (voice lead
    (channel 1)
    (nodes
      (note (type "voice"))
      (osc (type "osc.sine"))
      (vca (type "mul")))
    (connections
      (note "pitch" -> osc "freq")
      (osc "out" -> vca "a")
      (note "gate" -> vca "b"))
    (outputs
      (out vca "out")))
  (voice bass
    (channel 2)
    (voices 2)
    (nodes
      (note (type "voice"))
      (osc (type "osc.sine"))
      (vca (type "mul")))
    (connections
      (note "pitch" -> osc "freq")
      (osc "out" -> vca "a")
      (note "gate" -> vca "b"))
    (outputs
      (out vca "out"))))
"#;

#[test]
fn midi_reaches_each_instrument_on_its_own_channel() {
    // Channel 1 (status 0x90) plays 69 and 76; channel 2 (0x91) plays 45; 96 ticks a quarter
    // at 0.5 s, from tick 0 for half a second.
    let song = Track::new()
        .event(0, &[0x90, 69, 127])
        .event(0, &[0x90, 76, 127])
        .event(0, &[0x91, 45, 127])
        .event(96, &[0x80, 69, 0])
        .event(0, &[0x80, 76, 0])
        .event(0, &[0x81, 45, 0])
        .end(0);
    let song = file::read(&smf(0, 96, &[song]), SR).unwrap();
    let settings = Settings::default();
    let mut playback = Playback::new(read(DUO), &settings, &Limits::default(), song).unwrap();
    let mut out = vec![0.0; 2 * 19_200];
    playback.render(&[], 0, &mut out);
    let (left, right) = (channel(&out, 2, 0), channel(&out, 2, 1));
    let (left, right) = (&left[2_400..19_200], &right[2_400..19_200]);
    assert_notes(&strongest(left, 2), &[69.0, 76.0], 0.25);
    let bass = spectral_peaks(right, SR, 50.0, 1_000.0, 1);
    assert!(
        (bass[0].0 - hz(45.0)).abs() < 0.05 && (bass[0].1 - 0.25).abs() < 0.01,
        "{bass:?}"
    );
    // Neither hears the other's notes.
    let level_near = |samples: &[f32], note: f64| {
        spectral_peaks(samples, SR, hz(note) - 2.0, hz(note) + 2.0, 1)
            .first()
            .map_or(0.0, |p| p.1)
    };
    assert!(level_near(left, 45.0) < 0.01);
    assert!(level_near(right, 69.0) < 0.01 && level_near(right, 76.0) < 0.01);
}

#[test]
fn notes_without_a_channel_reach_every_instrument_and_a_channel_only_its_own() {
    let (mut controller, mut audio) = engine(4);
    controller
        .load_patch(read(&DUO.replace("(channel 1)", "")))
        .unwrap();
    // The API's note reaches both templates (lead takes every channel now, bass channel 2).
    controller.note_on(57, 127, At::Sample(0)).unwrap();
    assert_eq!(controller.active_voices(), 2);
    // Channel 3 reaches the lead alone; channel 2 both.
    controller.midi(&[0x92, 60, 127], At::Sample(0)).unwrap();
    assert_eq!(controller.active_voices(), 3);
    controller.midi(&[0x91, 62, 127], At::Sample(0)).unwrap();
    assert_eq!(controller.active_voices(), 5);
    // Channel 2's note off releases both templates' 62 and nothing else.
    controller.midi(&[0x81, 62, 0], At::Sample(0)).unwrap();
    assert_eq!(controller.active_voices(), 3);
    // Held: the lead's 57 and 60 on the left, the bass's 57 on the right, at 0.25 each; the
    // mono engine plays (left + right) / 2.
    let played = render(&mut audio, 9_600);
    let peaks = strongest(&played[2_400..], 2);
    assert_notes(&peaks[..1], &[57.0], 0.25);
    assert_notes(&peaks[1..], &[60.0], 0.125);
}

#[test]
fn several_templates_survive_every_format() {
    let patch = read(DUO);
    assert_eq!(patch.voices.len(), 2);
    assert_eq!(patch.voices[0].channel.map(|n| n.value), Some(1.0));
    assert_eq!(patch.voices[1].voice_count.map(|n| n.value), Some(2.0));
    let plain = patch.clone().without_spans();
    for format in [Format::Sexpr, Format::Json, Format::MessagePack] {
        let written = format.write(&patch);
        let again = format.read(&written, &Limits::default()).unwrap();
        assert_eq!(again.without_spans(), plain, "{format:?}");
    }
    // A file from before several templates, `"voice": { ... }`, reads as its one template.
    let mut one = patch.clone();
    one.voices.truncate(1);
    let json = String::from_utf8(Format::Json.write(&one)).unwrap();
    let old = unwrap_voices(&json);
    assert!(
        old.contains("\"voice\"") && !old.contains("\"voices\""),
        "{old}"
    );
    let read_old = Format::Json.read(old.as_bytes(), &Limits::default());
    let read_old = read_old.unwrap_or_else(|e| panic!("{old}\n{e:#?}"));
    assert_eq!(read_old.without_spans(), one.without_spans());
}

/// `json` with its `"voices": [T]` written the old way, `"voice": T`.
fn unwrap_voices(json: &str) -> String {
    let key = json.find("\"voices\"").unwrap();
    let open = key + json[key..].find('[').unwrap();
    let mut depth = 0;
    let close = (open..json.len())
        .find(|&i| {
            match json.as_bytes()[i] {
                b'[' => depth += 1,
                b']' => depth -= 1,
                _ => {}
            }
            depth == 0
        })
        .unwrap();
    format!(
        "{}\"voice\"{}{}{}",
        &json[..key],
        &json[key + "\"voices\"".len()..open],
        &json[open + 1..close],
        &json[close + 1..]
    )
}

/// The one diagnostic `text` compiles with: its code and the text its span covers.
fn problem(text: &str) -> (Code, String, String) {
    let problems = diagnose(text.as_bytes(), Format::Sexpr);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let problem = &problems[0];
    (
        problem.code,
        text[problem.primary.span.start as usize..problem.primary.span.end as usize].to_owned(),
        problem.message.clone(),
    )
}

#[test]
fn channels_voice_counts_names_and_streams_are_checked_at_their_text() {
    let cases = [
        (
            DUO.replace("(channel 2)", "(channel 17)"),
            "17",
            "`channel` of voice template `bass`",
        ),
        (
            DUO.replace("(channel 2)", "(channel 1.5)"),
            "1.5",
            "`channel`",
        ),
        (
            DUO.replace("(voices 2)", "(voices 0)"),
            "0",
            "`voices` of voice template `bass`",
        ),
        (
            DUO.replace("(voice bass", "(voice lead")
                .replace(r#"(bass "out" -> low "in")"#, r#"(lead "out" -> low "in")"#),
            "lead",
            "two voice templates are named `lead`",
        ),
        (
            CHORD.replace(
                r#"(p3 "out" -> pad "notes3.pitch")"#,
                r#"(p3 "out" -> pad "notes")"#,
            ),
            "\"out\"",
            "output `out` of `p3` is not a note stream",
        ),
        (
            CHORD.replace(
                r#"(mix "out" -> out "in"))"#,
                r#"(mix "out" -> out "in") (p3 "out" -> pad "freq"))"#,
            ),
            "\"freq\"",
            "input `freq` of voice template `pad` is played by its note stream",
        ),
        (
            CHORD.replace(
                "(gate vca \"b\"))",
                "(gate vca \"b\") (notes osc \"freq\"))",
            ),
            "notes",
            "voice template `pad` declares a port named `notes`",
        ),
    ];
    for (text, spanned, message) in cases {
        let (code, at, said) = problem(&text);
        assert_eq!(code, Code::Notes, "{said}");
        assert_eq!(code.as_str(), "E0117");
        assert_eq!(at, spanned, "{said}");
        assert!(said.contains(message), "{said}");
        assert!(!said.ends_with('.'));
    }
}

#[test]
fn a_template_s_own_voice_count_wins_over_the_host_s() {
    let patch = read(DUO);
    let catalog = patchvm::modules::catalog();
    let (flat, _) = expand(&patch, catalog, 5);
    let copies = |template: &str| {
        flat.nodes
            .iter()
            .filter(|n| {
                n.id.text.starts_with(&format!("{template}/")) && n.id.text.ends_with("/osc")
            })
            .count()
    };
    assert_eq!((copies("lead"), copies("bass")), (5, 2));
    assert!(Part::NoteSlot == catalog.part("voice.slot").unwrap());
}
