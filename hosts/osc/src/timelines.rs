//! The timeline and clip addresses: `/timeline/play s(name) [f(beat)]`, `/timeline/stop
//! s(name)`, `/timeline/seek s(name) f(beat)` (events, at the bundle's time tag or the next
//! block), and `/clip/add s(timeline) s(json)`, `/clip/update s(timeline) s(json)` (the clip
//! whose id the JSON names), `/clip/remove s(timeline) s(id)` (undoable edits). A clip is the
//! C ABI's JSON map, `{"id": "c1", "file": "kick.wav", "position": 4, "gain": -6}`.

use super::command::{Command, Refused};
use patchvm_engine::clip_from_json;
use patchvm_ir::timelines::Clip;
use rosc::OscType;

/// What a timeline address asks.
#[derive(Clone, Debug, PartialEq)]
pub enum TimelineAction {
    /// Play, from this beat if given, else from where it stopped.
    Play(Option<f64>),
    /// Stop where it is.
    Stop,
    /// Move the playhead to this beat.
    Seek(f64),
}

/// What a clip address asks.
#[derive(Clone, Debug, PartialEq)]
pub enum ClipEdit {
    /// Add this clip.
    Add(Box<Clip>),
    /// Replace the clip of this one's id.
    Update(Box<Clip>),
    /// Remove the clip of this id.
    Remove(String),
}

/// The command `address` with `args` stands for; `Ok(None)` if the arguments are not of
/// the address's types.
pub(crate) fn parse(address: &str, args: &[OscType]) -> Result<Option<Command>, Refused> {
    let beat = |arg: &OscType| match arg {
        OscType::Float(x) => Some(f64::from(*x)),
        OscType::Double(x) => Some(*x),
        OscType::Int(x) => Some(f64::from(*x)),
        _ => None,
    };
    let timeline = |name: &String, action| {
        Some(Command::Timeline {
            name: name.clone(),
            action,
        })
    };
    let clip = |timeline: &String, edit| {
        Some(Command::Clip {
            timeline: timeline.clone(),
            edit,
        })
    };
    let read = |json: &str| {
        clip_from_json(json)
            .map(Box::new)
            .map_err(|error| Refused::BadValue(error.to_string()))
    };
    Ok(match (address, args) {
        ("/timeline/play", [OscType::String(name)]) => timeline(name, TimelineAction::Play(None)),
        ("/timeline/play", [OscType::String(name), at]) => {
            beat(at).and_then(|at| timeline(name, TimelineAction::Play(Some(at))))
        }
        ("/timeline/stop", [OscType::String(name)]) => timeline(name, TimelineAction::Stop),
        ("/timeline/seek", [OscType::String(name), at]) => {
            beat(at).and_then(|at| timeline(name, TimelineAction::Seek(at)))
        }
        ("/clip/add", [OscType::String(name), OscType::String(json)]) => {
            clip(name, ClipEdit::Add(read(json)?))
        }
        ("/clip/update", [OscType::String(name), OscType::String(json)]) => {
            clip(name, ClipEdit::Update(read(json)?))
        }
        ("/clip/remove", [OscType::String(name), OscType::String(id)]) => {
            clip(name, ClipEdit::Remove(id.clone()))
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> OscType {
        OscType::String(text.into())
    }

    #[test]
    fn timeline_and_clip_addresses_read_their_arguments() {
        let command = |name: &str, action| Command::Timeline {
            name: name.into(),
            action,
        };
        assert_eq!(
            parse("/timeline/play", &[s("main"), OscType::Float(4.0)]).unwrap(),
            Some(command("main", TimelineAction::Play(Some(4.0))))
        );
        assert_eq!(
            parse("/timeline/play", &[s("main")]).unwrap(),
            Some(command("main", TimelineAction::Play(None)))
        );
        assert_eq!(
            parse("/timeline/seek", &[s("drums"), OscType::Int(8)]).unwrap(),
            Some(command("drums", TimelineAction::Seek(8.0)))
        );
        assert_eq!(parse("/timeline/seek", &[s("drums")]).unwrap(), None);
        let Some(Command::Clip {
            timeline,
            edit: ClipEdit::Add(clip),
        }) = parse(
            "/clip/add",
            &[
                s("main"),
                s(r#"{"id": "c1", "file": "kick.wav", "gain": -6}"#),
            ],
        )
        .unwrap()
        else {
            panic!("a clip");
        };
        assert_eq!(
            (timeline.as_str(), clip.id.text.as_str(), clip.gain),
            ("main", "c1", -6.0)
        );
        let Err(Refused::BadValue(message)) =
            parse("/clip/update", &[s("main"), s(r#"{"id": "c1"}"#)])
        else {
            panic!("a clip without a file");
        };
        assert!(message.contains("a clip needs `file`"), "{message}");
    }
}
