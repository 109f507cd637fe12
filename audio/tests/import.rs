//! Import from outside: every fixture format and bit depth against sox's decoding of it,
//! the cache's sharing, budget and reloads, and hostile files refused as errors.

use patchvm_audio::{AudioCache, ImportError, decode::decode, import};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The reference samples sox decoded `name` to (interleaved).
fn reference(name: &str) -> Vec<f32> {
    std::fs::read(fixture(&format!("{name}.f32")))
        .unwrap()
        .chunks_exact(4)
        .map(|bytes| f32::from_le_bytes(bytes.try_into().unwrap()))
        .collect()
}

/// Decodes `name` at its own rate and checks every sample against sox's within `lsb`.
fn matches_reference(name: &str, channels: usize, lsb: f32) {
    let bytes = std::fs::read(fixture(name)).unwrap();
    let decoded = decode(bytes, None, 1 << 24).unwrap();
    assert_eq!(decoded.sample_rate, 44_100, "{name}");
    assert_eq!(decoded.channels.len(), channels, "{name}");
    let want = reference(name);
    // A tenth of a second at 44.1 kHz.
    assert_eq!(decoded.frames(), 4_410, "{name}");
    assert_eq!(want.len(), 4_410 * channels, "{name}");
    let mut worst = 0f32;
    for (index, &expected) in want.iter().enumerate() {
        let got = decoded.channels[index % channels][index / channels];
        worst = worst.max((got - expected).abs());
    }
    assert!(worst <= lsb, "{name}: off by {worst}, more than {lsb}");
}

#[test]
fn integer_wav_at_every_depth_decodes_to_the_reference_samples() {
    matches_reference("tone-8.wav", 2, 1.0 / 128.0);
    matches_reference("tone-16.wav", 2, 1.0 / 32_768.0);
    matches_reference("tone-24.wav", 2, 1.0 / 8_388_608.0);
    matches_reference("tone-32.wav", 2, 1.0 / 2_147_483_648.0);
}

#[test]
fn float_wav_decodes_exactly() {
    matches_reference("tone-f32.wav", 2, 0.0);
}

#[test]
fn aiff_and_flac_decode_to_the_reference_samples() {
    matches_reference("tone-16.aiff", 2, 1.0 / 32_768.0);
    matches_reference("tone-24.aiff", 2, 1.0 / 8_388_608.0);
    matches_reference("tone-16.flac", 2, 1.0 / 32_768.0);
    matches_reference("tone-24.flac", 2, 1.0 / 8_388_608.0);
}

#[test]
fn six_channels_decode_each_to_its_own_buffer() {
    matches_reference("tone-6ch.wav", 6, 1.0 / 32_768.0);
}

#[test]
fn the_same_bytes_under_two_names_and_a_hundred_uses_decode_once() {
    let folder = temp("dedup");
    let bytes = std::fs::read(fixture("tone-16.wav")).unwrap();
    std::fs::write(folder.join("a.wav"), &bytes).unwrap();
    std::fs::write(folder.join("b.wav"), &bytes).unwrap();
    let mut cache = AudioCache::new(1 << 20);
    let first = cache.load(&folder.join("a.wav"), 44_100.0).unwrap();
    let uses: Vec<_> = (0..100)
        .map(|use_| {
            let name = if use_ % 2 == 0 { "a.wav" } else { "b.wav" };
            cache.load(&folder.join(name), 44_100.0).unwrap()
        })
        .collect();
    assert!(uses.iter().all(|data| Arc::ptr_eq(data, &first)));
    assert_eq!(cache.decodes(), 1);
    // 4410 frames of two channels, four bytes a sample, counted once.
    assert_eq!(cache.used(), 4_410 * 2 * 4);
}

