//! MIDI played into patches, measured from the samples: the example songs' notes sound at
//! their pitches and times through the tempo map, timing is exact whatever the host's
//! buffers, voices are stolen in the documented order, the sustain pedal holds, control
//! changes and pitch bend move what the patch binds, drums start on their notes' samples.

use patchvm::Settings;
use patchvm::engine::Frames;
use patchvm::engine::{At, AudioHalf, Controller, Engine, EngineError, EngineSettings};
use patchvm::ir::{Format, Limits, Patch};
use patchvm::midi::{MidiSong, Playback, file};
use patchvm_tests::live::{mono_with_voices, render};
use patchvm_tests::measure::{peak, rms, spectral_peaks};
use patchvm_tests::smf::{Track, file as smf};
use patchvm_tests::{example, patches_dir};

const SR: f64 = 48_000.0;
/// Ticks per quarter note in the songs written here.
const PPQ: u16 = 480;
/// Samples per beat at 120 beats per minute.
const BEAT: u32 = 24_000;

fn settings(voices: usize) -> Settings {
    Settings {
        voices,
        ..Settings::default()
    }
}

/// `frames` frames of `patch` playing `song`, rendered in host buffers of `chunk` frames.
fn play(patch: &Patch, song: &MidiSong, voices: usize, frames: usize, chunk: usize) -> Vec<f32> {
    let mut playback = Playback::new(
        patch.clone(),
        &settings(voices),
        &Limits::default(),
        song.clone(),
    )
    .unwrap();
    let channels = playback.channels();
    let mut out = vec![0.0; frames * channels];
    for buffer in out.chunks_mut(chunk * channels) {
        playback.render(&[], 0, buffer);
    }
    assert_eq!(playback.refused(), 0);
    out
}

/// The song of `patches/poly-synth.mid`: a beat's rest, C4, E4 and A4 a beat each at 120
/// beats per minute, then at 150 (a tempo change in the tempo track) the chord C4 E4 G4 for
/// two beats. Format 1: tempo in track 0, notes in track 1.
fn poly_song() -> Vec<u8> {
    let tempo = Track::new()
        .tempo(0, 500_000)
        .tempo(4 * u32::from(PPQ), 400_000)
        .end(0);
    let beat = u32::from(PPQ);
    let notes = Track::new()
        .note(beat, 60, 100, beat)
        .note(0, 64, 100, beat)
        .note(0, 69, 100, beat)
        .event(0, &[0x90, 60, 100])
        .event(0, &[0x90, 64, 100])
        .event(0, &[0x90, 67, 100])
        .event(2 * beat, &[0x80, 60, 0])
        .event(0, &[0x80, 64, 0])
        .event(0, &[0x80, 67, 0])
        .end(0);
    smf(1, PPQ, &[tempo, notes])
}

/// The song of `patches/drum-kit.mid`: two bars of kick, snare and hats, with a clap, a tom
/// and an open hat, at 120 beats per minute.
fn drum_song() -> Vec<u8> {
    let eighth = u32::from(PPQ) / 2;
    let mut track = Track::new().tempo(0, 500_000);
    for step in 0..16 {
        let mut notes = vec![if step == 15 { 46 } else { 42 }];
        if step % 4 == 0 || step == 11 {
            notes.push(36);
        }
        if step % 4 == 2 {
            notes.push(38);
        }
        if step == 14 {
            notes.extend([39, 45]);
        }
        for (index, &note) in notes.iter().enumerate() {
            track = track.event(
                if index == 0 && step > 0 {
                    eighth / 2
                } else {
                    0
                },
                &[0x99, note, 110],
            );
        }
        for (index, &note) in notes.iter().enumerate() {
            track = track.event(if index == 0 { eighth / 2 } else { 0 }, &[0x89, note, 0]);
        }
    }
    smf(0, PPQ, &[track.end(eighth)])
}

#[test]
fn the_example_songs_are_the_ones_written_here() {
    for (name, song) in [
        ("poly-synth.mid", poly_song()),
        ("drum-kit.mid", drum_song()),
    ] {
        let path = patches_dir().join(name);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &song).unwrap();
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            song,
            "{name}: run with UPDATE_GOLDEN=1"
        );
    }
}

