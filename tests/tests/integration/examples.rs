//! The example patches do what their comments say, measured from their samples.

use patchvm::Settings;
use patchvm_tests::measure::{channel, rms};
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
