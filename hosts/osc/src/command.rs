//! OSC messages read as commands: each address with the argument types it takes.

use super::describe::{describe, sniff};
use super::presets::{self, PresetCommand};
use super::probes::ProbeCommand;
use super::recording::RecordCommand;
use super::timelines::{self, ClipEdit, TimelineAction};
use patchvm_engine::RecallAt;
use patchvm_engine::vm::{Quantize, TransportCommand};
use patchvm_ir::{Edit, Limits};
use rosc::{OscMessage, OscType};

/// One thing an OSC client asks for, with its arguments checked and converted.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// An undoable edit of the patch, the engine's own [`Edit`]:
    ///
    /// - `/patch/load s(text)` (or `b(MessagePack)`): [`Edit::ReplacePatch`], the patch read
    ///   outside the controller's lock;
    /// - `/patch/add s(id) s(type) [s(param) f(value)]…`: [`Edit::AddNode`];
    /// - `/patch/remove s(id)`: [`Edit::RemoveNode`];
    /// - `/patch/connect s s s s` and `/patch/disconnect s s s s`: [`Edit::Connect`] and
    ///   [`Edit::Disconnect`] of `(node, port)` to `(node, port)`;
    /// - `/patch/set s(node) s(param) f(value)`: [`Edit::SetParam`], a parameter's value in
    ///   the patch (any parameter, including those read once when a node is built); with
    ///   `s(text)` for the value, [`Edit::SetText`], a text parameter's text.
    Edit {
        /// The edit (boxed: a patch is large, the other commands small).
        edit: Box<Edit>,
        /// The text a loaded patch was read from, for diagnostics with line:column.
        text: Option<String>,
    },
    /// `/param/set s(node) s(param) f(value)`: a parameter event, at the next block or at
    /// the bundle's time tag; not an edit, so not in the undo history.
    SetParam {
        /// The node's id.
        node: String,
        /// The parameter.
        param: String,
        /// The value.
        value: f32,
    },
    /// `/note/on i(note) f(velocity 0..1)`.
    NoteOn {
        /// MIDI note number.
        note: u8,
        /// MIDI velocity, 0..=127, from the velocity in 0..1.
        velocity: u8,
    },
    /// `/note/off i(note)`.
    NoteOff {
        /// MIDI note number.
        note: u8,
    },
    /// A transport command, at the next block or at the bundle's time tag:
    ///
    /// - `/transport/play` and `/transport/stop`;
    /// - `/transport/seek f(beat)`;
    /// - `/transport/tempo f(bpm)`: at the next beat, or at the time tag if the bundle has
    ///   one (read as `next_beat: true`; carrying it out decides from the tag);
    /// - `/transport/loop f(start) f(end)` in beats, and `/transport/loop` alone, which ends
    ///   the loop.
    Transport(TransportCommand),
    /// `/transport/tap`: a tap of tap tempo, at the next block or at the bundle's time tag;
    /// from the second tap of a series on, the tempo of the taps waits for the next beat.
    Tap,
    /// `/scene/recall s(name) [s("bar"|"now")]`: every value of the patch's scene `name` on
    /// one sample, the next bar line's (the default) or the next block's.
    RecallScene {
        /// The scene.
        name: String,
        /// When it lands.
        at: RecallAt,
    },
    /// `/engine/snapshot s(path)`: the engine's live state written to `path` (see
    /// [`patchvm_engine::Snapshot`]), atomically and after the controller's lock is released;
    /// answered with `/engine/snapshot s(path)`.
    Snapshot {
        /// Where to write it.
        path: String,
    },
    /// `/patch/get`: answered with `/patch/get s(text)`, the patch playing as S-expression.
    GetPatch,
    /// `/patch/save s(path)`: the patch playing written to `path`, in its extension's format.
    SavePatch {
        /// Where to write it.
        path: String,
    },
    /// `/preset/save s(name)`, `/preset/load s(name)`: presets of values beside the patch
    /// (`presets.rs`).
    Preset(PresetCommand),
    /// `/probe/subscribe s(node) s(port) f(rate_hz)`, `/probe/unsubscribe s(node) s(port)`:
    /// a node output answered at a rate (`probes.rs`).
    Probe(ProbeCommand),
    /// `/record/start s(id) s(source) s(path)`, `/record/stop s(id)`: recordings
    /// (`recording.rs`).
    Record(RecordCommand),
    /// `/timeline/play`, `/timeline/stop`, `/timeline/seek`: a command to timeline `name`
    /// (`timelines.rs`).
    Timeline {
        /// The timeline.
        name: String,
        /// What it does.
        action: TimelineAction,
    },
    /// `/clip/add`, `/clip/update`, `/clip/remove`: an undoable edit of a timeline's clips.
    Clip {
        /// The timeline.
        timeline: String,
        /// The edit.
        edit: ClipEdit,
    },
    /// `/engine/fade f(ms)`: how long the next edits fade (a structural edit's crossfade, a
    /// changed value's glide), in milliseconds ([`patchvm_engine::Controller::set_fade`]).
    Fade {
        /// The fade, in milliseconds.
        ms: f64,
    },
    /// `/engine/tail-max f(seconds)`: how long the effects the next structural edits remove
    /// may ring out ([`patchvm_engine::Controller::set_tail_max`]).
    TailMax {
        /// The limit, in seconds.
        seconds: f64,
    },
    /// `/hush`: every output fades to silence within a block until the next program; the
    /// transport goes on.
    Hush,
    /// `/patch/undo`.
    Undo,
    /// `/patch/redo`.
    Redo,
    /// `/ping [any…]`: answered with `/pong` and the same arguments.
    Ping(Vec<OscType>),
    /// `/status`: answered with `/status` and the engine's and server's counters.
    Status,
}

