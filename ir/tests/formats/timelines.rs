//! The timelines section in the three formats: read alike with spans, converted without
//! loss, and refused with `E0123`/`E0124` at the offending text.

use super::*;
use patchvm_ir::timelines::{Clip, Follow, FollowAction, Position, Timeline};

const SEXPR: &str = r#"(patch (timelines
  (main (bpm 90) (tempo (step 8 120))
    (clip c1 (file "kit/kick.wav") (position 4) (offset 0.5) (length 2) (gain -6)
      (pan 0.25) (fade_in 0.01) (fade_out 0.02) (loop true) (follow (choose (2 next) (1 stop))))
    (clip c2 (file "pad.wav") (seconds 1.5) (follow (timeline drums))))
  (drums (bpm 140) (clip k (file "kick.wav") (follow (loop 3))))))"#;
const JSON: &str = r#"{ "timelines": {
  "main": { "bpm": 90, "tempo": [{ "step": 8, "bpm": 120 }], "clips": [
    { "id": "c1", "file": "kit/kick.wav", "position": 4, "offset": 0.5, "length": 2,
      "gain": -6, "pan": 0.25, "fade_in": 0.01, "fade_out": 0.02, "loop": true,
      "stretch": 1, "pitch": 0, "follow": ["choose", [2, "next"], [1, "stop"]] },
    { "id": "c2", "file": "pad.wav", "seconds": 1.5, "loop": false,
      "follow": ["timeline", "drums"] } ] },
  "drums": { "bpm": 140, "clips": [{ "id": "k", "file": "kick.wav", "follow": ["loop", 3] }] } } }"#;

fn expected() -> Vec<Timeline> {
    let mut main = Timeline::new("main", 90.0);
    main.tempo.tempo.push(TempoChange {
        beat: 8.0,
        bpm: 120.0,
        shape: TempoShape::Step,
        span: Span::NONE,
    });
    main.clips.push(Clip {
        offset: 0.5,
        length: Some(2.0),
        gain: -6.0,
        pan: 0.25,
        fade_in: 0.01,
        fade_out: 0.02,
        looping: true,
        follow: FollowAction {
            choices: vec![(2.0, Follow::Next), (1.0, Follow::Stop)],
        },
        ..Clip::new("c1", "kit/kick.wav", 4.0)
    });
    main.clips.push(Clip {
        position: Position::Seconds(1.5),
        follow: FollowAction {
            choices: vec![(1.0, Follow::Timeline(Name::new("drums")))],
        },
        ..Clip::new("c2", "pad.wav", 0.0)
    });
    let mut drums = Timeline::new("drums", 140.0);
    drums.clips.push(Clip {
        follow: FollowAction {
            choices: vec![(1.0, Follow::Loop(3))],
        },
        ..Clip::new("k", "kick.wav", 0.0)
    });
    vec![main, drums]
}