fn poly_synth_song() -> (Patch, MidiSong) {
    let song = file::load(&patches_dir().join("poly-synth.mid"), SR).unwrap();
    (example("poly-synth.lisp"), song)
}

/// The first sample that is not exactly 0.
fn onset(samples: &[f32]) -> Option<usize> {
    samples.iter().position(|&x| x != 0.0)
}

#[test]
fn poly_synth_plays_each_note_and_the_chord_at_its_pitch_and_time() {
    let (patch, song) = poly_synth_song();
    let frames = (song.length + 24_000) as usize;
    let out = play(&patch, &song, 32, frames, 4_096);
    // The first note starts after a beat's rest: silent before it, sounding from it.
    let first = onset(&out).unwrap();
    println!("first note: first sample at {first} (note on at {BEAT})");
    assert!(
        (BEAT as usize..=BEAT as usize + 1).contains(&first),
        "{first}"
    );
    // Each single note, measured after the previous note's release (0.25 s) is over.
    for (beat, expected) in [(1, 261.63), (2, 329.63), (3, 440.0)] {
        let start = beat * BEAT as usize + 12_480;
        let segment = &out[start..(beat + 1) * BEAT as usize];
        let (found, _) = spectral_peaks(segment, SR, 100.0, 2_000.0, 1)[0];
        println!("beat {beat}: fundamental {found:.3} Hz ({expected})");
        assert!((found - expected).abs() < 0.5, "{found} for {expected}");
    }
    // The chord, from beat 4, at 150 beats per minute: 0.4 s a beat.
    let chord = 4 * BEAT as usize;
    let chord_end = chord + 2 * 19_200;
    let peaks = spectral_peaks(&out[chord + 12_480..chord_end], SR, 200.0, 450.0, 3);
    let mut found: Vec<f64> = peaks.iter().map(|p| p.0).collect();
    found.sort_by(f64::total_cmp);
    println!("chord: {found:.3?} (261.63, 329.63, 392.00)");
    for (found, expected) in found.iter().zip([261.63, 329.63, 392.0]) {
        assert!((found - expected).abs() < 0.5, "{found} for {expected}");
    }
    // It ends two beats later at the new tempo, plus the 0.25 s release: had the tempo
    // change been missed, it would sound 0.2 s longer.
    let last = out.iter().rposition(|&x| x != 0.0).unwrap();
    println!("last sound at {last} (chord off at {chord_end}, release 12000)");
    assert!(
        (chord_end + 12_000 - 2..=chord_end + 12_000 + 2).contains(&last),
        "{last}"
    );
    assert_eq!(song.length, chord_end as u64);
}

#[test]
fn note_timing_does_not_depend_on_the_host_s_buffer_sizes() {
    let (patch, mut song) = poly_synth_song();
    // A bend and a brightness change mid-song, between samples of no block boundary.
    song.events.push(file::SongEvent {
        time: 50_003,
        message: [0xE0, 0, 0x50],
    });
    song.events.push(file::SongEvent {
        time: 70_001,
        message: [0xB0, 74, 20],
    });
    song.events.sort_by_key(|event| event.time);
    let frames = 100_000;
    let whole = play(&patch, &song, 8, frames, 64);
    for chunk in [1, 7, 4_096] {
        let other = play(&patch, &song, 8, frames, chunk);
        let same = whole
            .iter()
            .zip(&other)
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same, "buffers of {chunk} frames change the samples");
    }
    assert_eq!(
        onset(&whole),
        Some(BEAT as usize + usize::from(whole[BEAT as usize] == 0.0))
    );
}

const SINES: &str = r#"(patch
  (nodes (mix (type "gain") (amp 0.25)) (out (type "output")))
  (connections (sines "out" -> mix "in") (mix "out" -> out "in"))
  (voice sines
    (nodes (note (type "voice")) (osc (type "osc.sine")) (vca (type "mul")))
    (connections (note "pitch" -> osc "freq") (osc "out" -> vca "a") (note "gate" -> vca "b"))
    (outputs (out vca "out")))
  MIDI)
