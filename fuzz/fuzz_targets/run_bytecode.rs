//! Programs built from arbitrary bytes, verified, and run if the verifier accepts them.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    patchvm_tests::fuzzing::run_bytecode(data);
});
