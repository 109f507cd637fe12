//! The player measured: clips on their exact samples, offset, length, gain and pan by hand,
//! two tempi, play, stop and seek the same bits whatever the blocks, follow actions as the
//! exact events (a start of another timeline sent `LEAD` samples before the clip's end).

use super::{Happened, LEAD, TimelineEvent, player::PlayClip, player::Player, tempo_map};
use patchvm_ir::timelines::{Clip, Follow, FollowAction, Position, Timeline};
use patchvm_ir::{Name, TempoChange, TempoShape};
use patchvm_vm::audio::AudioData;
use patchvm_vm::clip_key as key;
use std::sync::Arc;

/// A mono file whose frame `k` is `k / 100000` (distinct, exact in `f32` to the test's needs).
fn ramp(frames: usize, sample_rate: f64) -> Arc<AudioData> {
    let samples = (0..frames).map(|k| k as f32 / 100_000.0).collect();
    Arc::new(AudioData::new(sample_rate, vec![samples]).unwrap())
}

pub(super) fn player(
    timeline: &Timeline,
    data: &Arc<AudioData>,
    sample_rate: f64,
    seed: u64,
) -> Player {
    let tempo = tempo_map(&timeline.tempo);
    let names = ["main", "other"];
    let clips = timeline
        .clips
        .iter()
        .enumerate()
        .map(|(index, clip)| {
            PlayClip::new(
                index as u32,
                clip,
                Some(Arc::clone(data)),
                &tempo,
                sample_rate,
                &names,
            )
        })
        .collect();
    Player::new(clips, tempo, sample_rate, seed)
}

/// Commands as signals: `play`, `jump`, `cue` for each sample.
pub(super) struct Commands {
    pub(super) play: Vec<f32>,
    pub(super) jump: Vec<f32>,
    pub(super) cue: Vec<f32>,
}

impl Commands {
    pub(super) fn playing(samples: usize) -> Commands {
        Commands {
            play: vec![1.0; samples],
            jump: vec![0.0; samples],
            cue: vec![0.0; samples],
        }
    }
}

/// Plays `commands` in blocks of `block`: both channels and every event.
pub(super) fn run(
    player: &mut Player,
    commands: &Commands,
    block: usize,
) -> (Vec<f32>, Vec<f32>, Vec<TimelineEvent>) {
    let samples = commands.play.len();
    let (mut left, mut right) = (vec![0.0; samples], vec![0.0; samples]);
    let mut events = Vec::new();
    for start in (0..samples).step_by(block) {
        let end = (start + block).min(samples);
        let inputs = [
            &commands.play[start..end],
            &commands.jump[start..end],
            &commands.cue[start..end],
        ];
        player.process(inputs, &mut left[start..end], &mut right[start..end]);
        events.extend_from_slice(player.events());
        player.clear_events();
    }
    (left, right, events)
}

const CENTRE: f32 = std::f32::consts::FRAC_1_SQRT_2;

#[test]
fn a_clip_at_beat_4_at_120_bpm_starts_at_sample_96000_at_48_khz() {
    let mut timeline = Timeline::new("main", 120.0);
    timeline.clips.push(Clip::new("c1", "a.wav", 4.0));
    let data = ramp(1000, 48_000.0);
    let mut player = player(&timeline, &data, 48_000.0, 0);
    let (left, right, events) = run(&mut player, &Commands::playing(97_100), 64);
    let first = left.iter().position(|&x| x != 0.0).unwrap();
    // Frame 0 of the ramp is 0: the first sound is frame 1, one sample after the start.
    assert_eq!(first, 96_001);
    assert_eq!(left[96_500], 500.0 / 100_000.0 * CENTRE);
    assert_eq!(right[96_500], left[96_500]);
    assert_eq!(
        events,
        [
            TimelineEvent {
                sample: 96_000,
                what: Happened::Started(key("c1"))
            },
            TimelineEvent {
                sample: 97_000,
                what: Happened::Ended(key("c1"))
            },
        ]
    );
}

#[test]
fn offset_length_gain_and_pan_are_as_written() {
    let rate = 1_000.0;
    let mut timeline = Timeline::new("main", 120.0);
    timeline.clips.push(Clip {
        position: Position::Seconds(0.5),
        offset: 0.1,
        length: Some(0.05),
        gain: -6.0,
        pan: 0.25,
        ..Clip::new("c1", "a.wav", 0.0)
    });
    let data = ramp(1000, rate);
    let (left, right, _) = run(
        &mut player(&timeline, &data, rate, 0),
        &Commands::playing(1000),
        64,
    );
    let level = 10f64.powf(-6.0 / 20.0);
    let angle = 1.25 * std::f64::consts::FRAC_PI_4;
    let (gl, gr) = ((level * angle.cos()) as f32, (level * angle.sin()) as f32);
    for k in 0..1000 {
        let (l, r) = if (500..550).contains(&k) {
            let x = (100 + k - 500) as f32 / 100_000.0;
            (x * gl, x * gr)
        } else {
            (0.0, 0.0)
        };
        assert_eq!((left[k], right[k]), (l, r), "sample {k}");
    }
    // -6 dB, pan 0.25: the right side louder than the left by sin/cos of 5π/16.
    assert!((f64::from(right[520] / left[520]) - 1.4966).abs() < 1e-4);
}