#[test]
fn a_file_over_the_budget_is_refused_and_fits_once_the_audio_before_it_is_let_go() {
    let folder = temp("budget");
    std::fs::copy(fixture("tone-16.wav"), folder.join("a.wav")).unwrap();
    std::fs::copy(fixture("tone-24.wav"), folder.join("b.wav")).unwrap();
    let each = 4_410 * 2 * 4;
    let mut cache = AudioCache::new(each + each / 2);
    let a = cache.load(&folder.join("a.wav"), 44_100.0).unwrap();
    assert_eq!(
        cache.load(&folder.join("b.wav"), 44_100.0),
        Err(ImportError::OverBudget {
            needs: each,
            left: each / 2,
            budget: each + each / 2,
        })
    );
    assert_eq!(cache.used(), each);
    drop(a);
    assert_eq!(
        cache
            .load(&folder.join("b.wav"), 44_100.0)
            .unwrap()
            .frames(),
        4_410
    );
    assert_eq!(cache.used(), each);
    // Whatever else the cache holds, a file can never take more than the whole budget.
    let mut small = AudioCache::new(each - 1);
    assert!(matches!(
        small.load(&folder.join("a.wav"), 44_100.0),
        Err(ImportError::OverBudget { .. })
    ));
}

#[test]
fn an_unchanged_file_is_not_decoded_again_and_a_changed_one_is() {
    let folder = temp("reload");
    let path = folder.join("a.wav");
    std::fs::copy(fixture("tone-16.wav"), &path).unwrap();
    let mut cache = AudioCache::new(1 << 20);
    let first = cache.load(&path, 44_100.0).unwrap();
    let again = cache.load(&path, 44_100.0).unwrap();
    assert!(Arc::ptr_eq(&first, &again));
    assert_eq!(cache.decodes(), 1);
    // Other content under the same name, and a size of its own.
    std::fs::copy(fixture("tone-24.wav"), &path).unwrap();
    let changed = cache.load(&path, 44_100.0).unwrap();
    assert!(!Arc::ptr_eq(&first, &changed));
    assert_eq!(cache.decodes(), 2);
    // Back to the first bytes: known by their hash, not decoded.
    std::fs::copy(fixture("tone-16.wav"), &path).unwrap();
    assert!(Arc::ptr_eq(&cache.load(&path, 44_100.0).unwrap(), &first));
    assert_eq!(cache.decodes(), 2);
}

#[test]
fn hostile_and_broken_files_are_errors_never_panics() {
    let wav = std::fs::read(fixture("tone-16.wav")).unwrap();
    // Cut in the middle of its samples.
    let cut = wav[..wav.len() / 2].to_vec();
    assert!(matches!(
        import(cut, None, 44_100.0, 1 << 20),
        Err(ImportError::Truncated(_))
    ));
    // Cut inside its header.
    let header = wav[..30].to_vec();
    assert!(matches!(
        import(header, None, 44_100.0, 1 << 20),
        Err(ImportError::Truncated(_) | ImportError::NotAudio(_))
    ));
    // A format chunk that says it is 4 GiB long.
    let mut liar = wav.clone();
    liar[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        import(liar, None, 44_100.0, 1 << 20),
        Err(ImportError::NotAudio(_))
    ));
    // Zero channels declared.
    let mut silent = wav.clone();
    silent[22..24].copy_from_slice(&0u16.to_le_bytes());
    assert!(matches!(
        import(silent, None, 44_100.0, 1 << 20),
        Err(ImportError::NotAudio(_))
    ));
    // Not audio at all, and nothing at all.
    for bytes in [b"(patch (nodes))".to_vec(), Vec::new()] {
        assert!(matches!(
            import(bytes, None, 44_100.0, 1 << 20),
            Err(ImportError::NotAudio(_) | ImportError::Truncated(_))
        ));
    }
    // A FLAC stream cut short of the samples its header declares.
    let flac = std::fs::read(fixture("tone-16.flac")).unwrap();
    let cut = flac[..flac.len() * 2 / 3].to_vec();
    assert!(matches!(
        import(cut, None, 44_100.0, 1 << 20),
        Err(ImportError::Truncated(_) | ImportError::NotAudio(_))
    ));
    // Missing, and a folder.
    let mut cache = AudioCache::new(1 << 20);
    assert_eq!(
        cache.load(&fixture("no-such.wav"), 44_100.0),
        Err(ImportError::Missing)
    );
    assert_eq!(
        cache.load(&fixture(""), 44_100.0),
        Err(ImportError::Unreadable("it is a folder".into()))
    );
}

/// A fresh folder for one test's files.
fn temp(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("patchvm-import-{name}-{}", std::process::id()));
    let _absent = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// `flac` with one more metadata block, of `kind` holding `body`, after its STREAMINFO.
