//! Arbitrary bytes read as a JSON patch, then compiled and rendered if valid; the reader's
//! syntax errors checked against serde_json's.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    patchvm_tests::fuzzing::read_json(data);
});
