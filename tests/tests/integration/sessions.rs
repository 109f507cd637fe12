//! Sessions saved over OSC: `/patch/get` and `/patch/save` keep the session's OSC edits, and
//! a saved file reloads to the same program and the same samples; swaps answer `/warning`s.

use patchvm::compiler::disassemble;
use patchvm::engine::Controller;
use patchvm::ir::{Format, Limits, Patch};
use patchvm::osc::Dispatcher;
use patchvm::{Prepared, Settings};
use patchvm_tests::live::mono;
use rosc::{OscMessage, OscPacket, OscType, encoder};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

fn send(
    dispatcher: &Dispatcher,
    controller: &Mutex<Controller>,
    addr: &str,
    args: Vec<OscType>,
) -> Vec<OscMessage> {
    let packet = OscPacket::Message(OscMessage {
        addr: addr.to_owned(),
        args,
    });
    dispatcher.datagram(&encoder::encode(&packet).unwrap(), controller)
}

fn text(value: &str) -> OscType {
    OscType::String(value.to_owned())
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("patchvm-sessions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// The program and one second of samples `patch` gives offline.
fn program_and_samples(patch: Patch) -> (String, Vec<f32>) {
    let prepared = Prepared::new(patch, &Settings::default(), &Limits::default()).unwrap();
    let program = disassemble(prepared.compiled());
    let mut instance = prepared.instantiate().unwrap();
    let mut samples = vec![0.0; 48_000 * instance.channels()];
    instance.process_interleaved(&mut samples, 64);
    (program, samples)
}

fn read(path: &Path) -> Patch {
    Format::from_path(path)
        .unwrap()
        .read(&std::fs::read(path).unwrap(), &Limits::default())
        .unwrap()
}

/// The subtractive example playing, with a dispatcher in front of it.
fn session(file: &str) -> (Mutex<Controller>, Dispatcher) {
    let (mut controller, _audio) = mono();
    controller.load_file(&repo(file)).unwrap();
    let dispatcher = Dispatcher::new(&controller);
    (Mutex::new(controller), dispatcher)
}

#[test]
fn a_saved_session_keeps_its_osc_edits_and_reloads_to_the_same_program_and_samples() {
    let (controller, dispatcher) = session("patches/subtractive.lisp");
    // Edits a performer made live: a new pitch, and a second oscillator into the filter.
    let edits: [(&str, Vec<OscType>); 3] = [
        (
            "/patch/set",
            vec![text("saw"), text("freq"), OscType::Float(82.5)],
        ),
        (
            "/patch/add",
            vec![
                text("sub"),
                text("osc.sine"),
                text("freq"),
                OscType::Float(55.0),
            ],
        ),
        (
            "/patch/connect",
            vec![text("sub"), text("out"), text("lp"), text("in")],
        ),
    ];
    let mut warned = Vec::new();
    for (address, args) in edits {
        for reply in send(&dispatcher, &controller, address, args) {
            warned.push((address, reply.addr, reply.args));
        }
    }
    // Until it is connected, the new oscillator is heard nowhere, and a warning says so.
    assert_eq!(
        warned,
        [(
            "/patch/add",
            "/warning".to_owned(),
            vec![
                text("W0101"),
                text("node `sub` reaches no output: its signal is never heard")
            ]
        )]
    );
    let live = controller.lock().unwrap().patch().unwrap().clone();
    let (live_program, live_samples) = program_and_samples(live.clone());
    assert!(live_program.contains("sub"), "{live_program}");
    for name in ["session.lisp", "session.json", "session.msgpack"] {
        let path = scratch(name);
        let replies = send(
            &dispatcher,
            &controller,
            "/patch/save",
            vec![text(path.to_str().unwrap())],
        );
        assert_eq!(
            replies,
            [OscMessage {
                addr: "/patch/save".into(),
                args: vec![text(path.to_str().unwrap())]
            }]
        );
        let saved = read(&path);
        let saw = saved
            .nodes
            .iter()
            .find(|node| node.id.text == "saw")
            .unwrap();
        let freq = saw
            .params
            .iter()
            .find(|param| param.name.text == "freq")
            .unwrap();
        assert_eq!(
            freq.value.kind,
            patchvm::ir::ValueKind::Number(82.5),
            "{name}"
        );
        let (program, samples) = program_and_samples(saved);
        assert_eq!(program, live_program, "{name}: the same program");
        assert!(samples == live_samples, "{name}: bit-identical samples");
        assert!(
            !path
                .with_extension(format!(
                    "{}.tmp",
                    path.extension().unwrap().to_str().unwrap()
                ))
                .exists()
        );
    }
    // `/patch/get` answers the same patch as text.
    let replies = send(&dispatcher, &controller, "/patch/get", vec![]);
    let [OscMessage { addr, args }] = replies.as_slice() else {
        panic!("one reply: {replies:?}");
    };
    assert_eq!(addr, "/patch/get");
    let [OscType::String(got)] = args.as_slice() else {
        panic!("one string: {args:?}");
    };
    let got = Format::Sexpr
        .read(got.as_bytes(), &Limits::default())
        .unwrap();
    assert_eq!(got.without_spans(), live.without_spans());
}

#[test]
fn a_voice_template_survives_a_save() {
    let (controller, dispatcher) = session("patches/poly-synth.lisp");
    let live = controller.lock().unwrap().patch().unwrap().clone();
    let path = scratch("poly.json");
    send(
        &dispatcher,
        &controller,
        "/patch/save",
        vec![text(path.to_str().unwrap())],
    );
    let saved = read(&path);
    assert_eq!(program_and_samples(saved).0, program_and_samples(live).0);
}

#[test]
fn saving_to_an_unknown_extension_names_the_known_ones() {
    let (controller, dispatcher) = session("patches/toy.lisp");
    let path = scratch("session.txt");
    let replies = send(
        &dispatcher,
        &controller,
        "/patch/save",
        vec![text(path.to_str().unwrap())],
    );
    let expected = format!(
        "/patch/save: cannot save to `{}`: its extension names no patch format; expected one \
         of `.lisp`, `.sexp`, `.json`, `.msgpack`",
        path.display()
    );
    assert_eq!(
        replies,
        [OscMessage {
            addr: "/error".into(),
            args: vec![text(&expected)]
        }]
    );
    assert!(!path.exists());
}

#[test]
fn an_edit_that_plays_a_warned_patch_is_answered_with_each_warning() {
    let (controller, dispatcher) = session("patches/toy.lisp");
    let replies = send(
        &dispatcher,
        &controller,
        "/patch/add",
        vec![
            text("lfo"),
            text("osc.sine"),
            text("freq"),
            OscType::Float(2.0),
        ],
    );
    assert_eq!(
        replies,
        [OscMessage {
            addr: "/warning".into(),
            args: vec![
                text("W0101"),
                text("node `lfo` reaches no output: its signal is never heard")
            ],
        }]
    );
    // The patch played all the same: the node is in it.
    let patch = controller.lock().unwrap().patch().unwrap().clone();
    assert!(patch.nodes.iter().any(|node| node.id.text == "lfo"));
}
