//! Patterns that play, measured from samples: `seq.pattern` onsets on a tempo map with a
//! ramp, a chord pattern through a note stream into a three-voice template (every frequency
//! found), words driving drums, a layer added live mid-bar landing on the grid of the one
//! playing, a quantised swap to a new pattern on the bar line, and the same onsets whatever
//! the host's buffers.

use patchvm::ir::transport::{Meter, TempoChange, TempoShape, Transport};
use patchvm::ir::{Edit, Format, Limits, Patch, Span};
use patchvm::vm::Quantize;
use patchvm::{Instance, Settings};
use patchvm_tests::live::{mono, render};
use patchvm_tests::measure::{rms, spectral_peaks};
use patchvm_tests::render_with;
use proptest::prelude::*;

const RATE: f64 = 48_000.0;

fn read(text: &str) -> Patch {
    Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .unwrap_or_else(|d| panic!("{d:?}"))
}

/// `seq.pattern` playing `pattern`, its output `port` to the output.
fn pattern(pattern: &str, port: &str) -> Patch {
    read(&format!(
        r#"(patch (nodes (seq (type "seq.pattern") (pattern "{pattern}")) (out (type "output")))
                  (connections (seq "{port}" -> out "in")))"#
    ))
}

/// The samples where `signal` is `value`.
fn at(signal: &[f32], value: f32) -> Vec<usize> {
    (0..signal.len()).filter(|&n| signal[n] == value).collect()
}

#[test]
fn at_137_bpm_with_a_ramp_every_quarter_note_lands_on_its_sample() {
    // As the clock's test: 137 BPM for four bars, then a ramp to 160 BPM at beat 32. Beat
    // k ≤ 16 at 60k/137 s; beat 16 + x τ s after beat 16, where 137τ + aτ²/2 = 60x.
    let change = |beat: f64, bpm: f64, shape: TempoShape| TempoChange {
        beat,
        bpm,
        shape,
        span: Span::NONE,
    };
    let transport = Transport {
        bpm: 137.0,
        meter: Meter { beats: 4, unit: 4 },
        tempo: vec![
            change(16.0, 137.0, TempoShape::Step),
            change(32.0, 160.0, TempoShape::Ramp),
        ],
        ..Transport::default()
    };
    let patch = Patch {
        transport: Some(transport),
        ..pattern("c3*4", "trig")
    };
    let t16 = 960.0 / 137.0;
    let ramp_seconds = 16.0 * 120.0 / (137.0 + 160.0);
    let a = 23.0 / ramp_seconds;
    let seconds = |k: f64| match k <= 16.0 {
        true => 60.0 * k / 137.0,
        false => t16 + (-137.0 + (137.0f64 * 137.0 + 120.0 * a * (k - 16.0)).sqrt()) / a,
    };
    let expected: Vec<usize> = (0..=32)
        .map(|k| (seconds(f64::from(k)) * RATE).ceil() as usize)
        .collect();
    assert_eq!(expected[1], 21_022);
    let mut instance = Instance::new(&patch, &Settings::default(), &Limits::default()).unwrap();
    let mut trig = vec![0.0; expected[32] + 1];
    instance.process_interleaved(&mut trig, 64);
    assert_eq!(at(&trig, 1.0), expected);
}

/// A chord pattern's notes on a stream into a three-voice template of sines at 0.25 each.
const CHORDS: &str = r#"(patch
  (nodes
    (seq (type "seq.pattern") (pattern "<[a3,e4,a4] Am>"))
    (mix (type "gain") (amp 0.25))
    (out (type "output")))
  (connections
    (seq "notes" -> pad "notes")
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

fn hz(note: f64) -> f64 {
    440.0 * ((note - 69.0) / 12.0).exp2()
}

/// The notes sounding in `samples`: the three strongest peaks, each at 0.25.
fn assert_chord(samples: &[f32], notes: [f64; 3]) {
    let mut peaks = spectral_peaks(samples, RATE, 100.0, 1_000.0, 3);
    peaks.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(peaks.len(), 3, "{peaks:?}");
    for (&(found, level), note) in peaks.iter().zip(notes) {
        assert!(
            (found - hz(note)).abs() < 0.05,
            "{found} Hz for {note}: {peaks:?}"
        );
        assert!((level - 0.25).abs() < 0.01, "{peaks:?}");
    }
}

#[test]
fn a_chord_pattern_sounds_every_note_on_its_own_voice() {
    // Bar 1 (96 000 samples at 120 BPM): the stack A3 E4 A4; bar 2 the chord symbol Am,
    // A3 C4 E4 in octave 3.
    let samples = render_with(&read(CHORDS), 2 * 96_000, 64, &Settings::default());
    assert_chord(&samples[4_800..91_200], [57.0, 64.0, 69.0]);
    assert_chord(&samples[100_800..187_200], [57.0, 60.0, 64.0]);
}

#[test]
fn words_drive_drums_on_their_steps() {
    // `bd` on beats 1 and 3 (samples 0 and 48 000), `sd` on 2 and 4, to a kick and a snare
    // on two channels.
    let patch = read(
        r#"(patch
  (nodes
    (drums (type "seq.pattern") (pattern "bd sd bd sd"))
    (kick (type "drum.kick"))
    (snare (type "drum.snare"))
    (out (type "output")))
  (connections
    (drums "bd" -> kick "trig")
    (drums "sd" -> snare "trig")
    (kick "out" -> out "left")
    (snare "out" -> out "right")))"#,
    );
    let samples = render_with(&patch, 96_000, 64, &Settings::default());
    let (kick, snare): (Vec<f32>, Vec<f32>) =
        samples.chunks(2).map(|frame| (frame[0], frame[1])).unzip();
    let starts = |signal: &[f32]| -> Vec<usize> {
        (0..signal.len() / 1_000)
            .filter(|&w| {
                let window = rms(&signal[w * 1_000..(w + 1) * 1_000]);
                let before = if w == 0 {
                    0.0
                } else {
                    rms(&signal[(w - 1) * 1_000..w * 1_000])
                };
                window > 0.05 && window > 4.0 * before
            })
            .map(|w| w * 1_000)
            .collect()
    };
    assert_eq!(starts(&kick), [0, 48_000]);
    assert_eq!(starts(&snare), [24_000, 72_000]);
    // The kick's sine starts at phase 0 on its trigger's sample: sound from the next one.
    assert_eq!(kick[..100].iter().position(|&x| x != 0.0), Some(1));
    let loud = kick[47_000..48_100].iter().position(|&x| x.abs() > 0.05);
    assert!(
        loud.is_some_and(|n| (1_000..1_050).contains(&n)),
        "{loud:?}"
    );
}

