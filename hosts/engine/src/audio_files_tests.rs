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
    let resolved = resolve(
        &patch,
        &kernels,
        (&folder, &Default::default()),
        48_000.0,
        &mut cache,
    )
    .unwrap();
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
    let problems = resolve(
        &patch,
        &kernels,
        (&folder, &Default::default()),
        48_000.0,
        &mut cache,
    )
    .unwrap_err();
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
    let problems = resolve(
        &patch,
        &kernels,
        (&folder, &Default::default()),
        48_000.0,
        &mut cache,
    )
    .unwrap_err();
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

/// A patch playing a sine, with `samples` as its sample bank section.
fn bank_patch(samples: &str) -> String {
    format!(
        r#"(patch (nodes (s (type "osc.sine")) (out (type "output")))
  (connections (s "out" -> out "in"))
  {samples})"#
    )
}

fn prepare_in(folder: &Path, text: &str) -> Result<crate::Prepared, Diagnostics> {
    let path = folder.join("p.lisp");
    std::fs::write(&path, text).unwrap();
    match crate::Prepared::read(&path, &Settings::default(), &Limits::default()) {
        Ok((prepared, _)) => Ok(prepared),
        Err(crate::source::LoadError::Invalid(_, problems)) => Err(problems),
        Err(other) => panic!("{other}"),
    }
}

