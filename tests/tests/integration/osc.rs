//! The OSC server driven by a client no one here wrote — Debian's `oscsend` — and by a rosc
//! socket that reads the replies, each change measured from the engine's samples.

use patchvm::engine::{EngineSettings, NoteBinding};
use patchvm::ir::{Format, Patch, PatchBuilder, ValueKind};
use patchvm::osc::schedule::time_tag_in;
use patchvm::vm::MAX_BLOCK;
use patchvm_tests::live::fade;
use patchvm_tests::measure::{frequency, rms};
use patchvm_tests::osc::{Client, Rig, message, oscsend, s};
use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};

const RATE: f64 = 48_000.0;
const SECOND: usize = 48_000;

fn sine(freq: f64) -> Patch {
    PatchBuilder::new()
        .node("osc1", "osc.sine", &[("freq", freq)])
        .node("out", "output", &[])
        .connect(("osc1", "out"), ("out", "in"))
        .build()
}

/// `in · amp` with both inputs unconnected: a level that events set, visible per sample.
fn level(amp: f64) -> Patch {
    PatchBuilder::new()
        .node("g", "gain", &[("in", 1.0), ("amp", amp)])
        .node("out", "output", &[])
        .connect(("g", "out"), ("out", "in"))
        .build()
}

/// The frequency of one second rendered now, past the fade (a swap's crossfade, or a
/// changed value's glide).
fn measured(rig: &mut Rig) -> f64 {
    let samples = rig.render(SECOND);
    frequency(&samples[fade()..], RATE).expect("a periodic signal")
}

fn assert_hz(measured: f64, expected: f64, what: &str) {
    assert!(
        (measured - expected).abs() < 0.5,
        "{what}: measured {measured:.2} Hz, expected {expected} Hz"
    );
}

#[test]
fn param_set_sent_by_oscsend_changes_the_frequency_audibly() {
    let mut rig = Rig::new(sine(440.0));
    assert_hz(measured(&mut rig), 440.0, "before");
    // The value as a float, an integer and a double.
    for (types, value, hz) in [
        ("ssf", "660", 660.0),
        ("ssi", "550", 550.0),
        ("ssd", "330.5", 330.5),
    ] {
        let applied = rig.server.stats().applied;
        oscsend(rig.port(), "/param/set", types, &["osc1", "freq", value]);
        rig.wait_for("/param/set", |stats| stats.applied == applied + 1);
        assert_hz(measured(&mut rig), hz, &format!("after /param/set {types}"));
    }
    let stats = rig.server.stats();
    assert_eq!((stats.datagrams, stats.malformed, stats.failed), (3, 0, 0));
}

#[test]
fn patch_load_sent_by_oscsend_swaps_the_new_patch_in() {
    let mut rig = Rig::new(sine(440.0));
    assert_hz(measured(&mut rig), 440.0, "before");
    let swaps = rig.controller.lock().unwrap().metrics().swaps;
    let lisp = String::from_utf8(Format::Sexpr.write(&sine(330.0))).unwrap();
    let json = String::from_utf8(Format::Json.write(&sine(550.0))).unwrap();
    assert!(json.trim_start().starts_with('{'));
    for (text, hz, loads) in [(&lisp, 330.0, 1), (&json, 550.0, 2)] {
        oscsend(rig.port(), "/patch/load", "s", &[text]);
        rig.wait_for("/patch/load", |stats| stats.applied == loads);
        assert_hz(measured(&mut rig), hz, "after /patch/load");
    }
    assert_eq!(rig.controller.lock().unwrap().metrics().swaps, swaps + 2);
    // Loads are edits: undo goes back to the S-expression's patch.
    oscsend(rig.port(), "/patch/undo", "", &[]);
    rig.wait_for("/patch/undo", |stats| stats.applied == 3);
    assert_hz(measured(&mut rig), 330.0, "after /patch/undo");
}