#[test]
fn both_text_forms_read_the_same_timelines_with_spans() {
    let from_sexpr = sexpr::read(SEXPR, &limits()).unwrap();
    let from_json = json::read(JSON, &limits()).unwrap();
    let c1 = &from_sexpr.timelines[0].clips[0];
    assert_eq!(&SEXPR[c1.file.span.range()], r#""kit/kick.wav""#);
    assert_eq!(&SEXPR[c1.spans.gain.range()], "gain -6");
    assert_eq!(&SEXPR[from_sexpr.timelines[1].name.span.range()], "drums");
    let c1 = &from_json.timelines[0].clips[0];
    assert_eq!(&JSON[c1.spans.pan.range()], r#""pan": 0.25"#);
    assert_eq!(&JSON[c1.id.span.range()], r#""c1""#);
    let files: Vec<&str> = patchvm_ir::timelines::files(&from_json.timelines)
        .map(|file| file.text.as_str())
        .collect();
    assert_eq!(files, ["kit/kick.wav", "pad.wav", "kick.wav"]);
    for patch in [from_sexpr, from_json] {
        assert_eq!(patch.without_spans().timelines, expected());
    }
}

#[test]
fn every_format_converts_the_timelines_into_every_other_without_loss() {
    let patch = Patch {
        timelines: expected(),
        ..seed()
    };
    for from in Format::ALL {
        let read = from.read(&from.write(&patch), &limits()).unwrap();
        for to in Format::ALL {
            let again = to.read(&to.write(&read), &limits()).unwrap();
            assert_same(&again, &patch);
        }
    }
}

#[test]
fn reader_mistakes_are_timeline_errors_at_their_text() {
    for (text, under_span, message) in [
        (
            r#"(patch (timelines (main (clip c1 (file "a.wav") (gian -6)))))"#,
            "gian",
            "unknown clip key `gian`",
        ),
        (
            r#"(patch (timelines (main (clip c1 (position 4)))))"#,
            "(clip c1 (position 4))",
            "a clip needs `file`",
        ),
        (
            r#"(patch (timelines (main (clip c1 (file "a.wav") (position 1) (seconds 2)))))"#,
            "seconds",
            "clip sets `seconds` twice",
        ),
        (
            r#"(patch (timelines (main (clip c1 (file "a.wav") (loop yes)))))"#,
            "yes",
            "a clip's `loop` takes `true` or `false`",
        ),
        (
            r#"(patch (timelines (main (clip c1 (file "a.wav") (follow (loop 0))))))"#,
            "0",
            "`loop` takes a whole number of times from 1 to 1000000",
        ),
        (
            r#"(patch (timelines (main (clap c1))))"#,
            "(clap c1)",
            "unknown timeline entry `clap`",
        ),
    ] {
        let problem = sexpr_error(text);
        assert_eq!(problem.code.as_str(), "E0123", "{text}");
        assert_eq!(problem.message, message, "{text}");
        assert_eq!(under(text, &problem), under_span, "{text}");
    }
    for (text, under_span, message) in [
        (
            r#"{ "timelines": { "main": { "clips": [{ "id": "c1", "file": "a.wav", "pan": "left" }] } } }"#,
            r#""left""#,
            "a clip's `pan` takes a number",
        ),
        (
            r#"{ "timelines": [] }"#,
            "[]",
            "expected `timelines` to be an object, found an array",
        ),
    ] {
        let problem = json_error(text);
        assert_eq!(problem.code.as_str(), "E0123", "{text}");
        assert_eq!(problem.message, message, "{text}");
        assert_eq!(under(text, &problem), under_span, "{text}");
    }
}

/// A stretch outside 0.25–4 or a pitch outside ±24 semitones is E0123 at its field, naming
/// the clip and the range; inside them a clip has no problem.
#[test]
fn stretch_and_pitch_out_of_range_are_refused_at_their_values() {
    use patchvm_ir::validate::timelines::clip_problems;
    let text = r#"(patch (timelines (main (clip c1 (file "a.wav") (stretch 5) (pitch -30)))))"#;
    let patch = Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .unwrap();
    let problems = clip_problems(&patch.timelines[0].clips[0], &patch.timelines);
    let found: Vec<_> = problems
        .iter()
        .map(|p| (p.code.as_str(), p.message.as_str(), under(text, p)))
        .collect();
    assert_eq!(
        found,
        [
            (
                "E0123",
                "clip `c1` has `stretch` 5, outside 0.25..=4",
                "stretch 5"
            ),
            (
                "E0123",
                "clip `c1` has `pitch` -30 semitones, outside -24..=24 semitones",
                "pitch -30"
            ),
        ]
    );
    assert_eq!(
        problems[0].hint.as_deref(),
        Some("choose a `stretch` from 0.25 to 4")
    );
    let text = r#"(patch (timelines (main (clip c1 (file "a.wav") (stretch 0.25) (pitch 24)))))"#;
    let patch = Format::Sexpr
        .read(text.as_bytes(), &Limits::default())
        .unwrap();
    assert!(clip_problems(&patch.timelines[0].clips[0], &patch.timelines).is_empty());
}