"#;

fn sines(midi: &str) -> Patch {
    let text = SINES.replace("MIDI", midi);
    Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .unwrap()
}

fn engine(patch: Patch, voices: usize) -> (Controller, AudioHalf) {
    let (mut controller, audio) = mono_with_voices(voices);
    controller.load_patch(patch).unwrap();
    (controller, audio)
}

/// The pitches sounding in `samples`, lowest first: spectral peaks above a tenth of a voice.
fn pitches(samples: &[f32]) -> Vec<f64> {
    let mut found: Vec<f64> = spectral_peaks(samples, SR, 100.0, 1_200.0, 6)
        .into_iter()
        .filter(|&(_, level)| level > 0.025)
        .map(|(f, _)| f)
        .collect();
    found.sort_by(f64::total_cmp);
    found
}

fn assert_pitches(found: &[f64], notes: &[u8]) {
    let expected: Vec<f64> = notes
        .iter()
        .map(|&n| 440.0 * ((f64::from(n) - 69.0) / 12.0).exp2())
        .collect();
    assert_eq!(found.len(), expected.len(), "{found:?} for notes {notes:?}");
    for (found, expected) in found.iter().zip(&expected) {
        assert!((found - expected).abs() < 0.5, "{found} for {expected}");
    }
}

#[test]
fn voices_are_taken_free_first_then_released_then_the_oldest_held() {
    let (mut c, mut audio) = engine(sines(""), 2);
    c.note_on(60, 127, At::Sample(0)).unwrap();
    c.note_on(64, 127, At::Sample(0)).unwrap();
    c.note_off(60, At::Sample(4_800)).unwrap();
    // Two voices, both used: 67 takes the released voice, not the held 64.
    c.note_on(67, 127, At::Sample(4_800)).unwrap();
    // None free or released: 72 steals the oldest held voice, 64's.
    c.note_on(72, 127, At::Sample(9_600)).unwrap();
    let out = render(&mut audio, 14_400);
    assert_pitches(&pitches(&out[1_200..4_800]), &[60, 64]);
    assert_pitches(&pitches(&out[6_000..9_600]), &[64, 67]);
    assert_pitches(&pitches(&out[10_800..14_400]), &[67, 72]);
    assert_eq!(c.active_voices(), 2);
}

#[test]
fn the_sustain_pedal_holds_released_notes_until_it_lifts() {
    let (mut c, mut audio) = engine(sines(""), 4);
    for (message, at) in [
        ([0x90, 60, 127], 0),
        ([0xB0, 64, 127], 1_000),
        ([0x80, 60, 0], 2_000),
        ([0x90, 67, 127], 3_000),
        ([0x80, 67, 0], 3_500),
        ([0xB0, 64, 0], 4_800),
    ] {
        c.midi(&message, At::Sample(at)).unwrap();
    }
    assert_eq!(c.active_voices(), 0);
    let out = render(&mut audio, 9_600);
    let db = |x: &[f32]| 20.0 * spectral_peaks(x, SR, 200.0, 300.0, 1)[0].1.log10();
    let (held, kept) = (db(&out[0..1_000]), db(&out[2_000..3_000]));
    println!("level held {held:.2} dB, after note off under the pedal {kept:.2} dB");
    assert!((held - kept).abs() < 0.1);
    assert_pitches(&pitches(&out[3_500..4_800]), &[60, 67]);
    // Every gate closes as the pedal lifts: silence from that very sample.
    assert!(out[4_700..4_800].iter().any(|&x| x != 0.0));
    assert!(out[4_800..].iter().all(|&x| x == 0.0));
}