#[test]
fn bad_commands_are_answered_with_error_messages() {
    let mut rig = Rig::new(sine(440.0));
    let client = Client::new(rig.server.local_addr());
    let error = |addr: &str, args: Vec<OscType>| -> String {
        client.send_message(addr, args);
        let reply = client.receive().expect("an /error reply");
        assert_eq!(reply.addr, "/error", "{addr} answered {reply:?}");
        match reply.args.as_slice() {
            [OscType::String(text)] => text.clone(),
            other => panic!("/error carries one string, not {other:?}"),
        }
    };
    let broken = "(patch\n  (nodes\n    (osc1 (type \"osc.sin\") (freq 440))\n    (out (type \"output\")))\n  (connections (osc1 \"out\" -> out \"in\")))";
    let text = error("/patch/load", vec![s(broken)]);
    assert!(
        text.starts_with("/patch/load: 3:17: [E0101] unknown module `osc.sin`"),
        "{text}"
    );
    let text = error("/patch/load", vec![s("(patch (nodes")]);
    assert!(text.starts_with("/patch/load: 1:"), "{text}");
    let text = error("/patch/remove", vec![s("nope")]);
    assert!(text.contains("nope"), "{text}");
    let text = error("/param/set", vec![s("osc1"), s("freq"), s("high")]);
    assert_eq!(text, "/param/set takes s(node) s(param) f(value); got sss");
    let text = error("/param/set", vec![s("osc1"), s("fre"), OscType::Float(1.0)]);
    assert!(text.contains("no input `fre`"), "{text}");
    let text = error("/patch/add", vec![s("osc2"), s("osc.sin")]);
    assert!(text.contains("E0101"), "{text}");
    let text = error("/note/on", vec![OscType::Int(200), OscType::Float(0.5)]);
    assert!(text.contains("note 200"), "{text}");
    let text = error("/patch/undo", vec![]);
    assert_eq!(text, "/patch/undo: nothing to undo");
    // An unknown address is counted and answered, with the nearest address or the list.
    let text = error("/patch/undoo", vec![]);
    assert_eq!(
        text,
        "/patch/undoo: no such address; did you mean `/patch/undo`?"
    );
    let text = error("/explode", vec![]);
    assert!(
        text.starts_with("/explode: no such address; expected one of `/patch/load`"),
        "{text}"
    );
    let stats = rig.server.stats();
    assert_eq!(stats.unknown_address, 2);
    assert_eq!(stats.wrong_arguments, 1);
    assert_eq!(stats.failed, 7);
    assert_eq!(stats.errors_replied, 10);
    assert_eq!(stats.applied, 0);
    // oscsend's bad commands are counted and answered too (to a port it has closed).
    oscsend(rig.port(), "/patch/remove", "s", &["nope"]);
    oscsend(rig.port(), "/note/off", "s", &["sixty"]);
    let stats = rig.wait_for("oscsend's two errors", |stats| stats.errors_replied == 12);
    assert_eq!((stats.failed, stats.wrong_arguments), (8, 2));
}

#[test]
fn a_bundle_applies_its_edits_in_order_as_one_swap_and_one_undo() {
    let mut rig = Rig::new(sine(440.0));
    let client = Client::new(rig.server.local_addr());
    let bundle = OscPacket::Bundle(OscBundle {
        timetag: OscTime::from((0, 1)),
        content: vec![
            message(
                "/patch/add",
                vec![s("osc2"), s("osc.sine"), s("freq"), OscType::Float(880.0)],
            ),
            message(
                "/patch/disconnect",
                vec![s("osc1"), s("out"), s("out"), s("in")],
            ),
            message(
                "/patch/connect",
                vec![s("osc2"), s("out"), s("out"), s("in")],
            ),
        ],
    });
    rig.render(MAX_BLOCK);
    let swaps = rig.controller.lock().unwrap().metrics().swaps;
    client.send(&bundle);
    // The bundle's edits all succeed; the one swap warns that osc1 is heard no more.
    let replies = client.sync(1);
    assert_eq!(
        replies,
        [OscMessage {
            addr: "/warning".into(),
            args: vec![
                s("W0101"),
                s("node `osc1` reaches no output: its signal is never heard")
            ],
        }]
    );
    assert_hz(measured(&mut rig), 880.0, "after the bundle");
    // Played with one swap: the patch between the disconnection and the connection, with
    // nothing reaching the output, never played.
    let metrics = rig.controller.lock().unwrap().metrics();
    assert_eq!(metrics.swaps, swaps + 1);
    // One step in the history: one undo goes back to osc1, and there is no step before it.
    client.send_message("/patch/undo", vec![]);
    assert!(client.sync(2).is_empty());
    assert_hz(measured(&mut rig), 440.0, "after an undo");
    client.send_message("/patch/undo", vec![]);
    assert_eq!(client.sync(3).len(), 1, "nothing more to undo");
    client.send_message("/patch/redo", vec![]);
    assert!(client.sync(4).is_empty());
    assert_hz(measured(&mut rig), 880.0, "after a redo");
    // `/patch/set` changes the patch itself (undoable); `/param/set` only plays an event.
    client.send_message(
        "/patch/set",
        vec![s("osc2"), s("freq"), OscType::Double(220.0)],
    );
    assert!(client.sync(5).is_empty());
    assert_hz(measured(&mut rig), 220.0, "after /patch/set");
    let patch = rig.controller.lock().unwrap().patch().cloned().unwrap();
    let params = &patch.node("osc2").unwrap().params;
    assert_eq!(params.len(), 1);
    assert_eq!(params[0].name.text, "freq");
    assert_eq!(params[0].value.kind, ValueKind::Number(220.0));
    assert_eq!(rig.server.stats().failed, 1);
}

