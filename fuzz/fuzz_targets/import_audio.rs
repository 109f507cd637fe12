//! Arbitrary bytes imported as an audio file (guard, decoders, resampler), as the engine
//! imports the files a patch names.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    patchvm_tests::fuzzing::import_audio(data);
});