/// Why a message is not a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The server has no such address.
    UnknownAddress,
    /// The address takes other argument types; the message says which.
    WrongArguments(String),
    /// The types are right but a value is not (a note out of 0..=127, a patch that does not
    /// parse); the message says why.
    BadValue(String),
}

/// The addresses and what they take, for messages and the README.
pub const ADDRESSES: &[(&str, &str)] = &[
    ("/patch/load", "s(text) or b(MessagePack)"),
    ("/patch/add", "s(id) s(type), then s(param) f(value) pairs"),
    ("/patch/remove", "s(id)"),
    ("/patch/connect", "s(from) s(port) s(to) s(port)"),
    ("/patch/disconnect", "s(from) s(port) s(to) s(port)"),
    ("/patch/set", "s(node) s(param) f(value) or s(text)"),
    ("/patch/undo", "nothing"),
    ("/patch/redo", "nothing"),
    ("/param/set", "s(node) s(param) f(value)"),
    ("/note/on", "i(note) f(velocity 0..1)"),
    ("/note/off", "i(note)"),
    ("/transport/play", "nothing"),
    ("/transport/stop", "nothing"),
    ("/transport/seek", "f(beat)"),
    ("/transport/tempo", "f(bpm)"),
    ("/transport/tap", "nothing"),
    (
        "/transport/loop",
        "f(start) f(end) in beats, or nothing to end the loop",
    ),
    (
        "/scene/recall",
        "s(name), then s(\"bar\") (the default) or s(\"now\")",
    ),
    ("/timeline/play", "s(name), then f(beat) or nothing"),
    ("/timeline/stop", "s(name)"),
    ("/timeline/seek", "s(name) f(beat)"),
    ("/clip/add", "s(timeline) s(clip as JSON)"),
    ("/clip/update", "s(timeline) s(clip as JSON)"),
    ("/clip/remove", "s(timeline) s(id)"),
    ("/engine/snapshot", "s(path)"),
    ("/patch/get", "nothing"),
    ("/patch/save", "s(path)"),
    ("/engine/fade", "f(ms)"),
    ("/engine/tail-max", "f(seconds)"),
    ("/preset/save", "s(name)"),
    ("/preset/load", "s(name)"),
    ("/probe/subscribe", "s(node) s(port) f(rate in Hz)"),
    ("/probe/unsubscribe", "s(node) s(port)"),
    ("/record/start", "s(id) s(source) s(path)"),
    ("/record/stop", "s(id)"),
    ("/hush", "nothing"),
    ("/ping", "anything, echoed in /pong"),
    ("/status", "nothing"),
];