#[test]
fn a_refused_edit_in_a_bundle_is_answered_alone_and_an_event_after_edits_finds_their_node() {
    let mut rig = Rig::new(sine(440.0));
    rig.render(MAX_BLOCK);
    let swaps = rig.controller.lock().unwrap().metrics().swaps;
    let client = Client::new(rig.server.local_addr());
    client.send(&OscPacket::Bundle(OscBundle {
        timetag: OscTime::from((0, 1)),
        content: vec![
            message(
                "/patch/add",
                vec![s("osc2"), s("osc.sine"), s("freq"), OscType::Float(880.0)],
            ),
            message(
                "/patch/connect",
                vec![s("osc2"), s("out"), s("nobody"), s("in")],
            ),
            message(
                "/patch/disconnect",
                vec![s("osc1"), s("out"), s("out"), s("in")],
            ),
            message(
                "/patch/connect",
                vec![s("osc2"), s("out"), s("out"), s("in")],
            ),
            // An event: the edits before it are played first, so osc2 exists.
            message(
                "/param/set",
                vec![s("osc2"), s("freq"), OscType::Float(660.0)],
            ),
        ],
    }));
    let (errors, warnings): (Vec<OscMessage>, Vec<OscMessage>) = client
        .sync(1)
        .into_iter()
        .partition(|reply| reply.addr == "/error");
    assert_eq!(errors.len(), 1, "{errors:?}");
    // The edits that succeed leave osc1 unheard, which the swap answers with a warning.
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].args[0], s("W0101"));
    assert!(
        matches!(&errors[0].args[..], [OscType::String(text)] if text.starts_with("/patch/connect: ") && text.contains("nobody")),
        "{errors:?}"
    );
    let stats = rig.server.stats();
    assert_eq!((stats.applied, stats.failed), (5, 1), "{stats:?}");
    assert_hz(measured(&mut rig), 660.0, "after the bundle");
    // The edits that were not refused, played with one swap.
    assert_eq!(rig.controller.lock().unwrap().metrics().swaps, swaps + 1);
}

