//! patchvm embedded from C: a C ABI over the live engine ([`patchvm_engine`]).
//!
//! The crate builds a static library (`libpatchvm_capi.a`) and a shared one
//! (`libpatchvm_capi.so`); `spec/patchvm.h` is their header, generated from this crate by
//! cbindgen (`UPDATE_GOLDEN=1 cargo test -p patchvm-capi --test header` rewrites it). An
//! application makes a [`PvmEngine`] with [`pvm_engine_new`], loads patch text with
//! [`pvm_engine_load`], calls [`pvm_engine_process`] from its audio callback, and frees the
//! engine with [`pvm_engine_free`].
//!
//! # Thread model
//!
//! An engine has two sides, each owned by the calls of one thread at a time, and the two run
//! concurrently without locks:
//!
//! - the **audio side**: [`pvm_engine_process`]. Real-time safe: it does not allocate, free,
//!   lock or block. It may run on the audio thread at the same time as any control call. It
//!   must not run concurrently with itself.
//! - the **control side**: every other `pvm_engine_*` call ([`pvm_engine_load`],
//!   [`pvm_engine_set_param`], [`pvm_engine_note_on`], [`pvm_engine_metrics_json`],
//!   [`pvm_engine_last_error`], …). They allocate, compile and free, so never call them on the
//!   audio thread. Any thread may make them, but one at a time: the caller serialises them.
//! - [`pvm_engine_free`] must not run concurrently with any other call on the engine.
//!
//! # Misuse
//!
//! Breaking these rules returns a code rather than being undefined behaviour, as far as
//! cheaply possible: every call checks a magic word in the engine and an in-use flag for its
//! side (a few atomic operations). A second `pvm_engine_process` while one runs, a second
//! control call while one runs, or a free during any call returns [`PVM_ERR_CONCURRENT`]
//! and does nothing. A call on a freed engine, and a second free, return
//! [`PVM_ERR_INVALID_HANDLE`]: the header of a freed engine stays allocated and poisoned for
//! the next [`PVM_FREED_ENGINES_KEPT`] frees, so the check is reliable that long and best
//! effort after (the memory may be reused, even by a new engine).
//!
//! [`pvm_version`], [`pvm_status_message`] and [`pvm_engine_new_error`] touch no engine
//! and may be called from any thread.
//!
//! # Errors
//!
//! Every call that can fail returns `0` ([`PVM_OK`]) or a negative `PVM_ERR_*` code. A failed
//! control call also leaves a message, read with [`pvm_engine_last_error`]: for an invalid
//! patch, every diagnostic with its line and a hint. `pvm_engine_process` never writes a
//! message (that would allocate on the audio thread): its code alone says what went wrong,
//! and [`pvm_status_message`] describes a code. No panic crosses the boundary: one caught
//! inside returns [`PVM_ERR_PANIC`], and that side of the engine refuses every later call.
//!
//! ```
//! use patchvm_capi::*;
//!
//! let toy = br#"(patch (nodes (osc1 (type "osc.sine") (freq 440)) (out (type "output")))
//!                      (connections (osc1 "out" -> out "in")))"#;
//! // SAFETY: the engine is used by this thread only, with buffers of the sizes given.
//! unsafe {
//!     let engine = pvm_engine_new(48_000.0, 0, 2);
//!     assert!(!engine.is_null());
//!     assert_eq!(pvm_engine_load(engine, toy.as_ptr().cast(), toy.len()), PVM_OK);
//!     let mut out = [0.0_f32; 2 * 256];
//!     assert_eq!(pvm_engine_process(engine, std::ptr::null(), out.as_mut_ptr(), 256), PVM_OK);
//!     assert!(out.iter().any(|&x| x != 0.0));
//!     pvm_engine_free(engine);
//! }
//! ```
#![deny(missing_docs)]
// RealtimeSanitizer (CI builds with `-Zsanitizer=realtime --cfg rtsan`) checks the audio entry
// points marked `sanitize(realtime = "nonblocking")`.
#![cfg_attr(rtsan, feature(sanitize))]