#[test]
fn a_sample_bank_files_its_words_and_a_folder_s_files_by_name() {
    let folder = folder("bank");
    std::fs::create_dir_all(folder.join("drums")).unwrap();
    std::fs::write(folder.join("kit/kick.wav"), wav(48_000, &[100, 200])).unwrap();
    std::fs::write(folder.join("drums/hat.wav"), wav(48_000, &[300])).unwrap();
    std::fs::write(folder.join("drums/Snare.WAV"), wav(48_000, &[400])).unwrap();
    std::fs::write(folder.join("drums/notes.txt"), "not a sample").unwrap();
    let text = bank_patch(r#"(samples (bd "kit/kick.wav") "drums/")"#);
    let prepared = prepare_in(&folder, &text).unwrap();
    let audio = prepared.audio();
    assert_eq!(audio.words().collect::<Vec<_>>(), ["Snare", "bd", "hat"]);
    let lsb = 1.0 / 32_768.0;
    assert_eq!(
        audio.word("bd").unwrap().channel(0),
        [100.0 * lsb, 200.0 * lsb]
    );
    assert_eq!(audio.word("hat").unwrap().channel(0), [300.0 * lsb]);
    assert_eq!(audio.word("Snare").unwrap().channel(0), [400.0 * lsb]);
    assert_eq!(
        prepared.audio_paths(),
        [
            folder.join("kit/kick.wav"),
            folder.join("drums/Snare.WAV"),
            folder.join("drums/hat.wav")
        ]
    );
}

#[test]
fn a_word_twice_and_a_folder_that_is_none_are_e0121_at_their_strings() {
    let folder = folder("bank-bad");
    std::fs::create_dir_all(folder.join("drums")).unwrap();
    std::fs::write(folder.join("kit/kick.wav"), wav(48_000, &[1])).unwrap();
    std::fs::write(folder.join("drums/bd.wav"), wav(48_000, &[2])).unwrap();
    let text = bank_patch(r#"(samples (bd "kit/kick.wav") "drums/" "none/")"#);
    let problems = prepare_in(&folder, &text).unwrap_err();
    assert_eq!(problems.len(), 2);
    assert!(problems.iter().all(|p| p.code == Code::SampleBank));
    let span_of = |needle: &str| {
        let at = text.find(needle).unwrap();
        Span::new(at, at + needle.len())
    };
    assert_eq!(
        problems[0].message,
        format!(
            "sample folder `{}` does not exist",
            folder.join("none/").display()
        )
    );
    assert_eq!(problems[0].primary.span, span_of("\"none/\""));
    assert_eq!(problems[1].message, "sample word `bd` is defined twice");
    assert_eq!(problems[1].primary.span, span_of("\"drums/\""));
}

#[test]
fn a_word_written_twice_or_not_a_word_is_e0121_before_any_file_is_read() {
    let folder = folder("bank-words");
    let text = bank_patch(r#"(samples (bd "a.wav") (bd "b.wav") ("9x" "c.wav"))"#);
    let problems = prepare_in(&folder, &text).unwrap_err();
    let found: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.message.as_str(), &text[p.primary.span.range()]))
        .collect();
    assert_eq!(
        found,
        [
            ("sample word `bd` is defined twice", "bd"),
            ("`9x` is not a sample word", "\"9x\""),
        ]
    );
    assert!(problems.iter().all(|p| p.code == Code::SampleBank));
}

#[test]
fn a_live_reload_decodes_only_what_changed_and_a_failed_one_keeps_the_patch() {
    let folder = folder("live");
    let kick = folder.join("kit/kick.wav");
    std::fs::write(&kick, wav(48_000, &[1, 2, 3])).unwrap();
    let (mut controller, _audio) =
        crate::Engine::new(crate::EngineSettings::default(), Limits::default());
    controller.set_folder(&folder);
    let text = bank_patch(r#"(samples (bd "kit/kick.wav") (sn "kit/kick.wav"))"#);
    controller
        .load_text(text.as_bytes(), Format::Sexpr)
        .unwrap();
    // The same bytes under two words: one decoding.
    assert_eq!(controller.audio_cache().decodes(), 1);
    controller
        .load_text(text.as_bytes(), Format::Sexpr)
        .unwrap();
    assert_eq!(controller.audio_cache().decodes(), 1);
    assert_eq!(controller.audio_paths(), [kick.clone(), kick.clone()]);
    // New content, another length: decoded again on the next reload.
    std::fs::write(&kick, wav(48_000, &[4, 5, 6, 7])).unwrap();
    controller
        .load_text(text.as_bytes(), Format::Sexpr)
        .unwrap();
    assert_eq!(controller.audio_cache().decodes(), 2);
    // A reload naming a missing file fails and changes nothing.
    let broken = bank_patch(r#"(samples (bd "kit/gone.wav"))"#);
    let Err(crate::EngineError::Invalid(problems)) =
        controller.load_text(broken.as_bytes(), Format::Sexpr)
    else {
        panic!("a missing file is refused");
    };
    assert_eq!(problems[0].code, Code::AudioFile);
    assert_eq!(
        &broken[problems[0].primary.span.range()],
        "\"kit/gone.wav\""
    );
    assert_eq!(controller.audio_paths(), [kick.clone(), kick]);
}

#[test]
fn a_loader_decodes_ahead_so_the_load_under_the_lock_decodes_nothing() {
    let folder = folder("loader");
    let kick = folder.join("kit/kick.wav");
    std::fs::write(&kick, wav(48_000, &[1, 2, 3])).unwrap();
    let (mut controller, _audio) =
        crate::Engine::new(crate::EngineSettings::default(), Limits::default());
    controller.set_folder(&folder);
    let text = bank_patch(r#"(samples (bd "kit/kick.wav"))"#);
    let patch = Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .unwrap();
    let loader = controller.audio_loader();
    let held = loader.load(&patch);
    assert_eq!(held.paths(), std::slice::from_ref(&kick));
    assert_eq!(controller.audio_cache().decodes(), 1);
    controller.load_patch(patch).unwrap();
    drop(held);
    assert_eq!(controller.audio_cache().decodes(), 1);
    let bd = controller.audio_files().word("bd").unwrap();
    let scale = 1.0 / 32_768.0;
    assert_eq!(bd.channel(0), [scale, 2.0 * scale, 3.0 * scale]);
    // A patch that does not validate decodes nothing and holds nothing.
    let broken = Format::Sexpr
        .read(
            br#"(patch (nodes (s (type "no.such"))))"#,
            &Limits::default(),
        )
        .unwrap();
    assert!(loader.load(&broken).paths().is_empty());
    assert_eq!(controller.audio_cache().decodes(), 1);
}