impl Command {
    /// Whether it changes the patch (an undoable edit), rather than playing an event,
    /// walking the history or asking something.
    pub fn is_edit(&self) -> bool {
        matches!(self, Command::Edit { .. })
    }

    /// Reads `message` as a command; `limits` bound the patch text of `/patch/load`, and
    /// every other string (ids, modules, ports, texts) as the patch readers bound a name or
    /// string ([`Limits::max_string_bytes`]).
    pub fn parse(message: &OscMessage, limits: &Limits) -> Result<Command, Refused> {
        let args = Args {
            address: &message.addr,
            args: &message.args,
        };
        if !matches!(message.addr.as_str(), "/patch/load" | "/ping") {
            check_strings(&message.args, limits)?;
        }
        match message.addr.as_str() {
            "/patch/load" => load(&args, limits),
            "/patch/add" => add(&args).map(Command::edit),
            "/patch/remove" => {
                let [id] = args.texts()?;
                Ok(Command::edit(Edit::RemoveNode { id }))
            }
            "/patch/connect" => {
                let [a, b, c, d] = args.texts()?;
                Ok(Command::edit(Edit::Connect {
                    from: (a, b),
                    to: (c, d),
                }))
            }
            "/patch/disconnect" => {
                let [a, b, c, d] = args.texts()?;
                Ok(Command::edit(Edit::Disconnect {
                    from: (a, b),
                    to: (c, d),
                }))
            }
            "/patch/set" => match message.args.as_slice() {
                [
                    OscType::String(node),
                    OscType::String(param),
                    OscType::String(text),
                ] => Ok(Command::edit(Edit::SetText {
                    node: node.clone(),
                    param: param.clone(),
                    text: text.clone(),
                })),
                _ => {
                    let (node, param, value) = args.setting()?;
                    Ok(Command::edit(Edit::SetParam { node, param, value }))
                }
            },
            "/param/set" => {
                // Any number: the engine holds events to the input's range, whoever sends
                // them, and refuses a value that is not finite with the range it takes.
                let (node, param, value) = args.any_setting()?;
                Ok(Command::SetParam {
                    node,
                    param,
                    value: value as f32,
                })
            }
            "/note/on" => note_on(&args),
            "/note/off" => match message.args.as_slice() {
                [OscType::Int(note)] => Ok(Command::NoteOff {
                    note: note_number(*note)?,
                }),
                _ => Err(args.wrong()),
            },
            "/transport/play" => args.none().map(|()| transport(TransportCommand::Play)),
            "/transport/stop" => args.none().map(|()| transport(TransportCommand::Stop)),
            "/transport/seek" => args
                .numbers::<1>()
                .map(|[beat]| transport(TransportCommand::Seek(beat))),
            "/transport/tempo" => args.numbers::<1>().map(|[bpm]| {
                transport(TransportCommand::Tempo {
                    bpm,
                    next_beat: true,
                })
            }),
            "/transport/tap" => args.none().map(|()| Command::Tap),
            "/transport/loop" => match message.args.is_empty() {
                true => Ok(transport(TransportCommand::LoopOff)),
                false => args
                    .numbers::<2>()
                    .map(|[start, end]| transport(TransportCommand::Loop { start, end })),
            },
            "/scene/recall" => recall(&args),
            "/timeline/play" | "/timeline/stop" | "/timeline/seek" | "/clip/add"
            | "/clip/update" | "/clip/remove" => {
                timelines::parse(&message.addr, &message.args)?.ok_or_else(|| args.wrong())
            }
            "/engine/snapshot" => {
                let [path] = args.texts()?;
                Ok(Command::Snapshot { path })
            }
            "/patch/get" => args.none().map(|()| Command::GetPatch),
            "/patch/save" => args.texts().map(|[path]| Command::SavePatch { path }),
            "/engine/fade" => args.numbers::<1>().map(|[ms]| Command::Fade { ms }),
            "/engine/tail-max" => args
                .numbers::<1>()
                .map(|[seconds]| Command::TailMax { seconds }),
            "/preset/save" | "/preset/load" => {
                let [name] = args.texts()?;
                presets::parse(&message.addr, name)
                    .map(Command::Preset)
                    .ok_or_else(|| args.wrong())
            }
            "/probe/subscribe" => args.setting().map(|(node, port, rate_hz)| {
                Command::Probe(ProbeCommand::Subscribe {
                    node,
                    port,
                    rate_hz,
                })
            }),
            "/probe/unsubscribe" => args
                .texts()
                .map(|[node, port]| Command::Probe(ProbeCommand::Unsubscribe { node, port })),
            "/record/start" => args.texts().map(|[id, source, path]| {
                Command::Record(RecordCommand::Start { id, source, path })
            }),
            "/record/stop" => args
                .texts()
                .map(|[id]| Command::Record(RecordCommand::Stop(id))),
            "/hush" => args.none().map(|()| Command::Hush),
            "/patch/undo" => args.none().map(|()| Command::Undo),
            "/patch/redo" => args.none().map(|()| Command::Redo),
            "/ping" => Ok(Command::Ping(message.args.clone())),
            "/status" => args.none().map(|()| Command::Status),
            _ => Err(Refused::UnknownAddress),
        }
    }