mod audio;
mod control;
mod events;
mod files;
mod guard;
mod payload;
mod presets;
mod probe;
mod record;
mod routing;
mod state;
mod status;
mod tempo;
mod timelines;

pub use events::*;
pub use files::*;
pub use payload::PVM_MAX_JSON_BYTES;
pub use presets::{pvm_preset_load, pvm_preset_save};
pub use probe::pvm_engine_probe;
pub use record::*;
pub use routing::*;
pub use state::*;
pub use status::*;
pub use tempo::*;
pub use timelines::*;

use audio::PoisonableAudioHalf;
use control::{Failure, PoisonableController};
use guard::{Guard, Refusal, Side};
use patchvm_engine::ir::{Format, Limits};
use patchvm_engine::{At, Engine, EngineSettings, NoteBinding};
use patchvm_engine::{SAMPLE_RATES, sample_rate_problem};
use std::cell::Cell;
use std::ffi::{CStr, c_char};
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The most interleaved channels a buffer may have, in or out.
pub const PVM_MAX_CHANNELS: u32 = 64;

/// The longest patch text [`pvm_engine_load`] takes, in bytes (16 MiB).
pub const PVM_MAX_SOURCE_BYTES: usize = 16 << 20;

/// The lowest sample rate [`pvm_engine_new`] takes, in Hz.
pub const PVM_MIN_SAMPLE_RATE: f64 = 1_000.0;

/// The highest sample rate [`pvm_engine_new`] takes, in Hz.
pub const PVM_MAX_SAMPLE_RATE: f64 = 768_000.0;

/// How many freed engines stay recognisable as freed: a call on one of the last this many
/// engines [`pvm_engine_free`] freed returns [`PVM_ERR_INVALID_HANDLE`] (their 32-byte headers
/// are kept, poisoned).
pub const PVM_FREED_ENGINES_KEPT: usize = 1_024;

// The header's two figures are the engine's range, which `pvm_engine_new` checks.
const _: () = assert!(
    PVM_MIN_SAMPLE_RATE == *SAMPLE_RATES.start() && PVM_MAX_SAMPLE_RATE == *SAMPLE_RATES.end()
);

/// An engine: a patch that plays and can change while it plays. Opaque; made by
/// [`pvm_engine_new`], freed by [`pvm_engine_free`].
#[derive(Debug)]
pub struct PvmEngine {
    /// Checked by every call before it touches a side; outlives the sides (see `guard`).
    guard: Guard,
    // The two sides are separate boxes, each reached through a pointer to its field alone,
    // so the audio thread's `&mut` to one and the control thread's `&mut` to the other never
    // overlap, and neither needs a lock. Dropped in place by `pvm_engine_free`, which keeps
    // the rest of the header for a while.
    control: ManuallyDrop<Box<PoisonableController>>,
    audio: ManuallyDrop<Box<PoisonableAudioHalf>>,
}

// Both sides move between the threads the caller chooses.
const _: () = {
    const fn send<T: Send>() {}
    send::<PoisonableController>();
    send::<PoisonableAudioHalf>();
};

thread_local! {
    /// Why the last `pvm_engine_new` on this thread returned NULL.
    static NEW_ERROR: Cell<&'static CStr> = const { Cell::new(c"") };
}

/// Runs `body` on the control side of `engine`, if the guard lets the call in.
///
/// # Safety
///
/// `engine` is NULL or came from [`pvm_engine_new`]; if it was freed, at most
/// [`PVM_FREED_ENGINES_KEPT`] engines were freed since (else the guard reads reused memory).
unsafe fn with_control<R>(
    engine: *mut PvmEngine,
    body: impl FnOnce(&mut PoisonableController) -> R,
) -> Result<R, Refusal> {
    if engine.is_null() {
        return Err(Refusal::Null);
    }
    // SAFETY: the header is allocated (the contract); the guard is only read atomically.
    let guard = unsafe { &(*engine).guard };
    let _entered = guard.enter(Side::Control)?;
    // SAFETY: the engine is live and this call alone holds its control side. Only the
    // `control` field is borrowed, never the whole engine, so a concurrent
    // `pvm_engine_process` borrowing `audio` does not alias it.
    let side: &mut PoisonableController = unsafe { &mut (*engine).control };
    Ok(body(side))
}

