//! The files a patch's audio-file texts name, resolved, decoded and handed to kernel builds.

use super::*;
use crate::instance::{Settings, kernel_init};
use patchvm_ir::text::{TextInfo, TextProblem};
use patchvm_ir::{Format, InputSpec, Limits, ModuleSpec, NodeIdx, Rate, Role, TextValue};
use std::sync::Arc;

fn any(_: &str) -> Result<TextInfo, TextProblem> {
    Ok(TextInfo::default())
}

static FILE: TextSpec = TextSpec {
    default: "",
    check: any,
    outputs: None,
    audio_file: true,
};

/// A module with one audio-file text, as a sampler has (none is in the catalog yet).
static SAMPLER: ModuleSpec = ModuleSpec {
    name: "test.sampler",
    doc: "",
    inputs: &[InputSpec {
        name: "file",
        doc: "",
        default: 0.0,
        min: 0.0,
        max: 0.0,
        unit: Unit::Text(&FILE),
        rate: Rate::Init,
        breaks_cycles: false,
    }],
    outputs: &[],
    role: Role::Kernel,
};

fn sampler(id: &str, file: &str) -> KernelNode<'static> {
    KernelNode {
        node: NodeIdx(0),
        id: id.into(),
        spec: &SAMPLER,
        values: vec![0.0],
        texts: vec![TextValue {
            input: 0,
            text: file.into(),
        }],
        span: Span::new(0, 1),
        in_feedback_loop: false,
    }
}

/// A 16-bit PCM WAV of `samples` (one channel) at `rate`.
fn wav(rate: u32, samples: &[i16]) -> Vec<u8> {
    let data = (samples.len() * 2) as u32;
    let mut bytes = b"RIFF".to_vec();
    bytes.extend_from_slice(&(36 + data).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt \x10\0\0\0\x01\0\x01\0");
    bytes.extend_from_slice(&rate.to_le_bytes());
    bytes.extend_from_slice(&(rate * 2).to_le_bytes());
    bytes.extend_from_slice(b"\x02\0\x10\0data");
    bytes.extend_from_slice(&data.to_le_bytes());
    for sample in samples {
        bytes.extend_from_slice(&sample.to_le_bytes());
    }
    bytes
}

/// A fresh folder for one test's files.
fn folder(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("patchvm-audio-{name}-{}", std::process::id()));
    let _absent = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(folder.join("kit")).unwrap();
    folder
}

const PATCH: &str = r#"(patch (nodes
    (a (type "test.sampler") (file "kit/kick.wav"))
    (b (type "test.sampler") (file "kit/snare.wav"))))"#;

#[test]
fn a_kernel_is_built_with_the_samples_of_the_file_its_text_names() {
    let folder = folder("build");
    std::fs::write(
        folder.join("kit/kick.wav"),
        wav(48_000, &[0, 16_384, -16_384]),
    )
    .unwrap();
    let patch = Format::Sexpr
        .read(PATCH.as_bytes(), &Limits::default())
        .unwrap();
    let kernels = [sampler("a", "kit/kick.wav"), sampler("c", "kit/kick.wav")];
    let mut cache = AudioCache::new(1 << 20);
    let resolved = resolve(&patch, &kernels, &folder, 48_000.0, &mut cache).unwrap();
    assert_eq!(resolved.paths, [folder.join("kit/kick.wav")]);
    let settings = Settings::default();
    let init = kernel_init(&kernels[0], &settings, &resolved.files, &[]);
    let audio = init.audio_file(&SAMPLER, "file").unwrap();
    assert_eq!(audio.channel(0), [0.0, 0.5, -0.5]);
    assert_eq!(audio.sample_rate(), 48_000.0);
    // Both nodes read one decoding.
    let other = kernel_init(&kernels[1], &settings, &resolved.files, &[]);
    assert!(Arc::ptr_eq(
        &audio,
        &other.audio_file(&SAMPLER, "file").unwrap()
    ));
    assert_eq!(cache.decodes(), 1);
}

#[test]
fn a_missing_file_is_an_e0120_at_the_string_that_names_it() {
    let folder = folder("missing");
    std::fs::write(folder.join("kit/kick.wav"), wav(48_000, &[0, 1])).unwrap();
    let patch = Format::Sexpr
        .read(PATCH.as_bytes(), &Limits::default())
        .unwrap();
    let kernels = [sampler("a", "kit/kick.wav"), sampler("b", "kit/snare.wav")];
    let mut cache = AudioCache::new(1 << 20);
    let problems = resolve(&patch, &kernels, &folder, 48_000.0, &mut cache).unwrap_err();
    assert_eq!(problems.len(), 1);
    let problem = &problems[0];
    assert_eq!(problem.code, Code::AudioFile);
    let at = PATCH.find("\"kit/snare.wav\"").unwrap();
    assert_eq!(
        problem.primary.span,
        Span::new(at, at + "\"kit/snare.wav\"".len())
    );
    let path = folder.join("kit/snare.wav");
    assert_eq!(
        problem.message,
        format!("audio file `{}` no such file", path.display())
    );
}

#[test]
fn not_audio_and_over_budget_are_reported_for_every_file_at_once() {
    let folder = folder("bad");
    std::fs::write(folder.join("kit/kick.wav"), b"not a sound at all").unwrap();
    std::fs::write(folder.join("kit/snare.wav"), wav(48_000, &[7; 1000])).unwrap();
    let patch = Format::Sexpr
        .read(PATCH.as_bytes(), &Limits::default())
        .unwrap();
    let kernels = [sampler("a", "kit/kick.wav"), sampler("b", "kit/snare.wav")];
    // 1000 frames take 4000 bytes decoded.
    let mut cache = AudioCache::new(3999);
    let problems = resolve(&patch, &kernels, &folder, 48_000.0, &mut cache).unwrap_err();
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages.len(), 2);
    assert!(messages[0].ends_with("kick.wav` is not audio this build decodes: unsupported core (probe): no suitable format reader found"), "{}", messages[0]);
    assert!(
        messages[1].ends_with(
            "snare.wav` needs 4000 bytes decoded, over the sample budget (3999 of 3999 bytes left)"
        ),
        "{}",
        messages[1]
    );
}