    /// An edit that loads no text.
    fn edit(edit: Edit) -> Command {
        Command::Edit {
            edit: Box::new(edit),
            text: None,
        }
    }
}

/// Refuses a string argument longer than a patch may hold a name or string: an id sent by
/// OSC is held to the limit one read from a file is.
fn check_strings(args: &[OscType], limits: &Limits) -> Result<(), Refused> {
    let longest = args
        .iter()
        .filter_map(|arg| match arg {
            OscType::String(text) => Some(text.len()),
            _ => None,
        })
        .max();
    match longest {
        Some(bytes) if bytes > limits.max_string_bytes => Err(Refused::BadValue(format!(
            "a name or string is {bytes} bytes, over the limit of {} bytes",
            limits.max_string_bytes
        ))),
        _ => Ok(()),
    }
}

fn transport(command: TransportCommand) -> Command {
    Command::Transport(command)
}

fn recall(args: &Args) -> Result<Command, Refused> {
    let (name, at) = match args.args {
        [OscType::String(name)] => (name, "bar"),
        [OscType::String(name), OscType::String(at)] => (name, at.as_str()),
        _ => return Err(args.wrong()),
    };
    let at = match at {
        "bar" => RecallAt::Grid(Quantize::Bars(1)),
        "now" => RecallAt::Now,
        other => {
            return Err(Refused::BadValue(format!(
                "`{other}` is no time to recall a scene; expected `bar` or `now`"
            )));
        }
    };
    Ok(Command::RecallScene {
        name: name.clone(),
        at,
    })
}

fn load(args: &Args, limits: &Limits) -> Result<Command, Refused> {
    let (bytes, format, text) = match args.args {
        [OscType::String(text)] => (text.as_bytes(), sniff(text), Some(text.clone())),
        [OscType::Blob(bytes)] => (bytes.as_slice(), patchvm_ir::Format::MessagePack, None),
        _ => return Err(args.wrong()),
    };
    match format.read(bytes, limits) {
        Ok(patch) => Ok(Command::Edit {
            edit: Box::new(Edit::ReplacePatch(patch)),
            text,
        }),
        Err(diagnostics) => Err(Refused::BadValue(describe(&diagnostics, text.as_deref()))),
    }
}