/// Runs a status-returning control call on `engine`.
///
/// # Safety
///
/// As for [`with_control`].
unsafe fn control(
    engine: *mut PvmEngine,
    call: impl FnOnce(&mut PoisonableController) -> Result<(), Failure>,
) -> i32 {
    // SAFETY: forwarded.
    unsafe { with_control(engine, |side| side.run(call)) }.unwrap_or_else(Refusal::code)
}

/// A NUL-terminated UTF-8 string from C, named `what` in messages.
///
/// # Safety
///
/// `text` is NULL or points to a NUL-terminated string that lives through `'a`.
unsafe fn c_str<'a>(text: *const c_char, what: &str) -> Result<&'a str, Failure> {
    if text.is_null() {
        return Err(Failure::new(PVM_ERR_NULL, format!("`{what}` is NULL")));
    }
    // SAFETY: from the contract.
    let text = unsafe { CStr::from_ptr(text) };
    text.to_str()
        .map_err(|error| Failure::new(PVM_ERR_UTF8, format!("`{what}` is not UTF-8: {error}")))
}

/// The format of patch text: JSON if its first byte that is not white space is `{`, the
/// S-expression form otherwise.
fn sniff(text: &[u8]) -> Format {
    match text.iter().find(|byte| !byte.is_ascii_whitespace()) {
        Some(b'{') => Format::Json,
        _ => Format::Sexpr,
    }
}

/// Makes an engine that renders `channels_out` interleaved output channels at `sample_rate`
/// Hz, reading `channels_in` interleaved input channels for the patch's `input` nodes.
///
/// `sample_rate` is from [`PVM_MIN_SAMPLE_RATE`] to [`PVM_MAX_SAMPLE_RATE`];
/// `channels_out` from 1 to [`PVM_MAX_CHANNELS`]; `channels_in` from 0 to
/// [`PVM_MAX_CHANNELS`]. A mono patch plays on every output channel; a stereo patch plays
/// left on channel 0 and right on channel 1 and every channel after it (on a mono engine,
/// `(left + right) / 2`, as the live engine and the render play it).
///
/// Returns the engine, owned by the caller until [`pvm_engine_free`], or NULL if an
/// argument is out of range ([`pvm_engine_new_error`] says which). Nothing plays until a
/// patch is loaded: [`pvm_engine_process`] writes silence until then.
///
/// Allocates: not for the audio thread. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn pvm_engine_new(
    sample_rate: f64,
    channels_in: u32,
    channels_out: u32,
) -> *mut PvmEngine {
    let refuse = |why: &'static CStr| {
        // Only fails while the thread is being torn down; there is nobody to tell then.
        let _ = NEW_ERROR.try_with(|error| error.set(why));
        std::ptr::null_mut()
    };
    if sample_rate_problem(sample_rate).is_some() {
        return refuse(c"sample_rate must be from 1000 to 768000 Hz");
    }
    if !(1..=PVM_MAX_CHANNELS).contains(&channels_out) {
        return refuse(c"channels_out must be from 1 to 64");
    }
    if channels_in > PVM_MAX_CHANNELS {
        return refuse(c"channels_in must be from 0 to 64");
    }
    let made = catch_unwind(|| {
        let (channels_in, channels_out) = (channels_in as usize, channels_out as usize);
        let settings = EngineSettings {
            sample_rate,
            channels: channels_out.min(2),
            ..EngineSettings::default()
        };
        let (controller, half) = Engine::new(settings, Limits::default());
        Box::new(PvmEngine {
            guard: Guard::new(),
            control: ManuallyDrop::new(Box::new(PoisonableController::new(controller))),
            audio: ManuallyDrop::new(Box::new(PoisonableAudioHalf::new(
                half,
                channels_in,
                channels_out,
            ))),
        })
    });
    match made {
        Ok(engine) => {
            let _ = NEW_ERROR.try_with(|error| error.set(c""));
            Box::into_raw(engine)
        }
        Err(_) => refuse(c"internal error (a bug in patchvm) while making the engine"),
    }
}