#[test]
fn two_timelines_place_clips_on_their_own_tempo_maps() {
    let rate = 48_000.0;
    let data = ramp(100, rate);
    let mut slow = Timeline::new("main", 90.0);
    slow.clips.push(Clip::new("c", "a.wav", 2.0));
    let mut stepped = Timeline::new("other", 60.0);
    stepped.tempo.tempo.push(TempoChange {
        beat: 2.0,
        bpm: 120.0,
        shape: TempoShape::Step,
        span: patchvm_ir::Span::NONE,
    });
    stepped.clips.push(Clip::new("c", "a.wav", 4.0));
    // Beat 2 at 90 bpm: 4/3 s = 64 000 samples. Beat 4: 2 s at 60, then 1 s at 120 = 144 000.
    for (timeline, start) in [(slow, 64_000), (stepped, 144_000)] {
        let (_, _, events) = run(
            &mut player(&timeline, &data, rate, 0),
            &Commands::playing(150_000),
            256,
        );
        assert_eq!(
            events[0],
            TimelineEvent {
                sample: start,
                what: Happened::Started(key("c"))
            }
        );
    }
}

#[test]
fn play_stop_and_seek_land_on_their_samples_whatever_the_blocks() {
    let rate = 48_000.0;
    let data = ramp(48_000, rate);
    let mut timeline = Timeline::new("main", 120.0);
    timeline.clips.push(Clip::new("c", "a.wav", 0.0));
    let mut commands = Commands::playing(40_000);
    commands.play[10_000..20_000].fill(0.0);
    commands.jump[30_000..].fill(1.0);
    commands.cue[30_000..].fill(1.0);
    let runs: Vec<_> = [64, 256, 1024]
        .map(|block| run(&mut player(&timeline, &data, rate, 0), &commands, block))
        .into();
    for other in &runs[1..] {
        let bits = |x: &[f32]| x.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&other.0), bits(&runs[0].0));
        assert_eq!(other.2, runs[0].2);
    }
    let (left, _, events) = &runs[0];
    let frame = |k: usize| k as f32 / 100_000.0 * CENTRE;
    assert_eq!(left[9_999], frame(9_999));
    // Stopped at 10 000: the clip fades out over 96 samples (2 ms) from where it was.
    assert_eq!(left[10_000], frame(10_000) * (95.0 / 96.0));
    assert_eq!(left[10_095], 0.0);
    assert!(left[10_096..20_000].iter().all(|&x| x == 0.0));
    // Played again at 20 000 from where it stopped.
    assert_eq!(left[20_000], frame(10_000));
    // Seeked at 30 000 to beat 1 (24 000): the new place, plus the cut one fading.
    let expected = frame(24_000) + frame(20_000) * (95.0 / 96.0);
    assert!((left[30_000] - expected).abs() < 1e-7);
    assert_eq!(left[30_200], frame(24_200));
    let at = |sample, what| TimelineEvent { sample, what };
    assert_eq!(
        events,
        &[
            at(0, Happened::Started(key("c"))),
            at(10_000, Happened::Ended(key("c"))),
            at(20_000, Happened::Started(key("c"))),
            at(30_000, Happened::Ended(key("c"))),
            at(30_000, Happened::Started(key("c"))),
        ]
    );
}

fn follows(choices: Vec<(f64, Follow)>) -> FollowAction {
    FollowAction { choices }
}

