//! Parameter events under the one rule every host gets (issue 24, defects 7 and 9): a value
//! that is not finite or lies outside the input's catalog range is refused, by the API and by
//! OSC alike, before anything is queued; a full program queue says how many programs wait;
//! an event the full event queue drops is answered, not only counted; names sent by OSC are
//! held to the patch's string limit. Each measured from the samples or the replies.

use patchvm::engine::{At, EngineError, NoteBinding};
use patchvm::ir::{Patch, PatchBuilder};
use patchvm::modules::catalog;
use patchvm::vm::MAX_BLOCK;
use patchvm_tests::live::{fade, mono, render};
use patchvm_tests::measure::frequency;
use patchvm_tests::osc::{Client, Rig, oscsend, s};
use rosc::OscType;

const RATE: f64 = 48_000.0;

fn sine(freq: f64) -> Patch {
    PatchBuilder::new()
        .node("osc1", "osc.sine", &[("freq", freq)])
        .node("out", "output", &[])
        .connect(("osc1", "out"), ("out", "in"))
        .build()
}

/// The catalog's range of `osc.sine`'s `freq`, the one patch validation holds it to.
fn freq_range() -> (f64, f64) {
    let spec = catalog().get("osc.sine").unwrap();
    let input = &spec.inputs[spec.input("freq").unwrap()];
    (input.min, input.max)
}

/// The frequency of `samples`, past the fade (a swap's crossfade, or a changed value's glide).
fn hz(samples: &[f32]) -> f64 {
    frequency(&samples[fade()..], RATE).expect("a periodic signal")
}

fn assert_hz(measured: f64, expected: f64, what: &str) {
    assert!(
        (measured - expected).abs() < 0.5,
        "{what}: measured {measured:.2} Hz, expected {expected} Hz"
    );
}

/// The text of an `/error` reply.
fn error_text(reply: &rosc::OscMessage) -> &str {
    assert_eq!(reply.addr, "/error", "{reply:?}");
    match reply.args.as_slice() {
        [OscType::String(text)] => text,
        other => panic!("/error carries one string, not {other:?}"),
    }
}

#[test]
fn the_api_refuses_values_outside_the_range_and_queues_nothing() {
    let (mut controller, mut audio) = mono();
    controller.load_patch(sine(440.0)).unwrap();
    // An event in range plays.
    assert!(
        controller
            .set_param("osc1", "freq", 550.0, At::Now)
            .unwrap()
    );
    assert_hz(hz(&render(&mut audio, 48_000)), 550.0, "an event in range");
    let (min, max) = freq_range();
    let queued = controller.queued_events();
    let above = (max as f32).next_up();
    let below = (min as f32).next_down();
    for value in [above, below, f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let refused = controller.set_param("osc1", "freq", value, At::Now);
        match refused {
            Err(EngineError::OutOfRange {
                ref node,
                ref param,
                value: got,
                min: lo,
                max: hi,
                unit,
            }) => {
                assert_eq!((node.as_str(), param.as_str()), ("osc1", "freq"));
                assert_eq!(got.to_bits(), value.to_bits());
                assert_eq!((lo, hi, unit), (min, max, "Hz"));
            }
            other => panic!("{value}: {other:?}"),
        }
        let ramp = controller.ramp_param("osc1", "freq", value, 480, At::Now);
        assert!(
            matches!(ramp, Err(EngineError::OutOfRange { .. })),
            "{ramp:?}"
        );
    }
    let text = controller
        .set_param("osc1", "freq", above, At::Now)
        .unwrap_err()
        .to_string();
    assert_eq!(
        text,
        format!(
            "cannot set `freq` of node `osc1` to {above} Hz: outside its range {min}..={max} Hz"
        )
    );
    let text = controller
        .set_param("osc1", "freq", f32::NAN, At::Now)
        .unwrap_err()
        .to_string();
    assert_eq!(
        text,
        format!(
            "cannot set `freq` of node `osc1` to NaN: not a finite number; expected {min}..={max} Hz"
        )
    );
    // Nothing reached the queue, and the sine plays on at 550 Hz.
    assert_eq!(controller.queued_events(), queued);
    assert_hz(hz(&render(&mut audio, 48_000)), 550.0, "after the refusals");
    // The ends of the range are taken.
    assert!(
        controller
            .set_param("osc1", "freq", max as f32, At::Now)
            .unwrap()
    );
    assert!(
        controller
            .set_param("osc1", "freq", min as f32, At::Now)
            .unwrap()
    );
    assert!(
        controller
            .ramp_param("osc1", "freq", 330.0, 64, At::Now)
            .unwrap()
    );
    assert_eq!(controller.queued_events(), queued + 3);
    assert_hz(hz(&render(&mut audio, 48_000)), 330.0, "after the ramp");
}