/// Why the last [`pvm_engine_new`] on the calling thread returned NULL; `""` if it did not.
/// Never NULL; the string is static.
///
/// Real-time safe: does not allocate, lock or block. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn pvm_engine_new_error() -> *const c_char {
    NEW_ERROR.try_with(Cell::get).unwrap_or(c"").as_ptr()
}

/// Frees `engine` and everything it owns, including the patches it played. NULL is
/// ignored.
///
/// Returns [`PVM_OK`] (NULL included), [`PVM_ERR_CONCURRENT`] (another call on `engine` is
/// running: nothing is freed) or [`PVM_ERR_INVALID_HANDLE`] (already freed, or not an
/// engine: nothing is freed).
///
/// Not for the audio thread, and not concurrently with any other call on `engine`: stop
/// calling [`pvm_engine_process`] first.
///
/// # Safety
///
/// `engine` is NULL or came from [`pvm_engine_new`]; it is invalid afterwards (a call on it
/// returns [`PVM_ERR_INVALID_HANDLE`] for the next [`PVM_FREED_ENGINES_KEPT`] frees).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_engine_free(engine: *mut PvmEngine) -> i32 {
    if engine.is_null() {
        return PVM_OK;
    }
    // SAFETY: the header is allocated (the contract); the guard is only read atomically.
    if let Err(refusal) = unsafe { &(*engine).guard }.retire() {
        return refusal.code();
    }
    // A panic while dropping leaks what was left rather than cross the boundary.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: retired: no call runs on either side and none will enter again, so the
        // sides are dropped once, here, and never touched after.
        unsafe {
            ManuallyDrop::drop(&mut (*engine).control);
            ManuallyDrop::drop(&mut (*engine).audio);
        }
    }));
    // SAFETY: the box `pvm_engine_new` made, whose sides are gone; nobody owns it now.
    unsafe { guard::quarantine(engine) };
    PVM_OK
}

/// Compiles the patch in `text` (`len` bytes of UTF-8, NUL not needed) and plays it from the
/// audio side's next block. The format is JSON if the first byte that is not white space is
/// `{`, the S-expression form otherwise. Nodes whose id and module survive keep their state;
/// a change of nodes or connections crossfades over 64 samples.
///
/// Returns [`PVM_OK`], or an error code with the patch playing untouched:
/// [`PVM_ERR_NULL`], [`PVM_ERR_TOO_LARGE`] (over [`PVM_MAX_SOURCE_BYTES`]),
/// [`PVM_ERR_UTF8`], [`PVM_ERR_INVALID_PATCH`] (the message renders every diagnostic),
/// [`PVM_ERR_BUSY`] or [`PVM_ERR_PANIC`]. `text` is only read during the call.
///
/// A control call: not for the audio thread; may run concurrently with
/// [`pvm_engine_process`], not with another control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `text` is NULL or valid for reads of `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_engine_load(
    engine: *mut PvmEngine,
    text: *const c_char,
    len: usize,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            if text.is_null() {
                return Err(Failure::new(PVM_ERR_NULL, "`text` is NULL"));
            }
            if len > PVM_MAX_SOURCE_BYTES {
                return Err(Failure::new(
                    PVM_ERR_TOO_LARGE,
                    format!("the patch text is {len} bytes; the limit is {PVM_MAX_SOURCE_BYTES}"),
                ));
            }
            // SAFETY: from the contract; `len` is small enough for a slice.
            let bytes = std::slice::from_raw_parts(text.cast::<u8>(), len);
            if let Err(error) = std::str::from_utf8(bytes) {
                return Err(Failure::new(
                    PVM_ERR_UTF8,
                    format!("the patch text is not UTF-8: {error}"),
                ));
            }
            side.load_text(bytes, sniff(bytes))
        })
    }
}

