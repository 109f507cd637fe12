//! The C ABI driven by random call sequences and arguments: engines made with any settings,
//! patch text, parameters, notes, process calls of any length, and misuse — calls on freed
//! engines and double frees. The body is the C ABI's own test module, so the corpus also
//! replays as a test (`hosts/capi/tests/misuse.rs`).
#![no_main]

#[path = "../../hosts/capi/tests/calls/mod.rs"]
mod calls;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    calls::capi_calls(data);
});
