//! Patches built from arbitrary bytes over the catalog, compiled and rendered if valid.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    patchvm_tests::fuzzing::compile_arbitrary(data);
});