/// Reads the patch file at `path` (a NUL-terminated UTF-8 path; the format from its
/// extension: `.lisp`, `.sexp`, `.json` or `.msgpack`), compiles it and plays it, like
/// [`pvm_engine_load`]. Adds [`PVM_ERR_IO`] when the file cannot be read.
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `path` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_engine_load_file(engine: *mut PvmEngine, path: *const c_char) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let path = c_str(path, "path")?;
            side.load_file(path)
        })
    }
}

/// Renders `frames` frames: reads `in` (interleaved, `frames * channels_in` floats) and
/// writes `out` (interleaved, `frames * channels_out` floats). `in` may be NULL for silent
/// input (and is ignored when `channels_in` is 0). Any frame count: the work is split into
/// blocks of at most 64 frames, and parameter events land on their exact sample. Before any
/// successful load, and after an internal error, `out` is silence.
///
/// Returns [`PVM_OK`], [`PVM_ERR_NULL`] (NULL `engine`, or NULL `out` with `frames` > 0:
/// nothing is written), [`PVM_ERR_RANGE`] (a buffer larger than memory can hold) or
/// [`PVM_ERR_PANIC`] (`out` silent), or, with nothing written, [`PVM_ERR_CONCURRENT`]
/// (another `pvm_engine_process` on `engine` is running) or [`PVM_ERR_INVALID_HANDLE`] (a
/// freed engine). Never writes a message: see [`pvm_status_message`].
///
/// The audio side. Real-time safe: does not allocate, free, lock or block. May run
/// concurrently with any control call; never concurrently with itself.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `out` is NULL or valid for writes of
/// `frames * channels_out` floats; `in` is NULL or valid for reads of
/// `frames * channels_in` floats, and does not overlap `out`.
#[unsafe(no_mangle)]
#[cfg_attr(rtsan, sanitize(realtime = "nonblocking"))]
pub unsafe extern "C" fn pvm_engine_process(
    engine: *mut PvmEngine,
    r#in: *const f32,
    out: *mut f32,
    frames: u32,
) -> i32 {
    if engine.is_null() {
        return PVM_ERR_NULL;
    }
    // SAFETY: the header is allocated (the contract); the guard is only read atomically.
    let _entered = match unsafe { &(*engine).guard }.enter(Side::Audio) {
        Ok(entered) => entered,
        Err(refusal) => return refusal.code(),
    };
    // SAFETY: the engine is live and this call alone holds its audio side; only the `audio`
    // field is borrowed, which no control call touches.
    let audio: &mut PoisonableAudioHalf = unsafe { &mut (*engine).audio };
    if frames == 0 {
        return PVM_OK;
    }
    if out.is_null() {
        return PVM_ERR_NULL;
    }
    let frames = frames as usize;
    let fits = |channels: usize| {
        frames
            .checked_mul(channels)
            .and_then(|floats| floats.checked_mul(size_of::<f32>()))
            .is_some_and(|bytes| bytes <= isize::MAX as usize)
    };
    if !fits(audio.channels_out()) || !fits(audio.channels_in()) {
        return PVM_ERR_RANGE;
    }
    // SAFETY: the buffers' contract is the caller's, forwarded.
    unsafe { audio.process(r#in, out, frames) }
}

/// Sets input `param` of node `node` (NUL-terminated UTF-8 names) to `value` from the audio
/// side's next block. The input must be unconnected and change while playing (not one read
/// only when the node is built).
///
/// Returns [`PVM_OK`], [`PVM_ERR_NULL`], [`PVM_ERR_UTF8`], [`PVM_ERR_NO_PATCH`],
/// [`PVM_ERR_PARAM`] (the message says why and lists the inputs), [`PVM_ERR_RANGE`] (a
/// value that is not finite or outside the input's range; the message names both),
/// [`PVM_ERR_QUEUE_FULL`] or [`PVM_ERR_PANIC`].
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; `node` and `param` are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_engine_set_param(
    engine: *mut PvmEngine,
    node: *const c_char,
    param: *const c_char,
    value: f32,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let node = c_str(node, "node")?;
            let param = c_str(param, "param")?;
            let queued = side
                .controller
                .set_param(node, param, value, At::Now)
                .map_err(|error| control::engine_failure(error, None))?;
            queued.then_some(()).ok_or_else(queue_full)
        })
    }
}