#[test]
fn a_bundle_of_more_edits_than_the_swap_queue_holds_plays_them_all() {
    let mut rig = Rig::new(sine(440.0));
    let before = rms(&rig.render(SECOND)[fade()..]);
    let swaps = rig.controller.lock().unwrap().metrics().swaps;
    // Ten gains of 2^-0.1 in a chain between osc1 and out: 22 edits, more than the 16
    // programs the audio half's queue holds, with no block rendered meanwhile.
    const GAINS: usize = 10;
    let amp = 0.5_f32.powf(1.0 / GAINS as f32);
    let mut content = vec![message(
        "/patch/disconnect",
        vec![s("osc1"), s("out"), s("out"), s("in")],
    )];
    for k in 0..GAINS {
        content.push(message(
            "/patch/add",
            vec![
                s(&format!("g{k}")),
                s("gain"),
                s("amp"),
                OscType::Float(amp),
            ],
        ));
    }
    let chain: Vec<String> = std::iter::once("osc1".to_owned())
        .chain((0..GAINS).map(|k| format!("g{k}")))
        .chain(std::iter::once("out".to_owned()))
        .collect();
    for pair in chain.windows(2) {
        content.push(message(
            "/patch/connect",
            vec![s(&pair[0]), s("out"), s(&pair[1]), s("in")],
        ));
    }
    let edits = content.len();
    assert!(edits > EngineSettings::default().swap_capacity);
    let client = Client::new(rig.server.local_addr());
    client.send(&OscPacket::Bundle(OscBundle {
        timetag: OscTime::from((0, 1)),
        content,
    }));
    let errors = client.sync(1);
    assert!(
        errors.is_empty(),
        "{} errors, first {:?}",
        errors.len(),
        errors.first()
    );
    assert_eq!(rig.server.stats().applied, edits as u64 + 1);
    // Half the level: -6.02 dB.
    let after = rms(&rig.render(SECOND)[fade()..]);
    assert_eq!(rig.controller.lock().unwrap().metrics().swaps, swaps + 1);
    let db = 20.0 * (after / before).log10();
    assert!((db + 6.02).abs() < 0.01, "{db:.3} dB");
    assert_hz(measured(&mut rig), 440.0, "through the chain");
}

#[test]
fn an_event_in_a_bundle_tagged_ahead_lands_that_much_later() {
    let mut rig = Rig::new(level(0.25));
    let client = Client::new(rig.server.local_addr());
    // The first event for `g` recompiles it unfolded (a crossfade): get that done first.
    client.send_message("/param/set", vec![s("g"), s("amp"), OscType::Float(0.25)]);
    client.sync(1);
    rig.render(4 * MAX_BLOCK);
    let ahead = 0.2;
    let tagged = std::time::Instant::now();
    client.send(&OscPacket::Bundle(OscBundle {
        timetag: time_tag_in(ahead),
        content: vec![message(
            "/param/set",
            vec![s("g"), s("amp"), OscType::Float(1.0)],
        )],
    }));
    assert!(client.sync(2).is_empty());
    // The server mapped the tag at some instant before the /pong came back: it lands early
    // by that much at most, however slowly a loaded machine handled it.
    let handled_within = tagged.elapsed().as_secs_f64();
    let samples = rig.render(SECOND);
    let landed = samples
        .iter()
        .position(|&x| x == 1.0)
        .expect("the event lands") as f64;
    assert!(samples[..landed as usize].iter().all(|&x| x == 0.25));
    // The tag was made before sending; the server mapped it a little later, so the event
    // lands a little before 0.2 s — by the time the datagram took to be handled.
    let expected = ahead * RATE;
    assert!(
        (expected - handled_within * RATE - 1.0..=expected + 1.0).contains(&landed),
        "landed {landed} samples after the send, expected about {expected}"
    );
    eprintln!(
        "time-tagged event: landed {landed} samples after the engine time at sending ({:.2} ms early)",
        (expected - landed) / RATE * 1e3
    );
    // A tag more than a minute ahead is refused.
    client.send(&OscPacket::Bundle(OscBundle {
        timetag: time_tag_in(120.0),
        content: vec![message(
            "/param/set",
            vec![s("g"), s("amp"), OscType::Float(0.5)],
        )],
    }));
    let errors = client.sync(3);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(rig.render(SECOND).iter().all(|&x| x == 1.0));
}

#[test]
fn notes_drive_the_bound_frequency() {
    let mut rig = Rig::new(sine(440.0));
    rig.controller.lock().unwrap().bind_notes(NoteBinding {
        freq: Some(("osc1".into(), "freq".into())),
        gate: None,
    });
    let port = rig.port();
    oscsend(port, "/note/on", "if", &["57", "1.0"]);
    rig.wait_for("/note/on 57", |stats| stats.applied == 1);
    assert_hz(measured(&mut rig), 220.0, "note 57");
    oscsend(port, "/note/on", "id", &["81", "0.5"]);
    rig.wait_for("/note/on 81", |stats| stats.applied == 2);
    assert_hz(measured(&mut rig), 880.0, "note 81");
    // Releasing the last note goes back to the one still held.
    oscsend(port, "/note/off", "i", &["81"]);
    rig.wait_for("/note/off 81", |stats| stats.applied == 3);
    assert_hz(measured(&mut rig), 220.0, "note 81 released");
}

