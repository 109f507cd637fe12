//! Arbitrary bytes read as a standard MIDI file, then played into a patch if they are one.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    patchvm_tests::fuzzing::read_midi(data);
});