fn add(args: &Args) -> Result<Edit, Refused> {
    let [OscType::String(id), OscType::String(module), rest @ ..] = args.args else {
        return Err(args.wrong());
    };
    if !rest.len().is_multiple_of(2) {
        return Err(args.wrong());
    }
    let mut params = Vec::with_capacity(rest.len() / 2);
    for pair in rest.chunks_exact(2) {
        let [OscType::String(name), value] = pair else {
            return Err(args.wrong());
        };
        let value = number(value).ok_or_else(|| args.wrong())?;
        // The types are right: a bad value, as for `/param/set`, not a wrong type.
        if !value.is_finite() {
            return Err(Refused::BadValue(format!(
                "value {value} of `{name}` is not finite"
            )));
        }
        params.push((name.clone(), value));
    }
    Ok(Edit::AddNode {
        id: id.clone(),
        module: module.clone(),
        params,
    })
}

fn note_on(args: &Args) -> Result<Command, Refused> {
    let [OscType::Int(note), velocity] = args.args else {
        return Err(args.wrong());
    };
    let velocity = match velocity {
        OscType::Float(v) => f64::from(*v),
        OscType::Double(v) => *v,
        _ => return Err(args.wrong()),
    };
    if !(0.0..=1.0).contains(&velocity) {
        return Err(Refused::BadValue(format!(
            "velocity {velocity} is outside 0..1"
        )));
    }
    Ok(Command::NoteOn {
        note: note_number(*note)?,
        velocity: (velocity * 127.0).round() as u8,
    })
}

fn note_number(note: i32) -> Result<u8, Refused> {
    u8::try_from(note)
        .ok()
        .filter(|&n| n <= 127)
        .ok_or_else(|| Refused::BadValue(format!("note {note} is outside 0..=127")))
}

/// A number given as `f`, `d`, `i` or `h`.
fn number(arg: &OscType) -> Option<f64> {
    match arg {
        OscType::Float(v) => Some(f64::from(*v)),
        OscType::Double(v) => Some(*v),
        OscType::Int(v) => Some(f64::from(*v)),
        OscType::Long(v) => Some(*v as f64),
        _ => None,
    }
}

/// A message's arguments, with the address for error messages.
struct Args<'m> {
    address: &'m str,
    args: &'m [OscType],
}

impl Args<'_> {
    /// Exactly `N` strings.
    fn texts<const N: usize>(&self) -> Result<[String; N], Refused> {
        let texts: Option<Vec<String>> = self
            .args
            .iter()
            .map(|arg| match arg {
                OscType::String(text) => Some(text.clone()),
                _ => None,
            })
            .collect();
        texts
            .and_then(|texts| texts.try_into().ok())
            .ok_or_else(|| self.wrong())
    }

    /// `s(node) s(param)` and a finite number.
    fn setting(&self) -> Result<(String, String, f64), Refused> {
        let (node, param, value) = self.any_setting()?;
        if !value.is_finite() {
            return Err(Refused::BadValue(format!("value {value} is not finite")));
        }
        Ok((node, param, value))
    }

    /// `s(node) s(param)` and a number.
    fn any_setting(&self) -> Result<(String, String, f64), Refused> {
        let [OscType::String(node), OscType::String(param), value] = self.args else {
            return Err(self.wrong());
        };
        let value = number(value).ok_or_else(|| self.wrong())?;
        Ok((node.clone(), param.clone(), value))
    }

    /// Exactly `N` finite numbers.
    fn numbers<const N: usize>(&self) -> Result<[f64; N], Refused> {
        let numbers: Option<Vec<f64>> = self.args.iter().map(number).collect();
        let numbers: [f64; N] = numbers
            .and_then(|numbers| numbers.try_into().ok())
            .ok_or_else(|| self.wrong())?;
        match numbers.iter().find(|value| !value.is_finite()) {
            Some(value) => Err(Refused::BadValue(format!("value {value} is not finite"))),
            None => Ok(numbers),
        }
    }

    fn none(&self) -> Result<(), Refused> {
        if self.args.is_empty() {
            Ok(())
        } else {
            Err(self.wrong())
        }
    }

    fn wrong(&self) -> Refused {
        let takes = ADDRESSES
            .iter()
            .find(|(address, _)| *address == self.address)
            .map_or("", |(_, takes)| takes);
        let got: String = self.args.iter().map(type_tag).collect();
        let got = if got.is_empty() { "nothing" } else { &got };
        Refused::WrongArguments(format!("{} takes {takes}; got {got}", self.address))
    }
}

