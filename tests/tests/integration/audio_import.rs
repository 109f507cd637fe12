//! Audio files imported at the engine's rate, measured: pitch kept through resampling, lossy
//! formats decoded to the signal that was encoded.

use patchvm::audio::{AudioCache, import};
use patchvm_tests::measure;
use std::path::Path;

/// A one-channel 16-bit WAV of `seconds` of a sine at `hz` and amplitude `amplitude`.
fn sine_wav(rate: u32, hz: f64, amplitude: f64, seconds: f64) -> Vec<u8> {
    let frames = (f64::from(rate) * seconds) as usize;
    let data = (frames * 2) as u32;
    let mut bytes = b"RIFF".to_vec();
    bytes.extend_from_slice(&(36 + data).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt \x10\0\0\0\x01\0\x01\0");
    bytes.extend_from_slice(&rate.to_le_bytes());
    bytes.extend_from_slice(&(rate * 2).to_le_bytes());
    bytes.extend_from_slice(b"\x02\0\x10\0data");
    bytes.extend_from_slice(&data.to_le_bytes());
    for frame in 0..frames {
        let phase = std::f64::consts::TAU * hz * frame as f64 / f64::from(rate);
        let sample = (amplitude * phase.sin() * 32_767.0).round() as i16;
        bytes.extend_from_slice(&sample.to_le_bytes());
    }
    bytes
}

fn db(ratio: f64) -> f64 {
    20.0 * ratio.log10()
}

#[test]
fn a_44100_hz_file_imported_at_48000_hz_keeps_its_pitch_and_level() {
    let wav = sine_wav(44_100, 1_000.0, 0.5, 1.0);
    let audio = import(wav, Some("wav"), 48_000.0, 1 << 24).unwrap();
    assert_eq!(audio.sample_rate(), 48_000.0);
    // One second is 48 000 frames at the new rate.
    assert_eq!(audio.frames(), 48_000);
    // Away from the edges, where the filter sees past the ends of the file.
    let inner = &audio.channel(0)[2_000..46_000];
    let hz = measure::frequency(inner, 48_000.0).unwrap();
    assert!((hz / 1_000.0 - 1.0).abs() < 1e-4, "{hz} Hz");
    // A sine of amplitude 0.5 has an RMS of 0.5 / √2.
    let level = db(measure::rms(inner) / (0.5 / 2f64.sqrt()));
    assert!(level.abs() < 0.01, "{level} dB off");
    // The first frame is the first frame of the file: no delay added by the filter.
    let rise = audio.channel(0)[..24]
        .iter()
        .position(|&s| s > 0.05)
        .unwrap();
    let expected = (0.05f64 / 0.5).asin() / std::f64::consts::TAU * 48.0;
    assert!(
        (rise as f64 - expected).abs() <= 1.0,
        "first rise at {rise}"
    );
}

#[test]
fn a_48000_hz_file_imported_at_44100_hz_keeps_its_pitch() {
    let wav = sine_wav(48_000, 2_500.0, 0.25, 1.0);
    let audio = import(wav, Some("wav"), 44_100.0, 1 << 24).unwrap();
    assert_eq!(audio.frames(), 44_100);
    let hz = measure::frequency(&audio.channel(0)[2_000..42_000], 44_100.0).unwrap();
    assert!((hz / 2_500.0 - 1.0).abs() < 1e-4, "{hz} Hz");
}

/// Half a second of 441 Hz, 6 dB below full scale, as `make.sh` encodes it lossily, whose
/// frames 4000 to 18 000 the format's reference decoder (`lame --decode`, `oggdec`, measured
/// by `sox … trim 4000s 14000s stat`) gives an RMS of `reference_rms`.
fn lossy(name: &str, reference_rms: f64) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../audio/tests/fixtures")
        .join(name);
    let mut cache = AudioCache::new(1 << 24);
    let audio = cache.load(&path, 44_100.0).unwrap();
    assert_eq!(audio.channels(), 1, "{name}");
    // Encoders pad the start and end; the middle is the signal.
    let frames = audio.frames();
    assert!(
        (22_050..25_000).contains(&frames),
        "{name}: {frames} frames"
    );
    let inner = &audio.channel(0)[4_000..18_000];
    let hz = measure::frequency(inner, 44_100.0).unwrap();
    assert!((hz / 441.0 - 1.0).abs() < 1e-3, "{name}: {hz} Hz");
    let level = db(measure::rms(inner) / reference_rms);
    assert!(
        level.abs() < 0.05,
        "{name}: {level} dB off the reference decoder"
    );
}

#[test]
fn mp3_decodes_to_the_encoded_tone() {
    // 0.26 dB under the tone encoded: the encoder's loss, which its own decoder shows too.
    lossy("tone.mp3", 0.343_763);
}

#[test]
fn ogg_vorbis_decodes_to_the_encoded_tone() {
    lossy("tone.ogg", 0.357_447);
}
