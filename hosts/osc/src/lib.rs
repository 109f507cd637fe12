//! Control over OSC: a UDP server that loads and edits the patch, sets parameters and plays
//! notes on a live engine's [`Controller`](patchvm_engine::Controller), for live coders and their
//! tools (SuperCollider, Pure Data, TidalCycles, `oscsend`).
//!
//! | address | arguments | does |
//! |---|---|---|
//! | `/patch/load` | `s` patch text (S-expression, or JSON if it starts with `{`); or `b` MessagePack | plays it instead (an undoable edit) |
//! | `/patch/add` | `s` id, `s` type, then `s` param `f` value pairs | adds a node |
//! | `/patch/remove` | `s` id | removes a node and its connections |
//! | `/patch/connect` | `s` from `s` port `s` to `s` port | connects an output to an input |
//! | `/patch/disconnect` | `s s s s` as above | removes that connection |
//! | `/patch/set` | `s` node `s` param `f` value (or `s` text) | changes the value (or a text parameter's text) in the patch (an undoable edit) |
//! | `/patch/undo`, `/patch/redo` | — | undo and redo edits, loads included |
//! | `/param/set` | `s` node `s` param `f` value | a parameter event: no recompilation, not in the undo history |
//! | `/note/on` | `i` note (0..=127), `f` velocity (0..1) | a note, through the controller's note binding |
//! | `/note/off` | `i` note | releases it |
//! | `/ping` | anything | answered with `/pong` and the same arguments |
//! | `/status` | — | answered with `/status` and name–value pairs: engine metrics, then server counters, then the note sender's (`notes_sent`, `notes_dropped`, `notes_late`, `notes_closed`, `notes_errors`, `notes_jitter_p50_us`, `notes_jitter_p99_us`, `notes_jitter_max_us`, `notes_high_water`) when note streams leave the engine, then `fault:NODE` and its count for each node muted for a NaN or infinite output |
//! | `/transport/play`, `/transport/stop` | — | starts the transport from where it stands; stops it there |
//! | `/transport/seek` | `f` beat | jumps to that beat (quarter notes from 0) |
//! | `/transport/tempo` | `f` BPM | plays at that tempo from the next beat, or from the bundle's time tag if it has one |
//! | `/transport/loop` | `f` start, `f` end in beats, or nothing | loops from start to end; without arguments ends the loop |
//! | `/transport/tap` | — | a tap of tap tempo (at the bundle's time tag if it has one): from the second tap, the tempo of the median interval of the last eight taps, from the next beat; a pause over 2 s starts again |
//! | `/scene/recall` | `s` name, then `s` `bar` (the default) or `now` | sets every value of the patch's scene on one sample: the next bar line's, or the next block's |
//! | `/timeline/play` | `s` name, then `f` beat or nothing | plays a timeline from the beat, or from where it stopped, on the bundle's sample |
//! | `/timeline/stop` | `s` name | stops a timeline where it is (sounding clips fade out over 2 ms) |
//! | `/timeline/seek` | `s` name, `f` beat | moves a timeline's playhead to a beat of its tempo map |
//! | `/clip/add` | `s` timeline, `s` clip as JSON | adds a clip (`{"id": "c1", "file": "kick.wav", "position": 4}`), an undoable edit |
//! | `/clip/update` | `s` timeline, `s` clip as JSON | replaces the clip of the JSON's `id`, an undoable edit |
//! | `/clip/remove` | `s` timeline, `s` id | removes a clip, an undoable edit |
//! | sent: `/clip/started`, `/clip/ended` | `s` timeline, `s` id, `h` sample | a clip started or ended (its follow action, a stop, a seek or an edit cut it), on that engine sample; sent unasked to whoever last sent the server a datagram, within 100 ms |
//! | `/engine/snapshot` | `s` path | writes the live state there (as `play --snapshot` does) and answers `/engine/snapshot` with the path |
//! | `/patch/get` | — | answered with `/patch/get` and the patch playing (OSC edits included) as S-expression text |
//! | `/patch/save` | `s` path | writes the patch playing there, in the format of its extension, atomically, and answers `/patch/save` with the path |
//! | `/engine/tail-max` | `f` seconds (0..=60) | how long the effects the next structural edits remove may ring out before they fade out over the fade time (4 s unless `play --tail-max` says otherwise; 0 cuts them after the fade) |
//! | `/engine/fade` | `f` milliseconds (0..=10000) | how long the next edits fade: a structural edit's crossfade and a changed value's glide (20 ms unless `play --fade` says otherwise) |
//! | `/preset/save` | `s` name | keeps every settable input's value in `NAME.preset.json` beside the patch (name: letters, digits, `-`, `_`) and answers `/preset/save` with the name |
//! | `/preset/load` | `s` name | sets a preset's values, all on the next block's sample, and answers `/preset/load` with the name, then each input it skipped (gone from the patch) |
//! | `/probe/subscribe` | `s` node, `s` output, `f` rate (Hz, 0 < rate <= 1000) | sends the sender `/probe s(node) s(output) f(value)` (the last sample of the latest block) once per `1 / rate` seconds of engine time, at most once per 10 ms poll; `/error` for an unknown node or output (E0132), and once when an edit removes the node |
//! | `/probe/unsubscribe` | `s` node, `s` output | stops the sender's answers for that output |
//! | `/record/start` | `s` id, `s` source, `s` path | records `output` or `input` into a 32-bit float WAV file and answers `/record/start` with the id; `/error` for an id already recording or stopping, an unknown source, a file that cannot be created |
//! | `/record/stop` | `s` id | stops a recording and answers `/record/stop` with the id, the path, `h` frames, `d` seconds, `h` frames lost and the file's BLAKE3 hash; `/error` for an id not recording |
//! | `/hush` | — | fades every output to silence within one block and keeps it silent until the next program; the transport goes on |
//!
//! A patch an edit plays is answered with one `/warning s(code) s(message)` for each warning
//! (see `patchvm_engine::warnings`) the patch before it did not have, and plays all the same.
//!
//! Numbers (`f` above) may also be sent as `d`, `i` or `h`; velocities as `d`. Errors go
//! back to the sender as `/error s(message)`, prefixed with the address; a patch's problems
//! are listed one per line as `line:column: [code] message (help: …)`. A message to an unknown
//! address is answered `/error` naming the nearest address (or listing them); datagrams that
//! are not OSC are counted ([`OscStats`]) and ignored. With `--osc-ack`
//! ([`OscServer::acknowledging`]) each good command that has no answer of its own (`/pong`,
//! `/status`, `/engine/snapshot`) is answered `/ack s(address)`.
//!
//! Bundles are applied in order, all their messages under one hold of the controller's
//! lock. A datagram's edits are played together, with one swap, as one undoable step (see
//! `batch.rs`): each is checked and answered on its own, and the patch they make plays
//! before the next message that is not an edit, so a `/param/set` after a `/patch/add`
//! finds the new node. Events in a bundle whose time tag lies ahead take effect that much later in
//! engine time, mapped through the engine's model of its audio clock so they land on the same
//! sample whatever the host buffer ([`schedule`]); edits take effect at once.
//!
//! Every datagram passes [`guard::check`] before rosc decodes it: rosc recurses once per
//! nested bundle with no limit, so one datagram could otherwise overflow the stack.
//!
//! ```
//! use patchvm_engine::{Engine, EngineSettings};
//! use patchvm_engine::ir::Limits;
//! use patchvm_osc::{OscServer, address};
//! use rosc::{OscMessage, OscPacket, decoder, encoder};
//! use std::net::UdpSocket;
//! use std::sync::{Arc, Mutex};
//!
//! let (controller, _audio) = Engine::new(EngineSettings::default(), Limits::default());
//! let controller = Arc::new(Mutex::new(controller));
//! let server = OscServer::bind(address("0").unwrap()).unwrap(); // 127.0.0.1, a free port
//! let handle = server.spawn(Arc::clone(&controller)).unwrap();
//!
//! let client = UdpSocket::bind("127.0.0.1:0").unwrap();
//! let ping = OscPacket::Message(OscMessage { addr: "/ping".into(), args: vec![] });
//! client.send_to(&encoder::encode(&ping).unwrap(), handle.local_addr()).unwrap();
//! let mut buffer = [0; 1024];
//! let (len, _) = client.recv_from(&mut buffer).unwrap();
//! let (_, OscPacket::Message(pong)) = decoder::decode_udp(&buffer[..len]).unwrap() else {
//!     panic!("a message");
//! };
//! assert_eq!(pong.addr, "/pong");
//! assert_eq!(handle.stats().applied, 1);
//! handle.stop();
//! ```

mod address;
mod apply;
mod batch;
mod clip_events;
mod command;
mod describe;
mod dispatch;
pub mod guard;
pub mod notes_out;
mod presets;
mod probes;
mod recording;
pub mod schedule;
mod server;
mod session;
mod stats;
mod timelines;

pub use address::address;
pub use command::{ADDRESSES, Command, Refused};
pub use dispatch::Dispatcher;
pub use notes_out::OscNotes;
pub use presets::PresetCommand;
pub use probes::{MAX_PROBE_RATE_HZ, ProbeCommand};
pub use recording::RecordCommand;
pub use server::{OscHandle, OscServer};
pub use stats::OscStats;
pub use timelines::{ClipEdit, TimelineAction};