#[test]
fn a_full_program_queue_says_how_many_programs_wait() {
    let (mut controller, mut audio) = mono();
    let capacity = patchvm::engine::EngineSettings::default().swap_capacity;
    // Never rendered: the audio half has not started.
    for n in 0..capacity {
        controller.load_patch(sine(200.0 + n as f64)).unwrap();
    }
    let error = controller.load_patch(sine(999.0)).unwrap_err();
    assert!(
        matches!(error, EngineError::Busy { waiting, started: false } if waiting == capacity),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "the audio half has not rendered anything yet and {capacity} programs are waiting \
             for it; nothing was changed: is it running?"
        )
    );
    // Running, it takes them all at its next block; a burst beyond the queue is "busy".
    render(&mut audio, MAX_BLOCK);
    controller.maintain();
    for n in 0..capacity {
        controller.load_patch(sine(300.0 + n as f64)).unwrap();
    }
    let error = controller.load_patch(sine(999.0)).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "busy: {capacity} programs are waiting for the audio half to take them (one per \
             block); nothing was changed, try again"
        )
    );
    // Nothing changed: the last program taken is the last one accepted.
    render(&mut audio, MAX_BLOCK);
    controller.maintain();
    let last = 300.0 + (capacity - 1) as f64;
    assert_hz(
        hz(&render(&mut audio, 48_000)),
        last,
        "the last accepted patch",
    );
    controller.load_patch(sine(999.0)).unwrap();
    assert_hz(
        hz(&render(&mut audio, 48_000)),
        999.0,
        "once taken, edits go on",
    );
}