fn queue_full() -> Failure {
    Failure::new(
        PVM_ERR_QUEUE_FULL,
        "the event queue is full; the event was dropped (is the audio side running?)",
    )
}

/// Chooses the inputs that [`pvm_engine_note_on`] and [`pvm_engine_note_off`] drive: a note
/// on sets input `freq_param` of node `freq_node` to the note's frequency in Hz (A4 = note
/// 69 = 440 Hz) and input `gate_param` of node `gate_node` to its velocity; a note off sets
/// the gate to 0 unless other notes are held (the last one held sounds again). Either pair
/// may be NULL to drive nothing. Until this is called, notes drive nothing.
///
/// Returns [`PVM_OK`], [`PVM_ERR_NULL`] (one name of a pair NULL), [`PVM_ERR_UTF8`] or
/// [`PVM_ERR_PANIC`]. Names are checked when a note plays.
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine; each name is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_engine_bind_notes(
    engine: *mut PvmEngine,
    freq_node: *const c_char,
    freq_param: *const c_char,
    gate_node: *const c_char,
    gate_param: *const c_char,
) -> i32 {
    let pair = |node: *const c_char, param: *const c_char, what: &str| -> Result<_, Failure> {
        if node.is_null() && param.is_null() {
            return Ok(None);
        }
        // SAFETY: each name is NULL or NUL-terminated (the contract).
        let node = unsafe { c_str(node, &format!("{what}_node")) }?;
        // SAFETY: as for `node`.
        let param = unsafe { c_str(param, &format!("{what}_param")) }?;
        Ok(Some((node.to_owned(), param.to_owned())))
    };
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let binding = NoteBinding {
                freq: pair(freq_node, freq_param, "freq")?,
                gate: pair(gate_node, gate_param, "gate")?,
            };
            side.controller.bind_notes(binding);
            Ok(())
        })
    }
}

/// Plays MIDI note `note` (0..=127) at `velocity` (0..=1, quantised to 1/127; 0 is a note
/// off) from the audio side's next block: on a voice of the patch's voice template (32
/// voices), on its `voice` nodes outside the template, through its note bindings, and through
/// the inputs [`pvm_engine_bind_notes`] chose (monophonic, the last note held sounding).
///
/// Returns [`PVM_OK`], [`PVM_ERR_RANGE`], [`PVM_ERR_NO_PATCH`], [`PVM_ERR_PARAM`] (a bound
/// input that cannot take a value), [`PVM_ERR_QUEUE_FULL`] or [`PVM_ERR_PANIC`].
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_engine_note_on(
    engine: *mut PvmEngine,
    note: i32,
    velocity: f32,
) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let note = midi_note(note)?;
            if !(0.0..=1.0).contains(&velocity) {
                return Err(Failure::new(
                    PVM_ERR_RANGE,
                    format!("velocity {velocity} is not from 0 to 1"),
                ));
            }
            let velocity = (velocity * 127.0).round() as u8;
            let dropped = side.controller.metrics().dropped_events;
            side.controller
                .note_on(note, velocity, At::Now)
                .map_err(|error| control::engine_failure(error, None))?;
            no_drops(side, dropped)
        })
    }
}

