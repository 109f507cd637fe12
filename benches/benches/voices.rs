//! Voices: the example poly-synth playing 32 held notes (every voice sounding), a second of
//! audio per iteration through the engine's audio half, as a sound card would call it.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use patchvm::engine::{At, Engine, EngineSettings};
use patchvm::ir::Limits;
use patchvm_tests::example;

fn poly_synth_32_voices(c: &mut Criterion) {
    let mut group = c.benchmark_group("poly-synth");
    for voices in [8, 32] {
        let settings = EngineSettings {
            channels: 1,
            voices,
            ..EngineSettings::default()
        };
        let (mut controller, mut audio) = Engine::new(settings, Limits::default());
        controller.load_patch(example("poly-synth.lisp")).unwrap();
        for note in 0..voices as u8 {
            controller.note_on(36 + note, 100, At::Now).unwrap();
        }
        let mut buffer = vec![0.0_f32; 240];
        group.throughput(Throughput::Elements(48_000));
        group.bench_function(
            format!("{voices} voices held, 1 s in 240-frame buffers"),
            |b| {
                b.iter(|| {
                    for _ in 0..48_000 / 240 {
                        audio.process(&mut buffer);
                    }
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, poly_synth_32_voices);
criterion_main!(benches);