/// The type tag of an argument, as in the message's type tag string.
fn type_tag(arg: &OscType) -> char {
    match arg {
        OscType::Int(_) => 'i',
        OscType::Float(_) => 'f',
        OscType::String(_) => 's',
        OscType::Blob(_) => 'b',
        OscType::Time(_) => 't',
        OscType::Long(_) => 'h',
        OscType::Double(_) => 'd',
        OscType::Char(_) => 'c',
        OscType::Color(_) => 'r',
        OscType::Midi(_) => 'm',
        OscType::Bool(true) => 'T',
        OscType::Bool(false) => 'F',
        OscType::Array(_) => '[',
        OscType::Nil => 'N',
        OscType::Inf => 'I',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(addr: &str, args: Vec<OscType>) -> Result<Command, Refused> {
        Command::parse(
            &OscMessage {
                addr: addr.into(),
                args,
            },
            &Limits::default(),
        )
    }

    fn s(text: &str) -> OscType {
        OscType::String(text.into())
    }

    #[test]
    fn transport_addresses_read_their_beats_and_tempo() {
        use patchvm_engine::vm::TransportCommand as T;
        assert_eq!(
            parse("/transport/play", vec![]),
            Ok(Command::Transport(T::Play))
        );
        assert_eq!(
            parse("/transport/stop", vec![]),
            Ok(Command::Transport(T::Stop))
        );
        assert_eq!(
            parse("/transport/seek", vec![OscType::Int(16)]),
            Ok(Command::Transport(T::Seek(16.0)))
        );
        assert_eq!(
            parse("/transport/tempo", vec![OscType::Float(137.0)]),
            Ok(Command::Transport(T::Tempo {
                bpm: 137.0,
                next_beat: true
            }))
        );
        assert_eq!(
            parse(
                "/transport/loop",
                vec![OscType::Float(4.0), OscType::Double(8.0)]
            ),
            Ok(Command::Transport(T::Loop {
                start: 4.0,
                end: 8.0
            }))
        );
        assert_eq!(
            parse("/transport/loop", vec![]),
            Ok(Command::Transport(T::LoopOff))
        );
        assert_eq!(parse("/hush", vec![]), Ok(Command::Hush));
        assert_eq!(parse("/transport/tap", vec![]), Ok(Command::Tap));
        assert_eq!(
            parse("/transport/tap", vec![OscType::Int(1)]),
            Err(Refused::WrongArguments(
                "/transport/tap takes nothing; got i".into()
            ))
        );
        assert_eq!(
            parse("/transport/loop", vec![OscType::Float(4.0)]),
            Err(Refused::WrongArguments(
                "/transport/loop takes f(start) f(end) in beats, or nothing to end the loop; got f"
                    .into()
            ))
        );
        assert_eq!(
            parse("/transport/seek", vec![OscType::Double(f64::NAN)]),
            Err(Refused::BadValue("value NaN is not finite".into()))
        );
    }

    #[test]
    fn values_are_taken_as_floats_doubles_and_integers() {
        for value in [
            OscType::Float(2.5),
            OscType::Double(2.5),
            OscType::Int(2),
            OscType::Long(2),
        ] {
            let expected = number(&value).unwrap() as f32;
            assert_eq!(
                parse("/param/set", vec![s("osc1"), s("freq"), value]),
                Ok(Command::SetParam {
                    node: "osc1".into(),
                    param: "freq".into(),
                    value: expected
                })
            );
        }
    }

    #[test]
    fn wrong_types_name_what_the_address_takes() {
        let Err(Refused::WrongArguments(message)) =
            parse("/param/set", vec![s("osc1"), s("freq"), s("high")])
        else {
            panic!("a string value must be refused");
        };
        assert_eq!(
            message,
            "/param/set takes s(node) s(param) f(value); got sss"
        );
        assert!(matches!(
            parse("/patch/remove", vec![]),
            Err(Refused::WrongArguments(_))
        ));
        assert!(matches!(
            parse("/patch/undo", vec![OscType::Int(1)]),
            Err(Refused::WrongArguments(_))
        ));
        assert_eq!(
            parse("/patch/explode", vec![]),
            Err(Refused::UnknownAddress)
        );
    }

    #[test]
    fn notes_and_velocities_are_range_checked() {
        assert_eq!(
            parse("/note/on", vec![OscType::Int(60), OscType::Float(1.0)]),
            Ok(Command::NoteOn {
                note: 60,
                velocity: 127
            })
        );
        for bad in [
            vec![OscType::Int(128), OscType::Float(0.5)],
            vec![OscType::Int(-1), OscType::Float(0.5)],
            vec![OscType::Int(60), OscType::Float(1.5)],
            vec![OscType::Int(60), OscType::Float(f32::NAN)],
        ] {
            assert!(matches!(parse("/note/on", bad), Err(Refused::BadValue(_))));
        }
    }

    #[test]
    fn edit_addresses_read_as_the_engine_s_own_edits() {
        let ports = || vec![s("o1"), s("out"), s("g1"), s("in")];
        let (from, to) = (("o1".into(), "out".into()), ("g1".into(), "in".into()));
        let cases = [
            (
                "/patch/remove",
                vec![s("o1")],
                Edit::RemoveNode { id: "o1".into() },
            ),
            (
                "/patch/connect",
                ports(),
                Edit::Connect {
                    from: from.clone(),
                    to: to.clone(),
                },
            ),
            ("/patch/disconnect", ports(), Edit::Disconnect { from, to }),
            (
                "/patch/set",
                vec![s("g1"), s("amp"), OscType::Double(0.25)],
                Edit::SetParam {
                    node: "g1".into(),
                    param: "amp".into(),
                    value: 0.25,
                },
            ),
            (
                "/patch/set",
                vec![s("drums"), s("pattern"), s("bd [~ sd]")],
                Edit::SetText {
                    node: "drums".into(),
                    param: "pattern".into(),
                    text: "bd [~ sd]".into(),
                },
            ),
        ];
        for (address, args, edit) in cases {
            let command = parse(address, args).unwrap();
            assert!(command.is_edit());
            assert_eq!(command, Command::edit(edit), "{address}");
        }
        let text = "(patch)";
        let Ok(Command::Edit {
            edit,
            text: Some(read),
        }) = parse("/patch/load", vec![s(text)])
        else {
            panic!("a load keeps its text");
        };
        let Edit::ReplacePatch(patch) = *edit else {
            panic!("a load is a patch replacement");
        };
        assert_eq!((patch.nodes.len(), read.as_str()), (0, text));
        assert!(
            !parse("/note/off", vec![OscType::Int(60)])
                .unwrap()
                .is_edit()
        );
    }

    #[test]
    fn add_takes_parameter_pairs() {
        assert_eq!(
            parse(
                "/patch/add",
                vec![s("o2"), s("osc.saw"), s("freq"), OscType::Int(110)]
            ),
            Ok(Command::edit(Edit::AddNode {
                id: "o2".into(),
                module: "osc.saw".into(),
                params: vec![("freq".into(), 110.0)]
            }))
        );
        assert!(matches!(
            parse("/patch/add", vec![s("o2"), s("osc.saw"), s("freq")]),
            Err(Refused::WrongArguments(_))
        ));
        assert_eq!(
            parse(
                "/patch/add",
                vec![s("o2"), s("osc.saw"), s("freq"), OscType::Float(f32::NAN)]
            ),
            Err(Refused::BadValue(
                "value NaN of `freq` is not finite".into()
            ))
        );
    }

    #[test]
    fn names_are_held_to_the_patch_s_string_limit() {
        let limits = Limits::default();
        let at_limit = "n".repeat(limits.max_string_bytes);
        let over = "n".repeat(limits.max_string_bytes + 1);
        let add = |id: &str| parse("/patch/add", vec![s(id), s("osc.saw")]);
        assert!(add(&at_limit).is_ok());
        let refused = Err(Refused::BadValue(format!(
            "a name or string is {} bytes, over the limit of {} bytes",
            limits.max_string_bytes + 1,
            limits.max_string_bytes
        )));
        assert_eq!(add(&over), refused);
        // 60 KB, the audit's id, and every other string of every address but a patch's text.
        let huge = "n".repeat(60_000);
        for (address, args) in [
            ("/patch/add", vec![s(&huge), s("osc.saw")]),
            (
                "/patch/add",
                vec![s("o2"), s("osc.saw"), s(&huge), OscType::Int(1)],
            ),
            ("/patch/remove", vec![s(&huge)]),
            ("/patch/connect", vec![s("a"), s("out"), s(&huge), s("in")]),
            ("/patch/set", vec![s("a"), s("text"), s(&huge)]),
            ("/param/set", vec![s(&huge), s("freq"), OscType::Float(1.0)]),
        ] {
            assert!(
                matches!(parse(address, args), Err(Refused::BadValue(text)) if text.starts_with("a name or string is 60000 bytes")),
                "{address}"
            );
        }
        assert!(matches!(
            parse("/ping", vec![s(&huge)]),
            Ok(Command::Ping(_))
        ));
    }

    #[test]
    fn param_set_leaves_the_value_s_range_to_the_engine() {
        assert_eq!(
            parse(
                "/param/set",
                vec![s("osc1"), s("freq"), OscType::Float(f32::INFINITY)]
            ),
            Ok(Command::SetParam {
                node: "osc1".into(),
                param: "freq".into(),
                value: f32::INFINITY
            })
        );
    }

    #[test]
    fn scenes_are_recalled_on_the_bar_by_default_and_snapshots_take_a_path() {
        let text = |t: &str| OscType::String(t.into());
        let recall = |at| Command::RecallScene {
            name: "verse".into(),
            at,
        };
        assert_eq!(
            parse("/scene/recall", vec![text("verse")]),
            Ok(recall(RecallAt::Grid(Quantize::Bars(1))))
        );
        assert_eq!(
            parse("/scene/recall", vec![text("verse"), text("now")]),
            Ok(recall(RecallAt::Now))
        );
        assert_eq!(
            parse("/scene/recall", vec![OscType::Int(1)]),
            Err(Refused::WrongArguments(
                "/scene/recall takes s(name), then s(\"bar\") (the default) or s(\"now\"); got i"
                    .into()
            ))
        );
        assert_eq!(
            parse("/engine/snapshot", vec![text("/tmp/s.json")]),
            Ok(Command::Snapshot {
                path: "/tmp/s.json".into()
            })
        );
        assert!(parse("/engine/snapshot", vec![]).is_err());
        assert_eq!(
            parse("/engine/fade", vec![OscType::Float(5.0)]),
            Ok(Command::Fade { ms: 5.0 })
        );
        assert_eq!(
            parse("/engine/fade", vec![OscType::Int(40)]),
            Ok(Command::Fade { ms: 40.0 })
        );
        assert!(parse("/engine/fade", vec![]).is_err());
        assert_eq!(
            parse("/engine/tail-max", vec![OscType::Float(0.5)]),
            Ok(Command::TailMax { seconds: 0.5 })
        );
    }
}
