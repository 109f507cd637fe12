//! Any bytes read as a Json patch: never a panic; whatever reads, compiles or is refused
//! with diagnostics, and runs a few blocks when it compiles.
#![no_main]

use libfuzzer_sys::fuzz_target;
use patchvm::ir::{Format, Limits};
use patchvm::{Instance, Settings};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(patch) = Format::Json.read(data, &limits) {
        if let Ok(mut instance) = Instance::new(&patch, &Settings::default(), &limits) {
            let mut samples = vec![0.0; 256 * instance.channels()];
            instance.process_interleaved(&mut samples, 64);
            assert!(samples.iter().all(|x| x.is_finite()));
        }
    }
});
