//! Arbitrary bytes read as a JSON patch, then compiled and rendered if valid.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    patchvm_tests::fuzzing::read(patchvm::ir::Format::Json, data);
});