#[test]
fn tuning_and_pitch_bend_set_voice_pitch() {
    let (mut c, mut audio) = engine(sines("(midi (tuning 432) (bend-range 12))"), 4);
    c.note_on(69, 127, At::Sample(0)).unwrap();
    c.midi(&[0xE0, 0, 0], At::Sample(4_800)).unwrap();
    c.midi(&[0xE0, 0x7F, 0x7F], At::Sample(9_600)).unwrap();
    // A note played while bent starts bent.
    c.note_on(57, 127, At::Sample(9_600)).unwrap();
    let out = render(&mut audio, 14_400);
    let top = |x: &[f32]| pitches(x);
    let a4 = top(&out[1_200..4_800]);
    let down = top(&out[6_000..9_600]);
    let up = top(&out[10_800..14_400]);
    println!("A4 at 432: {a4:?}; bent down an octave: {down:?}; bent up, with A3: {up:?}");
    assert!((a4[0] - 432.0).abs() < 0.5 && (down[0] - 216.0).abs() < 0.5);
    // Fully up is 8191/8192 of the range: 11.9985 semitones.
    let up_ratio = (11.998_535 / 12.0_f64).exp2();
    assert!((up[0] - 216.0 * up_ratio).abs() < 0.5, "{up:?}");
    assert!((up[1] - 432.0 * up_ratio).abs() < 0.5, "{up:?}");
}

/// The RBJ low-pass's gain at `f` Hz for cutoff `fc` and resonance `q`, at 48 kHz.
fn lowpass_db(f: f64, fc: f64, q: f64) -> f64 {
    let w0 = std::f64::consts::TAU * fc / SR;
    let alpha = w0.sin() / (2.0 * q);
    let (b0, b1, b2) = (
        (1.0 - w0.cos()) / 2.0,
        1.0 - w0.cos(),
        (1.0 - w0.cos()) / 2.0,
    );
    let (a0, a1, a2) = (1.0 + alpha, -2.0 * w0.cos(), 1.0 - alpha);
    let w = std::f64::consts::TAU * f / SR;
    let response = |c: [f64; 3]| {
        let re = c[0] + c[1] * w.cos() + c[2] * (2.0 * w).cos();
        let im = -c[1] * w.sin() - c[2] * (2.0 * w).sin();
        (re * re + im * im).sqrt()
    };
    20.0 * (response([b0, b1, b2]) / response([a0, a1, a2])).log10()
}

#[test]
fn a_control_change_moves_the_bound_cutoff_measured_as_attenuation() {
    // A3 held on poly-synth; its 20th harmonic (4400 Hz) against its fundamental, with CC 74
    // at 0 (cutoff 200 + 2500·0.6 = 1700 Hz while the envelope sustains) and at 127 (5500).
    let mut relative = Vec::new();
    for value in [0, 127] {
        let (mut c, mut audio) = engine(example("poly-synth.lisp"), 1);
        c.midi(&[0xB0, 74, value], At::Sample(0)).unwrap();
        c.midi(&[0x90, 57, 127], At::Sample(0)).unwrap();
        let out = render(&mut audio, 48_000);
        let level = |lo: f64, hi: f64| spectral_peaks(&out[24_000..], SR, lo, hi, 1)[0].1;
        relative.push(20.0 * (level(4_390.0, 4_410.0) / level(210.0, 230.0)).log10());
    }
    let measured = relative[1] - relative[0];
    let expected = lowpass_db(4_400.0, 5_500.0, 1.5) - lowpass_db(4_400.0, 1_700.0, 1.5);
    println!(
        "CC 74 0 -> 127: the 20th harmonic rises {measured:.2} dB ({expected:.2} dB by the filter's response)"
    );
    assert!(
        (measured - expected).abs() < 1.0,
        "{measured} vs {expected}"
    );
}

#[test]
fn without_a_template_voice_nodes_follow_the_last_note_held() {
    let text = r#"(patch (nodes (note (type "voice")) (osc (type "osc.sine")) (vca (type "mul"))
                          (out (type "output")))
                   (connections (note "pitch" -> osc "freq") (osc "out" -> vca "a")
                                (note "gate" -> vca "b") (vca "out" -> out "in")))"#;
    let patch = Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .unwrap();
    let (mut c, mut audio) = engine(patch, 32);
    c.note_on(60, 127, At::Sample(0)).unwrap();
    c.note_on(64, 127, At::Sample(4_800)).unwrap();
    c.note_off(64, At::Sample(9_600)).unwrap();
    c.note_off(60, At::Sample(14_400)).unwrap();
    let out = render(&mut audio, 19_200);
    let one = |x: &[f32]| spectral_peaks(x, SR, 100.0, 1_000.0, 1)[0].0;
    assert!((one(&out[1_200..4_800]) - 261.63).abs() < 0.5);
    assert!((one(&out[6_000..9_600]) - 329.63).abs() < 0.5);
    assert!(
        (one(&out[10_800..14_400]) - 261.63).abs() < 0.5,
        "back to the note held"
    );
    assert!(out[14_400..].iter().all(|&x| x == 0.0));
    assert_eq!(c.active_voices(), 0, "no template, no voices");
}