#[test]
fn status_answers_with_the_engine_metrics_and_the_server_counters() {
    let mut rig = Rig::new(sine(440.0));
    rig.render(1_000);
    let client = Client::new(rig.server.local_addr());
    client.send_bytes(b"garbage!");
    client.send_message("/status", vec![]);
    let reply = client.receive().expect("a /status reply");
    assert_eq!(reply.addr, "/status");
    let value = |name: &str| -> OscType {
        let at = reply
            .args
            .iter()
            .position(|arg| *arg == s(name))
            .unwrap_or_else(|| panic!("/status has no `{name}`: {reply:?}"));
        reply.args[at + 1].clone()
    };
    assert_eq!(value("frames"), OscType::Long(1_000));
    assert_eq!(value("datagrams"), OscType::Long(2));
    assert_eq!(value("malformed"), OscType::Long(1));
    assert!(matches!(value("peak_load"), OscType::Float(load) if load > 0.0));
    assert_eq!(reply.args.len() % 2, 0);
}

#[test]
fn stopping_the_server_ends_its_thread() {
    let rig = Rig::new(sine(440.0));
    let client = Client::new(rig.server.local_addr());
    client.sync(1);
    // How long stopping takes (woken by its handle, not by its 100 ms poll) is measured by
    // `cargo bench -p patchvm-benches --bench osc -- stop`. Here: once `stop` returns, the
    // thread has ended and its socket is closed, so the port is free to bind, and what is
    // sent to it reaches the new socket alone.
    let addr = rig.server.local_addr();
    rig.server.stop();
    let taken_over = std::net::UdpSocket::bind(addr).expect("the server's port is free");
    client.send_message("/ping", vec![OscType::Int(9)]);
    let mut buffer = [0u8; 64];
    taken_over
        .set_read_timeout(Some(patchvm_tests::osc::PATIENCE))
        .unwrap();
    let (len, _) = taken_over.recv_from(&mut buffer).expect("the ping arrives");
    let ping = rosc::decoder::decode_udp(&buffer[..len]).unwrap().1;
    assert_eq!(ping, message("/ping", vec![OscType::Int(9)]));
}

#[test]
fn with_acks_each_good_command_without_an_answer_of_its_own_is_acknowledged() {
    use patchvm::engine::Engine;
    use patchvm::ir::Limits;
    use patchvm::osc::Dispatcher;
    use rosc::encoder;
    let settings = EngineSettings {
        channels: 1,
        ..EngineSettings::default()
    };
    let (mut controller, _audio) = Engine::new(settings, Limits::default());
    controller.load_patch(level(0.5)).unwrap();
    let dispatcher = Dispatcher::new(&controller).acknowledging(true);
    let controller = std::sync::Mutex::new(controller);
    let bundle = OscPacket::Bundle(OscBundle {
        timetag: OscTime::from((0, 1)),
        content: vec![
            message("/param/set", vec![s("g"), s("amp"), OscType::Float(0.25)]),
            message("/patch/add", vec![s("osc2"), s("osc.sine")]),
            message("/patch/remove", vec![s("osc2")]),
            message("/ping", vec![OscType::Int(3)]),
            message("/patch/remove", vec![s("nope")]),
            message("/patch/explode", vec![]),
        ],
    });
    let replies = dispatcher.datagram(&encoder::encode(&bundle).unwrap(), &controller);
    let replies: Vec<(String, Vec<OscType>)> = replies
        .into_iter()
        .map(|reply| (reply.addr, reply.args))
        .collect();
    // The edits are acknowledged when their batch plays, before the /ping; the refused
    // remove and the unknown address get errors, not acks.
    let ack = |address: &str| ("/ack".to_owned(), vec![s(address)]);
    assert_eq!(replies[0], ack("/param/set"));
    assert_eq!(replies[1], ack("/patch/add"));
    assert_eq!(replies[2], ack("/patch/remove"));
    assert_eq!(replies[3], ("/pong".to_owned(), vec![OscType::Int(3)]));
    assert_eq!(replies[4].0, "/error");
    assert_eq!(replies[5].0, "/error");
    assert_eq!(replies.len(), 6);
}