#[test]
fn a_layer_added_live_mid_bar_plays_on_the_grid_of_the_one_playing() {
    // Quarter notes play; eighths are added at sample 100 001 (in bar 2 at 120 BPM). Summed,
    // the output is 2 where both play (the beats) and 1 on the eighths between.
    let (mut controller, mut audio) = mono();
    controller.load_patch(pattern("c3*4", "trig")).unwrap();
    let mut out = render(&mut audio, 100_001);
    let edits = [
        Edit::AddNode {
            id: "layer".into(),
            module: "seq.pattern".into(),
            params: vec![],
        },
        Edit::SetText {
            node: "layer".into(),
            param: "pattern".into(),
            text: "c3*8".into(),
        },
        Edit::Connect {
            from: ("layer".into(), "trig".into()),
            to: ("out".into(), "in".into()),
        },
    ];
    for edit in &edits {
        controller.apply(edit).unwrap();
    }
    out.extend(render(&mut audio, 200_000));
    let quarters: Vec<usize> = (0..13).map(|k| k * 24_000).collect();
    let beats: Vec<usize> = quarters.iter().copied().filter(|&n| n <= 100_001).collect();
    assert_eq!(at(&out, 1.0)[..beats.len()], beats[..]);
    // From the first beat after the edit both play; the eighths fall exactly between.
    let late: Vec<usize> = (0..26)
        .map(|k| k * 12_000)
        .filter(|&n| n > 100_001 + 128)
        .collect();
    let both: Vec<usize> = late.iter().copied().filter(|n| n % 24_000 == 0).collect();
    let eighths: Vec<usize> = late.iter().copied().filter(|n| n % 24_000 != 0).collect();
    assert_eq!(at(&out, 2.0), both);
    assert_eq!(
        at(&out[100_001 + 128..], 1.0)
            .iter()
            .map(|n| n + 100_001 + 128)
            .collect::<Vec<_>>(),
        eighths
    );
}

#[test]
fn a_quantised_swap_to_a_new_pattern_lands_on_the_bar_line() {
    // "c3*4" plays; "[c3 c3] ~" is saved at sample 10 000 and waits for bar 2 at 96 000:
    // from then, two eighths at the start of each bar.
    let (mut controller, mut audio) = mono();
    controller.load_patch(pattern("c3*4", "trig")).unwrap();
    controller.quantize_swaps(Some(Quantize::Bars(1)));
    let mut out = render(&mut audio, 10_000);
    controller.load_patch(pattern("[c3 c3] ~", "trig")).unwrap();
    out.extend(render(&mut audio, 2 * 96_000));
    assert_eq!(
        at(&out, 1.0),
        [0, 24_000, 48_000, 72_000, 96_000, 120_000, 192_000]
    );
}

/// The trig bits of `text` rendered in host buffers of the sizes `buffers` gives in turn.
fn trig_bits(text: &str, buffers: &[usize], frames: usize) -> Vec<u32> {
    let patch = Patch {
        transport: Some(Transport {
            bpm: 133.0,
            ..Transport::default()
        }),
        ..pattern(text, "trig")
    };
    let mut instance = Instance::new(&patch, &Settings::default(), &Limits::default()).unwrap();
    let mut out = vec![0.0; frames];
    let mut n = 0;
    for &size in buffers.iter().cycle() {
        if n >= frames {
            break;
        }
        let end = (n + size).min(frames);
        instance.process_interleaved(&mut out[n..end], (end - n).min(64));
        n = end;
    }
    out.iter().map(|x| x.to_bits()).collect()
}

/// Random patterns from the notation's pieces.
fn a_pattern() -> impl Strategy<Value = String> {
    let step = prop::sample::select(vec![
        "c3",
        "e3*2",
        "~",
        "[g3 a3]",
        "<c3 e3 g3>",
        "c3(3,8)",
        "c3@2",
        "c3!",
        "c3?",
        "[c3|e3]",
        "[c3,e3]",
        "{c3 e3 g3}%4",
        "bd:0.5",
    ]);
    prop::collection::vec(step, 1..6).prop_map(|steps| steps.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn onsets_are_the_same_whatever_the_host_buffers(
        text in a_pattern(),
        buffers in prop::collection::vec(1..300_usize, 1..5),
    ) {
        let frames = 60_000;
        let whole = trig_bits(&text, &[64], frames);
        prop_assert!(whole == trig_bits(&text, &buffers, frames), "{}", text);
    }
}