#[test]
fn drum_notes_start_their_drums_on_their_samples() {
    let patch = example("drum-kit.lisp");
    for note in [36, 38, 39, 42, 45, 46] {
        let beat = u32::from(PPQ);
        let bytes = smf(
            0,
            PPQ,
            &[Track::new()
                .note(beat, note, 100, beat)
                .note(0, note, 100, beat)
                .end(0)],
        );
        let song = file::read(&bytes, SR).unwrap();
        let out = play(&patch, &song, 1, 3 * BEAT as usize, 64);
        let hit = BEAT as usize;
        assert!(
            out[..hit].iter().all(|&x| x == 0.0),
            "note {note}: silent before"
        );
        let first = onset(&out).unwrap();
        assert!(first <= hit + 2, "note {note} sounds from {first}");
        // Released and struck again on the same tick: the drum starts again.
        let again = 2 * hit;
        let before = rms(&out[again - 1_000..again]);
        let after = rms(&out[again..again + 1_000]);
        println!(
            "note {note}: onset {first}, level before the second hit {before:.5}, after {after:.5}"
        );
        assert!(after > 3.0 * before, "note {note} restarts");
    }
    // The example song plays (its kicks are below 200 Hz, its hats above 5 kHz).
    let song = file::load(&patches_dir().join("drum-kit.mid"), SR).unwrap();
    let out = play(&patch, &song, 1, song.length as usize, 4_096);
    assert!(rms(&out) > 0.01);
}

#[test]
fn garbage_and_unknown_messages_are_ignored_and_counted() {
    let (mut c, mut audio) = engine(sines(""), 4);
    let garbage: [&[u8]; 6] = [
        &[],
        &[0xF8],
        &[0xC0, 1],
        &[0x90, 200, 1],
        &[0x90, 60],
        &[0xFF; 9],
    ];
    for message in garbage {
        c.midi(message, At::Now).unwrap();
    }
    assert_eq!(c.ignored_midi(), 6);
    assert!(render(&mut audio, 1_000).iter().all(|&x| x == 0.0));
}

#[test]
fn a_bound_note_played_again_now_within_one_block_retriggers() {
    // Live input sends its messages "now". A drum pad's note off and next note on arriving
    // between two blocks must still show the bound trigger a fall and a new rise; both at
    // the block's first sample, the trigger would never leave its high value.
    let text = r#"(patch (nodes (hit (type "gain")) (out (type "output")))
        (connections (hit "out" -> out "in"))
        (midi (note 36 -> hit "in" 0 1)))"#;
    let (mut controller, mut audio) = Engine::new(
        EngineSettings {
            channels: 1,
            ..EngineSettings::default()
        },
        Limits::default(),
    );
    controller
        .load_text(text.as_bytes(), Format::Sexpr)
        .unwrap();
    let mut block = [0.0_f32; 64];
    controller.midi(&[0x99, 36, 127], At::Now).unwrap();
    audio.process(&mut block);
    assert!(block.iter().all(|&s| s == 1.0), "{block:?}");
    controller.midi(&[0x89, 36, 0], At::Now).unwrap();
    controller.midi(&[0x99, 36, 127], At::Now).unwrap();
    audio.process(&mut block);
    let low = block.iter().position(|&s| s == 0.0);
    let high = block.iter().rposition(|&s| s == 1.0);
    assert!(
        matches!((low, high), (Some(l), Some(h)) if l < h),
        "no fall then rise: {:?}",
        &block[..4]
    );
}