#[test]
fn notes_whose_events_the_full_queue_drops_are_an_error() {
    let (mut controller, _audio) = mono();
    controller.load_patch(sine(440.0)).unwrap();
    controller.bind_notes(NoteBinding {
        freq: Some(("osc1".into(), "freq".into())),
        gate: None,
    });
    let capacity = patchvm::engine::EngineSettings::default().event_capacity;
    // Fill the queue: the audio half is not running.
    for _ in 0..capacity {
        assert!(
            controller
                .set_param("osc1", "freq", 440.0, At::Now)
                .unwrap()
        );
    }
    assert!(
        !controller
            .set_param("osc1", "freq", 440.0, At::Now)
            .unwrap()
    );
    let error = controller.note_on(69, 100, At::Now).unwrap_err();
    assert!(matches!(error, EngineError::EventsDropped(1)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "the event queue is full: 1 event(s) dropped; is the audio half running?"
    );
    assert_eq!(controller.metrics().dropped_events, 2);
}

#[test]
fn osc_refuses_values_outside_the_range_with_the_engine_s_words() {
    let mut rig = Rig::new(sine(440.0));
    let client = Client::new(rig.server.local_addr());
    let (min, max) = freq_range();
    let over = max + 1.0;
    // From a client no one here wrote, then read back by ours.
    oscsend(
        rig.port(),
        "/param/set",
        "ssf",
        &["osc1", "freq", &over.to_string()],
    );
    rig.wait_for("the refused /param/set", |stats| stats.failed == 1);
    for (value, expected) in [
        (
            OscType::Double(over),
            format!(
                "/param/set: cannot set `freq` of node `osc1` to {} Hz: outside its range \
                 {min}..={max} Hz",
                over as f32
            ),
        ),
        (
            OscType::Float(f32::NAN),
            format!(
                "/param/set: cannot set `freq` of node `osc1` to NaN: not a finite number; \
                 expected {min}..={max} Hz"
            ),
        ),
        (
            OscType::Int(-1),
            format!(
                "/param/set: cannot set `freq` of node `osc1` to -1 Hz: outside its range \
                 {min}..={max} Hz"
            ),
        ),
    ] {
        client.send_message("/param/set", vec![s("osc1"), s("freq"), value]);
        let replies = client.sync(1);
        assert_eq!(replies.len(), 1, "{replies:?}");
        assert_eq!(error_text(&replies[0]), expected);
    }
    let metrics = rig.controller.lock().unwrap().metrics();
    assert_eq!(
        (metrics.applied_events, metrics.dropped_events),
        (0, 0),
        "nothing reached the audio half"
    );
    assert_hz(hz(&rig.render(48_000)), 440.0, "the sine plays on");
}

#[test]
fn osc_holds_ids_to_the_name_limit() {
    let mut rig = Rig::new(sine(440.0));
    rig.render(MAX_BLOCK);
    let client = Client::new(rig.server.local_addr());
    let limit = patchvm::ir::Limits::default().max_string_bytes;
    let id = "n".repeat(60_000);
    client.send_message("/patch/add", vec![s(&id), s("osc.saw")]);
    let replies = client.sync(1);
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(
        error_text(&replies[0]),
        format!("/patch/add: a name or string is 60000 bytes, over the limit of {limit} bytes")
    );
    let nodes = rig.controller.lock().unwrap().patch().unwrap().nodes.len();
    assert_eq!(nodes, 2, "no node added");
    // At the limit, the id is a name like any other.
    client.send_message("/patch/add", vec![s(&"n".repeat(limit)), s("osc.saw")]);
    // Added, and warned about: the new saw reaches no output.
    let replies = client.sync(2);
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(
        (replies[0].addr.as_str(), &replies[0].args[0]),
        ("/warning", &s("W0101"))
    );
    let nodes = rig.controller.lock().unwrap().patch().unwrap().nodes.len();
    assert_eq!(nodes, 3);
}

#[test]
fn a_burst_of_osc_edits_is_answered_busy_with_the_count_waiting() {
    let mut rig = Rig::new(sine(440.0));
    // The audio half has started, then stalls (a starved thread) while edits pour in.
    rig.render(MAX_BLOCK);
    let client = Client::new(rig.server.local_addr());
    let capacity = patchvm::engine::EngineSettings::default().swap_capacity;
    for n in 0..=capacity {
        let freq = OscType::Float(300.0 + n as f32);
        client.send_message("/patch/set", vec![s("osc1"), s("freq"), freq]);
    }
    let replies = client.sync(1);
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(
        error_text(&replies[0]),
        format!(
            "/patch/set: busy: {capacity} programs are waiting for the audio half to take \
             them (one per block); nothing was changed, try again"
        )
    );
    // Once it runs again, the last accepted edit plays and the next is taken.
    rig.render(MAX_BLOCK);
    let last = 300.0 + (capacity - 1) as f64;
    assert_hz(hz(&rig.render(48_000)), last, "the last accepted edit");
    client.send_message(
        "/patch/set",
        vec![s("osc1"), s("freq"), OscType::Float(500.0)],
    );
    assert!(client.sync(2).is_empty());
    assert_hz(hz(&rig.render(48_000)), 500.0, "after the burst");
}

#[test]
fn an_osc_note_whose_events_cannot_be_queued_is_answered() {
    let rig = Rig::new(sine(440.0));
    let capacity = patchvm::engine::EngineSettings::default().event_capacity;
    {
        let mut controller = rig.controller.lock().unwrap();
        controller.bind_notes(NoteBinding {
            freq: Some(("osc1".into(), "freq".into())),
            gate: None,
        });
        // The audio half is not running: the queue fills.
        for _ in 0..capacity {
            assert!(
                controller
                    .set_param("osc1", "freq", 440.0, At::Now)
                    .unwrap()
            );
        }
    }
    let client = Client::new(rig.server.local_addr());
    client.send_message("/note/on", vec![OscType::Int(69), OscType::Float(1.0)]);
    client.send_message(
        "/param/set",
        vec![s("osc1"), s("freq"), OscType::Float(1.0)],
    );
    let replies = client.sync(1);
    let texts: Vec<&str> = replies.iter().map(error_text).collect();
    assert_eq!(
        texts,
        [
            "/note/on: the event queue is full: 1 event(s) dropped; is the audio half running?",
            "/param/set: the event queue is full: 1 event(s) dropped; is the audio half running?",
        ]
    );
    let metrics = rig.controller.lock().unwrap().metrics();
    assert_eq!(metrics.dropped_events, 2);
}
