//! Recordings measured: takes equal to what the engine played, frame for frame, from the
//! sample they started at; the state machine's refusals; RF64; input takes placed by the
//! latency and found in the audio-file cache; the audio half never allocating through it all.

use super::wav_file::read_back;
use super::{Latency, RecordRequest, RecordSource, Take};
use crate::{AudioHalf, Controller, Engine, EngineSettings, Instance, Prepared, Settings};
use assert_no_alloc::assert_no_alloc;
use patchvm_ir::{Format, Limits};
use std::path::PathBuf;
use std::time::Duration;

/// Left: a 440 Hz sine at 0.5; right: a 660 Hz sine at 0.25.
const SINES: &str = r#"(patch
  (nodes
    (a (type "osc.sine") (freq 440)) (ga (type "gain") (amp 0.5))
    (b (type "osc.sine") (freq 660)) (gb (type "gain") (amp 0.25))
    (out (type "output")))
  (connections (a "out" -> ga "in") (ga "out" -> out "left")
               (b "out" -> gb "in") (gb "out" -> out "right")))"#;

fn folder(name: &str) -> PathBuf {
    let folder =
        std::env::temp_dir().join(format!("patchvm-recorder-{name}-{}", std::process::id()));
    let _absent = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

fn engine(channels: usize, patch: &str) -> (Controller, AudioHalf) {
    let (mut controller, audio) = Engine::new(
        EngineSettings {
            channels,
            ..EngineSettings::default()
        },
        Limits::default(),
    );
    controller
        .load_text(patch.as_bytes(), Format::Sexpr)
        .unwrap();
    (controller, audio)
}

fn request(id: &str, source: RecordSource, path: PathBuf) -> RecordRequest {
    RecordRequest {
        id: id.into(),
        source,
        path,
        timeline: None,
    }
}

/// Renders `frames` frames in buffers of `buffer` frames without allocating, appending the
/// interleaved output to `played`; the host input of frame `t` is `input(t)` on its one
/// channel.
fn play(audio: &mut AudioHalf, frames: usize, buffer: usize, played: &mut Vec<f32>) {
    let channels = audio.channels();
    let mut output = vec![0.0_f32; buffer * channels];
    let mut input = vec![0.0_f32; buffer];
    let mut done = 0;
    while done < frames {
        let n = buffer.min(frames - done);
        let first = audio.time();
        for (i, sample) in input[..n].iter_mut().enumerate() {
            *sample = input_sample(first + i as u64);
        }
        assert_no_alloc(|| audio.process_with_input(&input[..n], 1, &mut output[..n * channels]));
        played.extend_from_slice(&output[..n * channels]);
        done += n;
    }
}

/// The host input at engine sample `t`: every sample of a second different.
fn input_sample(t: u64) -> f32 {
    (t % 48_000) as f32 / 48_000.0 - 0.5
}

/// Waits for the writer to finish the takes asked for.
fn takes(controller: &mut Controller, count: usize) -> Vec<Take> {
    let mut done = Vec::new();
    for _ in 0..5_000 {
        done.extend(controller.take_recordings().into_iter().map(Result::unwrap));
        if done.len() == count {
            return done;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("{} of {count} takes finished", done.len());
}

#[test]
fn a_take_of_the_output_is_what_the_engine_played_bit_for_bit_from_its_first_sample() {
    let dir = folder("output");
    let (mut controller, mut audio) = engine(2, SINES);
    let mut played = Vec::new();
    play(&mut audio, 1_000, 100, &mut played);
    controller
        .record_start(request("t1", RecordSource::Output, dir.join("t1.wav")))
        .unwrap();
    // Buffers of 333 frames: blocks cut at 64 and at every buffer's end.
    play(&mut audio, 48_037, 333, &mut played);
    controller.record_stop_begin("t1").unwrap();
    play(&mut audio, 500, 100, &mut played);
    let take = takes(&mut controller, 1).remove(0);
    // Started at the block after the call (frame 1 000), stopped at the first block after
    // the stop (frame 1 000 + 48 037, the end of a buffer).
    assert_eq!(take.start_sample, 1_000);
    assert_eq!(take.placed_at, 1_000);
    assert_eq!(take.frames, 48_037);
    assert_eq!(take.seconds, 48_037.0 / 48_000.0);
    assert_eq!((take.frames_lost, take.channels), (0, 2));
    let bytes = std::fs::read(&take.path).unwrap();
    assert_eq!(take.hash, blake3::hash(&bytes).to_hex().to_string());
    let (channels, rate, rf64, samples) = read_back(&bytes);
    assert_eq!((channels, rate, rf64), (2, 48_000, false));
    assert_eq!(samples, played[2 * 1_000..2 * 49_037]);
    // The same samples as an offline render of the patch: frame 1 000 on.
    let patch = Format::Sexpr
        .read(SINES.as_bytes(), &Limits::default())
        .unwrap();
    let prepared = Prepared::new(patch, &Settings::default(), &Limits::default()).unwrap();
    let mut instance: Instance = prepared.instantiate().unwrap();
    let mut offline = vec![0.0_f32; 2 * 49_037];
    instance.process_interleaved(&mut offline, 64);
    assert_eq!(samples, offline[2 * 1_000..]);
    // Left is 440 Hz: 880 upward zero crossings... counted over the take's 48 037 frames.
    let rising = samples
        .chunks_exact(2)
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| w[0][0] < 0.0 && w[1][0] >= 0.0)
        .count();
    assert_eq!(rising, 440);
    // The take is in the cache under its id; the file stays idle until started again.
    assert!(controller.recorder_state().is_empty());
}

#[test]
fn illegal_transitions_are_refused_with_e0130_and_change_nothing() {
    let dir = folder("transitions");
    let (mut controller, mut audio) = engine(1, SINES);
    let message = |result: Result<(), super::RecordError>| {
        let error = result.unwrap_err();
        assert_eq!(error.0.code.as_str(), "E0130");
        assert!(error.0.hint.is_some());
        error.0.message
    };
    assert_eq!(
        message(controller.record_stop_begin("nope")),
        "no recording `nope` is running"
    );
    let take = |id: &str| request(id, RecordSource::Output, dir.join(format!("{id}.wav")));
    controller.record_start(take("a")).unwrap();
    assert_eq!(
        message(controller.record_start(take("a"))),
        "recording `a` is already arming"
    );
    play(&mut audio, 64, 64, &mut Vec::new());
    controller.maintain();
    assert_eq!(
        message(controller.record_start(take("a"))),
        "recording `a` is already recording"
    );
    // Two at once, by id.
    controller.record_start(take("b")).unwrap();
    controller.record_stop_begin("a").unwrap();
    assert_eq!(
        message(controller.record_stop_begin("a")),
        "recording `a` is already stopping"
    );
    assert_eq!(
        message(controller.record_start(take("a"))),
        "recording `a` is already stopping"
    );
    let states: Vec<_> = controller
        .recorder_state()
        .into_iter()
        .map(|s| (s.id, s.state))
        .collect();
    assert_eq!(
        states,
        [
            ("a".to_owned(), super::RecordState::Stopping),
            ("b".to_owned(), super::RecordState::Arming)
        ]
    );
    let missing = request("c", RecordSource::Output, dir.join("no/such/folder/c.wav"));
    assert!(message(controller.record_start(missing)).starts_with("cannot create `"));
    play(&mut audio, 64, 64, &mut Vec::new());
    let a = takes(&mut controller, 1).remove(0);
    assert_eq!((a.id.as_str(), a.frames), ("a", 64));
    // `a` is idle again: stopping it is refused, starting it again records anew.
    assert_eq!(
        message(controller.record_stop_begin("a")),
        "no recording `a` is running"
    );
    // Waiting for a take needs an audio half that runs: here none does until told.
    assert_eq!(
        controller.record_stop("b").unwrap_err().0.message,
        "recording `b` is stopping but the audio half did not answer"
    );
    play(&mut audio, 64, 64, &mut Vec::new());
    assert_eq!(takes(&mut controller, 1)[0].frames, 64);
}

#[test]
fn json_requests_are_read_and_their_mistakes_point_at_the_field() {
    let request = RecordRequest::from_json(
        r#"{"id": "take1", "source": "input", "path": "take1.wav", "timeline": "main"}"#,
    )
    .unwrap();
    assert_eq!(request.id, "take1");
    assert_eq!(request.source, RecordSource::Input);
    assert_eq!(request.timeline.as_deref(), Some("main"));
    let text = r#"{"id": "t", "source": "mic", "path": "t.wav"}"#;
    let error = RecordRequest::from_json(text).unwrap_err().0;
    assert_eq!(error.message, "unknown recording source `mic`");
    assert_eq!(
        &text[error.primary.span.start as usize..error.primary.span.end as usize],
        "\"source\""
    );
    assert_eq!(error.hint.as_deref(), Some("expected `output` or `input`"));
    let text = r#"{"id": "t", "source": "input", "path": "t.wav", "gain": 2}"#;
    let error = RecordRequest::from_json(text).unwrap_err().0;
    assert_eq!(error.message, "unknown key `gain` in the recording request");
    assert_eq!(
        &text[error.primary.span.start as usize..error.primary.span.end as usize],
        "\"gain\""
    );
    for bad in [
        "[1]",
        "{",
        r#"{"id": "t", "source": "input"}"#,
        r#"{"id": 3, "source": "input", "path": "p"}"#,
    ] {
        assert_eq!(
            RecordRequest::from_json(bad).unwrap_err().0.code.as_str(),
            "E0130"
        );
    }
}

#[test]
fn a_take_past_the_rf64_threshold_is_rf64_with_every_frame() {
    let dir = folder("rf64");
    let (mut controller, mut audio) = engine(2, SINES);
    // Room for 1 000 stereo frames as plain WAV; 3 000 are recorded.
    controller.set_record_rf64_threshold(super::wav_file::HEADER_BYTES + 8_000);
    controller
        .record_start(request("big", RecordSource::Output, dir.join("big.wav")))
        .unwrap();
    let mut played = Vec::new();
    play(&mut audio, 3_000, 256, &mut played);
    controller.record_stop_begin("big").unwrap();
    play(&mut audio, 64, 64, &mut Vec::new());
    let take = takes(&mut controller, 1).remove(0);
    assert_eq!(take.frames, 3_000);
    let (channels, _, rf64, samples) = read_back(&std::fs::read(&take.path).unwrap());
    assert_eq!((channels, rf64), (2, true));
    assert_eq!(samples, played[..6_000]);
}

/// A timeline with no clips yet, played to the output.
const TIMELINE: &str = r#"(patch
  (nodes (player (type "timeline") (name "main")) (out (type "output")))
  (connections (player "left" -> out "left") (player "right" -> out "right"))
  (timelines (main (bpm 120))))"#;

#[test]
fn an_input_take_is_placed_earlier_by_the_latency_and_can_be_a_clip_at_once() {
    let dir = folder("input");
    let (mut controller, mut audio) = engine(2, TIMELINE);
    controller.set_record_latency(Latency {
        input: 100,
        output: 156,
    });
    play(&mut audio, 1_024, 256, &mut Vec::new());
    controller
        .record_start(RecordRequest {
            timeline: Some("main".into()),
            ..request("take1", RecordSource::Input, dir.join("take1.wav"))
        })
        .unwrap();
    play(&mut audio, 4_800, 480, &mut Vec::new());
    controller.record_stop_begin("take1").unwrap();
    play(&mut audio, 64, 64, &mut Vec::new());
    let take = takes(&mut controller, 1).remove(0);
    assert_eq!((take.start_sample, take.placed_at), (1_024, 1_024 - 256));
    assert_eq!(take.timeline.as_deref(), Some("main"));
    // The mono input on both channels, from the sample the take started at.
    let (_, _, _, samples) = read_back(&std::fs::read(&take.path).unwrap());
    let expected: Vec<f32> = (1_024..1_024 + 4_800)
        .flat_map(|t| [input_sample(t); 2])
        .collect();
    assert_eq!(samples, expected);
    // A clip names the take by its id; the build finds its audio.
    controller
        .clip_add(
            "main",
            crate::clip_from_json(r#"{"id": "c", "file": "take1"}"#).unwrap(),
        )
        .unwrap();
    let audio_file = controller.audio_files().file("take1").unwrap();
    assert_eq!(audio_file.frames(), 4_800);
    assert_eq!(
        audio_file.channel(0)[..3],
        expected[..6].iter().step_by(2).copied().collect::<Vec<_>>()[..]
    );
}

/// Ten minutes of a sine recorded while `2 × cores` threads spin, the audio half on a thread
/// of its own rendering at up to 16 times real time (ten minutes in 37.5 s or more): the
/// writer, competing with the spinning threads for the cores, drains a ring of 16 × 2 s, so
/// it has the wall-clock slack the default 2 s ring gives at real time, and loses no frame.
#[test]
fn ten_minutes_against_busy_threads_lose_no_frame() {
    const FRAMES: u64 = 10 * 60 * 48_000;
    const SPEED: f64 = 16.0;
    let dir = folder("ten-minutes");
    let (mut controller, mut audio) = engine(1, SINES);
    controller.set_record_ring_seconds(super::DEFAULT_RING_SECONDS * SPEED);
    controller
        .record_start(request("long", RecordSource::Output, dir.join("long.wav")))
        .unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let busy: Vec<_> = (0..2 * cores)
        .map(|_| {
            let stop = std::sync::Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut spins = 0_u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    spins = std::hint::black_box(spins.wrapping_add(1));
                }
            })
        })
        .collect();
    let audio = std::thread::spawn(move || {
        let began = std::time::Instant::now();
        let mut output = vec![0.0_f32; 512];
        while audio.time() < FRAMES {
            let n = (FRAMES - audio.time()).min(512) as usize;
            assert_no_alloc(|| audio.process(&mut output[..n]));
            // Paced like a sound card running SPEED times faster.
            let due = Duration::from_secs_f64(audio.time() as f64 / 48_000.0 / SPEED);
            if let Some(wait) = due.checked_sub(began.elapsed()) {
                std::thread::sleep(wait);
            }
        }
        audio
    });
    let mut audio = audio.join().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    busy.into_iter().for_each(|thread| thread.join().unwrap());
    controller.maintain();
    let state = &controller.recorder_state()[0];
    assert_eq!((state.frames, state.frames_lost), (FRAMES, 0));
    controller.record_stop_begin("long").unwrap();
    play(&mut audio, 64, 64, &mut Vec::new());
    let take = takes(&mut controller, 1).remove(0);
    assert_eq!((take.frames, take.frames_lost), (FRAMES, 0));
    assert_eq!(
        std::fs::metadata(&take.path).unwrap().len(),
        super::wav_file::HEADER_BYTES + 4 * FRAMES
    );
    std::fs::remove_file(&take.path).unwrap();
}

#[test]
fn a_take_whose_audio_half_is_gone_ends_with_the_last_frame_it_was_fed() {
    let dir = folder("gone");
    let (mut controller, mut audio) = engine(1, SINES);
    controller
        .record_start(request("t", RecordSource::Output, dir.join("t.wav")))
        .unwrap();
    let mut played = Vec::new();
    play(&mut audio, 1_000, 250, &mut played);
    // The stream stopped: its audio half is dropped (off the audio thread).
    drop(audio);
    let take = controller.record_stop("t").unwrap();
    assert_eq!((take.start_sample, take.frames), (0, 1_000));
    let (_, _, _, samples) = read_back(&std::fs::read(&take.path).unwrap());
    assert_eq!(samples, played);
}