/// Releases MIDI note `note` (0..=127) from the audio side's next block. Returns like
/// [`pvm_engine_note_on`].
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_engine_note_off(engine: *mut PvmEngine, note: i32) -> i32 {
    // SAFETY: forwarded from the contract.
    unsafe {
        control(engine, |side| {
            let note = midi_note(note)?;
            let dropped = side.controller.metrics().dropped_events;
            side.controller
                .note_off(note, At::Now)
                .map_err(|error| control::engine_failure(error, None))?;
            no_drops(side, dropped)
        })
    }
}

fn midi_note(note: i32) -> Result<u8, Failure> {
    u8::try_from(note)
        .ok()
        .filter(|&note| note <= 127)
        .ok_or_else(|| Failure::new(PVM_ERR_RANGE, format!("note {note} is not from 0 to 127")))
}

/// `PVM_ERR_QUEUE_FULL` if events were dropped since the count was `before`.
fn no_drops(side: &PoisonableController, before: u64) -> Result<(), Failure> {
    match side.controller.metrics().dropped_events > before {
        true => Err(queue_full()),
        false => Ok(()),
    }
}

/// The message of the last control call that returns a status code (load, set_param, notes,
/// bind_notes): `""` if it succeeded, else what went wrong, in UTF-8 — for an invalid patch
/// every diagnostic rendered with its line and a hint, then a summary line. A NULL or freed
/// `engine`, or one on which another control call is running, gives a fixed message saying
/// so. Never NULL.
///
/// The string is owned by the engine and stays valid until the next control call on it (or
/// [`pvm_engine_free`]); copy it to keep it. [`pvm_engine_process`] never changes it.
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_engine_last_error(engine: *const PvmEngine) -> *const c_char {
    // SAFETY: forwarded from the contract; the control side is only read.
    unsafe { with_control(engine.cast_mut(), |side| side.last_error().as_ptr()) }
        .unwrap_or_else(|refusal| refusal.message().as_ptr())
}

/// The engine's metrics as a JSON object: `calls`, `frames` (the engine time), `late_calls`,
/// `last_dsp_ns`, `dsp_ns` (all calls so far), `last_load` and `peak_load` (1.0 = the whole
/// real-time budget), `swaps`, `unrouted_events`, `applied_events`, `dropped_events`,
/// `flushed_samples`, `active_voices`, `faults` (nodes whose output turned NaN or infinite,
/// muted; each onset counted) and `clipped_samples` (output samples over 0 dBFS). Also frees the patches the audio side has finished
/// with: call it now and then if nothing else runs on the control side. Returns NULL for a
/// NULL or freed `engine`, or while another control call on it runs.
///
/// The string is owned by the engine and stays valid until the next call of this function on
/// it (or [`pvm_engine_free`]); copy it to keep it.
///
/// A control call.
///
/// # Safety
///
/// `engine` is NULL or a live engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pvm_engine_metrics_json(engine: *mut PvmEngine) -> *const c_char {
    // SAFETY: forwarded from the contract.
    unsafe { with_control(engine, |side| side.metrics_json().as_ptr()) }.unwrap_or(std::ptr::null())
}

/// patchvm's version, e.g. `"0.1.0"`. Never NULL; the string is static.
///
/// Real-time safe. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn pvm_version() -> *const c_char {
    const VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(version) => version,
            Err(_) => panic!("the version has no NUL inside"),
        };
    VERSION.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_limit_is_the_engine_limit() {
        assert_eq!(PVM_MAX_SOURCE_BYTES, Limits::default().max_source_bytes);
    }

    #[test]
    fn json_is_told_by_its_first_brace() {
        assert_eq!(sniff(b"  \n{\"nodes\": {}}"), Format::Json);
        assert_eq!(sniff(b"(patch)"), Format::Sexpr);
        assert_eq!(sniff(b"; comment\n(patch)"), Format::Sexpr);
        assert_eq!(sniff(b""), Format::Sexpr);
    }
}
