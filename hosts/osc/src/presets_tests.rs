//! Presets over OSC, measured from the answers, the file and the samples: a saved preset
//! loaded into a patch with other values plays the saved values on the next block's sample,
//! and bad names and foreign files answer `/error`.

use crate::Dispatcher;
use patchvm_engine::{AudioHalf, Controller, Engine, EngineSettings};
use patchvm_ir::{Format, Limits};
use rosc::{OscMessage, OscPacket, OscType, encoder};
use std::sync::Mutex;

/// `a.amp + b.amp` on every sample while the transport plays.
fn patch(a: f64, b: f64) -> String {
    format!(
        r#"(patch
  (nodes (clk (type "clock")) (a (type "gain") (amp {a})) (b (type "gain") (amp {b}))
         (out (type "output")))
  (connections (clk "playing" -> a "in") (clk "playing" -> b "in")
               (a "out" -> out "in") (b "out" -> out "in")))"#
    )
}

fn session(folder: &std::path::Path) -> (Mutex<Controller>, Dispatcher, AudioHalf) {
    let settings = EngineSettings {
        channels: 1,
        ..EngineSettings::default()
    };
    let (mut controller, audio) = Engine::new(settings, Limits::default());
    controller.set_folder(folder);
    let text = patch(0.5, 0.25);
    controller
        .load_text(text.as_bytes(), Format::Sexpr)
        .unwrap();
    let dispatcher = Dispatcher::new(&controller);
    (Mutex::new(controller), dispatcher, audio)
}

fn send(
    dispatcher: &Dispatcher,
    controller: &Mutex<Controller>,
    addr: &str,
    name: &str,
) -> Vec<OscMessage> {
    let packet = OscPacket::Message(OscMessage {
        addr: addr.to_owned(),
        args: vec![OscType::String(name.to_owned())],
    });
    dispatcher.datagram(&encoder::encode(&packet).unwrap(), controller)
}

fn answer(addr: &str, args: &[&str]) -> Vec<OscMessage> {
    vec![OscMessage {
        addr: addr.to_owned(),
        args: args
            .iter()
            .map(|a| OscType::String((*a).to_owned()))
            .collect(),
    }]
}

#[test]
fn a_preset_saved_and_loaded_over_osc_plays_its_values_on_the_next_block() {
    let folder = std::env::temp_dir().join(format!("patchvm-osc-presets-{}", std::process::id()));
    let _absent = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    let (controller, dispatcher, mut audio) = session(&folder);
    let mut samples = vec![0.0_f32; 128];
    audio.process(&mut samples);
    assert_eq!(
        send(&dispatcher, &controller, "/preset/save", "start"),
        answer("/preset/save", &["start"])
    );
    assert!(folder.join("start.preset.json").is_file());
    controller
        .lock()
        .unwrap()
        .set_param("a", "amp", 0.125, patchvm_engine::At::Now)
        .unwrap();
    audio.process(&mut samples);
    assert!(samples.iter().all(|&x| x == 0.125 + 0.25));
    assert_eq!(
        send(&dispatcher, &controller, "/preset/load", "start"),
        answer("/preset/load", &["start"])
    );
    audio.process(&mut samples);
    assert!(samples.iter().all(|&x| x == 0.5 + 0.25));

    let errors = [
        (
            "/preset/save",
            "../up",
            "/preset/save: `../up` is no preset name; expected letters, digits, `-` and `_` only",
        ),
        ("/preset/load", "nothing", "/preset/load: cannot read `"),
    ];
    for (addr, name, start) in errors {
        let replies = send(&dispatcher, &controller, addr, name);
        let [OscMessage { addr: error, args }] = &replies[..] else {
            panic!("{replies:?}");
        };
        assert_eq!(error, "/error");
        let [OscType::String(message)] = &args[..] else {
            panic!("{args:?}");
        };
        assert!(message.starts_with(start), "{message}");
    }
    std::fs::write(folder.join("song.preset.json"), "(patch (nodes))").unwrap();
    let replies = send(&dispatcher, &controller, "/preset/load", "song");
    let text = format!("{replies:?}");
    assert!(
        text.contains("song.preset.json` is not a preset: "),
        "{text}"
    );
}
