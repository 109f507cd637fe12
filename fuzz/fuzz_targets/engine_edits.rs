//! A live engine fed arbitrary sequences of loads, edits, undo/redo, events and process calls.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    patchvm_tests::fuzzing::engine_edits(data);
});
