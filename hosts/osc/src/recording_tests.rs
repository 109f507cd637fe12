//! Recording over OSC, measured from the answers and the file: a take of a constant output
//! holds that constant on every frame the answer counts, its hash is the file's, and the
//! illegal transitions answer `/error`.

use crate::Dispatcher;
use patchvm_engine::{Controller, Engine, EngineSettings};
use patchvm_ir::{Format, Limits};
use rosc::{OscMessage, OscPacket, OscType, encoder};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

fn send(
    dispatcher: &Dispatcher,
    controller: &Mutex<Controller>,
    addr: &str,
    args: &[&str],
) -> OscMessage {
    let packet = OscPacket::Message(OscMessage {
        addr: addr.to_owned(),
        args: args
            .iter()
            .map(|a| OscType::String((*a).to_owned()))
            .collect(),
    });
    let mut answers = dispatcher.datagram(&encoder::encode(&packet).unwrap(), controller);
    assert_eq!(answers.len(), 1, "{answers:?}");
    answers.remove(0)
}

fn error_text(answer: &OscMessage) -> String {
    assert_eq!(answer.addr, "/error", "{answer:?}");
    match &answer.args[..] {
        [OscType::String(text), ..] => text.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_take_started_and_stopped_over_osc_holds_the_output_and_mistakes_answer_error() {
    let folder = std::env::temp_dir().join(format!("patchvm-osc-record-{}", std::process::id()));
    let _absent = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    let (mut controller, mut audio) = Engine::new(
        EngineSettings {
            channels: 1,
            ..EngineSettings::default()
        },
        Limits::default(),
    );
    controller
        .load_text(
            br#"(patch (nodes (c (type "const") (value 0.375)) (out (type "output")))
                       (connections (c "out" -> out "in")))"#,
            Format::Sexpr,
        )
        .unwrap();
    let dispatcher = Dispatcher::new(&controller);
    let controller = Mutex::new(controller);
    // The audio half on a thread of its own, as a backend runs it.
    let stop = AtomicBool::new(false);
    /// Stops the audio thread when dropped, so a failed assertion ends the test.
    struct Stop<'a>(&'a AtomicBool);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    std::thread::scope(|scope| {
        let _stop = Stop(&stop);
        scope.spawn(|| {
            let mut buffer = [0.0_f32; 256];
            while !stop.load(Ordering::Relaxed) {
                audio.process(&mut buffer);
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        });
        let path = folder.join("take1.wav");
        let path_text = path.to_str().unwrap();
        let started = send(
            &dispatcher,
            &controller,
            "/record/start",
            &["take1", "output", path_text],
        );
        assert_eq!(started.args, [OscType::String("take1".into())]);
        let again = send(
            &dispatcher,
            &controller,
            "/record/start",
            &["take1", "output", path_text],
        );
        assert!(
            error_text(&again).starts_with("/record/start: recording `take1` is already "),
            "{again:?}"
        );
        let mic = send(
            &dispatcher,
            &controller,
            "/record/start",
            &["t2", "mic", "t2.wav"],
        );
        assert_eq!(
            error_text(&mic),
            "/record/start: unknown recording source `mic`; expected `output` or `input`"
        );
        let unknown = send(&dispatcher, &controller, "/record/stop", &["nope"]);
        assert_eq!(
            error_text(&unknown),
            "/record/stop: no recording `nope` is running"
        );
        // A tenth of a second recorded (an event to wait for, not a time).
        while controller.lock().unwrap().recorder_state()[0].frames < 4_800 {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let stopped = send(&dispatcher, &controller, "/record/stop", &["take1"]);
        stop.store(true, Ordering::Relaxed);
        assert_eq!(stopped.addr, "/record/stop");
        let [
            OscType::String(id),
            OscType::String(file),
            OscType::Long(frames),
            OscType::Double(seconds),
            OscType::Long(lost),
            OscType::String(hash),
        ] = &stopped.args[..]
        else {
            panic!("{stopped:?}");
        };
        assert_eq!((id.as_str(), file.as_str(), *lost), ("take1", path_text, 0));
        assert_eq!(*seconds, *frames as f64 / 48_000.0);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(*hash, blake3_hex(&bytes));
        // A 116-byte header, then every frame 0.375.
        assert_eq!(bytes.len() as i64, 116 + 4 * frames);
        assert!(*frames >= 4_800, "{frames}");
        assert!(
            bytes[116..]
                .chunks_exact(4)
                .all(|b| f32::from_le_bytes(b.try_into().unwrap()) == 0.375)
        );
        let twice = send(&dispatcher, &controller, "/record/stop", &["take1"]);
        assert_eq!(
            error_text(&twice),
            "/record/stop: no recording `take1` is running"
        );
    });
}

/// The BLAKE3 hash in hex, as the engine reports it.
fn blake3_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}
