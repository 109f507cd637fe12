//! The example patches do what their comments say, measured from their samples.

use patchvm::Settings;
use patchvm_tests::measure::{channel, rms, spectral_peaks};
use patchvm_tests::{example, render, render_with};

#[test]
fn stereo_noise_drives_two_independent_channels_of_different_brightness() {
    let samples = render(&example("stereo-noise.lisp"), 48_000, 64);
    let (left, right) = (channel(&samples, 2, 0), channel(&samples, 2, 1));
    // Lag-0 correlation of independent noises is near 0.
    let dot: f64 = left
        .iter()
        .zip(&right)
        .map(|(&l, &r)| f64::from(l) * f64::from(r))
        .sum();
    let correlation = dot / (rms(&left) * rms(&right) * left.len() as f64);
    assert!(correlation.abs() < 0.05, "correlation {correlation}");
    // The 3 kHz low-pass passes more of white noise's flat spectrum than the 800 Hz one:
    // roughly sqrt(3000 / 800) ≈ 1.9 times the RMS.
    let ratio = rms(&right) / rms(&left);
    assert!((1.6..2.3).contains(&ratio), "right/left RMS ratio {ratio}");
}

#[test]
fn the_render_seed_changes_noise_and_only_noise() {
    let patch = example("stereo-noise.lisp");
    let a = render_with(
        &patch,
        4_800,
        64,
        &Settings {
            seed: 1,
            ..Settings::default()
        },
    );
    let b = render_with(
        &patch,
        4_800,
        64,
        &Settings {
            seed: 1,
            ..Settings::default()
        },
    );
    let c = render_with(
        &patch,
        4_800,
        64,
        &Settings {
            seed: 2,
            ..Settings::default()
        },
    );
    assert_eq!(a, b);
    assert_ne!(a, c);
    let toy = example("toy.lisp");
    assert_eq!(
        render_with(
            &toy,
            4_800,
            64,
            &Settings {
                seed: 1,
                ..Settings::default()
            }
        ),
        render_with(
            &toy,
            4_800,
            64,
            &Settings {
                seed: 2,
                ..Settings::default()
            }
        )
    );
}

#[test]
fn the_echo_repeats_the_pluck_after_the_delay_time() {
    // The pluck's envelope opens at sample 0; its echo arrives 0.375 s (18 000 samples) later
    // at half the level, when the dry signal has faded (its gate closed at 0.25 s).
    let samples = render(&example("subtractive.lisp"), 48_000, 64);
    let window = |start: usize| rms(&samples[start..start + 2_400]);
    let dry = window(0);
    let before_echo = window(18_000 - 2_400);
    let at_echo = window(18_000);
    assert!(
        at_echo > 1.1 * before_echo,
        "echo {at_echo} vs before {before_echo}"
    );
    let echo_level = at_echo / dry;
    assert!(
        (0.4..0.7).contains(&echo_level),
        "echo at {echo_level} of the dry level"
    );
}

/// `four-bars.lisp` with the output fed by `node` instead of the mix.
fn four_bars_from(node: &str) -> patchvm::ir::Patch {
    let mut patch = example("four-bars.lisp");
    let to_out = patch
        .connections
        .iter_mut()
        .find(|c| c.to.node.text == "out")
        .expect("the mix feeds the output");
    to_out.from.node.text = node.to_owned();
    to_out.from.port.text = "out".to_owned();
    patch
}

/// The samples where `signal` starts to sound: each 1 000-sample window louder than 0.05
/// RMS and four times the window before.
fn sound_starts(signal: &[f32]) -> Vec<usize> {
    let window = |w: usize| rms(&signal[w * 1_000..(w + 1) * 1_000]);
    (0..signal.len() / 1_000)
        .filter(|&w| window(w) > 0.05 && (w == 0 || window(w) > 4.0 * window(w - 1)))
        .map(|w| w * 1_000)
        .collect()
}

#[test]
fn the_four_bar_beat_kicks_on_its_steps_and_its_pad_plays_its_chords() {
    // 120 BPM: a bar is 96 000 samples, a sixteenth 6 000. The kick plays steps 0, 7 and
    // 10 of 16: samples 0, 42 000 and 60 000 of each bar.
    let kick = render(&four_bars_from("mix.kick"), 4 * 96_000, 64);
    let expected: Vec<usize> = (0..4)
        .flat_map(|bar| [0, 42_000, 60_000].map(|n| bar * 96_000 + n))
        .collect();
    assert_eq!(sound_starts(&kick), expected);
    // The pad: Cm7 (C3 Eb3 G3 Bb3) in bar 1, Abmaj7 (Ab3 C4 Eb4 G4) in bar 2, each note on
    // a voice of its own.
    let pad = render(&four_bars_from("pad"), 2 * 96_000, 64);
    let hz = |note: f64| 440.0 * ((note - 69.0) / 12.0).exp2();
    let notes = |samples: &[f32], top: f64| -> Vec<f64> {
        let mut peaks = spectral_peaks(samples, 48_000.0, 100.0, top, 4);
        peaks.sort_by(|a, b| a.0.total_cmp(&b.0));
        peaks.iter().map(|peak| peak.0).collect()
    };
    let bar1 = notes(&pad[4_800..91_200], 300.0);
    assert_eq!(bar1.len(), 4, "{bar1:?}");
    for (found, note) in bar1.iter().zip([48.0, 51.0, 55.0, 58.0]) {
        assert!((found - hz(note)).abs() < 0.1, "{found} Hz for {note}");
    }
    let bar2 = notes(&pad[100_800..187_200], 450.0);
    assert_eq!(bar2.len(), 4, "{bar2:?}");
    for (found, note) in bar2.iter().zip([56.0, 60.0, 63.0, 67.0]) {
        assert!((found - hz(note)).abs() < 0.1, "{found} Hz for {note}");
    }
}