/// The peak level of `samples` in dB full scale.
fn dbfs(samples: &[f32]) -> f64 {
    20.0 * f64::from(peak(samples)).max(1e-12).log10()
}

/// When the chord of [`chord_then_control`] is stopped: 0.2 s in.
const STOP: usize = 9_600;

/// `poly-synth` (release 0.25 s) holding a chord, then control change `number` at
/// [`STOP`], then, 0.5 s later, when every release has ended, one more note: the samples from
/// `STOP` on.
fn chord_then_control(number: u8) -> Vec<f32> {
    let (mut c, mut audio) = engine(example("poly-synth.lisp"), 4);
    for note in [60, 64, 67] {
        c.note_on(note, 100, At::Sample(0)).unwrap();
    }
    c.control_change(number, 0, At::Sample(STOP as u64))
        .unwrap();
    assert_eq!(c.active_voices(), 0);
    c.note_on(72, 100, At::Sample((STOP + 24_000) as u64))
        .unwrap();
    render(&mut audio, STOP + 36_000)[STOP..].to_vec()
}

#[test]
fn all_sound_off_silences_at_once_while_all_notes_off_releases() {
    const BLOCK: usize = 64;
    const RELEASE: usize = 12_000;
    let cut = chord_then_control(120);
    let released = chord_then_control(123);
    let after_cut = dbfs(&cut[BLOCK..24_000]);
    let rms_db = |samples: &[f32]| 20.0 * rms(samples).max(1e-12).log10();
    let (first, halfway, ended) = (
        rms_db(&released[..1_000]),
        rms_db(&released[RELEASE / 2..RELEASE / 2 + 1_000]),
        dbfs(&released[RELEASE + BLOCK..24_000]),
    );
    println!(
        "all sound off: {after_cut:.1} dBFS from one block on; all notes off: {first:.1} dB \
         RMS as the release starts, {halfway:.1} halfway through it, {ended:.1} dBFS after it"
    );
    assert!(after_cut < -90.0);
    assert!(first > -30.0 && halfway < first - 3.0 && halfway > -60.0);
    assert!(ended < -90.0);
    // The next note plays as loud either way: the cut lasts until it.
    let (next_cut, next_released) = (dbfs(&cut[24_000..]), dbfs(&released[24_000..]));
    assert!(
        next_cut > -30.0 && next_cut == next_released,
        "{next_cut} {next_released}"
    );
}

#[test]
fn held_notes_follow_what_plays_when_a_gate_event_is_dropped() {
    // Room for one note's three events (pitch, velocity, gate) at a time.
    let settings = EngineSettings {
        channels: 1,
        voices: 4,
        event_capacity: 3,
        ..EngineSettings::default()
    };
    let (mut c, mut audio) = Engine::new(settings, Limits::default());
    c.load_patch(sines("")).unwrap();
    c.note_on(60, 127, At::Now).unwrap();
    // The queue is full: 64's gate cannot open, so no voice plays it; the call says so.
    let dropped = c.note_on(64, 127, At::Now).unwrap_err();
    assert!(
        matches!(dropped, EngineError::EventsDropped(3)),
        "{dropped:?}"
    );
    assert_eq!(c.active_voices(), 1);
    assert_pitches(&pitches(&render(&mut audio, 4_800)[1_200..]), &[60]);
    c.note_on(67, 127, At::Now).unwrap();
    // Full again: 60's gate cannot close, so it still holds its voice, and sounds.
    let dropped = c.note_off(60, At::Now).unwrap_err();
    assert!(
        matches!(dropped, EngineError::EventsDropped(1)),
        "{dropped:?}"
    );
    assert_eq!(c.active_voices(), 2);
    assert_pitches(&pitches(&render(&mut audio, 4_800)[1_200..]), &[60, 67]);
    // The next note off of 60 closes it.
    c.note_off(60, At::Now).unwrap();
    assert_eq!(c.active_voices(), 1);
    let out = render(&mut audio, 9_600);
    assert_pitches(&pitches(&out[4_800..]), &[67]);
}