#[test]
fn follow_actions_give_the_exact_events() {
    let rate = 1_000.0;
    let data = ramp(1000, rate);
    let mut timeline = Timeline::new("main", 120.0);
    let short = |id: &str, beat: f64, follow: Follow| Clip {
        length: Some(0.1),
        follow: follows(vec![(1.0, follow)]),
        ..Clip::new(id, "a.wav", beat)
    };
    // One beat is 500 samples; each clip 100.
    timeline.clips.push(short("a", 0.0, Follow::Loop(2)));
    timeline.clips.push(short("b", 1.0, Follow::Next));
    timeline
        .clips
        .push(short("c", 2.0, Follow::Timeline(Name::new("other"))));
    timeline.clips.push(short("d", 3.0, Follow::Stop));
    timeline.clips.push(short("e", 4.0, Follow::Stop));
    let (_, _, events) = run(
        &mut player(&timeline, &data, rate, 0),
        &Commands::playing(3000),
        64,
    );
    let at = |sample, what| TimelineEvent { sample, what };
    use Happened::*;
    assert_eq!(
        events,
        [
            at(0, Started(key("a"))),
            at(100, Ended(key("a"))),
            at(100, Started(key("a"))),
            at(200, Ended(key("a"))),
            at(200, Started(key("a"))),
            at(300, Ended(key("a"))),
            at(500, Started(key("b"))),
            // `next`: straight to c's start (beat 2) on the same sample.
            at(600, Ended(key("b"))),
            at(600, Started(key("c"))),
            // The start of `other` (the second name) is sent 64 samples before c ends.
            at(700 - LEAD, StartTimeline(1)),
            // Then this timeline hands over: it stops where c ends, and d never plays.
            at(700, Ended(key("c"))),
            at(700, Stopped),
        ]
    );
    // d's `stop`, reached when c has no follow action.
    timeline.clips[2].follow = FollowAction::default();
    let (_, _, events) = run(
        &mut player(&timeline, &data, rate, 0),
        &Commands::playing(3000),
        64,
    );
    // The playhead went on from c's end (timeline 1100) to d at 1500.
    assert_eq!(
        events[events.len() - 3..],
        [
            at(1100, Started(key("d"))),
            at(1200, Ended(key("d"))),
            at(1200, Stopped),
        ]
    );
}

#[test]
fn a_seeded_choice_is_the_same_for_a_seed_and_weighted_across_seeds() {
    let rate = 1_000.0;
    let data = ramp(1000, rate);
    let mut timeline = Timeline::new("main", 120.0);
    timeline.clips.push(Clip {
        length: Some(0.1),
        follow: follows(vec![(3.0, Follow::Stop), (1.0, Follow::Next)]),
        ..Clip::new("a", "a.wav", 0.0)
    });
    timeline.clips.push(Clip::new("b", "a.wav", 1.0));
    let stops = |seed| {
        let (_, _, events) = run(
            &mut player(&timeline, &data, rate, seed),
            &Commands::playing(200),
            64,
        );
        events.iter().any(|event| event.what == Happened::Stopped)
    };
    assert_eq!(stops(7), stops(7));
    let count = (0..1000).filter(|&seed| stops(seed)).count();
    // Weight 3 of 4: 750 expected; 4 standard deviations (55) either side.
    assert!((695..=805).contains(&count), "{count}");
}

#[test]
fn an_edit_changes_the_output_only_from_its_sample_and_keeps_the_survivor_playing() {
    let rate = 48_000.0;
    let ramp = ramp(48_000, rate);
    let flat = Arc::new(AudioData::new(rate, vec![vec![0.5; 48_000]]).unwrap());
    let survivor = Clip::new("a", "ramp.wav", 0.0);
    let cut = Clip::new("b", "flat.wav", 0.0);
    let build = |clips: &[&Clip]| {
        let tempo = tempo_map(&Timeline::new("main", 120.0).tempo);
        let clips = clips
            .iter()
            .enumerate()
            .map(|(index, clip)| {
                let data = if clip.file.text == "ramp.wav" {
                    &ramp
                } else {
                    &flat
                };
                PlayClip::new(
                    index as u32,
                    clip,
                    Some(Arc::clone(data)),
                    &tempo,
                    rate,
                    &[],
                )
            })
            .collect();
        Player::new(clips, tempo, rate, 0)
    };
    let commands = Commands::playing(1000);
    let mut before = build(&[&survivor, &cut]);
    let (head, _, _) = run(&mut before, &commands, 64);
    // The edit removes `b` and moves nothing else: a new player carries on from the old.
    let mut after = build(&[&survivor]);
    after.carry_on_from(&before);
    let (tail, _, events) = run(&mut after, &commands, 64);
    let mut alone = build(&[&survivor]);
    let (reference, _, _) = run(&mut alone, &Commands::playing(2000), 64);
    let mut both = build(&[&survivor, &cut]);
    let (unedited, _, _) = run(&mut both, &Commands::playing(1000), 64);
    assert_eq!(head, unedited, "nothing changes before the edit");
    for k in 0..1000 {
        let fading = if k < 96 {
            0.5 * CENTRE * ((95 - k) as f32 / 96.0)
        } else {
            0.0
        };
        let expected = reference[1000 + k] + fading;
        assert!(
            (tail[k] - expected).abs() < 1e-7,
            "sample {k}: {} vs {expected}",
            tail[k]
        );
    }
    // The survivor is the same bits as if never edited, once the cut one has faded.
    assert_eq!(tail[96..], reference[1096..]);
    assert_eq!(
        events,
        [TimelineEvent {
            sample: 1000,
            what: Happened::Ended(key("b"))
        }]
    );
}
