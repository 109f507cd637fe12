//! One datagram through the OSC server's handling: guard, decoder, commands, engine.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    patchvm_tests::fuzzing::osc_datagram(data);
});