fn with_flac_block(flac: &[u8], kind: u8, body: &[u8]) -> Vec<u8> {
    // fLaC, then STREAMINFO's 4-byte header and 34 bytes; the fixture's next block follows.
    assert_eq!(&flac[..5], b"fLaC\x00");
    let mut bytes = flac[..42].to_vec();
    let length = u32::try_from(body.len()).unwrap().to_be_bytes();
    bytes.push(kind);
    bytes.extend_from_slice(&length[1..]);
    bytes.extend_from_slice(body);
    bytes.extend_from_slice(&flac[42..]);
    bytes
}

/// A FLAC picture block's body whose image data is `data` but claims `claimed` bytes.
fn picture(data: &[u8], claimed: u32) -> Vec<u8> {
    let mut body = 3u32.to_be_bytes().to_vec();
    for text in [&b"image/png"[..], b"cover"] {
        body.extend_from_slice(&u32::try_from(text.len()).unwrap().to_be_bytes());
        body.extend_from_slice(text);
    }
    body.extend_from_slice(&[0; 16]);
    body.extend_from_slice(&claimed.to_be_bytes());
    body.extend_from_slice(data);
    body
}

#[test]
fn comment_and_picture_lengths_past_their_block_are_refused_before_decoding() {
    let flac = std::fs::read(fixture("tone-16.flac")).unwrap();
    let plain = decode(flac.clone(), None, 1 << 24).unwrap();
    // An honest picture and comment block decode to the same samples as the file without them.
    let honest = with_flac_block(&flac, 6, &picture(b"PNG!", 4));
    assert_eq!(decode(honest, None, 1 << 24).unwrap(), plain);
    let mut comment = 0u32.to_le_bytes().to_vec();
    comment.extend_from_slice(&1u32.to_le_bytes());
    comment.extend_from_slice(&7u32.to_le_bytes());
    comment.extend_from_slice(b"TITLE=a");
    let honest = with_flac_block(&flac, 4, &comment);
    assert_eq!(decode(honest, None, 1 << 24).unwrap(), plain);

    // A picture whose data claims 4 GiB, in a block of 42 bytes.
    let liar = with_flac_block(&flac, 6, &picture(b"PNG!", u32::MAX));
    assert_eq!(
        decode(liar, None, 1 << 24),
        Err(ImportError::NotAudio(
            "a FLAC picture block declares 4294967295 bytes but only 4 follow".into()
        ))
    );
    // A comment claiming 4 GiB.
    comment[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    let liar = with_flac_block(&flac, 4, &comment);
    assert_eq!(
        decode(liar, None, 1 << 24),
        Err(ImportError::NotAudio(
            "a FLAC comment block declares 4294967295 bytes but only 7 follow".into()
        ))
    );
    // A block longer than the file.
    let mut liar = flac[..42].to_vec();
    liar.extend_from_slice(&[0x86, 0xff, 0xff, 0xff, 0, 0]);
    assert_eq!(
        decode(liar, None, 1 << 24),
        Err(ImportError::Truncated(
            "FLAC metadata block 6 declares 16777215 bytes but only 2 follow".into()
        ))
    );

    // An Ogg Vorbis comment header rewritten to an empty vendor string and one comment that
    // claims 4 GiB (the fixture's vendor string is long enough to hold the fields).
    let ogg = std::fs::read(fixture("tone.ogg")).unwrap();
    let header = ogg.windows(7).position(|w| w == b"\x03vorbis").unwrap() + 7;
    assert!(u32::from_le_bytes(ogg[header..header + 4].try_into().unwrap()) >= 12);
    let mut liar = ogg.clone();
    liar[header..header + 4].copy_from_slice(&0u32.to_le_bytes());
    liar[header + 4..header + 8].copy_from_slice(&1u32.to_le_bytes());
    liar[header + 8..header + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    let Err(ImportError::NotAudio(why)) = decode(liar, None, 1 << 24) else {
        panic!("the lying Ogg comment was not refused");
    };
    assert!(
        why.starts_with("a Vorbis comment header declares 4294967295 bytes but only "),
        "{why}"
    );
    assert!(decode(ogg, None, 1 << 24).is_ok());
}
